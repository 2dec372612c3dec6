/* Partition 2 of a medium made into a data volume: partitioned, told to the kernel, formatted. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/blkpg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/blockdev.h"
#include "base/hydra.h"
#include "base/util.h"
#include "medium/datapart.h"
#include "medium/parted.h"
#include "medium/safety.h"
#include "node/crypt.h"
#include "node/volume.h"

/* How long the kernel may take to list a partition it was just told of. */
#define PART_WAIT_MS 5000

/* Partition 2 of a disk must be neither mounted nor held (an open LUKS volume). */
static int part_in_use(const char *part)
{
	const char *name = strrchr(part, '/');
	char *holders = hydra_strdupf("/sys/class/block/%s/holders", name ? name + 1 : part);
	int busy = hydra_data_part_mounted(part), n = 0;
	DIR *d = holders ? opendir(holders) : NULL;

	for (struct dirent *de; d && (de = readdir(d));)
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	free(holders);
	if (busy || n > 0) {
		hydra_err("refusing '%s': it is %s (hydra data lock first)", part,
			  busy ? "mounted" : "open");
		return -EBUSY;
	}
	return 0;
}

/*
 * The kernel learns of partition 2 through BLKPG: libparted's re-read fails
 * while 1 is mounted. PART is named again from sysfs once the kernel lists it.
 */
static int tell_kernel(const char *disk, char *part, size_t len, uint64_t start,
		       uint64_t sectors)
{
	struct blkpg_partition p = { .start = (long long)(start * 512),
				     .length = (long long)(sectors * 512), .pno = 2 };
	struct blkpg_ioctl_arg a = { .op = BLKPG_DEL_PARTITION, .datalen = sizeof(p), .data = &p };
	int fd = open(disk, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	ioctl(fd, BLKPG, &a);   /* an old partition 2 goes first; none is fine */
	a.op = BLKPG_ADD_PARTITION;
	if (ioctl(fd, BLKPG, &a) < 0) {
		r = -errno;
		hydra_err("cannot tell the kernel about partition 2 of '%s': %s", disk,
			  strerror(errno));
	}
	close(fd);
	if (!r)
		r = hydra_data_partition(disk, PART_WAIT_MS, part, len);
	if (!r && (r = hydra_blockdev_wait(part, PART_WAIT_MS)))
		hydra_err("'%s' did not appear as a block device", part);
	if (!r)
		hydra_info("partition 2 of '%s' is '%s'", disk, part);
	return r;
}

/*
 * libcryptsetup puts a header at the start of a device: for partition 2 of
 * an image file it is made in a sparse scratch file of the partition's size
 * and copied in, up to the data offset (header and key slots).
 */
static int format_in_file(const char *image, uint64_t start, uint64_t sectors,
			  const char *pass, size_t len, const struct hydra_luks_opts *o)
{
	char scratch[] = "/var/tmp/hydra-luks.XXXXXX";
	uint64_t bytes = 0;
	char *buf = NULL;
	int fd = mkstemp(scratch), out = -1, r;

	if (fd < 0)
		return -errno;
	r = ftruncate(fd, (off_t)(sectors * 512)) < 0 ? -errno : 0;
	if (!r)
		r = hydra_luks_format(scratch, pass, len, o);
	if (!r)
		r = hydra_luks_header_size(scratch, &bytes);
	if (r >= 0 && (!bytes || !(buf = malloc(bytes))))
		r = -ENOMEM;
	if (r >= 0 && pread(fd, buf, bytes, 0) != (ssize_t)bytes)
		r = -EIO;
	if (r >= 0 && ((out = open(image, O_WRONLY | O_CLOEXEC)) < 0 ||
		       pwrite(out, buf, bytes, (off_t)(start * 512)) != (ssize_t)bytes ||
		       fsync(out) < 0)) {
		r = -EIO;
		hydra_err("cannot write the LUKS2 header into '%s': %s", image, strerror(errno));
	}
	if (out >= 0)
		close(out);
	free(buf);
	close(fd);
	unlink(scratch);
	return r < 0 ? r : 0;
}

/* What may be written: an image file, the running disk's free space, or a disk nothing uses. */
static int check_target(const char *disk, const char *part, int *is_file)
{
	struct hydra_target *t = NULL;
	char running[PATH_MAX] = "", mine[PATH_MAX];
	int r = hydra_target_inspect("", disk, &t);

	if (r)
		return r;
	*is_file = t->is_file;
	/* By the kernel's name: the disk may be given as /dev/disk/by-id/... */
	snprintf(mine, sizeof(mine), "/dev/%s", t->name ? t->name : "");
	/* Partition 1 of the running medium is in use, and stays untouched. */
	if (t->is_file || hydra_data_find_running_disk(running, sizeof(running)) ||
	    strcmp(running, mine))
		r = hydra_target_check("", t, 0);
	else
		r = hydra_target_check_sectors(t);
	if (!r && !t->is_file)
		r = part_in_use(part);
	hydra_target_free(t);
	return r;
}

int hydra_data_init_check(const char *disk)
{
	char part[PATH_MAX];
	int is_file = 0, r = hydra_data_partition(disk, 0, part, sizeof(part));

	return r ? r : check_target(disk, part, &is_file);
}

/* Partition 2 of a block device told to the kernel, formatted (with no ext4 yet) and opened. */
static int init_on_disk(const struct hydra_data_init *o, char *part, size_t part_len,
			uint64_t start, uint64_t sectors, const char *pass, size_t len)
{
	char name[64];
	int r = tell_kernel(o->disk, part, part_len, start, sectors);

	if (!r)
		r = hydra_luks_format(part, pass, len, &o->luks);
	snprintf(name, sizeof(name), "%s", o->keep_open ? o->keep_open : "hydra-data-new");
	if (!r)
		r = hydra_data_open(part, name, pass, len);
	if (!r && !o->keep_open)
		r = hydra_data_close(name);
	return r;
}

int hydra_data_init(const struct hydra_data_init *o, const char *pass, size_t len)
{
	char part[PATH_MAX];
	uint64_t start = 0, sectors = 0;
	int is_file = 0, lock, r;

	r = hydra_data_partition(o->disk, 0, part, sizeof(part));
	if (!r)
		r = check_target(o->disk, part, &is_file);
	if (r)
		return r;
	if (is_file) {
		r = hydra_parted_add_data(o->disk, o->size, HYDRA_DATA_MIN, o->force, &start,
					  &sectors);
		return r ? r : format_in_file(o->disk, start, sectors, pass, len, &o->luks);
	}
	/*
	 * Held until partition 2 is formatted and open: udev re-reading the
	 * table after our write would take the partition away for a moment.
	 */
	lock = hydra_blockdev_lock(o->disk);
	if (lock < 0)
		hydra_warn("cannot lock '%s' against udev: %s", o->disk, strerror(-lock));
	r = hydra_parted_add_data(o->disk, o->size, HYDRA_DATA_MIN, o->force, &start, &sectors);
	if (!r)
		r = init_on_disk(o, part, sizeof(part), start, sectors, pass, len);
	if (lock >= 0)
		close(lock);
	return r;
}
