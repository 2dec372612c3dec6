/*
 * The medium writer on image files, checked with tools hydra did not write:
 * sfdisk, blkid, fsck.fat, mtools, cmp.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "format/manifest.h"
#include "harness.h"
#include "medium/bootfiles.h"
#include "medium/medium.h"
#include "medium/writer.h"

#define MBR_BIN "/usr/lib/syslinux/mbr/mbr.bin"
#define GPTMBR_BIN "/usr/lib/syslinux/mbr/gptmbr.bin"

/* Output of CMD, trailing newline cut, in a static buffer. */
static const char *out(const char *cmd)
{
	int status;
	char *buf = (char *)sh_output(cmd, &status);
	size_t n = strlen(buf);

	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return buf;
}
static int have_tools(void)
{
	return sh("command -v mkfs.fat && command -v mcopy && command -v syslinux && "
		  "command -v sfdisk && command -v blkid && command -v fsck.fat && "
		  "test -r " MBR_BIN " && test -r " GPTMBR_BIN) == 0;
}

#define NEED_TOOLS() do { if (!have_tools()) \
	SKIP("needs dosfstools, mtools, syslinux, syslinux-common, syslinux-efi, fdisk"); \
} while (0)

static int progress_calls;
static uint64_t progress_total, progress_done;

static int on_progress(uint64_t total, uint64_t done, void *ud)
{
	(void)ud;
	progress_calls++;
	progress_total = total;
	progress_done = done;
	return 0;
}

/* A medium root as build leaves it: payload, its BIOS loader, MANIFEST, times set to `built`. */
static char id[HYDRA_ID_LEN + 1];
static uint64_t loader_bytes;

static void make_payload_with(int loader)
{
	struct hydra_manifest *m = NULL;
	struct stat st;

	OK(t_write("p/boot/vmlinuz", "KERNEL-MARKER-0123456789\n") == 0);
	OK(t_write("p/boot/initrd.img", "INITRD-MARKER-0123456789\n") == 0);
	OK(t_write("p/live/system.sqfs", "SQUASH-MARKER-0123456789\n") == 0);
	OK(t_write("p/hydra/overlays/common.tar", "TAR-MARKER\n") == 0);
	OK(t_write("p/hydra/hardware-db/nodes/alpha.conf", "[node]\nname = alpha\n") == 0);
	EQ_INT(sh("head -c 3000000 /dev/urandom > p/live/big.bin"), 0);
	loader_bytes = 0;
	if (loader) {
		EQ_INT(hydra_bootfiles_make("p", ".", "tools.log"), 0);
		OK(access("syslinux-scratch.img", F_OK) < 0);
		for (const char *const *f = (const char *const[]){ "p/" HYDRA_BOOTFILES_LDLINUX,
				"p/" HYDRA_BOOTFILES_C32, "p/" HYDRA_BOOTFILES_BOOTSECT, NULL }; *f; f++)
			if (stat(*f, &st) == 0)
				loader_bytes += (uint64_t)st.st_size;
		OK(loader_bytes > 60000);
	}
	EQ_INT(hydra_manifest_scan("p", "test", "console=ttyS0 quiet", 1700000000, &m), 0);
	if (!m)
		return;
	snprintf(id, sizeof(id), "%s", m->id);
	EQ_INT(hydra_manifest_save("p", m), 0);
	hydra_manifest_free(m);
	EQ_INT(hydra_set_times("p", 1700000000), 0);
}

static void make_payload(void)
{
	make_payload_with(1);
}

static int write_img(const char *target, const char *node, uint64_t size)
{
	struct hydra_write_opts o = {
		.node = node, .size = size, .flags = F_WRITE_CREATE,
		.progress = on_progress,
	};

	return hydra_medium_write("p", target, &o);
}

static void test_write_checked_by_other_tools(void)
{
	uint64_t min, planned;
	struct stat st;
	char cmd[512];

	NEED_TOOLS();
	make_payload();
	EQ_INT(hydra_medium_plan("p", &min, &planned), 0);
	EQ_INT(write_img("img", NULL, 0), 0);
	OK(stat("img", &st) == 0);
	EQ_INT(st.st_size, planned);
	EQ_INT(st.st_size % (1024 * 1024), 0);
	EQ_INT(progress_total, 3000000 + 25 * 3 + 11 + 20 + loader_bytes);
	EQ_INT(progress_done, progress_total);
	OK(progress_calls > 0);

	/* The table: valid, one bootable FAT32 (LBA) partition from 2048 to the end. */
	EQ_INT(sh("sfdisk --verify img"), 0);
	snprintf(cmd, sizeof(cmd), "img1 : start= 2048, size= %llu, type=c, bootable",
		 (unsigned long long)(planned / 512 - 2048));
	CONTAINS(out("sfdisk --dump img | sed 's/  */ /g'"), cmd);
	EQ_STR(out("sfdisk --dump img | grep -c '^img'"), "1");
	/* The disk id and the volume id come from the image id. */
	snprintf(cmd, sizeof(cmd), "label-id: 0x%.8s", id);
	CONTAINS(out("sfdisk --dump img"), cmd);

	/* The filesystem, seen by blkid and fsck.fat on the partition alone. */
	EQ_INT(sh("dd if=img of=part bs=1M skip=1"), 0);
	CONTAINS(out("blkid -p part"), "TYPE=\"vfat\"");
	CONTAINS(out("blkid -p part"), "LABEL=\"HYDRA\"");
	CONTAINS(out("blkid -p part"), "VERSION=\"FAT32\"");
	snprintf(cmd, sizeof(cmd), "UUID=\"%.4s-%.4s\"", id + 8, id + 12);
	for (char *c = cmd; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c -= 32;
	CONTAINS(out("blkid -p part"), cmd);
	EQ_INT(sh("fsck.fat -n part"), 0);

	/* The files. */
	EQ_STR(out("MTOOLS_SKIP_CHECK=1 mtype -i img@@1M ::/boot/vmlinuz"), "KERNEL-MARKER-0123456789");
	EQ_STR(out("MTOOLS_SKIP_CHECK=1 mtype -i img@@1M ::/hydra/hardware-db/nodes/alpha.conf"),
	       "[node]\nname = alpha");
	EQ_INT(sh("MTOOLS_SKIP_CHECK=1 mcopy -n -i img@@1M ::/live/big.bin big && cmp big p/live/big.bin"), 0);
	EQ_INT(sh("MTOOLS_SKIP_CHECK=1 mcopy -n -i img@@1M ::/hydra/MANIFEST m && cmp m p/hydra/MANIFEST"), 0);
	EQ_INT(sh("MTOOLS_SKIP_CHECK=1 mattrib -i img@@1M ::/syslinux/* > sl"), 0);
	EQ_INT(sh("grep -q 'ldlinux.sys$' sl && grep -q 'ldlinux.c32$' sl && "
		  "grep -q 'syslinux.cfg$' sl"), 0);
	/* The ldlinux.c32 syslinux built with its ldlinux.sys, beside it, both marked as it marks them. */
	EQ_INT(sh("MTOOLS_SKIP_CHECK=1 mcopy -n -i img@@1M ::/syslinux/ldlinux.c32 c && "
		  "test $(stat -c %s c) -gt 60000 && cmp c p/" HYDRA_BOOTFILES_C32), 0);
	EQ_INT(sh("grep 'SHR .*ldlinux.sys$' sl && grep 'SHR .*ldlinux.c32$' sl"), 0);
	/* The loader's code in the FAT's boot sector, its BPB the writer's (2048 hidden sectors). */
	EQ_INT(sh("dd if=img bs=1 skip=$((1048576 + 90)) count=420 status=none > code && "
		  "dd if=p/" HYDRA_BOOTFILES_BOOTSECT " bs=1 skip=90 count=420 status=none > want && "
		  "cmp -l code want | wc -l > ndiff && test $(cat ndiff) -le 8"), 0);
	EQ_STR(out("od -An -tu4 -j$((1048576 + 28)) -N4 img | tr -d ' '"), "2048");
	/* Every file dated `built` (1700000000 is 2023-11-14 22:13 UTC). */
	EQ_STR(out("MTOOLS_SKIP_CHECK=1 mdir -a -i img@@1M ::/boot ::/syslinux ::/EFI/BOOT ::/hydra | "
		   "grep -E '^[a-zA-Z.]' | grep -v '^Directory for' | grep -v '^Total' | "
		   "grep -vc '2023-11-14  22:13'"), "0");
	EQ_INT(sh("MTOOLS_SKIP_CHECK=1 mattrib -i img@@1M ::/EFI/BOOT/* > efi"), 0);
	EQ_INT(sh("grep -q 'BOOTX64.EFI$' efi && grep -q 'ldlinux.e64$' efi && "
		  "grep -q 'syslinux.cfg$' efi"), 0);
	EQ_INT(sh("MTOOLS_SKIP_CHECK=1 mcopy -n -i img@@1M ::/EFI/BOOT/BOOTX64.EFI b && "
		  "cmp b /usr/lib/SYSLINUX.EFI/efi64/syslinux.efi"), 0);

	/* The boot configuration, the same for BIOS and UEFI. */
	snprintf(cmd, sizeof(cmd), "APPEND console=ttyS0 quiet hydra.id=%s", id);
	CONTAINS(out("MTOOLS_SKIP_CHECK=1 mtype -i img@@1M ::/syslinux/syslinux.cfg"), cmd);
	CONTAINS(out("MTOOLS_SKIP_CHECK=1 mtype -i img@@1M ::/EFI/BOOT/syslinux.cfg"), cmd);
	CONTAINS(out("MTOOLS_SKIP_CHECK=1 mtype -i img@@1M ::/syslinux/syslinux.cfg"), "SERIAL 0 115200");
	CONTAINS(out("MTOOLS_SKIP_CHECK=1 mtype -i img@@1M ::/syslinux/syslinux.cfg"),
		 "LINUX /boot/vmlinuz");
	CONTAINS(out("MTOOLS_SKIP_CHECK=1 mtype -i img@@1M ::/syslinux/syslinux.cfg"),
		 "INITRD /boot/initrd.img");
	OK(!strstr(out("MTOOLS_SKIP_CHECK=1 mtype -i img@@1M ::/syslinux/syslinux.cfg"), "hydra.node"));

	/* Boot code last: mbr.bin in the first 440 bytes, then the signature. */
	EQ_INT(sh("cmp -n 440 img " MBR_BIN), 0);
	EQ_STR(out("od -An -tx1 -j510 -N2 img | tr -d ' '"), "55aa");
}

static void test_write_is_reproducible(void)
{
	NEED_TOOLS();
	make_payload();
	EQ_INT(write_img("a.img", NULL, 0), 0);
	EQ_INT(sh("touch p/boot/vmlinuz"), 0);     /* a newer file time must not matter */
	sleep(1);
	EQ_INT(write_img("b.img", NULL, 0), 0);
	EQ_INT(sh("cmp a.img b.img"), 0);
	/* And a second write over an old image leaves the same bytes. */
	EQ_INT(write_img("a.img", NULL, 0), 0);
	EQ_INT(sh("cmp a.img b.img"), 0);
}

static void test_write_pins_node_and_honours_size(void)
{
	uint64_t min, planned;
	struct stat st;

	NEED_TOOLS();
	make_payload();
	EQ_INT(hydra_medium_plan("p", &min, &planned), 0);
	EQ_INT(write_img("img", "alpha", planned + 16 * 1024 * 1024), 0);
	OK(stat("img", &st) == 0);
	EQ_INT(st.st_size, planned + 16 * 1024 * 1024);
	CONTAINS(out("MTOOLS_SKIP_CHECK=1 mtype -i img@@1M ::/syslinux/syslinux.cfg"),
		 " hydra.node=alpha");
	CONTAINS(out("MTOOLS_SKIP_CHECK=1 mtype -i img@@1M ::/EFI/BOOT/syslinux.cfg"),
		 " hydra.node=alpha");
	EQ_INT(sh("sfdisk --verify img"), 0);
	EQ_INT(sh("dd if=img of=part bs=1M skip=1 && fsck.fat -n part"), 0);
}

static void test_write_refuses_too_small(void)
{
	uint64_t min, planned;
	struct hydra_write_opts dry = { .size = 1, .flags = F_WRITE_DRY_RUN };

	NEED_TOOLS();
	make_payload();
	EQ_INT(hydra_medium_plan("p", &min, &planned), 0);
	OK(min >= 65 * 1024 * 1024);
	OK(min >= 2 * 3000000);
	EQ_INT(write_img("img", NULL, min - 1), -ENOSPC);
	CONTAINS(t_log, "'img' is too small");
	CONTAINS(t_log, "it needs 65.0 MiB");
	OK(access("img", F_OK) < 0);
	EQ_INT(hydra_medium_write("p", "img", &dry), -ENOSPC);
	OK(access("img", F_OK) < 0);
	dry.size = 0;
	EQ_INT(hydra_medium_write("p", "img", &dry), 0);
	OK(access("img", F_OK) < 0);
}

static void test_write_corrupt_source_is_not_committed(void)
{
	NEED_TOOLS();
	make_payload();
	/* Same size, one byte changed after the MANIFEST was made. */
	EQ_INT(sh("sed -i s/SQUASH/SQUASX/ p/live/system.sqfs"), 0);
	EQ_INT(write_img("img", NULL, 0), -EBADMSG);
	CONTAINS(t_log, "live/system.sqfs");
	CONTAINS(t_log, "not committed");
	CONTAINS(t_log, "writing 'img' stopped at: read back");
	EQ_STR(out("head -c 512 img | tr -d '\\000' | wc -c"), "0");
	EQ_INT(sh("sfdisk --dump img"), 256);       /* sfdisk finds no table */
}

/* A payload without its loader, or with a damaged one, is refused before a byte is written. */
static void test_write_without_loader_refused(void)
{
	NEED_TOOLS();
	make_payload_with(0);
	EQ_INT(write_img("img", NULL, 0), -ENOENT);
	CONTAINS(t_log, "'p' carries no BIOS boot loader of its own");
	OK(access("img", F_OK) < 0);
	make_payload();
	EQ_INT(sh("printf X | dd of=p/" HYDRA_BOOTFILES_LDLINUX " bs=1 seek=3000 conv=notrunc "
		  "status=none"), 0);
	EQ_INT(write_img("img", NULL, 0), -EBADMSG);
	CONTAINS(t_log, HYDRA_BOOTFILES_LDLINUX "' is not as the MANIFEST lists it");
	OK(access("img", F_OK) < 0);
}

static void test_write_without_manifest(void)
{
	NEED_TOOLS();
	OK(t_write("p/boot/vmlinuz", "k") == 0);
	OK(write_img("img", NULL, 0) < 0);
	OK(access("img", F_OK) < 0);
}

/* Onto an existing file standing for a disk: its size decides the table. */
static int write_disk(const char *target)
{
	struct hydra_write_opts o = { .progress = on_progress };

	return hydra_medium_write("p", target, &o);
}

static void test_write_gpt_past_2tib(void)
{
	struct hydra_verify_report rep;
	char cmd[256];

	NEED_TOOLS();
	make_payload();
	EQ_INT(sh("truncate -s 3T disk && truncate -s 2T limit"), 0);
	EQ_INT(write_disk("disk"), 0);
	EQ_INT(sh("sfdisk --verify disk | grep -q 'No errors detected'"), 0);
	CONTAINS(out("sfdisk --dump disk"), "label: gpt");
	CONTAINS(out("sfdisk --dump disk | sed 's/  */ /g'"),
		 "disk1 : start= 2048, size= 131072, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
	CONTAINS(out("sfdisk --dump disk"), "name=\"HYDRA\", attrs=\"LegacyBIOSBootable\"");
	EQ_STR(out("stat -c %s disk"), "3298534883328");
	/* Boot code last: gptmbr.bin, the disk id from the image id, the 0xEE entry. */
	EQ_INT(sh("cmp -n 440 disk " GPTMBR_BIN), 0);
	snprintf(cmd, sizeof(cmd), "%.2s%.2s%.2s%.2s", id + 6, id + 4, id + 2, id);
	EQ_STR(out("od -An -tx1 -j440 -N4 disk | tr -d ' '"), cmd);
	/* Not active, 0xEE from sector 1, 2^32-1 sectors: as libparted writes it. */
	EQ_STR(out("od -An -tx1 -j446 -N16 disk | tr -d ' \\n'"), "00000200eeffffff01000000ffffffff");
	EQ_INT(hydra_medium_verify("disk", 0, NULL, NULL, &rep), 0);
	EQ_INT(rep.state, HYDRA_MEDIUM_COMPLETE);
	/* The same image, the same bytes: a second disk gets the same GPTs. */
	EQ_INT(sh("truncate -s 3T again"), 0);
	EQ_INT(write_disk("again"), 0);
	EQ_INT(sh("cmp -n 1048576 disk again"), 0);
	EQ_INT(sh("cmp -i 3298534866944 -n 16896 disk again"), 0);
	/* At 2^32 sectors the msdos table as ever, the file's size kept. */
	EQ_INT(write_disk("limit"), 0);
	CONTAINS(out("sfdisk --dump limit 2>/dev/null"), "label: dos");
	EQ_INT(sh("cmp -n 440 limit " MBR_BIN), 0);
	EQ_STR(out("stat -c %s limit"), "2199023255552");
}

static void test_write_gpt_corrupt_source_is_not_committed(void)
{
	struct hydra_verify_report rep;

	NEED_TOOLS();
	make_payload();
	EQ_INT(sh("sed -i s/SQUASH/SQUASX/ p/live/system.sqfs && truncate -s 3T disk"), 0);
	EQ_INT(write_disk("disk"), -EBADMSG);
	CONTAINS(t_log, "not committed");
	/* Both GPTs are there, but without a protective MBR no tool sees a table. */
	EQ_STR(out("head -c 512 disk | tr -d '\\000' | wc -c"), "0");
	EQ_STR(out("dd if=disk bs=512 skip=1 count=1 2>/dev/null | head -c 8"), "EFI PART");
	EQ_INT(sh("sfdisk --dump disk"), 256);
	OK(!strstr(out("blkid -p -o udev disk"), "ID_PART_TABLE_TYPE"));
	EQ_INT(hydra_medium_verify("disk", 0, NULL, NULL, &rep), -EBADMSG);
	EQ_INT(rep.state, HYDRA_MEDIUM_INCOMPLETE);
}

int main(void)
{
	setenv("TZ", "UTC", 1);     /* mdir shows local times */
	RUN(test_write_checked_by_other_tools);
	RUN(test_write_is_reproducible);
	RUN(test_write_pins_node_and_honours_size);
	RUN(test_write_refuses_too_small);
	RUN(test_write_corrupt_source_is_not_committed);
	RUN(test_write_without_loader_refused);
	RUN(test_write_without_manifest);
	RUN(test_write_gpt_past_2tib);
	RUN(test_write_gpt_corrupt_source_is_not_committed);
	TESTS_END();
}
