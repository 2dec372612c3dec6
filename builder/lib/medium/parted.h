/* libparted, wrapped: its errors become hydra's log lines and negative errnos. */
#ifndef HYDRA_PARTED_H
#define HYDRA_PARTED_H

#include <stdint.h>

/*
 * Write an msdos partition table on PATH (image file or disk) with one
 * primary FAT32 partition of SECTORS 512-byte sectors at START, boot flag
 * set.
 */
int hydra_parted_single_fat32(const char *path, uint64_t start, uint64_t sectors);

/*
 * Add partition 2 (type 0x83; on the GPT variant, a Linux filesystem data
 * partition) to the table of PATH in the free space
 * after partition 1, from the next MiB: BYTES long, or to the end of the
 * disk when BYTES is 0. -EEXIST when there is a partition 2 already
 * (FORCE replaces it), -ENOSPC when less than MIN_BYTES fit. Its place
 * goes to *START and *SECTORS (512-byte sectors).
 */
int hydra_parted_add_data(const char *path, uint64_t bytes, uint64_t min_bytes, int force,
			  uint64_t *start, uint64_t *sectors);

#endif
