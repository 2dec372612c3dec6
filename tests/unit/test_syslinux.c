/*
 * ldlinux.sys and the FAT boot sector patched in process, against what the
 * real `syslinux --install` writes onto the same file system: the same
 * bytes, from a template that syslinux installed somewhere else. And
 * templates that are not syslinux's, refused with the reason.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

#include "format/fat.h"
#include "format/fatmk.h"
#include "format/syslinux.h"
#include "harness.h"

#define MIB (1024ULL * 1024)
#define MAX_SECTORS 4096
#define MT "MTOOLS_SKIP_CHECK=1 "

static int have(void)
{
	return sh("command -v syslinux && command -v mkfs.fat && command -v mcopy && "
		  "command -v fsck.fat") == 0;
}

#define NEED_TOOLS() do { if (!have()) \
	SKIP("needs syslinux, dosfstools and mtools"); \
} while (0)

static char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;

	*len = 0;
	OK(hydra_read_file(path, &buf, len) == 0);
	return buf;
}

/* 512 bytes of PATH at OFF. */
static void sector_of(const char *path, uint64_t off, unsigned char *out)
{
	int fd = open(path, O_RDONLY);

	OK(fd >= 0 && pread(fd, out, 512, (off_t)off) == 512);
	close(fd);
}

/*
 * The template, as the build makes it: syslinux installed on a scratch FAT
 * of its own (at offset 0, clusters of one sector), its ldlinux.sys and
 * boot sector taken.
 */
static void make_template(void)
{
	EQ_INT(sh("truncate -s 40M scratch && mkfs.fat -F 32 -s 1 -n SCRATCH scratch && "
		  MT "mmd -i scratch ::/syslinux && "
		  "syslinux --install --directory /syslinux scratch && "
		  MT "mcopy -n -i scratch ::/syslinux/ldlinux.sys tmpl.sys && "
		  "dd if=scratch of=tmpl.bs bs=512 count=1 status=none"), 0);
}

static int parse_files(const char *sys, const char *bs, struct hydra_syslinux *s, char **sysbuf,
		       char **bsbuf, char *why, size_t why_len)
{
	size_t sys_len, bs_len;

	*sysbuf = slurp(sys, &sys_len);
	*bsbuf = slurp(bs, &bs_len);
	return hydra_syslinux_parse(*sysbuf, sys_len, *bsbuf, bs_len, s, why, why_len);
}

/* The sectors ldlinux.sys lies in on the FAT at OFF of IMG, read with hydra's reader. */
static size_t loader_sectors(const char *img, uint64_t off, uint64_t *sectors)
{
	struct hydra_fat *fat = NULL;
	struct hydra_fat_file f;
	size_t n = 0;
	int fd = open(img, O_RDONLY);

	OK(fd >= 0);
	EQ_INT(hydra_fat_open(fd, off, &fat), 0);
	if (fat) {
		EQ_INT(hydra_fat_lookup(fat, "syslinux/ldlinux.sys", &f), 0);
		EQ_INT(hydra_fat_sectors(fat, &f, sectors, MAX_SECTORS, &n), 0);
	}
	hydra_fat_free(fat);
	close(fd);
	return n;
}

/* ldlinux.sys and the boot sector patched from S for the FAT at OFF of IMG, against FILE and BS. */
static void same_as(const struct hydra_syslinux *s, const char *img, uint64_t off,
		    const unsigned char *before, const char *file)
{
	static uint64_t sectors[MAX_SECTORS];
	size_t n = loader_sectors(img, off, sectors), want_len;
	unsigned char bs[512], want_bs[512];
	unsigned char *mine = malloc(hydra_syslinux_file_bytes(s));
	char *want = slurp(file, &want_len);

	OK(mine != NULL);
	EQ_INT(n, hydra_syslinux_file_bytes(s) / 512);
	EQ_INT(hydra_syslinux_ldlinux(s, sectors, n, "/syslinux", mine, NULL, 0), 0);
	EQ_INT(want_len, hydra_syslinux_file_bytes(s));
	OK(want && want_len == hydra_syslinux_file_bytes(s) && !memcmp(mine, want, want_len));
	memcpy(bs, before, sizeof(bs));
	EQ_INT(hydra_syslinux_bootsect(s, sectors[0], bs, NULL, 0), 0);
	sector_of(img, off, want_bs);
	OK(!memcmp(bs, want_bs, sizeof(bs)));
	free(mine);
	free(want);
}

/*
 * A FAT at 1 MiB with clusters of two sectors, where syslinux's mtools put
 * ldlinux.sys in two pieces: the free-cluster hint points into a hole left
 * by a deleted file, too small for the whole loader.
 */
static void make_fragmented(void)
{
	unsigned char hint[4] = { 3, 0, 0, 0 };
	int fd;

	EQ_INT(sh("truncate -s 81M frag && mkfs.fat -F 32 -s 2 -n HYDRA --offset 2048 frag 80000 && "
		  "head -c 20000 /dev/urandom > f1 && head -c 30000 /dev/urandom > f2 && "
		  MT "mmd -i frag@@1M ::/syslinux && " MT "mcopy -i frag@@1M f1 f2 :: && "
		  MT "mdel -i frag@@1M ::/f1"), 0);
	/* FSInfo's next free cluster (at byte 492 of sector 1): the hole's first cluster. */
	fd = open("frag", O_WRONLY);
	OK(fd >= 0 && pwrite(fd, hint, sizeof(hint), (off_t)(MIB + 512 + 492)) == 4);
	close(fd);
	EQ_INT(sh("cp frag frag.before && "
		  "syslinux --install --offset 1048576 --directory /syslinux frag && "
		  MT "mcopy -n -i frag@@1M ::/syslinux/ldlinux.sys frag.sys"), 0);
}

static void test_same_bytes_as_syslinux_fragmented(void)
{
	static uint64_t sectors[MAX_SECTORS];
	struct hydra_syslinux s;
	unsigned char before[512];
	char *sys = NULL, *bs = NULL, why[256] = "";
	size_t n, breaks = 0;

	NEED_TOOLS();
	make_template();
	make_fragmented();
	EQ_INT(parse_files("tmpl.sys", "tmpl.bs", &s, &sys, &bs, why, sizeof(why)), 0);
	EQ_STR(why, "");
	n = loader_sectors("frag", MIB, sectors);
	for (size_t i = 1; i < n; i++)
		breaks += sectors[i] != sectors[i - 1] + 1;
	OK(breaks >= 1);            /* two extents at least: the case worth checking */
	sector_of("frag.before", MIB, before);
	same_as(&s, "frag", MIB, before, "frag.sys");
	free(sys);
	free(bs);
	/* Patching what syslinux left there again changes nothing: re-patching is sound. */
	EQ_INT(sh("dd if=frag of=frag.bs bs=512 skip=2048 count=1 status=none"), 0);
	EQ_INT(parse_files("frag.sys", "frag.bs", &s, &sys, &bs, why, sizeof(why)), 0);
	same_as(&s, "frag", MIB, before, "frag.sys");
	free(sys);
	free(bs);
}

struct fill {
	const struct hydra_syslinux *s;
	uint64_t first;
	int r;
};

static int fill_loader(uint64_t first, unsigned char *buf, size_t size, void *ud)
{
	static uint64_t sectors[MAX_SECTORS];
	struct fill *f = ud;
	size_t n = size / 512;

	f->first = first;
	for (size_t i = 0; i < n; i++)
		sectors[i] = first + i;
	f->r = hydra_syslinux_ldlinux(f->s, sectors, n, "/syslinux", buf, NULL, 0);
	return f->r;
}

/*
 * A FAT32 made by fatmk at 1 MiB with a configuration and a kernel; with
 * LOADER, ldlinux.sys after them, placed and patched in process, and the
 * boot sector given syslinux's code.
 */
static void make_fatmk(const char *img, const struct hydra_syslinux *loader)
{
	struct hydra_fatmk_opts o = { .offset = MIB, .bytes = 64 * MIB, .cluster_sectors = 1,
				      .volid = 0x1234abcd, .label = "HYDRA", .time = 1700000000 };
	struct fill f = { .s = loader };
	struct hydra_fatmk *w = NULL;
	unsigned char bs[512];
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644), src = open("kernel", O_RDONLY);

	OK(fd >= 0 && src >= 0 && ftruncate(fd, (off_t)(65 * MIB)) == 0);
	EQ_INT(hydra_fatmk_begin(fd, &o, &w), 0);
	if (!w)
		return;
	EQ_INT(hydra_fatmk_add(w, "syslinux/syslinux.cfg", -1, 0), 0);
	EQ_INT(hydra_fatmk_add(w, "boot/vmlinuz", src, 300000), 0);
	if (loader)
		EQ_INT(hydra_fatmk_add_placed(w, "syslinux/ldlinux.sys",
					      hydra_syslinux_file_bytes(loader), F_FATMK_SYSTEM,
					      fill_loader, &f), 0);
	EQ_INT(hydra_fatmk_finish(w), 0);
	hydra_fatmk_free(w);
	if (loader) {
		EQ_INT(f.r, 0);
		OK(pread(fd, bs, 512, (off_t)MIB) == 512);
		EQ_INT(hydra_syslinux_bootsect(loader, f.first, bs, NULL, 0), 0);
		OK(pwrite(fd, bs, 512, (off_t)MIB) == 512);
	}
	close(src);
	close(fd);
}

/*
 * The writer's way against syslinux's on the same FAT: fatmk lays
 * ldlinux.sys where mtools puts it too (the first free cluster, which
 * FSInfo names), so the two images must agree byte for byte in the loader
 * and the boot sector, and fsck.fat and mattrib see what syslinux makes.
 */
static void test_same_bytes_as_syslinux_on_fatmk(void)
{
	static uint64_t mine[MAX_SECTORS], theirs[MAX_SECTORS];
	struct hydra_syslinux s;
	unsigned char a[512], b[512], hint[4];
	char *sys = NULL, *bs = NULL, *x = NULL, *y = NULL;
	size_t nx = 0, ny = 0, n;
	int fd;

	NEED_TOOLS();
	make_template();
	EQ_INT(sh("head -c 300000 /dev/urandom > kernel"), 0);
	EQ_INT(parse_files("tmpl.sys", "tmpl.bs", &s, &sys, &bs, NULL, 0), 0);
	make_fatmk("ours", &s);
	make_fatmk("real", NULL);
	/*
	 * mtools, like Linux, takes FSInfo's hint for the last cluster given out
	 * and looks after it; fatmk's names the first free one.
	 */
	fd = open("real", O_RDWR);
	OK(fd >= 0 && pread(fd, hint, 4, (off_t)(MIB + 512 + 492)) == 4);
	hint[0]--;
	OK(hint[0] != 0xff && pwrite(fd, hint, 4, (off_t)(MIB + 512 + 492)) == 4);
	close(fd);
	EQ_INT(sh("syslinux --install --offset 1048576 --directory /syslinux real"), 0);
	n = loader_sectors("ours", MIB, mine);
	EQ_INT(n, hydra_syslinux_file_bytes(&s) / 512);
	EQ_INT(loader_sectors("real", MIB, theirs), n);
	OK(!memcmp(mine, theirs, n * sizeof(*mine)));
	for (size_t i = 1; i < n; i++)
		EQ_INT(mine[i], mine[0] + i);
	EQ_INT(sh(MT "mcopy -n -i ours@@1M ::/syslinux/ldlinux.sys ours.sys && "
		  MT "mcopy -n -i real@@1M ::/syslinux/ldlinux.sys real.sys && cmp ours.sys real.sys"), 0);
	x = slurp("ours.sys", &nx);
	y = slurp("real.sys", &ny);
	OK(nx == ny && x && y && !memcmp(x, y, nx));
	sector_of("ours", MIB, a);
	sector_of("real", MIB, b);
	OK(!memcmp(a, b, sizeof(a)));
	/* Read-only, hidden and system, as syslinux marks it; a file system fsck.fat passes. */
	CONTAINS(sh_output(MT "mattrib -i ours@@1M ::/syslinux/ldlinux.sys", &(int){ 0 }), "SHR");
	EQ_INT(sh("dd if=ours of=part bs=1M skip=1 status=none && fsck.fat -n part"), 0);
	free(sys);
	free(bs);
	free(x);
	free(y);
}

/* Recompute ldlinux.sys's checksum after a test changed a field. */
static void resum(unsigned char *buf, const struct hydra_syslinux *s)
{
	uint32_t sum = 0, v;

	memset(buf + s->patch + 16, 0, 4);
	for (size_t i = 0; i < s->image_len; i += 4) {
		memcpy(&v, buf + i, 4);
		sum += le32toh(v);
	}
	v = htole32(0x3eb202feu - sum);
	memcpy(buf + s->patch + 16, &v, 4);
}

static int parse_buf(const void *sys, size_t len, const void *bs, size_t bs_len, char *why,
		     size_t why_len)
{
	struct hydra_syslinux s;

	why[0] = '\0';
	return hydra_syslinux_parse(sys, len, bs, bs_len, &s, why, why_len);
}

static void test_hostile_templates_refused(void)
{
	struct hydra_syslinux s;
	unsigned char *bad = NULL, bs_bad[512];
	char *sys = NULL, *bs = NULL, why[512];
	size_t len;
	uint64_t sectors[256];
	unsigned char out[65536 * 2];

	NEED_TOOLS();
	make_template();
	EQ_INT(parse_files("tmpl.sys", "tmpl.bs", &s, &sys, &bs, why, sizeof(why)), 0);
	len = hydra_syslinux_file_bytes(&s);
	bad = malloc(len);
	if (!bad || !sys || !bs)
		return;
	/* Cut short: in the middle of a sector, and by a whole sector. */
	EQ_INT(parse_buf(sys, len - 100, bs, 512, why, sizeof(why)), -EBADMSG);
	CONTAINS(why, "not whole sectors");
	EQ_INT(parse_buf(sys, len - 512, bs, 512, why, sizeof(why)), -EBADMSG);
	CONTAINS(why, "truncated");
	EQ_INT(parse_buf(sys, 512, bs, 512, why, sizeof(why)), -EBADMSG);
	CONTAINS(why, "truncated?");
	/* No magic number: no patch area to write. */
	memcpy(bad, sys, len);
	memset(bad + s.patch, 0, 4);
	EQ_INT(parse_buf(bad, len, bs, 512, why, sizeof(why)), -EBADMSG);
	CONTAINS(why, "no patch area");
	/* One byte changed: the checksum does not hold. */
	memcpy(bad, sys, len);
	bad[len / 2] ^= 0x40;
	EQ_INT(parse_buf(bad, len, bs, 512, why, sizeof(why)), -EBADMSG);
	CONTAINS(why, "checksum does not hold");
	/* An extended patch area pointing past the end, with a checksum that holds. */
	memcpy(bad, sys, len);
	memset(bad + s.patch + 22, 0xff, 2);
	resum(bad, &s);
	EQ_INT(parse_buf(bad, len, bs, 512, why, sizeof(why)), -EBADMSG);
	CONTAINS(why, "points outside it");
	/* The first sector's address pointing into the BPB of the boot sector. */
	memcpy(bad, sys, len);
	memset(bad + s.epa + 14, 0, 2);
	resum(bad, &s);
	EQ_INT(parse_buf(bad, len, bs, 512, why, sizeof(why)), -EBADMSG);
	CONTAINS(why, "outside the boot sector's code");
	/* A boot sector that is no syslinux one: short, unsigned, without the jump. */
	EQ_INT(parse_buf(sys, len, bs, 511, why, sizeof(why)), -EBADMSG);
	CONTAINS(why, "not 512");
	memcpy(bs_bad, bs, 512);
	bs_bad[510] = 0;
	EQ_INT(parse_buf(sys, len, bs_bad, 512, why, sizeof(why)), -EBADMSG);
	CONTAINS(why, "no syslinux code");
	memset(bs_bad, 0, 512);
	EQ_INT(parse_buf(sys, len, bs_bad, 512, why, sizeof(why)), -EBADMSG);

	/* Patching: too few sectors, a directory too long, more extents than there is room for. */
	for (size_t i = 0; i < 256; i++)
		sectors[i] = 1000 + 2 * i;
	OK(len <= sizeof(out));
	EQ_INT(hydra_syslinux_ldlinux(&s, sectors, len / 512 - 1, "/syslinux", out, why,
				      sizeof(why)), -EINVAL);
	CONTAINS(why, "sectors");
	memset(bad, 'd', 300);
	bad[0] = '/';
	bad[299] = '\0';
	EQ_INT(hydra_syslinux_ldlinux(&s, sectors, len / 512, (char *)bad, out, why, sizeof(why)),
	       -E2BIG);
	CONTAINS(why, "longer than ldlinux.sys has room for");
	memcpy(bad, sys, len);
	memset(bad + s.epa + 12, 0, 2);
	bad[s.epa + 12] = 4;        /* room for four extents; every other sector makes many */
	resum(bad, &s);
	EQ_INT(hydra_syslinux_parse(bad, len, bs, 512, &s, why, sizeof(why)), 0);
	EQ_INT(hydra_syslinux_ldlinux(&s, sectors, len / 512, "/syslinux", out, why, sizeof(why)),
	       -E2BIG);
	CONTAINS(why, "extents");
	/* A boot sector to patch that is no FAT32 one. */
	memset(bs_bad, 0, 512);
	EQ_INT(hydra_syslinux_bootsect(&s, 1234, bs_bad, why, sizeof(why)), -EINVAL);
	CONTAINS(why, "no FAT32 boot sector");
	free(bad);
	free(sys);
	free(bs);
}

int main(void)
{
	RUN(test_same_bytes_as_syslinux_fragmented);
	RUN(test_same_bytes_as_syslinux_on_fatmk);
	RUN(test_hostile_templates_refused);
	TESTS_END();
}
