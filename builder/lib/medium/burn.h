/*
 * Burning an image onto a stick or disk: the image is checked against its
 * MANIFEST first; the target passes the safety rules; the first MiB (boot
 * code, partition table) is written last, after the rest was synced, read
 * back bypassing the page cache and compared.
 */
#ifndef HYDRA_BURN_H
#define HYDRA_BURN_H

#include <stdint.h>

#include "base/hydra.h"

struct hydra_burn_opts {
	const char *sysroot;        /* "" for the real system (tests use fixtures) */
	hydra_progress_fn progress; /* total = bytes written + bytes read back */
	void *progress_ud;
	int dry_run;                /* the checks of the image and the target, nothing written */
};

struct hydra_burn_report {
	uint64_t bytes;             /* image bytes written and compared */
	double write_seconds;
	double verify_seconds;
};

int hydra_burn(const char *image, const char *target, const struct hydra_burn_opts *o,
	       struct hydra_burn_report *rep);

#endif
