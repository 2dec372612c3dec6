/* Regeneration of a node from the replica a neighbour keeps; see regen.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/hydra.h"
#include "base/util.h"
#include "fleet/regen.h"
#include "fleet/replica.h"

static int fill(const char *dir, void *ud)
{
	const struct hydra_regen *g = ud;

	hydra_info("copying the replica of %s kept here into the new data volume", g->node);
	return hydra_replica_copy_out(g->datadir, g->node, g->holder, dir);
}

int hydra_regen_clone_opts(const struct hydra_regen *g, struct hydra_clone_opts *o)
{
	struct hydra_replica_info info;
	int r = hydra_replica_held_one(g->datadir, g->node, &info), found = !r && info.snapshots;

	if (r == -ENOENT)
		r = 0;
	o->fill_bytes = info.bytes;
	if (!r && !found) {
		hydra_err("no replica of %s with a snapshot is kept on this node (hydra data replicas)",
			  g->node);
		r = -ENOENT;
	}
	o->node = g->node;
	o->data = HYDRA_DATA_EMPTY;
	o->fill = fill;
	o->fill_ud = (void *)g;
	return r;
}
