/*
 * syslinux's BIOS boot loader on a FAT, patched in process: what
 * `syslinux --install` does after mtools has written ldlinux.sys. The boot
 * sector's code loads the first sector of ldlinux.sys from an address in
 * it; that sector reads the rest from a list of extents in ldlinux.sys's
 * patch area, which also holds the sectors of its two ADV copies, the
 * directory it was installed in and a checksum over the whole image.
 *
 * Pure: templates and sector numbers in, bytes out. A template is what a
 * syslinux install left on some FAT (its ldlinux.sys and boot sector); every
 * field that depends on where the loader lies is written afresh from the
 * sectors given, so a template patched for one FAT patches for another.
 */
#ifndef HYDRA_SYSLINUX_H
#define HYDRA_SYSLINUX_H

#include <stddef.h>
#include <stdint.h>

#define HYDRA_SYSLINUX_SECTOR 512u
/* Two copies of the auxiliary data vector, one sector each, end ldlinux.sys. */
#define HYDRA_SYSLINUX_ADV_BYTES (2 * HYDRA_SYSLINUX_SECTOR)

/* A checked template; it points into the caller's buffers. */
struct hydra_syslinux {
	const unsigned char *image;     /* ldlinux.sys without its ADV sectors */
	size_t image_len;               /* whole sectors */
	const unsigned char *bootsect;  /* a FAT boot sector syslinux wrote, 512 bytes */
	size_t patch;                   /* offset of the patch area in image */
	size_t epa;                     /* offset of the extended patch area */
};

/*
 * Check LDLINUX (the file as it lies on a FAT syslinux installed onto, ADV
 * sectors included) and BOOTSECT (that FAT's boot sector): whole sectors,
 * the patch area found by its magic number, every offset it gives inside
 * the image, its counts matching the file and its checksum holding.
 * -EBADMSG with WHY ("ldlinux.sys is truncated: ...") when not.
 */
int hydra_syslinux_parse(const void *ldlinux, size_t ldlinux_len, const void *bootsect,
			 size_t bootsect_len, struct hydra_syslinux *out, char *why, size_t why_len);

/* The size of ldlinux.sys on the disk: the image and its two ADV sectors. */
size_t hydra_syslinux_file_bytes(const struct hydra_syslinux *s);

/*
 * ldlinux.sys for a FAT where it lies in SECTORS (N of them, numbered from
 * the file system's start, in file order; N at least the file's sectors),
 * installed in DIR ("/syslinux"): into OUT, hydra_syslinux_file_bytes long,
 * with empty ADVs. -E2BIG with WHY when the sectors need more extents than
 * the patch area holds or DIR does not fit; -EINVAL when N is too small.
 */
int hydra_syslinux_ldlinux(const struct hydra_syslinux *s, const uint64_t *sectors, size_t n,
			   const char *dir, unsigned char *out, char *why, size_t why_len);

/*
 * The FAT boot sector BS (512 bytes, that file system's own) given
 * syslinux's code, which loads ldlinux.sys's first sector, FIRST. Its BIOS
 * parameter block is kept. -EINVAL with WHY when BS is no FAT boot sector.
 */
int hydra_syslinux_bootsect(const struct hydra_syslinux *s, uint64_t first, unsigned char *bs,
			    char *why, size_t why_len);

#endif
