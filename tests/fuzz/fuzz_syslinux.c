/*
 * syslinux's loader from a medium's payload (format/syslinux.h): the
 * template's check, and what the writer makes from one that passes. The
 * input is the boot sector (its first 512 bytes), then ldlinux.sys. A
 * template that parses is patched for a run of sectors and for a sector
 * every other one, and what is written must hold its checksum and end with
 * two empty ADV copies, whatever the template's offsets.
 */
#include <stdlib.h>
#include <string.h>

#include "format/le.h"
#include "format/syslinux.h"
#include "fuzz.h"

/* Where a patched copy starts. */
#define FIRST_SECTOR 2048u
/* syslinux's numbers (format/syslinux.c has them): what the image sums to, an ADV's ends. */
#define LDLINUX_SUM 0x3eb202feu
#define ADV_HEAD 0x5a2d2fa5u
#define ADV_TAIL 0xdd28bf64u

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

/*
 * Patch S for a run of sectors, or for every other sector (SPREAD: many
 * extents). What is written keeps the promises the loader's first sector
 * relies on: its dwords sum to the magic number, and it ends with two empty
 * ADV copies, alike.
 */
static void patch(const struct hydra_syslinux *s, const unsigned char *bootsect, int spread)
{
	size_t len = hydra_syslinux_file_bytes(s), n = len / HYDRA_SYSLINUX_SECTOR;
	uint64_t *sectors = malloc(n * sizeof(*sectors));
	unsigned char *out = malloc(len), bs[HYDRA_SYSLINUX_SECTOR];
	const unsigned char *adv = out + len - HYDRA_SYSLINUX_ADV_BYTES;
	char why[256];
	uint32_t sum = 0;

	if (!sectors || !out)
		abort();
	for (size_t i = 0; i < n; i++)
		sectors[i] = FIRST_SECTOR + (spread ? 2 * i : i);
	if (!hydra_syslinux_ldlinux(s, sectors, n, "/syslinux", out, why, sizeof(why))) {
		for (size_t i = 0; i < s->image_len; i += 4)
			sum += hydra_le32_get(out + i);
		if (sum != LDLINUX_SUM || hydra_le32_get(adv) != ADV_HEAD ||
		    hydra_le32_get(adv + HYDRA_SYSLINUX_SECTOR - 4) != ADV_TAIL ||
		    memcmp(adv, adv + HYDRA_SYSLINUX_SECTOR, HYDRA_SYSLINUX_SECTOR))
			abort();
		memcpy(bs, bootsect, sizeof(bs));
		hydra_syslinux_bootsect(s, FIRST_SECTOR, bs, why, sizeof(why));
	}
	free(out);
	free(sectors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_guard g;
	unsigned char *bootsect;
	const char *ldlinux;
	struct hydra_syslinux s;
	char why[256];

	if (size < HYDRA_SYSLINUX_SECTOR || size - HYDRA_SYSLINUX_SECTOR > FUZZ_GUARD_MAX)
		return 0;
	bootsect = malloc(HYDRA_SYSLINUX_SECTOR);
	if (!bootsect)
		abort();
	memcpy(bootsect, data, HYDRA_SYSLINUX_SECTOR);
	ldlinux = fuzz_guarded(&g, data + HYDRA_SYSLINUX_SECTOR, size - HYDRA_SYSLINUX_SECTOR);
	if (ldlinux && !hydra_syslinux_parse(ldlinux, size - HYDRA_SYSLINUX_SECTOR, bootsect,
					     HYDRA_SYSLINUX_SECTOR, &s, why, sizeof(why))) {
		patch(&s, bootsect, 0);
		patch(&s, bootsect, 1);
	}
	free(bootsect);
	return 0;
}
