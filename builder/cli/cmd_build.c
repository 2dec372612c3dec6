/* hydra build: recipe in, image out. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "build/build.h"
#include "build/recipe.h"
#include "cli.h"

/* hydra-init sits beside hydra in the build tree, in LIBEXECDIR once installed. */
static char *find_init(const char *self)
{
	char *dir = strdup(self), *slash, *p;

	if (getenv("HYDRA_INIT"))
		return strdup(getenv("HYDRA_INIT"));
	slash = dir ? strrchr(dir, '/') : NULL;
	if (slash)
		*slash = '\0';
	p = dir ? hydra_path_join(dir, "hydra-init") : NULL;
	free(dir);
	if (p && access(p, X_OK) == 0)
		return p;
	free(p);
	return strdup(HYDRA_LIBEXECDIR "/hydra-init");
}

static int on_option(int c, const char *arg, void *ud)
{
	struct hydra_build_opts *o = ud;

	if (c == 'o')
		o->out = arg;
	else if (c == 'N')
		o->no_cache = 1;
	else if (c == 'S')
		o->sign_key = arg;
	else if (c == 's' && hydra_parse_size(arg, &o->size) < 0)
		return cli_usage_error("build", "bad size '%s': expected e.g. 512M or 2G", arg);
	return 0;
}

static const struct cli_option options[] = {
	CLI_OPT('o', "output", "OUT", "write the image to OUT (default out/NAME.img)"),
	CLI_LONG('s', "size", "SIZE", "medium size, like 2G (default: the recipe's, else planned)"),
	CLI_LONG('S', "sign", "KEY", "sign the MANIFEST with the private key KEY (hydra keygen)"),
	CLI_LONG('N', "no-cache", NULL, "make every stage again instead of taking it from out/cache"),
	{ 0 },
};

const struct cli_spec cli_build = {
	.name = "build",
	.usage = "hydra build [-o OUT] [--size SIZE] [--sign KEY] [--no-cache] RECIPE",
	.summary = "assemble an image from a recipe",
	.options = options,
};

int cmd_build(int argc, char **argv)
{
	struct hydra_build_opts o = { 0 };
	struct hydra_build_result res;
	struct hydra_recipe *r = NULL;
	char self[PATH_MAX], size[32];
	char *init = NULL;
	int first, e;
	ssize_t n;

	e = cli_parse_options(argc, argv, &cli_build, on_option, &o, &first);
	if (e >= 0)
		return e;
	e = cli_check_operands("build", argc - first, 1, 1);
	if (e >= 0)
		return e;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return EXIT_FAILED;
	self[n] = '\0';
	init = find_init(self);
	if (!init || access(init, X_OK) < 0) {
		hydra_err("cannot find hydra-init ('%s'): build it with make, or set HYDRA_INIT",
			  init ? init : "");
		free(init);
		return EXIT_FAILED;
	}
	o.hydra_bin = self;
	o.init_bin = init;
	e = hydra_recipe_load(argv[first], &r);
	if (!e)
		e = hydra_build(r, &o, &res);
	if (!e)
		printf("%s: image %s, %s\n", res.out, res.id,
		       hydra_format_size(res.size, size, sizeof(size)));
	hydra_recipe_free(r);
	free(init);
	return cli_exit_code(e);
}
