/* cpio newc archives with libarchive: sorted, owned by root, one time for all. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/hydra.h"
#include "base/tree.h"
#include "format/cpio.h"

/* The console the kernel opens for init: a device node needs no root in an archive. */
static int add_console(struct archive *a, int64_t epoch)
{
	struct archive_entry *e = archive_entry_new();
	int r = 0;

	if (!e)
		return -ENOMEM;
	archive_entry_set_pathname(e, "dev/console");
	archive_entry_set_mode(e, S_IFCHR | 0600);
	archive_entry_set_rdev(e, makedev(5, 1));
	archive_entry_set_mtime(e, epoch, 0);
	archive_entry_set_ino(e, 1u << 30);
	archive_entry_set_nlink(e, 1);
	archive_entry_set_size(e, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		hydra_err("cannot add dev/console: %s", archive_error_string(a));
		r = -EIO;
	}
	archive_entry_free(e);
	return r;
}

int hydra_cpio_write(const char *src, const char *out, int64_t epoch, unsigned flags)
{
	struct archive *a = archive_write_new();
	int r;

	if (!a)
		return -ENOMEM;
	archive_write_set_format_cpio_newc(a);
	if (flags & F_CPIO_ZSTD) {
		archive_write_add_filter_zstd(a);
		archive_write_set_filter_option(a, "zstd", "compression-level", "9");
	}
	r = hydra_tree_open(a, out);
	if (!r) {
		r = hydra_tree_archive(a, src, epoch, F_TREE_INODES);
		if (!r && (flags & F_CPIO_CONSOLE))
			r = add_console(a, epoch);
		r = hydra_tree_finish(a, out, r);
	}
	archive_write_free(a);
	return r;
}
