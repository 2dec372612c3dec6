/* Overlays: a faithful, reproducible round trip, and hostile archives refused whole. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <archive.h>
#include <archive_entry.h>

#include "harness.h"
#include "node/overlay.h"

static void make_tree(void)
{
	OK(t_write("src/etc/motd", "hello\n") == 0);
	OK(t_write("src/etc/hydra/README", "overlay\n") == 0);
	OK(t_write("src/usr/local/bin/tool", "#!/bin/sh\n") == 0);
	OK(chmod("src/usr/local/bin/tool", 0755) == 0);
	OK(symlink("/usr/share/zoneinfo/UTC", "src/etc/localtime") == 0);
	OK(symlink("hydra/README", "src/etc/readme") == 0);
}

static void test_round_trip(void)
{
	char link[256] = "";
	struct stat st;
	char *text = NULL;

	make_tree();
	EQ_INT(hydra_overlay_pack("src", "o.tar", 1700000000), 0);
	OK(mkdir("dest", 0755) == 0);
	EQ_INT(hydra_overlay_apply("o.tar", "dest"), 0);
	EQ_INT(hydra_read_file("dest/etc/motd", &text, NULL), 0);
	EQ_STR(text, "hello\n");
	free(text);
	OK(stat("dest/usr/local/bin/tool", &st) == 0 && (st.st_mode & 0777) == 0755);
	EQ_INT(st.st_mtime, 1700000000);
	OK(readlink("dest/etc/localtime", link, sizeof(link) - 1) > 0);
	EQ_STR(link, "/usr/share/zoneinfo/UTC");
	/* Owners are root whoever packed it: tar itself says so. */
	EQ_INT(system("tar -tvf o.tar | grep -v -q 'root/root' && exit 1 || exit 0"), 0);
}

static void test_reproducible(void)
{
	unsigned char a[HYDRA_SHA256_LEN], b[HYDRA_SHA256_LEN];

	make_tree();
	EQ_INT(hydra_overlay_pack("src", "1.tar", 42), 0);
	OK(utimensat(AT_FDCWD, "src/etc/motd", NULL, 0) == 0);
	EQ_INT(hydra_overlay_pack("src", "2.tar", 42), 0);
	EQ_INT(hydra_sha256_file("1.tar", a, NULL), 0);
	EQ_INT(hydra_sha256_file("2.tar", b, NULL), 0);
	OK(!memcmp(a, b, sizeof(a)));
}

/* Write a tar with one hostile ENTRY after a harmless file. */
static void hostile(const char *path, mode_t type, const char *symlink_to, const char *hardlink_to)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	archive_write_set_format_pax_restricted(a);
	archive_write_open_filename(a, "evil.tar");
	archive_entry_set_pathname(e, "etc/harmless");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 3);
	archive_write_header(a, e);
	archive_write_data(a, "ok\n", 3);
	archive_entry_clear(e);
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, 0644);
	if (type == AE_IFCHR)
		archive_entry_set_rdev(e, makedev(1, 3));
	if (symlink_to)
		archive_entry_set_symlink(e, symlink_to);
	if (hardlink_to)
		archive_entry_set_hardlink(e, hardlink_to);
	archive_write_header(a, e);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
}

static void refused(const char *why)
{
	OK(mkdir("dest", 0755) == 0);
	EQ_INT(hydra_overlay_apply("evil.tar", "dest"), -EPERM);
	CONTAINS(t_log, why);
	/* Nothing written, the harmless entry before the hostile one included. */
	OK(access("dest/etc", F_OK) != 0);
	rmdir("dest");
	t_log[0] = '\0';
}

static void test_hostile_archives(void)
{
	hostile("../evil", AE_IFREG, NULL, NULL);
	refused("entry '../evil': it is absolute or climbs out");
	hostile("etc/../../evil", AE_IFREG, NULL, NULL);
	refused("climbs out");
	hostile("/etc/evil", AE_IFREG, NULL, NULL);
	refused("entry '/etc/evil': it is absolute");
	hostile("dev/null", AE_IFCHR, NULL, NULL);
	refused("device node");
	hostile("run/fifo", AE_IFIFO, NULL, NULL);
	refused("FIFO");
	hostile("etc/escape", AE_IFLNK, "../../../etc/shadow", NULL);
	refused("a symbolic link that leaves the tree");
	hostile("etc/hard", AE_IFREG, NULL, "../outside");
	refused("a hard link to a path outside the tree");
}

static void test_entry_under_link(void)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	archive_write_set_format_pax_restricted(a);
	archive_write_open_filename(a, "evil.tar");
	archive_entry_set_pathname(e, "etc/d");
	archive_entry_set_filetype(e, AE_IFLNK);
	archive_entry_set_symlink(e, "/tmp");
	archive_write_header(a, e);
	archive_entry_clear(e);
	archive_entry_set_pathname(e, "etc/d/planted");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_write_header(a, e);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	refused("it lies under a symbolic link of the same archive");
}

static void test_truncated(void)
{
	make_tree();
	EQ_INT(hydra_overlay_pack("src", "o.tar", 1), 0);
	OK(truncate("o.tar", 1536) == 0);
	OK(mkdir("dest", 0755) == 0);
	OK(hydra_overlay_apply("o.tar", "dest") < 0);
	CONTAINS(t_log, "damaged");
}

int main(void)
{
	RUN(test_round_trip);
	RUN(test_reproducible);
	RUN(test_hostile_archives);
	RUN(test_entry_under_link);
	RUN(test_truncated);
	TESTS_END();
}
