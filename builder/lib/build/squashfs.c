/* live/system.sqfs through mksquashfs: owners root, every time the build's epoch. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "build/rootfs.h"

int hydra_squashfs_make(const char *root, const char *out, int64_t epoch, const char *logfile)
{
	char t[32];
	/*
	 * zstd level 9, not mksquashfs's 15: on a Debian root with its kernel's
	 * modules (637 MiB) level 15 took 125 s on two cores, level 9 took 13 s
	 * for 1.07 times the size.
	 */
	const char *argv[] = { "mksquashfs", root, out, "-noappend", "-comp", "zstd",
			       "-Xcompression-level", "9", "-all-root", "-mkfs-time", t, "-all-time", t, "-no-progress",
			       "-quiet", NULL };
	/* mksquashfs refuses SOURCE_DATE_EPOCH together with the options that say the same. */
	const char *envv[] = { "SOURCE_DATE_EPOCH", NULL };
	int r;

	r = hydra_tool_require("mksquashfs");
	if (r)
		return r;
	snprintf(t, sizeof(t), "%lld", (long long)epoch);
	/* -noappend alone would still keep a stale file when mksquashfs dies early */
	if (unlink(out) < 0 && errno != ENOENT) {
		r = -errno;
		hydra_err("cannot remove '%s': %s", out, strerror(errno));
		return r;
	}
	r = hydra_run_env(argv, envv, logfile);
	if (r < 0)
		hydra_err("cannot run mksquashfs: %s", strerror(-r));
	else if (r > 0)
		hydra_err("mksquashfs '%s' exited with status %d", root, r);
	return r > 0 ? -EIO : r;
}
