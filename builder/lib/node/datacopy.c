/* Copying the data layer at file level with libarchive, and checking the copy. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/hydra.h"
#include "base/util.h"
#include "node/datacopy.h"

/*
 * No ARCHIVE_EXTRACT_SPARSE: it scans every block for zeros. Holes come
 * as gaps between the offsets of the data blocks (read_disk's map, a pax
 * sparse entry), and write_disk leaves a gap unwritten.
 */
unsigned hydra_data_extract_flags(void)
{
	return ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
	       ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_FFLAGS |
	       ARCHIVE_EXTRACT_SECURE_NODOTDOT |
	       ARCHIVE_EXTRACT_SECURE_SYMLINKS;
}

/* SRC/sub/file becomes PREFIX/sub/file; SRC itself PREFIX, or "." when PREFIX is "". */
static int rename_entry(struct archive_entry *e, const char *src, const char *prefix)
{
	const char *path = archive_entry_pathname(e), *rel;
	size_t n = strlen(src);
	char *name;

	if (!path || strncmp(path, src, n) || (path[n] && path[n] != '/'))
		return -EINVAL;
	rel = path[n] ? path + n + 1 : "";
	if (!*rel)
		name = strdup(*prefix ? prefix : ".");
	else
		name = *prefix ? hydra_path_join(prefix, rel) : strdup(rel);
	if (!name)
		return -ENOMEM;
	archive_entry_copy_pathname(e, name);
	free(name);
	return 0;
}

/* A hole, streamed as zeros into an archive writer (the pax writer drops them again). */
static int write_zeros(struct archive *out, la_int64_t n)
{
	static const char zeros[65536];

	while (n > 0) {
		size_t k = n < (la_int64_t)sizeof(zeros) ? (size_t)n : sizeof(zeros);

		if (archive_write_data(out, zeros, k) < 0)
			return -EIO;
		n -= (la_int64_t)k;
	}
	return 0;
}

static int write_data(struct archive *in, struct archive *out, int to_disk,
		      struct archive_entry *e)
{
	const void *buf;
	size_t len;
	la_int64_t off, at = 0;
	int ar, r = 0;

	while (!r && (ar = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK) {
		if (to_disk) {
			r = archive_write_data_block(out, buf, len, off) < ARCHIVE_OK ? -EIO : 0;
			continue;
		}
		r = write_zeros(out, off - at);
		if (!r && archive_write_data(out, buf, len) < 0)
			r = -EIO;
		at = off + (la_int64_t)len;
	}
	if (r)
		return r;
	/* A file that ends in a hole: the archive still needs its full size. */
	if (!to_disk && ar == ARCHIVE_EOF)
		r = write_zeros(out, archive_entry_size(e) - at);
	return r ? r : ar == ARCHIVE_EOF ? 0 : -EIO;
}

/* One entry out, with its data unless it is a second name of a hard link. */
static int put_entry(struct archive *in, struct archive *out, int to_disk,
		     struct archive_entry *e)
{
	int r = 0;

	if (archive_write_header(out, e) < ARCHIVE_WARN) {
		hydra_err("cannot write '%s': %s", archive_entry_pathname(e),
			  archive_error_string(out));
		return -EIO;
	}
	if (archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e) &&
	    archive_entry_size(e) > 0)
		r = write_data(in, out, to_disk, e);
	if (r)
		hydra_err("cannot copy the data of '%s': %s", archive_entry_pathname(e),
			  archive_error_string(out) ? archive_error_string(out) :
			  archive_error_string(in) ? archive_error_string(in) : strerror(-r));
	if (!r && archive_write_finish_entry(out) < ARCHIVE_WARN)
		r = -EIO;
	return r;
}

static struct archive *open_disk(const char *src)
{
	struct archive *in = archive_read_disk_new();

	if (!in)
		return NULL;
	archive_read_disk_set_symlink_physical(in);
	archive_read_disk_set_behavior(in, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
	if (archive_read_disk_open(in, src) != ARCHIVE_OK) {
		hydra_err("cannot read '%s': %s", src, archive_error_string(in));
		archive_read_free(in);
		return NULL;
	}
	return in;
}

int hydra_tree_stream(const char *src, struct archive *out, const char *prefix, int to_disk,
		      hydra_progress_fn progress, void *ud)
{
	struct archive *in = open_disk(src);
	struct archive_entry_linkresolver *links = archive_entry_linkresolver_new();
	struct archive_entry *e = NULL, *spare = NULL;
	uint64_t done = 0;
	int r = in && links ? 0 : -EIO, ar = ARCHIVE_OK;

	if (links)
		archive_entry_linkresolver_set_strategy(links, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
	while (!r && (e = archive_entry_new()) &&
	       (ar = archive_read_next_header2(in, e)) == ARCHIVE_OK) {
		if (archive_read_disk_can_descend(in))
			archive_read_disk_descend(in);
		r = rename_entry(e, src, prefix);
		/* An archive holds what is below the root; the root is the volume's own. */
		if (!r && !*prefix && !strcmp(archive_entry_pathname(e), ".")) {
			archive_entry_free(e);
			e = NULL;
			continue;
		}
		/* The first name of a file with several carries the data; the others link to it. */
		archive_entry_linkify(links, &e, &spare);
		if (!r && e)
			r = put_entry(in, out, to_disk, e);
		if (!r && e && progress && progress(0, ++done, ud))
			r = -ECANCELED;
		archive_entry_free(e);
		archive_entry_free(spare);
		e = spare = NULL;
	}
	if (!r && ar != ARCHIVE_EOF) {
		hydra_err("cannot read '%s': %s", src, in ? archive_error_string(in) : "");
		r = -EIO;
	}
	archive_entry_free(e);
	archive_entry_linkresolver_free(links);
	if (in)
		archive_read_free(in);
	return r;
}

static int count_one(const char *full, const char *rel, const struct stat *st, void *ud)
{
	struct hydra_tree_count *c = ud;

	(void)full;
	(void)rel;
	c->entries++;
	if (S_ISREG(st->st_mode))
		c->bytes += (uint64_t)st->st_size;
	return 0;
}

int hydra_tree_count(const char *root, struct hydra_tree_count *c)
{
	memset(c, 0, sizeof(*c));
	return hydra_walk(root, count_one, c);
}

int hydra_data_copy(const char *src, const char *dst, hydra_progress_fn progress, void *ud)
{
	struct archive *disk = archive_write_disk_new();
	struct hydra_tree_count a, b;
	int r = disk ? 0 : -ENOMEM;

	if (!r)
		r = archive_write_disk_set_options(disk, (int)hydra_data_extract_flags());
	if (!r)
		r = hydra_tree_stream(src, disk, dst, 1, progress, ud);
	if (!r && archive_write_close(disk) != ARCHIVE_OK) {
		hydra_err("cannot finish the copy into '%s': %s", dst, archive_error_string(disk));
		r = -EIO;
	}
	if (disk)
		archive_write_free(disk);
	if (!r)
		r = hydra_tree_count(src, &a);
	if (!r)
		r = hydra_tree_count(dst, &b);
	if (!r && (a.entries != b.entries || a.bytes != b.bytes)) {
		hydra_err("the copy in '%s' differs from '%s': %llu entries and %llu bytes, "
			  "not %llu and %llu", dst, src, (unsigned long long)b.entries,
			  (unsigned long long)b.bytes, (unsigned long long)a.entries,
			  (unsigned long long)a.bytes);
		r = -EBADMSG;
	}
	return r;
}
