/*
 * Reading a medium: a mounted medium root (a directory such as
 * /run/hydra/medium), or an image file or disk holding layout v1 (MBR,
 * FAT32 partition 1), read in process (fat.c) so no mount is needed.
 */
#ifndef HYDRA_MEDIUM_H
#define HYDRA_MEDIUM_H

#include <stddef.h>
#include <stdint.h>

#include "base/hydra.h"
#include "format/layout.h"
#include "format/manifest.h"

/* Layout v1 puts partition 1 here; an uncommitted medium has no table to say so. */
#define HYDRA_PART_OFFSET (1024 * 1024)


struct hydra_medium;

int hydra_medium_open(const char *path, struct hydra_medium **out);
/*
 * The same, an image file read through the page cache, as its readers read
 * it, rather than from the disk: for a new image file just written (and
 * synced) by this process, whose pages would only be read in again.
 */
int hydra_medium_open_cached(const char *path, struct hydra_medium **out);
void hydra_medium_close(struct hydra_medium *m);
/* 1 when the boot sector was committed (always 1 for a mounted root). */
int hydra_medium_committed(const struct hydra_medium *m);
/*
 * 0 when the committed partition table fits the disk or image it is on:
 * partition 1 inside it, partition 2 after partition 1 and inside it too,
 * and a FAT32 whose numbers add up. Otherwise logs which and returns
 * -EBADMSG, *PART naming the part: "(partition table)" or "(file system)".
 * A mounted root has no table.
 */
int hydra_medium_check_table(const struct hydra_medium *m, const char **part);
/* Read a whole (small) file of the medium into a NUL-terminated buffer. */
int hydra_medium_read(struct hydra_medium *m, const char *rel, char **buf, size_t *len);
/* SHA-256 and size of a file of the medium, read back from the disk. */
int hydra_medium_hash(struct hydra_medium *m, const char *rel,
		      unsigned char sha[HYDRA_SHA256_LEN], uint64_t *size);
/* Size of a file of the medium without reading it; -ENOENT when absent. */
int hydra_medium_stat(struct hydra_medium *m, const char *rel, uint64_t *size);

enum hydra_medium_state {
	HYDRA_MEDIUM_COMPLETE = 0,
	HYDRA_MEDIUM_INCOMPLETE,  /* not committed, or files missing or short */
	HYDRA_MEDIUM_CORRUPT,     /* a file differs from the MANIFEST */
};

enum {
	F_VERIFY_QUICK = 1 << 0,         /* sizes only */
	F_VERIFY_PAYLOAD_ONLY = 1 << 1,  /* the files, not whether it was committed */
	F_VERIFY_CACHED = 1 << 2,        /* an image file read as hydra_medium_open_cached does */
};

struct hydra_verify_report {
	enum hydra_medium_state state;
	char id[HYDRA_ID_LEN + 1];
	char bad_file[256];       /* the first file that differs, if any */
	size_t files;
	uint64_t bytes;
};

/*
 * Check every payload file of the medium at PATH against its MANIFEST.
 * Returns 0 when it is complete, -EBADMSG when incomplete or corrupt (the
 * report says which, and the first bad file), another -errno when it could
 * not be read at all.
 */
int hydra_medium_verify(const char *path, unsigned flags, hydra_progress_fn progress, void *ud,
			struct hydra_verify_report *rep);

#endif
