/*
 * Regeneration: a lost node's medium made on one of its neighbours, with a
 * new data volume carrying the copy of its repository kept there. The node
 * restores from that copy at its first boot, with its recovery key typed on
 * its own console (the neighbour never has the key).
 */
#ifndef HYDRA_FLEET_REGEN_H
#define HYDRA_FLEET_REGEN_H

#include "medium/clone.h"

struct hydra_regen {
	const char *datadir;       /* this node's data volume, which keeps NODE's replica */
	const char *node;          /* the node to make again */
	const char *holder;        /* this node's name */
};

/*
 * Set O (a clone as NODE with --data empty) to fill the new volume with
 * NODE's repository, checked, under .hydra-restore/HOLDER. -ENOENT when no
 * replica of NODE is kept here. G must outlive the clone.
 */
int hydra_regen_clone_opts(const struct hydra_regen *g, struct hydra_clone_opts *o);

#endif
