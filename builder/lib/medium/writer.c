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

#include "base/hydra.h"
#include "base/util.h"
#include "format/bootcfg.h"
#include "format/fatmk.h"
#include "format/gpt.h"
#include "format/layout.h"
#include "format/manifest.h"
#include "format/syslinux.h"
#include "medium/bootfiles.h"
#include "medium/medium.h"
#include "medium/parted.h"
#include "medium/wipe.h"
#include "medium/writer.h"

#define MBR_BIN "/usr/lib/syslinux/mbr/mbr.bin"
/* Boots the partition marked legacy BIOS bootable in a GPT (syslinux-common too). */
#define GPTMBR_BIN "/usr/lib/syslinux/mbr/gptmbr.bin"
#define SYSLINUX_EFI "/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi"
#define LDLINUX_E64 "/usr/lib/syslinux/modules/efi64/ldlinux.e64"
/* Where the BIOS loader lies; its configuration is searched for there first. */
#define LOADER_DIR "/syslinux"

struct write {
	const char *src, *target;
	const struct hydra_write_opts *o;
	struct hydra_manifest *m;
	struct hydra_bootfiles boot;    /* the BIOS loader, from the payload */
	uint64_t ldlinux_sector;        /* where ldlinux.sys starts in the FAT */
	int loader_said;                /* its patching failed, and said why */
	struct hydra_layout l;
	uint64_t total, done;
	unsigned char sector0[512];
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

/*
 * A disk (or an image file there already) larger than the planned medium
 * is written whole: past what an msdos table addresses, with the GPT variant.
 */
static int onto_disk(const char *target, struct hydra_layout *l)
{
	uint64_t bytes = 0;
	int fd = open(target, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return errno == ENOENT ? 0 : hydra_err_errno("cannot open '%s'", target);
	r = hydra_fd_bytes(fd, &bytes);
	close(fd);
	if (r) {
		hydra_err("cannot size '%s': %s", target, strerror(-r));
		return r;
	}
	if (bytes > l->size && hydra_layout_disk(l, bytes) == 0 && l->gpt)
		hydra_info("'%s' is past the 2 TiB an msdos table addresses: writing a GPT",
			   target);
	return 0;
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

static int open_target(struct write *w, int flags)
{
	int fd = open(w->target, flags | O_CLOEXEC, 0644);

	return fd < 0 ? hydra_err_errno("cannot open '%s'", w->target) : fd;
}

/*
 * The GPT variant, made here rather than by libparted, which gives every
 * table random GUIDs: both GPTs are written now, the protective MBR is kept
 * for commit. Until then sector 0 is zeros, and a GPT without its
 * protective MBR is no partition table: the kernel's find_valid_gpt()
 * (block/partitions/efi.c) gives up without one unless booted with "gpt",
 * EDK2's PartitionDxe (OVMF) looks for the 0xEE entry before the GPT, and
 * blkid -p and sfdisk find no table on such a disk. Nothing mounts or
 * boots it, as on the msdos layout.
 */
static int write_gpt(struct write *w)
{
	static unsigned char zero[HYDRA_SECTOR];
	unsigned char primary[HYDRA_GPT_SECTORS * HYDRA_SECTOR];
	unsigned char backup[HYDRA_GPT_SECTORS * HYDRA_SECTOR];
	uint64_t end = w->l.disk_bytes - sizeof(backup);
	int fd, r;

	r = hydra_gpt_make(w->m->id, w->l.disk_bytes, w->l.part_start, w->l.part_bytes, w->sector0,
			   primary, backup);
	if (r) {
		hydra_err("cannot lay out a GPT on '%s': %s", w->target, strerror(-r));
		return r;
	}
	fd = open_target(w, O_RDWR);
	if (fd < 0)
		return fd;
	r = hydra_pwrite_full(fd, zero, sizeof(zero), 0);
	if (!r)
		r = hydra_pwrite_full(fd, primary, sizeof(primary), HYDRA_SECTOR);
	if (!r)
		r = hydra_pwrite_full(fd, backup, sizeof(backup), end);
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (r)
		hydra_err("cannot write the GPT of '%s': %s", w->target, strerror(-r));
	close(fd);
	return r;
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
	if (w->l.gpt)
		return write_gpt(w);
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

/* A file into the FAT being made: SRC on the host, DST on the medium. */
static int add_file(struct write *w, struct hydra_fatmk *fm, const char *src, const char *dst)
{
	struct stat st;
	int fd = open(src, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		hydra_err("cannot read '%s': %s", src, strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	r = hydra_fatmk_add(fm, dst, fd, (uint64_t)st.st_size);
	if (r)
		hydra_err("cannot write '%s' onto '%s': %s", dst, w->target, strerror(-r));
	close(fd);
	return r;
}

/* The payload files, then the MANIFEST and its signature when there is one. */
static int add_payload(struct write *w, struct hydra_fatmk *fm)
{
	int r = 0;

	w->total = payload_bytes(w->m);
	for (size_t i = 0; !r && i < w->m->n_files; i++) {
		char *src = hydra_path_join(w->src, w->m->files[i].path);

		r = src ? add_file(w, fm, src, w->m->files[i].path) : -ENOMEM;
		free(src);
		w->done += w->m->files[i].size;
		if (!r && w->o->progress && w->o->progress(w->total, w->done, w->o->progress_ud))
			r = -ECANCELED;
	}
	for (const char *extra = HYDRA_MANIFEST_PATH; !r && extra;
	     extra = strcmp(extra, HYDRA_MANIFEST_PATH) ? NULL : HYDRA_MANIFEST_PATH ".sig") {
		char *src = hydra_path_join(w->src, extra);

		if (!src)
			r = -ENOMEM;
		else if (!strcmp(extra, HYDRA_MANIFEST_PATH) || access(src, R_OK) == 0)
			r = add_file(w, fm, src, extra);
		free(src);
	}
	return r;
}

struct bytes {
	const void *buf;
	size_t len;
};

static int fill_copy(uint64_t first_sector, unsigned char *buf, size_t size, void *ud)
{
	const struct bytes *b = ud;

	(void)first_sector;
	memcpy(buf, b->buf, size);
	return 0;
}

/* A file made in memory for the medium, with fatmk's FLAGS. */
static int add_bytes(struct write *w, struct hydra_fatmk *fm, const char *dst, const void *buf,
		     size_t len, unsigned flags)
{
	struct bytes b = { buf, len };
	int r = hydra_fatmk_add_placed(fm, dst, len, flags, fill_copy, &b);

	if (r)
		hydra_err("cannot write '%s' onto '%s': %s", dst, w->target, strerror(-r));
	return r;
}

/* ldlinux.sys patched for where fatmk lays it: one run of sectors from FIRST. */
static int fill_ldlinux(uint64_t first, unsigned char *buf, size_t size, void *ud)
{
	struct write *w = ud;
	size_t n = size / HYDRA_SYSLINUX_SECTOR;
	uint64_t *sectors = malloc(n * sizeof(*sectors));
	char why[256];
	int r;

	if (!sectors)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		sectors[i] = first + i;
	r = hydra_syslinux_ldlinux(&w->boot.sl, sectors, n, LOADER_DIR, buf, why, sizeof(why));
	if (r)
		hydra_err("cannot lay ldlinux.sys onto '%s': %s", w->target, why);
	w->loader_said = !!r;
	w->ldlinux_sector = first;
	free(sectors);
	return r;
}

/*
 * syslinux for BIOS, as `syslinux --install` lays it: ldlinux.sys patched
 * with its sectors and ldlinux.c32, both read-only, hidden and system,
 * into LOADER_DIR. The boot sector gets its code once fatmk wrote it.
 */
static int add_loader(struct write *w, struct hydra_fatmk *fm)
{
	int r = hydra_fatmk_add_placed(fm, LOADER_DIR "/ldlinux.sys",
				       hydra_syslinux_file_bytes(&w->boot.sl), F_FATMK_SYSTEM,
				       fill_ldlinux, w);

	if (r && !w->loader_said)
		hydra_err("cannot write ldlinux.sys onto '%s': %s", w->target, strerror(-r));
	if (!r)
		r = add_bytes(w, fm, LOADER_DIR "/ldlinux.c32", w->boot.c32, w->boot.c32_len,
			      F_FATMK_SYSTEM);
	return r;
}

/* syslinux's code into the FAT's boot sector, pointed at ldlinux.sys; the BPB stays fatmk's. */
static int boot_sector(struct write *w, int fd)
{
	unsigned char *bs = NULL;
	char why[256];
	int r;

	/* Aligned for O_DIRECT, as fatmk's own writes are. */
	if (posix_memalign((void **)&bs, 4096, 4096))
		return -ENOMEM;
	r = hydra_pread_full(fd, bs, HYDRA_SYSLINUX_SECTOR, w->l.part_start);
	if (!r && (r = hydra_syslinux_bootsect(&w->boot.sl, w->ldlinux_sector, bs, why,
					       sizeof(why))))
		hydra_err("cannot give the boot sector of '%s' syslinux's code: %s", w->target, why);
	else if (!r && (r = hydra_pwrite_full(fd, bs, HYDRA_SYSLINUX_SECTOR, w->l.part_start)))
		hydra_err("cannot write the boot sector of '%s': %s", w->target, strerror(-r));
	free(bs);
	return r;
}

/*
 * A disk with 512-byte sectors is written past the page cache (O_DIRECT):
 * in a guest under TCG that took a clone from 1.72 s to 1.52 s, the copy
 * into the cache and its write-back being the difference. Image files are
 * written through the cache.
 */
static int open_fat_target(struct write *w)
{
	int fd = open_target(w, O_RDWR), ssz = 0, dfd;

	if (fd >= 0 && ioctl(fd, BLKSSZGET, &ssz) == 0 && ssz == 512 &&
	    (dfd = open(w->target, O_RDWR | O_CLOEXEC | O_DIRECT)) >= 0) {
		close(fd);
		return dfd;
	}
	return fd;
}

/*
 * The FAT32 made in process: boot loader configuration, the BIOS loader
 * and UEFI files first, then the payload; last the boot sector's code. One
 * configuration serves BIOS (syslinux) and UEFI (syslinux.efi).
 */
static int make_fat(struct write *w)
{
	struct hydra_fatmk_opts fo = {
		.offset = w->l.part_start, .bytes = w->l.part_bytes,
		.cluster_sectors = w->l.cluster_sectors,
		.volid = (uint32_t)strtoul(w->l.volid, NULL, 16),
		.label = "HYDRA", .time = w->m->built,
	};
	struct hydra_fatmk *fm = NULL;
	char *cfg = hydra_bootcfg_syslinux(w->m->id, w->m->cmdline, w->o->node);
	int fd = open_fat_target(w), r = cfg ? 0 : -ENOMEM;

	if (fd < 0) {
		free(cfg);
		return fd;
	}
	if (!r && (r = hydra_fatmk_begin(fd, &fo, &fm)))
		hydra_err("cannot make a FAT32 of %llu bytes on '%s': %s",
			  (unsigned long long)fo.bytes, w->target, strerror(-r));
	if (!r)
		r = add_bytes(w, fm, LOADER_DIR "/syslinux.cfg", cfg, strlen(cfg), 0);
	if (!r)
		r = add_loader(w, fm);
	if (!r)
		r = add_file(w, fm, SYSLINUX_EFI, "EFI/BOOT/BOOTX64.EFI");
	if (!r)
		r = add_file(w, fm, LDLINUX_E64, "EFI/BOOT/ldlinux.e64");
	if (!r)
		r = add_bytes(w, fm, "EFI/BOOT/syslinux.cfg", cfg, strlen(cfg), 0);
	if (!r)
		r = add_payload(w, fm);
	if (!r && (r = hydra_fatmk_finish(fm)))
		hydra_err("cannot write the FAT32 of '%s': %s", w->target, strerror(-r));
	if (!r)
		r = boot_sector(w, fd);
	hydra_fatmk_free(fm);
	free(cfg);
	close(fd);
	return r;
}

/* Read every payload file back from the target and compare it with the MANIFEST. */
static int read_back(struct write *w)
{
	struct hydra_verify_report rep;
	int fd = open(w->target, O_RDONLY | O_CLOEXEC), r;
	/*
	 * A new image file is read through the page cache, as whoever reads it
	 * gets it: dropping it made the build read the default image's 187 MiB
	 * in again from the disk (0.48 s against 0.19 s). A disk is read past
	 * it. Either way the target is synced first, and a write that did not
	 * reach the disk fails here.
	 */
	unsigned flags = F_VERIFY_PAYLOAD_ONLY |
			 ((w->o->flags & F_WRITE_CREATE) ? F_VERIFY_CACHED : 0);

	if (fd >= 0 && fsync(fd) < 0 && errno != EINVAL) {
		r = hydra_err_errno("cannot write '%s'", w->target);
		close(fd);
		return r;
	}
	if (fd >= 0) {
		if (!(flags & F_VERIFY_CACHED)) {
			ioctl(fd, BLKFLSBUF, 0);
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		}
		close(fd);
	}
	r = hydra_medium_verify(w->target, flags, NULL, NULL, &rep);
	if (r)
		hydra_err("'%s' does not read back as written (%s): not committed", w->target,
			  rep.bad_file[0] ? rep.bad_file : "unreadable");
	return r;
}

/*
 * Boot code, disk id, table, boot flag, signature: one sector, written last.
 * On GPT it is the protective MBR with gptmbr.bin, which boots the partition
 * marked legacy BIOS bootable; it is what makes the GPT written before it
 * a partition table at all.
 */
static int commit(struct write *w)
{
	const char *code = w->l.gpt ? GPTMBR_BIN : MBR_BIN;
	char *mbr = NULL;
	size_t len;
	int fd, r;

	r = hydra_read_file(code, &mbr, &len);
	if (r || len < 440) {
		hydra_err("cannot read '%s' (Debian package syslinux-common)", code);
		free(mbr);
		return r ? r : -EINVAL;
	}
	memcpy(w->sector0, mbr, 440);
	free(mbr);
	/* The disk identifier comes from the image id: the same image, the same bytes. */
	for (int i = 0; i < 4; i++)
		w->sector0[440 + i] = (unsigned char)(w->l.disk_id >> (8 * i));
	if (w->sector0[510] != 0x55 || w->sector0[511] != 0xAA ||
	    (w->l.gpt ? w->sector0[450] != HYDRA_MBR_TYPE_GPT : w->sector0[446] != 0x80)) {
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

/* What the writer takes from this machine rather than from the payload. */
static int required_files(int gpt)
{
	const char *const files[] = { MBR_BIN, SYSLINUX_EFI, LDLINUX_E64,
				      gpt ? GPTMBR_BIN : NULL, NULL };

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
	{ "make the FAT32, lay the boot loader and copy the payload", make_fat },
	{ "read back", read_back },
	{ "commit the boot sector", commit },
};

int hydra_medium_write(const char *payload_dir, const char *target,
		       const struct hydra_write_opts *opts)
{
	struct write w = { .src = payload_dir, .target = target, .o = opts };
	int r;

	r = hydra_manifest_load(payload_dir, &w.m);
	if (r)
		return r;
	r = plan(w.m, opts->size, target, &w.l);
	if (!r && !(opts->flags & F_WRITE_CREATE))
		r = onto_disk(target, &w.l);
	if (!r)
		r = required_files(w.l.gpt);
	/* Read and checked before a byte is written: a medium without them is refused whole. */
	if (!r)
		r = hydra_bootfiles_load(payload_dir, w.m, &w.boot);
	if (r || (opts->flags & F_WRITE_DRY_RUN))
		goto out;
	for (size_t i = 0; !r && i < sizeof(steps) / sizeof(steps[0]); i++) {
		double t0 = hydra_now();

		r = steps[i].fn(&w);
		hydra_debug("writing '%s': %s in %.2f s", target, steps[i].name, hydra_now() - t0);
		if (r)
			hydra_err("writing '%s' stopped at: %s", target, steps[i].name);
	}
out:
	hydra_bootfiles_release(&w.boot);
	hydra_manifest_free(w.m);
	return r;
}
