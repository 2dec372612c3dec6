/* cpio newc archives with libarchive: sorted, owned by root, one time for all. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "hydra.h"
#include "initramfs.h"
#include "util.h"

struct cpio {
	struct archive *a;
	const char *src;
	int64_t epoch;
	unsigned ino;
};

static int add_data(struct cpio *c, const char *full, const char *rel)
{
	char buf[1 << 16];
	ssize_t n;
	int fd = open(full, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0) {
		hydra_err("cannot read '%s': %s", full, strerror(errno));
		return -errno;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(c->a, buf, (size_t)n) != n) {
			hydra_err("cannot write '%s' into the cpio: %s", rel,
				  archive_error_string(c->a));
			r = -EIO;
			break;
		}
	if (n < 0)
		r = -errno;
	close(fd);
	return r;
}

static int add_entry(struct cpio *c, const char *full, const char *rel, const struct stat *st)
{
	struct archive_entry *e = archive_entry_new();
	char target[4096];
	int r = 0;

	if (!e)
		return -ENOMEM;
	archive_entry_set_pathname(e, rel);
	archive_entry_set_mode(e, st->st_mode);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, c->epoch, 0);
	archive_entry_set_nlink(e, S_ISDIR(st->st_mode) ? 2 : 1);
	/* Inode numbers by position, so the same tree gives the same bytes. */
	archive_entry_set_ino(e, ++c->ino);
	archive_entry_set_dev(e, 0);
	archive_entry_set_size(e, S_ISREG(st->st_mode) ? st->st_size : 0);
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlink(full, target, sizeof(target) - 1);

		if (n < 0) {
			r = -errno;
			goto out;
		}
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
	}
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		archive_entry_set_rdev(e, st->st_rdev);
	if (archive_write_header(c->a, e) != ARCHIVE_OK) {
		hydra_err("cannot add '%s' to the cpio: %s", rel, archive_error_string(c->a));
		r = -EIO;
		goto out;
	}
	if (S_ISREG(st->st_mode))
		r = add_data(c, full, rel);
out:
	archive_entry_free(e);
	return r;
}

static int add_tree(struct cpio *c, const char *rel)
{
	char *dir = rel[0] ? hydra_path_join(c->src, rel) : strdup(c->src);
	struct dirent **ents = NULL;
	int n, r = 0;

	if (!dir)
		return -ENOMEM;
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		r = -errno;
		hydra_err("cannot read '%s': %s", dir, strerror(errno));
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char *sub = NULL, *full = NULL;
		struct stat st;

		if (!r && strcmp(name, ".") && strcmp(name, "..")) {
			sub = rel[0] ? hydra_strdupf("%s/%s", rel, name) : strdup(name);
			full = sub ? hydra_path_join(c->src, sub) : NULL;
			if (!full)
				r = -ENOMEM;
			else if (lstat(full, &st) < 0)
				r = -errno;
			else if (!(r = add_entry(c, full, sub, &st)) && S_ISDIR(st.st_mode))
				r = add_tree(c, sub);
		}
		free(sub);
		free(full);
		free(ents[i]);
	}
	free(ents);
	free(dir);
	return r;
}

/* The console the kernel opens for init: a device node needs no root in an archive. */
static int add_console(struct cpio *c)
{
	struct stat st = { .st_mode = S_IFCHR | 0600, .st_rdev = makedev(5, 1) };

	return add_entry(c, NULL, "dev/console", &st);
}

int hydra_cpio_write(const char *src, const char *out, int64_t epoch, unsigned flags)
{
	struct cpio c = { .src = src, .epoch = epoch };
	char *tmp = hydra_strdupf("%s.tmp", out);
	int r = -EIO;

	c.a = archive_write_new();
	if (!c.a || !tmp) {
		r = -ENOMEM;
		goto out;
	}
	archive_write_set_format_cpio_newc(c.a);
	if (flags & F_CPIO_ZSTD) {
		archive_write_add_filter_zstd(c.a);
		archive_write_set_filter_option(c.a, "zstd", "compression-level", "9");
	}
	archive_write_set_bytes_in_last_block(c.a, 1);
	if (archive_write_open_filename(c.a, tmp) != ARCHIVE_OK) {
		hydra_err("cannot write '%s': %s", tmp, archive_error_string(c.a));
		goto out;
	}
	r = add_tree(&c, "");
	if (!r && (flags & F_CPIO_CONSOLE))
		r = add_console(&c);
	if (archive_write_close(c.a) != ARCHIVE_OK && !r) {
		hydra_err("cannot finish '%s': %s", out, archive_error_string(c.a));
		r = -EIO;
	}
	if (!r && rename(tmp, out) < 0)
		r = -errno;
out:
	if (r && tmp)
		unlink(tmp);
	archive_write_free(c.a);
	free(tmp);
	return r;
}
