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

#endif
