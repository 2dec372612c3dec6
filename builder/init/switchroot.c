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

#include "init.h"
#include "util.h"

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

int switch_root(struct boot *b)
{
	static const char *const api[] = { "/dev", "/proc", "/sys", "/run", NULL };
	char target[512];
	struct stat st;
	int fd;

	snprintf(target, sizeof(target), "%s%s", NEWROOT, b->cmd.init);
	if (access(target, X_OK) < 0) {
		say("the new root has no '%s' to run: %s", b->cmd.init, strerror(errno));
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
		say("cannot switch to the new root: %s", strerror(errno));
		return -errno;
	}
	execl(b->cmd.init, b->cmd.init, (char *)NULL);
	say("cannot start '%s': %s", b->cmd.init, strerror(errno));
	return -errno;
}
