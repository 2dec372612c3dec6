/* The boot loader's configuration, written per medium (pure text). */
#ifndef HYDRA_BOOTCFG_H
#define HYDRA_BOOTCFG_H

/*
 * syslinux.cfg for BIOS and UEFI alike: the kernel and initramfs of layout
 * v1, the recipe's command line, hydra.id and, when NODE is given, hydra.node.
 * Returns a malloc'd string or NULL.
 */
char *hydra_bootcfg_syslinux(const char *id, const char *cmdline, const char *node);

#endif
