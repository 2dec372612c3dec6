/* Wiping old signatures before a disk is written. */
#ifndef HYDRA_WIPE_H
#define HYDRA_WIPE_H

/*
 * Erase every filesystem, RAID and partition-table signature that libblkid
 * finds on the device or image at PATH, first inside each old partition,
 * then on the whole disk (the MBR, both GPT headers). Logs what it wiped.
 * It opens PATH itself, without O_DIRECT: libblkid reads and writes small
 * unaligned pieces, which an O_DIRECT descriptor refuses.
 */
int hydra_wipe_signatures(const char *path);

#endif
