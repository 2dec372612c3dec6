/*
 * Packing an overlay at build time. It is a file apart from the reader
 * (overlay.c) because hydra-init links libarchive statically: a program
 * takes libarchive's pax writer only through this file, and that writer
 * brings every other writer with it (xar's needs libxml2 and ICU's 30 MB
 * of data), which PID 1 of the initramfs never runs.
 */
#include <errno.h>
#include <stdint.h>

#include <archive.h>

#include "base/tree.h"
#include "node/overlay.h"

int hydra_overlay_pack(const char *src, const char *out, int64_t epoch)
{
	struct archive *a = archive_write_new();
	int r;

	if (!a)
		return -ENOMEM;
	archive_write_set_format_pax_restricted(a);
	r = hydra_tree_open(a, out);
	if (!r)
		r = hydra_tree_finish(a, out, hydra_tree_archive(a, src, epoch, F_TREE_PLAIN));
	archive_write_free(a);
	return r;
}
