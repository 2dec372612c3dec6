/*
 * The data layer's encryption: LUKS2 made with libcryptsetup (argon2id,
 * aes-xts-plain64, 512-bit key, label HYDRA-DATA). Formatting a header
 * needs no device-mapper; opening one does (a node's kernel has dm-crypt).
 */
#ifndef HYDRA_CRYPT_H
#define HYDRA_CRYPT_H

#include <stddef.h>
#include <stdint.h>

#define HYDRA_DATA_LABEL "HYDRA-DATA"
/*
 * The LUKS2 subsystem of a volume that has no ext4 yet: a volume is made with
 * it, in the same header write, so that one cut off before its ext4 is never
 * taken for a whole one; the first unlock makes the ext4 and clears it.
 */
#define HYDRA_DATA_PENDING "hydra-mkfs"
/* The LUKS2 subsystem while a clone fills a new volume; cleared once the copy is whole. */
#define HYDRA_DATA_FILLING "hydra-filling"
/* Where device-mapper shows an open volume: HYDRA_MAPPER_DIR NAME. */
#define HYDRA_MAPPER_DIR "/dev/mapper/"

struct hydra_luks_opts {
	/* argon2id cost; 0 = libcryptsetup's benchmark (about 2 s), tests use tiny costs */
	uint32_t iterations;
	uint32_t memory_kb;
};

/*
 * Make PATH (a partition, or a file) a LUKS2 volume unlocked by the
 * passphrase PASS of LEN bytes. The caller wipes PASS after use.
 */
int hydra_luks_format(const char *path, const char *pass, size_t len,
		      const struct hydra_luks_opts *o);

/*
 * Read a key file: refused when group or others may read it, when it is a
 * link or not a regular file, empty, or over HYDRA_KEY_FILE_MAX bytes.
 * *KEY is wiped and freed by hydra_key_free.
 */
#define HYDRA_KEY_FILE_MAX (64 << 10)
int hydra_key_file_read(const char *path, char **key, size_t *len);
/* HYDRA_MAPPER_DIR NAME, malloc'd: the device of an open volume. */
char *hydra_mapper_path(const char *name);
/* The bytes of a LUKS2 volume before its data: header and key slots. */
int hydra_luks_header_size(const char *path, uint64_t *bytes);
void hydra_key_free(char *key, size_t len);

#endif
