/* Whole disks and partitions while their partition table changes under udev. */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/blockdev.h"

#define POLL_US 100000

int hydra_blockdev_lock(const char *disk)
{
	int fd = open(disk, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (int tries = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; tries++) {
		int e = errno;

		if (e != EWOULDBLOCK || tries >= 100) {
			close(fd);
			return -e;
		}
		usleep(POLL_US);
	}
	return fd;
}

/*
 * devtmpfs makes the node with the partition, but a re-read of the table may
 * still be taking it away and adding it again.
 */
int hydra_blockdev_wait(const char *path, unsigned wait_ms)
{
	for (unsigned waited = 0;; waited += POLL_US / 1000) {
		struct stat st;
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), ok;

		ok = fd >= 0 && fstat(fd, &st) == 0 && S_ISBLK(st.st_mode);
		if (fd >= 0)
			close(fd);
		if (ok)
			return 0;
		if (waited >= wait_ms)
			return -ENODEV;
		usleep(POLL_US);
	}
}
