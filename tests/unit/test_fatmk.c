/*
 * The FAT32 writer, checked with tools it did not write: fsck.fat -n, blkid -p,
 * mtools reading every file back, syslinux installing into it; and the same
 * inputs giving the same bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

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
	RUN(test_too_small_for_fat32);
	TESTS_END();
}
