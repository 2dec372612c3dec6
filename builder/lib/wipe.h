/* Wiping old signatures before a disk is written (DESIGN.md safety rule 5). */
#ifndef HYDRA_WIPE_H
#define HYDRA_WIPE_H

/*
 * Erase every filesystem, RAID and partition-table signature that libblkid
 * finds on the device or image open as FD, first inside each old partition,
 * then on the whole disk (the MBR, both GPT headers). Logs what it wiped.
 */
int hydra_wipe_signatures(int fd, const char *name);

#endif
