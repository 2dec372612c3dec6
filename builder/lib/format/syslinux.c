/*
 * ldlinux.sys's patch area and the FAT boot sector's code, as syslinux 6's
 * installer lays them out (libinstaller/syslxint.h, syslxmod.c there).
 * Every structure is packed and little-endian on the disk; the offsets in
 * the comments are bytes from the structure's start, pinned by the
 * assertions below.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "format/fat_layout.h"
#include "format/le.h"
#include "format/syslinux.h"

#define LDLINUX_MAGIC 0x3eb202feu    /* opens the patch area; also what the image sums to */
#define ADV_MAGIC_HEAD 0x5a2d2fa5u   /* an ADV copy's first dword */
#define ADV_MAGIC_SUM 0xa3041767u    /* what an ADV copy's dwords sum to, its head aside */
#define ADV_MAGIC_TAIL 0xdd28bf64u   /* its last dword */
/* An extent is at most this many bytes: the loader reads it with one BIOS call. */
#define EXTENT_MAX_BYTES 65536u

/* Found by its magic number in the image; the installer fills in the counts and checksum. */
struct sl_patch_area {
/*  0*/ uint32_t magic;                   /* LDLINUX_MAGIC */
/*  4*/ uint32_t instance;                /* a value per build, left alone */
/*  8*/ uint16_t data_sectors;            /* the image's sectors, the ADVs aside */
/* 10*/ uint16_t adv_sectors;             /* 2 */
/* 12*/ uint32_t dwords;                  /* the image's length in dwords */
/* 16*/ uint32_t checksum;                /* makes the image's dwords sum to LDLINUX_MAGIC */
/* 20*/ uint16_t maxtransfer;             /* sectors a BIOS call may read; left alone */
/* 22*/ uint16_t epa;                     /* offset of the extended patch area */
} __attribute__((packed));

/* Where the installer's other fields are: offsets into the image, or into the boot sector. */
struct sl_ext_patch_area {
/*  0*/ uint16_t adv_ptrs;                /* two uint64_t: the sectors of the ADV copies */
/*  2*/ uint16_t dir;                     /* the directory installed in, NUL-terminated */
/*  4*/ uint16_t dir_len;                 /* bytes of room there */
/*  6*/ uint16_t subvol;                  /* a btrfs subvolume's name: not on FAT */
/*  8*/ uint16_t subvol_len;
/* 10*/ uint16_t extents;                 /* struct sl_extent[extent_count] */
/* 12*/ uint16_t extent_count;
/* 14*/ uint16_t sect1_lo;                /* in the boot sector: ldlinux.sys's first sector, */
/* 16*/ uint16_t sect1_hi;                /* low and high dword */
/* 18*/ uint16_t raid_patch;              /* in the boot sector: where --raid puts INT 18h */
} __attribute__((packed));

/* A run of sectors the loader reads into memory after its first one. */
struct sl_extent {
/*  0*/ uint64_t lba;                     /* from the file system's start */
/*  8*/ uint16_t len;                     /* sectors; 0 ends the list */
} __attribute__((packed));

#define SL_AT(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field " is at " #off)
_Static_assert(sizeof(struct sl_patch_area) == 24, "the patch area is 24 bytes");
SL_AT(sl_patch_area, data_sectors, 8);
SL_AT(sl_patch_area, dwords, 12);
SL_AT(sl_patch_area, checksum, 16);
SL_AT(sl_patch_area, epa, 22);
_Static_assert(sizeof(struct sl_ext_patch_area) == 20, "the extended patch area is 20 bytes");
SL_AT(sl_ext_patch_area, extents, 10);
SL_AT(sl_ext_patch_area, sect1_lo, 14);
SL_AT(sl_ext_patch_area, raid_patch, 18);
_Static_assert(sizeof(struct sl_extent) == 10, "an extent is 10 bytes");
SL_AT(sl_extent, len, 8);
#undef SL_AT

/*
 * What syslinux copies into a FAT's boot sector: the jump and OEM name
 * before the BIOS parameter block, and everything from the boot code to the
 * signature; the BPB between them stays the file system's.
 */
#define BS_HEAD_LEN offsetof(struct fat_boot_sector, bytes_per_sector)
#define BS_CODE offsetof(struct fat_boot_sector, boot_code)
#define BS_CODE_END offsetof(struct fat_boot_sector, signature)

static int fail(char *why, size_t len, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t len, int r, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* The image's dwords summed, as the loader checks them. */
static uint32_t image_sum(const unsigned char *img, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 4 <= len; i += 4)
		sum += hydra_le32_get(img + i);
	return sum;
}

/* LEN bytes at OFF lie inside a buffer of SIZE. */
static int inside(size_t off, size_t len, size_t size)
{
	return off <= size && len <= size - off;
}

static int parse_epa(const struct hydra_syslinux *s, const struct sl_ext_patch_area *e,
		     char *why, size_t why_len)
{
	size_t n = s->image_len;

	if (!inside(le16toh(e->adv_ptrs), 2 * sizeof(uint64_t), n) ||
	    !inside(le16toh(e->dir), le16toh(e->dir_len), n) || !le16toh(e->dir_len) ||
	    !inside(le16toh(e->extents), (size_t)le16toh(e->extent_count) * sizeof(struct sl_extent),
		    n) || !le16toh(e->extent_count))
		return fail(why, why_len, -EBADMSG,
			    "ldlinux.sys's patch area points outside it: not syslinux's loader");
	/* Both halves of the first sector's address lie in the code syslinux puts in a boot sector. */
	if (le16toh(e->sect1_lo) < BS_CODE || !inside(le16toh(e->sect1_lo), 4, BS_CODE_END) ||
	    le16toh(e->sect1_hi) < BS_CODE || !inside(le16toh(e->sect1_hi), 4, BS_CODE_END))
		return fail(why, why_len, -EBADMSG,
			    "ldlinux.sys's patch area points outside the boot sector's code");
	return 0;
}

static int parse_bootsect(const unsigned char *bs, size_t len, char *why, size_t why_len)
{
	struct fat_boot_sector b;

	if (len != sizeof(b))
		return fail(why, why_len, -EBADMSG, "the boot sector is %zu bytes, not 512", len);
	memcpy(&b, bs, sizeof(b));
	/* A short jump to the code syslinux wrote, which starts after the FAT32 BPB. */
	if (le16toh(b.signature) != FAT_BOOT_SIGNATURE || b.jump[0] != 0xEB ||
	    b.jump[1] + 2u < BS_CODE)
		return fail(why, why_len, -EBADMSG,
			    "the boot sector holds no syslinux code (no jump past a FAT32 BPB, "
			    "or no boot signature)");
	return 0;
}

int hydra_syslinux_parse(const void *ldlinux, size_t ldlinux_len, const void *bootsect,
			 size_t bootsect_len, struct hydra_syslinux *out, char *why, size_t why_len)
{
	const unsigned char *img = ldlinux;
	struct hydra_syslinux s = { .image = img, .bootsect = bootsect };
	struct sl_patch_area pa;
	struct sl_ext_patch_area e;
	size_t at;
	int r;

	memset(out, 0, sizeof(*out));
	if (ldlinux_len % HYDRA_SYSLINUX_SECTOR ||
	    ldlinux_len < HYDRA_SYSLINUX_ADV_BYTES + HYDRA_SYSLINUX_SECTOR)
		return fail(why, why_len, -EBADMSG,
			    "ldlinux.sys is %zu bytes: not whole sectors with two ADV sectors after "
			    "them (truncated?)", ldlinux_len);
	s.image_len = ldlinux_len - HYDRA_SYSLINUX_ADV_BYTES;
	/* As the installer looks for it: the first dword-aligned magic number. */
	for (at = 0; at + sizeof(pa) <= s.image_len && hydra_le32_get(img + at) != LDLINUX_MAGIC; at += 4)
		;
	if (at + sizeof(pa) > s.image_len)
		return fail(why, why_len, -EBADMSG,
			    "ldlinux.sys has no patch area (no magic number 0x%08x)", LDLINUX_MAGIC);
	memcpy(&pa, img + at, sizeof(pa));
	s.patch = at;
	s.epa = le16toh(pa.epa);
	if (!inside(s.epa, sizeof(e), s.image_len))
		return fail(why, why_len, -EBADMSG,
			    "ldlinux.sys's patch area points outside it: not syslinux's loader");
	memcpy(&e, img + s.epa, sizeof(e));
	r = parse_epa(&s, &e, why, why_len);
	if (r)
		return r;
	/* An install wrote these from the file's length: a cut or padded file disagrees. */
	if (le16toh(pa.data_sectors) != s.image_len / HYDRA_SYSLINUX_SECTOR ||
	    le16toh(pa.adv_sectors) != 2 || le32toh(pa.dwords) != s.image_len / 4)
		return fail(why, why_len, -EBADMSG,
			    "ldlinux.sys is truncated or not as syslinux installed it: its patch area "
			    "counts %u sectors and %u ADV sectors, the file holds %zu and 2",
			    le16toh(pa.data_sectors), le16toh(pa.adv_sectors),
			    s.image_len / HYDRA_SYSLINUX_SECTOR);
	if (image_sum(img, s.image_len) != LDLINUX_MAGIC)
		return fail(why, why_len, -EBADMSG,
			    "ldlinux.sys's checksum does not hold: it is damaged");
	r = parse_bootsect(bootsect, bootsect_len, why, why_len);
	if (r)
		return r;
	*out = s;
	return 0;
}

size_t hydra_syslinux_file_bytes(const struct hydra_syslinux *s)
{
	return s->image_len + HYDRA_SYSLINUX_ADV_BYTES;
}

static void ext_area(const struct hydra_syslinux *s, struct sl_ext_patch_area *e)
{
	memcpy(e, s->image + s->epa, sizeof(*e));
}

/* Two empty ADV copies, as the installer resets them. */
static void empty_adv(unsigned char *adv)
{
	memset(adv, 0, HYDRA_SYSLINUX_ADV_BYTES);
	hydra_le32_put(adv, ADV_MAGIC_HEAD);
	hydra_le32_put(adv + 4, ADV_MAGIC_SUM);    /* minus the sum of its data, all zeros */
	hydra_le32_put(adv + HYDRA_SYSLINUX_SECTOR - 4, ADV_MAGIC_TAIL);
	memcpy(adv + HYDRA_SYSLINUX_SECTOR, adv, HYDRA_SYSLINUX_SECTOR);
}

/*
 * SEC[0..N) as extents into the room for MAX of them at AREA, each at most
 * EXTENT_MAX_BYTES of contiguous sectors. (syslinux also ends an extent
 * where its load address would cross 64 KiB within a sector; a sector
 * loaded at a multiple of 512 never does, so that never ends one.)
 */
static int put_extents(unsigned char *area, size_t max, const uint64_t *sec, size_t n)
{
	struct sl_extent x = { 0 };
	size_t k = 0;

	memset(area, 0, max * sizeof(x));
	for (size_t i = 0; i <= n; i++) {
		uint16_t len = le16toh(x.len);

		if (i < n && len && sec[i] == le64toh(x.lba) + len &&
		    (len + 1u) * HYDRA_SYSLINUX_SECTOR < EXTENT_MAX_BYTES) {
			x.len = htole16((uint16_t)(len + 1));
			continue;
		}
		if (len) {
			if (k == max)
				return -E2BIG;
			memcpy(area + k++ * sizeof(x), &x, sizeof(x));
		}
		if (i < n)
			x = (struct sl_extent){ .lba = htole64(sec[i]), .len = htole16(1) };
	}
	return 0;
}

int hydra_syslinux_ldlinux(const struct hydra_syslinux *s, const uint64_t *sectors, size_t n,
			   const char *dir, unsigned char *out, char *why, size_t why_len)
{
	size_t data = s->image_len / HYDRA_SYSLINUX_SECTOR, total = data + 2;
	size_t dir_len = strlen(dir) + 1;
	struct sl_ext_patch_area e;
	struct sl_patch_area pa;
	unsigned char *adv_ptrs;

	if (n < total)
		return fail(why, why_len, -EINVAL, "ldlinux.sys needs %zu sectors, %zu given",
			    total, n);
	ext_area(s, &e);
	if (dir_len > le16toh(e.dir_len))
		return fail(why, why_len, -E2BIG,
			    "the directory '%s' is longer than ldlinux.sys has room for (%u bytes)",
			    dir, le16toh(e.dir_len) - 1u);
	memcpy(out, s->image, s->image_len);
	empty_adv(out + s->image_len);
	/* Sector 0 is the boot sector's to load; the rest of the image is in extents. */
	if (put_extents(out + le16toh(e.extents), le16toh(e.extent_count), sectors + 1, data - 1))
		return fail(why, why_len, -E2BIG,
			    "ldlinux.sys's sectors make more than the %u extents it has room for",
			    le16toh(e.extent_count));
	adv_ptrs = out + le16toh(e.adv_ptrs);
	hydra_le64_put(adv_ptrs, sectors[data]);
	hydra_le64_put(adv_ptrs + sizeof(uint64_t), sectors[data + 1]);
	memset(out + le16toh(e.dir), 0, le16toh(e.dir_len));
	memcpy(out + le16toh(e.dir), dir, dir_len);
	memcpy(&pa, out + s->patch, sizeof(pa));
	pa.data_sectors = htole16((uint16_t)data);
	pa.adv_sectors = htole16(2);
	pa.dwords = htole32((uint32_t)(s->image_len / 4));
	pa.checksum = 0;
	memcpy(out + s->patch, &pa, sizeof(pa));
	pa.checksum = htole32(LDLINUX_MAGIC - image_sum(out, s->image_len));
	memcpy(out + s->patch, &pa, sizeof(pa));
	return 0;
}

int hydra_syslinux_bootsect(const struct hydra_syslinux *s, uint64_t first, unsigned char *bs,
			    char *why, size_t why_len)
{
	struct sl_ext_patch_area e;
	struct fat_boot_sector b;

	memcpy(&b, bs, sizeof(b));
	if (le16toh(b.signature) != FAT_BOOT_SIGNATURE || le16toh(b.bytes_per_sector) != 512 ||
	    b.boot_signature != FAT_EXT_BOOT_SIG || memcmp(b.fs_type, "FAT32   ", 8))
		return fail(why, why_len, -EINVAL,
			    "no FAT32 boot sector with 512-byte sectors to put syslinux's code in");
	ext_area(s, &e);
	memcpy(bs, s->bootsect, BS_HEAD_LEN);
	memcpy(bs + BS_CODE, s->bootsect + BS_CODE, BS_CODE_END - BS_CODE);
	hydra_le32_put(bs + le16toh(e.sect1_lo), (uint32_t)first);
	hydra_le32_put(bs + le16toh(e.sect1_hi), (uint32_t)(first >> 32));
	return 0;
}
