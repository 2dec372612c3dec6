/*
 * The GPT variant of layout v1 (pure): on a disk past what an msdos table
 * addresses, a GUID partition table whose partition 1 is the same FAT32 at
 * the same place, typed as an EFI System Partition and marked legacy BIOS
 * bootable for syslinux's gptmbr.bin. Built from numbers and the image id
 * alone, so the same image on the same disk size gives the same bytes.
 */
#ifndef HYDRA_GPT_H
#define HYDRA_GPT_H

#include <stddef.h>
#include <stdint.h>

#include "format/layout.h"

#define HYDRA_GPT_ENTRIES 128u
#define HYDRA_GPT_ENTRY_SIZE 128u
/* The entries fill 32 sectors; with the header, 33 at each end of the disk. */
#define HYDRA_GPT_SECTORS (1u + HYDRA_GPT_ENTRIES * HYDRA_GPT_ENTRY_SIZE / HYDRA_SECTOR)
/* What a reader needs from the start of a disk: sector 0 and the primary GPT. */
#define HYDRA_TABLE_HEAD ((1u + HYDRA_GPT_SECTORS) * HYDRA_SECTOR)
/* Partition attribute bit 2: "legacy BIOS bootable", what gptmbr.bin boots. */
#define HYDRA_GPT_LEGACY_BOOT (1ULL << 2)
#define HYDRA_MBR_TYPE_GPT 0xEE

/* The type GUIDs hydra writes, in their on-disk (mixed-endian) bytes. */
extern const unsigned char hydra_gpt_type_esp[16];        /* C12A7328-F81F-11D2-BA4B-00A0C93EC93B */
extern const unsigned char hydra_gpt_type_linux[16];      /* 0FC63DAF-8483-4772-8E79-3D69D8477DE4 */

/*
 * The medium's GPT for a disk of DISK_BYTES holding partition 1 at
 * PART_START for PART_BYTES: S0 the protective MBR without boot code
 * (bytes 0-439 zero; the disk id at 440 as on the msdos layout), PRIMARY
 * the 33 sectors from sector 1 (header, entries), BACKUP the disk's last
 * 33 (entries, header). The disk and partition GUIDs come from image id ID.
 * -EINVAL for a bad id, -ENOSPC when partition 1 does not fit the usable
 * sectors.
 */
int hydra_gpt_make(const char *id, uint64_t disk_bytes, uint64_t part_start, uint64_t part_bytes,
		   unsigned char s0[HYDRA_SECTOR],
		   unsigned char primary[HYDRA_GPT_SECTORS * HYDRA_SECTOR],
		   unsigned char backup[HYDRA_GPT_SECTORS * HYDRA_SECTOR]);

/*
 * Sector 0 and, behind a protective MBR, the primary GPT from BUF (LEN
 * bytes from the disk's start: at least 512, HYDRA_TABLE_HEAD for a GPT
 * with its entries from sector 2): fills OUT as
 * hydra_mbr_parse does, partitions 1 and 2 from GPT entries 1 and 2, and
 * "bootable" from partition 1's legacy BIOS bootable attribute. A
 * protective MBR whose GPT is missing or fails its checksums reads as
 * out->gpt set and out->gpt_valid clear.
 */
void hydra_table_parse(const unsigned char *buf, size_t len, struct hydra_mbr *out);

#endif
