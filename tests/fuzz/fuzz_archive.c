/*
 * The archive check (node/overlay.h) that every overlay and snapshot passes
 * before a byte of it is written: the input is a tar (compressed or not),
 * given to hydra_archive_check by a path to a memfd. It only reads: it is
 * called from an empty directory of the harness's own, which must stay
 * empty (the harness goes back to where it was after each call, so that
 * libFuzzer's relative paths keep working).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <archive.h>

#include "base/util.h"
#include "fuzz.h"
#include "node/overlay.h"

static int fd = -1, here = -1, there = -1;
static char path[64];
static char dir[] = "/tmp/hydra-fuzz-archive.XXXXXX";

static void cleanup(void)
{
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	fd = memfd_create("fuzz-archive", MFD_CLOEXEC);
	here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || here < 0 || !mkdtemp(dir) ||
	    (there = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		perror("fuzz-archive setup");
		abort();
	}
	atexit(cleanup);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

static int empty_dir(void)
{
	DIR *d = opendir(".");
	struct dirent *e;
	int empty = 1;

	if (!d)
		return 0;
	while (empty && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hydra_archive_count c;
	int r;

	if (ftruncate(fd, 0) < 0 || hydra_pwrite_full(fd, data, size, 0) < 0)
		abort();
	if (fchdir(there) < 0)
		abort();
	r = hydra_archive_check(path, "fuzz", archive_read_support_filter_all, &c);
	if (!empty_dir()) {
		fprintf(stderr, "hydra_archive_check wrote into '%s'\n", dir);
		abort();
	}
	if (fchdir(here) < 0)
		abort();
	/* What it counted adds up. */
	if (!r && (c.hard_links > c.entries || c.largest > c.bytes))
		abort();
	return 0;
}
