/* Partition names from a fixture sysfs tree: NVMe, MMC, SCSI, and the kernel's rule when absent. */
#include <sys/stat.h>
#include <time.h>

#include "harness.h"
#include "base/sysfs.h"

/* Disk DISK under PARENT (a folder of sys/devices), linked from sys/class/block. */
static void disk(const char *parent, const char *name)
{
	char p[512], v[512];

	snprintf(p, sizeof(p), "root/sys/devices/%s/%s/dev", parent, name);
	OK(t_write(p, "259:0\n") == 0);
	hydra_mkdir_p("root/sys/class/block", 0755);
	snprintf(p, sizeof(p), "root/sys/class/block/%s", name);
	snprintf(v, sizeof(v), "../../devices/%s/%s", parent, name);
	OK(symlink(v, p) == 0);
}

/* Partition N of DISK, its folder called NAME inside the disk's, as the kernel lays it out. */
static void partition(const char *parent, const char *dsk, const char *name, unsigned n)
{
	char p[512], v[512];

	snprintf(p, sizeof(p), "root/sys/devices/%s/%s/%s/partition", parent, dsk, name);
	snprintf(v, sizeof(v), "%u\n", n);
	OK(t_write(p, v) == 0);
	snprintf(p, sizeof(p), "root/sys/devices/%s/%s/%s/dev", parent, dsk, name);
	OK(t_write(p, "259:1\n") == 0);
	snprintf(p, sizeof(p), "root/sys/class/block/%s", name);
	snprintf(v, sizeof(v), "../../devices/%s/%s/%s", parent, dsk, name);
	OK(symlink(v, p) == 0);
}

#define NVME "pci0000:00/0000:00:04.0/nvme/nvme0"
#define MMC "platform/mmc0/mmc0:0001/block"
#define SCSI "pci0000:00/0000:00:05.0/host0/target0:0:0/0:0:0:0/block"

static void make_machine(void)
{
	disk(NVME, "nvme0n1");
	partition(NVME, "nvme0n1", "nvme0n1p1", 1);
	partition(NVME, "nvme0n1", "nvme0n1p2", 2);
	/* Other entries of a disk's folder that are no partitions. */
	hydra_mkdir_p("root/sys/devices/" NVME "/nvme0n1/queue", 0755);
	OK(t_write("root/sys/devices/" NVME "/nvme0n1/queue/logical_block_size", "512\n") == 0);
	hydra_mkdir_p("root/sys/devices/" NVME "/nvme0n1/holders", 0755);
	disk(MMC, "mmcblk0");
	partition(MMC, "mmcblk0", "mmcblk0p1", 1);
	partition(MMC, "mmcblk0", "mmcblk0p2", 2);
	/* eMMC boot areas are disks of their own, beside the user area, not inside it. */
	disk(MMC, "mmcblk0boot0");
	disk(SCSI, "sda");
	partition(SCSI, "sda", "sda12", 12);
	partition(SCSI, "sda", "sda2", 2);
	partition(SCSI, "sda", "sda1", 1);
	/* Nothing but sysfs says so: a partition named against the rule is still found. */
	disk(SCSI, "sdb");
	partition(SCSI, "sdb", "sdb-two", 2);
	disk(NVME, "nvme1n1");
	disk(SCSI, "sdc");
}

static int name_of(const char *dsk, unsigned n, unsigned wait_ms, char *out, size_t len)
{
	char *root = hydra_path_join(t_dir, "root");
	int r = hydra_sysfs_partition_name(root, dsk, n, wait_ms, out, len);

	free(root);
	return r;
}

static void test_partition_names_from_sysfs(void)
{
	char name[64];

	make_machine();
	EQ_INT(name_of("nvme0n1", 2, 0, name, sizeof(name)), 0);
	EQ_STR(name, "nvme0n1p2");
	EQ_INT(name_of("nvme0n1", 1, 0, name, sizeof(name)), 0);
	EQ_STR(name, "nvme0n1p1");
	EQ_INT(name_of("mmcblk0", 2, 0, name, sizeof(name)), 0);
	EQ_STR(name, "mmcblk0p2");
	/* 2 is not 12, whatever order the folder lists them in. */
	EQ_INT(name_of("sda", 2, 0, name, sizeof(name)), 0);
	EQ_STR(name, "sda2");
	EQ_INT(name_of("sda", 12, 0, name, sizeof(name)), 0);
	EQ_STR(name, "sda12");
	EQ_INT(name_of("sdb", 2, 0, name, sizeof(name)), 0);
	EQ_STR(name, "sdb-two");
}

static void test_partition_names_by_the_kernels_rule(void)
{
	char name[64];

	make_machine();
	EQ_INT(name_of("nvme1n1", 2, 0, name, sizeof(name)), 1);
	EQ_STR(name, "nvme1n1p2");
	EQ_INT(name_of("sdc", 2, 0, name, sizeof(name)), 1);
	EQ_STR(name, "sdc2");
	EQ_INT(name_of("mmcblk0boot0", 2, 0, name, sizeof(name)), 1);
	EQ_STR(name, "mmcblk0boot0p2");
	EQ_INT(name_of("nvme0n1", 3, 0, name, sizeof(name)), 1);
	EQ_STR(name, "nvme0n1p3");
	/* A disk sysfs does not know at all. */
	EQ_INT(name_of("loop7", 2, 0, name, sizeof(name)), 1);
	EQ_STR(name, "loop7p2");
}

static void test_partition_wait_is_bounded(void)
{
	struct timespec a, b;
	char name[64];
	double s;

	make_machine();
	clock_gettime(CLOCK_MONOTONIC, &a);
	EQ_INT(name_of("sdc", 2, 200, name, sizeof(name)), 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	EQ_STR(name, "sdc2");
	OK(s >= 0.2 && s < 2.0);
	/* One that is there is not waited for. */
	clock_gettime(CLOCK_MONOTONIC, &a);
	EQ_INT(name_of("nvme0n1", 2, 5000, name, sizeof(name)), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	OK(b.tv_sec - a.tv_sec < 2);
}

static void test_whole_disk_of_partitions(void)
{
	char *root, d[64];

	make_machine();
	root = hydra_path_join(t_dir, "root");
	hydra_sysfs_whole_disk(root, "nvme0n1p2", d, sizeof(d));
	EQ_STR(d, "nvme0n1");
	hydra_sysfs_whole_disk(root, "mmcblk0p1", d, sizeof(d));
	EQ_STR(d, "mmcblk0");
	hydra_sysfs_whole_disk(root, "mmcblk0boot0", d, sizeof(d));
	EQ_STR(d, "mmcblk0boot0");
	free(root);
}

int main(void)
{
	RUN(test_partition_names_from_sysfs);
	RUN(test_partition_names_by_the_kernels_rule);
	RUN(test_partition_wait_is_bounded);
	RUN(test_whole_disk_of_partitions);
	TESTS_END();
}
