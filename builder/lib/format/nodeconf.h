/*
 * What a node's [config] makes at boot, as systemd reads it (pure text):
 * the .network file of network = static and the backup timer's schedule.
 * hydra-init writes them under /run/systemd, which systemd and
 * systemd-networkd read before anything in /etc or /usr; a system without
 * them ignores the files.
 */
#ifndef HYDRA_NODECONF_H
#define HYDRA_NODECONF_H

#include "format/hwdb.h"

#define HYDRA_NODECONF_NETWORK "/run/systemd/network/10-hydra-node.network"
#define HYDRA_NODECONF_TIMER "/run/systemd/system/hydra-backup.timer.d/10-hydra-node.conf"

/*
 * systemd-networkd's .network for N: 0 and a malloc'd *OUT for network =
 * static, 1 (*OUT NULL) when the node leaves its network to the image.
 */
int hydra_nodeconf_network(const struct hydra_node *n, char **out);
/* A drop-in for hydra-backup.timer: 0 and *OUT when N sets backup, else 1. */
int hydra_nodeconf_timer(const struct hydra_node *n, char **out);

#endif
