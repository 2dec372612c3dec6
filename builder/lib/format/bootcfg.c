/* syslinux.cfg: one entry, no menu, serial console too. */
#define _GNU_SOURCE
#include <stdio.h>

#include "base/util.h"
#include "format/bootcfg.h"

char *hydra_bootcfg_syslinux(const char *id, const char *cmdline, const char *node)
{
	return hydra_strdupf("# written by hydra for image %s\n"
			     "SERIAL 0 115200\n"
			     "DEFAULT hydra\n"
			     "PROMPT 0\n"
			     "TIMEOUT 0\n"
			     "LABEL hydra\n"
			     "  LINUX /boot/vmlinuz\n"
			     "  INITRD /boot/initrd.img\n"
			     "  APPEND %s%shydra.id=%s%s%s\n",
			     id, cmdline ? cmdline : "", cmdline && *cmdline ? " " : "", id,
			     node ? " hydra.node=" : "", node ? node : "");
}
