/* Whole disks and partitions while their partition table changes under udev. */
#ifndef HYDRA_BASE_BLOCKDEV_H
#define HYDRA_BASE_BLOCKDEV_H

/*
 * An exclusive BSD lock on the block device DISK, as systemd-udevd honours:
 * while it is held, udev neither probes the disk nor re-reads its partition
 * table after our writes (a re-read takes every partition away for a moment).
 * Waits up to 10 s for udev's own short lock. The descriptor to close, or <0.
 */
int hydra_blockdev_lock(const char *disk);
/* Waits up to WAIT_MS for PATH to open as a block device: 0, or -ENODEV. */
int hydra_blockdev_wait(const char *path, unsigned wait_ms);

#endif
