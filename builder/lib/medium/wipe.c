/* Wiping old signatures with libblkid, as wipefs does. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <blkid.h>

#include "base/hydra.h"
#include "medium/wipe.h"

/* Wipe what libblkid finds in [OFFSET, OFFSET+SIZE) of FD; SIZE 0 = to the end. */
static int wipe_range(int fd, const char *name, blkid_loff_t offset, blkid_loff_t size)
{
	blkid_probe pr = blkid_new_probe();
	int r = -ENOMEM, n = 0;

	if (!pr)
		return -ENOMEM;
	if (blkid_probe_set_device(pr, fd, offset, size) < 0) {
		r = -EIO;
		hydra_err("cannot probe '%s' for old signatures", name);
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_TYPE |
					  BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC | BLKID_PARTS_FORCE_GPT);
	while (blkid_do_probe(pr) == 0) {
		const char *type = NULL;

		if (blkid_probe_lookup_value(pr, "TYPE", &type, NULL) < 0)
			blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL);
		if (blkid_do_wipe(pr, 0) < 0) {
			r = errno ? -errno : -EIO;
			hydra_err("cannot wipe the %s signature on '%s': %s", type ? type : "old",
				  name, strerror(-r));
			goto out;
		}
		hydra_debug("wiped a %s signature at offset %lld of '%s'", type ? type : "?",
			    (long long)offset, name);
		n++;
	}
	r = n;
out:
	blkid_free_probe(pr);
	return r;
}

/* The old partitions, as the old table describes them. */
static int wipe_partitions(int fd, const char *name)
{
	blkid_probe pr = blkid_new_probe();
	blkid_partlist ls;
	int r = 0, n;

	if (!pr)
		return -ENOMEM;
	if (blkid_probe_set_device(pr, fd, 0, 0) < 0)
		goto out;
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	ls = blkid_probe_get_partitions(pr);
	n = ls ? blkid_partlist_numof_partitions(ls) : 0;
	for (int i = 0; i < n && r >= 0; i++) {
		blkid_partition p = blkid_partlist_get_partition(ls, i);
		blkid_loff_t start = blkid_partition_get_start(p) * 512;
		blkid_loff_t size = blkid_partition_get_size(p) * 512;

		if (size > 0)
			r = wipe_range(fd, name, start, size);
	}
out:
	blkid_free_probe(pr);
	return r < 0 ? r : 0;
}

int hydra_wipe_signatures(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), r;

	if (fd < 0) {
		r = -errno;
		hydra_err("cannot open '%s': %s", path, strerror(errno));
		return r;
	}
	r = wipe_partitions(fd, path);
	if (r >= 0)
		r = wipe_range(fd, path, 0, 0);
	if (r >= 0 && fsync(fd) < 0 && errno != EINVAL)
		r = -errno;
	close(fd);
	return r < 0 ? r : 0;
}
