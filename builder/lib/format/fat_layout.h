/*
 * The FAT32 on-disk layout, shared by the reader (fat.c) and the writer
 * (fatmk.c) so that the two cannot read and write it differently: the boot
 * sector with its BIOS parameter block, FSInfo, the directory entry, the
 * long-name entry, and the values with a meaning on the disk. Private to the
 * format layer.
 *
 * Every structure is packed and little-endian on the disk: fields are read
 * with le16toh/le32toh and written with htole16/htole32. Offsets are in
 * bytes, in decimal as in Microsoft's FAT specification; the assertions at
 * the end hold every one of them and every size.
 */
#ifndef HYDRA_FAT_LAYOUT_H
#define HYDRA_FAT_LAYOUT_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>

/* An 8.3 name on the disk: base and extension, each padded with spaces, no dot. */
#define FAT_SHORT_LEN 11u
#define FAT_SHORT_BASE 8u
#define FAT_SHORT_EXT 3u

/* Sector 0 of the file system (and its backup); FAT32 only. */
struct fat_boot_sector {
/*  0*/ uint8_t jump[3];                 /* a short jump over the BPB, and a NOP */
/*  3*/ char oem_name[8];
/* 11*/ uint16_t bytes_per_sector;
/* 13*/ uint8_t sectors_per_cluster;      /* a power of two */
/* 14*/ uint16_t reserved_sectors;        /* before the first FAT */
/* 16*/ uint8_t fats;
/* 17*/ uint16_t root_entries;            /* 0 on FAT32: the root is a cluster chain */
/* 19*/ uint16_t sectors16;               /* 0: sectors32 holds the count */
/* 21*/ uint8_t media;
/* 22*/ uint16_t fat16_length;            /* 0 on FAT32: fat32_length holds it */
/* 24*/ uint16_t sectors_per_track;       /* geometry only old BIOSes read */
/* 26*/ uint16_t heads;
/* 28*/ uint32_t hidden_sectors;          /* the partition's first sector on the disk */
/* 32*/ uint32_t sectors32;
	/* The FAT32 extension of the BPB. */
/* 36*/ uint32_t fat32_length;            /* sectors of one FAT */
/* 40*/ uint16_t ext_flags;
/* 42*/ uint16_t version;
/* 44*/ uint32_t root_cluster;
/* 48*/ uint16_t fsinfo_sector;
/* 50*/ uint16_t backup_boot;             /* sector of the boot sector's copy */
/* 52*/ uint8_t reserved[12];
/* 64*/ uint8_t drive_number;
/* 65*/ uint8_t reserved1;
/* 66*/ uint8_t boot_signature;           /* FAT_EXT_BOOT_SIG: the next three are there */
/* 67*/ uint32_t volume_id;
/* 71*/ char label[11];
/* 82*/ char fs_type[8];                  /* "FAT32   ", informative only */
/* 90*/ uint8_t boot_code[420];
/*510*/ uint16_t signature;               /* FAT_BOOT_SIGNATURE */
} __attribute__((packed));

/* The FSInfo sector: the free clusters counted, as a hint a reader may ignore. */
struct fat_fsinfo {
/*  0*/ uint32_t lead_signature;          /* FAT_FSINFO_LEAD */
/*  4*/ uint8_t reserved1[480];
/*484*/ uint32_t struct_signature;        /* FAT_FSINFO_STRUCT */
/*488*/ uint32_t free_clusters;
/*492*/ uint32_t next_free;               /* where to look for a free cluster first */
/*496*/ uint8_t reserved2[12];
/*508*/ uint32_t trail_signature;         /* FAT_FSINFO_TRAIL */
} __attribute__((packed));

/* A directory entry: an 8.3 name and where the file is. */
struct fat_dirent {
/*  0*/ uint8_t name[FAT_SHORT_LEN];
/* 11*/ uint8_t attr;                     /* FAT_ATTR_* */
/* 12*/ uint8_t lcase;                    /* FAT_LCASE_*: Windows NT's lower-case flags */
/* 13*/ uint8_t ctime_cs;                 /* creation time, tens of milliseconds */
/* 14*/ uint16_t ctime;
/* 16*/ uint16_t cdate;
/* 18*/ uint16_t adate;
/* 20*/ uint16_t cluster_hi;
/* 22*/ uint16_t mtime;
/* 24*/ uint16_t mdate;
/* 26*/ uint16_t cluster_lo;
/* 28*/ uint32_t size;
} __attribute__((packed));

/*
 * A long-name entry: thirteen UCS-2 characters of the name, in the slots
 * before its 8.3 entry, the last part first.
 */
struct fat_lfn {
/*  0*/ uint8_t seq;                      /* part number from 1, | FAT_LFN_LAST on the last */
/*  1*/ uint16_t name1[5];
/* 11*/ uint8_t attr;                     /* FAT_ATTR_LFN */
/* 12*/ uint8_t type;                     /* 0 */
/* 13*/ uint8_t checksum;                 /* fat_short_sum of the 8.3 entry's name */
/* 14*/ uint16_t name2[6];
/* 26*/ uint16_t cluster;                 /* 0 */
/* 28*/ uint16_t name3[2];
} __attribute__((packed));

/* A 32-byte slot of a directory: attr, at the same offset in both, tells which. */
union fat_slot {
	struct fat_dirent d;
	struct fat_lfn l;
};

#define FAT_BOOT_SIGNATURE 0xAA55u
#define FAT_EXT_BOOT_SIG 0x29u
#define FAT_MEDIA_FIXED 0xF8u
#define FAT_FSINFO_LEAD 0x41615252u       /* "RRaA" */
#define FAT_FSINFO_STRUCT 0x61417272u     /* "rrAa" */
#define FAT_FSINFO_TRAIL 0xAA550000u

#define FAT_ATTR_READ_ONLY 0x01u
#define FAT_ATTR_HIDDEN 0x02u
#define FAT_ATTR_SYSTEM 0x04u
#define FAT_ATTR_VOLUME 0x08u
#define FAT_ATTR_DIR 0x10u
#define FAT_ATTR_ARCHIVE 0x20u
/* All four low bits: a long-name entry, which old systems pass over as a volume label. */
#define FAT_ATTR_LFN (FAT_ATTR_READ_ONLY | FAT_ATTR_HIDDEN | FAT_ATTR_SYSTEM | FAT_ATTR_VOLUME)

#define FAT_LCASE_BASE 0x08u              /* the 8.3 name's base reads in lower case */
#define FAT_LCASE_EXT 0x10u               /* and its extension */

/* The first byte of a slot's name. */
#define FAT_SLOT_END 0x00u                /* this slot and all after it are unused */
#define FAT_SLOT_FREE 0xE5u               /* a deleted entry */
#define FAT_SLOT_E5 0x05u                 /* a name that starts with 0xE5, stored as 0x05 */

#define FAT_LFN_LAST 0x40u
#define FAT_LFN_SEQ 0x1Fu                 /* the part number in seq */
#define FAT_LFN_CHARS 13u                 /* characters in one long-name entry */
#define FAT_LFN_PAD 0xFFFFu               /* fills the entry after a name's NUL */
#define FAT_LFN_MAX 255u                  /* characters in a long name */

/*
 * Data clusters are numbered from 2: entries 0 and 1 of a FAT hold the media
 * byte and an end-of-chain mark, so a FAT has two entries more than clusters.
 */
#define FAT_FIRST_CLUSTER 2u
/* FAT32 entries have 28 bits; the top four are reserved and kept. */
#define FAT32_CLUSTER_MASK 0x0FFFFFFFu
#define FAT32_EOC_MIN 0x0FFFFFF8u         /* an entry from here on ends a chain */
#define FAT32_EOC 0x0FFFFFFFu             /* the end of a chain, as written */
#define FAT32_FAT0 (0x0FFFFF00u | FAT_MEDIA_FIXED) /* entry 0: the media byte */
/* Fewer clusters than this and every reader takes the file system for FAT16. */
#define FAT32_CLUSTERS_MIN 65525u
/* The most the writer makes: cluster numbers stay below the reserved and bad-cluster marks. */
#define FAT32_CLUSTERS_MAX 0x0FFFFFF4u
/* A directory holds at most this many 32-byte slots (readers stop there). */
#define FAT_DIR_SLOTS_MAX 65536u

/* The checksum of an 8.3 name that its long-name entries carry. */
static inline uint8_t fat_short_sum(const uint8_t name[FAT_SHORT_LEN])
{
	uint8_t sum = 0;

	for (unsigned i = 0; i < FAT_SHORT_LEN; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name[i]);
	return sum;
}

/* The first cluster of an entry, split over two fields for FAT12/16's sake. */
static inline uint32_t fat_dirent_cluster(const struct fat_dirent *e)
{
	return (uint32_t)le16toh(e->cluster_lo) | (uint32_t)le16toh(e->cluster_hi) << 16;
}

static inline void fat_dirent_set_cluster(struct fat_dirent *e, uint32_t c)
{
	e->cluster_lo = htole16((uint16_t)(c & 0xFFFF));
	e->cluster_hi = htole16((uint16_t)(c >> 16));
}

/* Character I (0 to 12) of a long-name entry, wherever of its three runs it is. */
static inline uint16_t fat_lfn_char(const struct fat_lfn *l, unsigned i)
{
	if (i < 5)
		return le16toh(l->name1[i]);
	if (i < 11)
		return le16toh(l->name2[i - 5]);
	return le16toh(l->name3[i - 11]);
}

static inline void fat_lfn_set_char(struct fat_lfn *l, unsigned i, uint16_t ch)
{
	if (i < 5)
		l->name1[i] = htole16(ch);
	else if (i < 11)
		l->name2[i - 5] = htole16(ch);
	else
		l->name3[i - 11] = htole16(ch);
}

/* The layout pinned: a field that moves or a size that changes fails the build. */
#define FAT_AT(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field " is at " #off)
_Static_assert(sizeof(struct fat_boot_sector) == 512, "the boot sector is one sector");
FAT_AT(fat_boot_sector, oem_name, 3);
FAT_AT(fat_boot_sector, bytes_per_sector, 11);
FAT_AT(fat_boot_sector, sectors_per_cluster, 13);
FAT_AT(fat_boot_sector, reserved_sectors, 14);
FAT_AT(fat_boot_sector, fats, 16);
FAT_AT(fat_boot_sector, root_entries, 17);
FAT_AT(fat_boot_sector, sectors16, 19);
FAT_AT(fat_boot_sector, media, 21);
FAT_AT(fat_boot_sector, fat16_length, 22);
FAT_AT(fat_boot_sector, sectors_per_track, 24);
FAT_AT(fat_boot_sector, heads, 26);
FAT_AT(fat_boot_sector, hidden_sectors, 28);
FAT_AT(fat_boot_sector, sectors32, 32);
FAT_AT(fat_boot_sector, fat32_length, 36);
FAT_AT(fat_boot_sector, ext_flags, 40);
FAT_AT(fat_boot_sector, version, 42);
FAT_AT(fat_boot_sector, root_cluster, 44);
FAT_AT(fat_boot_sector, fsinfo_sector, 48);
FAT_AT(fat_boot_sector, backup_boot, 50);
FAT_AT(fat_boot_sector, reserved, 52);
FAT_AT(fat_boot_sector, drive_number, 64);
FAT_AT(fat_boot_sector, reserved1, 65);
FAT_AT(fat_boot_sector, boot_signature, 66);
FAT_AT(fat_boot_sector, volume_id, 67);
FAT_AT(fat_boot_sector, label, 71);
FAT_AT(fat_boot_sector, fs_type, 82);
FAT_AT(fat_boot_sector, boot_code, 90);
FAT_AT(fat_boot_sector, signature, 510);
_Static_assert(sizeof(struct fat_fsinfo) == 512, "FSInfo is one sector");
FAT_AT(fat_fsinfo, reserved1, 4);
FAT_AT(fat_fsinfo, struct_signature, 484);
FAT_AT(fat_fsinfo, free_clusters, 488);
FAT_AT(fat_fsinfo, next_free, 492);
FAT_AT(fat_fsinfo, reserved2, 496);
FAT_AT(fat_fsinfo, trail_signature, 508);
_Static_assert(sizeof(struct fat_dirent) == 32, "a directory entry is 32 bytes");
FAT_AT(fat_dirent, attr, 11);
FAT_AT(fat_dirent, lcase, 12);
FAT_AT(fat_dirent, ctime_cs, 13);
FAT_AT(fat_dirent, ctime, 14);
FAT_AT(fat_dirent, cdate, 16);
FAT_AT(fat_dirent, adate, 18);
FAT_AT(fat_dirent, cluster_hi, 20);
FAT_AT(fat_dirent, mtime, 22);
FAT_AT(fat_dirent, mdate, 24);
FAT_AT(fat_dirent, cluster_lo, 26);
FAT_AT(fat_dirent, size, 28);
_Static_assert(sizeof(struct fat_lfn) == 32, "a long-name entry is 32 bytes");
FAT_AT(fat_lfn, name1, 1);
FAT_AT(fat_lfn, attr, 11);
FAT_AT(fat_lfn, type, 12);
FAT_AT(fat_lfn, checksum, 13);
FAT_AT(fat_lfn, name2, 14);
FAT_AT(fat_lfn, cluster, 26);
FAT_AT(fat_lfn, name3, 28);
_Static_assert(sizeof(union fat_slot) == 32, "a directory slot is 32 bytes");
#undef FAT_AT

#endif
