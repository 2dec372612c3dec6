/* Configuration overlays: packed as tar at build time, laid over the root at boot. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/hydra.h"
#include "base/tree.h"
#include "base/util.h"
#include "node/overlay.h"

int hydra_overlay_pack(const char *src, const char *out, int64_t epoch)
{
	struct archive *a = archive_write_new();
	int r;

	if (!a)
		return -ENOMEM;
	archive_write_set_format_pax_restricted(a);
	r = hydra_tree_open(a, out);
	if (!r)
		r = hydra_tree_finish(a, out, hydra_tree_archive(a, src, epoch, F_TREE_PLAIN));
	archive_write_free(a);
	return r;
}

/* A path inside the tree: relative, no "..", nothing empty. */
static int path_inside(const char *p)
{
	if (!*p || *p == '/')
		return 0;
	for (const char *c = p;;) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return 0;
		if (!c[n])
			return 1;
		c += n + 1;
	}
}

/* Does TARGET, read from the directory of the link at PATH, climb above the root? */
static int link_escapes(const char *path, const char *target)
{
	int depth = 0;

	if (target[0] == '/')
		return 0;  /* resolved inside the new root at boot */
	for (const char *c = path; *c; c++)
		if (*c == '/')
			depth++;
	for (const char *c = target;;) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			depth--;
		else if (n && !(n == 1 && c[0] == '.'))
			depth++;
		if (depth < 0)
			return 1;
		if (!c[n])
			return 0;
		c += n + 1;
	}
}

static const char *entry_problem(struct archive_entry *e, char **linkdirs, size_t n_linkdirs)
{
	const char *path = archive_entry_pathname(e), *hard = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);

	if (!path || !path_inside(strncmp(path, "./", 2) ? path : path + 2))
		return "it is absolute or climbs out of the tree with '..'";
	if (hard)
		return path_inside(strncmp(hard, "./", 2) ? hard : hard + 2) ? NULL :
		       "a hard link to a path outside the tree";
	if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return "only files, directories and links are allowed (device node, FIFO or socket)";
	if (type == AE_IFLNK && link_escapes(path, archive_entry_symlink(e)))
		return "a symbolic link that leaves the tree";
	for (size_t i = 0; i < n_linkdirs; i++) {
		size_t n = strlen(linkdirs[i]);

		if (!strncmp(path, linkdirs[i], n) && path[n] == '/')
			return "it lies under a symbolic link of the same archive";
	}
	return NULL;
}

/* First pass: read every header; refuse the archive before anything is written. */
static int check_archive(const char *tar, const char *kind)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char **links = NULL;
	size_t n_links = 0;
	int r = 0, ar;

	if (!a)
		return -ENOMEM;
	archive_read_support_format_tar(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, tar, 1 << 16) != ARCHIVE_OK) {
		hydra_err("cannot open %s '%s': %s", kind, tar, archive_error_string(a));
		r = -EIO;
		goto out;
	}
	while (!r && (ar = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *why = entry_problem(e, links, n_links);

		if (why) {
			hydra_err("refusing %s '%s': entry '%s': %s", kind, tar,
				  archive_entry_pathname(e), why);
			r = -EPERM;
		} else if (archive_entry_filetype(e) == AE_IFLNK) {
			char **l = realloc(links, (n_links + 1) * sizeof(*l));

			if (!l || !(l[n_links] = strdup(archive_entry_pathname(e)))) {
				r = -ENOMEM;
				if (l)
					links = l;
			} else {
				links = l;
				n_links++;
			}
		}
	}
	if (!r && ar != ARCHIVE_EOF) {
		hydra_err("refusing %s '%s': it is damaged: %s", kind, tar, archive_error_string(a));
		r = -EIO;
	}
out:
	for (size_t i = 0; i < n_links; i++)
		free(links[i]);
	free(links);
	archive_read_free(a);
	return r;
}

static int extract(const char *tar, const char *dest)
{
	struct archive *a = archive_read_new(), *disk = archive_write_disk_new();
	struct archive_entry *e;
	int r = -EIO, ar;

	if (!a || !disk) {
		r = -ENOMEM;
		goto out;
	}
	archive_read_support_format_tar(a);
	archive_read_support_filter_all(a);
	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
					     ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_UNLINK |
					     ARCHIVE_EXTRACT_SECURE_SYMLINKS |
					     ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	if (archive_read_open_filename(a, tar, 1 << 16) != ARCHIVE_OK)
		goto out;
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		char *full = hydra_path_join(dest, name);
		const char *hard = archive_entry_hardlink(e);
		char *hfull = hard ? hydra_path_join(dest, hard) : NULL;
		const void *buf;
		size_t len;
		la_int64_t off;

		if (!full || (hard && !hfull)) {
			free(full);
			free(hfull);
			r = -ENOMEM;
			goto out;
		}
		archive_entry_set_pathname(e, full);
		if (hfull)
			archive_entry_set_hardlink(e, hfull);
		free(full);
		free(hfull);
		if (archive_write_header(disk, e) < ARCHIVE_WARN) {
			hydra_err("cannot lay '%s' from '%s': %s", archive_entry_pathname(e), tar,
				  archive_error_string(disk));
			goto out;
		}
		while ((ar = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
			archive_write_data_block(disk, buf, len, off);
		if (ar != ARCHIVE_EOF) {
			hydra_err("overlay '%s' is damaged: %s", tar, archive_error_string(a));
			goto out;
		}
		archive_write_finish_entry(disk);
	}
	r = ar == ARCHIVE_EOF && archive_write_close(disk) == ARCHIVE_OK ? 0 : -EIO;
out:
	archive_read_free(a);
	archive_write_free(disk);
	return r;
}

/*
 * Reading every header to the end of the archive reads (and decompresses)
 * every byte in between: a truncated or damaged archive fails in that one
 * pass, and a second one would only double the time.
 */
int hydra_archive_check(const char *path, const char *kind)
{
	return check_archive(path, kind);
}

int hydra_overlay_apply(const char *path, const char *dest)
{
	int r = hydra_archive_check(path, "overlay");

	if (!r)
		r = extract(path, dest);
	return r;
}
