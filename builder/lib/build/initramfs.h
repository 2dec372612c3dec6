/*
 * The initramfs: hydra-init as /init with its shared libraries, busybox as a
 * rescue shell, the kernel modules in load order (listed in
 * /etc/hydra/modules, one path relative to /lib/modules/VERSION a line),
 * /dev/console, and the public keys of TRUST_DIR (the recipe's
 * hardware-db/keys, or NULL) in /etc/hydra/keys, which hydra-init checks a
 * netbooted MANIFEST against. Written as cpio newc with libarchive,
 * zstd-compressed.
 */
#ifndef HYDRA_INITRAMFS_H
#define HYDRA_INITRAMFS_H

#include <stdint.h>

#include "build/kernel.h"
#include "build/modules.h"

int hydra_initramfs_build(const char *init_binary, const struct hydra_kernel *k,
			  const struct hydra_modlist *mods, const char *trust_dir,
			  const char *workdir, const char *out, int64_t epoch);
/*
 * The *.pub files of TRUST_DIR, sorted (what goes into the initramfs), as a
 * NULL-terminated array; none (*PATHS NULL) when it has none or is missing.
 */
int hydra_initramfs_trusted_keys(const char *trust_dir, char ***paths, size_t *n);

/*
 * Copy the ELF program BIN to ROOT/DEST with every shared library it needs
 * (and the dynamic loader) at the same paths under ROOT.
 */
int hydra_install_program(const char *bin, const char *root, const char *dest);

/*
 * The libraries that glibc itself opens at run time, which ldd does not
 * list, and that the initramfs and a busybox root carry: libgcc_s.so.1,
 * with which pthread_exit unwinds a thread (NULL-terminated).
 */
extern const char *const hydra_dlopened_libs[];
/* Where this machine's dynamic loader finds SONAME (malloc'd), or NULL. */
char *hydra_find_library(const char *soname);
/* Copy the library SONAME to its path under ROOT, as hydra_install_program does. */
int hydra_install_library(const char *soname, const char *root);

#endif
