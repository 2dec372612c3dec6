/*
 * Overlays: a faithful, reproducible round trip, hostile archives refused
 * whole, and links of the root kept and followed inside it.
 */
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

/* Refused with nothing at all written: not the link, not the entry after it. */
static void refused_nothing(const char *why)
{
	OK(mkdir("dest", 0755) == 0);
	EQ_INT(hydra_overlay_apply("evil.tar", "dest"), -EPERM);
	CONTAINS(t_log, why);
	EQ_INT(sh("[ -z \"$(ls -A dest)\" ]"), 0);
	EQ_INT(sh("rm -rf dest"), 0);
	t_log[0] = '\0';
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

/* A Debian 12 root as far as overlays care: merged /usr, absolute and relative links. */
static void make_root(void)
{
	OK(t_write("dest/usr/lib/systemd/systemd", "init\n") == 0);
	OK(t_write("dest/usr/share/issue", "packaged\n") == 0);
	OK(t_write("dest/etc/motd", "motd\n") == 0);
	OK(hydra_mkdir_p("dest/usr/bin", 0755) == 0);
	OK(symlink("usr/lib", "dest/lib") == 0);
	OK(symlink("usr/bin", "dest/bin") == 0);
	OK(symlink("/usr/share", "dest/etc/alt") == 0);
	OK(symlink("../usr/share/issue", "dest/etc/issue") == 0);
	OK(symlink("/nowhere", "dest/etc/gone") == 0);
	OK(symlink("motd", "dest/etc/to-file") == 0);
}

static void is_link(const char *path, const char *target)
{
	char link[256] = "";

	if (readlink(path, link, sizeof(link) - 1) < 0)
		FAIL_("%s is not a link any more", path);
	else
		EQ_STR(link, target);
}

static void has_text(const char *path, const char *want)
{
	char *text = NULL;

	EQ_INT(hydra_read_file(path, &text, NULL), 0);
	EQ_STR(text, want);
	free(text);
}

static void test_over_root_links(void)
{
	struct stat st;

	make_root();
	OK(t_write("src/lib/systemd/system/site.service", "[Unit]\n") == 0);
	OK(t_write("src/etc/alt/x", "x\n") == 0);
	OK(t_write("src/etc/issue", "site\n") == 0);
	OK(t_write("src/bin/site-tool", "#!/bin/sh\n") == 0);
	OK(t_write("src/etc/gone/f", "f\n") == 0);
	OK(t_write("src/etc/to-file/f", "f\n") == 0);
	EQ_INT(hydra_overlay_pack("src", "o.tar", 1700000000), 0);
	EQ_INT(hydra_overlay_apply("o.tar", "dest"), 0);
	/* Links to directories are kept and followed, inside the root. */
	is_link("dest/lib", "usr/lib");
	has_text("dest/usr/lib/systemd/systemd", "init\n");
	has_text("dest/lib/systemd/systemd", "init\n");
	has_text("dest/usr/lib/systemd/system/site.service", "[Unit]\n");
	is_link("dest/etc/alt", "/usr/share");
	has_text("dest/usr/share/x", "x\n");
	is_link("dest/bin", "usr/bin");
	has_text("dest/usr/bin/site-tool", "#!/bin/sh\n");
	/* A file named by the overlay replaces the link there, not what it points to. */
	OK(lstat("dest/etc/issue", &st) == 0 && S_ISREG(st.st_mode));
	has_text("dest/etc/issue", "site\n");
	has_text("dest/usr/share/issue", "packaged\n");
	/* A link to no directory gives way to the overlay's directory; its target stays. */
	has_text("dest/etc/gone/f", "f\n");
	has_text("dest/etc/to-file/f", "f\n");
	has_text("dest/etc/motd", "motd\n");
}

static void test_hard_link_over_root_links(void)
{
	struct stat a, b;

	OK(hydra_mkdir_p("dest/usr/etc", 0755) == 0);
	OK(hydra_mkdir_p("dest/usr/lib", 0755) == 0);
	OK(symlink("usr/etc", "dest/etc") == 0);
	OK(symlink("usr/lib", "dest/lib") == 0);
	hostile("lib/h", AE_IFREG, NULL, "etc/harmless");
	EQ_INT(hydra_overlay_apply("evil.tar", "dest"), 0);
	is_link("dest/etc", "usr/etc");
	is_link("dest/lib", "usr/lib");
	OK(stat("dest/usr/etc/harmless", &a) == 0 && stat("dest/usr/lib/h", &b) == 0);
	EQ_INT(a.st_ino, b.st_ino);
}

/* The names in the test's directory, the parent of dest, one a line. */
static const char *listing(void)
{
	int status;

	return sh_output("ls -A", &status);
}

static void test_links_stay_inside(void)
{
	char before[16384];

	OK(t_write("dest/etc/motd", "motd\n") == 0);
	OK(symlink("..", "dest/up") == 0);
	OK(symlink("/..", "dest/etc/top") == 0);
	OK(symlink("../../../../../../..", "dest/etc/deep") == 0);
	OK(t_write("src/up/u", "u\n") == 0);
	OK(t_write("src/etc/top/t", "t\n") == 0);
	OK(t_write("src/etc/deep/d", "d\n") == 0);
	EQ_INT(hydra_overlay_pack("src", "o.tar", 1700000000), 0);
	snprintf(before, sizeof(before), "%s", listing());
	EQ_INT(hydra_overlay_apply("o.tar", "dest"), 0);
	/* ".." of the root is the root, as in a chroot: all three land in dest. */
	has_text("dest/u", "u\n");
	has_text("dest/t", "t\n");
	has_text("dest/d", "d\n");
	is_link("dest/up", "..");
	is_link("dest/etc/top", "/..");
	is_link("dest/etc/deep", "../../../../../../..");
	EQ_STR(listing(), before);
}

static void test_link_loop(void)
{
	OK(hydra_mkdir_p("dest", 0755) == 0);
	OK(symlink("b", "dest/a") == 0);
	OK(symlink("a", "dest/b") == 0);
	OK(t_write("src/a/x", "x\n") == 0);
	EQ_INT(hydra_overlay_pack("src", "o.tar", 1700000000), 0);
	EQ_INT(hydra_overlay_apply("o.tar", "dest"), -ELOOP);
	CONTAINS(t_log, "cannot lay 'a");
	is_link("dest/a", "b");
	is_link("dest/b", "a");
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

/*
 * An overlay is a plain tar: hydra-init reads no compressed one (it links
 * no decompressor), while a caller that names a filter, as snapshots do,
 * reads the same tar compressed, entry for entry.
 */
static void test_compressed(void)
{
	struct hydra_archive_count plain, zst;

	make_tree();
	EQ_INT(hydra_overlay_pack("src", "o.tar", 1), 0);
	EQ_INT(sh("zstd -q -k o.tar"), 0);
	OK(mkdir("dest", 0755) == 0);
	OK(hydra_overlay_apply("o.tar.zst", "dest") < 0);
	CONTAINS(t_log, "cannot open overlay 'o.tar.zst'");
	EQ_INT(sh("[ -z \"$(ls -A dest)\" ]"), 0);
	OK(hydra_archive_check("o.tar.zst", "overlay", NULL, NULL) < 0);
	EQ_INT(hydra_archive_check("o.tar", "overlay", NULL, &plain), 0);
	EQ_INT(hydra_archive_check("o.tar.zst", "snapshot", archive_read_support_filter_zstd, &zst),
	       0);
	OK(plain.entries > 5);
	EQ_INT(zst.entries, plain.entries);
	EQ_INT(zst.bytes, plain.bytes);
}

/* A tar of (path, type, link target) entries, nothing else. */
struct spec {
	const char *path;
	mode_t type;
	const char *symlink_to, *hardlink_to;
};

static void write_tar(const struct spec *v, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	archive_write_set_format_pax_restricted(a);
	archive_write_open_filename(a, "evil.tar");
	for (size_t i = 0; i < n; i++) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, v[i].path);
		archive_entry_set_filetype(e, v[i].type);
		archive_entry_set_perm(e, 0644);
		if (v[i].symlink_to)
			archive_entry_set_symlink(e, v[i].symlink_to);
		if (v[i].hardlink_to)
			archive_entry_set_hardlink(e, v[i].hardlink_to);
		archive_entry_set_size(e, v[i].type == AE_IFREG && !v[i].hardlink_to ? 3 : 0);
		archive_write_header(a, e);
		if (v[i].type == AE_IFREG && !v[i].hardlink_to)
			archive_write_data(a, "ok\n", 3);
	}
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
}

/*
 * Paths compared as written let these through the check, to be stopped (or
 * not) by libarchive after the link was already laid: each spelling is one
 * path and each is refused before anything is written.
 */
static void test_spellings_of_one_path(void)
{
	static const struct spec dot[] = { { "a", AE_IFLNK, "/etc", NULL },
					   { "./a/x", AE_IFREG, NULL, NULL } };
	static const struct spec slash[] = { { "a/", AE_IFLNK, "/etc", NULL },
					     { "a/x", AE_IFREG, NULL, NULL } };
	static const struct spec inner[] = { { "d/a", AE_IFLNK, "/etc", NULL },
					     { "d/./a/x", AE_IFREG, NULL, NULL } };
	static const struct spec twice[] = { { "a", AE_IFLNK, "/etc", NULL },
					     { "a//x", AE_IFREG, NULL, NULL } };
	static const struct spec hard[] = { { "a", AE_IFLNK, "/etc", NULL },
					    { "h", AE_IFREG, NULL, "./a/passwd" } };
	static const struct spec abs[] = { { "//etc/x", AE_IFREG, NULL, NULL } };

	write_tar(dot, 2);
	refused_nothing("it lies under a symbolic link of the same archive");
	write_tar(slash, 2);
	refused_nothing("it lies under a symbolic link of the same archive");
	write_tar(inner, 2);
	refused_nothing("it lies under a symbolic link of the same archive");
	write_tar(twice, 2);
	refused_nothing("it lies under a symbolic link of the same archive");
	write_tar(hard, 2);
	refused_nothing("a hard link through a symbolic link of the same archive");
	write_tar(abs, 1);
	refused_nothing("it is absolute");
}

int main(void)
{
	RUN(test_round_trip);
	RUN(test_reproducible);
	RUN(test_hostile_archives);
	RUN(test_entry_under_link);
	RUN(test_truncated);
	RUN(test_compressed);
	RUN(test_over_root_links);
	RUN(test_hard_link_over_root_links);
	RUN(test_links_stay_inside);
	RUN(test_link_loop);
	RUN(test_spellings_of_one_path);
	TESTS_END();
}
