#define _GNU_SOURCE
/*
 * Signed media: keygen, sign, verify, the trust store and the unsigned-medium
 * policy; the signature is also checked with the openssl command line.
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "format/manifest.h"
#include "harness.h"
#include "medium/sign.h"
#include "medium_fixture.h"

#define MANIFEST "hydra-manifest 1\nid 0123456789abcdef\nbuilt 0\nversion 0.1.0\ncmdline \n"

static char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;

	if (hydra_read_file(path, &buf, len))
		return NULL;
	return buf;
}

/* A medium root "m" with a MANIFEST, signed with a fresh key "k". */
static int signed_medium(char keyid[HYDRA_KEYID_LEN + 1])
{
	int r;

	t_write("m/hydra/MANIFEST", MANIFEST);
	r = hydra_keygen("k", keyid);
	return r ? r : hydra_sign_manifest("k.key", "m");
}

static int check_medium(const char *pub, unsigned flags)
{
	struct hydra_trust *t = NULL;
	int r = hydra_trust_new(&t);

	if (!r && pub)
		r = hydra_trust_add_file(t, pub);
	if (!r)
		r = hydra_check_medium_signature("m", t, flags);
	hydra_trust_free(t);
	return r;
}

static void test_keygen_files_and_modes(void)
{
	char keyid[HYDRA_KEYID_LEN + 1], *pem;
	struct stat st;
	size_t len;

	umask(0);
	EQ_INT(hydra_keygen("k", keyid), 0);
	umask(022);
	EQ_INT(strlen(keyid), HYDRA_KEYID_LEN);
	EQ_INT(stat("k.key", &st), 0);
	EQ_INT(st.st_mode & 07777, 0600);
	EQ_INT(stat("k.pub", &st), 0);
	EQ_INT(st.st_mode & 07777, 0644);
	pem = slurp("k.key", &len);
	CONTAINS(pem, "-----BEGIN PRIVATE KEY-----");
	free(pem);
	pem = slurp("k.pub", &len);
	CONTAINS(pem, "-----BEGIN PUBLIC KEY-----");
	free(pem);
	/* Never overwrite either half, and leave the other alone. */
	EQ_INT(hydra_keygen("k", keyid), -EEXIST);
	unlink("k.key");
	EQ_INT(hydra_keygen("k", keyid), -EEXIST);
	EQ_INT(access("k.key", F_OK), -1);
}

static void test_sign_then_verify(void)
{
	char keyid[HYDRA_KEYID_LEN + 1], got[HYDRA_KEYID_LEN + 1], *m, *s;
	struct hydra_trust *t = NULL;
	size_t mlen, slen;

	EQ_INT(signed_medium(keyid), 0);
	s = slurp("m/hydra/MANIFEST.sig", &slen);
	m = slurp("m/hydra/MANIFEST", &mlen);
	OK(s && m);
	CONTAINS(s, "hydra-signature 1\nkey ");
	CONTAINS(s, keyid);
	EQ_INT(hydra_trust_load("nowhere", &t), 0);
	EQ_INT(hydra_trust_count(t), 0);
	EQ_INT(hydra_trust_add_file(t, "k.pub"), 0);
	EQ_INT(hydra_trust_add_file(t, "k.pub"), 0);
	EQ_INT(hydra_trust_count(t), 1);
	EQ_INT(hydra_verify_signature(m, mlen, s, slen, t, got), 0);
	EQ_STR(got, keyid);
	EQ_INT(check_medium("k.pub", F_REQUIRE_SIGNATURE), 0);
	hydra_trust_free(t);
	free(m);
	free(s);
}

static void test_changed_manifest_fails(void)
{
	char keyid[HYDRA_KEYID_LEN + 1], *m;
	size_t len;

	EQ_INT(signed_medium(keyid), 0);
	m = slurp("m/hydra/MANIFEST", &len);
	OK(m);
	m[len - 2] ^= 1;
	EQ_INT(hydra_write_file_atomic("m/hydra/MANIFEST", m, len, 0644), 0);
	free(m);
	EQ_INT(check_medium("k.pub", 0), -EBADMSG);
	CONTAINS(t_log, "does not match the MANIFEST");
	CONTAINS(t_log, keyid);
}

static void test_untrusted_key_rejected(void)
{
	char keyid[HYDRA_KEYID_LEN + 1], other[HYDRA_KEYID_LEN + 1];
	struct hydra_trust *t = NULL;

	EQ_INT(signed_medium(keyid), 0);
	EQ_INT(hydra_keygen("keys/other", other), -ENOENT);
	EQ_INT(hydra_mkdir_p("keys", 0755), 0);
	EQ_INT(hydra_keygen("keys/other", other), 0);
	unlink("keys/other.key");
	EQ_INT(hydra_trust_load("keys", &t), 0);
	EQ_INT(hydra_trust_count(t), 1);
	t_log[0] = '\0';
	EQ_INT(hydra_check_medium_signature("m", t, 0), -EKEYREJECTED);
	CONTAINS(t_log, keyid);
	CONTAINS(t_log, "not trusted");
	hydra_trust_free(t);
	/* The store and --key together. */
	const char *const keyfiles[] = { "k.pub", NULL };

	EQ_INT(hydra_trust_open("keys", keyfiles, &t), 0);
	EQ_INT(hydra_trust_count(t), 2);
	EQ_INT(hydra_check_medium_signature("m", t, 0), 0);
	hydra_trust_free(t);
	EQ_INT(hydra_trust_open("nowhere", NULL, &t), 0);
	EQ_INT(hydra_trust_count(t), 0);
	hydra_trust_free(t);
	/* An empty store trusts nobody either. */
	EQ_INT(check_medium(NULL, 0), -EKEYREJECTED);
}

static void test_unsigned_policy(void)
{
	char keyid[HYDRA_KEYID_LEN + 1];

	EQ_INT(hydra_keygen("k", keyid), 0);
	t_write("m/hydra/MANIFEST", MANIFEST);
	EQ_INT(check_medium(NULL, 0), 0);
	CONTAINS(t_log, "medium is not signed");
	EQ_INT(check_medium(NULL, F_REQUIRE_SIGNATURE), -EPERM);
	CONTAINS(t_log, "--require-signature");
	EQ_INT(check_medium("k.pub", 0), -EPERM);
	CONTAINS(t_log, "trust store is not empty");
	/* Pure form: no files at all. */
	EQ_INT(hydra_check_signature(MANIFEST, strlen(MANIFEST), NULL, 0, NULL, 0, keyid), 0);
	EQ_STR(keyid, "");
}

static void test_key_mode_refused(void)
{
	char keyid[HYDRA_KEYID_LEN + 1];

	t_write("m/hydra/MANIFEST", MANIFEST);
	EQ_INT(hydra_keygen("k", keyid), 0);
	EQ_INT(chmod("k.key", 0644), 0);
	EQ_INT(hydra_sign_manifest("k.key", "m"), -EPERM);
	CONTAINS(t_log, "chmod 600");
	EQ_INT(access("m/hydra/MANIFEST.sig", F_OK), -1);
	EQ_INT(chmod("k.key", 0640), 0);
	EQ_INT(hydra_sign_manifest("k.key", "m"), -EPERM);
	EQ_INT(chmod("k.key", 0600), 0);
	if (geteuid() == 0 && chown("k.key", 1, 1) == 0) {
		EQ_INT(hydra_sign_manifest("k.key", "m"), -EPERM);
		CONTAINS(t_log, "not to you");
		EQ_INT(chown("k.key", 0, 0), 0);
	}
	EQ_INT(hydra_sign_manifest("k.key", "m"), 0);
	/* A public key is not a signing key. */
	EQ_INT(chmod("k.pub", 0600), 0);
	EQ_INT(hydra_sign_manifest("k.pub", "m"), -EINVAL);
}

static void test_key_never_on_medium(void)
{
	char keyid[HYDRA_KEYID_LEN + 1];

	t_write("m/hydra/MANIFEST", MANIFEST);
	EQ_INT(hydra_mkdir_p("m/hydra/hardware-db/keys", 0755), 0);
	EQ_INT(hydra_keygen("m/inside", keyid), 0);
	EQ_INT(hydra_sign_manifest("m/inside.key", "m"), -EPERM);
	CONTAINS(t_log, "inside the medium");
	EQ_INT(hydra_keygen("m/hydra/hardware-db/keys/ci", keyid), 0);
	EQ_INT(hydra_keygen("k", keyid), 0);
	EQ_INT(hydra_sign_manifest("k.key", "m"), -EPERM);
	CONTAINS(t_log, "must not be carried on a medium");
	/* Nor is a trust store with a private key in it loaded. */
	struct hydra_trust *t = NULL;

	EQ_INT(hydra_trust_load("m/hydra/hardware-db/keys", &t), -EPERM);
	OK(!t);
}

static void test_malformed_sig_refused(void)
{
	static const char *const bad[] = {
		"",
		"hydra-signature 1\n",
		"hydra-signature 2\nkey 0123456789abcdef\nsig AAAA\n",
		"hydra-signature 1\nkey 0123456789abcdef\nsig !!!!\n",
		"hydra-signature 1\nkey 0123456789ABCDEF\nsig AAAA\n",
	};
	char keyid[HYDRA_KEYID_LEN + 1], *s, *m, *edit;
	struct hydra_trust *t = NULL;
	size_t slen, mlen;

	EQ_INT(signed_medium(keyid), 0);
	EQ_INT(hydra_trust_new(&t), 0);
	EQ_INT(hydra_trust_add_file(t, "k.pub"), 0);
	m = slurp("m/hydra/MANIFEST", &mlen);
	s = slurp("m/hydra/MANIFEST.sig", &slen);
	OK(m && s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EQ_INT(hydra_verify_signature(m, mlen, bad[i], strlen(bad[i]), t, NULL), -EBADMSG);
	CONTAINS(t_log, "MANIFEST.sig is malformed");
	/* The good one with a byte too many, a line too many, or a space more. */
	edit = hydra_strdupf("%s\n", s);
	EQ_INT(hydra_verify_signature(m, mlen, edit, strlen(edit), t, NULL), -EBADMSG);
	free(edit);
	edit = hydra_strdupf("%sextra 1\n", s);
	EQ_INT(hydra_verify_signature(m, mlen, edit, strlen(edit), t, NULL), -EBADMSG);
	free(edit);
	edit = hydra_strdupf(" %s", s);
	EQ_INT(hydra_verify_signature(m, mlen, edit, strlen(edit), t, NULL), -EBADMSG);
	free(edit);
	/* A changed signature byte (inside the base64) is a bad signature. */
	s[slen - 10] = s[slen - 10] == 'A' ? 'B' : 'A';
	EQ_INT(hydra_verify_signature(m, mlen, s, slen, t, NULL), -EBADMSG);
	/* A file on the medium that is not PEM. */
	t_write("junk.pub", "not a key\n");
	EQ_INT(hydra_trust_add_file(t, "junk.pub"), -EINVAL);
	hydra_trust_free(t);
	free(m);
	free(s);
}

/*
 * The signature file is a buffer and a length, with no NUL after it: one
 * that ends where the mapping ends (a page that may not be read after it)
 * is checked without reading past it. sscanf on it went on into that page.
 */
static void test_signature_buffer_not_terminated(void)
{
	char keyid[HYDRA_KEYID_LEN + 1], *s, *m;
	struct hydra_trust *t = NULL;
	size_t slen, mlen, page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *map;

	EQ_INT(signed_medium(keyid), 0);
	EQ_INT(hydra_trust_new(&t), 0);
	EQ_INT(hydra_trust_add_file(t, "k.pub"), 0);
	m = slurp("m/hydra/MANIFEST", &mlen);
	s = slurp("m/hydra/MANIFEST.sig", &slen);
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	OK(m && s && map != MAP_FAILED && slen < page);
	if (!m || !s || map == MAP_FAILED)
		return;
	EQ_INT(mprotect(map + page, page, PROT_NONE), 0);
	memcpy(map + page - slen, s, slen);
	EQ_INT(hydra_verify_signature(m, mlen, (char *)map + page - slen, slen, t, NULL), 0);
	/* Cut inside the base64: malformed, still without reading past the end. */
	memcpy(map + page - 40, s, 40);
	EQ_INT(hydra_verify_signature(m, mlen, (char *)map + page - 40, 40, t, NULL), -EBADMSG);
	munmap(map, 2 * page);
	hydra_trust_free(t);
	free(m);
	free(s);
}

/* The signature as a tool hydra did not write sees it. */
static void test_openssl_cross_check(void)
{
	const char *const dec[] = { "sh", "-c", "sed -n 's/^sig //p' m/hydra/MANIFEST.sig | "
				    "openssl base64 -d -A > sig.bin", NULL };
	const char *const ver[] = { "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "k.pub",
				    "-rawin", "-in", "m/hydra/MANIFEST", "-sigfile", "sig.bin", NULL };
	const char *const pid[] = { "sh", "-c", "openssl pkey -pubin -in k.pub -outform DER | "
				    "tail -c 32 | sha256sum | cut -c1-16", NULL };
	char keyid[HYDRA_KEYID_LEN + 1], *out = NULL;
	struct stat st;
	struct hydra_spawn_opts o = { .capture = &out, .logfile = "openssl.log" };

	if (hydra_tool_require("openssl"))
		SKIP("openssl missing (openssl)");
	EQ_INT(signed_medium(keyid), 0);
	EQ_INT(hydra_run(dec, NULL), 0);
	EQ_INT(stat("sig.bin", &st), 0);
	EQ_INT(st.st_size, 64);
	EQ_INT(hydra_run(ver, "openssl.log"), 0);
	EQ_INT(hydra_spawn(pid, &o), 0);
	OK(out && !strncmp(out, keyid, HYDRA_KEYID_LEN));
	free(out);
	/* And openssl sees the changed MANIFEST too. */
	t_write("m/hydra/MANIFEST", MANIFEST "recipe x\n");
	OK(hydra_run(ver, "openssl.log") != 0);
}

/* An image file, read with mtools: unsigned, then signed, then tampered with. */
static void test_image_file(void)
{
	char keyid[HYDRA_KEYID_LEN + 1];
	struct hydra_trust *t = NULL;

	if (!have_tools())
		SKIP("mkfs.fat or mtools missing (dosfstools, mtools)");
	make_medium(1);
	EQ_INT(hydra_keygen("k", keyid), 0);
	EQ_INT(hydra_trust_new(&t), 0);
	EQ_INT(hydra_check_medium_signature("img", t, 0), 0);
	CONTAINS(t_log, "medium is not signed");
	EQ_INT(hydra_trust_add_file(t, "k.pub"), 0);
	EQ_INT(hydra_check_medium_signature("img", t, 0), -EPERM);
	EQ_INT(hydra_sign_manifest("k.key", "p"), 0);
	EQ_INT(sh("MTOOLS_SKIP_CHECK=1 mcopy -i img@@1M p/hydra/MANIFEST.sig ::/hydra/"), 0);
	EQ_INT(hydra_check_medium_signature("img", t, F_REQUIRE_SIGNATURE), 0);
	flip("id ");
	EQ_INT(hydra_check_medium_signature("img", t, 0), -EBADMSG);
	hydra_trust_free(t);
}

int main(void)
{
	RUN(test_keygen_files_and_modes);
	RUN(test_sign_then_verify);
	RUN(test_changed_manifest_fails);
	RUN(test_untrusted_key_rejected);
	RUN(test_unsigned_policy);
	RUN(test_key_mode_refused);
	RUN(test_key_never_on_medium);
	RUN(test_malformed_sig_refused);
	RUN(test_signature_buffer_not_terminated);
	RUN(test_openssl_cross_check);
	RUN(test_image_file);
	TESTS_END();
}
