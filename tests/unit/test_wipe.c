#define _GNU_SOURCE
/* Old signatures gone: checked with blkid and wipefs, which hydra did not write. */
#include <errno.h>
#include <fcntl.h>

#include "harness.h"
#include "medium/wipe.h"
#include "medium_fixture.h"

static void test_wipes_gpt_and_old_filesystem(void)
{
	if (sh("command -v sfdisk && command -v mkfs.ext4 && command -v wipefs"))
		SKIP("sfdisk, mkfs.ext4 or wipefs missing (fdisk, e2fsprogs, util-linux)");
	EQ_INT(sh("truncate -s 64M img && echo 'start=2048, size=65536' | sfdisk -q --label gpt img"),
	       0);
	EQ_INT(sh("mkfs.ext4 -q -F -E offset=1048576 img 32M"), 0);
	EQ_INT(sh("blkid -p -O 1048576 img | grep -q ext4"), 0);
	EQ_INT(sh("blkid -p img | grep -q 'PTTYPE=\"gpt\"'"), 0);
	EQ_INT(hydra_wipe_signatures("img"), 0);
	OK(sh("blkid -p -O 1048576 img | grep -q ext4") != 0);
	OK(sh("blkid -p img | grep -q PTTYPE") != 0);
	/* wipefs lists nothing left, the backup GPT header at the end included. */
	EQ_INT(sh("test -z \"$(wipefs --no-headings img)\""), 0);
	EQ_INT(sh("! grep -q 'EFI PART' img"), 0);
}

int main(void)
{
	RUN(test_wipes_gpt_and_old_filesystem);
	TESTS_END();
}
