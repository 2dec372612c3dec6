/* Loading the modules the build listed, already in dependency order. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/util.h"
#include "init.h"

static int load_one(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
		r = -errno;
	close(fd);
	return r;
}

static int remember(struct boot *b, const char *path)
{
	const char *base = strrchr(path, '/');
	char **v = realloc(b->modules, (b->n_modules + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	b->modules = v;
	base = base ? base + 1 : path;
	v[b->n_modules] = strndup(base, strcspn(base, "."));
	return v[b->n_modules] ? (int)++b->n_modules * 0 : -ENOMEM;
}

int load_modules(struct boot *b)
{
	struct utsname u;
	char *list = NULL, *save = NULL;
	int failed = 0;

	if (uname(&u) < 0 || hydra_read_file("/etc/hydra/modules", &list, NULL) < 0) {
		say("no module list in the initramfs: relying on built-in drivers");
		return 0;
	}
	for (char *l = strtok_r(list, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *path = hydra_strdupf("/lib/modules/%s/%s", u.release, l);
		int r = path ? load_one(path) : -ENOMEM;

		if (r) {
			/* A driver for hardware this machine lacks may refuse to load: go on. */
			if (b->cmd.debug)
				say("cannot load '%s': %s", l, strerror(-r));
			failed++;
		} else {
			remember(b, l);
		}
		free(path);
	}
	free(list);
	say("loaded %zu modules%s", b->n_modules, failed ? " (some had no hardware)" : "");
	return 0;
}
