/*
 * The FAT32 reader against file systems made by mkfs.fat and mtools:
 * long and short names, nested directories, a fragmented file, empty
 * files, cluster chains that loop, and no FAT at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

#include "format/fat.h"
#include "harness.h"

struct copy {
	FILE *out;
};

static int to_file(const void *buf, size_t len, void *ud)
{
	return fwrite(buf, 1, len, ((struct copy *)ud)->out) == len ? 0 : -EIO;
}

/* PATH read from the FAT into the file OUT; the reader's result. */
static int extract(struct hydra_fat *f, const char *path, const char *out)
{
	struct hydra_fat_file file;
	struct copy c = { fopen(out, "w") };
	int r = c.out ? hydra_fat_lookup(f, path, &file) : -EIO;

	if (!r)
		r = hydra_fat_read(f, &file, to_file, &c);
	if (c.out)
		fclose(c.out);
	return r;
}

static struct hydra_fat *open_fat(const char *image, int *fd)
{
	struct hydra_fat *f = NULL;

	*fd = open(image, O_RDONLY);
	OK(*fd >= 0);
	EQ_INT(hydra_fat_open(*fd, 1 << 20, &f), 0);
	return f;
}

static int have(void)
{
	return sh("command -v mkfs.fat && command -v mcopy && command -v mdel") == 0;
}

static void test_names_and_directories(void)
{
	struct hydra_fat_file file;
	struct hydra_fat *f;
	int fd;

	if (!have())
		SKIP("mkfs.fat or mtools missing (dosfstools, mtools)");
	EQ_INT(sh("truncate -s 80M img && mkfs.fat -F 32 -s 1 -n HYDRA --offset 2048 img 79000 && "
		  "head -c 3000000 /dev/urandom > big && printf 'short' > s && : > empty && "
		  "head -c 70000 /dev/urandom > 'A long name with spaces.tar' && "
		  "export MTOOLS_SKIP_CHECK=1 && mmd -i img@@1M ::/live ::/hydra ::/hydra/hardware-db "
		  "::/hydra/hardware-db/nodes ::/EFI ::/EFI/BOOT && "
		  "mcopy -i img@@1M big ::/live/system.sqfs && mcopy -i img@@1M s ::/EFI/BOOT/BOOTX64.EFI && "
		  "mcopy -i img@@1M empty ::/hydra/empty && mcopy -i img@@1M s ::/README.md && "
		  "mcopy -i img@@1M 'A long name with spaces.tar' ::/hydra/hardware-db/nodes/"), 0);
	f = open_fat("img", &fd);
	if (!f)
		return;
	EQ_INT(extract(f, "live/system.sqfs", "out1"), 0);
	EQ_INT(sh("cmp big out1"), 0);
	EQ_INT(extract(f, "/EFI/BOOT/BOOTX64.EFI", "out2"), 0);
	EQ_INT(sh("cmp s out2"), 0);
	EQ_INT(extract(f, "efi/boot/bootx64.efi", "out3"), 0);
	EQ_INT(sh("cmp s out3"), 0);
	EQ_INT(extract(f, "hydra/hardware-db/nodes/A long name with spaces.tar", "out4"), 0);
	EQ_INT(sh("cmp 'A long name with spaces.tar' out4"), 0);
	EQ_INT(extract(f, "hydra/empty", "out5"), 0);
	EQ_INT(sh("cmp empty out5"), 0);
	EQ_INT(extract(f, "README.md", "out6"), 0);
	EQ_INT(sh("cmp s out6"), 0);
	EQ_INT(hydra_fat_lookup(f, "live/missing", &file), -ENOENT);
	EQ_INT(hydra_fat_lookup(f, "nothere/system.sqfs", &file), -ENOENT);
	EQ_INT(hydra_fat_lookup(f, "README.md/x", &file), -ENOTDIR);
	EQ_INT(hydra_fat_lookup(f, "hydra/hardware-db", &file), 0);
	OK(file.is_dir);
	EQ_INT(hydra_fat_lookup(f, "live/system.sqfs", &file), 0);
	EQ_INT(file.size, 3000000);
	OK(!file.is_dir);
	hydra_fat_free(f);
	close(fd);
}

static void test_fragmented_file(void)
{
	struct hydra_fat *f;
	int fd;

	if (!have())
		SKIP("mkfs.fat or mtools missing (dosfstools, mtools)");
	/* Small files with gaps between them, then a large file that has to fill the gaps. */
	EQ_INT(sh("truncate -s 80M img && mkfs.fat -F 32 -s 1 --offset 2048 img 79000 && "
		  "export MTOOLS_SKIP_CHECK=1 && for i in 1 2 3 4 5 6 7 8; do "
		  "head -c 20000 /dev/urandom > f$i && mcopy -i img@@1M f$i ::/f$i; done && "
		  "mdel -i img@@1M ::/f2 ::/f4 ::/f6 && head -c 5000000 /dev/urandom > big && "
		  "mcopy -i img@@1M big ::/big"), 0);
	f = open_fat("img", &fd);
	if (!f)
		return;
	EQ_INT(extract(f, "big", "out"), 0);
	EQ_INT(sh("cmp big out"), 0);
	EQ_INT(extract(f, "f7", "out7"), 0);
	EQ_INT(sh("cmp f7 out7"), 0);
	hydra_fat_free(f);
	close(fd);
}

static void test_looping_chain_and_no_fat(void)
{
	struct hydra_fat *f = NULL;
	struct hydra_fat_file file;
	unsigned char e[4];
	int fd, wfd;

	if (!have())
		SKIP("mkfs.fat or mtools missing (dosfstools, mtools)");
	EQ_INT(sh("truncate -s 80M img && mkfs.fat -F 32 -s 1 --offset 2048 img 79000 && "
		  "head -c 100000 /dev/urandom > x && MTOOLS_SKIP_CHECK=1 mcopy -i img@@1M x ::/x"), 0);
	f = open_fat("img", &fd);
	if (!f)
		return;
	EQ_INT(hydra_fat_lookup(f, "x", &file), 0);
	hydra_fat_free(f);
	close(fd);
	/* The file's second cluster points back at its first. */
	wfd = open("img", O_RDWR);
	OK(wfd >= 0);
	e[0] = (unsigned char)file.cluster;
	e[1] = (unsigned char)(file.cluster >> 8);
	e[2] = (unsigned char)(file.cluster >> 16);
	e[3] = 0;
	/* Reserved sectors from the boot sector; FAT entry of cluster + 1. */
	{
		unsigned char bs[512];

		OK(pread(wfd, bs, 512, 1 << 20) == 512);
		OK(pwrite(wfd, e, 4, (1 << 20) + (bs[14] | bs[15] << 8) * 512 +
			  4 * (file.cluster + 1)) == 4);
	}
	close(wfd);
	f = open_fat("img", &fd);
	if (!f)
		return;
	/* Bounded by the file's size: it ends, and the bytes are not the file's (the hash says so). */
	EQ_INT(extract(f, "x", "out"), 0);
	OK(sh("cmp x out") != 0);
	hydra_fat_free(f);
	close(fd);
	/* A directory has no size to stop at: the root directory's cluster pointing at itself. */
	wfd = open("img", O_RDWR);
	{
		unsigned char bs[512];

		OK(pread(wfd, bs, 512, 1 << 20) == 512);
		e[0] = bs[44];
		e[1] = bs[45];
		e[2] = bs[46];
		e[3] = bs[47];
		OK(pwrite(wfd, e, 4, (1 << 20) + (bs[14] | bs[15] << 8) * 512 +
			  4 * (bs[44] | bs[45] << 8)) == 4);
	}
	close(wfd);
	f = open_fat("img", &fd);
	if (!f)
		return;
	EQ_INT(hydra_fat_lookup(f, "nothere", &file), -EIO);
	hydra_fat_free(f);
	close(fd);
	/* No FAT at all. */
	EQ_INT(sh("truncate -s 4M zero"), 0);
	fd = open("zero", O_RDONLY);
	EQ_INT(hydra_fat_open(fd, 1 << 20, &f), -EINVAL);
	OK(f == NULL);
	close(fd);
}

/*
 * A file system of a few clusters, as the fuzzer's seeds are: the reader's
 * buffer is sized to it (not 8 MiB), and a file in two runs reads whole.
 */
static void test_small_file_system(void)
{
	struct hydra_fat *f = NULL;
	int fd;

	if (!have() || sh("command -v python3 && command -v fsck.fat"))
		SKIP("mkfs.fat, mtools, fsck.fat or python3 missing");
	EQ_INT(sh(HYDRA_SRCDIR "/tests/fuzz/make-fat-seed small 8 && "
		  "yes 'hydra fuzz seed' | head -c 36000 > want && "
		  "test $(stat -c %s small) -lt 262144"), 0);
	fd = open("small", O_RDONLY);
	OK(fd >= 0);
	EQ_INT(hydra_fat_open(fd, 0, &f), 0);
	if (!f)
		return;
	EQ_INT(extract(f, "live/system.sqfs", "out"), 0);
	EQ_INT(sh("cmp want out"), 0);
	EQ_INT(extract(f, "hydra/hardware-db/nodes/A long name with spaces.conf", "alpha"), 0);
	EQ_INT(sh("cmp " HYDRA_SRCDIR "/hardware-db/nodes/alpha.conf alpha"), 0);
	hydra_fat_free(f);
	close(fd);
}

int main(void)
{
	RUN(test_names_and_directories);
	RUN(test_fragmented_file);
	RUN(test_looping_chain_and_no_fat);
	RUN(test_small_file_system);
	TESTS_END();
}
