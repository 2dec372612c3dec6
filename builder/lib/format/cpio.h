/* cpio newc archives, written with libarchive: the initramfs's container. */
#ifndef HYDRA_FORMAT_CPIO_H
#define HYDRA_FORMAT_CPIO_H

#include <stdint.h>

enum {
	F_CPIO_ZSTD = 1 << 0,      /* zstd-compressed (Debian's kernel has CONFIG_RD_ZSTD) */
	F_CPIO_CONSOLE = 1 << 1,   /* add dev/console, c 5 1, for the kernel to open */
};

/* Pack the tree SRC as cpio newc: sorted, owners root, times EPOCH. */
int hydra_cpio_write(const char *src, const char *out, int64_t epoch, unsigned flags);

#endif
