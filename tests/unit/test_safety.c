/* Safety rules on a fixture sysfs/proc tree: each refusal, and the disk we may write. */
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "harness.h"
#include "medium/safety.h"

#define GIB (1024ULL * 1024 * 1024)

/* A disk NAME (MAJ:MIN) of SECTORS, with an optional partition NAME<part>. */
static void disk(const char *name, unsigned min, unsigned long long sectors, const char *part)
{
	char p[512], v[64];

	snprintf(p, sizeof(p), "root/sys/devices/virtual/%s/dev", name);
	snprintf(v, sizeof(v), "254:%u\n", min);
	OK(t_write(p, v) == 0);
	snprintf(p, sizeof(p), "root/sys/devices/virtual/%s/size", name);
	snprintf(v, sizeof(v), "%llu\n", sectors);
	OK(t_write(p, v) == 0);
	snprintf(p, sizeof(p), "root/sys/devices/virtual/%s/ro", name);
	OK(t_write(p, "0\n") == 0);
	snprintf(p, sizeof(p), "root/sys/devices/virtual/%s/serial", name);
	OK(t_write(p, "SER-1\n") == 0);
	hydra_mkdir_p("root/sys/class/block", 0755);
	snprintf(p, sizeof(p), "root/sys/class/block/%s", name);
	snprintf(v, sizeof(v), "../../devices/virtual/%s", name);
	OK(symlink(v, p) == 0);
	if (!part)
		return;
	snprintf(p, sizeof(p), "root/sys/devices/virtual/%s/%s/dev", name, part);
	snprintf(v, sizeof(v), "254:%u\n", min + 1);
	OK(t_write(p, v) == 0);
	snprintf(p, sizeof(p), "root/sys/devices/virtual/%s/%s/partition", name, part);
	OK(t_write(p, "1\n") == 0);
	snprintf(p, sizeof(p), "root/sys/class/block/%s", part);
	snprintf(v, sizeof(v), "../../devices/virtual/%s/%s", name, part);
	OK(symlink(v, p) == 0);
}

static void make_machine(void)
{
	disk("vda", 0, 4 * 2097152ULL, "vda1");
	disk("vdb", 16, 2 * 2097152ULL, NULL);
	disk("vdc", 32, 2 * 2097152ULL, "vdc1");
	disk("vdd", 48, 2 * 2097152ULL, NULL);
	hydra_mkdir_p("root/sys/devices/virtual/vdd/holders/dm-0", 0755);
	disk("vde", 64, 2 * 2097152ULL, NULL);
	OK(t_write("root/sys/devices/virtual/vde/ro", "1\n") == 0);
	disk("vdf", 80, 2048, NULL);
	disk("vdg", 96, 2 * 2097152ULL, "vdg1");
	OK(t_write("root/proc/self/mountinfo",
		   "20 1 0:30 / / rw - overlay overlay rw\n"
		   "30 20 254:1 / /run/hydra/medium ro - vfat /dev/vda1 ro\n"
		   "31 20 254:33 / /mnt rw - ext4 /dev/vdc1 rw\n"
		   "32 20 0:5 / /dev rw - devtmpfs udev rw\n") == 0);
	OK(t_write("root/proc/swaps",
		   "Filename Type Size Used Priority\n/dev/vdg1 partition 1000 0 -2\n") == 0);
}

static int check(const char *name, uint64_t needed)
{
	struct hydra_target *t = NULL;
	char *root = hydra_path_join(t_dir, "root");
	int r = hydra_target_inspect_name(root, name, &t);

	if (!r)
		r = hydra_target_check(root, t, needed);
	hydra_target_free(t);
	free(root);
	return r;
}

static void test_blank_disk_is_writable(void)
{
	struct hydra_target *t = NULL;
	char *root = hydra_path_join(t_dir, "root"), desc[256];

	make_machine();
	EQ_INT(check("vdb", GIB), 0);
	EQ_INT(hydra_target_inspect_name(root, "vdb", &t), 0);
	if (t) {
		EQ_INT(t->size, 2 * GIB);
		hydra_target_describe(t, desc, sizeof(desc));
		EQ_STR(desc, "/dev/vdb: 2.0 GiB, unknown model (serial SER-1)");
	}
	hydra_target_free(t);
	free(root);
}

static void test_refuses_running_medium(void)
{
	make_machine();
	EQ_INT(check("vda", GIB), -EBUSY);
	CONTAINS(t_log, "refusing '/dev/vda': /dev/vda1 holds the running system (mounted on /run/hydra/medium)");
}

static void test_refuses_mounted(void)
{
	make_machine();
	EQ_INT(check("vdc", GIB), -EBUSY);
	CONTAINS(t_log, "/dev/vdc1 is mounted on /mnt");
}

static void test_refuses_swap_held_ro_small(void)
{
	make_machine();
	EQ_INT(check("vdg", GIB), -EBUSY);
	CONTAINS(t_log, "/dev/vdg1 is in use as swap");
	EQ_INT(check("vdd", GIB), -EBUSY);
	CONTAINS(t_log, "held by /dev/dm-0");
	EQ_INT(check("vde", GIB), -EROFS);
	CONTAINS(t_log, "refusing '/dev/vde': it is read-only");
	EQ_INT(check("vdf", GIB), -ENOSPC);
	CONTAINS(t_log, "too small: 1.0 GiB needed, it has 1.0 MiB");
	EQ_INT(check("vdb", 3 * GIB), -ENOSPC);
}

/* An NVMe disk whose partition is open (a LUKS volume on nvme0n1p2) is held. */
static void test_refuses_held_nvme_partition(void)
{
	make_machine();
	disk("nvme0n1", 144, 2 * 2097152ULL, "nvme0n1p2");
	hydra_mkdir_p("root/sys/devices/virtual/nvme0n1/nvme0n1p2/holders/dm-3", 0755);
	/* Folders of the disk that are no partitions are not looked into. */
	hydra_mkdir_p("root/sys/devices/virtual/nvme0n1/queue/holders/dm-4", 0755);
	EQ_INT(check("nvme0n1", GIB), -EBUSY);
	CONTAINS(t_log, "refusing '/dev/nvme0n1': it is held by /dev/dm-3");
	EQ_INT(check("nvme0n1p2", GIB), -EPERM);
	CONTAINS(t_log, "it is a partition; give the whole disk, /dev/nvme0n1");
}

static void test_refuses_partition_and_unknown(void)
{
	make_machine();
	EQ_INT(check("vdc1", GIB), -EPERM);
	CONTAINS(t_log, "it is a partition; give the whole disk, /dev/vdc");
	EQ_INT(check("sdz", GIB), -ENODEV);
}

/* NAME's queue/logical_block_size, as the kernel gives it. */
static void sectors(const char *name, const char *size)
{
	char p[512];

	snprintf(p, sizeof(p), "root/sys/devices/virtual/%s/queue/logical_block_size", name);
	OK(t_write(p, size) == 0);
}

static void test_refuses_4k_sectors(void)
{
	struct hydra_target *t = NULL;
	char *root = hydra_path_join(t_dir, "root");

	make_machine();
	disk("vdh", 128, 2 * 2097152ULL, NULL);
	sectors("vdh", "4096\n");
	sectors("vdb", "512\n");
	EQ_INT(check("vdh", GIB), -EMEDIUMTYPE);
	CONTAINS(t_log, "refusing '/dev/vdh': it has 4096-byte logical sectors; hydra's layout is "
			"for 512-byte sectors");
	EQ_INT(hydra_target_inspect_name(root, "vdh", &t), 0);
	if (t) {
		EQ_INT(t->sector_size, 4096);
		EQ_INT(hydra_target_check_sectors(t), -EMEDIUMTYPE);
	}
	hydra_target_free(t);
	t = NULL;
	EQ_INT(check("vdb", GIB), 0);
	EQ_INT(hydra_target_inspect_name(root, "vdb", &t), 0);
	if (t) {
		EQ_INT(t->sector_size, 512);
		EQ_INT(hydra_target_check_sectors(t), 0);
	}
	hydra_target_free(t);
	/* A 4 KiB disk that is in use is refused for that first. */
	sectors("vda", "4096\n");
	EQ_INT(check("vda", GIB), -EBUSY);
	/* Nonsense from sysfs is no 512. */
	sectors("vdb", "banana\n");
	EQ_INT(check("vdb", GIB), -EMEDIUMTYPE);
	free(root);
}

static void test_image_file(void)
{
	struct hydra_target *t = NULL;

	OK(t_write("img", "0123456789") == 0);
	EQ_INT(hydra_target_inspect("", "img", &t), 0);
	if (t) {
		OK(t->is_file);
		EQ_INT(t->size, 10);
		EQ_INT(t->sector_size, 512);
		EQ_INT(hydra_target_check("", t, 10), 0);
		EQ_INT(hydra_target_check("", t, 11), -ENOSPC);
	}
	hydra_target_free(t);
}

/*
 * Loop devices over one file: loop0 over m.img is mounted, loop1 is a second
 * device over the same file, loop2 is over a file nothing uses, loop3's file
 * is behind a held loop4.
 */
static void make_loops(void)
{
	make_machine();
	OK(t_write("root/img/m.img", "mounted") == 0);
	OK(t_write("root/img/free.img", "free") == 0);
	OK(t_write("root/img/held.img", "held") == 0);
	disk("loop0", 112, 2 * 2097152ULL, NULL);
	disk("loop1", 113, 2 * 2097152ULL, NULL);
	disk("loop2", 114, 2 * 2097152ULL, NULL);
	disk("loop3", 115, 2 * 2097152ULL, NULL);
	disk("loop4", 116, 2 * 2097152ULL, NULL);
	OK(t_write("root/sys/devices/virtual/loop0/loop/backing_file", "/img/m.img\n") == 0);
	OK(t_write("root/sys/devices/virtual/loop1/loop/backing_file", "/img/m.img\n") == 0);
	OK(t_write("root/sys/devices/virtual/loop2/loop/backing_file", "/img/free.img\n") == 0);
	OK(t_write("root/sys/devices/virtual/loop3/loop/backing_file", "/img/held.img\n") == 0);
	OK(t_write("root/sys/devices/virtual/loop4/loop/backing_file", "/img/held.img\n") == 0);
	hydra_mkdir_p("root/sys/devices/virtual/loop4/holders/dm-1", 0755);
	OK(t_write("root/proc/self/mountinfo",
		   "20 1 0:30 / / rw - overlay overlay rw\n"
		   "30 20 254:1 / /run/hydra/medium ro - vfat /dev/vda1 ro\n"
		   "33 20 254:112 / /srv rw - ext4 /dev/loop0 rw\n") == 0);
}

static void test_refuses_second_loop_over_mounted_file(void)
{
	make_loops();
	EQ_INT(check("loop0", GIB), -EBUSY);
	EQ_INT(check("loop1", GIB), -EBUSY);
	CONTAINS(t_log, "refusing '/dev/loop1': its backing file '/img/m.img' is in use: "
			"/dev/loop0 is mounted on /srv");
	EQ_INT(check("loop3", GIB), -EBUSY);
	CONTAINS(t_log, "/dev/loop4 is held by /dev/dm-1");
	EQ_INT(check("loop2", GIB), 0);
}

static void test_refuses_file_behind_mounted_loop(void)
{
	struct hydra_target *t = NULL;
	char *root = hydra_path_join(t_dir, "root");
	struct stat st;

	make_loops();
	EQ_INT(hydra_target_inspect("", "root/img/m.img", &t), 0);
	if (t)
		EQ_INT(hydra_target_check(root, t, 0), -EBUSY);
	CONTAINS(t_log, "refusing 'root/img/m.img': it backs a loop device in use: "
			"/dev/loop0 is mounted on /srv");
	hydra_target_free(t);
	t = NULL;
	EQ_INT(hydra_target_inspect("", "root/img/free.img", &t), 0);
	if (t)
		EQ_INT(hydra_target_check(root, t, 0), 0);
	hydra_target_free(t);
	t = NULL;
	/* A loop device knows the file it writes: burn compares it with its image. */
	EQ_INT(hydra_target_inspect_name(root, "loop2", &t), 0);
	OK(stat("root/img/free.img", &st) == 0);
	OK(t && hydra_target_writes_file(t, &st));
	OK(stat("root/img/m.img", &st) == 0);
	OK(t && !hydra_target_writes_file(t, &st));
	hydra_target_free(t);
	free(root);
}

/* On the real machine: the disk under / is refused, whatever its name. */
static void test_refuses_host_root_disk(void)
{
	struct hydra_target *t = NULL;
	struct stat st;
	char dev[4096], sys[64], real[4096];

	if (stat("/", &st) < 0 || major(st.st_dev) == 0)
		SKIP("the root filesystem is not on a block device here");
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	if (!realpath(sys, real))
		SKIP("no sysfs here");
	snprintf(dev, sizeof(dev), "/dev/%s", strrchr(real, '/') + 1);
	if (hydra_target_inspect("", dev, &t) == -EPERM) {
		/* / is on a partition: check its disk, named in the message. */
		const char *disk = strstr(t_log, "give the whole disk, ");

		OK(disk != NULL);
		if (!disk)
			return;
		snprintf(dev, sizeof(dev), "%s", disk + strlen("give the whole disk, "));
		dev[strcspn(dev, "\n")] = '\0';
		EQ_INT(hydra_target_inspect("", dev, &t), 0);
	}
	OK(t != NULL);
	if (t)
		EQ_INT(hydra_target_check("", t, 0), -EBUSY);
	CONTAINS(t_log, "holds the running system (mounted on /)");
	hydra_target_free(t);
}

int main(void)
{
	RUN(test_blank_disk_is_writable);
	RUN(test_refuses_running_medium);
	RUN(test_refuses_mounted);
	RUN(test_refuses_swap_held_ro_small);
	RUN(test_refuses_held_nvme_partition);
	RUN(test_refuses_partition_and_unknown);
	RUN(test_refuses_4k_sectors);
	RUN(test_image_file);
	RUN(test_refuses_second_loop_over_mounted_file);
	RUN(test_refuses_file_behind_mounted_loop);
	RUN(test_refuses_host_root_disk);
	TESTS_END();
}
