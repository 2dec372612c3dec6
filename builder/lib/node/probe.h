/*
 * Read what a machine is from a sysfs tree and a proc tree whose roots are
 * given, so tests run against fixture trees under tests/fixtures/sysfs.
 */
#ifndef HYDRA_PROBE_H
#define HYDRA_PROBE_H

#include "format/hwdb.h"

/*
 * Fill M from SYSFS (normally "/sys") and PROC (normally "/proc"): DMI
 * identity, MACs of physical interfaces, disks with their serial or WWN and
 * size, CPU model and count, memory. Missing pieces are left empty; only
 * allocation failure and an unreadable SYSFS root are errors.
 */
int hydra_probe(const char *sysfs, const char *proc, struct hydra_machine *m);
/* 1 for a block device no machine is written onto: loop, ram, zram, dm-, md, sr, fd, nbd. */
int hydra_probe_block_virtual(const char *name);
/*
 * TYPE and LABEL of the filesystem (or LUKS volume) on DEV by a low-level
 * probe, no cache: devices come and go. 0 found, 1 nothing there, -errno
 * when DEV cannot be opened; TYPE and LABEL are "" where there is none.
 */
int hydra_probe_fs(const char *dev, char *type, size_t tlen, char *label, size_t llen);
/* The serial or WWN of disk NAME under SYSFS (as profiles record it), malloc'd; *ID NULL when none. */
int hydra_probe_disk_id(const char *sysfs, const char *name, char **id);

#endif
