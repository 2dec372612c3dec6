/*
 * The one medium writer. Order matters: an interrupted write must leave a
 * disk that no firmware boots and that verify calls incomplete, so sector 0
 * (boot code, partition table, boot flag, signature) is written last, after
 * the payload was read back and compared with the MANIFEST.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootcfg.h"
#include "hydra.h"
#include "layout.h"
#include "manifest.h"
#include "medium.h"
#include "parted.h"
#include "util.h"
#include "wipe.h"
#include "writer.h"

#define MBR_BIN "/usr/lib/syslinux/mbr/mbr.bin"
#define SYSLINUX_EFI "/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi"
#define LDLINUX_E64 "/usr/lib/syslinux/modules/efi64/ldlinux.e64"
#define LDLINUX_C32 "/usr/lib/syslinux/modules/bios/ldlinux.c32"

struct write {
	const char *src, *target;
	const struct hydra_write_opts *o;
	struct hydra_manifest *m;
	char fat[4200];             /* TARGET@@OFFSET for mtools */
	char epoch_env[64];
	char tmpdir[64];
	const char *log;
	struct hydra_layout l;
	uint64_t total, done;
	unsigned char sector0[512];
	char **dirs;                /* directories made on the FAT so far */
	size_t n_dirs;
};

static uint64_t payload_bytes(const struct hydra_manifest *m)
{
	uint64_t n = 0;

	for (size_t i = 0; i < m->n_files; i++)
		n += m->files[i].size;
	return n;
}

static int plan(const struct hydra_manifest *m, uint64_t size, const char *target,
		struct hydra_layout *l)
{
	char need[32];
	int r = hydra_layout_plan(payload_bytes(m), size, m->id, l);

	if (r == -ENOSPC)
		hydra_err("'%s' is too small for image %s: it needs %s", target, m->id,
			  hydra_format_size(l->min_size, need, sizeof(need)));
	else if (r == -EFBIG)
		hydra_err("layout v1 cannot address '%s': its MBR ends at 2 TiB", target);
	else if (r)
		hydra_err("cannot plan a medium for image id '%s'", m->id);
	return r;
}

int hydra_medium_plan(const char *payload_dir, uint64_t *min_size, uint64_t *planned)
{
	struct hydra_manifest *m = NULL;
	struct hydra_layout l;
	int r = hydra_manifest_load(payload_dir, &m);

	if (!r)
		r = plan(m, 0, payload_dir, &l);
	if (!r) {
		*min_size = l.min_size;
		*planned = l.size;
	}
	hydra_manifest_free(m);
	return r;
}

static int tool(struct write *w, const char *const argv[])
{
	const char *env[] = { w->epoch_env, "MTOOLS_SKIP_CHECK=1", NULL };
	int r = hydra_run_env(argv, env, w->log);

	if (r) {
		hydra_err("'%s' failed%s", argv[0],
			  r > 0 ? "; its output is in the log" : "");
		return r < 0 ? r : -EIO;
	}
	return 0;
}

static int open_target(struct write *w, int flags)
{
	int fd = open(w->target, flags | O_CLOEXEC, 0644);

	if (fd < 0)
		hydra_err("cannot open '%s': %s", w->target, strerror(errno));
	return fd < 0 ? -errno : fd;
}

/* Size the image file, wipe what was there, partition, keep sector 0 aside. */
static int prepare(struct write *w)
{
	unsigned char zero[512] = { 0 };
	int fd, r;

	fd = open_target(w, O_RDWR | ((w->o->flags & F_WRITE_CREATE) ? O_CREAT | O_TRUNC : O_EXCL));
	if (fd < 0)
		return fd;
	if ((w->o->flags & F_WRITE_CREATE) && ftruncate(fd, (off_t)w->l.size) < 0) {
		r = -errno;
		hydra_err("cannot size '%s': %s", w->target, strerror(errno));
		goto out;
	}
	r = hydra_wipe_signatures(w->target);
	if (r)
		goto out;
	close(fd);
	fd = -1;
	r = hydra_parted_single_fat32(w->target, w->l.part_start / 512, w->l.part_bytes / 512);
	if (r)
		goto out;
	fd = open_target(w, O_RDWR);
	if (fd < 0)
		return fd;
	/* Until commit the disk carries no MBR at all: nothing boots it. */
	if (pread(fd, w->sector0, 512, 0) != 512 || pwrite(fd, zero, 512, 0) != 512 ||
	    fsync(fd) < 0) {
		r = -EIO;
		hydra_err("cannot set aside the boot sector of '%s'", w->target);
	}
out:
	if (fd >= 0)
		close(fd);
	return r;
}

static int make_fat(struct write *w)
{
	char spc[8], offset[32], blocks[32];
	/*
	 * --invariant fixes the volume id too, unless -i comes after it. The
	 * cluster size is given: on a disk mkfs.fat would size clusters by the
	 * disk, and a FAT32 with fewer than 65525 clusters reads as FAT16.
	 */
	const char *argv[] = { "mkfs.fat", "-F", "32", "-n", "HYDRA", "--invariant",
			       "-i", w->l.volid, "-s", spc, "-I", "--offset", offset,
			       w->target, blocks, NULL };

	snprintf(spc, sizeof(spc), "%u", w->l.cluster_sectors);
	snprintf(offset, sizeof(offset), "%llu", (unsigned long long)(w->l.part_start / 512));
	snprintf(blocks, sizeof(blocks), "%llu", (unsigned long long)(w->l.part_bytes / 1024));
	return tool(w, argv);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* mmd fails on a directory that exists: remember what was made. */
static int made(struct write *w, const char *dir)
{
	char **v;

	for (size_t i = 0; i < w->n_dirs; i++)
		if (!strcmp(w->dirs[i], dir))
			return 1;
	v = realloc(w->dirs, (w->n_dirs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	w->dirs = v;
	v[w->n_dirs] = strdup(dir);
	return v[w->n_dirs++] ? 0 : -ENOMEM;
}

static int mkdirs(struct write *w, const char *path)
{
	char dir[300], target[310];
	int r = 0;

	for (const char *s = strchr(path, '/'); !r && s; s = strchr(s + 1, '/')) {
		const char *argv[] = { "mmd", "-i", w->fat, target, NULL };

		snprintf(dir, sizeof(dir), "%.*s", (int)(s - path), path);
		snprintf(target, sizeof(target), "::/%s", dir);
		r = made(w, dir);
		if (r == 0)
			r = tool(w, argv);
		else if (r == 1)
			r = 0;
	}
	return r;
}

static int copy_in(struct write *w, const char *src, const char *dst)
{
	char target[310];
	/*
	 * No -m: mtools dates what it writes by SOURCE_DATE_EPOCH (the MANIFEST's
	 * `built`), so the bytes do not depend on the payload's file times.
	 */
	const char *argv[] = { "mcopy", "-o", "-i", w->fat, src, target, NULL };
	int r = mkdirs(w, dst);

	snprintf(target, sizeof(target), "::/%s", dst);
	return r ? r : tool(w, argv);
}

/* Every directory the medium gets, made with one mmd: parents sort before children. */
static int make_all_dirs(struct write *w)
{
	static const char *const boot_dirs[] = { "syslinux", "EFI", "EFI/BOOT", "hydra", NULL };
	const char **argv = calloc(w->m->n_files * 4 + 16, sizeof(*argv));
	size_t n = 0, first;
	int r = argv ? 0 : -ENOMEM;

	if (r)
		return r;
	argv[n++] = "mmd";
	argv[n++] = "-i";
	argv[n++] = w->fat;
	first = n;
	for (size_t i = 0; !r && boot_dirs[i]; i++)
		r = made(w, boot_dirs[i]);
	for (size_t i = 0; !r && i < w->m->n_files; i++) {
		const char *path = w->m->files[i].path;

		for (const char *c = strchr(path, '/'); c && r >= 0; c = strchr(c + 1, '/')) {
			char *dir = strndup(path, (size_t)(c - path));

			r = dir ? made(w, dir) : -ENOMEM;
			free(dir);
		}
		r = r < 0 ? r : 0;
	}
	/* made() kept them in first-seen order; mmd wants them as paths. */
	for (size_t i = 0; !r && i < w->n_dirs; i++)
		argv[n++] = hydra_strdupf("::/%s", w->dirs[i]);
	if (!r) {
		qsort(argv + first, n - first, sizeof(*argv), by_string);
		r = tool(w, argv);
	}
	for (size_t i = first; i < n; i++)
		free((char *)argv[i]);
	free(argv);
	return r;
}

/* Files into one directory with one mcopy: a process costs more than a file on a slow machine. */
static int copy_files(struct write *w, const char *const *srcs, size_t n, const char *dir)
{
	const char **argv = calloc(n + 8, sizeof(*argv));
	char *target = hydra_strdupf("::/%s/", dir);
	size_t k = 0;
	int r = argv && target ? 0 : -ENOMEM;

	if (!r) {
		argv[k++] = "mcopy";
		argv[k++] = "-o";
		argv[k++] = "-i";
		argv[k++] = w->fat;
		for (size_t i = 0; i < n; i++)
			argv[k++] = srcs[i];
		argv[k++] = target;
		r = tool(w, argv);
	}
	free(argv);
	free(target);
	return r;
}

/* The payload files FROM..TO, all in one directory. */
static int copy_group(struct write *w, size_t from, size_t to)
{
	const char *path = w->m->files[from].path;
	char *dir = strndup(path, (size_t)(strrchr(path, '/') - path));
	char **srcs = calloc(to - from, sizeof(*srcs));
	int r = dir && srcs ? 0 : -ENOMEM;

	for (size_t i = from; !r && i < to; i++)
		if (!(srcs[i - from] = hydra_path_join(w->src, w->m->files[i].path)))
			r = -ENOMEM;
	if (!r)
		r = copy_files(w, (const char *const *)srcs, to - from, dir);
	for (size_t i = 0; srcs && i < to - from; i++)
		free(srcs[i]);
	free(srcs);
	free(dir);
	return r;
}

static int same_dir(const char *a, const char *b)
{
	size_t la = (size_t)(strrchr(a, '/') - a), lb = (size_t)(strrchr(b, '/') - b);

	return la == lb && !strncmp(a, b, la);
}

static int copy_payload(struct write *w)
{
	int r = make_all_dirs(w);

	w->total = payload_bytes(w->m);
	for (size_t i = 0, j; !r && i < w->m->n_files; i = j) {
		for (j = i + 1; j < w->m->n_files &&
			    same_dir(w->m->files[i].path, w->m->files[j].path); j++)
			;
		r = copy_group(w, i, j);
		for (size_t k = i; k < j; k++)
			w->done += w->m->files[k].size;
		if (!r && w->o->progress && w->o->progress(w->total, w->done, w->o->progress_ud))
			r = -ECANCELED;
	}
	for (const char *extra = HYDRA_MANIFEST_PATH; !r && extra;
	     extra = strcmp(extra, HYDRA_MANIFEST_PATH) ? NULL : HYDRA_MANIFEST_PATH ".sig") {
		char *src = hydra_path_join(w->src, extra);

		if (src && (!strcmp(extra, HYDRA_MANIFEST_PATH) || access(src, R_OK) == 0))
			r = copy_in(w, src, extra);
		free(src);
	}
	return r;
}

/* A file made for the medium, copied in like the payload. */
static int write_tmp(struct write *w, const char *name, const char *text, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", w->tmpdir, name);
	return hydra_write_file_atomic(path, text, strlen(text), 0644);
}

/*
 * syslinux 6 puts ldlinux.c32 beside ldlinux.sys itself, a copy built with
 * the installer; older installers did not, and without it nothing boots.
 */
static int ldlinux_c32(struct write *w)
{
	char path[320];
	const char *env[] = { w->epoch_env, "MTOOLS_SKIP_CHECK=1", NULL };
	const char *argv[] = { "mdir", "-a", "-i", w->fat, path, NULL };

	snprintf(path, sizeof(path), "::/syslinux/ldlinux.c32");
	if (hydra_run_env(argv, env, w->log) == 0)
		return 0;
	return copy_in(w, LDLINUX_C32, "syslinux/ldlinux.c32");
}

/* syslinux for BIOS, syslinux.efi for UEFI, one configuration for both. */
static int install_boot(struct write *w)
{
	char cfgpath[128], offset[32];
	char *cfg = hydra_bootcfg_syslinux(w->m->id, w->m->cmdline, w->o->node);
	const char *bios[] = { "syslinux", "--install", "--offset", offset, "--directory",
			       "/syslinux", w->target, NULL };
	int r = cfg ? 0 : -ENOMEM;

	snprintf(offset, sizeof(offset), "%llu", (unsigned long long)w->l.part_start);
	if (!r)
		r = write_tmp(w, "syslinux.cfg", cfg, cfgpath, sizeof(cfgpath));
	if (!r)
		r = copy_in(w, cfgpath, "syslinux/syslinux.cfg");
	if (!r)
		r = tool(w, bios);
	if (!r)
		r = ldlinux_c32(w);
	if (!r)
		r = copy_in(w, SYSLINUX_EFI, "EFI/BOOT/BOOTX64.EFI");
	if (!r) {
		const char *efi[] = { LDLINUX_E64, cfgpath };

		r = copy_files(w, efi, 2, "EFI/BOOT");
	}
	free(cfg);
	return r;
}

/* Read every payload file back from the target and compare it with the MANIFEST. */
static int read_back(struct write *w)
{
	struct hydra_verify_report rep;
	int fd = open(w->target, O_RDONLY | O_CLOEXEC), r;

	if (fd >= 0) {
		fsync(fd);
		ioctl(fd, BLKFLSBUF, 0);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
	r = hydra_medium_verify(w->target, F_VERIFY_PAYLOAD_ONLY, NULL, NULL, &rep);
	if (r)
		hydra_err("'%s' does not read back as written (%s): not committed", w->target,
			  rep.bad_file[0] ? rep.bad_file : "unreadable");
	return r;
}

/* Boot code, disk id, table, boot flag, signature: one sector, written last. */
static int commit(struct write *w)
{
	char *mbr = NULL;
	size_t len;
	int fd, r;

	r = hydra_read_file(MBR_BIN, &mbr, &len);
	if (r || len < 440) {
		hydra_err("cannot read '%s' (Debian package syslinux-common)", MBR_BIN);
		free(mbr);
		return r ? r : -EINVAL;
	}
	memcpy(w->sector0, mbr, 440);
	free(mbr);
	/* The disk identifier comes from the image id: the same image, the same bytes. */
	for (int i = 0; i < 4; i++)
		w->sector0[440 + i] = (unsigned char)(w->l.disk_id >> (8 * i));
	if (w->sector0[510] != 0x55 || w->sector0[511] != 0xAA || w->sector0[446] != 0x80) {
		hydra_err("the partition table set aside for '%s' is not as written", w->target);
		return -EIO;
	}
	fd = open_target(w, O_WRONLY);
	if (fd < 0)
		return fd;
	if (pwrite(fd, w->sector0, 512, 0) != 512 || fsync(fd) < 0) {
		r = -errno;
		hydra_err("cannot commit '%s': %s", w->target, strerror(errno));
	}
	close(fd);
	return r;
}

static int required_tools(void)
{
	static const char *const tools[] = { "mkfs.fat", "mcopy", "mmd", "mdir", "syslinux", NULL };
	static const char *const files[] = { MBR_BIN, SYSLINUX_EFI, LDLINUX_E64, NULL };

	for (size_t i = 0; tools[i]; i++)
		if (hydra_tool_require(tools[i]))
			return -ENOENT;
	for (size_t i = 0; files[i]; i++)
		if (access(files[i], R_OK) < 0) {
			hydra_err("cannot find '%s': install the Debian packages syslinux-common "
				  "and syslinux-efi", files[i]);
			return -ENOENT;
		}
	return 0;
}

/* In this order: sector 0 stays zero until the last step. */
static const struct {
	const char *name;
	int (*fn)(struct write *w);
} steps[] = {
	{ "wipe and partition", prepare },
	{ "make the FAT32", make_fat },
	{ "copy the payload", copy_payload },
	{ "install the boot loader", install_boot },
	{ "read back", read_back },
	{ "commit the boot sector", commit },
};

int hydra_medium_write(const char *payload_dir, const char *target,
		       const struct hydra_write_opts *opts)
{
	struct write w = { .src = payload_dir, .target = target, .o = opts, .log = opts->logfile };
	char logbuf[128] = "";
	int r;

	r = required_tools();
	if (!r)
		r = hydra_manifest_load(payload_dir, &w.m);
	if (r)
		return r;
	r = plan(w.m, opts->size, target, &w.l);
	if (r)
		goto out;
	if (opts->flags & F_WRITE_DRY_RUN)
		goto out;
	snprintf(w.tmpdir, sizeof(w.tmpdir), "/tmp/hydra-write.XXXXXX");
	if (!mkdtemp(w.tmpdir)) {
		r = -errno;
		goto out;
	}
	if (!w.log) {
		snprintf(logbuf, sizeof(logbuf), "%s/tools.log", w.tmpdir);
		w.log = logbuf;
	}
	snprintf(w.epoch_env, sizeof(w.epoch_env), "SOURCE_DATE_EPOCH=%lld", (long long)w.m->built);
	snprintf(w.fat, sizeof(w.fat), "%s@@%llu", target, (unsigned long long)w.l.part_start);
	for (size_t i = 0; !r && i < sizeof(steps) / sizeof(steps[0]); i++) {
		hydra_debug("writing '%s': %s", target, steps[i].name);
		r = steps[i].fn(&w);
		if (r)
			hydra_err("writing '%s' stopped at: %s", target, steps[i].name);
	}
	if (r && logbuf[0]) {
		char *text = NULL;

		if (hydra_read_file(logbuf, &text, NULL) == 0 && text[0])
			hydra_err("the tools said:\n%s", text);
		free(text);
	}
out:
	if (w.tmpdir[0])
		hydra_rm_rf(w.tmpdir);
	for (size_t i = 0; i < w.n_dirs; i++)
		free(w.dirs[i]);
	free(w.dirs);
	hydra_manifest_free(w.m);
	return r;
}
