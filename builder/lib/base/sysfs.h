/*
 * One reader of sysfs for the whole library, with a root prefix: SYSROOT is
 * "" for this machine, or a folder holding a captured sys/ (and proc/) tree,
 * so the same code runs on fixtures in the unit tests.
 */
#ifndef HYDRA_BASE_SYSFS_H
#define HYDRA_BASE_SYSFS_H

#include <stddef.h>
#include <stdint.h>

/* SYSROOT + the formatted path, one line, trimmed; NULL when absent or empty (malloc'd). */
char *hydra_sysfs_read(const char *sysroot, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* 1 when SYSROOT + the formatted path exists. */
int hydra_sysfs_exists(const char *sysroot, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The kernel name ("vda1") of block device MAJ:MIN; 0 found, 1 not, <0 error. */
int hydra_sysfs_block_name(const char *sysroot, unsigned maj, unsigned min, char *name, size_t len);
/* The whole disk ("vda") a block device NAME belongs to; NAME itself when it is one. */
void hydra_sysfs_whole_disk(const char *sysroot, const char *name, char *disk, size_t len);
/* The size of block device NAME in bytes, 0 when unknown. */
uint64_t hydra_sysfs_block_bytes(const char *sysroot, const char *name);
/*
 * The kernel name of partition N of the disk DISK ("nvme0n1", 2: "nvme0n1p2"):
 * the entry of /sys/class/block/DISK/ whose "partition" file holds N. One the
 * kernel is just adding is waited for up to WAIT_MS; one it does not list by
 * then is named by the kernel's rule (a disk name ending in a digit takes a
 * 'p': "sda2", "mmcblk0p2"). 0 found in sysfs, 1 named by the rule.
 */
int hydra_sysfs_partition_name(const char *sysroot, const char *disk, unsigned n,
			       unsigned wait_ms, char *name, size_t len);

#endif
