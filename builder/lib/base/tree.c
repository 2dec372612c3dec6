/* A directory tree into a libarchive archive, reproducibly. */
#define _GNU_SOURCE
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

struct tree {
	struct archive *a;
	int64_t epoch;
	unsigned flags;
	unsigned ino;
};

static int add_data(struct archive *a, const char *full, const char *rel)
{
	char buf[1 << 16];
	ssize_t n;
	int fd = open(full, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0) {
		r = -errno;
		hydra_err("cannot read '%s': %s", full, strerror(errno));
		return r;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(a, buf, (size_t)n) != n) {
			hydra_err("cannot write '%s' into the archive: %s", rel, archive_error_string(a));
			r = -EIO;
			break;
		}
	if (n < 0)
		r = -errno;
	close(fd);
	return r;
}

static int set_link(struct archive_entry *e, const char *full)
{
	char target[4096];
	ssize_t n = readlink(full, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	archive_entry_set_symlink(e, target);
	return 0;
}

static int add_entry(const char *full, const char *rel, const struct stat *st, void *ud)
{
	struct tree *t = ud;
	struct archive_entry *e;
	int r = 0;

	if ((t->flags & F_TREE_PLAIN) && !S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode) &&
	    !S_ISLNK(st->st_mode)) {
		hydra_err("cannot pack '%s': only files, directories and links belong here", full);
		return -EINVAL;
	}
	e = archive_entry_new();
	if (!e)
		return -ENOMEM;
	archive_entry_set_pathname(e, rel);
	archive_entry_set_mode(e, st->st_mode);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_uname(e, "root");
	archive_entry_set_gname(e, "root");
	archive_entry_set_mtime(e, t->epoch, 0);
	archive_entry_set_size(e, S_ISREG(st->st_mode) ? st->st_size : 0);
	if (t->flags & F_TREE_INODES) {
		/* Inode numbers by position, so the same tree gives the same bytes. */
		archive_entry_set_ino(e, ++t->ino);
		archive_entry_set_dev(e, 0);
		archive_entry_set_nlink(e, S_ISDIR(st->st_mode) ? 2 : 1);
	}
	if (S_ISLNK(st->st_mode))
		r = set_link(e, full);
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		archive_entry_set_rdev(e, st->st_rdev);
	if (!r && archive_write_header(t->a, e) != ARCHIVE_OK) {
		hydra_err("cannot add '%s' to the archive: %s", rel, archive_error_string(t->a));
		r = -EIO;
	}
	if (!r && S_ISREG(st->st_mode))
		r = add_data(t->a, full, rel);
	archive_entry_free(e);
	return r;
}

int hydra_tree_archive(struct archive *a, const char *src, int64_t epoch, unsigned flags)
{
	struct tree t = { .a = a, .epoch = epoch, .flags = flags };

	return hydra_walk(src, add_entry, &t);
}

int hydra_tree_open(struct archive *a, const char *out)
{
	char *tmp = hydra_strdupf("%s.tmp", out);
	int r = 0;

	if (!tmp)
		return -ENOMEM;
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
		hydra_err("cannot write '%s': %s", tmp, archive_error_string(a));
		r = -EIO;
	}
	free(tmp);
	return r;
}

int hydra_tree_finish(struct archive *a, const char *out, int r)
{
	char *tmp = hydra_strdupf("%s.tmp", out);

	if (archive_write_close(a) != ARCHIVE_OK && !r) {
		hydra_err("cannot finish '%s': %s", out, archive_error_string(a));
		r = -EIO;
	}
	if (!tmp)
		return -ENOMEM;
	if (!r && rename(tmp, out) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	free(tmp);
	return r;
}
