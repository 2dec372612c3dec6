/* Replicas, the node's side: backup, retention, listing, check and restore with restic. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/hydra.h"
#include "base/util.h"
#include "fleet/replica.h"

/* The last non-empty line of TEXT, cut at its newline (TEXT is changed). */
static const char *last_line(char *text)
{
	size_t n = strlen(text);
	char *p;

	while (n && text[n - 1] == '\n')
		text[--n] = '\0';
	p = strrchr(text, '\n');
	return p ? p + 1 : text;
}

/* restic's failure as an errno, logged with what stderr said and where. */
static int failed(int rc, char *err, const char *where, const char *doing)
{
	const char *why;
	int r;

	if (rc < 0)
		return rc;
	r = hydra_restic_error(err, &why);
	if (r == -EIO && err && *err)
		/* Words restic's own message says better: its last line. */
		hydra_err("%s: %s failed: %s", where, doing, last_line(err));
	else
		hydra_err("%s: %s failed: %s", where, doing, why);
	if (err && *err)
		hydra_debug("%s: restic said: %s", where, err);
	return r;
}

struct backup_lines {
	struct hydra_backup_summary *sum;
	int have_sum;
	hydra_progress_fn progress;
	void *ud;
};

static void on_backup_line(char *line, void *ud)
{
	struct backup_lines *b = ud;
	uint64_t total = 0, done = 0;

	switch (hydra_restic_backup_line(line, b->sum, &total, &done)) {
	case 1:
		b->have_sum = 1;
		break;
	case 2:
		if (b->progress)
			b->progress(total, done, b->ud);
		break;
	}
}

/* What a snapshot leaves out: the replicas kept for others, fsck's folder, a pending restore. */
static int run_backup(const struct hydra_replica_self *s, const struct hydra_restic *r,
		      struct backup_lines *b, char **err)
{
	char *ex[3] = {
		hydra_strdupf("%s/" HYDRA_REPLICA_HELD "/*/repo", s->datadir),
		hydra_strdupf("%s/lost+found", s->datadir),
		hydra_strdupf("%s/" HYDRA_REPLICA_PENDING, s->datadir),
	};
	const char *args[] = { "backup", "--json", "--host", s->node, "--tag", "hydra",
			       "--one-file-system", "--exclude", ex[0], "--exclude", ex[1],
			       "--exclude", ex[2], ".", NULL };
	struct hydra_restic in = *r;
	int rc = ex[0] && ex[1] && ex[2] ? 0 : -ENOMEM;

	/* "." from inside the volume: the snapshot's root is the volume's root, wherever it is mounted. */
	in.cwd = s->datadir;
	if (!rc)
		rc = hydra_restic_run(&in, args, on_backup_line, b, err);
	for (int i = 0; i < 3; i++)
		free(ex[i]);
	return rc;
}

/* Lines of restic's --json output, parsed one by one into the array they make. */
struct json_lines {
	struct json_object *all;
};

static void on_json_line(char *line, void *ud)
{
	struct json_lines *j = ud;
	struct json_object *o = line[0] == '[' || line[0] == '{' ? json_tokener_parse(line) : NULL;

	if (!o)
		return;
	if (!j->all)
		j->all = json_object_new_array();
	json_object_array_add(j->all, o);
}

/* How many snapshots restic forget dropped: the "remove" lists of its groups. */
static size_t removed(struct json_object *all)
{
	size_t n = 0;

	for (size_t i = 0; all && i < json_object_array_length(all); i++) {
		struct json_object *groups = json_object_array_get_idx(all, i), *rm;

		for (size_t g = 0; json_object_is_type(groups, json_type_array) &&
		     g < json_object_array_length(groups); g++)
			if (json_object_object_get_ex(json_object_array_get_idx(groups, g), "remove", &rm)
			    && json_object_is_type(rm, json_type_array))
				n += json_object_array_length(rm);
	}
	return n;
}

/*
 * The retention policy in one restic run: forget, and with --prune restic
 * prunes only when forget dropped a snapshot (prune rewrites packs and costs
 * far more than forget; a restic start costs seconds on a slow node).
 */
static int retain(const struct hydra_replica_self *s, const struct hydra_restic *r,
		  const char *where)
{
	const char *args[] = { "forget", "--json", "--prune", "--host", s->node,
			       HYDRA_REPLICA_KEEP_POLICY, NULL };
	struct json_lines j = { NULL };
	char *err = NULL;
	size_t gone;
	int rc = hydra_restic_run(r, args, on_json_line, &j, &err);

	gone = removed(j.all);
	json_object_put(j.all);
	if (rc)
		rc = failed(rc, err, where, "restic forget --prune");
	else if (gone)
		hydra_info("%s: %zu snapshot%s past the retention policy, forgotten and pruned", where,
			   gone, gone == 1 ? "" : "s");
	free(err);
	return rc;
}

/* The third figure of the line under sftp's df header: kibibytes free. */
static int64_t df_avail(const char *out)
{
	const char *head = out ? strstr(out, "Avail") : NULL;
	unsigned long long size, used, avail;

	if (!head || !(head = strchr(head, '\n')) ||
	    sscanf(head + 1, "%llu %llu %llu", &size, &used, &avail) != 3)
		return -EIO;
	return (int64_t)avail * 1024;
}

/* Bytes free on P's volume, from sftp's df in the chroot (statvfs@openssh.com), or -errno. */
static int64_t peer_free(const struct hydra_replica_peer *p)
{
	const char *argv[64];
	char *batch = NULL, *known = hydra_strdupf("UserKnownHostsFile=%s", p->known), *out = NULL;
	int fd = hydra_memfd("sftp-batch", "df\n", 3);
	struct hydra_spawn_opts o = { .capture = &out, .logfile = "/dev/null", .keep_fd = fd };
	size_t n = 0;
	int64_t r = fd < 0 ? fd : 0;

	batch = fd >= 0 ? hydra_strdupf("/dev/fd/%d", fd) : NULL;
	if (!r && (!batch || !known))
		r = -ENOMEM;
	argv[n++] = "sftp";
	argv[n++] = "-q";
	argv[n++] = "-b";
	argv[n++] = batch;
	argv[n++] = "-F";
	argv[n++] = "/dev/null";
	argv[n++] = "-i";
	argv[n++] = p->key;
	argv[n++] = "-o";
	argv[n++] = known;
	for (size_t i = 0; hydra_replica_ssh_options[i] && n < 60; i++) {
		argv[n++] = "-o";
		argv[n++] = hydra_replica_ssh_options[i];
	}
	argv[n++] = p->login;
	argv[n] = NULL;
	if (!r)
		r = hydra_spawn(argv, &o) == 0 ? df_avail(out) : -EIO;
	if (fd >= 0)
		close(fd);
	free(batch);
	free(known);
	free(out);
	return r;
}

/* Below this, a neighbour is full: a few of restic's packs (16 MiB at most each) must fit. */
#define FULL_BELOW (64LL << 20)

/* -ENOSPC, logged, when P's volume has less than FULL_BELOW free; 0 otherwise or unknown. */
static int peer_full(const struct hydra_replica_peer *p)
{
	int64_t left = peer_free(p);
	char size[32];

	if (left < 0 || left >= FULL_BELOW)
		return 0;
	hydra_err("%s: restic backup failed: it is full (%s free on its data volume)", p->node,
		  hydra_format_size((uint64_t)left, size, sizeof(size)));
	return -ENOSPC;
}

/*
 * restic's words on a failed upload say little (sftp reports a full disk
 * as a plain "Failure"): the neighbour's free space says whether it is full.
 */
static int upload_failed(const struct hydra_replica_peer *p, int rc, char *err)
{
	const char *why;

	if (rc < 0 || hydra_restic_error(err, &why) != -EIO || !peer_full(p))
		return failed(rc, err, p->node, "restic backup");
	return -ENOSPC;
}

static int init_repo(const struct hydra_restic *r, const char *where)
{
	const char *args[] = { "init", NULL };
	char *err = NULL;
	int rc = hydra_restic_run(r, args, NULL, NULL, &err);

	if (rc)
		rc = failed(rc, err, where, "restic init");
	else
		hydra_info("%s: made this node's repository", where);
	free(err);
	return rc;
}

int hydra_replica_backup(const struct hydra_replica_self *s, const struct hydra_replica_peer *p,
			 struct hydra_backup_summary *sum, hydra_progress_fn progress, void *ud)
{
	struct backup_lines b = { .sum = sum, .progress = progress, .ud = ud };
	char pass[4096], *err = NULL;
	struct hydra_restic r;
	const char *why;
	int rc;

	memset(sum, 0, sizeof(*sum));
	/*
	 * Asked first: restic retries a failed upload for up to 15 minutes, and
	 * a full neighbour fails every one. An unknown answer lets restic say why.
	 */
	if ((rc = peer_full(p)) != 0)
		return rc;
	hydra_replica_restic(s, p, pass, sizeof(pass), &r);
	rc = run_backup(s, &r, &b, &err);
	/* The first backup to a neighbour finds an empty folder: the repository is made then. */
	if (rc > 0 && hydra_restic_error(err, &why) == -ENOENT) {
		free(err);
		err = NULL;
		rc = init_repo(&r, p->node);
		if (!rc)
			rc = run_backup(s, &r, &b, &err);
	}
	if (rc) {
		rc = upload_failed(p, rc, err);
	} else if (!b.have_sum) {
		hydra_err("%s: restic backup ended without its summary", p->node);
		rc = -EIO;
	}
	free(err);
	return rc ? rc : retain(s, &r, p->node);
}

/* "2026-11-29T12:39:45.5260414Z" or "...+02:00" into a time_t. */
static int64_t restic_time(const char *text)
{
	struct tm tm = { 0 };
	const char *rest = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
	int64_t t = rest ? (int64_t)timegm(&tm) : 0;
	int hh, mm;

	if (!rest)
		return 0;
	rest += strspn(rest, ".0123456789");
	if ((*rest == '+' || *rest == '-') && sscanf(rest + 1, "%d:%d", &hh, &mm) == 2)
		t -= (*rest == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
	return t;
}

static void snapshots_info(struct json_object *all, struct hydra_replica_info *info)
{
	struct json_object *list = all ? json_object_array_get_idx(all, 0) : NULL, *t;

	for (size_t i = 0; json_object_is_type(list, json_type_array) &&
	     i < json_object_array_length(list); i++) {
		int64_t when = json_object_object_get_ex(json_object_array_get_idx(list, i), "time", &t)
			       ? restic_time(json_object_get_string(t)) : 0;

		info->snapshots++;
		if (when > info->newest)
			info->newest = when;
	}
}

int hydra_replica_stat(const struct hydra_replica_self *s, const struct hydra_replica_peer *p,
		       struct hydra_replica_info *info)
{
	const char *snaps[] = { "snapshots", "--json", "--host", s->node, NULL };
	const char *stats[] = { "stats", "--json", "--mode", "raw-data", NULL };
	struct json_lines j = { NULL };
	struct json_object *size;
	char pass[4096], *err = NULL;
	struct hydra_restic r;
	int rc;

	memset(info, 0, sizeof(*info));
	snprintf(info->node, sizeof(info->node), "%s", s->node);
	snprintf(info->where, sizeof(info->where), "%s", p->node);
	hydra_replica_restic(s, p, pass, sizeof(pass), &r);
	rc = hydra_restic_run(&r, snaps, on_json_line, &j, &err);
	snapshots_info(j.all, info);
	json_object_put(j.all);
	j.all = NULL;
	if (!rc) {
		free(err);
		err = NULL;
		rc = hydra_restic_run(&r, stats, on_json_line, &j, &err);
	}
	if (!rc && j.all && json_object_object_get_ex(json_object_array_get_idx(j.all, 0),
						      "total_size", &size))
		info->bytes = (uint64_t)json_object_get_int64(size);
	json_object_put(j.all);
	if (rc)
		info->err = failed(rc, err, p->node, "reading the replica");
	free(err);
	return info->err;
}

int hydra_replica_open(const struct hydra_restic *r, const char *where)
{
	const char *args[] = { "cat", "config", NULL };
	char *err = NULL;
	int rc = hydra_restic_run(r, args, NULL, NULL, &err);

	if (rc)
		rc = failed(rc, err, where, "opening the repository");
	free(err);
	return rc;
}

/* "Pack ID does not match, want ID, got ..." names the file: data/ID[0:2]/ID. */
static unsigned name_damaged(const char *err, const char *where)
{
	static const char mark[] = "Pack ID does not match, want ";
	unsigned n = 0;

	for (const char *p = err; p && (p = strstr(p, mark)); p += sizeof(mark) - 1, n++) {
		const char *id = p + sizeof(mark) - 1;
		int len = (int)strcspn(id, ", \n");

		hydra_err("%s: damaged pack data/%.2s/%.*s (its contents no longer match its name)",
			  where, id, len, id);
	}
	return n;
}

int hydra_replica_check(const struct hydra_restic *r, const char *where)
{
	const char *args[] = { "check", "--read-data", NULL };
	char *err = NULL;
	int rc = hydra_restic_run(r, args, NULL, NULL, &err);

	if (rc > 0 && name_damaged(err, where) == 0)
		hydra_err("%s: restic check found errors: %s", where, err ? err : "");
	if (rc)
		rc = failed(rc, err, where, "restic check");
	free(err);
	return rc;
}

char *hydra_replica_pending(const struct hydra_replica_self *s, const char *holder)
{
	char *dir = hydra_strdupf("%s/" HYDRA_REPLICA_PENDING "/%s", s->datadir, holder);
	char *config = dir ? hydra_path_join(dir, "config") : NULL;

	if (!config || access(config, F_OK) < 0) {
		free(dir);
		dir = NULL;
	}
	free(config);
	return dir;
}

/* An empty folder: what hydra-init makes for the persisted paths before anything runs. */
static int empty_dir(const char *to, const char *name)
{
	char *path = hydra_path_join(to, name);
	DIR *d = path ? opendir(path) : NULL;
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	free(path);
	return d && !n;
}

/* TO may hold what is not data: lost+found, this node's keys, the copy being restored, empty folders. */
static int check_empty(const char *to)
{
	static const char *const aside[] = { ".", "..", "lost+found", HYDRA_REPLICA_KEEP,
					     HYDRA_REPLICA_PENDING, NULL };
	DIR *d = opendir(to);
	struct dirent *e;
	int r = 0;
	size_t i;

	if (!d) {
		if (errno != ENOENT)
			return -errno;
		return hydra_mkdir_p(to, 0755);
	}
	while (!r && (e = readdir(d))) {
		for (i = 0; aside[i] && strcmp(aside[i], e->d_name); i++)
			;
		if (!aside[i] && !empty_dir(to, e->d_name)) {
			hydra_err("'%s' is not empty (it holds '%s'): a replica is restored into an "
				  "empty volume or directory", to, e->d_name);
			r = -ENOTEMPTY;
		}
	}
	closedir(d);
	return r;
}

int hydra_replica_restore(const struct hydra_replica_self *s, const struct hydra_replica_restore *o)
{
	const char *to = o->to ? o->to : s->datadir;
	const char *snap = o->snapshot ? o->snapshot : "latest";
	const char *args[] = { "restore", snap, "--host", s->node, "--target", to, NULL };
	char *err = NULL;
	int rc = check_empty(to);

	if (rc)
		return rc;
	hydra_info("%s: checking the whole replica before writing anything (restic check "
		   "--read-data)", o->where);
	rc = hydra_replica_check(o->from, o->where);
	if (rc) {
		hydra_err("%s: nothing restored: the replica is damaged or cannot be read", o->where);
		return rc;
	}
	hydra_info("%s: restoring snapshot %s of %s into %s", o->where, snap, s->node, to);
	rc = hydra_restic_run(o->from, args, NULL, NULL, &err);
	if (rc)
		rc = failed(rc, err, o->where, "restic restore");
	free(err);
	return rc;
}
