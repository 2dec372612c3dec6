/* The software layer for base = busybox: a small, complete userland with hydra in it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "build/initramfs.h"
#include "build/rootfs.h"
#include "format/layout.h"
#include "format/manifest.h"

#define BUSYBOX "/bin/busybox"

/* What hydra runs to write and check media; the image must carry it to replicate. */
static const char *const writer_tools[] = {
	"/usr/sbin/mkfs.fat", "/usr/bin/mcopy", "/usr/bin/mmd", "/usr/bin/mdir",
	"/usr/bin/mattrib", "/usr/bin/mmove", "/usr/bin/mtype", "/usr/bin/mdel",
	"/usr/sbin/fsck.fat", "/usr/sbin/blkid", "/usr/sbin/sfdisk",
	/* the data layer: its ext4, and extended attributes and ACLs to look at */
	"/usr/sbin/mkfs.ext4", "/usr/sbin/e2fsck", "/usr/bin/setfattr", "/usr/bin/getfattr",
	"/usr/bin/setfacl", "/usr/bin/getfacl", NULL,
};

static const char *const writer_files[] = {
	"/usr/lib/syslinux/mbr/mbr.bin",
	/* the protective MBR's boot code on a disk past an msdos table's 2 TiB */
	"/usr/lib/syslinux/mbr/gptmbr.bin",
	"/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi",
	"/usr/lib/syslinux/modules/efi64/ldlinux.e64",
	/* mtools converts FAT names through iconv's code page 850 */
	"/usr/lib/x86_64-linux-gnu/gconv/gconv-modules",
	"/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache",
	"/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.d/gconv-modules-extra.conf",
	"/usr/lib/x86_64-linux-gnu/gconv/IBM850.so",
	"/usr/lib/x86_64-linux-gnu/gconv/IBM437.so",
	"/etc/mke2fs.conf",
	NULL,
};

static const struct {
	const char *path;
	const char *text;
	mode_t mode;
} etc_files[] = {
	{ "etc/inittab",
	  "# busybox init: a root shell on the serial console and on tty1\n"
	  "::sysinit:/etc/init.d/rcS\n"
	  "ttyS0::respawn:-/bin/sh\n"
	  "tty1::respawn:-/bin/sh\n"
	  "::ctrlaltdel:/sbin/reboot\n"
	  "::shutdown:/bin/umount -a -r\n", 0644 },
	{ "etc/init.d/rcS",
	  "#!/bin/sh\n"
	  "# What a small system needs before its shells start.\n"
	  "mounted() { grep -qs \" $1 \" /proc/mounts; }\n"
	  "mounted /proc || mount -t proc proc /proc\n"
	  "mounted /sys || mount -t sysfs sysfs /sys\n"
	  "mounted /dev || mount -t devtmpfs devtmpfs /dev\n"
	  "mkdir -p /dev/pts /run/hydra /var/log\n"
	  "mounted /dev/pts || mount -t devpts devpts /dev/pts\n"
	  "mounted /tmp || mount -t tmpfs -o mode=1777 tmpfs /tmp\n"
	  "if [ -s /run/hydra/hostname ]; then\n"
	  "\thostname -F /run/hydra/hostname\n"
	  "else\n"
	  "\thostname -F /etc/hostname\n"
	  "fi\n"
	  "ifconfig lo 127.0.0.1 up 2>/dev/null\n"
	  "for hook in /etc/hydra/boot.d/*; do [ -x \"$hook\" ] && \"$hook\"; done\n"
	  "id=$(sed -n 's/^id //p' " HYDRA_MEDIUM_DIR "/" HYDRA_MANIFEST_PATH " 2>/dev/null)\n"
	  "echo \"hydra: ${id:-unknown} node $(cat /run/hydra/node 2>/dev/null || echo generic) ready\"\n",
	  0755 },
	{ "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644 },
	{ "etc/group", "root:x:0:\n", 0644 },
	/* No password works for root: the consoles give a shell, the network nothing. */
	{ "etc/shadow", "root:*:19000:0:99999:7:::\n", 0600 },
	{ "etc/hostname", "hydra\n", 0644 },
	{ "etc/profile",
	  "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
	  "export PS1='\\h:\\w# '\n", 0644 },
	{ "etc/fstab", "# the root is assembled by hydra-init\n", 0644 },
};

static int put(const char *root, const char *rel, const char *text, mode_t mode)
{
	char *path = hydra_path_join(root, rel);
	int r = path ? hydra_mkdir_parent(path) : -ENOMEM;

	if (!r)
		r = hydra_write_file_atomic(path, text, strlen(text), mode);
	if (!r && chmod(path, mode) < 0)
		r = -errno;
	if (r)
		hydra_err("cannot write '%s': %s", path ? path : rel, strerror(-r));
	free(path);
	return r;
}

/* busybox and one relative link per applet, as busybox --install would make. */
static int install_busybox(const char *root, const char *logfile)
{
	const char *argv[] = { BUSYBOX, "--list-full", NULL };
	struct hydra_spawn_opts o = { .logfile = logfile };
	char *list = NULL, *save = NULL, *bb = hydra_path_join(root, "bin/busybox");
	int r;

	if (access(BUSYBOX, X_OK) < 0) {
		hydra_err("cannot find %s: install the Debian package 'busybox-static'", BUSYBOX);
		free(bb);
		return -ENOENT;
	}
	o.capture = &list;
	r = bb ? hydra_mkdir_parent(bb) : -ENOMEM;
	if (!r)
		r = hydra_copy_file(BUSYBOX, bb);
	if (!r)
		r = hydra_spawn(argv, &o);
	for (char *l = strtok_r(r ? NULL : list, "\n", &save); !r && l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *path = hydra_path_join(root, l), *target;
		int depth = 0;

		for (const char *c = l; *c; c++)
			depth += *c == '/';
		target = depth == 2 ? strdup("../../bin/busybox") : strdup("../bin/busybox");
		if (!path || !target || hydra_mkdir_parent(path))
			r = -ENOMEM;
		else if (strcmp(l, "bin/busybox") && symlink(target, path) < 0 && errno != EEXIST)
			r = -errno;
		free(path);
		free(target);
	}
	free(list);
	free(bb);
	return r;
}

static int install_writer_tools(const char *root)
{
	int r = 0;

	for (size_t i = 0; !r && writer_tools[i]; i++) {
		if (access(writer_tools[i], X_OK) < 0) {
			const char *base = strrchr(writer_tools[i], '/') + 1;

			return hydra_tool_require(base);
		}
		r = hydra_install_program(writer_tools[i], root, writer_tools[i]);
	}
	for (size_t i = 0; !r && writer_files[i]; i++) {
		char *dst = hydra_path_join(root, writer_files[i]);

		r = dst ? hydra_mkdir_parent(dst) : -ENOMEM;
		if (!r && (r = hydra_copy_file(writer_files[i], dst)))
			hydra_err("cannot copy '%s' (Debian packages syslinux-common, syslinux-efi, "
				  "libc6, e2fsprogs): %s", writer_files[i], strerror(-r));
		free(dst);
	}
	return r;
}

int hydra_rootfs_busybox(const struct hydra_recipe *r, const char *root,
			 const char *hydra_bin, const char *logfile)
{
	static const char *const dirs[] = { "proc", "sys", "dev", "run", "tmp", "var/log", "root",
					    "mnt", "etc/hydra/boot.d", "etc/hydra/clone.d", NULL };
	int e;

	(void)r;
	hydra_rm_rf(root);
	e = hydra_mkdir_p(root, 0755);
	for (size_t i = 0; !e && dirs[i]; i++) {
		char *d = hydra_path_join(root, dirs[i]);

		e = d ? hydra_mkdir_p(d, 0755) : -ENOMEM;
		free(d);
	}
	if (!e)
		e = install_busybox(root, logfile);
	for (size_t i = 0; !e && i < sizeof(etc_files) / sizeof(etc_files[0]); i++)
		e = put(root, etc_files[i].path, etc_files[i].text, etc_files[i].mode);
	if (!e)
		e = hydra_install_program(hydra_bin, root, "usr/bin/hydra");
	/* hydra data unlock runs argon2id as hydra-init does (initramfs.c). */
	for (size_t i = 0; !e && hydra_dlopened_libs[i]; i++)
		e = hydra_install_library(hydra_dlopened_libs[i], root);
	if (!e)
		e = install_writer_tools(root);
	return e;
}
