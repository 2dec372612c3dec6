/* The software layer: the root filesystem tree and live/system.sqfs. */
#ifndef HYDRA_ROOTFS_H
#define HYDRA_ROOTFS_H

#include <stdint.h>

#include "recipe.h"

/*
 * base = busybox: busybox-static with its applet links, /etc basics, a root
 * shell on ttyS0 and tty1, hydra itself (HYDRA_BIN with its libraries).
 */
int hydra_rootfs_busybox(const struct hydra_recipe *r, const char *root,
			 const char *hydra_bin, const char *logfile);
/* mksquashfs ROOT OUT, zstd, owners root, times EPOCH. */
int hydra_squashfs_make(const char *root, const char *out, int64_t epoch, const char *logfile);

#endif
