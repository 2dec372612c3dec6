/*
 * /hydra/MANIFEST: what a medium carries and how to check it.
 *
 *   hydra-manifest 1
 *   id 3f2a...               image id (16 hex digits, from the payload's hashes)
 *   recipe tiny
 *   built 1700000000         SOURCE_DATE_EPOCH of the build
 *   version 0.1.0            hydra version that built it
 *   cmdline console=ttyS0    kernel arguments the boot loader passes (besides hydra.*)
 *   file SHA256 SIZE PATH    one line per payload file, sorted by PATH
 *
 * The payload is every file under the medium root except the boot loader
 * files (syslinux/, EFI/: written per medium) and hydra/MANIFEST(.sig).
 */
#ifndef HYDRA_MANIFEST_H
#define HYDRA_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define HYDRA_MANIFEST_PATH "hydra/MANIFEST"
#define HYDRA_ID_LEN 16

struct hydra_manifest_file {
	char *path;                               /* relative to the medium root */
	uint64_t size;
	unsigned char sha256[HYDRA_SHA256_LEN];
};

struct hydra_manifest {
	char *id;
	char *recipe;
	char *version;
	char *cmdline;
	int64_t built;
	struct hydra_manifest_file *files;
	size_t n_files;
};

/* Pure: text to struct and back. Parse errors are logged with the line. */
int hydra_manifest_parse(const char *buf, size_t len, struct hydra_manifest **out);
int hydra_manifest_format(const struct hydra_manifest *m, char **buf, size_t *len);
/* Hash the payload under ROOT and fill a new manifest, id included. */
int hydra_manifest_scan(const char *root, const char *recipe, const char *cmdline,
			int64_t built, struct hydra_manifest **out);
/* The id M's contents give (its own id field aside): what M->id must be. */
int hydra_manifest_id(const struct hydra_manifest *m, char id[HYDRA_ID_LEN + 1]);
/*
 * A payload file whose SHA-256 is known already (from a stage cache entry's
 * stamp). It is taken for the file at PATH only when that is the very file
 * it was known for (the same device, inode and size), which is then not
 * read; whatever is wrong with it, the read-back of the medium finds.
 */
struct hydra_manifest_known {
	const char *path;                         /* relative to the medium root */
	uint64_t dev, ino, size;
	unsigned char sha256[HYDRA_SHA256_LEN];
};

/* As hydra_manifest_scan, with the SHA-256 of the N files of KNOWN not read again. */
int hydra_manifest_scan_known(const char *root, const char *recipe, const char *cmdline,
			      int64_t built, const struct hydra_manifest_known *known,
			      size_t n_known, struct hydra_manifest **out);
/* ROOT/hydra/MANIFEST in and out. */
int hydra_manifest_load(const char *root, struct hydra_manifest **out);
int hydra_manifest_save(const char *root, const struct hydra_manifest *m);
const struct hydra_manifest_file *hydra_manifest_find(const struct hydra_manifest *m,
						      const char *path);
void hydra_manifest_free(struct hydra_manifest *m);

#endif
