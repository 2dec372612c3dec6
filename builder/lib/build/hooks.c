/* Build hooks, run inside the root tree before it is squashed (hooks/README). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "build/hooks.h"

static int is_chroot_hook(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 7 && !strcmp(e->d_name + n - 7, ".chroot");
}

static int push(char ***list, size_t *n, char *path)
{
	char **l = path ? realloc(*list, (*n + 2) * sizeof(*l)) : NULL;

	if (!l) {
		free(path);
		return -ENOMEM;
	}
	l[(*n)++] = path;
	l[*n] = NULL;
	*list = l;
	return 0;
}

int hydra_hooks_list(const struct hydra_recipe *r, char ***out, size_t *n)
{
	char *dir = hydra_path_join(r->root, "hooks");
	struct dirent **names = NULL;
	int count = dir ? scandir(dir, &names, is_chroot_hook, alphasort) : -1, e = 0;

	*out = NULL;
	*n = 0;
	/* No hooks/ directory is no hooks, not an error. */
	for (int i = 0; i < count; i++) {
		if (!e)
			e = push(out, n, hydra_path_join(dir, names[i]->d_name));
		free(names[i]);
	}
	free(names);
	for (size_t i = 0; !e && i < r->n_hooks; i++)
		e = push(out, n, hydra_path_join(r->root, r->hooks[i]));
	free(dir);
	if (!e && !dir)
		e = -ENOMEM;
	return e;
}

/* A hook named in the recipe must exist and be a program before anything runs. */
static int check_hook(const struct hydra_recipe *r, const char *hook)
{
	struct stat st;

	if (stat(hook, &st) < 0) {
		hydra_err("%s: build hook '%s' not found: %s", r->path, hook, strerror(errno));
		return -ENOENT;
	}
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		hydra_err("build hook '%s' is not an executable file (chmod +x it)", hook);
		return -EACCES;
	}
	/* Through a link too: a recipe runs the project's hooks, not the host's programs. */
	if (!hydra_path_within(hook, r->root)) {
		hydra_err("%s: build hook '%s' lies outside the project '%s'", r->path, hook,
			  r->root);
		return -EPERM;
	}
	return 0;
}

static int run_one(const char *hook, const char *root, const char *env[], const char *logfile)
{
	const char *base = strrchr(hook, '/') ? strrchr(hook, '/') + 1 : hook;
	char *inside = hydra_strdupf("/tmp/hydra-hook-%s", base);
	char *copy = inside ? hydra_path_join(root, inside) : NULL;
	/* unshare: the mounts die with the hook, whatever it does. */
	const char *argv[] = { "unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
			       "mount -t proc proc \"$1/proc\" && mount -t sysfs sys \"$1/sys\" && "
			       "mount --rbind /dev \"$1/dev\" && exec chroot \"$1\" \"$2\"",
			       "hydra-hook", root, inside, NULL };
	struct hydra_spawn_opts o = { .env = env, .logfile = logfile };
	double t0 = hydra_now();
	int r = copy ? hydra_mkdir_parent(copy) : -ENOMEM;

	if (!r)
		r = hydra_copy_file(hook, copy);
	if (!r && chmod(copy, 0755) < 0)
		r = -errno;
	if (r) {
		hydra_err("cannot copy the build hook '%s' into '%s': %s", hook, root, strerror(-r));
		goto out;
	}
	hydra_info("[hooks] running %s", base);
	r = hydra_spawn(argv, &o);
	if (r > 0) {
		hydra_err("build hook '%s' failed with exit status %d (its output is in %s)", hook,
			  r, logfile);
		r = -EIO;
	} else if (r < 0) {
		hydra_err("cannot run the build hook '%s': %s", hook, strerror(-r));
	} else {
		hydra_info("[hooks] %s done in %.1f s", base, hydra_now() - t0);
	}
	unlink(copy);
out:
	free(inside);
	free(copy);
	return r;
}

int hydra_hooks_run(const struct hydra_recipe *r, char *const *hooks, size_t n,
		    const char *root, int64_t epoch, const char *logfile)
{
	char sde[64], *name = hydra_strdupf("HYDRA_RECIPE=%s", r->name);
	const char *env[] = { sde, name, "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C.UTF-8",
			      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			      NULL };
	int e = name ? 0 : -ENOMEM;

	snprintf(sde, sizeof(sde), "SOURCE_DATE_EPOCH=%lld", (long long)epoch);
	for (size_t i = 0; !e && i < n; i++)
		e = check_hook(r, hooks[i]);
	for (size_t i = 0; !e && i < n; i++)
		e = run_one(hooks[i], root, env, logfile);
	free(name);
	return e;
}
