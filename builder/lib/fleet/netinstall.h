/*
 * The netbooted side of a regeneration (hydra install): a machine that a
 * neighbour's `hydra regenerate NODE` booted over the network writes its
 * own disk as NODE with the clone writer, restores NODE's data from the
 * neighbour's replica and tells the neighbour it is done.
 *
 * Everything it needs comes on its kernel command line, from the boot
 * script the neighbour served (fleet/pxe.c):
 *
 *   hydra.netboot=URL             the neighbour's HTTP server (the medium, the replica)
 *   hydra.node=NODE               the node it boots and is written as
 *   hydra.netboot.from=HOLDER     the neighbour's node name
 *   hydra.netboot.token=HEX       this regeneration, named in the done message
 *   hydra.netboot.data=replica|none
 *   hydra.netboot.disk=DISK       regenerate --disk: a device path, a serial or a WWN
 *   hydra.netboot.force           regenerate --force: a disk holding hydra's things may go
 *
 * The done message: with its data restored the node holds its own ssh key
 * again, which the neighbour accepted for its replica, and it puts the file
 * regenerated-TOKEN into that replica's folder over sftp: only the node
 * itself can. Without data (--data none) there is no such key: the node
 * fetches /regenerated-TOKEN from the neighbour's HTTP server, which any
 * machine on that link that read the boot script could do too.
 */
#ifndef HYDRA_FLEET_NETINSTALL_H
#define HYDRA_FLEET_NETINSTALL_H

#include <stddef.h>

#include "format/hwdb.h"

/* The file that says a regeneration is done: "regenerated-" TOKEN. */
#define HYDRA_INSTALL_DONE_PREFIX "regenerated-"
/*
 * The node's steps, told to the neighbour for its progress lines by fetching
 * /step-TOKEN-NAME: progress only, not authenticated (done is).
 */
#define HYDRA_INSTALL_STEP_PREFIX "step-"
#define HYDRA_INSTALL_STEP_WRITTEN "written"
#define HYDRA_INSTALL_STEP_RESTORED "restored"
/* The token: 128 bits from getrandom, in hex. */
#define HYDRA_INSTALL_TOKEN_HEX 32
/* What the neighbour's HTTP server lists of the replica it serves, one "SIZE PATH" a line. */
#define HYDRA_INSTALL_REPLICA_LIST "replica.list"
#define HYDRA_INSTALL_REPLICA_DIR "replica"

struct hydra_install_req {
	char url[256];
	char node[HYDRA_NODE_NAME_MAX + 1];
	char holder[HYDRA_NODE_NAME_MAX + 1];
	char token[HYDRA_INSTALL_TOKEN_HEX + 1];
	char disk[256];
	int data_replica;
	int force;
};

/*
 * Pure: the words above from the text of /proc/cmdline. -ENOENT when there
 * is no hydra.netboot= (not a netbooted machine); -EINVAL, logged naming the
 * word, for a missing or malformed one.
 */
int hydra_install_parse(const char *cmdline, struct hydra_install_req *q);

/* A fresh token (hex of 16 random bytes). */
int hydra_install_token_new(char token[HYDRA_INSTALL_TOKEN_HEX + 1]);

/*
 * The disk to write, as "/dev/NAME": SPEC (a /dev path or a serial or WWN)
 * when given, else the disk whose id the profile PROFILE records (NULL:
 * none), else the only disk. Disks are read under SYSROOT/sys ("": this machine's). -ENOENT when
 * nothing matches, -EEXIST when more than one disk could be meant; both
 * logged with the disks seen.
 */
int hydra_install_pick_disk(const char *sysroot, const char *spec, const struct hydra_machine *profile,
			    char *dev, size_t len);

/*
 * 1 when this machine (SYSROOT/sys, SYSROOT/proc) is NODE by the hardware-db
 * DB alone, its DMI UUID or a MAC matching NODE's profile, as hydra-init
 * would match it; REASON says which ("dmi uuid ..."). Then its disk needs
 * no hydra.node= pinned: the medium boots it as any node's medium does, and
 * a replacement machine that matches nothing still gets NODE. 0 when not.
 */
int hydra_install_machine_is(const char *sysroot, const struct hydra_hwdb *db, const char *node,
			     char *reason, size_t len);

/*
 * 1 when DEV ("/dev/vdb") holds one of hydra's things on any partition: a
 * medium (vfat labelled HYDRA) or a data volume (LUKS labelled HYDRA-DATA);
 * WHY says which partition and what. 0 when not, -errno when it cannot be read.
 */
int hydra_install_disk_holds_hydra(const char *sysroot, const char *dev, char *why, size_t len);

/*
 * The replica Q's neighbour serves (replica.list, then each file) into
 * DIR/.hydra-restore/HOLDER/, each file of its listed size and, when its
 * name is its SHA-256, with that hash. -EBADMSG names a damaged file.
 */
int hydra_install_fetch_replica(const struct hydra_install_req *q, const char *dir);

/*
 * Tell the neighbour: with data, over sftp as the node's replica user with
 * the key restored on DATADIR (NEIGHBOUR: the holder's profile, for its
 * address); without, by fetching URL/regenerated-TOKEN.
 */
/* STEP told to the neighbour; a failure is only warned of: it is progress, not the result. */
void hydra_install_report_step(const struct hydra_install_req *q, const char *step);

int hydra_install_report_done(const struct hydra_install_req *q, const char *datadir,
			      const struct hydra_node *neighbour);

#endif
