/*
 * A directory tree into a libarchive archive, the same bytes every time:
 * sorted, owned by root, every time EPOCH. The cpio of the initramfs and the
 * tar of an overlay are both made this way.
 */
#ifndef HYDRA_TREE_H
#define HYDRA_TREE_H

#include <stdint.h>

struct archive;

enum {
	F_TREE_INODES = 1 << 0,   /* number inodes by position (cpio) */
	F_TREE_PLAIN = 1 << 1,    /* files, directories and links only (overlays) */
};

int hydra_tree_archive(struct archive *a, const char *src, int64_t epoch, unsigned flags);
/* Open A on OUT.tmp; hydra_tree_finish closes it and renames it to OUT, or removes it. */
int hydra_tree_open(struct archive *a, const char *out);
int hydra_tree_finish(struct archive *a, const char *out, int r);

#endif
