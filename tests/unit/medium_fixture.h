/*
 * Media made by hand with mkfs.fat and mtools, not by hydra's writer, so
 * the readers are tested against something they did not make.
 */
#ifndef HYDRA_MEDIUM_FIXTURE_H
#define HYDRA_MEDIUM_FIXTURE_H

#include <fcntl.h>

#include "format/bootcfg.h"
#include "format/manifest.h"
#include "harness.h"

static inline int have_tools(void)
{
	return sh("command -v mkfs.fat && command -v mcopy") == 0;
}

/* A FAT32 partition at 1 MiB holding a payload and its MANIFEST. */
static inline void make_medium(int commit)
{
	struct hydra_manifest *m = NULL;
	unsigned char sector[512] = { 0 };
	char *cfg;
	int fd;

	OK(t_write("p/boot/vmlinuz", "KERNEL-MARKER-0123456789") == 0);
	OK(t_write("p/boot/initrd.img", "INITRD-MARKER-0123456789") == 0);
	OK(t_write("p/live/system.sqfs", "SQUASH-MARKER-0123456789") == 0);
	EQ_INT(hydra_manifest_scan("p", "test", "console=ttyS0", 1, &m), 0);
	EQ_INT(hydra_manifest_save("p", m), 0);
	/* The boot loader's configuration, outside the payload, as the writer makes it. */
	cfg = m ? hydra_bootcfg_syslinux(m->id, m->cmdline, NULL) : NULL;
	OK(cfg && t_write("p/syslinux/syslinux.cfg", cfg) == 0 &&
	   t_write("p/EFI/BOOT/syslinux.cfg", cfg) == 0);
	free(cfg);
	hydra_manifest_free(m);
	EQ_INT(sh("truncate -s 80M img && mkfs.fat -F 32 -n HYDRA --offset 2048 img 79000"), 0);
	EQ_INT(sh("export MTOOLS_SKIP_CHECK=1; "
		  "mmd -i img@@1M ::/boot ::/live ::/hydra ::/syslinux ::/EFI ::/EFI/BOOT && "
		  "mcopy -i img@@1M p/boot/vmlinuz p/boot/initrd.img ::/boot/ && "
		  "mcopy -i img@@1M p/live/system.sqfs ::/live/ && "
		  "mcopy -i img@@1M p/syslinux/syslinux.cfg ::/syslinux/ && "
		  "mcopy -i img@@1M p/EFI/BOOT/syslinux.cfg ::/EFI/BOOT/ && "
		  "mcopy -i img@@1M p/hydra/MANIFEST ::/hydra/"), 0);
	if (!commit)
		return;
	sector[446] = 0x80;
	sector[446 + 4] = 0x0c;
	sector[446 + 8 + 1] = 0x08;   /* start LBA 2048 */
	sector[446 + 12 + 1] = 0x35;  /* 79000 sectors, roughly */
	sector[510] = 0x55;
	sector[511] = 0xAA;
	fd = open("img", O_WRONLY);
	OK(fd >= 0 && pwrite(fd, sector, 512, 0) == 512);
	close(fd);
}

/* Change one byte of the first occurrence of MARKER in the image. */
static inline void flip(const char *marker)
{
	char *buf = NULL, *hit;
	size_t len;
	int fd;

	EQ_INT(hydra_read_file("img", &buf, &len), 0);
	hit = buf ? memmem(buf, len, marker, strlen(marker)) : NULL;
	OK(hit != NULL);
	fd = open("img", O_WRONLY);
	if (hit && fd >= 0)
		OK(pwrite(fd, "X", 1, hit - buf) == 1);
	close(fd);
	free(buf);
}

#endif
