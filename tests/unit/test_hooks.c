/* Build hooks: which run, in what order, and what stops them before any runs. */
#include <errno.h>
#include <sys/stat.h>

#include "build/hooks.h"
#include "build/modules.h"
#include "harness.h"

static void test_list_order(void)
{
	char late[] = "more/late.chroot", *extra[] = { late, NULL };
	struct hydra_recipe r = { .root = t_dir, .hooks = extra, .n_hooks = 1 };
	char **hooks = NULL, want[8192];
	size_t n = 0;

	t_write("hooks/20-b.chroot", "#!/bin/sh\n");
	t_write("hooks/10-a.chroot", "#!/bin/sh\n");
	t_write("hooks/README", "not a hook\n");
	t_write("hooks/30-c.sh", "not a build hook\n");
	t_write("hooks/.hidden.chroot", "not a hook\n");
	EQ_INT(hydra_hooks_list(&r, &hooks, &n), 0);
	EQ_INT(n, 3);
	snprintf(want, sizeof(want), "%s/hooks/10-a.chroot", t_dir);
	EQ_STR(hooks[0], want);
	snprintf(want, sizeof(want), "%s/hooks/20-b.chroot", t_dir);
	EQ_STR(hooks[1], want);
	snprintf(want, sizeof(want), "%s/more/late.chroot", t_dir);
	EQ_STR(hooks[2], want);
	OK(hooks[3] == NULL);
	hydra_strv_free(hooks, n);
}

static void test_no_hooks_dir(void)
{
	struct hydra_recipe r = { .root = t_dir };
	char **hooks = NULL;
	size_t n = 1;

	EQ_INT(hydra_hooks_list(&r, &hooks, &n), 0);
	EQ_INT(n, 0);
	hydra_strv_free(hooks, n);
}

/* A missing or non-executable hook stops the build before any hook has run. */
static void test_checked_first(void)
{
	char path[] = "images/x.conf", name[] = "x", ok[] = "ok.chroot", plain[] = "plain.chroot";
	char nosuch[] = "nosuch.chroot";
	struct hydra_recipe r = { .root = t_dir, .path = path, .name = name };
	char *hooks[] = { ok, plain, NULL };
	char *missing[] = { ok, nosuch, NULL };

	t_write("ok.chroot", "#!/bin/sh\ntouch ran\n");
	chmod("ok.chroot", 0755);
	t_write("plain.chroot", "#!/bin/sh\n");
	EQ_INT(hydra_hooks_run(&r, hooks, 2, "root", 0, "log"), -EACCES);
	CONTAINS(t_log, "build hook 'plain.chroot' is not an executable file");
	EQ_INT(hydra_hooks_run(&r, missing, 2, "root", 0, "log"), -ENOENT);
	CONTAINS(t_log, "images/x.conf: build hook 'nosuch.chroot' not found");
	EQ_INT(access("root", F_OK), -1);
	/* A link out of the project runs nothing of the host's. */
	OK(symlink("/bin/true", "true.chroot") == 0);
	{
		char link[] = "true.chroot";
		char *outside[] = { ok, link, NULL };

		EQ_INT(hydra_hooks_run(&r, outside, 2, "root", 0, "log"), -EPERM);
		CONTAINS(t_log, "build hook 'true.chroot' lies outside the project");
	}
	EQ_INT(access("root", F_OK), -1);
}

int main(void)
{
	RUN(test_list_order);
	RUN(test_no_hooks_dir);
	RUN(test_checked_first);
	TESTS_END();
}
