/*
 * Netboot of a node from a neighbour (hydra regenerate): arming, serving
 * and disarming.
 *
 * Armed, the neighbour runs two servers as its children, from a run
 * directory of its own (HYDRA_NETBOOT_RUN/NODE): dnsmasq answers PXE for
 * the node's MAC addresses only (proxy DHCP beside the segment's own
 * server, or leases of its own on an isolated link) and hands out iPXE by
 * TFTP; busybox httpd serves boot.ipxe and the medium's files. Disarming
 * stops both, removes what arming added and deletes the run directory.
 *
 * The texts the servers are given and the reading of their logs are in
 * pxe.h.
 */
#ifndef HYDRA_NETBOOT_H
#define HYDRA_NETBOOT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "fleet/netinstall.h"
#include "fleet/pxe.h"
#include "format/hwdb.h"
#include "format/manifest.h"

/* Where arming keeps its lock (NODE.lock) and its run directory (NODE/). */
#define HYDRA_NETBOOT_RUN "/run/hydra/regenerate"
/* The address --dhcp own gives an interface that has none, and its prefix. */
#define HYDRA_NETBOOT_OWN_ADDR "10.213.0.1"
#define HYDRA_NETBOOT_OWN_PREFIX 24

struct hydra_netboot_opts {
	const char *node;
	const char *ifname;        /* NULL: the default route's interface, else the only one up */
	enum hydra_dhcp_mode dhcp;
	const char *medium;        /* the medium served (NULL: HYDRA_MEDIUM_DIR) */
	const char *hwdb;          /* NULL: the medium's hardware-db */
	int data_none;             /* --data none: the node restores nothing */
	const char *disk;          /* --disk: a device path or a serial or WWN, or NULL */
	int force;                 /* --force: the node may write a disk holding hydra's things */
	const char *datadir;       /* this node's data volume (NULL: HYDRA_DATA_DIR) */
};

/* What arming will do, from the options, the hardware-db, the medium and the interface. */
struct hydra_netboot_plan {
	char node[HYDRA_NODE_NAME_MAX + 1];
	char *macs[HYDRA_HWDB_MAX_MACS];
	size_t n_macs;
	char *disks;               /* the disks the profile records (serial or WWN, spaced), or NULL */
	char ifname[32];
	char addr[16];             /* the interface's address, or the one own mode adds */
	unsigned prefix;
	int add_addr;              /* own mode on an interface without an IPv4 address */
	enum hydra_dhcp_mode dhcp;
	char *medium;
	struct hydra_manifest *manifest;
	int signed_manifest;       /* hydra/MANIFEST.sig is there and is served */
	uint64_t payload_bytes;
	/* The node's orders on its command line (fleet/netinstall.h), the token naming this run. */
	char holder[HYDRA_NODE_NAME_MAX + 1];
	char token[HYDRA_INSTALL_TOKEN_HEX + 1];
	char disk[256];
	int force;
	/* --data replica: NODE's repository kept here, served read-only as its own user */
	char *replica;             /* DATADIR/replicas/NODE/repo, or NULL for --data none */
	uint64_t replica_bytes;
	unsigned replica_files;
};

/*
 * Plan a netboot of O->node: its MACs from the hardware-db (a node that is
 * not there or has no MACs is -ENOENT, with the reason logged), the
 * interface and its address (proxy mode needs one), the medium's MANIFEST
 * and every payload file there with its listed size and inside the medium,
 * and unless --data none the replica of NODE kept here (-ENOENT without one).
 * Starts nothing; release P with hydra_netboot_plan_release.
 */
int hydra_netboot_plan(const struct hydra_netboot_opts *o, struct hydra_netboot_plan *p);
void hydra_netboot_plan_release(struct hydra_netboot_plan *p);

struct hydra_netboot;

typedef void (*hydra_netboot_event_fn)(const struct hydra_netboot_event *ev, void *ud);

/*
 * Arm P: take the node's lock (-EBUSY when another regenerate of it runs),
 * make the run directory, add the address own mode needs, start dnsmasq
 * and the HTTP server and wait until both listen. On failure everything
 * done so far is undone. FN gets the ARMED event and, later, the others.
 */
int hydra_netboot_arm(const struct hydra_netboot_plan *p, hydra_netboot_event_fn fn, void *ud,
		      struct hydra_netboot **out);
/*
 * Serve, reporting what the servers log, until the node reports done (0:
 * with data, the file regenerated-TOKEN that only NODE's key can put into
 * its replica's folder; without, its fetch of /regenerated-TOKEN),
 * TIMEOUT seconds pass (-ETIMEDOUT), a signal of STOP arrives (-EINTR,
 * *SIGNO set; the caller blocks STOP before arming, so that none is lost)
 * or a server stops by itself (-EIO).
 */
int hydra_netboot_serve(struct hydra_netboot *nb, unsigned timeout, const sigset_t *stop,
			int *signo);
/* Stop both servers, remove what arming added, release the lock, free NB; 0 or the first error. */
int hydra_netboot_disarm(struct hydra_netboot *nb);

#endif
