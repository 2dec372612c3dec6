/* LUKS2 through libcryptsetup, its messages through hydra's log. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libcryptsetup.h>

#include "base/hydra.h"
#include "base/util.h"
#include "node/crypt.h"

#define KEY_BYTES 64   /* aes-xts with two 256-bit keys: a 512-bit volume key */

static void on_crypt_log(int level, const char *msg, void *ud)
{
	size_t n = strcspn(msg, "\n");

	(void)ud;
	if (level == CRYPT_LOG_ERROR)
		hydra_err("libcryptsetup: %.*s", (int)n, msg);
	else
		hydra_debug("libcryptsetup: %.*s", (int)n, msg);
}

int hydra_luks_format(const char *path, const char *pass, size_t len,
		      const struct hydra_luks_opts *o)
{
	struct crypt_pbkdf_type pbkdf = {
		.type = CRYPT_KDF_ARGON2ID,
		.hash = "sha256",
		.time_ms = 2000,
		.max_memory_kb = 1024 * 1024,
		.parallel_threads = 4,
	};
	struct crypt_params_luks2 params = {
		.pbkdf = &pbkdf,
		.sector_size = 512,
		.label = HYDRA_DATA_LABEL,
		.subsystem = HYDRA_DATA_PENDING,
	};
	struct crypt_device *cd = NULL;
	int r;

	if (!len) {
		hydra_err("refusing an empty passphrase for '%s'", path);
		return -EINVAL;
	}
	if (o && o->iterations) {
		/* A fixed, small cost: no benchmark, for tests. */
		pbkdf.iterations = o->iterations;
		pbkdf.max_memory_kb = o->memory_kb;
		pbkdf.parallel_threads = 1;
		pbkdf.flags = CRYPT_PBKDF_NO_BENCHMARK;
	}
	r = crypt_init(&cd, path);
	if (r < 0) {
		hydra_err("cannot open '%s' for LUKS2: %s", path, strerror(-r));
		return r;
	}
	crypt_set_log_callback(cd, on_crypt_log, NULL);
	r = crypt_format(cd, CRYPT_LUKS2, "aes", "xts-plain64", NULL, NULL, KEY_BYTES, &params);
	if (r >= 0)
		r = crypt_keyslot_add_by_volume_key(cd, CRYPT_ANY_SLOT, NULL, 0, pass, len);
	if (r < 0)
		hydra_err("cannot make a LUKS2 volume on '%s': %s", path, strerror(-r));
	crypt_free(cd);
	return r < 0 ? r : 0;
}

int hydra_luks_header_size(const char *path, uint64_t *bytes)
{
	struct crypt_device *cd = NULL;
	int r = crypt_init(&cd, path);

	if (r >= 0)
		r = crypt_load(cd, CRYPT_LUKS2, NULL);
	if (r >= 0)
		*bytes = crypt_get_data_offset(cd) * 512;
	crypt_free(cd);
	return r < 0 ? r : 0;
}

int hydra_key_file_read(const char *path, char **key, size_t *len)
{
	struct stat st;
	int r = hydra_read_small_file(path, HYDRA_KEY_FILE_MAX, &st, key, len);

	if (r == -EINVAL || r == -ELOOP)
		hydra_err("refusing key file '%s': not a regular file", path);
	else if (r == -EFBIG)
		hydra_err("refusing key file '%s': larger than %d KiB", path, HYDRA_KEY_FILE_MAX >> 10);
	else if (r)
		hydra_err("cannot read key file '%s': %s", path, strerror(-r));
	if (r)
		return r;
	if (st.st_mode & 077) {
		hydra_err("refusing key file '%s': others may read it (chmod 600 '%s')", path, path);
		r = -EPERM;
	} else if (*len == 0) {
		hydra_err("refusing key file '%s': it is empty, and an empty passphrase opens "
			  "nothing safely", path);
		r = -EINVAL;
	}
	if (r) {
		hydra_key_free(*key, *len);
		*key = NULL;
		*len = 0;
	}
	return r;
}

void hydra_key_free(char *key, size_t len)
{
	if (!key)
		return;
	explicit_bzero(key, len);
	free(key);
}

char *hydra_mapper_path(const char *name)
{
	return hydra_strdupf(HYDRA_MAPPER_DIR "%s", name);
}
