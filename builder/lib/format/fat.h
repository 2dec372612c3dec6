/*
 * Reading a FAT32 file system in process: files found by path (long names
 * too), their clusters read in runs of contiguous clusters with large reads.
 * It takes a descriptor and an offset, never a path, so it reads an image
 * file, a disk opened with O_DIRECT, or a test's buffer written to a file.
 */
#ifndef HYDRA_FAT_H
#define HYDRA_FAT_H

#include <stddef.h>
#include <stdint.h>

struct hydra_fat;

struct hydra_fat_file {
	uint32_t cluster;           /* first cluster; 0 for an empty file */
	uint64_t size;
	int is_dir;
};

/*
 * The FAT32 at byte OFFSET of FD. Reads go straight to FD with buffers
 * aligned for O_DIRECT. -EINVAL when there is no FAT32 there; -EBADMSG for
 * a FAT32 whose numbers do not add up (a FAT larger than its clusters need,
 * a file system reaching past the end of FD): nothing is allocated by them.
 */
int hydra_fat_open(int fd, uint64_t offset, struct hydra_fat **out);
void hydra_fat_free(struct hydra_fat *f);

/* "dir/file" from the root, names compared without case; -ENOENT when absent. */
int hydra_fat_lookup(struct hydra_fat *f, const char *path, struct hydra_fat_file *out);

/*
 * The file's bytes in order, handed to FN a piece at a time (at most a few
 * MiB); FN returns non-zero to stop, and that is returned. -EIO when the
 * cluster chain is broken or shorter than the size.
 */
typedef int (*hydra_fat_data_fn)(const void *buf, size_t len, void *ud);
int hydra_fat_read(struct hydra_fat *f, const struct hydra_fat_file *file, hydra_fat_data_fn fn,
		   void *ud);

/*
 * FILE's bytes whole, in a malloc'd buffer with a NUL after them (a text
 * reads as a string); -EFBIG when it is larger than MAX bytes.
 */
int hydra_fat_read_whole(struct hydra_fat *f, const struct hydra_fat_file *file, size_t max,
			 char **buf, size_t *len);

/*
 * The 512-byte sectors FILE's bytes lie in, in file order, numbered from the
 * file system's start (what a boot loader that loads a file by sector
 * lists): up to MAX of them into OUT and their count into *N. -E2BIG when
 * there are more than MAX, -EIO when the chain is broken or short.
 */
int hydra_fat_sectors(struct hydra_fat *f, const struct hydra_fat_file *file, uint64_t *out,
		      size_t max, size_t *n);
#endif
