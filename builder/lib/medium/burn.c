/* Burning an image: checked source, safe target, first MiB last. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/extent.h"
#include "base/hydra.h"
#include "base/util.h"
#include "format/gpt.h"
#include "format/layout.h"
#include "medium/burn.h"
#include "medium/medium.h"
#include "medium/safety.h"
#include "medium/wipe.h"

/* Large writes and reads; zero detection and extents in whole MiBs. */
#define CHUNK (8u << 20)
#define HEAD (1u << 20)
#define ZBLOCK ((size_t)1 << 20)
#define ZSTEP (64ull << 20)
#define GPTMBR_BIN "/usr/lib/syslinux/mbr/gptmbr.bin"
#define GPT_BYTES (HYDRA_GPT_SECTORS * HYDRA_SECTOR)

struct burn {
	const char *image, *target;
	int in, out, rd;            /* image, target for writing, target for reading back */
	int is_file;
	int write_zeros;            /* the target cannot zero ranges itself */
	uint64_t size, done, total;
	uint64_t disk;              /* the target's size: past HYDRA_MBR_LIMIT, it gets a GPT */
	char id[HYDRA_ID_LEN + 1];
	unsigned char *buf, *cmp, *zero;
	struct hydra_extent *ext;   /* the image's data; zeros between */
	size_t n_ext;
	const struct hydra_burn_opts *o;
};

static int tick(struct burn *b, uint64_t n)
{
	b->done += n;
	if (b->o->progress && b->o->progress(b->total, b->done, b->o->progress_ud))
		return -ECANCELED;
	return 0;
}

/*
 * Make [OFF, OFF+LEN) of the target read as zeros without sending the zeros:
 * a block device zeroes it itself (a loop device makes zeroed extents in its backing file),
 * a file gets a hole. Where neither works, zeros are written.
 */
static int zero_out(struct burn *b, uint64_t off, uint64_t len)
{
	uint64_t range[2] = { off, len };
	int r;

	if (!b->write_zeros) {
		if (b->is_file)
			r = fallocate(b->out, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      (off_t)off, (off_t)len);
		else
			r = ioctl(b->out, BLKZEROOUT, range);
		if (r == 0)
			return 0;
		if (errno != EOPNOTSUPP && errno != EINVAL && errno != ENOTTY)
			return -errno;
		hydra_debug("'%s' cannot zero a range itself (%s): writing zeros", b->target,
			    strerror(errno));
		b->write_zeros = 1;
	}
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;

		if ((r = hydra_pwrite_full(b->out, b->zero, n, off + done)))
			return r;
		done += n;
	}
	return 0;
}

/* Write LEN bytes of BUF at OFF, blocks of zeros as zeroed ranges. */
static int put(struct burn *b, const unsigned char *buf, size_t len, uint64_t off)
{
	for (size_t at = 0, end; at < len; at = end) {
		int zero = hydra_is_zero(buf + at, len - at < ZBLOCK ? len - at : ZBLOCK), r;

		for (end = at + ZBLOCK; end < len &&
			    hydra_is_zero(buf + end, len - end < ZBLOCK ? len - end : ZBLOCK) == zero;
		     end += ZBLOCK)
			;
		if (end > len)
			end = len;
		r = zero ? zero_out(b, off + at, end - at) : hydra_pwrite_full(b->out, buf + at, end - at, off + at);
		if (r)
			return r;
	}
	return 0;
}

/* A hole of the image made zero on the target, in steps so that progress moves on a slow stick. */
static int zero_piece(struct burn *b, uint64_t from, uint64_t to)
{
	for (uint64_t off = from; off < to; off += ZSTEP) {
		uint64_t len = to - off < ZSTEP ? to - off : ZSTEP;
		int r = zero_out(b, off, len);

		if (r) {
			hydra_err("cannot zero '%s' at byte %llu: %s", b->target,
				  (unsigned long long)off, strerror(-r));
			return r;
		}
		if ((r = tick(b, len)))
			return r;
	}
	return 0;
}

/* One piece of the image: DATA bytes copied, or a hole made zero on the target. */
static int copy_piece(struct burn *b, uint64_t from, uint64_t to, int data)
{
	if (!data)
		return zero_piece(b, from, to);
	for (uint64_t off = from; off < to;) {
		size_t len = to - off < CHUNK ? (size_t)(to - off) : CHUNK;
		int r = hydra_pread_full(b->in, b->buf, len, off);

		if (r) {
			hydra_err("cannot read '%s': %s", b->image, strerror(-r));
			return r;
		}
		/* The kernel reads the next chunk while this one is written. */
		posix_fadvise(b->in, (off_t)(off + len), CHUNK, POSIX_FADV_WILLNEED);
		r = put(b, b->buf, len, off);
		if (r) {
			hydra_err("cannot write '%s' at byte %llu: %s", b->target,
				  (unsigned long long)off, strerror(-r));
			return r;
		}
		off += len;
		if ((r = tick(b, len)))
			return r;
	}
	return 0;
}

/* Read a piece back from the target and compare: with the image, or with zeros. */
static int compare_piece(struct burn *b, uint64_t from, uint64_t to, int data)
{
	for (uint64_t off = from; off < to;) {
		size_t len = to - off < CHUNK ? (size_t)(to - off) : CHUNK;
		int r = data ? hydra_pread_full(b->in, b->buf, len, off) : 0;

		if (!r)
			r = hydra_pread_full(b->rd, b->cmp, len, off);
		if (r) {
			hydra_err("cannot read back '%s': %s", b->target, strerror(-r));
			return r;
		}
		if (data ? memcmp(b->buf, b->cmp, len) != 0 : !hydra_is_zero(b->cmp, len)) {
			hydra_err("'%s' reads back different from the image near byte %llu",
				  b->target, (unsigned long long)off);
			return -EBADMSG;
		}
		off += len;
		if ((r = tick(b, len)))
			return r;
	}
	return 0;
}

/* FN over [FROM, TO) piece by piece: the image's data extents and the holes between. */
static int each_piece(struct burn *b, uint64_t from, uint64_t to,
		      int (*fn)(struct burn *b, uint64_t from, uint64_t to, int data))
{
	uint64_t pos = from;
	int r = 0;

	for (size_t i = 0; !r && i < b->n_ext && pos < to; i++) {
		uint64_t s = b->ext[i].off, e = s + b->ext[i].len;

		if (e <= pos)
			continue;
		if (s > pos)
			r = fn(b, pos, s < to ? s : to, 0);
		if (!r && s < to)
			r = fn(b, s > pos ? s : pos, e < to ? e : to, 1);
		pos = e;
	}
	if (!r && pos < to)
		r = fn(b, pos, to, 0);
	return r;
}

/* Copy [FROM, TO) of the image to the target, then make it durable. */
static int copy_range(struct burn *b, uint64_t from, uint64_t to)
{
	int r = each_piece(b, from, to, copy_piece);

	if (!r && fsync(b->out) < 0) {
		r = -errno;
		hydra_err("cannot sync '%s': %s", b->target, strerror(errno));
	}
	return r;
}

/* Read [FROM, TO) back from the target, past the page cache, and compare. */
static int compare_range(struct burn *b, uint64_t from, uint64_t to)
{
	if (b->is_file)
		posix_fadvise(b->rd, (off_t)from, (off_t)(to - from), POSIX_FADV_DONTNEED);
	return each_piece(b, from, to, compare_piece);
}

/* Block devices are written and read with O_DIRECT where they allow it. */
static int open_target(struct burn *b)
{
	int excl = b->is_file ? O_CREAT : O_EXCL;

	b->out = open(b->target, O_RDWR | O_CLOEXEC | excl | (b->is_file ? 0 : O_DIRECT), 0644);
	if (b->out < 0 && errno == EINVAL)
		b->out = open(b->target, O_RDWR | O_CLOEXEC | excl, 0644);
	if (b->out < 0)
		return hydra_err_errno("cannot open '%s'", b->target);
	b->rd = open(b->target, O_RDONLY | O_CLOEXEC | (b->is_file ? 0 : O_DIRECT));
	if (b->rd < 0 && errno == EINVAL)
		b->rd = open(b->target, O_RDONLY | O_CLOEXEC);
	if (b->rd < 0) {
		return hydra_err_errno("cannot open '%s' to read back", b->target);
	}
	return 0;
}

/* A file target at least as long as the image, so that holes punched in it read as zeros. */
static int size_file(struct burn *b)
{
	struct stat st;

	/*
	 * Shrunk too, as dd does: an old tail past the image would not be the
	 * image. A file past an msdos table's reach stands for such a disk and
	 * keeps its size, as a disk would.
	 */
	if (!b->is_file || b->disk > HYDRA_MBR_LIMIT ||
	    (fstat(b->out, &st) == 0 && (uint64_t)st.st_size == b->size))
		return 0;
	if (ftruncate(b->out, (off_t)b->size) < 0) {
		return hydra_err_errno("cannot size '%s'", b->target);
	}
	return 0;
}

static int check_source(struct burn *b)
{
	struct hydra_verify_report rep;
	struct stat st;
	int r;

	r = hydra_medium_verify(b->image, 0, NULL, NULL, &rep);
	if (r) {
		hydra_err("refusing to burn '%s': it does not match its MANIFEST", b->image);
		return r;
	}
	snprintf(b->id, sizeof(b->id), "%s", rep.id);
	b->in = open(b->image, O_RDONLY | O_CLOEXEC);
	if (b->in < 0 || fstat(b->in, &st) < 0) {
		return hydra_err_errno("cannot open '%s'", b->image);
	}
	b->size = (uint64_t)st.st_size;
	if (b->size <= HEAD || b->size % 512) {
		hydra_err("'%s' is not a hydra image: %llu bytes", b->image,
			  (unsigned long long)b->size);
		return -EINVAL;
	}
	return 0;
}

static int check_target(struct burn *b)
{
	const char *sysroot = b->o->sysroot ? b->o->sysroot : "";
	struct hydra_target *t = NULL;
	struct stat st, img;
	int r;

	if (stat(b->target, &st) < 0 && errno == ENOENT) {
		b->is_file = 1;  /* a new image file */
		return 0;
	}
	if (fstat(b->in, &img) < 0)
		return -errno;
	r = hydra_target_inspect(sysroot, b->target, &t);
	/* The image itself, by another name or through a loop device over it. */
	if (!r && hydra_target_writes_file(t, &img)) {
		if (t->is_file)
			hydra_err("refusing '%s': it is the image itself", b->target);
		else
			hydra_err("refusing '%s': it is a loop device over the image itself ('%s')",
				  b->target, t->backing);
		r = -EBUSY;
	}
	if (!r)
		r = hydra_target_check(sysroot, t, t->is_file ? 0 : b->size);
	if (!r)
		b->is_file = t->is_file;
	b->disk = t ? t->size : 0;
	hydra_target_free(t);
	return r;
}

/* Write LEN bytes of P at OFF through the aligned buffer (O_DIRECT), read back, compare. */
static int put_exact(struct burn *b, const unsigned char *p, size_t len, uint64_t off)
{
	int r;

	memcpy(b->buf, p, len);
	r = hydra_pwrite_full(b->out, b->buf, len, off);
	if (!r && fsync(b->out) < 0)
		r = -errno;
	if (!r && b->is_file)
		posix_fadvise(b->rd, (off_t)off, (off_t)len, POSIX_FADV_DONTNEED);
	if (!r)
		r = hydra_pread_full(b->rd, b->cmp, len, off);
	if (!r && memcmp(b->buf, b->cmp, len))
		r = -EBADMSG;
	if (r)
		hydra_err("cannot write the GPT of '%s' at byte %llu: %s", b->target,
			  (unsigned long long)off, strerror(-r));
	return r;
}

/*
 * The first MiB on a disk past an msdos table's reach: the image's
 * partition 1 stays where it is, described by a GPT instead (format/gpt.h,
 * as the writer makes it). The backup GPT and the primary go first, the
 * protective MBR with gptmbr.bin last: without it neither the kernel nor
 * firmware reads the GPT, so until then nothing boots or mounts the disk.
 */
static int burn_gpt_head(struct burn *b)
{
	unsigned char s0[HYDRA_SECTOR], primary[GPT_BYTES], backup[GPT_BYTES];
	struct hydra_mbr mbr;
	char *code = NULL;
	size_t len = 0;
	int r = hydra_pread_full(b->in, b->buf, HYDRA_SECTOR, 0);

	if (!r) {
		hydra_mbr_parse(b->buf, &mbr);
		r = mbr.type == HYDRA_MBR_TYPE_GPT ? -EINVAL :
		    hydra_gpt_make(b->id, b->disk, mbr.start, mbr.size, s0, primary, backup);
		if (r)
			hydra_err("cannot lay out a GPT for '%s' on '%s': %s", b->image, b->target,
				  strerror(-r));
	}
	if (!r && (hydra_read_file(GPTMBR_BIN, &code, &len) || len < 440)) {
		hydra_err("cannot read '%s' (Debian package syslinux-common)", GPTMBR_BIN);
		r = -ENOENT;
	}
	if (!r)
		memcpy(s0, code, 440);
	free(code);
	if (!r)
		r = put_exact(b, backup, GPT_BYTES, b->disk - GPT_BYTES);
	if (!r)
		r = copy_range(b, HYDRA_TABLE_HEAD, HEAD);
	if (!r)
		r = compare_range(b, HYDRA_TABLE_HEAD, HEAD);
	if (!r)
		r = put_exact(b, primary, GPT_BYTES, HYDRA_SECTOR);
	if (!r)
		r = put_exact(b, s0, HYDRA_SECTOR, 0);
	return r;
}

int hydra_burn(const char *image, const char *target, const struct hydra_burn_opts *o,
	       struct hydra_burn_report *rep)
{
	struct burn b = { .image = image, .target = target, .in = -1, .out = -1, .rd = -1, .o = o };
	double t0;
	int r;

	memset(rep, 0, sizeof(*rep));
	r = check_source(&b);
	if (!r)
		r = check_target(&b);
	if (r || o->dry_run)
		goto out;
	if (posix_memalign((void **)&b.buf, 4096, CHUNK) ||
	    posix_memalign((void **)&b.cmp, 4096, CHUNK) ||
	    posix_memalign((void **)&b.zero, 4096, CHUNK)) {
		r = -ENOMEM;
		goto out;
	}
	memset(b.zero, 0, CHUNK);
	r = hydra_extent_map(b.in, b.size, HEAD, &b.ext, &b.n_ext);
	if (r) {
		hydra_err("cannot map the data of '%s': %s", image, strerror(-r));
		goto out;
	}
	r = open_target(&b);
	if (!r)
		r = hydra_wipe_signatures(target);
	if (!r)
		r = size_file(&b);
	/* What an earlier medium left in the boot sector area goes first (the wipe clears only
	 * its signature): from here to the end, nothing boots the target. */
	if (!r && !(r = zero_out(&b, 0, HEAD)) && fdatasync(b.out) < 0)
		r = hydra_err_errno("cannot clear the boot sector of '%s'", target);
	if (r)
		goto out;
	b.total = 2 * b.size;
	t0 = hydra_now();
	/* Everything but the boot sector area first: until the end, nothing boots. */
	r = copy_range(&b, HEAD, b.size);
	rep->write_seconds = hydra_now() - t0;
	t0 = hydra_now();
	if (!r)
		r = compare_range(&b, HEAD, b.size);
	rep->verify_seconds = hydra_now() - t0;
	if (r)
		goto out;
	t0 = hydra_now();
	if (b.disk > HYDRA_MBR_LIMIT) {
		hydra_info("'%s' is past the 2 TiB an msdos table addresses: writing a GPT", target);
		r = burn_gpt_head(&b);
		rep->write_seconds += hydra_now() - t0;
	} else {
		r = copy_range(&b, 0, HEAD);
		rep->write_seconds += hydra_now() - t0;
		t0 = hydra_now();
		if (!r)
			r = compare_range(&b, 0, HEAD);
		rep->verify_seconds += hydra_now() - t0;
	}
	if (!r)
		rep->bytes = b.size;
out:
	free(b.buf);
	free(b.cmp);
	free(b.zero);
	free(b.ext);
	if (b.in >= 0)
		close(b.in);
	if (b.out >= 0)
		close(b.out);
	if (b.rd >= 0)
		close(b.rd);
	return r;
}
