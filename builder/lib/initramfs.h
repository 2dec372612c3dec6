/*
 * The initramfs: hydra-init as /init with its shared libraries, busybox as a
 * rescue shell, the kernel modules in load order (listed in
 * /etc/hydra/modules, one path relative to /lib/modules/VERSION a line),
 * /dev/console. Written as cpio newc with libarchive, zstd-compressed.
 */
#ifndef HYDRA_INITRAMFS_H
#define HYDRA_INITRAMFS_H

#include <stdint.h>

#include "kernel.h"
#include "modules.h"

enum {
	F_CPIO_ZSTD = 1 << 0,      /* zstd-compressed (Debian's kernel has CONFIG_RD_ZSTD) */
	F_CPIO_CONSOLE = 1 << 1,   /* add dev/console, c 5 1, for the kernel to open */
};

/* Pack the tree SRC as cpio newc: sorted, owners root, times EPOCH. */
int hydra_cpio_write(const char *src, const char *out, int64_t epoch, unsigned flags);

int hydra_initramfs_build(const char *init_binary, const struct hydra_kernel *k,
			  const struct hydra_modlist *mods, const char *workdir,
			  const char *out, int64_t epoch);

/*
 * Copy the ELF program BIN to ROOT/DEST with every shared library it needs
 * (and the dynamic loader) at the same paths under ROOT.
 */
int hydra_install_program(const char *bin, const char *root, const char *dest);

#endif
