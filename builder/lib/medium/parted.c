/* libparted, wrapped: one msdos table with one FAT32 partition; partition 2 on msdos or GPT. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <parted/parted.h>

#include "base/hydra.h"
#include "format/gpt.h"
#include "medium/parted.h"

/* libparted would print and ask; hydra logs and cancels instead. */
static PedExceptionOption on_exception(PedException *ex)
{
	if (ex->type == PED_EXCEPTION_INFORMATION || ex->type == PED_EXCEPTION_WARNING) {
		hydra_debug("libparted: %s", ex->message);
		return ex->options & PED_EXCEPTION_IGNORE ? PED_EXCEPTION_IGNORE :
		       PED_EXCEPTION_UNHANDLED;
	}
	hydra_err("libparted: %s", ex->message);
	return ex->options & PED_EXCEPTION_CANCEL ? PED_EXCEPTION_CANCEL : PED_EXCEPTION_UNHANDLED;
}

int hydra_parted_single_fat32(const char *path, uint64_t start, uint64_t sectors)
{
	PedDevice *dev = NULL;
	PedDisk *disk = NULL;
	PedPartition *part;
	PedConstraint *c = NULL;
	const PedFileSystemType *fat32;
	int r = -EIO, opened = 0;

	ped_exception_set_handler(on_exception);
	dev = ped_device_get(path);
	if (dev)
		opened = ped_device_open(dev);
	if (!opened) {
		hydra_err("cannot open '%s' with libparted", path);
		goto out;
	}
	if (dev->sector_size != 512) {
		hydra_err("'%s' has %lld-byte sectors; layout v1 needs 512", path,
			  dev->sector_size);
		r = -EINVAL;
		goto out;
	}
	fat32 = ped_file_system_type_get("fat32");
	disk = ped_disk_new_fresh(dev, ped_disk_type_get("msdos"));
	part = disk ? ped_partition_new(disk, PED_PARTITION_NORMAL, fat32, (PedSector)start,
					(PedSector)(start + sectors - 1)) : NULL;
	c = part ? ped_constraint_exact(&part->geom) : NULL;
	if (!c || !ped_disk_add_partition(disk, part, c) ||
	    !ped_partition_set_flag(part, PED_PARTITION_BOOT, 1) ||
	    /* type 0x0c, FAT32 addressed by LBA: what firmware expects past 8 GiB */
	    !ped_partition_set_flag(part, PED_PARTITION_LBA, 1) ||
	    !ped_partition_set_system(part, fat32)) {
		hydra_err("cannot lay out the partition table of '%s'", path);
		goto out;
	}
	if (!ped_disk_commit_to_dev(disk)) {
		hydra_err("cannot write the partition table of '%s'", path);
		goto out;
	}
	r = 0;
out:
	if (c)
		ped_constraint_destroy(c);
	if (disk)
		ped_disk_destroy(disk);
	if (opened)
		ped_device_close(dev);
	if (dev)
		ped_device_destroy(dev);
	return r;
}

static PedDisk *open_table(const char *path, PedDevice **dev)
{
	PedDisk *disk = NULL;

	ped_exception_set_handler(on_exception);
	*dev = ped_device_get(path);
	if (*dev && ped_device_open(*dev)) {
		disk = ped_disk_new(*dev);
		if (!disk)
			ped_device_close(*dev);
	}
	/* Nothing is left for the caller to release when there is no table. */
	if (!disk) {
		if (*dev)
			ped_device_destroy(*dev);
		*dev = NULL;
		hydra_err("cannot read the partition table of '%s'", path);
	}
	return disk;
}

static void close_table(PedDisk *disk, PedDevice *dev)
{
	if (disk)
		ped_disk_destroy(disk);
	if (dev) {
		ped_device_close(dev);
		ped_device_destroy(dev);
	}
}

/* The room after partition 1 for partition 2: from the next MiB to END (a sector). */
static int data_room(PedDisk *disk, const char *path, uint64_t bytes, uint64_t min_bytes,
		     PedSector *first, PedSector *last)
{
	PedPartition *p1 = ped_disk_get_partition(disk, 1);
	/* A GPT keeps its backup (entries, then header) in the disk's last 33 sectors. */
	PedSector end = disk->dev->length - 1 -
			(strcmp(disk->type->name, "gpt") ? 0 : HYDRA_GPT_SECTORS);

	if (!p1) {
		hydra_err("'%s' has no partition 1: it is not a hydra medium", path);
		return -EINVAL;
	}
	*first = (p1->geom.end + 2048) / 2048 * 2048;
	*last = bytes ? *first + (PedSector)(bytes / 512) - 1 : end;
	if (*last > end || *first > end || (uint64_t)(*last - *first + 1) * 512 < min_bytes) {
		hydra_err("'%s' has no room for a data partition after partition 1 "
			  "(%llu MiB free, %llu MiB needed)", path,
			  (unsigned long long)(*first > end ? 0 : (end - *first + 1) / 2048),
			  (unsigned long long)((bytes ? bytes : min_bytes) >> 20));
		return -ENOSPC;
	}
	return 0;
}

int hydra_parted_add_data(const char *path, uint64_t bytes, uint64_t min_bytes, int force,
			  uint64_t *start, uint64_t *sectors)
{
	PedDevice *dev = NULL;
	PedDisk *disk = open_table(path, &dev);
	PedPartition *part, *old;
	PedConstraint *c = NULL;
	PedSector first, last;
	int r = disk ? 0 : -EIO;

	old = disk ? ped_disk_get_partition(disk, 2) : NULL;
	if (old && !force) {
		hydra_err("'%s' has a partition 2 already: give --force to replace it "
			  "(its data is lost)", path);
		r = -EEXIST;
	} else if (old && !ped_disk_delete_partition(disk, old)) {
		r = -EIO;
	}
	if (!r)
		r = data_room(disk, path, bytes, min_bytes, &first, &last);
	if (r)
		goto out;
	part = ped_partition_new(disk, PED_PARTITION_NORMAL, ped_file_system_type_get("ext2"),
				 first, last);
	c = part ? ped_constraint_exact(&part->geom) : NULL;
	if (!c || !ped_disk_add_partition(disk, part, c) || part->num != 2 ||
	    /* the kernel is told by the caller (BLKPG): partition 1 may be in use */
	    !ped_disk_commit_to_dev(disk)) {
		hydra_err("cannot add partition 2 to '%s'", path);
		r = -EIO;
		goto out;
	}
	*start = (uint64_t)first;
	*sectors = (uint64_t)(last - first + 1);
out:
	if (c)
		ped_constraint_destroy(c);
	close_table(disk, dev);
	return r;
}
