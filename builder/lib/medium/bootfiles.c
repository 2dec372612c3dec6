/*
 * The BIOS boot loader's files: made once at build time by the syslinux
 * program on a scratch FAT, read from the payload by the writer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "format/fat.h"
#include "format/fatmk.h"
#include "medium/bootfiles.h"

/* The copy an installer that does not write its own ldlinux.c32 needs beside it. */
#define LDLINUX_C32 "/usr/lib/syslinux/modules/bios/ldlinux.c32"
/* The smallest FAT32 of one-sector clusters is about 33 MiB; the file stays sparse. */
#define SCRATCH_BYTES (40u << 20)
/* More than any of the three files; the writer lays each into one buffer of fatmk's. */
#define FILE_MAX (8u << 20)

/* An empty FAT32 holding the directory syslinux moves its files into. */
static int scratch_fat(const char *path)
{
	struct hydra_fatmk_opts o = { .bytes = SCRATCH_BYTES, .cluster_sectors = 1,
				      .label = "SCRATCH" };
	struct hydra_fatmk *fm = NULL;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), r;

	if (fd < 0)
		return -errno;
	r = ftruncate(fd, SCRATCH_BYTES) < 0 ? -errno : hydra_fatmk_begin(fd, &o, &fm);
	if (!r)
		r = hydra_fatmk_add(fm, "syslinux/syslinux.cfg", -1, 0);
	if (!r)
		r = hydra_fatmk_finish(fm);
	hydra_fatmk_free(fm);
	close(fd);
	return r;
}

/* PATH of the scratch FAT into a malloc'd buffer. */
static int take(struct hydra_fat *fat, const char *path, char **buf, size_t *len)
{
	struct hydra_fat_file f;
	int r = hydra_fat_lookup(fat, path, &f);

	if (!r && (f.is_dir || !f.size || f.size > FILE_MAX))
		r = -EBADMSG;
	return r ? r : hydra_fat_read_whole(fat, &f, FILE_MAX, buf, len);
}

/* What syslinux left on the scratch FAT; ldlinux.c32 from syslinux-common when it wrote none. */
static int take_all(const char *scratch, struct hydra_bootfiles *b)
{
	struct hydra_fat *fat = NULL;
	int fd = open(scratch, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return hydra_err_errno("cannot open '%s'", scratch);
	r = hydra_fat_open(fd, 0, &fat);
	if (!r && (r = take(fat, "syslinux/ldlinux.sys", &b->ldlinux, &b->ldlinux_len)))
		hydra_err("syslinux --install left no /syslinux/ldlinux.sys on '%s': %s", scratch,
			  strerror(-r));
	if (!r && (r = take(fat, "syslinux/ldlinux.c32", &b->c32, &b->c32_len)) == -ENOENT &&
	    (r = hydra_read_file(LDLINUX_C32, &b->c32, &b->c32_len)))
		hydra_err("cannot read '%s' (Debian package syslinux-common): %s", LDLINUX_C32,
			  strerror(-r));
	if (!r && !(b->bootsect = malloc(HYDRA_SYSLINUX_SECTOR)))
		r = -ENOMEM;
	if (!r) {
		b->bootsect_len = HYDRA_SYSLINUX_SECTOR;
		r = hydra_pread_full(fd, b->bootsect, b->bootsect_len, 0);
	}
	hydra_fat_free(fat);
	close(fd);
	return r;
}

static int put(const char *medium, const char *rel, const void *buf, size_t len)
{
	char *path = hydra_path_join(medium, rel);
	int r = path ? hydra_mkdir_parent(path) : -ENOMEM;

	if (!r)
		r = hydra_write_file_atomic(path, buf, len, 0644);
	if (r)
		hydra_err("cannot write '%s': %s", path ? path : rel, strerror(-r));
	free(path);
	return r;
}

int hydra_bootfiles_make(const char *medium, const char *workdir, const char *log)
{
	static const char *const env[] = { "MTOOLS_SKIP_CHECK=1", NULL };
	struct hydra_bootfiles b = { 0 };
	char *scratch = hydra_path_join(workdir, "syslinux-scratch.img"), why[256];
	const char *argv[] = { "syslinux", "--install", "--directory", "/syslinux", scratch, NULL };
	int r = scratch ? 0 : -ENOMEM;

	if (!r && (r = scratch_fat(scratch)))
		hydra_err("cannot make a scratch FAT32 '%s': %s", scratch, strerror(-r));
	if (!r && (r = hydra_run_env(argv, env, log))) {
		hydra_err("'syslinux --install' failed on a scratch FAT32%s",
			  r > 0 && log ? "; its output is in the log" : "");
		r = r < 0 ? r : -EIO;
	}
	if (!r)
		r = take_all(scratch, &b);
	/* Checked here too: a build must not carry a loader that no writer can install. */
	if (!r && (r = hydra_syslinux_parse(b.ldlinux, b.ldlinux_len, b.bootsect, b.bootsect_len,
					    &b.sl, why, sizeof(why))))
		hydra_err("syslinux --install wrote a loader hydra cannot install: %s", why);
	if (!r)
		r = put(medium, HYDRA_BOOTFILES_LDLINUX, b.ldlinux, b.ldlinux_len);
	if (!r)
		r = put(medium, HYDRA_BOOTFILES_C32, b.c32, b.c32_len);
	if (!r)
		r = put(medium, HYDRA_BOOTFILES_BOOTSECT, b.bootsect, b.bootsect_len);
	if (scratch)
		unlink(scratch);
	free(scratch);
	hydra_bootfiles_release(&b);
	return r;
}

/* REL from ROOT, as M lists it; -ENOENT when M does not list it. */
static int load_one(const char *root, const struct hydra_manifest *m, const char *rel, char **buf,
		    size_t *len)
{
	const struct hydra_manifest_file *f = hydra_manifest_find(m, rel);
	unsigned char sha[HYDRA_SHA256_LEN];
	char *path;
	int r;

	if (!f)
		return -ENOENT;
	path = hydra_path_join(root, rel);
	if (!path)
		return -ENOMEM;
	r = f->size <= FILE_MAX ? hydra_read_file(path, buf, len) : -EFBIG;
	if (r) {
		hydra_err("cannot read '%s': %s", path, strerror(-r));
	} else {
		hydra_sha256_buf(*buf, *len, sha);
		if (*len != f->size || memcmp(sha, f->sha256, sizeof(sha))) {
			hydra_err("'%s' is not as the MANIFEST lists it: the medium is damaged", path);
			r = -EBADMSG;
		}
	}
	free(path);
	return r;
}

int hydra_bootfiles_load(const char *root, const struct hydra_manifest *m,
			 struct hydra_bootfiles *out)
{
	const char *const rels[] = { HYDRA_BOOTFILES_LDLINUX, HYDRA_BOOTFILES_C32,
				     HYDRA_BOOTFILES_BOOTSECT };
	char **bufs[] = { &out->ldlinux, &out->c32, &out->bootsect };
	size_t *lens[] = { &out->ldlinux_len, &out->c32_len, &out->bootsect_len };
	char why[256];
	int r = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; !r && i < 3; i++) {
		r = load_one(root, m, rels[i], bufs[i], lens[i]);
		if (r == -ENOENT && !i)
			hydra_err("'%s' carries no BIOS boot loader of its own: its MANIFEST lists no "
				  "%s (a medium from before hydra carried one; rebuild it)", root,
				  rels[i]);
		else if (r == -ENOENT) {
			hydra_err("the MANIFEST of '%s' lists %s but not %s: the medium is damaged",
				  root, rels[0], rels[i]);
			r = -EBADMSG;
		}
	}
	if (!r && (r = hydra_syslinux_parse(out->ldlinux, out->ldlinux_len, out->bootsect,
					    out->bootsect_len, &out->sl, why, sizeof(why))))
		hydra_err("cannot install the boot loader of '%s': %s", root, why);
	if (r)
		hydra_bootfiles_release(out);
	return r;
}

void hydra_bootfiles_release(struct hydra_bootfiles *b)
{
	if (!b)
		return;
	free(b->ldlinux);
	free(b->c32);
	free(b->bootsect);
	memset(b, 0, sizeof(*b));
}
