/*
 * The stage cache: a stage's output kept under CACHEDIR/stages/STAGE/KEY/,
 * where KEY is the SHA-256 of everything the stage reads. An entry counts
 * only once its stamp, written last, is there and names the SHA-256 of the
 * content it holds; anything else is removed and rebuilt, never used. The
 * stamp's SHA-256 is what the entry's file is taken as: whoever reads the
 * file checks it against that (the build, as it reads the image back).
 */
#ifndef HYDRA_CACHE_H
#define HYDRA_CACHE_H

#include <stddef.h>

#include "base/util.h"

/* The file that completes a cache entry (the kernel cache uses it too). */
#define HYDRA_CACHE_STAMP ".hydra-complete"

/* A stage's inputs, as "name value" lines; hashed into the key. */
struct hydra_cache_key {
	char *text;
	size_t len;
	int error;       /* an allocation or read failed: the key must not be used */
};

void hydra_cache_key_add(struct hydra_cache_key *k, const char *name, const char *value);
/* The SHA-256 of the file at PATH (its content, not its name or time). */
void hydra_cache_key_add_file(struct hydra_cache_key *k, const char *name, const char *path);
/* 0 and the key's hex into HEX, or -errno when an input could not be read. */
int hydra_cache_key_final(struct hydra_cache_key *k, char hex[HYDRA_SHA256_HEX]);
void hydra_cache_key_release(struct hydra_cache_key *k);

/*
 * 0 when a complete entry for STAGE/KEY holds FILE: *PATH is then its
 * malloc'd path and SHA the SHA-256 its stamp names, the file not read. 1
 * when there is none (one without a whole stamp is removed and said so),
 * <0 on error.
 */
int hydra_cache_lookup(const char *cachedir, const char *stage, const char *key,
		       const char *file, char **path, unsigned char sha[HYDRA_SHA256_LEN]);
/*
 * Read the entry's FILE whole: 0 when it has the SHA-256 its stamp names
 * (or there is no entry), 1 when not, and then the entry is removed and
 * said so; <0 on error.
 */
int hydra_cache_check(const char *cachedir, const char *stage, const char *key,
		      const char *file);
/*
 * Keep SRC as FILE in the entry STAGE/KEY (a hard link when it can, a copy
 * otherwise); the stamp is written last, and older entries of STAGE go.
 */
int hydra_cache_store(const char *cachedir, const char *stage, const char *key,
		      const char *file, const char *src);
/* Hard link SRC to DST, or copy it when they are on different filesystems. */
int hydra_link_or_copy(const char *src, const char *dst);

#endif
