/* libparted, wrapped: one msdos table with one FAT32 partition. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>

#include <parted/parted.h>

#include "hydra.h"
#include "parted.h"

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
