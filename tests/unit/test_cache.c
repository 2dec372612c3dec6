/* The stage cache: keys from inputs, entries used only when complete and intact. */
#include <errno.h>
#include <sys/stat.h>

#include "build/cache.h"
#include "harness.h"

static void key_of(const char *a, const char *b, char hex[HYDRA_SHA256_HEX])
{
	struct hydra_cache_key k = { 0 };

	hydra_cache_key_add(&k, "a", a);
	hydra_cache_key_add(&k, "b", b);
	EQ_INT(hydra_cache_key_final(&k, hex), 0);
	hydra_cache_key_release(&k);
}

static void test_key(void)
{
	char k1[HYDRA_SHA256_HEX], k2[HYDRA_SHA256_HEX], k3[HYDRA_SHA256_HEX];
	struct hydra_cache_key k = { 0 };

	key_of("x", "yz", k1);
	key_of("x", "yz", k2);
	key_of("xy", "z", k3);
	EQ_STR(k1, k2);
	OK(strcmp(k1, k3) != 0);
	EQ_INT(strlen(k1), 64);
	/* A file's content counts, not its name. */
	t_write("f1", "hook one\n");
	t_write("f2", "hook one\n");
	hydra_cache_key_add_file(&k, "hook", "f1");
	EQ_INT(hydra_cache_key_final(&k, k1), 0);
	hydra_cache_key_release(&k);
	hydra_cache_key_add_file(&k, "hook", "f2");
	EQ_INT(hydra_cache_key_final(&k, k2), 0);
	hydra_cache_key_release(&k);
	EQ_STR(k1, k2);
	t_write("f2", "hook two\n");
	hydra_cache_key_add_file(&k, "hook", "f2");
	EQ_INT(hydra_cache_key_final(&k, k2), 0);
	hydra_cache_key_release(&k);
	OK(strcmp(k1, k2) != 0);
	/* An input that cannot be read makes no key at all. */
	hydra_cache_key_add_file(&k, "hook", "missing");
	EQ_INT(hydra_cache_key_final(&k, k2), -ENOENT);
	hydra_cache_key_release(&k);
	CONTAINS(t_log, "cannot read 'missing'");
}

/* The SHA-256 of TEXT, as a stamp names it. */
static void sha_of(const char *text, unsigned char sha[HYDRA_SHA256_LEN])
{
	hydra_sha256_buf(text, strlen(text), sha);
}

static void test_store_lookup(void)
{
	unsigned char sha[HYDRA_SHA256_LEN], want[HYDRA_SHA256_LEN];
	char *path = NULL, *text = NULL;

	EQ_INT(hydra_cache_lookup("cache", "sys", "k1", "system.sqfs", &path, sha), 1);
	OK(path == NULL);
	t_write("built", "squashed bytes");
	EQ_INT(hydra_cache_store("cache", "sys", "k1", "system.sqfs", "built"), 0);
	EQ_INT(access("cache/stages/sys/k1/" HYDRA_CACHE_STAMP, F_OK), 0);
	EQ_INT(hydra_cache_lookup("cache", "sys", "k1", "system.sqfs", &path, sha), 0);
	EQ_STR(path, "cache/stages/sys/k1/system.sqfs");
	/* The stamp's SHA-256 comes back with the entry: the content's, as it was stored. */
	sha_of("squashed bytes", want);
	OK(!memcmp(sha, want, sizeof(sha)));
	EQ_INT(hydra_read_file(path, &text, NULL), 0);
	EQ_STR(text, "squashed bytes");
	EQ_INT(hydra_cache_check("cache", "sys", "k1", "system.sqfs"), 0);
	free(text);
	free(path);
	/* Another key of the same stage replaces the old entry. */
	EQ_INT(hydra_cache_store("cache", "sys", "k2", "system.sqfs", "built"), 0);
	EQ_INT(access("cache/stages/sys/k1", F_OK), -1);
	EQ_INT(hydra_cache_lookup("cache", "sys", "k2", "system.sqfs", &path, sha), 0);
	free(path);
	/* No entry is nothing damaged. */
	EQ_INT(hydra_cache_check("cache", "sys", "k9", "system.sqfs"), 0);
}

static void test_damaged(void)
{
	unsigned char sha[HYDRA_SHA256_LEN], want[HYDRA_SHA256_LEN];
	char *path = NULL;

	t_write("built", "squashed bytes");
	/* Partial: content without its stamp, as an interrupted store leaves it. */
	t_write("cache/stages/sys/k1/system.sqfs", "squashed bytes");
	EQ_INT(hydra_cache_lookup("cache", "sys", "k1", "system.sqfs", &path, sha), 1);
	OK(path == NULL);
	EQ_INT(access("cache/stages/sys/k1", F_OK), -1);
	CONTAINS(t_log, "incomplete or damaged");
	/*
	 * Corrupt: a stamp whose hash the content no longer has. The lookup does
	 * not read the content; it hands out the stamp's hash, which the reader
	 * finds the content differs from, and the check removes the entry.
	 */
	EQ_INT(hydra_cache_store("cache", "sys", "k1", "system.sqfs", "built"), 0);
	unlink("built");
	t_write("cache/stages/sys/k1/system.sqfs", "squashed byteZ");
	EQ_INT(hydra_cache_lookup("cache", "sys", "k1", "system.sqfs", &path, sha), 0);
	sha_of("squashed bytes", want);
	OK(!memcmp(sha, want, sizeof(sha)));
	free(path);
	t_log[0] = '\0';
	EQ_INT(hydra_cache_check("cache", "sys", "k1", "system.sqfs"), 1);
	EQ_INT(access("cache/stages/sys/k1", F_OK), -1);
	CONTAINS(t_log, "cache entry 'cache/stages/sys/k1' is incomplete or damaged: removed");
	EQ_INT(hydra_cache_lookup("cache", "sys", "k1", "system.sqfs", &path, sha), 1);
	/* A truncated stamp is no stamp. */
	t_write("built", "squashed bytes");
	EQ_INT(hydra_cache_store("cache", "sys", "k1", "system.sqfs", "built"), 0);
	t_write("cache/stages/sys/k1/" HYDRA_CACHE_STAMP, "ab");
	EQ_INT(hydra_cache_lookup("cache", "sys", "k1", "system.sqfs", &path, sha), 1);
	EQ_INT(access("cache/stages/sys/k1", F_OK), -1);
	/* Nor is one whose 64 characters are not all hex digits. */
	t_write("built", "squashed bytes");
	EQ_INT(hydra_cache_store("cache", "sys", "k1", "system.sqfs", "built"), 0);
	t_write("cache/stages/sys/k1/" HYDRA_CACHE_STAMP,
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeZ");
	EQ_INT(hydra_cache_lookup("cache", "sys", "k1", "system.sqfs", &path, sha), 1);
	/* An entry whose file is gone. */
	EQ_INT(hydra_cache_store("cache", "sys", "k1", "system.sqfs", "built"), 0);
	unlink("cache/stages/sys/k1/system.sqfs");
	EQ_INT(hydra_cache_lookup("cache", "sys", "k1", "system.sqfs", &path, sha), 1);
	EQ_INT(access("cache/stages/sys/k1", F_OK), -1);
}

int main(void)
{
	RUN(test_key);
	RUN(test_store_lookup);
	RUN(test_damaged);
	TESTS_END();
}
