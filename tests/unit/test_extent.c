/* Data extents of sparse files, checked by rebuilding the file from them and comparing with cmp. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

#include "base/extent.h"
#include "harness.h"

#define MIB (1024ULL * 1024)

/* A copy of SRC holding only its extents: equal to SRC when the gaps really are zeros. */
static int rebuild(const char *src, const char *dst, const struct hydra_extent *e, size_t n,
		   uint64_t size)
{
	int in = open(src, O_RDONLY), out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644), r = 0;
	char *buf = malloc(MIB);

	if (in < 0 || out < 0 || !buf || ftruncate(out, (off_t)size) < 0)
		r = -1;
	for (size_t i = 0; !r && i < n; i++)
		for (uint64_t off = e[i].off; !r && off < e[i].off + e[i].len; off += MIB) {
			size_t len = e[i].off + e[i].len - off < MIB ? e[i].off + e[i].len - off : MIB;

			if (pread(in, buf, len, (off_t)off) != (ssize_t)len ||
			    pwrite(out, buf, len, (off_t)off) != (ssize_t)len)
				r = -1;
		}
	free(buf);
	close(in);
	close(out);
	return r;
}

static void test_sparse_file(void)
{
	struct hydra_extent *e = NULL;
	uint64_t data = 0;
	size_t n = 0;
	int fd;

	/* Data at 0, at 5 MiB + 100 and at the very end; a file system without holes is fine too. */
	EQ_INT(sh("truncate -s 64M f && printf head | dd of=f conv=notrunc status=none && "
		  "head -c 300000 /dev/urandom | dd of=f bs=1 seek=$((5*1048576+100)) conv=notrunc status=none && "
		  "printf tail | dd of=f bs=1 seek=$((64*1048576-4)) conv=notrunc status=none"), 0);
	fd = open("f", O_RDONLY);
	OK(fd >= 0);
	EQ_INT(hydra_extent_map(fd, 64 * MIB, MIB, &e, &n), 0);
	close(fd);
	OK(n >= 1);
	for (size_t i = 0; i < n; i++) {
		EQ_INT(e[i].off % MIB, 0);
		OK(e[i].off + e[i].len <= 64 * MIB);
		if (i)
			OK(e[i].off > e[i - 1].off + e[i - 1].len);
		data += e[i].len;
	}
	EQ_INT(e[0].off, 0);
	EQ_INT(e[n - 1].off + e[n - 1].len, 64 * MIB);
	EQ_INT(rebuild("f", "g", e, n, 64 * MIB), 0);
	EQ_INT(sh("cmp f g"), 0);
	/* On a file system with holes (as in the test directory), little of it is data. */
	if (sh("test $(du -k f | cut -f1) -lt 8192") == 0)
		OK(data <= 4 * MIB);
	free(e);
}

static void test_empty_and_unaligned_end(void)
{
	struct hydra_extent *e = NULL;
	size_t n = 99;
	int fd;

	EQ_INT(sh("truncate -s 10M empty && truncate -s 3000000 odd && "
		  "printf x | dd of=odd bs=1 seek=2999999 conv=notrunc status=none"), 0);
	fd = open("empty", O_RDONLY);
	EQ_INT(hydra_extent_map(fd, 10 * MIB, MIB, &e, &n), 0);
	close(fd);
	if (sh("test $(du -k empty | cut -f1) -eq 0") == 0) {
		EQ_INT(n, 0);
		OK(e == NULL);
	}
	free(e);
	fd = open("odd", O_RDONLY);
	EQ_INT(hydra_extent_map(fd, 3000000, MIB, &e, &n), 0);
	close(fd);
	OK(n >= 1);
	if (n >= 1)
		EQ_INT(e[n - 1].off + e[n - 1].len, 3000000);
	EQ_INT(rebuild("odd", "odd2", e, n, 3000000), 0);
	EQ_INT(sh("cmp odd odd2"), 0);
	free(e);
}

static void test_is_zero(void)
{
	unsigned char *buf = calloc(1, 3 * MIB + 7);

	OK(hydra_is_zero(buf, 3 * MIB + 7));
	OK(hydra_is_zero(buf, 0));
	buf[3 * MIB + 6] = 1;
	OK(!hydra_is_zero(buf, 3 * MIB + 7));
	OK(hydra_is_zero(buf, 3 * MIB + 6));
	buf[4095] = 1;
	OK(!hydra_is_zero(buf, 4096));
	free(buf);
}

int main(void)
{
	RUN(test_sparse_file);
	RUN(test_empty_and_unaligned_end);
	RUN(test_is_zero);
	TESTS_END();
}
