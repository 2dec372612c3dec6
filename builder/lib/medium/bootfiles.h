/*
 * The BIOS boot loader a medium carries in its payload, under
 * hydra/syslinux/: ldlinux.sys and the FAT boot sector as `syslinux
 * --install` left them on a scratch FAT at build time, and the ldlinux.c32
 * that installer put beside them (built with it: another build of
 * ldlinux.c32 may not match its ldlinux.sys). The writer installs the
 * loader from these in process, so a node writes its copies without the
 * syslinux program, and they are payload: the MANIFEST covers them, its
 * signature too, netboot fetches them and a read-back checks them.
 */
#ifndef HYDRA_BOOTFILES_H
#define HYDRA_BOOTFILES_H

#include <stddef.h>

#include "format/manifest.h"
#include "format/syslinux.h"

#define HYDRA_BOOTFILES_LDLINUX "hydra/syslinux/ldlinux.sys"
#define HYDRA_BOOTFILES_C32 "hydra/syslinux/ldlinux.c32"
#define HYDRA_BOOTFILES_BOOTSECT "hydra/syslinux/bootsect.bin"

/*
 * Run syslinux --install once on a scratch FAT made in WORKDIR and put its
 * files into the medium root MEDIUM; the tool's output goes to LOG.
 */
int hydra_bootfiles_make(const char *medium, const char *workdir, const char *log);

struct hydra_bootfiles {
	char *ldlinux, *c32, *bootsect;
	size_t ldlinux_len, c32_len, bootsect_len;
	struct hydra_syslinux sl;       /* points into ldlinux and bootsect */
};

/*
 * The files from the medium root ROOT, each as M lists it (size and
 * SHA-256), the loader checked (format/syslinux.h). -ENOENT when M lists
 * none of them (a medium from before they were carried), -EBADMSG when one
 * differs or is no syslinux loader; logged with the file named.
 */
int hydra_bootfiles_load(const char *root, const struct hydra_manifest *m,
			 struct hydra_bootfiles *out);
void hydra_bootfiles_release(struct hydra_bootfiles *b);

#endif
