/* A program copied into a root tree with its libraries and loader, runnable there. */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "build/initramfs.h"
#include "harness.h"

#define LOADER "/lib64/ld-linux-x86-64.so.2"

/* Every absolute path ldd names for BIN, one a line, in BUF. */
static void ldd_paths(const char *bin, char *buf, size_t len)
{
	char cmd[4096], line[4096];
	FILE *f;
	size_t n = 0;

	buf[0] = '\0';
	snprintf(cmd, sizeof(cmd), "ldd %s", bin);
	f = popen(cmd, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');

		if (!p)
			continue;
		p[strcspn(p, " \t(\n")] = '\0';
		n += (size_t)snprintf(buf + n, len - n, "%s\n", p);
	}
	pclose(f);
}

/* Each path ldd names exists under ROOT, and resolves there to a regular file. */
static void check_libraries(const char *bin, const char *root)
{
	char paths[8192], *save = NULL;
	int n = 0;

	ldd_paths(bin, paths, sizeof(paths));
	for (char *p = strtok_r(paths, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		char in_root[PATH_MAX];
		struct stat st;

		snprintf(in_root, sizeof(in_root), "%s%s", root, p);
		if (lstat(in_root, &st) < 0) {
			FAIL_("'%s' is missing from the root", p);
			continue;
		}
		/* A link is kept as a link; what it names must be in the root too. */
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX], full[2 * PATH_MAX];
			ssize_t k = readlink(in_root, target, sizeof(target) - 1);

			OK(k > 0);
			target[k > 0 ? k : 0] = '\0';
			if (target[0] == '/')
				snprintf(full, sizeof(full), "%s%s", root, target);
			else
				snprintf(full, sizeof(full), "%.*s/%s",
					 (int)(strrchr(in_root, '/') - in_root), in_root, target);
			OK(stat(full, &st) == 0 && S_ISREG(st.st_mode));
		} else {
			OK(S_ISREG(st.st_mode));
		}
		n++;
	}
	OK(n >= 2);
}

static void test_ls(void)
{
	struct stat st;

	if (hydra_tool_require("ldd"))
		SKIP("no ldd (Debian package libc-bin)");
	EQ_INT(hydra_install_program("/bin/ls", "root", "bin/ls"), 0);
	OK(stat("root/bin/ls", &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111));
	/* The loader is the one path every dynamic program names. */
	OK(lstat("root" LOADER, &st) == 0);
	OK(stat("root" LOADER, &st) == 0 && S_ISREG(st.st_mode));
	check_libraries("/bin/ls", "root");
}

/* Several programs into one root, twice over: links and files already there are fine. */
static void test_idempotent(void)
{
	if (hydra_tool_require("ldd"))
		SKIP("no ldd (Debian package libc-bin)");
	EQ_INT(hydra_install_program("/bin/ls", "root", "bin/ls"), 0);
	EQ_INT(hydra_install_program("/bin/cat", "root", "bin/cat"), 0);
	EQ_INT(hydra_install_program("/bin/ls", "root", "bin/ls"), 0);
	EQ_INT(hydra_install_program("/bin/ls", "root", "/usr/bin/ls"), 0);
	check_libraries("/bin/ls", "root");
	check_libraries("/bin/cat", "root");
	EQ_STR(t_log, "");
}

/* hydra itself: many libraries, some reached through version links. */
static void test_hydra(void)
{
	char bin[4096];

	snprintf(bin, sizeof(bin), "%s/hydra", HYDRA_BUILDDIR);
	if (access(bin, X_OK) < 0)
		SKIP("build/hydra is not built");
	EQ_INT(hydra_install_program(bin, "root", "usr/bin/hydra"), 0);
	check_libraries(bin, "root");
}

static void test_runs_in_chroot(void)
{
	int status;

	if (geteuid() != 0)
		SKIP("chroot needs root");
	EQ_INT(hydra_install_program("/bin/ls", "root", "bin/ls"), 0);
	status = system("chroot root /bin/ls --version > version.txt 2>&1");
	OK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	status = system("grep -q coreutils version.txt");
	OK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A script or a static program needs nothing but itself. */
static void test_not_dynamic(void)
{
	EQ_INT(hydra_write_file_atomic("script", "#!/bin/sh\necho hi\n", 18, 0755), 0);
	EQ_INT(hydra_install_program("script", "root", "init"), 0);
	OK(access("root/init", X_OK) == 0);
	OK(access("root" LOADER, F_OK) < 0);
	if (access("/bin/busybox", X_OK) == 0) {
		EQ_INT(hydra_install_program("/bin/busybox", "root", "bin/busybox"), 0);
		OK(access("root/bin/busybox", X_OK) == 0);
	}
}

/* A library no program links, at the path this machine's loader finds it. */
static void test_library(void)
{
	char *path = hydra_find_library("libgcc_s.so.1"), cmd[8192];

	OK(path && path[0] == '/');
	EQ_INT(hydra_install_library("libgcc_s.so.1", "root"), 0);
	snprintf(cmd, sizeof(cmd), "cmp '%s' 'root%s'", path ? path : "", path ? path : "");
	EQ_INT(sh(cmd), 0);
	free(path);
	EQ_INT(hydra_install_library("libnosuch.so.9", "root"), -ENOENT);
	CONTAINS(t_log, "cannot find the library 'libnosuch.so.9'");
}

/*
 * libcryptsetup's argon2id on two lanes, in a root made of what ldd names:
 * libargon2's threads end with pthread_exit, which aborts the program until
 * the root has libgcc_s.so.1 (hydra-init unlocking a LUKS2 volume is such a
 * program).
 */
static void test_argon2_threads_in_chroot(void)
{
	/* In braces, so that the shell's own "Aborted" goes to bench.txt too. */
	static const char *const bench = "{ chroot root /sbin/cryptsetup benchmark --pbkdf argon2id "
					 "--pbkdf-parallel 2 --pbkdf-memory 1024 --iter-time 10; } "
					 "> bench.txt 2>&1";

	if (geteuid() != 0)
		SKIP("chroot and mknod need root");
	if (access("/sbin/cryptsetup", X_OK) < 0)
		SKIP("no /sbin/cryptsetup (Debian package cryptsetup-bin)");
	EQ_INT(hydra_install_program("/sbin/cryptsetup", "root", "sbin/cryptsetup"), 0);
	/* libcryptsetup opens both for its random numbers. */
	EQ_INT(sh("mkdir -p root/dev && mknod root/dev/urandom c 1 9 && mknod root/dev/random c 1 8"), 0);
	if (sh("ls root/lib/*/libgcc_s.so.1 root/usr/lib/*/libgcc_s.so.1 >/dev/null 2>&1")) {
		OK(sh(bench) != 0);
		EQ_INT(sh("grep -q 'libgcc_s.so.1 must be installed' bench.txt"), 0);
	}
	for (size_t i = 0; hydra_dlopened_libs[i]; i++)
		EQ_INT(hydra_install_library(hydra_dlopened_libs[i], "root"), 0);
	EQ_INT(sh(bench), 0);
	EQ_INT(sh("grep -q '2 parallel threads' bench.txt"), 0);
}

static void test_missing(void)
{
	EQ_INT(hydra_install_program("nosuch", "root", "bin/x"), -ENOENT);
	CONTAINS(t_log, "cannot copy 'nosuch'");
}

/* What goes into the initramfs's trust store: the *.pub files, sorted, nothing else. */
static void test_trusted_keys(void)
{
	char **keys = (char **)1;
	size_t n = 7;

	EQ_INT(hydra_initramfs_trusted_keys("keys", &keys, &n), 0);
	EQ_INT(n, 0);
	OK(keys == NULL);
	t_write("keys/b.pub", "b");
	t_write("keys/a.pub", "a");
	t_write("keys/.hidden.pub", "h");
	t_write("keys/README", "r");
	t_write("keys/site.pub.orig", "o");
	EQ_INT(hydra_initramfs_trusted_keys("keys", &keys, &n), 0);
	EQ_INT(n, 2);
	EQ_STR(keys[0], "keys/a.pub");
	EQ_STR(keys[1], "keys/b.pub");
	OK(keys[2] == NULL);
	hydra_strv_free(keys, HYDRA_STRV_ALL);
	EQ_INT(hydra_initramfs_trusted_keys(NULL, &keys, &n), 0);
	EQ_INT(n, 0);
	OK(keys == NULL);
}

int main(void)
{
	RUN(test_ls);
	RUN(test_idempotent);
	RUN(test_hydra);
	RUN(test_runs_in_chroot);
	RUN(test_not_dynamic);
	RUN(test_missing);
	RUN(test_library);
	RUN(test_argon2_threads_in_chroot);
	RUN(test_trusted_keys);
	TESTS_END();
}
