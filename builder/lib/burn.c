/* Burning an image: checked source, safe target, first MiB last. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "burn.h"
#include "hydra.h"
#include "medium.h"
#include "safety.h"
#include "util.h"
#include "wipe.h"

#define CHUNK (4u << 20)
#define HEAD (1u << 20)

struct burn {
	const char *image, *target;
	int in, out, rd;            /* image, target for writing, target for reading back */
	int is_file;
	uint64_t size, done, total;
	unsigned char *buf, *cmp;
	const struct hydra_burn_opts *o;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int tick(struct burn *b, uint64_t n)
{
	b->done += n;
	if (b->o->progress && b->o->progress(b->total, b->done, b->o->progress_ud))
		return -ECANCELED;
	return 0;
}

static int read_full(int fd, unsigned char *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		got += (size_t)n;
	}
	return 0;
}

static int write_full(int fd, const unsigned char *buf, size_t len, uint64_t off)
{
	size_t put = 0;

	while (put < len) {
		ssize_t n = pwrite(fd, buf + put, len - put, (off_t)(off + put));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		put += (size_t)n;
	}
	return 0;
}

/* Copy [FROM, TO) of the image to the target. */
static int copy_range(struct burn *b, uint64_t from, uint64_t to)
{
	for (uint64_t off = from; off < to;) {
		size_t len = to - off < CHUNK ? (size_t)(to - off) : CHUNK;
		int r = read_full(b->in, b->buf, len, off);

		if (r) {
			hydra_err("cannot read '%s': %s", b->image, strerror(-r));
			return r;
		}
		r = write_full(b->out, b->buf, len, off);
		if (r) {
			hydra_err("cannot write '%s' at byte %llu: %s", b->target,
				  (unsigned long long)off, strerror(-r));
			return r;
		}
		off += len;
		if ((r = tick(b, len)))
			return r;
	}
	if (fsync(b->out) < 0) {
		hydra_err("cannot sync '%s': %s", b->target, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Read [FROM, TO) back from the target, past the page cache, and compare. */
static int compare_range(struct burn *b, uint64_t from, uint64_t to)
{
	if (b->is_file)
		posix_fadvise(b->rd, (off_t)from, (off_t)(to - from), POSIX_FADV_DONTNEED);
	for (uint64_t off = from; off < to;) {
		size_t len = to - off < CHUNK ? (size_t)(to - off) : CHUNK;
		int r = read_full(b->in, b->buf, len, off);

		if (!r)
			r = read_full(b->rd, b->cmp, len, off);
		if (r) {
			hydra_err("cannot read back '%s': %s", b->target, strerror(-r));
			return r;
		}
		if (memcmp(b->buf, b->cmp, len)) {
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

/* Block devices are written and read with O_DIRECT where they allow it. */
static int open_target(struct burn *b)
{
	int excl = b->is_file ? O_CREAT : O_EXCL;

	b->out = open(b->target, O_RDWR | O_CLOEXEC | excl | (b->is_file ? 0 : O_DIRECT), 0644);
	if (b->out < 0 && errno == EINVAL)
		b->out = open(b->target, O_RDWR | O_CLOEXEC | excl, 0644);
	if (b->out < 0) {
		int r = -errno;

		hydra_err("cannot open '%s': %s", b->target, strerror(errno));
		return r == -EBUSY ? -EBUSY : r;
	}
	b->rd = open(b->target, O_RDONLY | O_CLOEXEC | (b->is_file ? 0 : O_DIRECT));
	if (b->rd < 0 && errno == EINVAL)
		b->rd = open(b->target, O_RDONLY | O_CLOEXEC);
	if (b->rd < 0) {
		hydra_err("cannot open '%s' to read back: %s", b->target, strerror(errno));
		return -errno;
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
	b->in = open(b->image, O_RDONLY | O_CLOEXEC);
	if (b->in < 0 || fstat(b->in, &st) < 0) {
		hydra_err("cannot open '%s': %s", b->image, strerror(errno));
		return -errno;
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
	struct hydra_target *t = NULL;
	struct stat st, img;
	int r;

	if (stat(b->target, &st) < 0 && errno == ENOENT) {
		b->is_file = 1;  /* a new image file */
		return 0;
	}
	if (fstat(b->in, &img) == 0 && img.st_dev == st.st_dev && img.st_ino == st.st_ino) {
		hydra_err("refusing '%s': it is the image itself", b->target);
		return -EINVAL;
	}
	r = hydra_target_inspect(b->o->sysroot ? b->o->sysroot : "", b->target, &t);
	if (!r)
		r = hydra_target_check(b->o->sysroot ? b->o->sysroot : "", t,
				       t->is_file ? 0 : b->size);
	if (!r)
		b->is_file = t->is_file;
	hydra_target_free(t);
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
	if (r)
		goto out;
	if (posix_memalign((void **)&b.buf, 4096, CHUNK) ||
	    posix_memalign((void **)&b.cmp, 4096, CHUNK)) {
		r = -ENOMEM;
		goto out;
	}
	r = open_target(&b);
	if (!r)
		r = hydra_wipe_signatures(target);
	if (r)
		goto out;
	b.total = 2 * b.size;
	t0 = now();
	/* Everything but the boot sector area first: until the end, nothing boots. */
	r = copy_range(&b, HEAD, b.size);
	rep->write_seconds = now() - t0;
	t0 = now();
	if (!r)
		r = compare_range(&b, HEAD, b.size);
	rep->verify_seconds = now() - t0;
	if (r)
		goto out;
	t0 = now();
	r = copy_range(&b, 0, HEAD);
	rep->write_seconds += now() - t0;
	t0 = now();
	if (!r)
		r = compare_range(&b, 0, HEAD);
	rep->verify_seconds += now() - t0;
	if (!r)
		rep->bytes = b.size;
out:
	free(b.buf);
	free(b.cmp);
	if (b.in >= 0)
		close(b.in);
	if (b.out >= 0)
		close(b.out);
	if (b.rd >= 0)
		close(b.rd);
	return r;
}
