#define _GNU_SOURCE
/*
 * hydra_medium_verify on media made by hand with mkfs.fat and mtools (not by
 * hydra's writer): complete, never committed, corrupt, missing file, quick.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "format/manifest.h"
#include "harness.h"
#include "medium/medium.h"
#include "medium_fixture.h"

static void test_complete(void)
{
	struct hydra_verify_report rep;

	if (!have_tools())
		SKIP("mkfs.fat or mtools missing (dosfstools, mtools)");
	make_medium(1);
	EQ_INT(hydra_medium_verify("img", 0, NULL, NULL, &rep), 0);
	EQ_INT(rep.state, HYDRA_MEDIUM_COMPLETE);
	EQ_INT(rep.files, 3);
	EQ_INT(rep.bytes, 72);
	EQ_INT(strlen(rep.id), HYDRA_ID_LEN);
	EQ_INT(hydra_medium_verify("p", 0, NULL, NULL, &rep), 0);
}

static void test_never_committed(void)
{
	struct hydra_verify_report rep;

	if (!have_tools())
		SKIP("mkfs.fat or mtools missing (dosfstools, mtools)");
	make_medium(0);
	EQ_INT(hydra_medium_verify("img", 0, NULL, NULL, &rep), -EBADMSG);
	EQ_INT(rep.state, HYDRA_MEDIUM_INCOMPLETE);
	CONTAINS(t_log, "never committed");
}

static void test_corrupt_names_file(void)
{
	struct hydra_verify_report rep;

	if (!have_tools())
		SKIP("mkfs.fat or mtools missing (dosfstools, mtools)");
	make_medium(1);
	flip("SQUASH-MARKER");
	EQ_INT(hydra_medium_verify("img", 0, NULL, NULL, &rep), -EBADMSG);
	EQ_INT(rep.state, HYDRA_MEDIUM_CORRUPT);
	EQ_STR(rep.bad_file, "live/system.sqfs");
	CONTAINS(t_log, "'live/system.sqfs' differs from the MANIFEST");
	/* A size check does not see a changed byte. */
	EQ_INT(hydra_medium_verify("img", F_VERIFY_QUICK, NULL, NULL, &rep), 0);
}

static void test_missing_file_and_manifest(void)
{
	struct hydra_verify_report rep;

	if (!have_tools())
		SKIP("mkfs.fat or mtools missing (dosfstools, mtools)");
	make_medium(1);
	EQ_INT(sh("MTOOLS_SKIP_CHECK=1 mdel -i img@@1M ::/boot/vmlinuz"), 0);
	EQ_INT(hydra_medium_verify("img", F_VERIFY_QUICK, NULL, NULL, &rep), -EBADMSG);
	EQ_INT(rep.state, HYDRA_MEDIUM_INCOMPLETE);
	EQ_STR(rep.bad_file, "boot/vmlinuz");
	EQ_INT(sh("MTOOLS_SKIP_CHECK=1 mdel -i img@@1M ::/hydra/MANIFEST"), 0);
	EQ_INT(hydra_medium_verify("img", 0, NULL, NULL, &rep), -EBADMSG);
	CONTAINS(t_log, "has no readable hydra/MANIFEST");
}

static void test_mbr_parse(void)
{
	unsigned char s[512] = { 0 };
	struct hydra_mbr mbr;

	s[440] = 0x78; s[441] = 0x56; s[442] = 0x34; s[443] = 0x12;
	s[446] = 0x80; s[450] = 0x0c; s[455] = 0x08; s[460] = 0x01;
	s[510] = 0x55; s[511] = 0xAA;
	hydra_mbr_parse(s, &mbr);
	OK(mbr.signature);
	OK(mbr.bootable);
	EQ_INT(mbr.type, 0x0c);
	EQ_INT(mbr.start, 1048576);
	EQ_INT(mbr.size, 65536 * 512ULL);
	EQ_INT(mbr.disk_id, 0x12345678);
}

/* Replace FILE on the fixture's FAT with the local file of the same name. */
static int put(const char *local, const char *where)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "MTOOLS_SKIP_CHECK=1 mcopy -o -i img@@1M %s ::/%s", local,
		 where);
	return sh(cmd);
}

/* What boots is covered: the MANIFEST's id, its boot files, the table and syslinux.cfg. */
static void test_what_boots_is_covered(void)
{
	struct hydra_verify_report rep;

	if (!have_tools())
		SKIP("mkfs.fat or mtools missing (dosfstools, mtools)");
	/* A command line edited in the MANIFEST, the file hashes left alone. */
	make_medium(1);
	EQ_INT(sh("sed -i 's/^cmdline .*/cmdline console=ttyS0 init=\\/bin\\/sh/' p/hydra/MANIFEST"),
	       0);
	EQ_INT(put("p/hydra/MANIFEST", "hydra/"), 0);
	EQ_INT(hydra_medium_verify("img", 0, NULL, NULL, &rep), -EBADMSG);
	EQ_INT(rep.state, HYDRA_MEDIUM_CORRUPT);
	CONTAINS(t_log, "the MANIFEST was changed");
	/* A MANIFEST without file lines, its id made to match. */
	make_medium(1);
	EQ_INT(sh("grep -v '^file ' p/hydra/MANIFEST > m && mv m p/hydra/MANIFEST"), 0);
	{
		struct hydra_manifest *m = NULL;

		EQ_INT(hydra_manifest_load("p", &m), 0);
		if (m) {
			free(m->id);
			m->id = malloc(HYDRA_ID_LEN + 1);
			EQ_INT(hydra_manifest_id(m, m->id), 0);
			EQ_INT(hydra_manifest_save("p", m), 0);
		}
		hydra_manifest_free(m);
	}
	EQ_INT(put("p/hydra/MANIFEST", "hydra/"), 0);
	EQ_INT(hydra_medium_verify("img", 0, NULL, NULL, &rep), -EBADMSG);
	CONTAINS(t_log, "does not list 'boot/vmlinuz'");
	/* A syslinux.cfg that boots another command line. */
	make_medium(1);
	EQ_INT(sh("sed -i 's/APPEND /APPEND init=\\/bin\\/sh /' p/syslinux/syslinux.cfg"), 0);
	EQ_INT(put("p/syslinux/syslinux.cfg", "syslinux/"), 0);
	EQ_INT(hydra_medium_verify("img", 0, NULL, NULL, &rep), -EBADMSG);
	EQ_STR(rep.bad_file, "syslinux/syslinux.cfg");
	/* Partition 1 past the end of the image, then an image cut short. */
	make_medium(1);
	EQ_INT(sh("printf '\\377\\377\\377\\000' | dd of=img bs=1 seek=458 conv=notrunc status=none"),
	       0);
	EQ_INT(hydra_medium_verify("img", 0, NULL, NULL, &rep), -EBADMSG);
	CONTAINS(t_log, "partition 1 reaches past the end of the disk");
	EQ_STR(rep.bad_file, "(partition table)");
	make_medium(1);
	EQ_INT(sh("truncate -s 4M img"), 0);
	EQ_INT(hydra_medium_verify("img", 0, NULL, NULL, &rep), -EBADMSG);
	/* Partition 2 over partition 1. */
	make_medium(1);
	EQ_INT(sh("printf '\\000\\010\\000\\000\\000\\020\\000\\000' | "
		  "dd of=img bs=1 seek=470 conv=notrunc status=none"), 0);
	EQ_INT(hydra_medium_verify("img", 0, NULL, NULL, &rep), -EBADMSG);
	CONTAINS(t_log, "partition 2 overlaps partition 1");
	/* A clone pinned to a node is still what the writer makes. */
	make_medium(1);
	EQ_INT(sh("sed -i 's/^\\(  APPEND .*\\)$/\\1 hydra.node=beta/' p/syslinux/syslinux.cfg p/EFI/BOOT/syslinux.cfg"), 0);
	EQ_INT(put("p/syslinux/syslinux.cfg", "syslinux/"), 0);
	EQ_INT(put("p/EFI/BOOT/syslinux.cfg", "EFI/BOOT/"), 0);
	EQ_INT(hydra_medium_verify("img", 0, NULL, NULL, &rep), 0);
}

int main(void)
{
	RUN(test_mbr_parse);
	RUN(test_complete);
	RUN(test_never_committed);
	RUN(test_corrupt_names_file);
	RUN(test_missing_file_and_manifest);
	RUN(test_what_boots_is_covered);
	TESTS_END();
}
