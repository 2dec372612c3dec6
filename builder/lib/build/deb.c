/* A .deb is an ar archive whose data.tar.* member is itself an archive. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/hydra.h"
#include "base/util.h"
#include "build/deb.h"

/* The inner archive reads the data.tar member straight from the outer one. */
struct member {
	struct archive *outer;
	char block[1 << 16];
};

static la_ssize_t read_member(struct archive *inner, void *ud, const void **buf)
{
	struct member *m = ud;

	(void)inner;
	*buf = m->block;
	return archive_read_data(m->outer, m->block, sizeof(m->block));
}

static int climbs(const char *name)
{
	size_t n = strlen(name);

	return !strcmp(name, "..") || !strncmp(name, "../", 3) || strstr(name, "/../") ||
	       (n >= 3 && !strcmp(name + n - 3, "/.."));
}

/* Members are joined under DEST, and so are the hard links between them. */
static int reroot(struct archive_entry *e, const char *deb, const char *dest)
{
	const char *name = archive_entry_pathname(e), *link = archive_entry_hardlink(e);
	char *p;

	if (climbs(name) || (link && climbs(link))) {
		hydra_err("refusing '%s' in '%s': it climbs out of the tree", name, deb);
		return -EINVAL;
	}
	if (!strncmp(name, "./", 2))
		name += 2;
	if (!(p = hydra_path_join(dest, name)))
		return -ENOMEM;
	archive_entry_set_pathname(e, p);
	free(p);
	if (!link)
		return 0;
	if (!strncmp(link, "./", 2))
		link += 2;
	if (!(p = hydra_path_join(dest, link)))
		return -ENOMEM;
	archive_entry_set_hardlink(e, p);
	free(p);
	return 0;
}

static int wanted(const char *path, const char *const *prefixes)
{
	if (!strncmp(path, "./", 2))
		path += 2;
	for (size_t i = 0; prefixes[i]; i++)
		if (!strncmp(path, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

static int extract_data(struct archive *outer, const char *deb, const char *const *prefixes,
			const char *dest)
{
	struct archive *in = archive_read_new(), *disk = archive_write_disk_new();
	struct member *m = malloc(sizeof(*m));
	struct archive_entry *e;
	int r = -ENOMEM, ar;

	if (!in || !disk || !m)
		goto out;
	m->outer = outer;
	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
					     ARCHIVE_EXTRACT_SECURE_NODOTDOT |
					     ARCHIVE_EXTRACT_SECURE_SYMLINKS);
	r = -EIO;
	if (archive_read_open(in, m, NULL, read_member, NULL) != ARCHIVE_OK) {
		hydra_err("cannot read the data of '%s': %s", deb, archive_error_string(in));
		goto out;
	}
	while ((ar = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		const char *name;

		if (!wanted(archive_entry_pathname(e), prefixes))
			continue;
		if ((r = reroot(e, deb, dest)))
			goto out;
		r = -EIO;
		name = archive_entry_pathname(e) + strlen(dest) + 1;
		if (archive_write_header(disk, e) < ARCHIVE_WARN) {
			hydra_err("cannot unpack '%s' from '%s': %s", name, deb,
				  archive_error_string(disk));
			goto out;
		}
		if (archive_entry_size(e) > 0) {
			const void *buf;
			size_t len;
			la_int64_t off;
			int dr;

			while ((dr = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK)
				if (archive_write_data_block(disk, buf, len, off) < ARCHIVE_WARN) {
					hydra_err("cannot write '%s' from '%s': %s", name, deb,
						  archive_error_string(disk));
					goto out;
				}
			if (dr != ARCHIVE_EOF) {
				hydra_err("cannot unpack '%s' from '%s': %s", name, deb,
					  archive_error_string(in));
				goto out;
			}
		}
		if (archive_write_finish_entry(disk) < ARCHIVE_WARN) {
			hydra_err("cannot unpack '%s' from '%s': %s", name, deb,
				  archive_error_string(disk));
			goto out;
		}
	}
	if (ar != ARCHIVE_EOF) {
		hydra_err("'%s' is damaged: %s", deb, archive_error_string(in));
		goto out;
	}
	r = archive_write_close(disk) == ARCHIVE_OK ? 0 : -EIO;
out:
	archive_read_free(in);
	archive_write_free(disk);
	free(m);
	return r;
}

int hydra_deb_extract(const char *path, const char *const *prefixes, const char *dest)
{
	struct archive *outer = archive_read_new();
	struct archive_entry *e;
	int r = -EIO, found = 0;

	if (!outer)
		return -ENOMEM;
	archive_read_support_format_ar(outer);
	if (archive_read_open_filename(outer, path, 1 << 16) != ARCHIVE_OK) {
		hydra_err("cannot open '%s': %s", path, archive_error_string(outer));
		goto out;
	}
	while (!found && archive_read_next_header(outer, &e) == ARCHIVE_OK) {
		if (strncmp(archive_entry_pathname(e), "data.tar", 8))
			continue;
		found = 1;
		r = extract_data(outer, path, prefixes, dest);
	}
	if (!found)
		hydra_err("'%s' is not a Debian package: no data.tar member", path);
out:
	archive_read_free(outer);
	return r;
}
