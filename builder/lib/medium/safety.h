/*
 * Safety rules for writing a disk: before a single byte is
 * written, refuse the devices the running system comes from (found from the
 * kernel, with their parents and holders), mounted, swapped-on, held and
 * read-only targets, targets too small for what is to be written and
 * targets whose logical sectors are not 512 bytes.
 * The system's view is read below SYSROOT ("" for the real one) so the
 * rules can be tested on fixture trees.
 */
#ifndef HYDRA_SAFETY_H
#define HYDRA_SAFETY_H

#include <stdint.h>
#include <sys/stat.h>

struct hydra_target {
	char *path;      /* as the user gave it */
	char *name;      /* kernel name (sdb), NULL for an image file */
	int is_file;     /* a regular file: an image, not a disk */
	uint64_t size;   /* bytes */
	unsigned sector_size; /* logical sector, bytes: 512 for an image file */
	char *model;     /* may be NULL */
	char *serial;    /* may be NULL */
	char *backing;   /* a loop device's backing file, as sysfs names it; NULL otherwise */
	dev_t file_dev;  /* the file a write lands in: an image file itself, or a loop */
	ino_t file_ino;  /* device's backing file; both 0 when there is none or it is gone */
};

/* Describe PATH: a block device (whole disk) or a regular file. */
int hydra_target_inspect(const char *sysroot, const char *path, struct hydra_target **out);
/* Same, for a disk known by its kernel name (tests, fixture trees). */
int hydra_target_inspect_name(const char *sysroot, const char *name, struct hydra_target **out);
/*
 * 0 when T may be written with NEEDED bytes; otherwise logs why and returns
 * -EBUSY (running system, mounted, swap, held, or a file behind a loop device
 * that is any of these), -EROFS, -ENOSPC or -EMEDIUMTYPE (sectors not of 512
 * bytes, hydra_target_check_sectors).
 */
int hydra_target_check(const char *sysroot, const struct hydra_target *t, uint64_t needed);
/*
 * 0 when T has 512-byte logical sectors, which layout v1 (MBR, FAT32,
 * syslinux, the data partition) counts in; otherwise logs why and returns
 * -EMEDIUMTYPE.
 */
int hydra_target_check_sectors(const struct hydra_target *t);
/* Does writing T write the file ST (an image file, or a loop device over it)? */
int hydra_target_writes_file(const struct hydra_target *t, const struct stat *st);
/* One line for the plan: "/dev/sdb: 14.9 GiB, SanDisk Ultra (serial 1234)". */
void hydra_target_describe(const struct hydra_target *t, char *buf, size_t len);
void hydra_target_free(struct hydra_target *t);

#endif
