/*
 * The initramfs: hydra-init as /init with its shared libraries, busybox as a
 * rescue shell, the kernel modules in load order (listed in
 * /etc/hydra/modules, one path relative to /lib/modules/VERSION a line),
 * /dev/console. Written as cpio newc with libarchive, zstd-compressed.
 */
#ifndef HYDRA_INITRAMFS_H
#define HYDRA_INITRAMFS_H

#include <stdint.h>

#include "build/kernel.h"
#include "build/modules.h"

int hydra_initramfs_build(const char *init_binary, const struct hydra_kernel *k,
			  const struct hydra_modlist *mods, const char *workdir,
			  const char *out, int64_t epoch);

/*
 * Copy the ELF program BIN to ROOT/DEST with every shared library it needs
 * (and the dynamic loader) at the same paths under ROOT.
 */
int hydra_install_program(const char *bin, const char *root, const char *dest);

#endif
