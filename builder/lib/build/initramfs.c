/* The initramfs: hydra-init, its libraries, a rescue shell and the driver map's modules. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "build/initramfs.h"
#include "format/cpio.h"
#include "format/signature.h"

#define BUSYBOX "/bin/busybox"

/*
 * libargon2 ends each of its threads with pthread_exit, which has glibc
 * open libgcc_s.so.1 to unwind it, or abort: unlocking a LUKS2 volume whose
 * argon2id runs on more than one lane (libcryptsetup's default is up to 4)
 * would kill PID 1. No program of the initramfs links it, so ldd cannot
 * name it.
 */
const char *const hydra_dlopened_libs[] = { "libgcc_s.so.1", NULL };

/*
 * The kernel's indexes describe its 4000 modules, 2 MB of them; made again
 * over the few the initramfs carries, modprobe in the rescue shell finds
 * exactly those (and their aliases) and nothing that is not there.
 */
static int index_modules(const char *root, const char *version, const char *workdir)
{
	const char *argv[] = { "depmod", "-b", root, version, NULL };
	char *log = hydra_path_join(workdir, "depmod.log");
	int r;

	if (!log)
		return -ENOMEM;
	unlink(log);
	r = hydra_run(argv, log);
	if (r)
		hydra_err("depmod failed on the initramfs modules of %s (see %s)", version, log);
	free(log);
	return r > 0 ? -EIO : r;
}

/* The modules, their index files, and /etc/hydra/modules in load order. */
static int add_modules(const struct hydra_kernel *k, const struct hydra_modlist *mods,
		       const char *root)
{
	/* What depmod reads besides the modules themselves. */
	static const char *const index_files[] = { "modules.order", "modules.builtin",
						   "modules.builtin.modinfo", NULL };
	char *moddir = hydra_strdupf("%s/lib/modules/%s", root, k->version);
	char *list = NULL, *listpath = hydra_path_join(root, "etc/hydra/modules");
	size_t len = 0;
	FILE *f = open_memstream(&list, &len);
	int r = moddir && listpath && f ? 0 : -ENOMEM;

	for (size_t i = 0; !r && i < mods->n; i++) {
		char *src = hydra_path_join(k->moddir, mods->paths[i]);
		char *dst = hydra_path_join(moddir, mods->paths[i]);

		r = dst ? hydra_mkdir_parent(dst) : -ENOMEM;
		if (!r && (r = hydra_copy_file(src, dst)))
			hydra_err("cannot copy the module '%s': %s", src, strerror(-r));
		fprintf(f, "%s\n", mods->paths[i]);
		free(src);
		free(dst);
	}
	for (size_t i = 0; !r && index_files[i]; i++) {
		char *src = hydra_path_join(k->moddir, index_files[i]);
		char *dst = hydra_path_join(moddir, index_files[i]);

		if (src && dst && access(src, R_OK) == 0)
			r = hydra_copy_file(src, dst);
		free(src);
		free(dst);
	}
	if (f)
		fclose(f);
	if (!r)
		r = hydra_mkdir_parent(listpath);
	if (!r)
		r = hydra_write_file_atomic(listpath, list ? list : "", len, 0644);
	free(list);
	free(listpath);
	free(moddir);
	return r;
}

/*
 * The copy of hydra-init in the initramfs loses its debug information,
 * a third of its size that nothing there reads (its symbols stay, for a
 * backtrace); the program that was built keeps it.
 */
static int strip_debug(const char *root, const char *workdir)
{
	char *init = hydra_path_join(root, "init"), *log = hydra_path_join(workdir, "strip.log");
	const char *argv[] = { "strip", "--strip-debug", init, NULL };
	int r = init && log ? 0 : -ENOMEM;

	if (!r) {
		unlink(log);
		r = hydra_run(argv, log);
		if (r)
			hydra_err("strip failed on the initramfs's copy of hydra-init (see %s)", log);
	}
	free(init);
	free(log);
	return r > 0 ? -EIO : r;
}

/* busybox-static as a rescue shell: hydra-init drops to it when it cannot go on. */
static int add_busybox(const char *root)
{
	char *dst = hydra_path_join(root, "bin/busybox"), *sh = hydra_path_join(root, "bin/sh");
	int r = dst && sh ? 0 : -ENOMEM;

	if (!r && access(BUSYBOX, X_OK) < 0) {
		hydra_warn("no %s (Debian package busybox-static): the initramfs has no rescue shell",
			   BUSYBOX);
		goto out;
	}
	if (!r)
		r = hydra_mkdir_parent(dst);
	if (!r)
		r = hydra_copy_file(BUSYBOX, dst);
	if (!r && symlink("busybox", sh) < 0)
		r = -errno;
out:
	free(dst);
	free(sh);
	return r;
}

int hydra_initramfs_trusted_keys(const char *trust_dir, char ***paths, size_t *n)
{
	struct dirent **ents = NULL;
	int count = trust_dir ? scandir(trust_dir, &ents, NULL, alphasort) : 0, r = 0;

	*paths = NULL;
	*n = 0;
	if (count < 0)
		return errno == ENOENT ? 0 : hydra_err_errno("cannot read '%s'", trust_dir);
	*paths = calloc((size_t)count + 1, sizeof(char *));
	if (!*paths)
		r = -ENOMEM;
	for (int i = 0; i < count; i++) {
		size_t len = strlen(ents[i]->d_name);

		if (!r && ents[i]->d_name[0] != '.' && len > 4 &&
		    !strcmp(ents[i]->d_name + len - 4, ".pub")) {
			(*paths)[*n] = hydra_path_join(trust_dir, ents[i]->d_name);
			r = (*paths)[(*n)++] ? 0 : -ENOMEM;
		}
		free(ents[i]);
	}
	free(ents);
	if (r || !*n) {
		hydra_strv_free(*paths, HYDRA_STRV_ALL);
		*paths = NULL;
		*n = 0;
	}
	return r;
}

/*
 * The keys hydra-init trusts: checked as a store first (a private key or a
 * file that is no ed25519 public key stops the build), then copied.
 */
static int add_trust(const char *root, const char *trust_dir)
{
	struct hydra_trust *t = NULL;
	char **keys = NULL, *dir = hydra_path_join(root, HYDRA_INITRAMFS_TRUST_DIR + 1);
	size_t n = 0;
	int r = dir ? hydra_trust_load(trust_dir, &t) : -ENOMEM;

	if (!r)
		r = hydra_initramfs_trusted_keys(trust_dir, &keys, &n);
	if (!r && n)
		r = hydra_mkdir_p(dir, 0755);
	for (size_t i = 0; !r && i < n; i++) {
		char *dst = hydra_path_join(dir, strrchr(keys[i], '/') + 1);

		r = dst ? hydra_copy_file(keys[i], dst) : -ENOMEM;
		if (r)
			hydra_err("cannot copy the trusted key '%s' into the initramfs: %s", keys[i],
				  strerror(-r));
		free(dst);
	}
	if (!r && n)
		hydra_info("the initramfs trusts %zu key(s) of '%s' for netboot", n, trust_dir);
	hydra_strv_free(keys, HYDRA_STRV_ALL);
	hydra_trust_free(t);
	free(dir);
	return r;
}

int hydra_initramfs_build(const char *init_binary, const struct hydra_kernel *k,
			  const struct hydra_modlist *mods, const char *trust_dir,
			  const char *workdir, const char *out, int64_t epoch)
{
	static const char *const dirs[] = { "dev", "proc", "sys", "run", "tmp", "etc/hydra", NULL };
	char *root = hydra_path_join(workdir, "initramfs");
	int r;

	if (!root)
		return -ENOMEM;
	hydra_rm_rf(root);
	r = hydra_mkdir_p(root, 0755);
	for (size_t i = 0; !r && dirs[i]; i++) {
		char *d = hydra_path_join(root, dirs[i]);

		r = d ? hydra_mkdir_p(d, 0755) : -ENOMEM;
		free(d);
	}
	if (!r)
		r = hydra_install_program(init_binary, root, "init");
	if (!r && (r = hydra_tool_require("strip")) == 0)
		r = strip_debug(root, workdir);
	for (size_t i = 0; !r && hydra_dlopened_libs[i]; i++)
		r = hydra_install_library(hydra_dlopened_libs[i], root);
	if (!r)
		r = add_busybox(root);
	if (!r && trust_dir)
		r = add_trust(root, trust_dir);
	if (!r)
		r = add_modules(k, mods, root);
	if (!r && (r = hydra_tool_require("depmod")) == 0)
		r = index_modules(root, k->version, workdir);
	if (!r)
		r = hydra_cpio_write(root, out, epoch, F_CPIO_ZSTD | F_CPIO_CONSOLE);
	free(root);
	return r;
}
