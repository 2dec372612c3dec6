/* Cloning the running node onto another disk. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clone.h"
#include "hydra.h"
#include "manifest.h"
#include "medium.h"
#include "safety.h"
#include "util.h"
#include "writer.h"

static const char *source_of(const struct hydra_clone_opts *o)
{
	return o->source ? o->source : HYDRA_RUNNING_MEDIUM;
}

int hydra_clone_plan(const char *device, const struct hydra_clone_opts *o,
		     struct hydra_clone_plan *plan)
{
	const char *src = source_of(o);
	struct hydra_manifest *m = NULL;
	struct hydra_target *t = NULL;
	uint64_t planned;
	int r;

	memset(plan, 0, sizeof(*plan));
	if (o->data != HYDRA_DATA_NONE) {
		hydra_err("--data empty and --data copy need the data layer, which this medium lacks");
		return -EOPNOTSUPP;
	}
	r = hydra_manifest_load(src, &m);
	if (r) {
		hydra_err("cannot clone: '%s' is not a hydra medium (is this a hydra live node?)", src);
		goto out;
	}
	snprintf(plan->id, sizeof(plan->id), "%s", m->id);
	for (size_t i = 0; i < m->n_files; i++)
		plan->payload_bytes += m->files[i].size;
	plan->files = (unsigned)m->n_files;
	r = hydra_medium_plan(src, &plan->min_size, &planned);
	if (r)
		goto out;
	r = hydra_target_inspect(o->sysroot ? o->sysroot : "", device, &t);
	if (r)
		goto out;
	plan->target_size = t->size;
	hydra_target_describe(t, plan->target, sizeof(plan->target));
	r = hydra_target_check(o->sysroot ? o->sysroot : "", t, plan->min_size);
out:
	hydra_target_free(t);
	hydra_manifest_free(m);
	return r;
}

/* Hooks see the new medium through mtools (HYDRA_TARGET_FAT) and the environment. */
static int run_hook(const char *path, const char *device, const struct hydra_clone_plan *p,
		    const struct hydra_clone_opts *o)
{
	char *env[6] = { NULL };
	const char *argv[] = { path, device, NULL };
	int r;

	env[0] = hydra_strdupf("HYDRA_TARGET=%s", device);
	env[1] = hydra_strdupf("HYDRA_TARGET_FAT=%s@@%d", device, HYDRA_PART_OFFSET);
	env[2] = hydra_strdupf("HYDRA_IMAGE_ID=%s", p->id);
	env[3] = hydra_strdupf("HYDRA_NODE=%s", o->node ? o->node : "");
	env[4] = hydra_strdupf("HYDRA_SOURCE=%s", source_of(o));
	if (!env[0] || !env[1] || !env[2] || !env[3] || !env[4]) {
		r = -ENOMEM;
		goto out;
	}
	hydra_info("running clone hook %s", path);
	r = hydra_run_env(argv, (const char *const *)env, NULL);
	if (r > 0) {
		hydra_err("clone hook '%s' failed with exit status %d", path, r);
		r = -EIO;
	} else if (r < 0) {
		hydra_err("cannot run clone hook '%s': %s", path, strerror(-r));
	}
out:
	for (int i = 0; i < 5; i++)
		free(env[i]);
	return r;
}

/* Executables in the hooks directory, in name order; a failure stops the rest. */
static int run_hooks(const char *device, const struct hydra_clone_plan *p,
		     const struct hydra_clone_opts *o)
{
	const char *dir = o->hooks ? o->hooks : HYDRA_CLONE_HOOKS;
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort), r = 0;

	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		char *path = hydra_path_join(dir, ents[i]->d_name);
		struct stat st;

		if (!r && path && ents[i]->d_name[0] != '.' && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(path, X_OK) == 0)
			r = run_hook(path, device, p, o);
		free(path);
		free(ents[i]);
	}
	free(ents);
	return r;
}

int hydra_clone(const char *device, const struct hydra_clone_opts *o)
{
	struct hydra_clone_plan plan;
	struct hydra_write_opts w = {
		.node = o->node,
		.progress = o->progress,
		.progress_ud = o->progress_ud,
	};
	int r;

	r = hydra_clone_plan(device, o, &plan);
	if (r)
		return r;
	r = hydra_medium_write(source_of(o), device, &w);
	if (r) {
		hydra_err("clone onto '%s' failed: it was not committed and will not boot", device);
		return r;
	}
	return run_hooks(device, &plan, o);
}
