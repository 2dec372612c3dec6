/*
 * The FAT32 writer, checked with tools it did not write: fsck.fat -n, blkid -p,
 * mtools reading every file back, syslinux installing into it; and the same
 * inputs giving the same bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "format/fat.h"
#include "format/fatmk.h"
#include "harness.h"

#define MIB (1024ULL * 1024)

static int have(void)
{
	return sh("command -v fsck.fat && command -v mcopy && command -v blkid") == 0;
}

static int add(struct hydra_fatmk *w, const char *path, const char *src)
{
	int fd = open(src, O_RDONLY), r;
	off_t size = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;

	if (fd < 0 || size < 0)
		return -errno;
	r = hydra_fatmk_add(w, path, fd, (uint64_t)size);
	close(fd);
	return r;
}

/* A medium-like tree in IMG: partition at 1 MiB of PART MiB, clusters of SPC sectors. */
static int make(const char *img, unsigned part, unsigned spc)
{
	struct hydra_fatmk_opts o = { .offset = MIB, .bytes = part * MIB, .cluster_sectors = spc,
				      .volid = 0x1234abcd, .label = "HYDRA", .time = 1700000000 };
	struct hydra_fatmk *w = NULL;
	char path[64];
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644), r;

	if (fd < 0 || ftruncate(fd, (off_t)((part + 1) * MIB)) < 0)
		return -errno;
	r = hydra_fatmk_begin(fd, &o, &w);
	if (!r)
		r = add(w, "live/system.sqfs", "big");
	if (!r)
		r = add(w, "boot/vmlinuz", "small");
	if (!r)
		r = add(w, "boot/initrd.img", "mid");
	if (!r)
		r = add(w, "hydra/hardware-db/nodes/alpha.conf", "small");
	if (!r)
		r = add(w, "hydra/hardware-db/README.md", "small");
	if (!r)
		r = add(w, "hydra/empty", "empty");
	if (!r)
		r = add(w, "EFI/BOOT/BOOTX64.EFI", "small");
	if (!r)
		r = add(w, "syslinux/syslinux.cfg", "small");
	/* Enough long names to take the directory past one cluster, and alike names. */
	for (int i = 0; !r && i < 60; i++) {
		snprintf(path, sizeof(path), "hydra/overlays/node-with-a-long-name-%02d.tar", i);
		r = add(w, path, "small");
	}
	if (!r)
		r = hydra_fatmk_add(w, "hydra/empty", -1, 0) == -EEXIST ? 0 : -EINVAL;
	if (!r)
		r = hydra_fatmk_finish(w);
	hydra_fatmk_free(w);
	close(fd);
	return r;
}

static void fixtures(void)
{
	EQ_INT(sh("head -c 5000001 /dev/urandom > big && head -c 777 /dev/urandom > small && "
		  "head -c 1500000 /dev/urandom > mid && : > empty"), 0);
}

static void test_checked_by_other_tools(void)
{
	int status;
	const char *out;

	if (!have())
		SKIP("dosfstools, mtools or blkid missing");
	fixtures();
	EQ_INT(make("img", 64, 1), 0);
	EQ_INT(sh("dd if=img of=part bs=1M skip=1 conv=sparse status=none && fsck.fat -n part > fsck.out 2>&1"), 0);
	EQ_INT(sh("! grep -qiE 'differ|wrong|invalid|bad|lost|fix' fsck.out"), 0);
	out = sh_output("blkid -p -o export --offset 1048576 img", &status);
	CONTAINS(out, "TYPE=vfat");
	CONTAINS(out, "LABEL=HYDRA");
	CONTAINS(out, "VERSION=FAT32");
	CONTAINS(out, "UUID=1234-ABCD");
	EQ_INT(sh("export MTOOLS_SKIP_CHECK=1; "
		  "mcopy -n -i img@@1M ::/live/system.sqfs o1 && cmp big o1 && "
		  "mcopy -n -i img@@1M ::/boot/initrd.img o2 && cmp mid o2 && "
		  "mcopy -n -i img@@1M ::/hydra/hardware-db/nodes/alpha.conf o3 && cmp small o3 && "
		  "mcopy -n -i img@@1M ::/hydra/empty o4 && cmp empty o4 && "
		  "mcopy -n -i img@@1M ::/hydra/overlays/node-with-a-long-name-59.tar o5 && cmp small o5 && "
		  "mcopy -n -i img@@1M ::/EFI/BOOT/BOOTX64.EFI o6 && cmp small o6"), 0);
	out = sh_output("MTOOLS_SKIP_CHECK=1 mdir -i img@@1M ::/hydra/overlays | grep -c long-name", &status);
	EQ_STR(out, "60\n");
	out = sh_output("MTOOLS_SKIP_CHECK=1 mdir -i img@@1M ::/live", &status);
	CONTAINS(out, "2023-11-14");
	/* A file added afterwards by mtools lands in free space: the FSInfo and FATs agree. */
	EQ_INT(sh("MTOOLS_SKIP_CHECK=1 mcopy -i img@@1M big ::/syslinux/after && "
		  "dd if=img of=part bs=1M skip=1 conv=sparse status=none && fsck.fat -n part && "
		  "MTOOLS_SKIP_CHECK=1 mcopy -n -i img@@1M ::/syslinux/after o7 && cmp big o7"), 0);
	if (sh("command -v syslinux") == 0)
		EQ_INT(sh("syslinux --install --offset 1048576 --directory /syslinux img && "
			  "dd if=img of=part bs=1M skip=1 conv=sparse status=none && fsck.fat -n part && "
			  "MTOOLS_SKIP_CHECK=1 mdir -a -i img@@1M ::/syslinux/ldlinux.sys"), 0);
}

static void test_same_inputs_same_bytes(void)
{
	if (!have())
		SKIP("dosfstools, mtools or blkid missing");
	fixtures();
	EQ_INT(make("a", 300, 1), 0);
	EQ_INT(make("b", 300, 1), 0);
	EQ_INT(sh("cmp a b"), 0);
	/* Larger clusters: still a clean FAT32. */
	EQ_INT(make("c", 600, 8), 0);
	EQ_INT(sh("dd if=c of=part bs=1M skip=1 conv=sparse status=none && fsck.fat -n part && "
		  "MTOOLS_SKIP_CHECK=1 mcopy -n -i c@@1M ::/live/system.sqfs o && cmp big o"), 0);
}

static int open_image(const char *img, unsigned mib)
{
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);

	OK(fd >= 0);
	EQ_INT(ftruncate(fd, (off_t)(mib * MIB)), 0);
	return fd;
}

static int fsck_clean(const char *img)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "fsck.fat -n %s > fsck.out 2>&1 && "
		 "! grep -qiE 'differ|wrong|invalid|bad|lost|fix|reclaim' fsck.out", img);
	return sh(cmd);
}

/* "d/" and a name of 255 characters that starts with I. */
static const char *long_path(char path[258], int i)
{
	snprintf(path, 258, "d/%06d", i);
	memset(path + 8, 'x', 249);
	path[257] = '\0';
	return path;
}

/* PATH on the FAT32 that FD holds from its first byte: the reader's answer. */
static int lookup(int fd, const char *path)
{
	struct hydra_fat *f = NULL;
	struct hydra_fat_file file;
	int r = hydra_fat_open(fd, 0, &f);

	if (!r)
		r = hydra_fat_lookup(f, path, &file);
	hydra_fat_free(f);
	return r;
}

/*
 * A directory stops at 65536 slots, where readers stop: 3120 names of 255
 * characters take 21 slots each, "." and ".." two more, and the next one
 * does not fit. What the directory holds reads back, and nothing is lost.
 */
static void test_directory_full(void)
{
	struct hydra_fatmk_opts o = { .bytes = 40 * MIB, .cluster_sectors = 1, .label = "HYDRA",
				      .time = 1700000000 };
	struct hydra_fatmk *w = NULL;
	char path[258];
	int fd, i, r;

	if (!have())
		SKIP("dosfstools, mtools or blkid missing");
	fd = open_image("full", 40);
	r = hydra_fatmk_begin(fd, &o, &w);
	EQ_INT(r, 0);
	if (r) {
		close(fd);
		return;
	}
	for (i = 0; !(r = hydra_fatmk_add(w, long_path(path, i), -1, 0)); i++)
		;
	EQ_INT(r, -ENOSPC);
	EQ_INT(i, 3120);
	EQ_INT(hydra_fatmk_finish(w), 0);
	hydra_fatmk_free(w);
	EQ_INT(fsck_clean("full"), 0);
	EQ_INT(lookup(fd, long_path(path, 3119)), 0);
	EQ_INT(lookup(fd, long_path(path, 3120)), -ENOENT);
	close(fd);
}

/*
 * A full file system: the root, needing one more cluster, refuses the
 * entry and keeps what it had (the list of its clusters too), and the file
 * system stays whole. The clusters are taken by halving sizes, at most one
 * file of each, so that the root's first cluster (32 slots) holds them all.
 */
static void test_directory_on_full_file_system(void)
{
	struct hydra_fatmk_opts o = { .bytes = 80 * MIB, .cluster_sectors = 2, .label = "HYDRA",
				      .time = 1700000000 };
	struct hydra_fatmk *w = NULL;
	char path[32];
	int fd, src, n = 0, r;

	if (!have())
		SKIP("dosfstools, mtools or blkid missing");
	fd = open_image("fs-full", 80);
	src = open_image("hole", 128);
	r = hydra_fatmk_begin(fd, &o, &w);
	EQ_INT(r, 0);
	if (r) {
		close(src);
		close(fd);
		return;
	}
	for (uint64_t size = 128 * MIB; size >= 1024; size /= 2) {
		snprintf(path, sizeof(path), "F%d", n);
		r = hydra_fatmk_add(w, path, src, size);
		OK(r == 0 || r == -ENOSPC);
		n += !r;
	}
	/* Empty files take no cluster: only the root's growth can fail now. */
	do {
		snprintf(path, sizeof(path), "E%d", n++);
		r = hydra_fatmk_add(w, path, -1, 0);
	} while (!r);
	EQ_INT(r, -ENOSPC);
	/* 31 entries and the label fill the root's cluster; the 32nd is refused. */
	EQ_INT(n, 32);
	EQ_INT(hydra_fatmk_finish(w), 0);
	hydra_fatmk_free(w);
	close(src);
	EQ_INT(fsck_clean("fs-full"), 0);
	EQ_INT(lookup(fd, "E30"), 0);
	EQ_INT(lookup(fd, "E31"), -ENOENT);
	close(fd);
}

/* The bytes of the file PATH: the file itself, or a copy in memory (memfd), which
 * copy_file_range cannot take to a file on another file system. */
static int source(const char *path, int in_memory)
{
	int fd = open(path, O_RDONLY), mfd;
	char buf[1 << 16];
	ssize_t n;

	if (!in_memory || fd < 0)
		return fd;
	mfd = memfd_create("source", MFD_CLOEXEC);
	while (mfd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, (size_t)n) != n)
			n = -1;
	close(fd);
	return mfd;
}

/* The payload over a partition full of 0xFF bytes, each file from SOURCE(IN_MEMORY). */
static int make_over_junk(const char *img, int in_memory)
{
	static const char *const files[][2] = { { "live/system.sqfs", "big" },
						{ "boot/initrd.img", "mid" },
						{ "boot/vmlinuz", "small" } };
	struct hydra_fatmk_opts o = { .offset = MIB, .bytes = 64 * MIB, .cluster_sectors = 1,
				      .volid = 0x1234abcd, .label = "HYDRA", .time = 1700000000 };
	struct hydra_fatmk *w = NULL;
	char cmd[128];
	int fd, r;

	snprintf(cmd, sizeof(cmd), "head -c 65M /dev/zero | tr '\\0' '\\377' > %s", img);
	if (sh(cmd) || (fd = open(img, O_RDWR)) < 0)
		return -EIO;
	r = hydra_fatmk_begin(fd, &o, &w);
	for (size_t i = 0; !r && i < sizeof(files) / sizeof(files[0]); i++) {
		int src = source(files[i][1], in_memory);
		off_t size = src >= 0 ? lseek(src, 0, SEEK_END) : -1;

		r = size < 0 ? -EIO : hydra_fatmk_add(w, files[i][0], src, (uint64_t)size);
		if (src >= 0)
			close(src);
	}
	if (!r)
		r = hydra_fatmk_finish(w);
	hydra_fatmk_free(w);
	close(fd);
	return r;
}

/*
 * Whole clusters copied by the kernel (copy_file_range, from a file on the
 * same file system) and all of it through the buffer (from memory) give the
 * same bytes, zeros after each file's end in its last cluster included, over
 * whatever the partition held.
 */
static void test_kernel_copy_same_bytes(void)
{
	if (!have())
		SKIP("dosfstools, mtools or blkid missing");
	fixtures();
	EQ_INT(make_over_junk("copied", 0), 0);
	EQ_INT(make_over_junk("buffered", 1), 0);
	EQ_INT(sh("cmp copied buffered"), 0);
	EQ_INT(sh("MTOOLS_SKIP_CHECK=1 mcopy -n -i copied@@1M ::/live/system.sqfs o && cmp big o"),
	       0);
	/* The cluster after system.sqfs's 5000001 bytes: its tail is zeros, not 0xFF. */
	EQ_INT(sh("dd if=copied of=part bs=1M skip=1 status=none && fsck.fat -n part"), 0);
}

static void test_too_small_for_fat32(void)
{
	struct hydra_fatmk_opts o = { .offset = MIB, .bytes = 16 * MIB, .cluster_sectors = 1,
				      .label = "HYDRA" };
	struct hydra_fatmk *w = NULL;

	EQ_INT(hydra_fatmk_begin(-1, &o, &w), -EINVAL);
	OK(w == NULL);
}

int main(void)
{
	RUN(test_checked_by_other_tools);
	RUN(test_same_inputs_same_bytes);
	RUN(test_directory_full);
	RUN(test_directory_on_full_file_system);
	RUN(test_kernel_copy_same_bytes);
	RUN(test_too_small_for_fat32);
	TESTS_END();
}
