/* The software layer: the root filesystem tree and live/system.sqfs. */
#ifndef HYDRA_ROOTFS_H
#define HYDRA_ROOTFS_H

#include <stdint.h>

#include "build/recipe.h"

/*
 * base = busybox: busybox-static with its applet links, /etc basics, a root
 * shell on ttyS0 and tty1, hydra itself (HYDRA_BIN with its libraries).
 */
int hydra_rootfs_busybox(const struct hydra_recipe *r, const char *root,
			 const char *hydra_bin, const char *logfile);
struct hydra_kernel;
/*
 * base = debian: mmdebstrap (suite, mirror, variant and packages from the
 * recipe; .debs kept in APTCACHE across builds), hydra itself, and the
 * modules of the kernel K that the medium boots.
 */
int hydra_rootfs_debian(const struct hydra_recipe *r, const char *root,
			const struct hydra_kernel *k, const char *hydra_bin,
			const char *aptcache, int64_t epoch, const char *logfile);
/* Drop host keys, logs, caches and the machine id: every copy of an image is alike. */
int hydra_rootfs_clean(const char *root);
/* mksquashfs ROOT OUT, zstd, owners root, times EPOCH. */
int hydra_squashfs_make(const char *root, const char *out, int64_t epoch, const char *logfile);

#endif
