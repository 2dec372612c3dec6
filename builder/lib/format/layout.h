/*
 * Layout v1 planned from numbers alone (pure): where partition 1 goes, how
 * big it is, how the FAT32 is made and the identifiers derived from the
 * image id, so the same payload always gives the same bytes.
 */
#ifndef HYDRA_LAYOUT_H
#define HYDRA_LAYOUT_H

#include <stdint.h>

#define HYDRA_MIB (1024ULL * 1024)
#define HYDRA_PART_START HYDRA_MIB        /* partition 1, aligned for any flash */
/* The sector layout v1 counts in: the MBR, the FAT32, syslinux's addresses. */
#define HYDRA_SECTOR 512u
/* An msdos table addresses 2^32 sectors of 512 bytes; a larger disk gets the GPT variant. */
#define HYDRA_MBR_LIMIT (((uint64_t)1 << 32) * 512)

/* Where hydra-init mounts the medium a node runs from (read-only); every tool looks there. */
#define HYDRA_MEDIUM_DIR "/run/hydra/medium"
/* The node this machine booted as, one line, written by hydra-init. */
#define HYDRA_NODE_FILE "/run/hydra/node"
/* The hardware layer and the configuration overlays on a medium. */
#define HYDRA_HWDB_PATH "hydra/hardware-db"
#define HYDRA_OVERLAYS_PATH "hydra/overlays"
/* The kernel and the initramfs a boot loader (syslinux, iPXE) loads. */
#define HYDRA_KERNEL_PATH "boot/vmlinuz"
#define HYDRA_INITRD_PATH "boot/initrd.img"

struct hydra_mbr {
	int signature;         /* 0x55AA present: the medium was committed */
	int bootable;          /* partition 1 has the boot flag */
	uint8_t type;          /* partition 1 type */
	uint64_t start;        /* partition 1 start, bytes */
	uint64_t size;         /* partition 1 size, bytes */
	uint64_t start2;       /* partition 2 (the data volume) start and size, bytes; */
	uint64_t size2;        /* both 0 when there is none */
	uint32_t disk_id;      /* bytes 440-443 */
	/* The GPT variant (format/gpt.h): sector 0 is a protective MBR. */
	int gpt;               /* partition 1 of sector 0 has type 0xEE */
	int gpt_valid;         /* the primary GPT is there and its checksums hold */
	uint64_t gpt_backup;   /* where the primary header puts the backup header, bytes */
	uint64_t gpt_last;     /* the end of the last usable sector, bytes */
};

/* Pure: read sector 0. */
void hydra_mbr_parse(const unsigned char sector[512], struct hydra_mbr *out);

struct hydra_layout {
	uint64_t min_size;          /* smallest medium the payload fits on */
	uint64_t size;              /* the medium: planned, or what the caller asked */
	uint64_t part_start;        /* bytes */
	uint64_t part_bytes;        /* partition 1, a whole number of KiB */
	unsigned cluster_sectors;   /* mkfs.fat -s */
	uint32_t disk_id;           /* MBR bytes 440-443, little-endian */
	char volid[9];              /* mkfs.fat -i, 8 hex digits */
	uint64_t disk_bytes;        /* the whole target: SIZE, or a disk's size (hydra_layout_disk) */
	int gpt;                    /* the disk is past HYDRA_MBR_LIMIT: the GPT variant */
};

/*
 * Plan for PAYLOAD bytes of files and image id ID (16 hex digits). SIZE 0
 * means the planned size; a SIZE below the minimum is -ENOSPC with
 * l->min_size set so the caller can say what is needed. -EINVAL for a bad
 * id or a SIZE past what an MBR can address.
 */
int hydra_layout_plan(uint64_t payload, uint64_t size, const char *id, struct hydra_layout *l);
/*
 * The planned medium goes onto a disk of DISK_BYTES: past HYDRA_MBR_LIMIT
 * it gets the GPT variant, partition 1 unchanged. -ENOSPC when the disk is
 * smaller than the planned size.
 */
int hydra_layout_disk(struct hydra_layout *l, uint64_t disk_bytes);

#endif
