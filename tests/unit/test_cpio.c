/* The initramfs archive: cpio newc read back by cpio(1), zstd(1) and libarchive. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <archive.h>
#include <archive_entry.h>

#include "build/initramfs.h"
#include "format/cpio.h"
#include "harness.h"

#define EPOCH 1700000000

static void put(const char *path, const char *text, mode_t mode)
{
	EQ_INT(hydra_mkdir_parent(path), 0);
	EQ_INT(hydra_write_file_atomic(path, text, strlen(text), mode), 0);
}

/* The same tree, made in two different orders, so only sorting makes the archives equal. */
static void make_tree(const char *root, int reverse)
{
	char p[4096];

	if (reverse) {
		snprintf(p, sizeof(p), "%s/lib/modules/6.1/kernel/b.ko", root);
		put(p, "module b\n", 0644);
		snprintf(p, sizeof(p), "%s/init", root);
		put(p, "#!/bin/sh\n", 0755);
	} else {
		snprintf(p, sizeof(p), "%s/init", root);
		put(p, "#!/bin/sh\n", 0755);
		snprintf(p, sizeof(p), "%s/lib/modules/6.1/kernel/b.ko", root);
		put(p, "module b\n", 0644);
	}
	snprintf(p, sizeof(p), "%s/bin/busybox", root);
	put(p, "not really busybox\n", 0755);
	snprintf(p, sizeof(p), "%s/bin/sh", root);
	OK(symlink("busybox", p) == 0);
	snprintf(p, sizeof(p), "%s/dev", root);
	EQ_INT(hydra_mkdir_p(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/etc/hydra/modules", root);
	put(p, "kernel/b.ko\n", 0644);
}

/* Output of a shell command; the command must succeed. */
static const char *run(const char *cmd)
{
	int status;
	const char *out = sh_output(cmd, &status);

	if (status != 0)
		FAIL_("command failed: %s", cmd);
	return out;
}

static void hash(const char *path, char hex[HYDRA_SHA256_HEX])
{
	unsigned char d[HYDRA_SHA256_LEN];

	EQ_INT(hydra_sha256_file(path, d, NULL), 0);
	hydra_hex(d, sizeof(d), hex);
}

static void test_listed_by_cpio(void)
{
	const char *list;

	if (hydra_tool_require("cpio"))
		SKIP("no cpio (Debian package cpio)");
	make_tree("root", 0);
	EQ_INT(hydra_cpio_write("root", "out.cpio", EPOCH, F_CPIO_CONSOLE), 0);
	OK(access("out.cpio.tmp", F_OK) < 0);
	list = run("cpio -t --quiet < out.cpio");
	EQ_STR(list, "bin\nbin/busybox\nbin/sh\ndev\netc\netc/hydra\netc/hydra/modules\ninit\n"
		     "lib\nlib/modules\nlib/modules/6.1\nlib/modules/6.1/kernel\n"
		     "lib/modules/6.1/kernel/b.ko\ndev/console\n");
	list = run("cpio -tv --quiet < out.cpio | grep ' dev/console$'");
	OK(!strncmp(list, "crw-------", 10));
	CONTAINS(list, " root ");
	CONTAINS(list, "5,   1");
	/* The archive unpacks, the link stays a link and modes survive. */
	OK(mkdir("x", 0755) == 0);
	run("cd x && cpio -id --quiet --no-absolute-filenames < ../out.cpio 2>&1 || true");
	EQ_STR(run("readlink x/bin/sh"), "busybox\n");
	EQ_STR(run("stat -c %a x/init x/etc/hydra/modules"), "755\n644\n");
}

/* Owners, times and inode numbers come from the archive, not from the tree. */
static void test_metadata(void)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	long long last_ino = 0;
	int n = 0, console = 0;

	make_tree("root", 0);
	OK(chmod("root/init", 0700) == 0);
	EQ_INT(hydra_cpio_write("root", "out.cpio", EPOCH, F_CPIO_CONSOLE), 0);
	archive_read_support_format_cpio(a);
	EQ_INT(archive_read_open_filename(a, "out.cpio", 1 << 16), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		n++;
		EQ_INT(archive_entry_uid(e), 0);
		EQ_INT(archive_entry_gid(e), 0);
		EQ_INT(archive_entry_mtime(e), EPOCH);
		OK(archive_entry_ino64(e) > last_ino);
		last_ino = archive_entry_ino64(e);
		if (!strcmp(archive_entry_pathname(e), "init"))
			EQ_INT(archive_entry_mode(e), S_IFREG | 0700);
		if (!strcmp(archive_entry_pathname(e), "dev/console")) {
			console = 1;
			EQ_INT(archive_entry_filetype(e), AE_IFCHR);
			EQ_INT(archive_entry_rdevmajor(e), 5);
			EQ_INT(archive_entry_rdevminor(e), 1);
		}
	}
	EQ_INT(n, 14);
	OK(console);
	archive_read_free(a);
}

static void test_reproducible(void)
{
	char h1[HYDRA_SHA256_HEX], h2[HYDRA_SHA256_HEX], h3[HYDRA_SHA256_HEX];
	struct timespec ts[2] = { { 1000, 0 }, { 1000, 0 } };

	make_tree("one", 0);
	make_tree("two", 1);
	/* Different times on disk must not show. */
	OK(utimensat(AT_FDCWD, "two/init", ts, 0) == 0);
	EQ_INT(hydra_cpio_write("one", "one.cpio", EPOCH, F_CPIO_CONSOLE), 0);
	EQ_INT(hydra_cpio_write("two", "two.cpio", EPOCH, F_CPIO_CONSOLE), 0);
	hash("one.cpio", h1);
	hash("two.cpio", h2);
	EQ_STR(h1, h2);
	EQ_INT(hydra_cpio_write("one", "one.cpio.zst", EPOCH, F_CPIO_ZSTD), 0);
	EQ_INT(hydra_cpio_write("two", "two.cpio.zst", EPOCH, F_CPIO_ZSTD), 0);
	hash("one.cpio.zst", h1);
	hash("two.cpio.zst", h2);
	EQ_STR(h1, h2);
	/* Another epoch is another archive. */
	EQ_INT(hydra_cpio_write("one", "three.cpio.zst", EPOCH + 1, F_CPIO_ZSTD), 0);
	hash("three.cpio.zst", h3);
	OK(strcmp(h1, h3) != 0);
}

static void test_zstd(void)
{
	const char *list;
	unsigned char magic[4] = { 0 };
	FILE *f;

	if (hydra_tool_require("cpio") || hydra_tool_require("zstd"))
		SKIP("no cpio or zstd (Debian packages cpio, zstd)");
	make_tree("root", 0);
	EQ_INT(hydra_cpio_write("root", "out.cpio.zst", EPOCH, F_CPIO_ZSTD | F_CPIO_CONSOLE), 0);
	f = fopen("out.cpio.zst", "rb");
	OK(f && fread(magic, 1, 4, f) == 4);
	if (f)
		fclose(f);
	/* The zstd frame magic, which the kernel's unpacker looks for. */
	OK(!memcmp(magic, "\x28\xb5\x2f\xfd", 4));
	list = run("zstd -dc out.cpio.zst | cpio -t --quiet");
	CONTAINS(list, "init\n");
	CONTAINS(list, "lib/modules/6.1/kernel/b.ko\n");
	CONTAINS(list, "dev/console\n");
}

static void test_errors(void)
{
	EQ_INT(hydra_cpio_write("nosuch", "out.cpio", EPOCH, 0), -ENOENT);
	CONTAINS(t_log, "cannot read 'nosuch'");
	OK(access("out.cpio", F_OK) < 0);
	OK(access("out.cpio.tmp", F_OK) < 0);
	OK(mkdir("root", 0755) == 0);
	OK(hydra_cpio_write("root", "nodir/out.cpio", EPOCH, 0) < 0);
	CONTAINS(t_log, "cannot write 'nodir/out.cpio.tmp'");
}

int main(void)
{
	RUN(test_listed_by_cpio);
	RUN(test_metadata);
	RUN(test_reproducible);
	RUN(test_zstd);
	RUN(test_errors);
	TESTS_END();
}
