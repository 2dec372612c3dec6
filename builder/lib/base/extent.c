/* Data extents of a file (SEEK_DATA/SEEK_HOLE) and zero blocks. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/extent.h"

static int add(struct hydra_extent **v, size_t *n, size_t *cap, uint64_t off, uint64_t end)
{
	struct hydra_extent *last = *n ? &(*v)[*n - 1] : NULL;

	/* Rounding may make an extent reach into the one before. */
	if (last && off <= last->off + last->len) {
		if (end > last->off + last->len)
			last->len = end - last->off;
		return 0;
	}
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct hydra_extent *nv = realloc(*v, c * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = (struct hydra_extent){ off, end - off };
	return 0;
}

int hydra_extent_map(int fd, uint64_t size, uint64_t align, struct hydra_extent **out, size_t *n)
{
	struct hydra_extent *v = NULL;
	size_t cap = 0;
	uint64_t pos = 0;
	int r = 0;

	*out = NULL;
	*n = 0;
	while (!r && pos < size) {
		off_t data = lseek(fd, (off_t)pos, SEEK_DATA), hole;
		uint64_t from, to;

		if (data < 0 && errno == ENXIO)
			break;  /* only a hole from POS to the end */
		if (data < 0) {
			/* No SEEK_DATA here: all of it counts as data. */
			r = errno == EINVAL || errno == EOPNOTSUPP ? add(&v, n, &cap, 0, size) : -errno;
			break;
		}
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0) {
			r = -errno;
			break;
		}
		if ((uint64_t)data >= size)
			break;
		from = (uint64_t)data & ~(align - 1);
		to = ((uint64_t)hole + align - 1) & ~(align - 1);
		r = add(&v, n, &cap, from, to < size ? to : size);
		pos = (uint64_t)hole;
	}
	if (r) {
		free(v);
		*n = 0;
		return r;
	}
	*out = v;
	return 0;
}

int hydra_is_zero(const void *buf, size_t len)
{
	static const unsigned char zero[4096];
	const unsigned char *p = buf;

	while (len >= sizeof(zero)) {
		if (memcmp(p, zero, sizeof(zero)))
			return 0;
		p += sizeof(zero);
		len -= sizeof(zero);
	}
	return !memcmp(p, zero, len);
}
