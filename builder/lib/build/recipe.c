/* Recipes: what an image contains, read from images/NAME.conf. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hydra.h"
#include "base/ini.h"
#include "base/util.h"
#include "build/recipe.h"
#include "node/volume.h"

/* T_NAMES: a list of plain names; T_PATHS: a list of paths inside the project. */
enum value_type { T_STRING, T_LIST, T_NAMES, T_PATHS, T_SIZE, T_BASE, T_NAME };

/* Every key a recipe may hold: where it goes and what it must look like. */
static const struct recipe_key {
	const char *section;
	const char *key;
	enum value_type type;
	size_t offset;       /* of the char * (or char ** with its count after it) */
} recipe_keys[] = {
	{ "image", "name", T_NAME, offsetof(struct hydra_recipe, name) },
	{ "image", "description", T_STRING, offsetof(struct hydra_recipe, description) },
	{ "image", "base", T_BASE, offsetof(struct hydra_recipe, base) },
	{ "image", "size", T_SIZE, offsetof(struct hydra_recipe, size) },
	{ "image", "overlays", T_NAMES, offsetof(struct hydra_recipe, overlays) },
	{ "image", "hooks", T_PATHS, offsetof(struct hydra_recipe, hooks) },
	{ "kernel", "package", T_NAME, offsetof(struct hydra_recipe, kernel_package) },
	{ "kernel", "cmdline", T_STRING, offsetof(struct hydra_recipe, cmdline) },
	{ "debian", "suite", T_NAME, offsetof(struct hydra_recipe, suite) },
	{ "debian", "mirror", T_STRING, offsetof(struct hydra_recipe, mirror) },
	{ "debian", "variant", T_NAME, offsetof(struct hydra_recipe, variant) },
	{ "debian", "packages", T_LIST, offsetof(struct hydra_recipe, packages) },
	{ "data", "persist", T_LIST, offsetof(struct hydra_recipe, persist) },
};

#define N_KEYS (sizeof(recipe_keys) / sizeof(recipe_keys[0]))

static int known_section(const char *s)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (!strcmp(recipe_keys[i].section, s))
			return 1;
	return 0;
}

struct load {
	struct hydra_recipe *r;
	const char *file;
};

/* Every word of a list checked, each error at the list's line. */
static int check_list(struct load *l, const struct recipe_key *k, char *const *list, size_t n,
		      unsigned line)
{
	for (size_t i = 0; i < n; i++) {
		if (k->type == T_NAMES && !hydra_plain_name(list[i]))
			return hydra_ini_error(l->file, line, "bad name '%s' in '%s' of [%s]: "
					       "expected a folder name under overlays/", list[i],
					       k->key, k->section);
		if (k->type == T_PATHS && !hydra_path_stays_inside(list[i]))
			return hydra_ini_error(l->file, line, "bad path '%s' in '%s' of [%s]: "
					       "expected a path inside the project, without '..'",
					       list[i], k->key, k->section);
	}
	return 0;
}

static int split_list(const char *v, char ***out, size_t *n)
{
	char *copy = strdup(v), *save = NULL;
	char **list = NULL;

	if (!copy)
		return -ENOMEM;
	*n = 0;
	for (char *w = strtok_r(copy, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		char **l = realloc(list, (*n + 2) * sizeof(*l));

		if (!l || !(l[*n] = strdup(w))) {
			free(l ? l : list);
			free(copy);
			return -ENOMEM;
		}
		list = l;
		list[++*n] = NULL;
	}
	free(copy);
	*out = list;
	return 0;
}


static int set_value(struct load *l, const struct recipe_key *k, const char *v, unsigned line)
{
	char *base = (char *)l->r + k->offset;

	switch (k->type) {
	case T_SIZE:
		if (!strcmp(v, "auto")) {
			*(uint64_t *)base = 0;
			return 0;
		}
		if (hydra_parse_size(v, (uint64_t *)base) < 0)
			return hydra_ini_error(l->file, line, "bad value '%s' for '%s' in [%s]: "
					       "expected a size such as 512M or 2G, or auto",
					       v, k->key, k->section);
		return 0;
	case T_LIST:
	case T_NAMES:
	case T_PATHS: {
		char ***list = (char ***)base;
		size_t *count = (size_t *)(base + sizeof(char **));
		int r = split_list(v, list, count);

		return r ? r : check_list(l, k, *list, *count, line);
	}
	case T_BASE:
		if (strcmp(v, "busybox") && strcmp(v, "debian"))
			return hydra_ini_error(l->file, line, "bad value '%s' for 'base' in [image]: "
					       "expected busybox or debian", v);
		break;
	case T_NAME:
		if (!hydra_plain_name(v))
			return hydra_ini_error(l->file, line, "bad value '%s' for '%s' in [%s]: "
					       "expected a plain name", v, k->key, k->section);
		break;
	case T_STRING:
		break;
	}
	*(char **)base = strdup(v);
	return *(char **)base ? 0 : -ENOMEM;
}

static int on_key(const char *section, const char *key, const char *value, unsigned line,
		  void *ud)
{
	struct load *l = ud;

	if (!key)
		return known_section(section) ? 0 :
		       hydra_ini_error(l->file, line, "unknown section [%s]", section);
	for (size_t i = 0; i < N_KEYS; i++)
		if (!strcmp(recipe_keys[i].section, section) && !strcmp(recipe_keys[i].key, key))
			return set_value(l, &recipe_keys[i], value, line);
	return hydra_ini_error(l->file, line, "unknown key '%s' in [%s]", key, section);
}

static int set_default(char **field, const char *value)
{
	if (*field)
		return 0;
	*field = strdup(value);
	return *field ? 0 : -ENOMEM;
}

/* The name from the file: images/tiny.conf is "tiny". */
static char *name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".conf"))
		n -= 5;
	return strndup(base, n);
}

/* The project root is the parent of the recipe's folder (images/..). */
static char *root_from_path(const char *path)
{
	char real[PATH_MAX], *slash;

	if (!realpath(path, real))
		return NULL;
	for (int i = 0; i < 2; i++) {
		slash = strrchr(real, '/');
		if (slash && slash != real)
			*slash = '\0';
		else
			return strdup("/");
	}
	return strdup(real);
}

/* [data] persist checked as hydra-init will read it, and put on the command line. */
static int add_persist(struct hydra_recipe *r)
{
	char *joined = strdup(""), *cmdline;
	char **list = NULL;
	int e;

	for (size_t i = 0; joined && i < r->n_persist; i++) {
		char *j = hydra_strdupf("%s%s%s", joined, i ? "," : "", r->persist[i]);

		free(joined);
		joined = j;
	}
	if (!joined)
		return -ENOMEM;
	e = hydra_data_persist_list(joined, &list);
	hydra_strv_free(list, HYDRA_STRV_ALL);
	if (e) {
		hydra_err("%s: bad [data] persist: paths must be absolute, like /home /srv", r->path);
		free(joined);
		return -EINVAL;
	}
	cmdline = hydra_strdupf("%s%shydra.persist=%s", r->cmdline, *r->cmdline ? " " : "", joined);
	free(joined);
	if (!cmdline)
		return -ENOMEM;
	free(r->cmdline);
	r->cmdline = cmdline;
	return 0;
}

static int fill_defaults(struct hydra_recipe *r)
{
	int e = 0;

	if (!r->name)
		r->name = name_from_path(r->path);
	if (!r->overlays) {
		r->overlays = calloc(2, sizeof(char *));
		if (r->overlays && (r->overlays[0] = strdup("common")))
			r->n_overlays = 1;
	}
	e |= set_default(&r->kernel_package, "linux-image-amd64");
	e |= set_default(&r->cmdline, "");
	e |= set_default(&r->description, "");
	if (r->base && !strcmp(r->base, "debian")) {
		e |= set_default(&r->suite, "bookworm");
		e |= set_default(&r->mirror, "http://deb.debian.org/debian");
		e |= set_default(&r->variant, "minbase");
	}
	return e || !r->name || !r->n_overlays || !(r->root = root_from_path(r->path)) ? -ENOMEM : 0;
}

int hydra_recipe_load(const char *path, struct hydra_recipe **out)
{
	struct hydra_recipe *r = calloc(1, sizeof(*r));
	struct load l = { r, path };
	char *buf = NULL;
	size_t len;
	int e;

	if (!r || !(r->path = strdup(path))) {
		free(r);
		return -ENOMEM;
	}
	e = hydra_read_file(path, &buf, &len);
	if (e) {
		hydra_err("cannot read recipe '%s': %s", path, strerror(-e));
		goto out;
	}
	e = hydra_ini_parse(path, buf, len, on_key, &l);
	if (!e && !r->base) {
		hydra_err("%s: no 'base' in [image]: say base = busybox or base = debian", path);
		e = -EINVAL;
	}
	if (!e && !strcmp(r->base, "busybox") && r->n_packages) {
		hydra_err("%s: [debian] packages need base = debian", path);
		e = -EINVAL;
	}
	if (!e)
		e = fill_defaults(r);
	if (!e && r->n_persist)
		e = add_persist(r);
out:
	free(buf);
	if (e) {
		hydra_recipe_free(r);
		return e;
	}
	*out = r;
	return 0;
}

void hydra_recipe_free(struct hydra_recipe *r)
{
	if (!r)
		return;
	free(r->path);
	free(r->root);
	free(r->name);
	free(r->description);
	free(r->base);
	hydra_strv_free(r->overlays, r->n_overlays);
	hydra_strv_free(r->hooks, r->n_hooks);
	free(r->kernel_package);
	free(r->cmdline);
	free(r->suite);
	free(r->mirror);
	free(r->variant);
	hydra_strv_free(r->packages, r->n_packages);
	hydra_strv_free(r->persist, r->n_persist);
	free(r);
}
