/* The GPT variant of layout v1 (pure): made from numbers and the image id, and read back. */
#define _GNU_SOURCE
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "format/gpt.h"

/* UEFI 2.10, 5.3.2: the header at sector 1 (primary) and the disk's last (backup). */
struct gpt_header {
	/*  0 */ char signature[8];          /* "EFI PART" */
	/*  8 */ uint32_t revision;          /* 1.0: 0x00010000 */
	/* 12 */ uint32_t header_size;       /* 92 */
	/* 16 */ uint32_t header_crc;        /* CRC32 of header_size bytes, this field 0 */
	/* 20 */ uint32_t reserved;
	/* 24 */ uint64_t my_lba;
	/* 32 */ uint64_t alternate_lba;     /* the other header */
	/* 40 */ uint64_t first_usable;
	/* 48 */ uint64_t last_usable;
	/* 56 */ unsigned char disk_guid[16];
	/* 72 */ uint64_t entries_lba;
	/* 80 */ uint32_t n_entries;
	/* 84 */ uint32_t entry_size;
	/* 88 */ uint32_t entries_crc;       /* CRC32 of n_entries * entry_size bytes */
} __attribute__((packed));

/* 5.3.3: one partition entry. */
struct gpt_entry {
	/*  0 */ unsigned char type[16];     /* all zero: unused */
	/* 16 */ unsigned char guid[16];
	/* 32 */ uint64_t first_lba;
	/* 40 */ uint64_t last_lba;          /* inclusive */
	/* 48 */ uint64_t attributes;
	/* 56 */ uint16_t name[36];          /* UTF-16LE */
} __attribute__((packed));

_Static_assert(sizeof(struct gpt_header) == 92, "GPT header is 92 bytes");
_Static_assert(sizeof(struct gpt_entry) == HYDRA_GPT_ENTRY_SIZE, "GPT entry is 128 bytes");

const unsigned char hydra_gpt_type_esp[16] = {
	0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
	0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b,
};
const unsigned char hydra_gpt_type_linux[16] = {
	0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
	0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4,
};

#define ENTRIES_BYTES (HYDRA_GPT_ENTRIES * HYDRA_GPT_ENTRY_SIZE)
/* The name partition 1 carries, as the FAT32 label does. */
#define PART_NAME "HYDRA"

/*
 * CRC-32 (IEEE 802.3, reflected, as zlib's crc32()), bit by bit: a few KiB
 * a disk, and hydra-init, which reads GPTs too, links no zlib
 * (tests/unit/check-layers keeps it out of the initramfs).
 */
static uint32_t crc(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint32_t c = 0xffffffffU;

	while (len--) {
		c ^= *b++;
		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320U & -(c & 1));
	}
	return ~c;
}

/*
 * A GUID from the image id and what it names (RFC 9562 version 8: made by
 * hydra's own rule, SHA-256 of "hydra-gpt-ROLE:ID"), so that the same image
 * gives the same table. The id is taken in lower case, as the volume id is.
 */
static void guid_from_id(const char *id, const char *role, unsigned char g[16])
{
	unsigned char sha[HYDRA_SHA256_LEN];
	char text[64];
	int n = snprintf(text, sizeof(text), "hydra-gpt-%s:", role);

	for (size_t i = 0; id[i] && n < (int)sizeof(text) - 1; i++)
		text[n++] = (char)tolower((unsigned char)id[i]);
	text[n] = '\0';
	hydra_sha256_buf(text, (size_t)n, sha);
	memcpy(g, sha, 16);
	g[7] = (unsigned char)((g[7] & 0x0f) | 0x80);   /* version, high nibble of time_hi (LE) */
	g[8] = (unsigned char)((g[8] & 0x3f) | 0x80);   /* variant 10 */
}

static int id_valid(const char *id)
{
	if (!id || strlen(id) != 16)
		return 0;
	for (size_t i = 0; i < 16; i++)
		if (!isxdigit((unsigned char)id[i]))
			return 0;
	return 1;
}

/* One header, its checksums over ENTRIES; MY and OTHER say where it and its twin are. */
static void header(unsigned char *out, const unsigned char guid[16], uint64_t my, uint64_t other,
		   uint64_t entries_lba, uint64_t disk_sectors, const unsigned char *entries)
{
	struct gpt_header h = {
		.signature = "EFI PART",
		.revision = htole32(0x00010000),
		.header_size = htole32(sizeof(h)),
		.my_lba = htole64(my),
		.alternate_lba = htole64(other),
		.first_usable = htole64(1 + HYDRA_GPT_SECTORS),
		.last_usable = htole64(disk_sectors - 1 - HYDRA_GPT_SECTORS),
		.entries_lba = htole64(entries_lba),
		.n_entries = htole32(HYDRA_GPT_ENTRIES),
		.entry_size = htole32(HYDRA_GPT_ENTRY_SIZE),
		.entries_crc = htole32(crc(entries, ENTRIES_BYTES)),
	};

	memcpy(h.disk_guid, guid, 16);
	h.header_crc = htole32(crc(&h, sizeof(h)));
	memset(out, 0, HYDRA_SECTOR);
	memcpy(out, &h, sizeof(h));
}

/*
 * The protective MBR as libparted writes it (so that adding partition 2
 * with libparted later leaves it as it was): one partition of type 0xEE
 * from sector 1 over the whole disk, or 2^32-1 sectors where it is larger.
 */
static void protective_mbr(unsigned char s0[HYDRA_SECTOR], uint64_t disk_sectors, uint32_t disk_id)
{
	static const unsigned char chs[8] = { 0x00, 0x00, 0x02, 0x00, HYDRA_MBR_TYPE_GPT,
					      0xff, 0xff, 0xff };
	uint32_t start = htole32(1), size = htole32(disk_sectors - 1 > 0xffffffffULL ?
						    0xffffffffU : (uint32_t)(disk_sectors - 1));

	memset(s0, 0, HYDRA_SECTOR);
	disk_id = htole32(disk_id);
	memcpy(s0 + 440, &disk_id, 4);
	memcpy(s0 + 446, chs, sizeof(chs));
	memcpy(s0 + 446 + 8, &start, 4);
	memcpy(s0 + 446 + 12, &size, 4);
	s0[510] = 0x55;
	s0[511] = 0xAA;
}

int hydra_gpt_make(const char *id, uint64_t disk_bytes, uint64_t part_start, uint64_t part_bytes,
		   unsigned char s0[HYDRA_SECTOR],
		   unsigned char primary[HYDRA_GPT_SECTORS * HYDRA_SECTOR],
		   unsigned char backup[HYDRA_GPT_SECTORS * HYDRA_SECTOR])
{
	uint64_t sectors = disk_bytes / HYDRA_SECTOR, first = part_start / HYDRA_SECTOR;
	uint64_t last = first + part_bytes / HYDRA_SECTOR - 1;
	unsigned char disk_guid[16], b[4];
	char hex[9];
	struct gpt_entry e = { 0 };
	unsigned char *entries = primary + HYDRA_SECTOR;

	if (!id_valid(id))
		return -EINVAL;
	if (part_start % HYDRA_SECTOR || part_bytes % HYDRA_SECTOR || !part_bytes ||
	    first < 1 + HYDRA_GPT_SECTORS || sectors < 2 * HYDRA_GPT_SECTORS + 2 ||
	    last > sectors - 2 - HYDRA_GPT_SECTORS)
		return -ENOSPC;
	guid_from_id(id, "disk", disk_guid);
	memcpy(e.type, hydra_gpt_type_esp, 16);
	guid_from_id(id, "part1", e.guid);
	e.first_lba = htole64(first);
	e.last_lba = htole64(last);
	e.attributes = htole64(HYDRA_GPT_LEGACY_BOOT);
	for (size_t i = 0; PART_NAME[i]; i++)
		e.name[i] = htole16((uint16_t)PART_NAME[i]);
	memset(entries, 0, ENTRIES_BYTES);
	memcpy(entries, &e, sizeof(e));
	header(primary, disk_guid, 1, sectors - 1, 2, sectors, entries);
	/* The backup: the same entries, then its header in the disk's last sector. */
	memcpy(backup, entries, ENTRIES_BYTES);
	header(backup + ENTRIES_BYTES, disk_guid, sectors - 1, 1, sectors - HYDRA_GPT_SECTORS,
	       sectors, entries);
	/* The msdos layout's disk id, from the id's first 8 digits. */
	memcpy(hex, id, 8);
	hex[8] = '\0';
	if (hydra_unhex(hex, b, 4))
		return -EINVAL;
	protective_mbr(s0, sectors, (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
			(uint32_t)b[2] << 8 | b[3]);
	return 0;
}

/*
 * A sector number from the disk in bytes. Past 2^54 sectors (8 EiB) no disk
 * reaches: it becomes a place far past any disk's end, never a sum that wraps.
 */
static uint64_t lba_bytes(uint64_t lba)
{
	return lba > (1ULL << 54) ? 1ULL << 63 : lba * HYDRA_SECTOR;
}

/* The end of sector LBA in bytes, the same way (LBA + 1 may wrap). */
static uint64_t lba_end(uint64_t lba)
{
	return lba > (1ULL << 54) ? 1ULL << 63 : (lba + 1) * HYDRA_SECTOR;
}

/* Entry N (0-based) of the array at E: its place in bytes, 0 when unused. */
static void entry_place(const unsigned char *e, size_t size, unsigned n, uint64_t *start,
			uint64_t *bytes, uint64_t *attrs)
{
	struct gpt_entry x;
	static const unsigned char unused[16];

	memcpy(&x, e + (size_t)n * size, sizeof(x));
	*start = *bytes = 0;
	if (!memcmp(x.type, unused, 16) || le64toh(x.last_lba) < le64toh(x.first_lba))
		return;
	*start = lba_bytes(le64toh(x.first_lba));
	*bytes = lba_end(le64toh(x.last_lba)) - *start;
	if (attrs)
		*attrs = le64toh(x.attributes);
}

void hydra_table_parse(const unsigned char *buf, size_t len, struct hydra_mbr *out)
{
	unsigned char hbuf[HYDRA_SECTOR];
	struct gpt_header h;
	uint64_t attrs = 0, elba, ebytes;
	uint32_t hsize, want;

	hydra_mbr_parse(buf, out);
	if (!out->signature || out->type != HYDRA_MBR_TYPE_GPT)
		return;
	out->gpt = 1;
	out->bootable = 0;
	out->start = out->size = out->start2 = out->size2 = 0;
	if (len < 2 * HYDRA_SECTOR)
		return;
	memcpy(&h, buf + HYDRA_SECTOR, sizeof(h));
	hsize = le32toh(h.header_size);
	if (memcmp(h.signature, "EFI PART", 8) || hsize < sizeof(h) || hsize > HYDRA_SECTOR ||
	    le64toh(h.my_lba) != 1)
		return;
	memcpy(hbuf, buf + HYDRA_SECTOR, HYDRA_SECTOR);
	memset(hbuf + 16, 0, 4);
	if (crc(hbuf, hsize) != le32toh(h.header_crc))
		return;
	elba = le64toh(h.entries_lba);
	ebytes = (uint64_t)le32toh(h.n_entries) * le32toh(h.entry_size);
	if (le32toh(h.entry_size) < sizeof(struct gpt_entry) || le32toh(h.n_entries) < 2 ||
	    elba < 2 || elba > len / HYDRA_SECTOR || ebytes > len - elba * HYDRA_SECTOR)
		return;
	want = le32toh(h.entries_crc);
	if (crc(buf + elba * HYDRA_SECTOR, (size_t)ebytes) != want)
		return;
	out->gpt_valid = 1;
	out->gpt_backup = lba_bytes(le64toh(h.alternate_lba));
	out->gpt_last = lba_end(le64toh(h.last_usable));
	entry_place(buf + elba * HYDRA_SECTOR, le32toh(h.entry_size), 0, &out->start, &out->size,
		    &attrs);
	entry_place(buf + elba * HYDRA_SECTOR, le32toh(h.entry_size), 1, &out->start2, &out->size2,
		    NULL);
	out->bootable = out->size && (attrs & HYDRA_GPT_LEGACY_BOOT);
}
