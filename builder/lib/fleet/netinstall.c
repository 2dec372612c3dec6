/* The netbooted side of a regeneration: its orders, its disk, its replica, its done message. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/http.h"
#include "base/hydra.h"
#include "base/sysfs.h"
#include "base/util.h"
#include "fleet/netinstall.h"
#include "fleet/replica.h"
#include "node/probe.h"

/* How long the node waits on its neighbour's server, a connection or a read. */
#define HTTP_TIMEOUT 30
/* replica.list is a line a file: a generous bound for it. */
#define LIST_MAX (64u << 20)

/* VALUE into OUT (LEN bytes) when it fits and every character is one of OK. */
static int copy_word(const char *word, const char *value, const char *ok, char *out, size_t len)
{
	if (!value[0] || strlen(value) >= len || (ok && strspn(value, ok) != strlen(value))) {
		hydra_err("malformed '%s' on the kernel command line", word);
		return -EINVAL;
	}
	snprintf(out, len, "%s", value);
	return 0;
}

#define HEX "0123456789abcdef"
#define DISK_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/-"
#define URL_CHARS "abcdefghijklmnopqrstuvwxyz0123456789.:/-"

static int take_word(char *w, struct hydra_install_req *q, int *have_url)
{
	char *v = strchr(w, '=');

	if (v)
		*v++ = '\0';
	if (!strcmp(w, "hydra.netboot") && v) {
		*have_url = 1;
		if (strncmp(v, "http://", 7) || v[strlen(v) - 1] != '/') {
			hydra_err("hydra.netboot= takes http://ADDRESS:PORT/, not '%s'", v);
			return -EINVAL;
		}
		return copy_word(w, v, URL_CHARS, q->url, sizeof(q->url));
	}
	if (!strcmp(w, "hydra.node") && v) {
		if (!hydra_node_name_valid(v)) {
			hydra_err("hydra.node= names no node: '%s'", v);
			return -EINVAL;
		}
		return copy_word(w, v, NULL, q->node, sizeof(q->node));
	}
	if (!strcmp(w, "hydra.netboot.from") && v) {
		if (!hydra_node_name_valid(v)) {
			hydra_err("hydra.netboot.from= names no node: '%s'", v);
			return -EINVAL;
		}
		return copy_word(w, v, NULL, q->holder, sizeof(q->holder));
	}
	if (!strcmp(w, "hydra.netboot.token") && v) {
		if (strlen(v) != HYDRA_INSTALL_TOKEN_HEX) {
			hydra_err("hydra.netboot.token= takes %d hex digits", HYDRA_INSTALL_TOKEN_HEX);
			return -EINVAL;
		}
		return copy_word(w, v, HEX, q->token, sizeof(q->token));
	}
	if (!strcmp(w, "hydra.netboot.disk") && v)
		return copy_word(w, v, DISK_CHARS, q->disk, sizeof(q->disk));
	if (!strcmp(w, "hydra.netboot.data") && v) {
		if (strcmp(v, "replica") && strcmp(v, "none")) {
			hydra_err("hydra.netboot.data= takes replica or none, not '%s'", v);
			return -EINVAL;
		}
		q->data_replica = !strcmp(v, "replica");
		return 0;
	}
	if (!strcmp(w, "hydra.netboot.force") && !v)
		q->force = 1;
	return 0;
}

int hydra_install_parse(const char *cmdline, struct hydra_install_req *q)
{
	char *copy = strdup(cmdline), *save = NULL;
	int have_url = 0, r = copy ? 0 : -ENOMEM;

	memset(q, 0, sizeof(*q));
	q->data_replica = 1;
	for (char *w = copy ? strtok_r(copy, " \t\n", &save) : NULL; w && !r;
	     w = strtok_r(NULL, " \t\n", &save))
		r = take_word(w, q, &have_url);
	free(copy);
	if (r)
		return r;
	if (!have_url)
		return -ENOENT;
	if (!q->node[0] || !q->holder[0] || !q->token[0]) {
		hydra_err("the kernel command line has hydra.netboot= but no %s: it does not come "
			  "from a neighbour's hydra regenerate", !q->node[0] ? "hydra.node=" :
			  !q->holder[0] ? "hydra.netboot.from=" : "hydra.netboot.token=");
		return -EINVAL;
	}
	return 0;
}

int hydra_install_token_new(char token[HYDRA_INSTALL_TOKEN_HEX + 1])
{
	unsigned char raw[HYDRA_INSTALL_TOKEN_HEX / 2];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return hydra_err_errno("cannot read random bytes");
	hydra_hex(raw, sizeof(raw), token);
	return 0;
}

/* The disks a machine could be written onto: whole, not virtual, not empty. */
struct disk {
	char name[64];
	char *id;
};

static int list_disks(const char *sysroot, struct disk **out, size_t *n)
{
	char *block = hydra_strdupf("%s/sys/block", sysroot), *sysfs = hydra_strdupf("%s/sys", sysroot);
	struct dirent **ents = NULL;
	int count = block && sysfs ? scandir(block, &ents, NULL, alphasort) : -1, r = 0;

	*out = NULL;
	*n = 0;
	if (count < 0) {
		r = block && sysfs ? hydra_err_errno("cannot list '%s'", block) : -ENOMEM;
		free(block);
		free(sysfs);
		return r;
	}
	*out = calloc((size_t)count + 1, sizeof(**out));
	for (int i = 0; i < count; i++) {
		const char *name = ents[i]->d_name;

		if (*out && name[0] != '.' && strlen(name) < sizeof((*out)->name) &&
		    !hydra_probe_block_virtual(name) && hydra_sysfs_block_bytes(sysroot, name) > 0) {
			struct disk *d = &(*out)[(*n)++];

			snprintf(d->name, sizeof(d->name), "%s", name);
			hydra_probe_disk_id(sysfs, name, &d->id);
		}
		free(ents[i]);
	}
	free(ents);
	free(block);
	free(sysfs);
	return *out ? 0 : -ENOMEM;
}

static void free_disks(struct disk *d, size_t n)
{
	for (size_t i = 0; d && i < n; i++)
		free(d[i].id);
	free(d);
}

/* "vda (serial X), vdb (no serial)" for a message. */
static void describe_disks(const struct disk *d, size_t n, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s (%s%s)", i ? ", " : "",
					 d[i].name, d[i].id ? "id " : "no serial",
					 d[i].id ? d[i].id : "");
	if (!n)
		snprintf(out, len, "none");
}

/* The disks matching SPEC: "/dev/NAME" or NAME, else a serial or WWN. */
static size_t match_spec(const struct disk *d, size_t n, const char *spec, size_t *at)
{
	const char *name = !strncmp(spec, "/dev/", 5) ? spec + 5 : spec;
	size_t found = 0;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(d[i].name, name) || (d[i].id && !strcmp(d[i].id, spec))) {
			*at = i;
			found++;
		}
	return found;
}

static size_t match_profile(const struct disk *d, size_t n, const struct hydra_machine *m,
			    size_t *at)
{
	size_t found = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; d[i].id && k < m->n_disks; k++)
			if (!strcmp(d[i].id, m->disks[k].id)) {
				*at = i;
				found++;
				break;
			}
	return found;
}

int hydra_install_machine_is(const char *sysroot, const struct hydra_hwdb *db, const char *node,
			     char *reason, size_t len)
{
	struct hydra_machine m = { 0 };
	const struct hydra_node *found = NULL;
	char *sys = hydra_strdupf("%s/sys", sysroot), *proc = hydra_strdupf("%s/proc", sysroot);
	int is = sys && proc && hydra_probe(sys, proc, &m) == 0 &&
		 hydra_hwdb_match(db, &m, &found, reason, len) == 0 && !strcmp(found->name, node);

	hydra_machine_clear(&m);
	free(sys);
	free(proc);
	return is;
}

int hydra_install_pick_disk(const char *sysroot, const char *spec, const struct hydra_machine *profile,
			    char *dev, size_t len)
{
	struct disk *d = NULL;
	size_t n = 0, at = 0, found;
	char seen[1024];
	const char *how;
	int r = list_disks(sysroot, &d, &n);

	if (r)
		return r;
	if (spec && spec[0]) {
		found = match_spec(d, n, spec, &at);
		how = "the disk --disk names";
	} else if (profile && profile->n_disks) {
		found = match_profile(d, n, profile, &at);
		how = "a disk the node's profile records";
	} else {
		found = n;
		at = 0;
		how = "the only disk (the node's profile records none)";
	}
	describe_disks(d, n, seen, sizeof(seen));
	if (found == 1) {
		snprintf(dev, len, "/dev/%s", d[at].name);
		hydra_info("writing %s: %s", dev, how);
	} else if (!found) {
		hydra_err("no disk here is %s%s%s; disks seen: %s", how, spec && spec[0] ? ", " : "",
			  spec && spec[0] ? spec : "", seen);
		r = -ENOENT;
	} else {
		hydra_err("more than one disk could be %s: %s; name one with hydra regenerate --disk",
			  how, seen);
		r = -EEXIST;
	}
	free_disks(d, n);
	return r;
}

int hydra_install_disk_holds_hydra(const char *sysroot, const char *dev, char *why, size_t len)
{
	const char *disk = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	char *dir = hydra_strdupf("%s/sys/class/block/%s", sysroot, disk);
	struct dirent **ents = NULL;
	int n = dir ? scandir(dir, &ents, NULL, alphasort) : -1, held = 0;

	why[0] = '\0';
	for (int i = 0; i < n; i++) {
		char type[32], label[64], path[300];

		if (!held && ents[i]->d_name[0] != '.' &&
		    hydra_sysfs_exists(dir, "/%s/partition", ents[i]->d_name)) {
			snprintf(path, sizeof(path), "/dev/%s", ents[i]->d_name);
			hydra_probe_fs(path, type, sizeof(type), label, sizeof(label));
			if (!strcmp(type, "vfat") && !strcmp(label, "HYDRA"))
				held = snprintf(why, len, "%s holds a hydra medium", path) > 0;
			else if (!strcmp(type, "crypto_LUKS") && !strcmp(label, "HYDRA-DATA"))
				held = snprintf(why, len, "%s holds a hydra data volume", path) > 0;
		}
		free(ents[i]);
	}
	free(ents);
	free(dir);
	return n < 0 ? -ENOENT : held;
}

/* One "SIZE PATH" line of replica.list, checked: the path stays in the repository. */
static int list_line(char *line, uint64_t *size, char **path)
{
	char *end;

	errno = 0;
	*size = strtoull(line, &end, 10);
	if (errno || end == line || *end != ' ')
		return -EBADMSG;
	*path = end + 1;
	return hydra_path_stays_inside(*path) && (*path)[0] ? 0 : -EBADMSG;
}

static int fetch_file(const struct hydra_install_req *q, const char *to, const char *rel,
		      uint64_t size)
{
	char *url = hydra_strdupf("%s" HYDRA_INSTALL_REPLICA_DIR "/%s", q->url, rel);
	char *path = hydra_path_join(to, rel), hex[HYDRA_SHA256_HEX];
	unsigned char sha[HYDRA_SHA256_LEN];
	const char *name;
	uint64_t got = 0;
	int fd = -1, r = url && path ? hydra_mkdir_parent(path) : -ENOMEM;

	if (!r && (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		r = hydra_err_errno("cannot write '%s'", path);
	if (!r)
		r = hydra_http_get_fd(url, fd, size, HTTP_TIMEOUT, sha, &got);
	if (fd >= 0 && close(fd) < 0 && !r)
		r = hydra_err_errno("cannot write '%s'", path);
	if (!r && got != size) {
		hydra_err("the replica's %s is %llu bytes, its list says %llu", rel,
			  (unsigned long long)got, (unsigned long long)size);
		r = -EBADMSG;
	}
	if (!r && hydra_replica_content_named(rel, &name)) {
		hydra_hex(sha, sizeof(sha), hex);
		if (strcmp(hex, name)) {
			hydra_err("the replica's %s is damaged (its SHA-256 is %.16s..., its name says "
				  "%.16s...)", rel, hex, name);
			r = -EBADMSG;
		}
	}
	free(url);
	free(path);
	return r;
}

int hydra_install_fetch_replica(const struct hydra_install_req *q, const char *dir)
{
	char *url = hydra_strdupf("%s" HYDRA_INSTALL_REPLICA_LIST, q->url), *list = NULL;
	char *to = hydra_strdupf("%s/" HYDRA_REPLICA_PENDING "/%s", dir, q->holder), *save = NULL;
	uint64_t total = 0;
	unsigned files = 0;
	int r = url && to ? hydra_http_get_mem(url, LIST_MAX, HTTP_TIMEOUT, &list, NULL) : -ENOMEM;

	if (!r)
		r = hydra_mkdir_p(to, 0700);
	for (char *l = r ? NULL : strtok_r(list, "\n", &save); l && !r; l = strtok_r(NULL, "\n", &save)) {
		uint64_t size;
		char *rel;

		if (list_line(l, &size, &rel)) {
			hydra_err("%s: malformed line '%.80s'", url, l);
			r = -EBADMSG;
		} else {
			r = fetch_file(q, to, rel, size);
			total += size;
			files++;
		}
	}
	if (!r && !files) {
		hydra_err("%s lists no file: %s keeps no replica of %s", url, q->holder, q->node);
		r = -ENOENT;
	}
	if (!r)
		hydra_info("fetched the replica of %s from %s: %u files, %llu bytes", q->node,
			   q->holder, files, (unsigned long long)total);
	free(url);
	free(to);
	free(list);
	return r;
}

/* Over sftp, as replica-NODE with the node's own key: put regenerated-TOKEN into its folder. */
static int done_sftp(const struct hydra_install_req *q, const char *datadir,
		     const struct hydra_node *neighbour)
{
	struct hydra_replica_self self = { .node = q->node, .datadir = datadir };
	struct hydra_replica_peer p;
	char empty[] = "/run/hydra/regenerated-XXXXXX", *batch = NULL;
	int fd, r = hydra_replica_peer(&self, neighbour, &p);

	if (r)
		return r;
	fd = mkstemp(empty);
	if (fd < 0)
		return hydra_err_errno("cannot make '%s'", empty);
	close(fd);
	batch = hydra_strdupf("put %s " HYDRA_INSTALL_DONE_PREFIX "%s\n", empty, q->token);
	fd = batch ? hydra_memfd("sftp-batch", batch, strlen(batch)) : -ENOMEM;
	if (fd >= 0) {
		char known[300], bfile[32];
		const char *argv[] = { "sftp", "-q", "-F", "/dev/null", "-i", p.key, "-o", known,
				       "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
				       "-o", "GlobalKnownHostsFile=/dev/null", "-o",
				       "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o",
				       "ConnectTimeout=15", "-b", bfile, p.login, NULL };
		struct hydra_spawn_opts so = { .keep_fd = fd };

		/* The neighbour's host key is the one the node pinned at its first backup. */
		snprintf(known, sizeof(known), "UserKnownHostsFile=%s", p.known);
		snprintf(bfile, sizeof(bfile), "/dev/fd/%d", fd);
		r = hydra_spawn(argv, &so);
		close(fd);
		if (r)
			hydra_err("cannot tell %s that %s is done, over sftp as %s (%s %d)",
				  neighbour->name, q->node, p.login, r < 0 ? "error" : "exit", r);
		r = r ? -EIO : 0;
	} else {
		r = fd;
	}
	unlink(empty);
	free(batch);
	return r;
}

void hydra_install_report_step(const struct hydra_install_req *q, const char *step)
{
	char *url = hydra_strdupf("%s" HYDRA_INSTALL_STEP_PREFIX "%s-%s", q->url, q->token, step),
	     *body = NULL;
	int r = url ? hydra_http_get_mem(url, 4096, HTTP_TIMEOUT, &body, NULL) : -ENOMEM;

	if (r)
		hydra_warn("cannot tell %s that the disk is %s (%s): its progress lines miss it",
			   q->holder, step, strerror(-r));
	free(url);
	free(body);
}

int hydra_install_report_done(const struct hydra_install_req *q, const char *datadir,
			      const struct hydra_node *neighbour)
{
	char *url, *body = NULL;
	int r;

	if (q->data_replica)
		return done_sftp(q, datadir, neighbour);
	url = hydra_strdupf("%s" HYDRA_INSTALL_DONE_PREFIX "%s", q->url, q->token);
	r = url ? hydra_http_get_mem(url, 4096, HTTP_TIMEOUT, &body, NULL) : -ENOMEM;
	/* The neighbour serves no such file: it reads the request in its server's log. */
	if (r == -ENOENT)
		r = 0;
	free(url);
	free(body);
	return r;
}
