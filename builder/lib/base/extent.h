/*
 * Where a file holds data: its data extents from SEEK_DATA/SEEK_HOLE, so a
 * mostly empty image is copied by its data and zeroed elsewhere. The gaps
 * between extents read as zeros; a filesystem that cannot say reports the
 * whole file as data.
 */
#ifndef HYDRA_EXTENT_H
#define HYDRA_EXTENT_H

#include <stddef.h>
#include <stdint.h>

struct hydra_extent {
	uint64_t off, len;
};

/*
 * The data extents of the first SIZE bytes of FD, sorted, rounded outwards
 * to ALIGN (a power of two) and merged where the rounding made them touch;
 * the last one ends at SIZE at most. *OUT is malloc'd (NULL when there is
 * no data at all).
 */
int hydra_extent_map(int fd, uint64_t size, uint64_t align, struct hydra_extent **out, size_t *n);

/* 1 when LEN bytes at BUF are all zero. */
int hydra_is_zero(const void *buf, size_t len);

#endif
