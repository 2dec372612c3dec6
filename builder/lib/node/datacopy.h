/*
 * The data layer's files at file level: a tree read with libarchive's
 * read_disk (owners, modes, times, ACLs, xattrs, holes of sparse files,
 * symbolic links as links) and written either to another directory
 * (write_disk) or into an archive (a snapshot), hard links kept as links.
 */
#ifndef HYDRA_DATACOPY_H
#define HYDRA_DATACOPY_H

#include <stdint.h>

#include "base/hydra.h"

struct archive;

struct hydra_tree_count {
	uint64_t entries;          /* files, directories, links... below the root */
	uint64_t bytes;            /* sizes of the regular files */
};

/*
 * Stream every entry of SRC into OUT, named PREFIX/REL (PREFIX "" gives
 * relative names and leaves SRC itself out). TO_DISK says OUT is a write_disk
 * handle (holes are skipped by offset) rather than an archive writer
 * (holes are streamed as zeros, which the pax writer drops again).
 */
int hydra_tree_stream(const char *src, struct archive *out, const char *prefix, int to_disk,
		      hydra_progress_fn progress, void *ud);
/* Count what is below ROOT with lstat alone (not libarchive): the check on a copy. */
int hydra_tree_count(const char *root, struct hydra_tree_count *c);
/* The write_disk options for the data layer: everything kept, nothing outside DEST. */
unsigned hydra_data_extract_flags(void);
/*
 * Copy the tree SRC into the existing directory DST, then compare entry
 * counts and bytes of both: -EBADMSG (logged with both figures) if they
 * differ.
 */
int hydra_data_copy(const char *src, const char *dst, hydra_progress_fn progress, void *ud);

#endif
