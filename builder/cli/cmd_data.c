/* hydra data: the encrypted data partition (init, unlock, lock, status, snapshot, restore). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cli.h"
#include "confirm.h"
#include "format/cmdline.h"
#include "format/layout.h"
#include "format/manifest.h"
#include "medium/datapart.h"
#include "node/snapshot.h"
#include "node/volume.h"
#include "passphrase.h"
#include "replica.h"


struct data_args {
	const char *device, *key_file, *output, *from, *to, *mount;
	uint64_t size;
	int force, yes, fast;
	struct cli_replica_args rep;       /* backup, replicas, restore --from */
};

enum { OPT_KEY = 256, OPT_FAST, OPT_FROM, OPT_TO, OPT_MOUNT, OPT_FORCE, OPT_CHECK, OPT_NODE,
       OPT_ACCEPT, OPT_PUBKEY, OPT_USERS, OPT_SNAPSHOT, OPT_PROGRESS };

/* The replica options, kept apart for replica.c. */
static int on_replica_option(int c, const char *arg, struct cli_replica_args *r)
{
	switch (c) {
	case OPT_TO:
		if (r->n_to == CLI_REPLICA_MAX_TO)
			return cli_usage_error("data", "--to given more than %d times", CLI_REPLICA_MAX_TO);
		r->to[r->n_to++] = arg;
		break;
	case OPT_FROM: r->from = arg; break;
	case OPT_CHECK: r->check = 1; break;
	case OPT_NODE: r->node = arg; break;
	case OPT_ACCEPT: r->accept = arg; break;
	case OPT_PUBKEY: r->key = arg; break;
	case OPT_USERS: r->users = 1; break;
	case OPT_SNAPSHOT: r->snapshot = arg; break;
	case OPT_KEY: r->key_file = arg; break;
	case OPT_PROGRESS:
		if (cli_progress_parse(arg, &r->mode))
			return cli_usage_error("data", "--progress takes auto, none or json");
		break;
	}
	return 0;
}

/* Entries that more than one subcommand takes. */
#define OPT_DEVICE \
	CLI_OPT('d', "device", "DISK", "a disk or image file instead of the running medium's disk")
#define OPT_KEY_FILE \
	CLI_LONG(OPT_KEY, "key-file", "F", "the passphrase is the whole of F (mode 0600 or stricter)")
#define OPT_KEY_FILE_RECOVERY \
	CLI_LONG(OPT_KEY, "key-file", "F", "the passphrase (with --from: the recovery key) is the\n" \
		 "whole of F (mode 0600 or stricter)")
#define OPT_PROGRESS_ENTRY CLI_LONG_EQ(OPT_PROGRESS, "progress", "MODE", "auto, none or json")

static const struct cli_option init_options[] = {
	OPT_DEVICE,
	CLI_OPT('s', "size", "SIZE", "partition size (default: all the free space)"),
	OPT_KEY_FILE,
	CLI_LONG(OPT_FORCE, "force", NULL, "replace an existing partition 2 (asks unless --yes)"),
	CLI_OPT('y', "yes", NULL, "no typed confirmation for --force"),
	CLI_LONG(OPT_FAST, "pbkdf-fast", NULL, "argon2id at 4 iterations and 32 KiB, for tests only:\n"
	  "such a passphrase is cheap to guess"),
	{ 0 },
};

static const struct cli_option unlock_options[] = {
	OPT_KEY_FILE,
	OPT_DEVICE,
	CLI_LONG(OPT_MOUNT, "mount", "DIR", "with --device: mount the volume on DIR"),
	{ 0 },
};

static const struct cli_option device_options[] = {
	OPT_DEVICE,
	{ 0 },
};

static const struct cli_option snapshot_options[] = {
	CLI_OPT('o', "output", "FILE", "the snapshot to write (a tar.zst)"),
	CLI_LONG(OPT_FROM, "from", "DIR", "the tree to save (default: the mounted volume)"),
	{ 0 },
};

static const struct cli_option restore_options[] = {
	CLI_LONG(OPT_TO, "to", "DIR", "the directory to fill (default: the mounted volume)"),
	CLI_LONG(OPT_FROM, "from", "NODE", "this node's replica kept on NODE instead of a FILE"),
	CLI_LONG(OPT_SNAPSHOT, "snapshot", "ID", "with --from: that snapshot (default: the newest)"),
	OPT_KEY_FILE_RECOVERY,
	OPT_PROGRESS_ENTRY,
	{ 0 },
};

static const struct cli_option backup_options[] = {
	CLI_LONG(OPT_TO, "to", "NODE", "only this neighbour (repeatable; default: every one)"),
	OPT_PROGRESS_ENTRY,
	{ 0 },
};

static const struct cli_option replicas_options[] = {
	CLI_LONG(OPT_CHECK, "check", NULL, "check the replicas (restic check; here: by file hashes)"),
	CLI_LONG(OPT_NODE, "node", "NODE", "only NODE's replicas"),
	CLI_LONG(OPT_ACCEPT, "accept", "NODE", "keep NODE's replica here (with --key)"),
	CLI_LONG(OPT_PUBKEY, "key", "FILE", "with --accept: NODE's ssh public key"),
	CLI_LONG(OPT_USERS, "users", NULL, "make the chrooted sftp users of the accepted nodes"),
	OPT_PROGRESS_ENTRY,
	{ 0 },
};

/* In the order of cli_data's subs. */
enum { SUB_INIT, SUB_UNLOCK, SUB_LOCK, SUB_STATUS, SUB_SNAPSHOT, SUB_RESTORE, SUB_BACKUP,
       SUB_REPLICAS };

static const struct cli_spec subs[] = {
	{ .name = "data init",
	  .usage = "hydra data init [--size SIZE] [--key-file F] [--device DISK|IMAGE] [--force --yes]",
	  .summary = "add partition 2 after partition 1: LUKS2 (argon2id, aes-xts-plain64),\n"
		     "ext4 inside; asks a new passphrase twice",
	  .options = init_options },
	{ .name = "data unlock",
	  .usage = "hydra data unlock [--key-file F] [--device DISK --mount DIR]",
	  .summary = "open it (three tries), mount it on " HYDRA_DATA_DIR ",\n"
		     "bind the recipe's persisted paths from it",
	  .options = unlock_options },
	{ .name = "data lock",
	  .usage = "hydra data lock [--device DISK]",
	  .summary = "unmount it and close it",
	  .options = device_options },
	{ .name = "data status",
	  .usage = "hydra data status [--device DISK]",
	  .summary = "absent, locked, unlocked or mounted, and sizes",
	  .options = device_options },
	{ .name = "data snapshot",
	  .usage = "hydra data snapshot -o FILE [--from DIR]",
	  .summary = "its files into a tar.zst with a header (node, image, time)",
	  .options = snapshot_options },
	{ .name = "data restore",
	  .usage = "hydra data restore [--to DIR] FILE | --from NODE [--snapshot ID] [--to DIR]",
	  .summary = "a snapshot, or this node's replica on NODE, into the empty, mounted volume",
	  .options = restore_options },
	{ .name = "data backup",
	  .usage = "hydra data backup [--to NODE]...",
	  .summary = "snapshot this node's data volume into its replica on each neighbour",
	  .options = backup_options },
	{ .name = "data replicas",
	  .usage = "hydra data replicas [--check] [--node NODE] | --accept NODE --key FILE",
	  .summary = "replicas kept here and this node's replicas elsewhere: node, where,\n"
		     "snapshots, newest time, size; --accept lets NODE keep its replica here",
	  .options = replicas_options },
	{ 0 },
};

const struct cli_spec cli_data = {
	.name = "data",
	.summary = "the encrypted data partition and its replicas",
	.subs = subs,
};

static int on_option(int c, const char *arg, void *ud)
{
	struct data_args *a = ud;
	int r = on_replica_option(c, arg, &a->rep);

	if (r)
		return r;
	switch (c) {
	case 'd': a->device = arg; break;
	case 'o': a->output = arg; break;
	case 'y': a->yes = 1; break;
	case OPT_KEY: a->key_file = arg; break;
	case OPT_FAST: a->fast = 1; break;
	case OPT_FROM: a->from = arg; break;
	case OPT_TO: a->to = arg; break;
	case OPT_MOUNT: a->mount = arg; break;
	case OPT_FORCE: a->force = 1; break;
	case 's':
		if (hydra_parse_size(arg, &a->size) < 0)
			return cli_usage_error("data init", "bad size '%s': want something like 512M or 2G",
					       arg);
		break;
	}
	return 0;
}

/* The disk: --device, else the one the running medium is on. */
static int the_disk(const struct data_args *a, char *disk, size_t len)
{
	if (a->device) {
		snprintf(disk, len, "%s", a->device);
		return 0;
	}
	return hydra_data_running_disk(disk, len);
}

/* The running node's volume is hydra-data; another disk's is hydra-data-NAME. */
static void mapping_name(const struct data_args *a, char *name, size_t len)
{
	const char *base = a->device ? strrchr(a->device, '/') : NULL;

	if (a->device)
		snprintf(name, len, "%s-%s", HYDRA_DATA_NAME, base ? base + 1 : a->device);
	else
		snprintf(name, len, "%s", HYDRA_DATA_NAME);
}

static int data_init(const struct data_args *a)
{
	struct hydra_data_init o = { .size = a->size, .force = a->force };
	char disk[PATH_MAX];
	char *pass = NULL;
	size_t len = 0;
	int r = the_disk(a, disk, sizeof(disk));

	if (a->fast)
		o.luks = (struct hydra_luks_opts){ .iterations = 4, .memory_kb = 32 };
	o.disk = disk;
	if (!r)
		r = hydra_data_init_check(disk);
	if (!r && a->force && !a->yes)
		r = cli_confirm_device(disk);
	if (!r)
		r = cli_passphrase(a->key_file, "the data partition", 1, &pass, &len);
	if (!r)
		r = hydra_data_init(&o, pass, len);
	hydra_key_free(pass, len);
	if (!r)
		printf("%s: data partition made (LUKS2, argon2id, aes-xts-plain64, label %s)\n",
		       disk, HYDRA_DATA_LABEL);
	return r;
}

/* Three tries from the terminal, one with a key file; -EACCES when none opened it. */
static int open_volume(const struct data_args *a, const char *part, const char *name)
{
	int r = -EACCES;

	for (int i = 0; r == -EACCES && i < (a->key_file ? 1 : CLI_PASS_TRIES); i++) {
		char *pass = NULL;
		size_t len = 0;

		r = cli_passphrase(a->key_file, part, 0, &pass, &len);
		if (!r)
			r = hydra_data_open(part, name, pass, len);
		hydra_key_free(pass, len);
	}
	if (r == -EACCES)
		hydra_err("'%s' stays locked: no passphrase given opened it", part);
	return r;
}

static int persist_from_cmdline(char ***list)
{
	struct hydra_cmdline c;
	char *text = NULL;
	int r = hydra_read_file("/proc/cmdline", &text, NULL);

	*list = NULL;
	if (!r)
		r = hydra_cmdline_parse(text, &c);
	free(text);
	if (r)
		return r;
	r = hydra_data_persist_list(c.persist, list);
	hydra_cmdline_release(&c);
	return r;
}

static int data_unlock(const struct data_args *a)
{
	char disk[PATH_MAX], part[PATH_MAX], name[64];
	char **persist = NULL;
	int r = the_disk(a, disk, sizeof(disk));

	mapping_name(a, name, sizeof(name));
	if (!r)
		r = hydra_data_partition(disk, 0, part, sizeof(part));
	if (!r && hydra_data_probe(part, NULL) != 0) {
		hydra_err("'%s' has no data partition (hydra data init makes one)", disk);
		return -ENOENT;
	}
	if (!r && !a->device)
		r = persist_from_cmdline(&persist);
	if (!r)
		r = open_volume(a, part, name);
	if (!r && (a->mount || !a->device)) {
		r = a->mount ? hydra_data_mount_at(name, a->mount) : hydra_data_mount(name, "", persist);
		/* Not half done: what could not be mounted is locked again. */
		if (r)
			hydra_data_close(name);
	}
	if (!r)
		printf("%s: unlocked as " HYDRA_MAPPER_DIR "%s%s%s\n", part, name,
		       a->mount || !a->device ? ", mounted on " : "",
		       a->mount ? a->mount : !a->device ? HYDRA_DATA_DIR : "");
	hydra_strv_free(persist, HYDRA_STRV_ALL);
	return r;
}

static int data_lock(const struct data_args *a)
{
	char name[64];
	char *dev;
	int r;

	mapping_name(a, name, sizeof(name));
	dev = hydra_mapper_path(name);
	if (dev && access(dev, F_OK) < 0) {
		printf(HYDRA_MAPPER_DIR "%s: not unlocked\n", name);
		free(dev);
		return 0;
	}
	free(dev);
	r = hydra_data_close(name);
	if (!r)
		printf(HYDRA_MAPPER_DIR "%s: unmounted and locked\n", name);
	return r;
}

static uint64_t part_bytes(const char *part)
{
	uint64_t n = 0;

	hydra_data_part_bytes(part, &n);
	return n;
}

static int data_status(const struct data_args *a)
{
	char disk[PATH_MAX], part[PATH_MAX], name[64], size[32], used[32], total[32];
	char *dev = NULL, *dir = NULL;
	struct statvfs vfs;
	enum hydra_data_state state = HYDRA_DATA_READY;
	int r = the_disk(a, disk, sizeof(disk));

	mapping_name(a, name, sizeof(name));
	if (!r)
		r = hydra_data_partition(disk, 0, part, sizeof(part));
	if (r)
		return r;
	if (hydra_data_probe(part, &state) != 0) {
		printf("state: absent (%s has no data partition)\n", disk);
		return 0;
	}
	printf("partition: %s, %s, LUKS2 label %s%s\n", part,
	       hydra_format_size(part_bytes(part), size, sizeof(size)), HYDRA_DATA_LABEL,
	       state == HYDRA_DATA_NO_FS ? ", no filesystem yet (made at the first unlock)" :
	       state == HYDRA_DATA_INCOMPLETE ? ", incomplete (a copy into it was cut short)" :
	       "");
	dev = hydra_mapper_path(name);
	dir = hydra_data_mountpoint(name);
	if (dir && statvfs(dir, &vfs) == 0)
		printf("state: mounted on %s (%s used of %s)\n", dir,
		       hydra_format_size((uint64_t)(vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize,
					 used, sizeof(used)),
		       hydra_format_size((uint64_t)vfs.f_blocks * vfs.f_frsize, total, sizeof(total)));
	else if (dev && access(dev, F_OK) == 0)
		printf("state: unlocked as %s, not mounted\n", dev);
	else
		printf("state: locked\n");
	free(dev);
	free(dir);
	return 0;
}

/* The mounted volume of the running node, when no directory was named. */
static int default_dir(const char *given, char **dir)
{
	*dir = given ? strdup(given) : hydra_data_mountpoint(HYDRA_DATA_NAME);
	if (!*dir && !given) {
		hydra_err("the data partition is not unlocked and mounted (hydra data unlock)");
		return -ENOENT;
	}
	return *dir ? 0 : -ENOMEM;
}

static void node_and_image(struct hydra_snapshot_info *info)
{
	struct hydra_manifest *m = NULL;
	char *node = NULL;

	snprintf(info->node, sizeof(info->node), "generic");
	if (hydra_read_file(HYDRA_NODE_FILE, &node, NULL) == 0)
		snprintf(info->node, sizeof(info->node), "%.*s", (int)strcspn(node, "\n"), node);
	free(node);
	snprintf(info->image, sizeof(info->image), "unknown");
	/* Off a node (a tree on a build host) there is no medium: the image stays unknown. */
	if (access(HYDRA_MEDIUM_DIR "/" HYDRA_MANIFEST_PATH, R_OK) == 0 && hydra_manifest_load(HYDRA_MEDIUM_DIR, &m) == 0)
		snprintf(info->image, sizeof(info->image), "%s", m->id);
	hydra_manifest_free(m);
}

static int data_snapshot(const struct data_args *a)
{
	struct hydra_snapshot_info info = { .created = time(NULL) };
	char *dir = NULL;
	int r;

	if (!a->output)
		return cli_usage_error("data snapshot", "'snapshot' needs -o FILE");
	r = default_dir(a->from, &dir);
	node_and_image(&info);
	if (!r)
		r = hydra_snapshot_write(dir, a->output, &info, NULL, NULL);
	if (!r)
		printf("%s: snapshot of %s (node %s, image %s): %llu entries, %llu bytes\n",
		       a->output, dir, info.node, info.image, (unsigned long long)info.entries,
		       (unsigned long long)info.bytes);
	free(dir);
	return r;
}

static int data_restore(const struct data_args *a, const char *file)
{
	struct hydra_snapshot_info info;
	char *dir = NULL;
	char when[32] = "";
	struct tm tm;
	time_t t;
	int r = hydra_snapshot_read_info(file, &info);

	if (!r)
		r = default_dir(a->to, &dir);
	if (!r) {
		t = (time_t)info.created;
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%s: node %s, image %s, taken %s\n", file, info.node, info.image, when);
		r = hydra_snapshot_restore(file, dir);
	}
	if (!r)
		printf("%s: restored into %s: %llu entries, %llu bytes\n", file, dir,
		       (unsigned long long)info.entries, (unsigned long long)info.bytes);
	free(dir);
	return r;
}

int cmd_data(int argc, char **argv)
{
	struct data_args a = { .rep.mode = PROGRESS_AUTO };
	int first, r, n, n_ops;

	r = cli_parse_sub(argc, argv, &cli_data, on_option, &a, &n, &first);
	if (r >= 0)
		return r;
	/* restore takes a snapshot FILE, or --from NODE for a replica. */
	n_ops = n == SUB_RESTORE && !a.rep.from;
	r = cli_check_operands(subs[n].name, argc - first, n_ops, n_ops);
	if (r >= 0)
		return r;
	if (n == SUB_RESTORE && a.rep.from)
		return cli_data_restore_replica(&a.rep);
	if (n == SUB_BACKUP)
		return cli_data_backup(&a.rep);
	if (n == SUB_REPLICAS)
		return cli_data_replicas(&a.rep);
	switch (n) {
	case SUB_INIT: r = data_init(&a); break;
	case SUB_UNLOCK: r = data_unlock(&a); break;
	case SUB_LOCK: r = data_lock(&a); break;
	case SUB_STATUS: r = data_status(&a); break;
	case SUB_SNAPSHOT: r = data_snapshot(&a); break;
	default: r = data_restore(&a, argv[first]); break;
	}
	return cli_exit_code(r);
}
