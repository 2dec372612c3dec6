/*
 * Making a FAT32 in process: format a partition and lay files into it, each
 * file in contiguous clusters written with large writes, directories and
 * FATs written once at the end. It replaces mkfs.fat, mmd and one mcopy per
 * directory, which cost a process each and far more than the bytes on a
 * slow (emulated) machine. The same inputs give the same bytes.
 */
#ifndef HYDRA_FATMK_H
#define HYDRA_FATMK_H

#include <stddef.h>
#include <stdint.h>

struct hydra_fatmk;

struct hydra_fatmk_opts {
	uint64_t offset;            /* partition start on the target, bytes */
	uint64_t bytes;             /* partition size, a multiple of 512 */
	unsigned cluster_sectors;   /* a power of two */
	uint32_t volid;
	const char *label;          /* up to 11 characters, stored in upper case */
	int64_t time;               /* every date on the file system (SOURCE_DATE_EPOCH) */
};

/*
 * Start a FAT32 on FD; -ENOSPC/-EINVAL when it cannot hold 65525 clusters.
 * Every write is of whole 512-byte sectors from 4096-aligned memory, so FD
 * may be opened with O_DIRECT on a disk with 512-byte sectors.
 */
int hydra_fatmk_begin(int fd, const struct hydra_fatmk_opts *o, struct hydra_fatmk **out);
/*
 * Copy SIZE bytes from SRC_FD into PATH ("dir/name"), making its directories.
 * -ENOSPC when the file system is full, or the directory is (65536 slots of
 * 32 bytes, a long name taking one more for every 13 characters).
 */
int hydra_fatmk_add(struct hydra_fatmk *w, const char *path, int src_fd, uint64_t size);
/* Read-only, hidden and system: how a boot loader marks the files it loads by sector. */
enum { F_FATMK_SYSTEM = 1 << 0 };

/*
 * SIZE bytes (at most 8 MiB) for PATH whose contents depend on where they
 * lie: FILL gets the first sector of the file's run of clusters (counted
 * from the file system's start, in 512-byte sectors) and a buffer of SIZE
 * bytes to fill; a non-zero return stops and is returned. FLAGS: F_FATMK_*.
 */
typedef int (*hydra_fatmk_fill_fn)(uint64_t first_sector, unsigned char *buf, size_t size,
				   void *ud);
int hydra_fatmk_add_placed(struct hydra_fatmk *w, const char *path, size_t size, unsigned flags,
			   hydra_fatmk_fill_fn fill, void *ud);
/* Directories, both FATs, FSInfo and the boot sectors; then the file system is whole. */
int hydra_fatmk_finish(struct hydra_fatmk *w);
void hydra_fatmk_free(struct hydra_fatmk *w);

#endif
