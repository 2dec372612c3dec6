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

#endif
