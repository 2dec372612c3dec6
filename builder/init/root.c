/* The new root: system.sqfs on a loop device, a tmpfs for changes, overlayfs over both. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "format/hwdb.h"
#include "format/nodeconf.h"
#include "init.h"
#include "node/overlay.h"
#include "node/probe.h"

#define SQFS "live/system.sqfs"

static int verify_sqfs(struct boot *b)
{
	const struct hydra_manifest_file *f = hydra_manifest_find(b->manifest, SQFS);
	unsigned char sha[HYDRA_SHA256_LEN];
	uint64_t size;

	if (!f) {
		say("the MANIFEST does not list %s", SQFS);
		return -EBADMSG;
	}
	say("hydra.verify: checking %s", SQFS);
	if (hydra_sha256_file(b->sqfs, sha, &size) < 0 || size != f->size ||
	    memcmp(sha, f->sha256, sizeof(sha))) {
		say("%s does not match the MANIFEST: the medium is damaged", SQFS);
		return -EBADMSG;
	}
	b->verified = 1;
	return 0;
}

static int to_ram(struct boot *b)
{
	const char *ram = "/run/hydra/system.sqfs";

	say("hydra.toram: copying %s to memory", SQFS);
	if (hydra_copy_file(b->sqfs, ram) < 0) {
		say("cannot copy %s to memory: booting from the medium", SQFS);
		return 0;
	}
	snprintf(b->sqfs, sizeof(b->sqfs), "%s", ram);
	return 0;
}

/*
 * Attach FILE read-only to a free loop device; its name goes to DEV and an
 * open descriptor to *HOLD: with autoclear, closing the last descriptor
 * before the mount holds the device would detach it again.
 */
static int attach_loop(const char *file, char *dev, size_t len, int *hold)
{
	struct loop_config cfg = { 0 };
	int ctl, n, fd, lfd, r = 0;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -errno;
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	n = n < 0 ? -errno : n;
	close(ctl);
	if (n < 0)
		return n;
	snprintf(dev, len, "/dev/loop%d", n);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	lfd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || lfd < 0) {
		r = -errno;
		goto out;
	}
	cfg.fd = (unsigned)fd;
	cfg.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
	memcpy(cfg.info.lo_file_name, file,
	       strnlen(file, sizeof(cfg.info.lo_file_name) - 1));
	if (ioctl(lfd, LOOP_CONFIGURE, &cfg) < 0)
		r = -errno;
out:
	if (fd >= 0)
		close(fd);
	if (r && lfd >= 0)
		close(lfd);
	else
		*hold = lfd;
	return r;
}

static int mount_dir(const char *src, const char *dir, const char *type, unsigned long flags,
		     const char *opts)
{
	hydra_mkdir_p(dir, 0755);
	if (mount(src, dir, type, flags, opts) < 0) {
		int r = -errno;

		say("cannot mount %s '%s' on '%s': %s", type, src, dir, strerror(errno));
		return r;
	}
	return 0;
}

int mount_root(struct boot *b)
{
	char loop[64];
	int r, hold = -1;

	snprintf(b->sqfs, sizeof(b->sqfs), "%s/%s", HYDRA_MEDIUM_DIR, SQFS);
	if (b->cmd.verify && (r = verify_sqfs(b)))
		return r;
	if (b->cmd.toram && !b->netboot)
		to_ram(b);
	r = attach_loop(b->sqfs, loop, sizeof(loop), &hold);
	if (r) {
		say("cannot attach '%s' to a loop device: %s", b->sqfs, strerror(-r));
		return r;
	}
	r = mount_dir(loop, LOWER_DIR, "squashfs", MS_RDONLY, NULL);
	close(hold);
	if (!r)
		r = mount_dir("tmpfs", RW_DIR, "tmpfs", 0, "mode=0755");
	if (!r) {
		hydra_mkdir_p(RW_DIR "/upper", 0755);
		hydra_mkdir_p(RW_DIR "/work", 0755);
		r = mount_dir("overlay", NEWROOT, "overlay", 0,
			      "lowerdir=" LOWER_DIR ",upperdir=" RW_DIR "/upper,workdir=" RW_DIR "/work");
	}
	return r;
}

/* This machine against the medium's hardware-db: DMI product UUID first, then MACs. */
static int match_node(struct boot *b, const struct hydra_hwdb *db, const struct hydra_node **node)
{
	struct hydra_machine m = { 0 };
	char reason[96];
	int r = hydra_probe("/sys", "/proc", &m);

	if (!r)
		r = hydra_hwdb_match(db, &m, node, reason, sizeof(reason));
	if (r == 0) {
		snprintf(b->node, sizeof(b->node), "%s", (*node)->name);
		snprintf(b->hostname, sizeof(b->hostname), "%s",
			 (*node)->hostname ? (*node)->hostname : (*node)->name);
		snprintf(b->node_reason, sizeof(b->node_reason), "matched %s", reason);
	}
	hydra_machine_clear(&m);
	return r;
}

/* Pinned by the command line, else matched in the hardware-db, else generic. */
int choose_node(struct boot *b)
{
	struct hydra_hwdb *db = NULL;
	const struct hydra_node *node = NULL;
	int loaded = hydra_hwdb_load(HYDRA_MEDIUM_DIR "/" HYDRA_HWDB_PATH, &db) == 0;

	if (b->cmd.node) {
		snprintf(b->node, sizeof(b->node), "%s", b->cmd.node);
		snprintf(b->hostname, sizeof(b->hostname), "%s", b->cmd.node);
		snprintf(b->node_reason, sizeof(b->node_reason), "pinned by hydra.node=");
		node = loaded ? hydra_hwdb_find(db, b->cmd.node) : NULL;
	} else if (!loaded || match_node(b, db, &node) != 0) {
		snprintf(b->node, sizeof(b->node), "generic");
		snprintf(b->node_reason, sizeof(b->node_reason),
			 "no node pinned, none in the hardware-db matched");
		node = NULL;
	}
	/* A pinned node is configured from its profile like a matched one. */
	if (node) {
		hydra_nodeconf_network(node, &b->network_conf);
		hydra_nodeconf_timer(node, &b->timer_conf);
	}
	hydra_hwdb_free(db);
	say("node %s (%s)", b->node, b->node_reason);
	return 0;
}

/* The node's network and backup schedule where systemd looks first (format/nodeconf.h). */
static void write_conf(const char *path, const char *text, const char *what)
{
	int r = text ? hydra_mkdir_parent(path) : 0;

	if (!r && text)
		r = hydra_write_file_atomic(path, text, strlen(text), 0644);
	if (r)
		say("cannot write the node's %s to '%s': %s", what, path, strerror(-r));
	else if (text)
		say("%s from the node's profile: %s", what, path);
}

static int lay(const char *name)
{
	char *tar = hydra_strdupf("%s/" HYDRA_OVERLAYS_PATH "/%s.tar", HYDRA_MEDIUM_DIR, name);
	int r = 0;

	if (!tar)
		return -ENOMEM;
	if (access(tar, R_OK) == 0) {
		r = hydra_overlay_apply(tar, NEWROOT);
		if (!r)
			say("laid overlay %s", name);
	}
	free(tar);
	return r;
}

int lay_overlays(struct boot *b)
{
	int r = lay("common");

	if (!r && strcmp(b->node, "generic") && strcmp(b->node, "common"))
		r = lay(b->node);
	if (!r) {
		char *node = hydra_strdupf("%s\n", b->node);

		r = node ? hydra_write_file_atomic(HYDRA_NODE_FILE, node, strlen(node), 0644)
			 : -ENOMEM;
		free(node);
	}
	if (!r && b->hostname[0]) {
		char *line = hydra_strdupf("%s\n", b->hostname);

		sethostname(b->hostname, strlen(b->hostname));
		if (line)
			hydra_write_file_atomic("/run/hydra/hostname", line, strlen(line), 0644);
		free(line);
	}
	if (!r) {
		write_conf(HYDRA_NODECONF_NETWORK, b->network_conf, "static network");
		write_conf(HYDRA_NODECONF_TIMER, b->timer_conf, "backup schedule");
	}
	return r;
}
