/*
 * Cloning the running node: the medium it booted from (or a copy of one)
 * written onto another disk by the one medium writer, then the node's clone
 * hooks.
 */
#ifndef HYDRA_CLONE_H
#define HYDRA_CLONE_H

#include <stdint.h>

#include "base/hydra.h"
#include "format/layout.h"
#include "node/crypt.h"

#define HYDRA_CLONE_HOOKS "/etc/hydra/clone.d"

enum hydra_data_mode {
	HYDRA_DATA_NONE = 0,
	HYDRA_DATA_EMPTY,
	HYDRA_DATA_COPY,
};

struct hydra_clone_opts {
	const char *source;        /* medium root; default HYDRA_MEDIUM_DIR */
	const char *node;          /* pin hydra.node= on the clone, or NULL */
	const char *hooks;         /* directory of clone hooks; default HYDRA_CLONE_HOOKS */
	const char *sysroot;       /* "" for the real system */
	enum hydra_data_mode data;
	/* --data empty|copy: the new volume's passphrase (the caller wipes it) and cost */
	const char *pass;
	size_t pass_len;
	struct hydra_luks_opts luks;
	/*
	 * --data empty: called with the new volume mounted on DIR, to fill it
	 * with what a layer above has (a replica's repository, say); FILL_BYTES
	 * is what it writes, for the target's size check.
	 */
	int (*fill)(const char *dir, void *ud);
	void *fill_ud;
	uint64_t fill_bytes;
	hydra_progress_fn progress;
	void *progress_ud;
};

struct hydra_clone_plan {
	char target[256];          /* hydra_target_describe() of the target */
	char id[32];               /* image id of the source */
	uint64_t payload_bytes;    /* bytes to copy */
	uint64_t min_size;         /* what the target must hold */
	uint64_t target_size;
	unsigned files;
	char data_dir[256];        /* --data copy: where the source volume is mounted */
	uint64_t data_bytes;       /* --data copy: bytes used on it */
};

/* Check source and target and say what a clone would do; writes nothing. */
int hydra_clone_plan(const char *device, const struct hydra_clone_opts *o,
		     struct hydra_clone_plan *plan);
/* Plan again (the rules hold whatever was confirmed), write, verify, run hooks. */
int hydra_clone(const char *device, const struct hydra_clone_opts *o);

#endif
