/* The stage cache: outputs kept by the hash of their inputs, stamped last. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "build/cache.h"

void hydra_cache_key_add(struct hydra_cache_key *k, const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 3;
	char *t;

	if (k->error)
		return;
	t = realloc(k->text, k->len + n);
	if (!t) {
		k->error = -ENOMEM;
		return;
	}
	/* One input a line, so that "a" "bc" and "ab" "c" never hash alike. */
	snprintf(t + k->len, n, "%s %s\n", name, value);
	k->text = t;
	k->len += n - 1;
}

void hydra_cache_key_add_file(struct hydra_cache_key *k, const char *name, const char *path)
{
	unsigned char d[HYDRA_SHA256_LEN];
	char hex[HYDRA_SHA256_HEX];
	int r = hydra_sha256_file(path, d, NULL);

	if (r) {
		hydra_err("cannot read '%s' to key the cache: %s", path, strerror(-r));
		if (!k->error)
			k->error = r;
		return;
	}
	hydra_hex(d, sizeof(d), hex);
	hydra_cache_key_add(k, name, hex);
}

int hydra_cache_key_final(struct hydra_cache_key *k, char hex[HYDRA_SHA256_HEX])
{
	unsigned char d[HYDRA_SHA256_LEN];

	if (k->error)
		return k->error;
	hydra_sha256_buf(k->text ? k->text : "", k->len, d);
	hydra_hex(d, sizeof(d), hex);
	return 0;
}

void hydra_cache_key_release(struct hydra_cache_key *k)
{
	free(k->text);
	k->text = NULL;
	k->len = 0;
}

int hydra_link_or_copy(const char *src, const char *dst)
{
	if (unlink(dst) < 0 && errno != ENOENT)
		return -errno;
	if (link(src, dst) == 0)
		return 0;
	if (errno != EXDEV && errno != EPERM && errno != EMLINK)
		return -errno;
	return hydra_copy_file(src, dst);
}

static char *entry_dir(const char *cachedir, const char *stage, const char *key)
{
	return hydra_strdupf("%s/stages/%s/%s", cachedir, stage, key);
}

/* The content's SHA-256 in hex, as a stamp holds it. */
static int content_hash(const char *path, char hex[HYDRA_SHA256_HEX])
{
	unsigned char d[HYDRA_SHA256_LEN];
	int r = hydra_sha256_file(path, d, NULL);

	if (!r)
		hydra_hex(d, sizeof(d), hex);
	return r;
}

/* The SHA-256 a stamp names: its first 64 characters, hex digits all. */
static int read_stamp(const char *stamp, unsigned char sha[HYDRA_SHA256_LEN])
{
	char *text = NULL, hex[HYDRA_SHA256_HEX];
	size_t len;
	int r = hydra_read_file(stamp, &text, &len);

	if (!r && len >= HYDRA_SHA256_HEX - 1)
		snprintf(hex, sizeof(hex), "%s", text);
	if (!r && (len < HYDRA_SHA256_HEX - 1 || hydra_unhex(hex, sha, HYDRA_SHA256_LEN) < 0))
		r = -EBADMSG;
	free(text);
	return r;
}

static void remove_damaged(const char *dir, const char *stage)
{
	hydra_warn("cache entry '%s' is incomplete or damaged: removed, %s is made again", dir,
		   stage);
	hydra_rm_rf(dir);
}

/* An entry's folder, stamp and FILE: what a lookup and a check look at. */
struct entry {
	char *dir, *stamp, *data;
};

static int entry_open(const char *cachedir, const char *stage, const char *key,
		      const char *file, struct entry *e)
{
	e->stamp = e->data = NULL;
	e->dir = entry_dir(cachedir, stage, key);
	if (!e->dir || !(e->stamp = hydra_path_join(e->dir, HYDRA_CACHE_STAMP)) ||
	    !(e->data = hydra_path_join(e->dir, file)))
		return -ENOMEM;
	return 0;
}

static void entry_release(struct entry *e)
{
	free(e->dir);
	free(e->stamp);
	free(e->data);
}

int hydra_cache_lookup(const char *cachedir, const char *stage, const char *key,
		       const char *file, char **path, unsigned char sha[HYDRA_SHA256_LEN])
{
	struct entry e;
	struct stat st;
	int r = entry_open(cachedir, stage, key, file, &e);

	*path = NULL;
	if (r || access(e.dir, F_OK) < 0) {
		entry_release(&e);
		return r ? r : 1;
	}
	if (read_stamp(e.stamp, sha) == 0 && stat(e.data, &st) == 0 && S_ISREG(st.st_mode)) {
		*path = e.data;
		e.data = NULL;
	} else {
		/* An interrupted store, a stamp cut short: never used, made again. */
		remove_damaged(e.dir, stage);
		r = 1;
	}
	entry_release(&e);
	return r;
}

int hydra_cache_check(const char *cachedir, const char *stage, const char *key,
		      const char *file)
{
	unsigned char want[HYDRA_SHA256_LEN], have[HYDRA_SHA256_LEN];
	struct entry e;
	int r = entry_open(cachedir, stage, key, file, &e);

	if (!r && access(e.dir, F_OK) == 0 &&
	    (read_stamp(e.stamp, want) || hydra_sha256_file(e.data, have, NULL) ||
	     memcmp(want, have, sizeof(want)))) {
		remove_damaged(e.dir, stage);
		r = 1;
	}
	entry_release(&e);
	return r;
}

/* Entries of STAGE other than KEEP: an old key is never asked for again. */
static void prune(const char *cachedir, const char *stage, const char *keep)
{
	char *sdir = hydra_strdupf("%s/stages/%s", cachedir, stage);
	DIR *d = sdir ? opendir(sdir) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *p;

		if (e->d_name[0] == '.' || !strcmp(e->d_name, keep))
			continue;
		p = hydra_path_join(sdir, e->d_name);
		if (p)
			hydra_rm_rf(p);
		free(p);
	}
	if (d)
		closedir(d);
	free(sdir);
}

int hydra_cache_store(const char *cachedir, const char *stage, const char *key,
		      const char *file, const char *src)
{
	char *dir = entry_dir(cachedir, stage, key), *tmp = NULL, *data = NULL, *stamp = NULL;
	char hex[HYDRA_SHA256_HEX];
	int r = -ENOMEM;

	if (!dir || !(tmp = hydra_strdupf("%s.tmp", dir)) || !(data = hydra_path_join(tmp, file)) ||
	    !(stamp = hydra_path_join(tmp, HYDRA_CACHE_STAMP)))
		goto out;
	hydra_rm_rf(tmp);
	r = hydra_mkdir_p(tmp, 0755);
	if (!r)
		r = hydra_link_or_copy(src, data);
	if (!r)
		r = content_hash(data, hex);
	if (!r)
		r = hydra_write_file_atomic(stamp, hex, strlen(hex), 0644);
	if (!r) {
		hydra_rm_rf(dir);
		r = rename(tmp, dir) < 0 ? -errno : 0;
	}
	if (r) {
		hydra_err("cannot keep %s in the cache '%s': %s", stage, dir, strerror(-r));
		hydra_rm_rf(tmp);
	} else {
		prune(cachedir, stage, key);
	}
out:
	free(dir);
	free(tmp);
	free(data);
	free(stamp);
	return r;
}
