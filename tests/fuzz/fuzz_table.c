/*
 * The partition table at the start of a disk (format/gpt.h), as verify and
 * the data volume read it: sector 0 and, behind a protective MBR, the
 * primary GPT. The input is the disk's first bytes, one sector at least (a
 * caller never hands over less).
 */
#include <stdlib.h>
#include <string.h>

#include "format/gpt.h"
#include "format/layout.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_guard g;
	const unsigned char *buf;
	struct hydra_mbr t, m;

	if (size < HYDRA_SECTOR || size > 2 * HYDRA_TABLE_HEAD)
		return 0;
	buf = (const unsigned char *)fuzz_guarded(&g, data, size);
	hydra_table_parse(buf, size, &t);
	hydra_mbr_parse(buf, &m);
	/* Without a protective MBR the table reads as an msdos one always did. */
	if (!t.gpt && memcmp(&t, &m, sizeof(t)))
		abort();
	/* A GPT's places are sums that do not wrap, whatever its numbers. */
	if (t.start + t.size < t.start || t.start2 + t.size2 < t.start2)
		abort();
	/* Partitions and "bootable" come only from a GPT whose checksums hold. */
	if (t.gpt && !t.gpt_valid && (t.size || t.size2 || t.bootable))
		abort();
	if (t.gpt && t.bootable && !t.size)
		abort();
	return 0;
}
