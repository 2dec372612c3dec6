/* Unpacking a .deb made here with libarchive: wanted members only, nothing outside DEST. */
#include <errno.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "build/deb.h"
#include "harness.h"

struct member {
	const char *path;
	const char *data;      /* file contents, or NULL for a directory */
	const char *symlink;   /* symlink target */
	const char *hardlink;  /* hard link target */
};

static void add(struct archive *a, const struct member *m)
{
	struct archive_entry *e = archive_entry_new();
	size_t len = m->data ? strlen(m->data) : 0;

	archive_entry_set_pathname(e, m->path);
	archive_entry_set_mtime(e, 1700000000, 0);
	if (m->symlink) {
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_perm(e, 0777);
		archive_entry_set_symlink(e, m->symlink);
	} else if (m->hardlink) {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_hardlink(e, m->hardlink);
	} else if (m->data) {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)len);
	} else {
		archive_entry_set_filetype(e, AE_IFDIR);
		archive_entry_set_perm(e, 0755);
	}
	EQ_INT(archive_write_header(a, e), ARCHIVE_OK);
	if (len)
		EQ_INT(archive_write_data(a, m->data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

/* An xz-compressed data.tar of MEMBERS in BUF. */
static size_t make_data(const struct member *members, char *buf, size_t cap)
{
	struct archive *a = archive_write_new();
	size_t used = 0;

	archive_write_set_format_gnutar(a);
	archive_write_add_filter_xz(a);
	EQ_INT(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (size_t i = 0; members[i].path; i++)
		add(a, &members[i]);
	EQ_INT(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return used;
}

static void ar_member(struct archive *a, const char *name, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	EQ_INT(archive_write_header(a, e), ARCHIVE_OK);
	EQ_INT(archive_write_data(a, data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

/* A Debian package: ar with debian-binary, control.tar.xz and data.tar.xz (when DATA). */
static void make_deb(const char *path, const struct member *data)
{
	static const struct member control[] = { { "./control", "Package: x\n", NULL, NULL },
						 { NULL, NULL, NULL, NULL } };
	static char buf[1 << 16];
	struct archive *a = archive_write_new();
	size_t len;

	archive_write_set_format_ar_svr4(a);
	EQ_INT(archive_write_open_filename(a, path), ARCHIVE_OK);
	ar_member(a, "debian-binary", "2.0\n", 4);
	len = make_data(control, buf, sizeof(buf));
	ar_member(a, "control.tar.xz", buf, len);
	if (data) {
		len = make_data(data, buf, sizeof(buf));
		ar_member(a, "data.tar.xz", buf, len);
	}
	EQ_INT(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static const char *const prefixes[] = { "boot/vmlinuz-", "lib/modules/", NULL };

static void test_wanted_members(void)
{
	static const struct member data[] = {
		{ "./", NULL, NULL, NULL },
		{ "./boot/", NULL, NULL, NULL },
		{ "./boot/config-6.1.0-9-amd64", "CONFIG_RD_ZSTD=y\n", NULL, NULL },
		{ "./boot/vmlinuz-6.1.0-9-amd64", "a kernel\n", NULL, NULL },
		{ "./lib/modules/6.1.0-9-amd64/", NULL, NULL, NULL },
		{ "./lib/modules/6.1.0-9-amd64/kernel/a.ko", "module a\n", NULL, NULL },
		{ "./lib/modules/6.1.0-9-amd64/kernel/b.ko", NULL, NULL,
		  "./lib/modules/6.1.0-9-amd64/kernel/a.ko" },
		{ "./lib/modules/6.1.0-9-amd64/build", NULL, "/usr/src/linux-headers", NULL },
		{ "./usr/share/doc/linux-image/changelog", "changes\n", NULL, NULL },
		{ NULL, NULL, NULL, NULL },
	};
	char *text = NULL;
	struct stat a, b;

	make_deb("k.deb", data);
	OK(mkdir("dest", 0755) == 0);
	EQ_INT(hydra_deb_extract("k.deb", prefixes, "dest"), 0);
	EQ_INT(hydra_read_file("dest/boot/vmlinuz-6.1.0-9-amd64", &text, NULL), 0);
	EQ_STR(text, "a kernel\n");
	free(text);
	OK(stat("dest/lib/modules/6.1.0-9-amd64/kernel/a.ko", &a) == 0);
	OK(stat("dest/lib/modules/6.1.0-9-amd64/kernel/b.ko", &b) == 0);
	EQ_INT(a.st_ino, b.st_ino);
	OK(lstat("dest/lib/modules/6.1.0-9-amd64/build", &a) == 0 && S_ISLNK(a.st_mode));
	OK(access("dest/boot/config-6.1.0-9-amd64", F_OK) < 0);
	OK(access("dest/usr", F_OK) < 0);
}

static void test_climbing_out(void)
{
	static const struct member dotdot[] = {
		{ "./lib/modules/../../evil", "out\n", NULL, NULL },
		{ NULL, NULL, NULL, NULL },
	};
	static const struct member through_link[] = {
		{ "./lib/modules/6.1/esc", NULL, "../../../outside", NULL },
		{ "./lib/modules/6.1/esc/evil", "out\n", NULL, NULL },
		{ NULL, NULL, NULL, NULL },
	};

	OK(mkdir("outside", 0755) == 0);
	OK(mkdir("a", 0755) == 0);
	OK(mkdir("a/dest", 0755) == 0);
	make_deb("dotdot.deb", dotdot);
	EQ_INT(hydra_deb_extract("dotdot.deb", prefixes, "a/dest"), -EINVAL);
	CONTAINS(t_log, "refusing './lib/modules/../../evil' in 'dotdot.deb'");
	OK(access("a/evil", F_OK) < 0);
	make_deb("link.deb", through_link);
	OK(hydra_deb_extract("link.deb", prefixes, "a/dest") < 0);
	CONTAINS(t_log, "cannot unpack 'lib/modules/6.1/esc/evil' from 'link.deb'");
	OK(access("outside/evil", F_OK) < 0);
}

static void test_not_a_deb(void)
{
	OK(mkdir("dest", 0755) == 0);
	make_deb("nodata.deb", NULL);
	EQ_INT(hydra_deb_extract("nodata.deb", prefixes, "dest"), -EIO);
	CONTAINS(t_log, "'nodata.deb' is not a Debian package: no data.tar member");
	EQ_INT(hydra_write_file_atomic("junk.deb", "junk", 4, 0644), 0);
	EQ_INT(hydra_deb_extract("junk.deb", prefixes, "dest"), -EIO);
	EQ_INT(hydra_deb_extract("nosuch.deb", prefixes, "dest"), -EIO);
	CONTAINS(t_log, "cannot open 'nosuch.deb'");
}

int main(void)
{
	RUN(test_wanted_members);
	RUN(test_climbing_out);
	RUN(test_not_a_deb);
	TESTS_END();
}
