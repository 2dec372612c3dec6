/* Copying a program into a root tree with the shared libraries it needs, or a library by name. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "build/initramfs.h"

/*
 * Copy the file at PATH to the same path under ROOT. When PATH is a
 * symlink, the link is made too and its target copied (loaders and
 * libraries are reached through such links).
 */
static int copy_same_path(const char *path, const char *root)
{
	char *dst = hydra_path_join(root, path), link[PATH_MAX];
	struct stat st;
	ssize_t n;
	int r;

	if (!dst)
		return -ENOMEM;
	if (lstat(dst, &st) == 0) {
		free(dst);
		return 0;
	}
	r = hydra_mkdir_parent(dst);
	if (r)
		goto out;
	n = readlink(path, link, sizeof(link) - 1);
	if (n >= 0) {
		char *target, *pdir = strdup(path);

		link[n] = '\0';
		if (symlink(link, dst) < 0)
			r = -errno;
		target = link[0] == '/' ? strdup(link) :
			 pdir ? hydra_strdupf("%s/%s", dirname(pdir), link) : NULL;
		if (!r)
			r = target ? copy_same_path(target, root) : -ENOMEM;
		free(target);
		free(pdir);
	} else {
		r = hydra_copy_file(path, dst);
	}
	if (r)
		hydra_err("cannot copy '%s' into '%s': %s", path, root, strerror(-r));
out:
	free(dst);
	return r;
}

/*
 * 1 when BIN is an ELF program with an interpreter (the dynamic loader), 0
 * when it is a static program or not ELF at all (a script). ldd says "not a
 * dynamic executable" only on stderr, and for a static-pie it exits 0: the
 * program headers tell both apart without it.
 */
static int is_dynamic(const char *bin)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open(bin, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG))
		goto out;
	/* Not a 64-bit ELF of this machine: let ldd decide. */
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(ph)) {
		r = 1;
		goto out;
	}
	for (unsigned i = 0; i < eh.e_phnum && !r; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph))
			break;
		r = ph.p_type == PT_INTERP;
	}
out:
	close(fd);
	return r;
}

/* ldd prints "libx.so.1 => /lib/x86_64-linux-gnu/libx.so.1 (0x...)" and the loader. */
static int copy_libraries(const char *bin, const char *root)
{
	const char *argv[] = { "ldd", bin, NULL };
	struct hydra_spawn_opts o = { 0 };
	char *out = NULL, *save = NULL;
	int r;

	r = is_dynamic(bin);
	if (r <= 0)
		return r;
	o.capture = &out;
	r = hydra_spawn(argv, &o);
	if (r) {
		hydra_err("cannot list the libraries of '%s' with ldd", bin);
		free(out);
		return r < 0 ? r : -EINVAL;
	}
	for (char *l = strtok_r(out, "\n", &save); !r && l; l = strtok_r(NULL, "\n", &save)) {
		char *slash = strchr(l, '/'), *end;

		if (strstr(l, "not found")) {
			hydra_err("'%s' needs a library that is not installed: %s", bin, l);
			r = -ENOENT;
			break;
		}
		if (!slash)
			continue;
		end = slash + strcspn(slash, " \t(");
		*end = '\0';
		r = copy_same_path(slash, root);
	}
	free(out);
	return r;
}

int hydra_install_program(const char *bin, const char *root, const char *dest)
{
	char *dst = hydra_path_join(root, dest);
	int r;

	if (!dst)
		return -ENOMEM;
	r = hydra_mkdir_parent(dst);
	if (!r) {
		unlink(dst);
		r = hydra_copy_file(bin, dst);
		if (r)
			hydra_err("cannot copy '%s' to '%s': %s", bin, dst, strerror(-r));
	}
	if (!r)
		r = copy_libraries(bin, root);
	free(dst);
	return r;
}

char *hydra_find_library(const char *soname)
{
	struct link_map *map = NULL;
	char *path = NULL;
	void *h;

	/* Without RTLD_NOLOAD: one that this program has not loaded is found the same way. */
	h = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
	if (h && dlinfo(h, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name[0] == '/')
		path = strdup(map->l_name);
	if (h)
		dlclose(h);
	return path;
}

int hydra_install_library(const char *soname, const char *root)
{
	char *path = hydra_find_library(soname);
	int r;

	if (!path) {
		hydra_err("cannot find the library '%s' on this machine", soname);
		return -ENOENT;
	}
	r = copy_same_path(path, root);
	free(path);
	return r;
}
