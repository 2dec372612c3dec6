/* Handing over: move the API filesystems, free the initramfs, exec the real init. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/util.h"
#include "init.h"

/* Delete the initramfs contents, never crossing into another filesystem. */
static void free_initramfs(int dirfd, dev_t rootdev)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;

	if (!d) {
		close(dirfd);
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != rootdev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (sub >= 0)
				free_initramfs(sub, rootdev);
			unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dirfd, e->d_name, 0);
		}
	}
	closedir(d);
}

/*
 * Whether the init the new root names can run. Debian's /sbin/init is an
 * absolute link (/lib/systemd/systemd), which means a path inside the new
 * root, not in the initramfs: follow such links under NEWROOT.
 */
static int init_runnable(const char *init)
{
	char path[512], link[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", NEWROOT, init);
	for (int hops = 0; hops < 16 && lstat(path, &st) == 0 && S_ISLNK(st.st_mode); hops++) {
		ssize_t n = readlink(path, link, sizeof(link) - 1);
		char *slash = strrchr(path, '/');

		if (n < 0 || !slash)
			return -errno;
		link[n] = '\0';
		if (link[0] == '/')
			snprintf(path, sizeof(path), "%s%s", NEWROOT, link);
		else if ((size_t)(slash - path) + 1 + (size_t)n < sizeof(path))
			memcpy(slash + 1, link, (size_t)n + 1);
		else
			return -ENAMETOOLONG;
	}
	return access(path, X_OK) < 0 ? -errno : 0;
}

int switch_root(struct boot *b)
{
	static const char *const api[] = { "/dev", "/proc", "/sys", "/run", NULL };
	struct stat st;
	int fd, r, e;

	r = init_runnable(b->cmd.init);
	if (r < 0) {
		say("the new root has no '%s' to run: %s", b->cmd.init, strerror(-r));
		return -ENOENT;
	}
	say("starting %s", b->cmd.init);
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	/* NEWROOT lives under /run: everything else is moved before /run itself. */
	if (mount(NEWROOT, "/newroot", NULL, MS_MOVE, NULL) < 0 && errno == ENOENT) {
		mkdir("/newroot", 0755);
		if (mount(NEWROOT, "/newroot", NULL, MS_MOVE, NULL) < 0)
			return -errno;
	}
	for (size_t i = 0; api[i]; i++) {
		char to[64];

		snprintf(to, sizeof(to), "/newroot%s", api[i]);
		hydra_mkdir_p(to, 0755);
		if (mount(api[i], to, NULL, MS_MOVE, NULL) < 0)
			say("cannot move '%s' into the new root: %s", api[i], strerror(errno));
	}
	if (chdir("/newroot") < 0)
		return -errno;
	free_initramfs(fd, st.st_dev);
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		e = errno;
		say("cannot switch to the new root: %s", strerror(e));
		return -e;
	}
	execl(b->cmd.init, b->cmd.init, (char *)NULL);
	e = errno;
	say("cannot start '%s': %s", b->cmd.init, strerror(e));
	return -e;
}
