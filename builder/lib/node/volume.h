/*
 * The data layer: partition 2 of a medium, LUKS2 (crypt.c) with ext4
 * inside, opened as /dev/mapper/hydra-data and mounted at
 * /var/lib/hydra/data, with the recipe's persisted paths bind-mounted from
 * it. The README's "Data" section says how.
 */
#ifndef HYDRA_NODE_VOLUME_H
#define HYDRA_NODE_VOLUME_H

#include <stddef.h>
#include <stdint.h>

#include "node/crypt.h"

#define HYDRA_DATA_NAME "hydra-data"
#define HYDRA_DATA_DIR "/var/lib/hydra/data"
#define HYDRA_DATA_MIN (40ULL << 20)        /* LUKS2 header (16 MiB) and a small ext4 */

/* What a volume's LUKS2 subsystem says of it. */
enum hydra_data_state {
	HYDRA_DATA_READY,       /* an ext4 with all it was meant to hold */
	HYDRA_DATA_NO_FS,       /* HYDRA_DATA_PENDING: its ext4 is made at the first unlock */
	HYDRA_DATA_INCOMPLETE,  /* HYDRA_DATA_FILLING: a copy into it was cut short */
};

/* The disk holding the running medium ("/dev/vda"), found from the mount table. */
int hydra_data_running_disk(char *disk, size_t len);
/* The same without a message: -ENOENT when no medium is mounted (a build host), -ENODEV. */
int hydra_data_find_running_disk(char *disk, size_t len);
/* The whole disk ("/dev/vda") that the partition PART ("/dev/vda1") belongs to, from sysfs. */
int hydra_data_disk_of(const char *part, char *disk, size_t len);
/*
 * Partition 2 of DISK as sysfs names it ("/dev/vda2", "/dev/nvme0n1p2",
 * "/dev/mmcblk0p2"), or DISK itself for an image file. One the kernel does
 * not list within WAIT_MS (none yet) is named by the kernel's rule.
 */
int hydra_data_partition(const char *disk, unsigned wait_ms, char *part, size_t len);
/*
 * 0 when PART carries a LUKS2 header labelled HYDRA-DATA, 1 when it does
 * not, <0 when it cannot be read. *STATE (when not NULL) says what its
 * subsystem says.
 */
int hydra_data_probe(const char *part, enum hydra_data_state *state);


/*
 * Open PART as /dev/mapper/NAME with PASS (-EACCES for a wrong one), and
 * make its ext4 when it has none yet.
 */
int hydra_data_open(const char *part, const char *name, const char *pass, size_t len);
/* Unmount every mount of /dev/mapper/NAME (binds too, newest first) and close it. */
int hydra_data_close(const char *name);
/*
 * Mount /dev/mapper/NAME on ROOT/var/lib/hydra/data and bind each of
 * PERSIST (absolute paths) from there onto ROOT/PATH, making what is
 * missing. ROOT is "" for the running system.
 */
int hydra_data_mount(const char *name, const char *root, char *const *persist);
/* Mount /dev/mapper/NAME on DIR, nothing more. */
int hydra_data_mount_at(const char *name, const char *dir);
/*
 * Split "hydra.persist=" text ("/home,/srv") into a NULL-terminated list
 * (hydra_strv_free); -EINVAL for a bad path.
 */
int hydra_data_persist_list(const char *text, char ***list);
/* Where /dev/mapper/NAME is mounted first, or NULL (malloc'd). */
char *hydra_data_mountpoint(const char *name);
/* The size of partition 2 PART: a device's from sysfs, an image file's from its table. */
int hydra_data_part_bytes(const char *part, uint64_t *bytes);
/* Is PART (a device path) mounted anywhere? */
int hydra_data_part_mounted(const char *part);
/*
 * Mark PART (open or not) as being filled (FILLING 1: HYDRA_DATA_FILLING) or
 * whole (0: no subsystem), so that a copy cut by a crash or a power loss is
 * seen as one at the next boot.
 */
int hydra_data_mark_filling(const char *part, int filling);
/* Make ext4 on DEV (mkfs.ext4, label hydra-data). */
int hydra_data_mkfs(const char *dev);

#endif
