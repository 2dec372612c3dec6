/* Cloning the running node onto another disk. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "format/hwdb.h"
#include "format/layout.h"
#include "format/manifest.h"
#include "medium/clone.h"
#include "medium/datapart.h"
#include "medium/medium.h"
#include "medium/safety.h"
#include "medium/writer.h"
#include "node/datacopy.h"
#include "node/volume.h"

static const char *source_of(const struct hydra_clone_opts *o)
{
	return o->source ? o->source : HYDRA_MEDIUM_DIR;
}

/* --data copy reads the running node's volume, which must be unlocked and mounted. */
static int data_source(struct hydra_clone_plan *plan)
{
	char *dir = hydra_data_mountpoint(HYDRA_DATA_NAME);
	struct statvfs vfs;

	if (!dir) {
		hydra_err("--data copy: this node's data partition is not unlocked and mounted "
			  "(hydra data unlock)");
		return -ENOENT;
	}
	snprintf(plan->data_dir, sizeof(plan->data_dir), "%s", dir);
	if (statvfs(dir, &vfs) == 0)
		plan->data_bytes = (uint64_t)(vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize;
	free(dir);
	return 0;
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
	/* The name goes into syslinux.cfg and the hooks' environment: nothing else may. */
	if (o->node && !hydra_node_name_valid(o->node)) {
		hydra_err("bad node name '%s' (want [a-z0-9][a-z0-9-]*, up to %d)", o->node,
			  HYDRA_NODE_NAME_MAX);
		return -EINVAL;
	}
	r = o->data == HYDRA_DATA_COPY ? data_source(plan) : 0;
	if (r)
		return r;
	if (o->data == HYDRA_DATA_EMPTY && o->fill)
		plan->data_bytes = o->fill_bytes;
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
	if (o->data != HYDRA_DATA_NONE && t->is_file) {
		hydra_err("--data empty and --data copy need a disk: a LUKS2 volume is opened "
			  "to make its ext4");
		r = -EINVAL;
		goto out;
	}
	/* Partition 1 is planned at its minimum: the rest of the disk is there for partition 2. */
	r = hydra_target_check(o->sysroot ? o->sysroot : "", t, plan->min_size +
			       (o->data == HYDRA_DATA_NONE ? 0 : HYDRA_DATA_MIN +
				plan->data_bytes / 4 * 5));
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

#define CLONE_MAPPING "hydra-data-clone"

/* The files go in: a copy of this node's, or what the caller's FILL puts there. */
static int fill_data(const char *dir, const struct hydra_clone_plan *plan,
		     const struct hydra_clone_opts *o)
{
	int r, fd;

	if (o->data == HYDRA_DATA_COPY) {
		hydra_info("copying the data from %s", plan->data_dir);
		r = hydra_data_copy(plan->data_dir, dir, NULL, NULL);
	} else {
		r = o->fill(dir, o->fill_ud);
	}
	/* On the disk before the volume is called whole. */
	fd = r ? -1 : open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!r && (fd < 0 || syncfs(fd) < 0))
		r = hydra_err_errno("cannot write the data copied into '%s' to the disk", dir);
	if (fd >= 0)
		close(fd);
	return r;
}

/*
 * Partition 2 on the clone: a new LUKS2 volume, empty or with a copy of this
 * node's files. While they go in, its header says it is being filled: a
 * crash or a power loss half-way leaves a clone that boots and says its data
 * partition is incomplete, and a clone again makes it whole.
 */
static int clone_data(const char *device, const struct hydra_clone_plan *plan,
		      const struct hydra_clone_opts *o)
{
	struct hydra_data_init d = { .disk = device, .luks = o->luks, .keep_open = CLONE_MAPPING };
	char dir[] = "/run/hydra/clone-data.XXXXXX", part[PATH_MAX];
	int r, made = 0;

	hydra_info("making the data partition on '%s'", device);
	r = hydra_data_init(&d, o->pass, o->pass_len);
	if (r || (o->data != HYDRA_DATA_COPY && !o->fill))
		goto out;
	r = hydra_data_partition(device, 0, part, sizeof(part));
	if (!r)
		r = hydra_data_mark_filling(part, 1);
	if (!r)
		r = mkdtemp(dir) ? 0 : -errno;
	made = !r;
	if (!r)
		r = hydra_data_mount_at(CLONE_MAPPING, dir);
	if (!r)
		r = fill_data(dir, plan, o);
	if (!r)
		r = hydra_data_mark_filling(part, 0);
out:
	if (access(HYDRA_MAPPER_DIR CLONE_MAPPING, F_OK) == 0 && hydra_data_close(CLONE_MAPPING) && !r)
		r = -EIO;
	if (made)
		rmdir(dir);
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
	if (o->data != HYDRA_DATA_NONE && (r = clone_data(device, &plan, o))) {
		hydra_err("the clone on '%s' boots, but its data partition is not complete", device);
		return r;
	}
	return run_hooks(device, &plan, o);
}
