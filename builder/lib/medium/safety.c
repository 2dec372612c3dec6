/* Safety rules for writing a disk: who may not be written, and why. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/sysfs.h"
#include "base/util.h"
#include "format/layout.h"
#include "medium/safety.h"

/* A disk the running system uses, and the first reason found. */
struct in_use {
	char disk[NAME_MAX + 1];
	char why[PATH_MAX + 64];
	int source;      /* holds the running system itself */
};

/* A file behind a loop device that is in use: writing it writes that device. */
struct in_use_file {
	dev_t dev;
	ino_t ino;
	char why[PATH_MAX + 64];
};

struct in_use_set {
	struct in_use *v;
	size_t n;
	struct in_use_file *files;
	size_t n_files;
};

/* ATTR of block device NAME exists (dev, partition, ...). */
static int attr_exists(const char *sysroot, const char *name, const char *attr)
{
	return hydra_sysfs_exists(sysroot, "/sys/class/block/%s/%s", name, attr);
}

static int set_add(struct in_use_set *s, const char *disk, const char *why, int source)
{
	struct in_use *v;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].disk, disk)) {
			s->v[i].source |= source;
			return 0;
		}
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	v = &s->v[s->n++];
	snprintf(v->disk, sizeof(v->disk), "%s", disk);
	snprintf(v->why, sizeof(v->why), "%s", why);
	v->source = source;
	return 0;
}

static int add_device(const char *sysroot, struct in_use_set *s, const char *name,
		      const char *why, int source, int depth);

/* A loop device stands on the disk that holds its backing file. */
static int add_loop_backing(const char *sysroot, struct in_use_set *s, const char *name,
			    const char *why, int source, int depth)
{
	char *file = hydra_sysfs_read(sysroot, "/sys/class/block/%s/loop/backing_file", name);
	char lower[NAME_MAX + 1];
	struct stat st;
	int r = 0;

	if (file && sysroot[0] == '\0' && stat(file, &st) == 0 && major(st.st_dev) != 0 &&
	    hydra_sysfs_block_name(sysroot, major(st.st_dev), minor(st.st_dev), lower, sizeof(lower)) == 0)
		r = add_device(sysroot, s, lower, why, source, depth + 1);
	free(file);
	return r;
}

/* dm, md and friends stand on their slaves. */
static int add_slaves(const char *sysroot, struct in_use_set *s, const char *name,
		      const char *why, int source, int depth)
{
	char *dir = hydra_strdupf("%s/sys/class/block/%s/slaves", sysroot, name);
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	free(dir);
	if (!d)
		return 0;
	while (!r && (e = readdir(d)))
		if (e->d_name[0] != '.')
			r = add_device(sysroot, s, e->d_name, why, source, depth + 1);
	closedir(d);
	return r;
}

static int add_device(const char *sysroot, struct in_use_set *s, const char *name,
		      const char *why, int source, int depth)
{
	char disk[NAME_MAX + 1];
	int r;

	if (depth > 8)
		return 0;
	hydra_sysfs_whole_disk(sysroot, name, disk, sizeof(disk));
	r = set_add(s, disk, why, source);
	if (!r && !strncmp(name, "loop", 4))
		r = add_loop_backing(sysroot, s, name, why, source, depth);
	if (!r)
		r = add_slaves(sysroot, s, name, why, source, depth);
	return r;
}

/* Where the running system comes from: its root, and hydra's own mounts. */
static int is_source_mount(const char *mp)
{
	return !strcmp(mp, "/") || !strncmp(mp, "/run/hydra/", 11) ||
	       !strcmp(mp, "/run/hydra") || !strcmp(mp, "/run/live/medium");
}

/* REL (a /proc file) as the system below SYSROOT has it; NULL with errno set. */
static FILE *open_in_root(const char *sysroot, const char *rel)
{
	char *path = hydra_strdupf("%s%s", sysroot, rel);
	FILE *f;

	if (!path) {
		errno = ENOMEM;
		return NULL;
	}
	f = fopen(path, "re");
	free(path);
	return f;
}

static int scan_mounts(const char *sysroot, struct in_use_set *s)
{
	FILE *f = open_in_root(sysroot, "/proc/self/mountinfo");
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	if (!f)
		return -errno;
	while (!r && getline(&line, &cap, f) > 0) {
		unsigned maj, min;
		char mp[PATH_MAX], name[NAME_MAX + 1], why[PATH_MAX + 64];
		int src;

		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, mp) != 3 || maj == 0)
			continue;
		if (hydra_sysfs_block_name(sysroot, maj, min, name, sizeof(name)) != 0)
			continue;
		src = is_source_mount(mp);
		snprintf(why, sizeof(why), src ? "/dev/%s holds the running system (mounted on %s)"
				       : "/dev/%s is mounted on %s", name, mp);
		r = add_device(sysroot, s, name, why, src, 0);
	}
	free(line);
	fclose(f);
	return r;
}

static int scan_swaps(const char *sysroot, struct in_use_set *s)
{
	FILE *f = open_in_root(sysroot, "/proc/swaps");
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	if (!f)
		return 0;
	while (!r && getline(&line, &cap, f) > 0) {
		char dev[PATH_MAX], why[PATH_MAX + 32], name[NAME_MAX + 1];
		struct stat st;

		if (sscanf(line, "%4095s", dev) != 1 || dev[0] != '/')
			continue;
		snprintf(why, sizeof(why), "%s is in use as swap", dev);
		if (!strncmp(dev, "/dev/", 5) && attr_exists(sysroot, dev + 5, "dev"))
			r = add_device(sysroot, s, dev + 5, why, 0, 0);
		else if (sysroot[0] == '\0' && stat(dev, &st) == 0 &&
			 hydra_sysfs_block_name(sysroot, major(st.st_dev), minor(st.st_dev), name,
				     sizeof(name)) == 0)
			r = add_device(sysroot, s, name, why, 0, 0);
	}
	free(line);
	fclose(f);
	return r;
}

/*
 * A file's identity, stat'ed below SYSROOT as a loop device's backing_file
 * names it. Identity, not the name: a file reached by another path, a bind
 * mount or a hard link is the same file.
 */
static int file_identity(const char *sysroot, const char *file, dev_t *dev, ino_t *ino)
{
	char *path = hydra_strdupf("%s%s", sysroot, file);
	struct stat st;
	int r = path && stat(path, &st) == 0 && S_ISREG(st.st_mode);

	free(path);
	if (r) {
		*dev = st.st_dev;
		*ino = st.st_ino;
	}
	return r;
}

static int files_add(struct in_use_set *s, dev_t dev, ino_t ino, const char *why)
{
	struct in_use_file *v = realloc(s->files, (s->n_files + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	s->files = v;
	v = &s->files[s->n_files++];
	v->dev = dev;
	v->ino = ino;
	snprintf(v->why, sizeof(v->why), "%s", why);
	return 0;
}

static const struct in_use *set_find(const struct in_use_set *s, const char *disk)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].disk, disk))
			return &s->v[i];
	return NULL;
}

static int find_holder(const char *sysroot, const char *name, char *holder, size_t len);

/*
 * The backing files of loop devices in use (mounted, swap, the running
 * system, or held by device-mapper, RAID or another loop): a second loop
 * device over such a file, or the file itself, is the same data.
 */
static int scan_loop_files(const char *sysroot, struct in_use_set *s)
{
	char *dir = hydra_strdupf("%s/sys/class/block", sysroot);
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	free(dir);
	if (!d)
		return 0;
	while (!r && (e = readdir(d))) {
		const struct in_use *u;
		char *file, holder[NAME_MAX + 1], why[PATH_MAX + 64];
		dev_t dev;
		ino_t ino;

		if (strncmp(e->d_name, "loop", 4))
			continue;
		file = hydra_sysfs_read(sysroot, "/sys/class/block/%s/loop/backing_file", e->d_name);
		if (file && file_identity(sysroot, file, &dev, &ino)) {
			u = set_find(s, e->d_name);
			if (u)
				r = files_add(s, dev, ino, u->why);
			else if (find_holder(sysroot, e->d_name, holder, sizeof(holder))) {
				snprintf(why, sizeof(why), "/dev/%s is held by /dev/%s", e->d_name,
					 holder);
				r = files_add(s, dev, ino, why);
			}
		}
		free(file);
	}
	closedir(d);
	return r;
}

/* The first holder of NAME or of any of its partitions, if any. */
static int find_holder(const char *sysroot, const char *name, char *holder, size_t len)
{
	char *dir = hydra_strdupf("%s/sys/class/block/%s/holders", sysroot, name);
	struct dirent *e;
	DIR *d;
	int found = 0;

	if (!dir)
		return 0;
	d = opendir(dir);
	free(dir);
	if (d) {
		while (!found && (e = readdir(d)))
			if (e->d_name[0] != '.') {
				snprintf(holder, len, "%s", e->d_name);
				found = 1;
			}
		closedir(d);
	}
	if (found)
		return 1;
	dir = hydra_strdupf("%s/sys/class/block/%s/", sysroot, name);
	d = dir ? opendir(dir) : NULL;
	free(dir);
	if (!d)
		return 0;
	/* A disk's partitions are the entries of its folder that have a "partition" file. */
	while (!found && (e = readdir(d)))
		if (e->d_name[0] != '.' &&
		    hydra_sysfs_exists(sysroot, "/sys/class/block/%s/%s/partition", name, e->d_name))
			found = find_holder(sysroot, e->d_name, holder, len);
	closedir(d);
	return found;
}

/* Refuse T when the file it writes backs a loop device in use. */
static int check_file_in_use(const struct hydra_target *t, const struct in_use_set *s)
{
	if (!t->file_ino)
		return 0;
	for (size_t i = 0; i < s->n_files; i++)
		if (s->files[i].dev == t->file_dev && s->files[i].ino == t->file_ino) {
			if (t->is_file)
				hydra_err("refusing '%s': it backs a loop device in use: %s", t->path,
					  s->files[i].why);
			else
				hydra_err("refusing '%s': its backing file '%s' is in use: %s",
					  t->path, t->backing, s->files[i].why);
			return -EBUSY;
		}
	return 0;
}

/* Refuse the block device T when it is mounted, swap, the running system's, held or read-only. */
static int check_device_in_use(const char *sysroot, const struct hydra_target *t,
			       const struct in_use_set *s)
{
	char holder[NAME_MAX + 1], *ro = NULL;
	const struct in_use *u = set_find(s, t->name);
	int r = 0;

	if (u) {
		hydra_err("refusing '%s': %s", t->path, u->why);
		return -EBUSY;
	}
	if (find_holder(sysroot, t->name, holder, sizeof(holder))) {
		hydra_err("refusing '%s': it is held by /dev/%s (device-mapper, RAID or loop)",
			  t->path, holder);
		return -EBUSY;
	}
	ro = hydra_sysfs_read(sysroot, "/sys/class/block/%s/ro", t->name);
	if (ro && !strcmp(ro, "1")) {
		hydra_err("refusing '%s': it is read-only", t->path);
		r = -EROFS;
	}
	free(ro);
	return r;
}

/*
 * Use first, size after: a disk that is both in use and too small is refused
 * for being in use (the running system's loop device is small, and that it
 * holds the running system is what matters).
 */
int hydra_target_check(const char *sysroot, const struct hydra_target *t, uint64_t needed)
{
	struct in_use_set s = { 0 };
	char have[32], need[32];
	int r;

	r = scan_mounts(sysroot, &s);
	if (!r)
		r = scan_swaps(sysroot, &s);
	if (!r)
		r = scan_loop_files(sysroot, &s);
	if (r)
		hydra_err("cannot tell which disks are in use: %s", strerror(-r));
	if (!r)
		r = check_file_in_use(t, &s);
	if (!r && !t->is_file)
		r = check_device_in_use(sysroot, t, &s);
	if (!r && t->size < needed) {
		hydra_err("refusing '%s': it is too small: %s needed, it has %s", t->path,
			  hydra_format_size(needed, need, sizeof(need)),
			  hydra_format_size(t->size, have, sizeof(have)));
		r = -ENOSPC;
	}
	if (!r && !t->is_file)
		r = hydra_target_check_sectors(t);
	free(s.v);
	free(s.files);
	return r;
}

int hydra_target_check_sectors(const struct hydra_target *t)
{
	if (t->sector_size == HYDRA_SECTOR)
		return 0;
	hydra_err("refusing '%s': it has %u-byte logical sectors; hydra's layout is for "
		  "%u-byte sectors", t->path, t->sector_size, HYDRA_SECTOR);
	return -EMEDIUMTYPE;
}

/*
 * The logical sector size of disk NAME, from sysfs. Every disk the kernel
 * lists has queue/logical_block_size; a tree without it (a captured machine
 * of the unit tests) is taken as 512, the size nearly every disk has.
 */
static unsigned sector_size(const char *sysroot, const char *name)
{
	char *v = hydra_sysfs_read(sysroot, "/sys/class/block/%s/queue/logical_block_size", name);
	unsigned long n = v ? strtoul(v, NULL, 10) : HYDRA_SECTOR;

	free(v);
	return n > 0 && n <= 65536 ? (unsigned)n : 0;
}

int hydra_target_writes_file(const struct hydra_target *t, const struct stat *st)
{
	return t->file_ino && t->file_dev == st->st_dev && t->file_ino == st->st_ino;
}

int hydra_target_inspect_name(const char *sysroot, const char *name, struct hydra_target **out)
{
	struct hydra_target *t;

	if (!attr_exists(sysroot, name, "dev")) {
		hydra_err("cannot find the disk '%s' in sysfs", name);
		return -ENODEV;
	}
	if (attr_exists(sysroot, name, "partition")) {
		char disk[NAME_MAX + 1];

		hydra_sysfs_whole_disk(sysroot, name, disk, sizeof(disk));
		hydra_err("refusing '/dev/%s': it is a partition; give the whole disk, /dev/%s",
			  name, disk);
		return -EPERM;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->name = strdup(name);
	t->path = hydra_strdupf("/dev/%s", name);
	t->size = hydra_sysfs_block_bytes(sysroot, name);
	t->sector_size = sector_size(sysroot, name);
	t->model = hydra_sysfs_read(sysroot, "/sys/class/block/%s/device/model", name);
	t->backing = hydra_sysfs_read(sysroot, "/sys/class/block/%s/loop/backing_file", name);
	if (t->backing)
		file_identity(sysroot, t->backing, &t->file_dev, &t->file_ino);
	t->serial = hydra_sysfs_read(sysroot, "/sys/class/block/%s/serial", name);
	if (!t->serial)
		t->serial = hydra_sysfs_read(sysroot, "/sys/class/block/%s/device/serial", name);
	if (!t->name || !t->path) {
		hydra_target_free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

int hydra_target_inspect(const char *sysroot, const char *path, struct hydra_target **out)
{
	char name[NAME_MAX + 1];
	struct stat st;
	int r;

	if (stat(path, &st) < 0) {
		r = -errno;
		hydra_err("cannot open '%s': %s", path, strerror(errno));
		return r;
	}
	if (S_ISREG(st.st_mode)) {
		struct hydra_target *t = calloc(1, sizeof(*t));

		if (!t || !(t->path = strdup(path))) {
			free(t);
			return -ENOMEM;
		}
		t->is_file = 1;
		t->size = (uint64_t)st.st_size;
		t->sector_size = HYDRA_SECTOR;
		t->file_dev = st.st_dev;
		t->file_ino = st.st_ino;
		*out = t;
		return 0;
	}
	if (!S_ISBLK(st.st_mode)) {
		hydra_err("refusing '%s': not a block device or an image file", path);
		return -EPERM;
	}
	r = hydra_sysfs_block_name(sysroot, major(st.st_rdev), minor(st.st_rdev), name, sizeof(name));
	if (r) {
		hydra_err("cannot find '%s' in sysfs", path);
		return r < 0 ? r : -ENODEV;
	}
	r = hydra_target_inspect_name(sysroot, name, out);
	if (!r) {
		free((*out)->path);
		(*out)->path = strdup(path);
		if (!(*out)->path) {
			hydra_target_free(*out);
			*out = NULL;
			return -ENOMEM;
		}
	}
	return r;
}

void hydra_target_describe(const struct hydra_target *t, char *buf, size_t len)
{
	char size[32];

	hydra_format_size(t->size, size, sizeof(size));
	if (t->is_file)
		snprintf(buf, len, "%s: image file, %s", t->path, size);
	else
		snprintf(buf, len, "%s: %s, %s (serial %s)", t->path, size,
			 t->model && *t->model ? t->model : "unknown model",
			 t->serial && *t->serial ? t->serial : "unknown");
}

void hydra_target_free(struct hydra_target *t)
{
	if (!t)
		return;
	free(t->path);
	free(t->name);
	free(t->model);
	free(t->serial);
	free(t->backing);
	free(t);
}
