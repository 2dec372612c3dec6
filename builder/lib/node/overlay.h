/*
 * Configuration overlays: file trees packed as tar at build time and laid
 * over the root at boot. Extraction refuses absolute paths, "..", device
 * nodes, FIFOs and links that leave the tree, before writing anything.
 */
#ifndef HYDRA_OVERLAY_H
#define HYDRA_OVERLAY_H

#include <stdint.h>

struct archive;

/* Pack the tree SRC into the tar OUT: sorted, owners root, times EPOCH. */
int hydra_overlay_pack(const char *src, const char *out, int64_t epoch);
/*
 * Check every entry of the tar at PATH first, then lay it over DEST. PATH
 * is a plain tar, as hydra_overlay_pack writes it: a compressed one cannot
 * be opened (hydra-init carries no decompressor).
 * Returns -EPERM (after logging the entry and why) for a hostile archive,
 * in which case nothing was written. Links of DEST that lead to existing
 * directories are kept and followed as inside chroot(DEST) (so lib/x goes
 * to usr/lib/x when lib -> usr/lib); a link an entry itself names is
 * replaced. -ELOOP when DEST's links loop on an entry's way.
 */
int hydra_overlay_apply(const char *path, const char *dest);

/*
 * The checks hydra_overlay_apply makes before writing, for any tar that is
 * to be laid into a tree (KIND names it in messages: "overlay",
 * "snapshot"): every header, then every byte read once. Paths and link
 * targets are compared in one spelling ("./a//b/" is "a/b"), so nothing
 * reaches under a link of the same archive however it is written, hard
 * links included. -EPERM for a hostile entry, -EIO for a damaged archive.
 * FILTER is the libarchive read filter the tar may be compressed with
 * (archive_read_support_filter_zstd, _all), NULL for a plain tar only: a
 * program takes from libarchive only the decompressors it names.
 * COUNT (may be NULL) gets what the archive holds.
 */
struct hydra_archive_count {
	uint64_t entries;     /* every entry */
	uint64_t bytes;       /* of the regular files' data */
	uint64_t hard_links;  /* entries that are hard links */
	uint64_t largest;     /* the largest regular file */
};
int hydra_archive_check(const char *path, const char *kind, int (*filter)(struct archive *),
			struct hydra_archive_count *count);

#endif
