/*
 * Snapshots of the data layer: a tar.zst (pax) whose first member,
 * ".hydra-snapshot", is a JSON header naming the node, the image id and the
 * time. What a neighbour keeps to regenerate a dead node's data.
 */
#ifndef HYDRA_SNAPSHOT_H
#define HYDRA_SNAPSHOT_H

#include <stdint.h>

#include "base/hydra.h"

#define HYDRA_SNAPSHOT_HEADER ".hydra-snapshot"
/* 9999-12-31T23:59:59Z: a later "created" is damage, and gmtime could not show it. */
#define HYDRA_SNAPSHOT_TIME_MAX 253402300799LL

struct hydra_snapshot_info {
	char node[64];
	char image[32];            /* image id */
	int64_t created;           /* seconds since the epoch */
	uint64_t entries;          /* below the root, header not counted */
	uint64_t bytes;            /* of the regular files */
};

/*
 * Write the tree SRC to OUT (through OUT.tmp, renamed when complete) with
 * the header INFO (node, image, created; the counts are filled in).
 */
int hydra_snapshot_write(const char *src, const char *out, struct hydra_snapshot_info *info,
			 hydra_progress_fn progress, void *ud);
/*
 * The header of the snapshot at PATH, every field range-checked (a node name,
 * an image id, a time from 1970 to 9999, counts that are not negative);
 * -EINVAL, naming the field, when it is not a hydra snapshot.
 */
int hydra_snapshot_read_info(const char *path, struct hydra_snapshot_info *info);
/*
 * Lay the snapshot PATH into the empty directory DEST (lost+found aside).
 * The whole archive is checked first (hydra_archive_check: paths that leave
 * the tree, device nodes, damage): -EPERM or -EIO, and nothing written, when
 * it is refused. -ENOTEMPTY when DEST holds files.
 */
int hydra_snapshot_restore(const char *path, const char *dest);

#endif
