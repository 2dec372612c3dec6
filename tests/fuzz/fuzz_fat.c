/*
 * The FAT32 reader (format/fat.h): the input is a file system image, written
 * to a memfd and opened at offset 0; a few paths of a medium are looked up
 * and the files found are read to their end.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/util.h"
#include "format/fat.h"
#include "fuzz.h"

static int fd = -1;

static const char *const paths[] = {
	"hydra/MANIFEST",
	"hydra/MANIFEST.sig",
	"syslinux/syslinux.cfg",
	"/EFI/BOOT/BOOTX64.EFI",
	"boot/vmlinuz",
	"live/system.sqfs",
	"hydra/hardware-db/nodes/A long name with spaces.conf",
	"hydra//overlays/",
	"hydra/MANIFEST/x",
	"",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	fd = memfd_create("fuzz-fat", MFD_CLOEXEC);
	if (fd < 0) {
		perror("memfd_create");
		abort();
	}
	return 0;
}

struct seen {
	uint64_t bytes;
	unsigned sum;
};

static int take(const void *buf, size_t len, void *ud)
{
	struct seen *s = ud;

	/* Every byte handed over is read: ASan checks that it is the reader's own. */
	for (size_t i = 0; i < len; i++)
		s->sum += ((const unsigned char *)buf)[i];
	s->bytes += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hydra_fat *f = NULL;

	if (ftruncate(fd, 0) < 0 || hydra_pwrite_full(fd, data, size, 0) < 0)
		abort();
	if (hydra_fat_open(fd, 0, &f)) {
		if (f)
			abort();
		return 0;
	}
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct hydra_fat_file file;
		struct seen s = { 0 };

		if (hydra_fat_lookup(f, paths[i], &file))
			continue;
		/* A file is handed over whole or not at all (-EIO), never more than its size. */
		if (!hydra_fat_read(f, &file, take, &s) && s.bytes != file.size)
			abort();
		if (s.bytes > file.size)
			abort();
	}
	hydra_fat_free(f);
	return 0;
}
