/* hydra_burn onto image files: a faithful copy, refusals, the source checked first. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

#include "harness.h"
#include "medium/burn.h"
#include "medium/medium.h"
#include "medium_fixture.h"

static int burn(const char *image, const char *target)
{
	struct hydra_burn_opts o = { .sysroot = "" };
	struct hydra_burn_report rep;

	return hydra_burn(image, target, &o, &rep);
}

static void test_burn_copies_and_commits(void)
{
	struct hydra_verify_report rep;

	if (!have_tools())
		SKIP("mkfs.fat or mtools missing (dosfstools, mtools)");
	make_medium(1);
	/* An old disk: bigger than the image, with a GPT whose backup sits at its end. */
	EQ_INT(sh("truncate -s 100M disk && echo 'start=2048' | sfdisk -q --label gpt disk"), 0);
	EQ_INT(burn("img", "disk"), 0);
	EQ_INT(sh("cmp -n $(stat -c %s img) img disk"), 0);
	EQ_INT(sh("test -z \"$(wipefs --no-headings -O TYPE disk | grep -v vfat)\""), 0);
	EQ_INT(hydra_medium_verify("disk", 0, NULL, NULL, &rep), 0);
	EQ_INT(rep.state, HYDRA_MEDIUM_COMPLETE);
}

/*
 * The image's holes become zeros on the target even where it held other bytes,
 * and zero blocks inside its data too: cmp sees the image.
 */
static void test_burn_zeroes_what_the_image_leaves_empty(void)
{
	if (!have_tools())
		SKIP("mkfs.fat or mtools missing (dosfstools, mtools)");
	make_medium(1);
	/* A dense copy of the image: every zero block is data to SEEK_DATA. */
	EQ_INT(sh("cp --sparse=never img dense && head -c 90M /dev/urandom > disk"), 0);
	EQ_INT(burn("img", "disk"), 0);
	EQ_INT(sh("cmp -n $(stat -c %s img) img disk"), 0);
	EQ_INT(sh("head -c 90M /dev/urandom > disk"), 0);
	EQ_INT(burn("dense", "disk"), 0);
	EQ_INT(sh("cmp -n $(stat -c %s img) img disk"), 0);
	/* A new file: made as large as the image. */
	EQ_INT(burn("img", "new"), 0);
	EQ_INT(sh("cmp img new"), 0);
}

static void test_burn_refuses_corrupt_image(void)
{
	if (!have_tools())
		SKIP("mkfs.fat or mtools missing (dosfstools, mtools)");
	make_medium(1);
	flip("KERNEL-MARKER");
	EQ_INT(sh("head -c 4M /dev/urandom > disk && sha256sum disk > before"), 0);
	EQ_INT(burn("img", "disk"), -EBADMSG);
	CONTAINS(t_log, "'boot/vmlinuz' differs from the MANIFEST");
	CONTAINS(t_log, "refusing to burn 'img'");
	EQ_INT(sh("sha256sum -c before"), 0);
}

static void test_burn_refuses_itself(void)
{
	if (!have_tools())
		SKIP("mkfs.fat or mtools missing (dosfstools, mtools)");
	make_medium(1);
	EQ_INT(sh("sha256sum img > before"), 0);
	EQ_INT(burn("img", "./img"), -EBUSY);
	CONTAINS(t_log, "it is the image itself");
	EQ_INT(sh("sha256sum -c before"), 0);
}

int main(void)
{
	RUN(test_burn_copies_and_commits);
	RUN(test_burn_zeroes_what_the_image_leaves_empty);
	RUN(test_burn_refuses_corrupt_image);
	RUN(test_burn_refuses_itself);
	TESTS_END();
}
