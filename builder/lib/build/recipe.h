/* Recipes: images/NAME.conf, what an image contains. */
#ifndef HYDRA_RECIPE_H
#define HYDRA_RECIPE_H

#include <stddef.h>
#include <stdint.h>

struct hydra_recipe {
	char *path;            /* the file it was read from */
	char *root;            /* project root: the parent of the recipe's folder */
	/* [image] */
	char *name;            /* default: file name without .conf */
	char *description;
	char *base;            /* "busybox" or "debian" */
	uint64_t size;         /* medium size in bytes, 0 = planned from the payload */
	char **overlays;       /* names under overlays/, default { "common" } */
	size_t n_overlays;
	char **hooks;          /* extra build hooks, paths relative to root */
	size_t n_hooks;
	/* [kernel] */
	char *kernel_package;  /* default "linux-image-amd64" */
	char *cmdline;         /* extra kernel arguments */
	/* [debian] (base = debian) */
	char *suite;           /* default "bookworm" */
	char *mirror;          /* default "http://deb.debian.org/debian" */
	char *variant;         /* default "minbase" */
	char **packages;
	size_t n_packages;
	/* [data]: paths kept on the data partition; they travel to hydra-init as
	 * hydra.persist=A,B on the kernel command line, appended to cmdline */
	char **persist;
	size_t n_persist;
};

/*
 * Parse PATH. Every error is logged as "PATH:LINE: message" and makes the
 * whole load fail with -EINVAL (-errno when the file cannot be read).
 */
int hydra_recipe_load(const char *path, struct hydra_recipe **out);
void hydra_recipe_free(struct hydra_recipe *r);

#endif
