/* sysfs, read below a root prefix: block devices, their disks, their attributes. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/sysfs.h"
#include "base/util.h"

static char *vpath(const char *sysroot, const char *fmt, va_list ap)
{
	char rel[PATH_MAX];

	vsnprintf(rel, sizeof(rel), fmt, ap);
	return hydra_strdupf("%s%s", sysroot, rel);
}

char *hydra_sysfs_read(const char *sysroot, const char *fmt, ...)
{
	char *path, *buf = NULL;
	size_t len = 0, skip;
	va_list ap;

	va_start(ap, fmt);
	path = vpath(sysroot, fmt, ap);
	va_end(ap);
	if (!path || hydra_read_file(path, &buf, &len) < 0) {
		free(path);
		return NULL;
	}
	free(path);
	while (len && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
	skip = strspn(buf, " \t\n");
	if (!buf[skip]) {
		free(buf);
		return NULL;
	}
	memmove(buf, buf + skip, len - skip + 1);
	return buf;
}

int hydra_sysfs_exists(const char *sysroot, const char *fmt, ...)
{
	va_list ap;
	char *path;
	int r;

	va_start(ap, fmt);
	path = vpath(sysroot, fmt, ap);
	va_end(ap);
	r = path && access(path, F_OK) == 0;
	free(path);
	return r;
}

int hydra_sysfs_block_name(const char *sysroot, unsigned maj, unsigned min, char *name, size_t len)
{
	char *dir = hydra_strdupf("%s/sys/class/block", sysroot), want[32];
	struct dirent *e;
	DIR *d;
	int r = 1;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	r = d ? 1 : -errno;
	free(dir);
	if (!d)
		return r;
	snprintf(want, sizeof(want), "%u:%u", maj, min);
	while (r == 1 && (e = readdir(d))) {
		char *dev;

		if (e->d_name[0] == '.')
			continue;
		dev = hydra_sysfs_read(sysroot, "/sys/class/block/%s/dev", e->d_name);
		if (dev && !strcmp(dev, want)) {
			snprintf(name, len, "%s", e->d_name);
			r = 0;
		}
		free(dev);
	}
	closedir(d);
	return r;
}

/* A partition's directory in sysfs sits inside its disk's: the parent is the disk. */
void hydra_sysfs_whole_disk(const char *sysroot, const char *name, char *disk, size_t len)
{
	char *link, real[PATH_MAX], *slash;

	snprintf(disk, len, "%s", name);
	if (!hydra_sysfs_exists(sysroot, "/sys/class/block/%s/partition", name))
		return;
	link = hydra_strdupf("%s/sys/class/block/%s", sysroot, name);
	if (link && realpath(link, real)) {
		slash = strrchr(real, '/');
		if (slash) {
			*slash = '\0';
			slash = strrchr(real, '/');
			if (slash)
				snprintf(disk, len, "%s", slash + 1);
		}
	}
	free(link);
}

uint64_t hydra_sysfs_block_bytes(const char *sysroot, const char *name)
{
	char *size = hydra_sysfs_read(sysroot, "/sys/class/block/%s/size", name);
	uint64_t n = size ? strtoull(size, NULL, 10) * 512 : 0;

	free(size);
	return n;
}

/* The entry of DISK's folder that is partition N; 0 found, 1 not. */
static int find_partition(const char *sysroot, const char *disk, unsigned n, char *name,
			  size_t len)
{
	char *dir = hydra_strdupf("%s/sys/class/block/%s", sysroot, disk), want[16];
	struct dirent *e;
	DIR *d = dir ? opendir(dir) : NULL;
	int r = 1;

	free(dir);
	if (!d)
		return 1;
	snprintf(want, sizeof(want), "%u", n);
	while (r == 1 && (e = readdir(d))) {
		char *part;

		if (e->d_name[0] == '.')
			continue;
		part = hydra_sysfs_read(sysroot, "/sys/class/block/%s/%s/partition", disk, e->d_name);
		if (part && !strcmp(part, want)) {
			snprintf(name, len, "%s", e->d_name);
			r = 0;
		}
		free(part);
	}
	closedir(d);
	return r;
}

int hydra_sysfs_partition_name(const char *sysroot, const char *disk, unsigned n,
			       unsigned wait_ms, char *name, size_t len)
{
	size_t l = strlen(disk);

	for (unsigned waited = 0;; waited += 50) {
		if (find_partition(sysroot, disk, n, name, len) == 0)
			return 0;
		if (waited >= wait_ms)
			break;
		usleep(50 * 1000);
	}
	/* The rule of the kernel's disk_name(): "sda" 2 is "sda2", "nvme0n1" 2 "nvme0n1p2". */
	snprintf(name, len, "%s%s%u", disk, l && isdigit((unsigned char)disk[l - 1]) ? "p" : "", n);
	return 1;
}
