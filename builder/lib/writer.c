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
#include "manifest.h"
#include "medium.h"
#include "parted.h"
#include "util.h"
#include "wipe.h"
#include "writer.h"

#define MIB (1024ULL * 1024)
#define MBR_BIN "/usr/lib/syslinux/mbr/mbr.bin"
#define SYSLINUX_EFI "/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi"
#define LDLINUX_E64 "/usr/lib/syslinux/modules/efi64/ldlinux.e64"

struct write {
	const char *src, *target;
	const struct hydra_write_opts *o;
	struct hydra_manifest *m;
	char fat[4200];             /* TARGET@@OFFSET for mtools */
	char epoch_env[64];
	char tmpdir[64];
	const char *log;
	uint64_t fat_bytes, total, done;
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

/* FAT32 wants some 65525 clusters: 64 MiB is a comfortable floor. */
static uint64_t plan_fat(uint64_t payload)
{
	uint64_t fat = 2 * payload + 32 * MIB;

	if (fat < 64 * MIB)
		fat = 64 * MIB;
	return (fat + MIB - 1) / MIB * MIB;
}

int hydra_medium_plan(const char *payload_dir, uint64_t *min_size, uint64_t *planned)
{
	struct hydra_manifest *m = NULL;
	int r = hydra_manifest_load(payload_dir, &m);

	if (r)
		return r;
	*planned = MIB + plan_fat(payload_bytes(m));
	*min_size = *planned;
	hydra_manifest_free(m);
	return 0;
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
	if ((w->o->flags & F_WRITE_CREATE) && ftruncate(fd, (off_t)(MIB + w->fat_bytes)) < 0) {
		r = -errno;
		hydra_err("cannot size '%s': %s", w->target, strerror(errno));
		goto out;
	}
	r = hydra_wipe_signatures(fd, w->target);
	if (r)
		goto out;
	close(fd);
	fd = -1;
	r = hydra_parted_single_fat32(w->target, MIB / 512, w->fat_bytes / 512);
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
	char volid[16], blocks[32];
	/*
	 * --invariant fixes the volume id too, unless -i comes after it. The
	 * cluster size is given: on a disk mkfs.fat would size clusters by the
	 * disk, and a FAT32 with fewer than 65525 clusters reads as FAT16.
	 */
	const char *spc = w->fat_bytes < 512 * MIB ? "1" : "8";
	const char *argv[] = { "mkfs.fat", "-F", "32", "-n", "HYDRA", "--invariant", "-i", volid,
			       "-s", spc, "-I", "--offset", "2048", w->target, blocks, NULL };

	/* The volume id comes from the image id: the same image, the same bytes. */
	memcpy(volid, w->m->id + 8, 8);
	volid[8] = '\0';
	snprintf(blocks, sizeof(blocks), "%llu", (unsigned long long)(w->fat_bytes / 1024));
	return tool(w, argv);
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
	const char *argv[] = { "mcopy", "-m", "-o", "-i", w->fat, src, target, NULL };
	int r = mkdirs(w, dst);

	snprintf(target, sizeof(target), "::/%s", dst);
	return r ? r : tool(w, argv);
}

static int copy_payload(struct write *w)
{
	int r = 0;

	w->total = payload_bytes(w->m);
	for (size_t i = 0; !r && i < w->m->n_files; i++) {
		char *src = hydra_path_join(w->src, w->m->files[i].path);

		r = src ? copy_in(w, src, w->m->files[i].path) : -ENOMEM;
		free(src);
		w->done += w->m->files[i].size;
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

/* A file made for the medium, dated like the rest of it (mcopy -m keeps the time). */
static int write_tmp(struct write *w, const char *name, const char *text, char *path, size_t len)
{
	int r;

	snprintf(path, len, "%s/%s", w->tmpdir, name);
	r = hydra_write_file_atomic(path, text, strlen(text), 0644);
	return r ? r : hydra_set_times(path, w->m->built);
}

/* syslinux for BIOS, syslinux.efi for UEFI, one configuration for both. */
static int install_boot(struct write *w)
{
	char cfgpath[128], offset[32];
	char *cfg = hydra_bootcfg_syslinux(w->m->id, w->m->cmdline, w->o->node);
	const char *bios[] = { "syslinux", "--install", "--offset", offset, "--directory",
			       "/syslinux", w->target, NULL };
	int r = cfg ? 0 : -ENOMEM;

	snprintf(offset, sizeof(offset), "%llu", MIB);
	if (!r)
		r = write_tmp(w, "syslinux.cfg", cfg, cfgpath, sizeof(cfgpath));
	if (!r)
		r = copy_in(w, cfgpath, "syslinux/syslinux.cfg");
	if (!r)
		r = tool(w, bios);
	if (!r)
		r = copy_in(w, SYSLINUX_EFI, "EFI/BOOT/BOOTX64.EFI");
	if (!r)
		r = copy_in(w, LDLINUX_E64, "EFI/BOOT/ldlinux.e64");
	if (!r)
		r = copy_in(w, cfgpath, "EFI/BOOT/syslinux.cfg");
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
	unsigned char id[4];
	char hex[9];
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
	snprintf(hex, sizeof(hex), "%.8s", w->m->id);
	if (hydra_unhex(hex, id, 4) == 0)
		memcpy(w->sector0 + 440, id, 4);
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
	static const char *const tools[] = { "mkfs.fat", "mcopy", "mmd", "syslinux", NULL };
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

int hydra_medium_write(const char *payload_dir, const char *target,
		       const struct hydra_write_opts *opts)
{
	struct write w = { .src = payload_dir, .target = target, .o = opts, .log = opts->logfile };
	char logbuf[128] = "";
	uint64_t planned;
	int r;

	r = required_tools();
	if (!r)
		r = hydra_manifest_load(payload_dir, &w.m);
	if (r)
		return r;
	planned = plan_fat(payload_bytes(w.m));
	w.fat_bytes = opts->size ? opts->size - MIB : planned;
	if (opts->size && opts->size < MIB + planned) {
		char need[32];

		hydra_err("%s is too small for this image: it needs %s", target,
			  hydra_format_size(MIB + planned, need, sizeof(need)));
		r = -ENOSPC;
		goto out;
	}
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
	snprintf(w.fat, sizeof(w.fat), "%s@@%llu", target, MIB);
	r = prepare(&w);
	if (!r)
		r = make_fat(&w);
	if (!r)
		r = copy_payload(&w);
	if (!r)
		r = install_boot(&w);
	if (!r)
		r = read_back(&w);
	if (!r)
		r = commit(&w);
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
