/* The data volume on a node: found, opened, mounted, closed (datapart.c makes it). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <libcryptsetup.h>

#include "base/hydra.h"
#include "base/sysfs.h"
#include "base/util.h"
#include "format/gpt.h"
#include "format/layout.h"
#include "node/crypt.h"
#include "node/volume.h"


/* Each line of /proc/self/mounts as (source, mount point); FN returns non-zero to stop. */
static int each_mount(int (*fn)(const char *src, const char *dir, void *ud), void *ud)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char src[PATH_MAX], dir[PATH_MAX];
	int r = 0;

	if (!f)
		return -errno;
	while (!r && fscanf(f, "%4095s %4095s %*[^\n]", src, dir) == 2)
		r = fn(src, dir, ud);
	fclose(f);
	return r;
}

struct find {
	const char *want_src, *want_dir;
	char found[PATH_MAX];
};

static int match_mount(const char *src, const char *dir, void *ud)
{
	struct find *f = ud;

	if (f->want_dir && !strcmp(dir, f->want_dir)) {
		snprintf(f->found, sizeof(f->found), "%s", src);
		return 1;
	}
	if (f->want_src && !strcmp(src, f->want_src)) {
		snprintf(f->found, sizeof(f->found), "%s", dir);
		return 1;
	}
	return 0;
}

int hydra_data_part_mounted(const char *part)
{
	struct find f = { .want_src = part };

	return each_mount(match_mount, &f) == 1;
}

/* The whole disk ("/dev/vda") that block device NAME ("vda1") belongs to, from sysfs. */
static int parent_disk(const char *name, char *disk, size_t len)
{
	char whole[NAME_MAX + 1];

	if (!hydra_sysfs_exists("", "/sys/class/block/%s/dev", name))
		return -ENODEV;
	hydra_sysfs_whole_disk("", name, whole, sizeof(whole));
	snprintf(disk, len, "/dev/%s", whole);
	return 0;
}

int hydra_data_find_running_disk(char *disk, size_t len)
{
	struct find f = { .want_dir = HYDRA_MEDIUM_DIR };

	if (each_mount(match_mount, &f) != 1 || strncmp(f.found, "/dev/", 5))
		return -ENOENT;
	return parent_disk(f.found + 5, disk, len);
}

int hydra_data_running_disk(char *disk, size_t len)
{
	int r = hydra_data_find_running_disk(disk, len);

	if (r == -ENOENT)
		hydra_err("cannot find the medium this node runs from: nothing is mounted on %s "
			  "(give --device)", HYDRA_MEDIUM_DIR);
	else if (r)
		hydra_err("cannot find the disk that holds the medium on %s", HYDRA_MEDIUM_DIR);
	return r ? -ENODEV : 0;
}

int hydra_data_disk_of(const char *part, char *disk, size_t len)
{
	const char *name = strrchr(part, '/');

	return parent_disk(name ? name + 1 : part, disk, len);
}

int hydra_data_partition(const char *disk, unsigned wait_ms, char *part, size_t len)
{
	char name[NAME_MAX + 1], pname[NAME_MAX + 1];
	struct stat st;
	int r;

	if (stat(disk, &st) < 0)
		return hydra_err_errno("cannot open '%s'", disk);
	if (S_ISREG(st.st_mode)) {
		snprintf(part, len, "%s", disk);
		return 0;
	}
	if (!S_ISBLK(st.st_mode)) {
		hydra_err("'%s' is not a disk or an image file", disk);
		return -ENODEV;
	}
	/* By the kernel's names, not the path given: /dev/disk/by-id/... names no partition. */
	r = hydra_sysfs_block_name("", major(st.st_rdev), minor(st.st_rdev), name, sizeof(name));
	if (r) {
		hydra_err("cannot find '%s' in sysfs", disk);
		return r < 0 ? r : -ENODEV;
	}
	hydra_sysfs_partition_name("", name, 2, wait_ms, pname, sizeof(pname));
	snprintf(part, len, "/dev/%s", pname);
	return 0;
}

static int load(const char *part, struct crypt_device **cd)
{
	int r = crypt_init(cd, part);

	if (r >= 0)
		r = crypt_load(*cd, CRYPT_LUKS2, NULL);
	if (r < 0) {
		crypt_free(*cd);
		*cd = NULL;
	}
	return r;
}

/* Partition 2 of an image file, from its table: 0 found, 1 none, <0 error. */
static int image_part2(int fd, uint64_t *start, uint64_t *size)
{
	unsigned char head[HYDRA_TABLE_HEAD] = { 0 };
	struct hydra_mbr mbr;
	ssize_t n = pread(fd, head, sizeof(head), 0);

	if (n < 0)
		return -errno;
	if (n < 512)
		return -EIO;
	/* msdos or, on a disk past its reach, GPT: format/gpt.h reads both. */
	hydra_table_parse(head, (size_t)n, &mbr);
	if (!mbr.signature || !mbr.size2 || (mbr.gpt && !mbr.gpt_valid))
		return 1;
	*start = mbr.start2;
	*size = mbr.size2;
	return 0;
}

/*
 * On an image file the volume sits inside partition 2, where libcryptsetup
 * cannot look without a loop device: its LUKS2 binary header (magic,
 * version 2, label at byte 24, subsystem at 208) is read there instead.
 */
/* The state a LUKS2 subsystem (NULL or empty: none) stands for. */
static enum hydra_data_state state_of(const char *sub)
{
	if (sub && !strcmp(sub, HYDRA_DATA_PENDING))
		return HYDRA_DATA_NO_FS;
	if (sub && !strcmp(sub, HYDRA_DATA_FILLING))
		return HYDRA_DATA_INCOMPLETE;
	return HYDRA_DATA_READY;
}

static int probe_image(const char *image, enum hydra_data_state *state)
{
	unsigned char hdr[512];
	uint64_t start = 0, size = 0;
	int fd = open(image, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = image_part2(fd, &start, &size);
	if (!r)
		r = hydra_pread_full(fd, hdr, sizeof(hdr), start);
	close(fd);
	if (r)
		return r == -EIO ? 1 : r;
	if (memcmp(hdr, "LUKS\xba\xbe\0\2", 8) || strncmp((char *)hdr + 24, HYDRA_DATA_LABEL, 48))
		return 1;
	if (state) {
		char sub[49];

		memcpy(sub, hdr + 208, 48);
		sub[48] = '\0';
		*state = state_of(sub);
	}
	return 0;
}

int hydra_data_part_bytes(const char *part, uint64_t *bytes)
{
	const char *base = strrchr(part, '/');
	uint64_t start = 0;
	struct stat st;
	int fd, r;

	*bytes = 0;
	if (stat(part, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		*bytes = hydra_sysfs_block_bytes("", base ? base + 1 : part);
		return 0;
	}
	fd = open(part, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = image_part2(fd, &start, bytes);
	close(fd);
	return r < 0 ? r : 0;
}

int hydra_data_probe(const char *part, enum hydra_data_state *state)
{
	struct crypt_device *cd = NULL;
	const char *label, *sub;
	struct stat st;
	int r;

	if (stat(part, &st) < 0)
		return errno == ENOENT ? 1 : -errno;
	/* An image file holding a medium, else a file holding a volume (a copy of one). */
	if (S_ISREG(st.st_mode) && probe_image(part, state) == 0)
		return 0;
	r = load(part, &cd);
	if (r < 0)
		return r == -EINVAL ? 1 : r;
	label = crypt_get_label(cd);
	sub = crypt_get_subsystem(cd);
	r = label && !strcmp(label, HYDRA_DATA_LABEL) ? 0 : 1;
	if (state)
		*state = state_of(sub);
	crypt_free(cd);
	return r;
}

/* The subsystem SUB (NULL: none) written into the header, the label kept. */
static int set_subsystem(struct crypt_device *cd, const char *sub)
{
	int r = crypt_set_label(cd, HYDRA_DATA_LABEL, sub);

	if (r < 0)
		hydra_err("cannot write the LUKS2 header's subsystem: %s", strerror(-r));
	return r;
}

int hydra_data_mark_filling(const char *part, int filling)
{
	struct crypt_device *cd = NULL;
	int r = load(part, &cd);

	if (r >= 0)
		r = set_subsystem(cd, filling ? HYDRA_DATA_FILLING : NULL);
	crypt_free(cd);
	return r < 0 ? r : 0;
}

int hydra_data_mkfs(const char *dev)
{
	const char *argv[] = { "mkfs.ext4", "-q", "-F", "-L", "hydra-data", dev, NULL };
	int r = hydra_tool_require("mkfs.ext4");

	if (!r && (r = hydra_run(argv, NULL)) != 0) {
		hydra_err("mkfs.ext4 on '%s' failed", dev);
		r = r < 0 ? r : -EIO;
	}
	return r;
}

int hydra_data_open(const char *part, const char *name, const char *pass, size_t len)
{
	struct crypt_device *cd = NULL;
	const char *sub;
	char *dev = NULL;
	int r;

	/* An empty line is a mistake, never a key: it counts as a wrong passphrase. */
	if (!len) {
		hydra_err("an empty passphrase is refused");
		return -EACCES;
	}
	r = load(part, &cd);
	if (r < 0) {
		hydra_err("'%s' is not a LUKS2 volume: %s", part, strerror(-r));
		return r;
	}
	r = crypt_activate_by_passphrase(cd, name, CRYPT_ANY_SLOT, pass, len, 0);
	if (r == -EPERM) {
		r = -EACCES;
		hydra_err("no key slot of '%s' opens with that passphrase", part);
	} else if (r < 0) {
		hydra_err("cannot open '%s' as " HYDRA_MAPPER_DIR "%s: %s", part, name, strerror(-r));
	}
	sub = r >= 0 ? crypt_get_subsystem(cd) : NULL;
	if (sub && !strcmp(sub, HYDRA_DATA_PENDING)) {
		dev = hydra_mapper_path(name);
		r = dev ? hydra_data_mkfs(dev) : -ENOMEM;
		if (!r)
			r = set_subsystem(cd, NULL);
		if (r < 0)
			crypt_deactivate(cd, name);
	}
	free(dev);
	crypt_free(cd);
	return r < 0 ? r : 0;
}

struct mounts {
	const char *src;
	char **dirs;
	size_t n;
};

static int collect(const char *src, const char *dir, void *ud)
{
	struct mounts *m = ud;
	char **v;

	if (strcmp(src, m->src))
		return 0;
	v = realloc(m->dirs, (m->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	m->dirs = v;
	return (v[m->n] = strdup(dir)) && ++m->n ? 0 : -ENOMEM;
}

int hydra_data_close(const char *name)
{
	char *src = hydra_mapper_path(name);
	struct mounts m = { .src = src };
	struct crypt_device *cd = NULL;
	int r = src ? each_mount(collect, &m) : -ENOMEM;

	for (size_t i = m.n; !r && i > 0; i--)
		if (umount(m.dirs[i - 1]) < 0) {
			r = -errno;
			hydra_err("cannot unmount '%s': %s", m.dirs[i - 1], strerror(errno));
		}
	if (!r && (r = crypt_init_by_name(&cd, name)) >= 0)
		r = crypt_deactivate(cd, name);
	if (r < 0 && !m.n && r != -EBUSY)
		hydra_err("cannot close " HYDRA_MAPPER_DIR "%s: %s", name, strerror(-r));
	for (size_t i = 0; i < m.n; i++)
		free(m.dirs[i]);
	free(m.dirs);
	crypt_free(cd);
	free(src);
	return r < 0 ? r : 0;
}

char *hydra_data_mountpoint(const char *name)
{
	char *src = hydra_mapper_path(name);
	struct find f = { .want_src = src };
	int r = src ? each_mount(match_mount, &f) : 0;

	free(src);
	return r == 1 ? strdup(f.found) : NULL;
}

int hydra_data_mount_at(const char *name, const char *dir)
{
	char *dev = hydra_mapper_path(name);
	int r = dev ? hydra_mkdir_p(dir, 0755) : -ENOMEM;

	if (!r && mount(dev, dir, "ext4", MS_NOSUID | MS_NODEV, NULL) < 0) {
		r = -errno;
		hydra_err("cannot mount '%s' on '%s': %s", dev, dir, strerror(errno));
	}
	free(dev);
	return r;
}

/* DATA/PATH bound onto ROOT/PATH; a new DATA/PATH takes the mode and owner of the old one. */
static int bind_persist(const char *data, const char *root, const char *path)
{
	char *src = hydra_path_join(data, path + 1), *dst = hydra_strdupf("%s%s", root, path);
	struct stat st;
	int r = src && dst ? 0 : -ENOMEM;

	if (!r && stat(dst, &st) < 0 && (r = hydra_mkdir_p(dst, 0755)) == 0)
		r = stat(dst, &st) < 0 ? -errno : 0;
	if (!r && access(src, F_OK) < 0) {
		r = hydra_mkdir_p(src, st.st_mode & 07777);
		if (!r && (chown(src, st.st_uid, st.st_gid) < 0 || chmod(src, st.st_mode & 07777) < 0))
			r = -errno;
	}
	if (!r && mount(src, dst, NULL, MS_BIND, NULL) < 0)
		r = -errno;
	if (r)
		hydra_err("cannot keep '%s' on the data partition: %s", path, strerror(-r));
	free(src);
	free(dst);
	return r;
}

int hydra_data_mount(const char *name, const char *root, char *const *persist)
{
	char *data = hydra_strdupf("%s%s", root, HYDRA_DATA_DIR);
	int r = data ? hydra_data_mount_at(name, data) : -ENOMEM;

	for (size_t i = 0; !r && persist && persist[i]; i++)
		r = bind_persist(data, root, persist[i]);
	free(data);
	return r;
}

/* An absolute path without "..", ".", empty parts or odd characters; not "/" itself. */
static int persist_ok(const char *p)
{
	if (p[0] != '/' || !p[1] || strstr(p, "//") || p[strlen(p) - 1] == '/')
		return 0;
	for (const char *c = p; *c; c++)
		if (*c <= ' ' || *c == ',')
			return 0;
	for (const char *c = p + 1;; ) {
		size_t n = strcspn(c, "/");

		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		if (!c[n])
			return 1;
		c += n + 1;
	}
}

int hydra_data_persist_list(const char *text, char ***list)
{
	char *copy = strdup(text ? text : ""), *save = NULL;
	char **v = calloc(1, sizeof(*v));
	size_t n = 0;
	int r = copy && v ? 0 : -ENOMEM;

	for (char *w = r ? NULL : strtok_r(copy, ",", &save); !r && w;
	     w = strtok_r(NULL, ",", &save)) {
		char **nv = realloc(v, (n + 2) * sizeof(*nv));

		if (!nv) {
			r = -ENOMEM;
			break;
		}
		v = nv;
		v[n] = NULL;
		if (!persist_ok(w)) {
			hydra_err("cannot persist '%s': not a plain absolute path", w);
			r = -EINVAL;
		} else if (!(v[n] = strdup(w))) {
			r = -ENOMEM;
		} else {
			v[++n] = NULL;
		}
	}
	free(copy);
	if (r) {
		hydra_strv_free(v, HYDRA_STRV_ALL);
		v = NULL;
	}
	*list = v;
	return r;
}
