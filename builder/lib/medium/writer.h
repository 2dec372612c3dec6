/*
 * The one medium writer, for build, burn, clone and regenerate: from a
 * payload directory (a medium root holding hydra/MANIFEST) to a target that
 * is an image file or a block device.
 */
#ifndef HYDRA_WRITER_H
#define HYDRA_WRITER_H

#include <stdint.h>

#include "base/hydra.h"

enum {
	F_WRITE_DRY_RUN = 1 << 0,   /* plan and check only */
	F_WRITE_CREATE = 1 << 1,    /* target is a new image file: create/size it */
};

struct hydra_write_opts {
	const char *node;           /* pin hydra.node=NODE in the boot config, or NULL */
	uint64_t size;              /* image file size; 0 = planned from the payload */
	unsigned flags;
	hydra_progress_fn progress;
	void *progress_ud;
};

/* The minimum and planned medium size for a payload (room for one staged update). */
int hydra_medium_plan(const char *payload_dir, uint64_t *min_size, uint64_t *planned);
int hydra_medium_write(const char *payload_dir, const char *target,
		       const struct hydra_write_opts *opts);

#endif
