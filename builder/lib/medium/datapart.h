/*
 * Partition 2 of a medium made into the data volume: added after partition 1
 * with libparted, told to the kernel, made LUKS2 (with its ext4 on a disk).
 */
#ifndef HYDRA_MEDIUM_DATAPART_H
#define HYDRA_MEDIUM_DATAPART_H

#include <stddef.h>
#include <stdint.h>

#include "node/crypt.h"

struct hydra_data_init {
	const char *disk;          /* whole disk or image file */
	uint64_t size;             /* 0: all the room after partition 1 */
	int force;                 /* replace an existing partition 2 */
	struct hydra_luks_opts luks;
	/* leave the new volume open as /dev/mapper/KEEP_OPEN (a block device only) */
	const char *keep_open;
};

/*
 * Add partition 2 to DISK and make it a LUKS2 volume for PASS, with ext4
 * inside when DISK is a block device (the ext4 of an image file is made at
 * its first unlock: opening a volume needs device-mapper). -EEXIST when
 * DISK has a partition 2 and FORCE is not set; -EBUSY when it is in use.
 */
int hydra_data_init(const struct hydra_data_init *o, const char *pass, size_t len);
/*
 * The safety checks hydra_data_init makes on DISK, on their own, so that a
 * disk they refuse is refused before a passphrase is asked for.
 */
int hydra_data_init_check(const char *disk);

#endif
