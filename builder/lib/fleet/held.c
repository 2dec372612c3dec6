/*
 * Replicas, the neighbour's side: the chrooted sftp users that keep other
 * nodes' repositories on this node's data volume, and what can be said of
 * those repositories without their key.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "fleet/replica.h"

/* Replica users' uids: above Debian's ranges for system and normal users and its dynamic ones. */
#define UID_FIRST 70000
#define UID_LAST 79999

static int valid_node(const char *s)
{
	return hydra_node_name_valid(s) && strlen(s) <= HYDRA_REPLICA_NAME_MAX;
}

static char *held_path(const char *datadir, const char *node, const char *rest)
{
	return hydra_strdupf("%s/" HYDRA_REPLICA_HELD "%s%s%s", datadir, node ? "/" : "",
			     node ? node : "", rest);
}

/* Is UID the owner of a repository kept here already (its user may not exist yet)? */
static int uid_taken(const char *datadir, uid_t uid)
{
	char *dir = held_path(datadir, NULL, "");
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	int taken = getpwuid(uid) != NULL;

	while (!taken && d && (e = readdir(d))) {
		char *repo = held_path(datadir, e->d_name, "/repo");
		struct stat st;

		taken = repo && e->d_name[0] != '.' && stat(repo, &st) == 0 && st.st_uid == uid;
		free(repo);
	}
	if (d)
		closedir(d);
	free(dir);
	return taken;
}

static int free_uid(const char *datadir, uid_t *uid)
{
	for (uid_t u = UID_FIRST; u <= UID_LAST; u++)
		if (!uid_taken(datadir, u)) {
			*uid = u;
			return 0;
		}
	hydra_err("no uid left between %d and %d for another replica user", UID_FIRST, UID_LAST);
	return -ENOSPC;
}

static int run_tool(const char *const argv[])
{
	int r = hydra_run(argv, NULL);

	if (r > 0) {
		hydra_err("'%s' failed with exit status %d", argv[0], r);
		r = -EIO;
	}
	return r;
}

/* The group sshd's Match block names, then the user: no password, no shell, home = chroot. */
static int add_user(const char *user, const char *node, const char *home, uid_t uid)
{
	const char *group[] = { "groupadd", "--system", HYDRA_REPLICA_GROUP, NULL };
	char *id = hydra_strdupf("%u", (unsigned)uid);
	char *gecos = hydra_strdupf("replica of node %s", node);
	const char *add[] = { "useradd", "-M", "-N", "-d", home, "-s", "/usr/sbin/nologin",
			      "-g", HYDRA_REPLICA_GROUP, "-u", id, "-p", "*", "-c", gecos, user, NULL };
	int r = id && gecos ? 0 : -ENOMEM;

	if (!r && !getgrnam(HYDRA_REPLICA_GROUP))
		r = run_tool(group);
	if (!r)
		r = run_tool(add);
	free(id);
	free(gecos);
	return r;
}

/* sshd chroots only into a folder that root owns and nobody else may write. */
static int chroot_dir(const char *home)
{
	if (mkdir(home, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (chown(home, 0, 0) < 0 || chmod(home, 0755) < 0)
		return -errno;
	return 0;
}

/* NODE's user and folders, made as needed: the uid is its repository's owner when there is one. */
static int ensure_user(const char *datadir, const char *node)
{
	char *home = held_path(datadir, node, ""), *repo = held_path(datadir, node, "/repo");
	char user[64];
	struct passwd *pw;
	struct group *gr;
	struct stat st;
	uid_t uid = 0;
	int r = home && repo ? chroot_dir(home) : -ENOMEM, have = 0;

	snprintf(user, sizeof(user), HYDRA_REPLICA_USER "%s", node);
	if (!r)
		have = stat(repo, &st) == 0;
	pw = getpwnam(user);
	if (!r)
		r = have ? (uid = st.st_uid, 0) : pw ? (uid = pw->pw_uid, 0) : free_uid(datadir, &uid);
	if (!r && pw && pw->pw_uid != uid) {
		hydra_err("user %s has uid %u but %s belongs to uid %u", user, (unsigned)pw->pw_uid,
			  repo, (unsigned)uid);
		r = -EEXIST;
	}
	if (!r && !pw)
		r = add_user(user, node, home, uid);
	gr = r ? NULL : getgrnam(HYDRA_REPLICA_GROUP);
	if (!r && !have && (mkdir(repo, 0700) < 0 || chown(repo, uid, gr ? gr->gr_gid : 0) < 0))
		r = -errno;
	free(home);
	free(repo);
	return r;
}

/* One OpenSSH public key line, no options of its own: ssh-keygen -l must read it. */
static int read_pubkey(const char *file, char **line)
{
	const char *argv[] = { "ssh-keygen", "-l", "-f", file, NULL };
	int r = hydra_read_file(file, line, NULL);

	if (r) {
		hydra_err("cannot read the key '%s': %s", file, strerror(-r));
		return r;
	}
	(*line)[strcspn(*line, "\r\n")] = '\0';
	if ((strncmp(*line, "ssh-", 4) && strncmp(*line, "ecdsa-", 6) && strncmp(*line, "sk-", 3)) ||
	    hydra_run(argv, "/dev/null") != 0) {
		hydra_err("'%s' is not an OpenSSH public key (one line, as ssh-keygen writes "
			  "id_ed25519.pub)", file);
		free(*line);
		*line = NULL;
		return -EINVAL;
	}
	return 0;
}

int hydra_replica_accept(const char *datadir, const char *node, const char *pubkey_file)
{
	char *held = held_path(datadir, NULL, ""), *pub = held_path(datadir, node, ".pub");
	char *line = NULL, *entry = NULL;
	int r = held && pub ? 0 : -ENOMEM;

	if (!r && !valid_node(node)) {
		hydra_err("'%s' is not a node name (want [a-z0-9][a-z0-9-]*, at most %d characters)",
			  node, HYDRA_REPLICA_NAME_MAX);
		r = -EINVAL;
	}
	if (!r)
		r = read_pubkey(pubkey_file, &line);
	if (!r && (r = hydra_mkdir_p(held, 0755)) == 0 && (chown(held, 0, 0) < 0 || chmod(held, 0755) < 0))
		r = -errno;
	if (!r)
		r = ensure_user(datadir, node);
	/* restrict: no forwarding, no pty, whatever sshd's Match block says. */
	entry = r ? NULL : hydra_strdupf("restrict %s\n", line);
	if (!r)
		r = entry ? hydra_write_file_atomic(pub, entry, strlen(entry), 0644) : -ENOMEM;
	free(held);
	free(pub);
	free(line);
	free(entry);
	return r;
}

/* Every folder under replicas/ that is named like a node, by name. */
static int held_nodes(const char *datadir, struct dirent ***ents)
{
	char *dir = held_path(datadir, NULL, "");
	int n = dir ? scandir(dir, ents, NULL, alphasort) : -1;

	if (n < 0)
		n = errno == ENOENT ? 0 : -errno;
	free(dir);
	return n;
}

static int is_held(const char *datadir, const char *name)
{
	char *home = held_path(datadir, name, "");
	struct stat st;
	int yes = home && valid_node(name) && lstat(home, &st) == 0 && S_ISDIR(st.st_mode);

	free(home);
	return yes;
}

int hydra_replica_users(const char *datadir)
{
	struct dirent **ents = NULL;
	int n = held_nodes(datadir, &ents), r = n < 0 ? n : 0;

	for (int i = 0; i < n; i++) {
		if (is_held(datadir, ents[i]->d_name)) {
			int e = ensure_user(datadir, ents[i]->d_name);

			r = r ? r : e;
		}
		free(ents[i]);
	}
	free(ents);
	return r;
}

struct held_walk {
	struct hydra_replica_info *info;
	const char *node;
	int damaged;
	int check;
};

/* A file restic names by the SHA-256 of its contents (all but config, under these folders). */
int hydra_replica_content_named(const char *rel, const char **name)
{
	static const char *const dirs[] = { "data/", "index/", "snapshots/", "keys/", NULL };
	const char *base = strrchr(rel, '/');

	base = base ? base + 1 : rel;
	*name = base;
	for (size_t i = 0; dirs[i]; i++)
		if (!strncmp(rel, dirs[i], strlen(dirs[i])))
			return strlen(base) == 2 * HYDRA_SHA256_LEN &&
			       strspn(base, "0123456789abcdef") == 2 * HYDRA_SHA256_LEN;
	return 0;
}

static int on_repo_file(const char *full, const char *rel, const struct stat *st, void *ud)
{
	struct held_walk *w = ud;
	unsigned char sum[HYDRA_SHA256_LEN];
	char hex[HYDRA_SHA256_HEX];
	const char *name;
	int r;

	if (!S_ISREG(st->st_mode))
		return 0;
	w->info->bytes += (uint64_t)st->st_size;
	if (!strncmp(rel, "snapshots/", 10) && hydra_replica_content_named(rel, &name)) {
		w->info->snapshots++;
		if (st->st_mtime > w->info->newest)
			w->info->newest = st->st_mtime;
	}
	if (!w->check || !hydra_replica_content_named(rel, &name))
		return 0;
	r = hydra_sha256_file(full, sum, NULL);
	if (r)
		return r;
	hydra_hex(sum, sizeof(sum), hex);
	if (strcmp(hex, name)) {
		hydra_err("replica of %s: %s is damaged (its SHA-256 is %.16s..., its name says "
			  "%.16s...)", w->node, rel, hex, name);
		w->damaged++;
	}
	return 0;
}

/* Count (and with CHECK, hash) NODE's repository kept here. */
static int walk_repo(const char *datadir, const char *node, int check, struct hydra_replica_info *info)
{
	char *repo = held_path(datadir, node, "/repo");
	struct held_walk w = { .info = info, .node = node, .check = check };
	int r = repo ? 0 : -ENOMEM;

	memset(info, 0, sizeof(*info));
	snprintf(info->node, sizeof(info->node), "%s", node);
	snprintf(info->where, sizeof(info->where), "here");
	if (!r && access(repo, F_OK) == 0)
		r = hydra_walk(repo, on_repo_file, &w);
	if (!r && w.damaged)
		r = -EBADMSG;
	info->err = r;
	free(repo);
	return r;
}

int hydra_replica_held(const char *datadir, struct hydra_replica_info **list, size_t *count)
{
	struct dirent **ents = NULL;
	int n = held_nodes(datadir, &ents), r = n < 0 ? n : 0;

	*list = NULL;
	*count = 0;
	if (n > 0 && !(*list = calloc((size_t)n, sizeof(**list))))
		r = -ENOMEM;
	for (int i = 0; i < n; i++) {
		if (!r && is_held(datadir, ents[i]->d_name))
			walk_repo(datadir, ents[i]->d_name, 0, &(*list)[(*count)++]);
		free(ents[i]);
	}
	free(ents);
	return r;
}

int hydra_replica_held_one(const char *datadir, const char *node, struct hydra_replica_info *info)
{
	memset(info, 0, sizeof(*info));
	return is_held(datadir, node) ? walk_repo(datadir, node, 0, info) : -ENOENT;
}

int hydra_replica_held_check(const char *datadir, const char *node)
{
	struct hydra_replica_info info;
	struct dirent **ents = NULL;
	int n, r = 0;

	if (node)
		return is_held(datadir, node) ? walk_repo(datadir, node, 1, &info) : -ENOENT;
	n = held_nodes(datadir, &ents);
	r = n < 0 ? n : 0;
	for (int i = 0; i < n; i++) {
		if (is_held(datadir, ents[i]->d_name)) {
			int e = walk_repo(datadir, ents[i]->d_name, 1, &info);

			r = r ? r : e;
		}
		free(ents[i]);
	}
	free(ents);
	return r;
}

int hydra_replica_copy_out(const char *datadir, const char *node, const char *holder,
			   const char *dst)
{
	char *repo = held_path(datadir, node, "/repo");
	char *to = hydra_strdupf("%s/" HYDRA_REPLICA_PENDING "/%s", dst, holder), *config = NULL;
	int r = repo && to ? 0 : -ENOMEM;

	config = r ? NULL : hydra_path_join(repo, "config");
	if (!r && (!config || access(config, F_OK) < 0)) {
		hydra_err("no replica of %s is kept here (no %s)", node, config ? config : repo);
		r = -ENOENT;
	}
	/* A damaged copy is refused here, where it can still be told apart from the original. */
	if (!r && (r = hydra_replica_held_check(datadir, node)) != 0)
		hydra_err("the replica of %s kept here is damaged: not copied", node);
	if (!r && (r = hydra_mkdir_p(to, 0700)) == 0)
		r = hydra_copy_tree(repo, to);
	if (r && r != -ENOENT && r != -EBADMSG)
		hydra_err("cannot copy the replica of %s into '%s': %s", node, to, strerror(-r));
	free(repo);
	free(to);
	free(config);
	return r;
}
