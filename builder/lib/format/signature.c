/* Trusted public keys, MANIFEST.sig checks and the policy for unsigned media. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/hydra.h"
#include "base/util.h"
#include "format/signature.h"

#define SIG_MAGIC "hydra-signature 1"
#define SIG_LEN 64
#define SIG_B64_LEN 88

void hydra_key_id(const unsigned char pub[HYDRA_ED25519_PUBLEN], char keyid[HYDRA_KEYID_LEN + 1])
{
	unsigned char sha[HYDRA_SHA256_LEN];
	char hex[HYDRA_SHA256_HEX];

	hydra_sha256_buf(pub, HYDRA_ED25519_PUBLEN, sha);
	hydra_hex(sha, HYDRA_SHA256_LEN, hex);
	memcpy(keyid, hex, HYDRA_KEYID_LEN);
	keyid[HYDRA_KEYID_LEN] = '\0';
}

struct trusted_key {
	EVP_PKEY *pk;
	char id[HYDRA_KEYID_LEN + 1];
};

struct hydra_trust {
	struct trusted_key *keys;
	size_t n;
};

int hydra_trust_new(struct hydra_trust **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void hydra_trust_free(struct hydra_trust *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		EVP_PKEY_free(t->keys[i].pk);
	free(t->keys);
	free(t);
}

size_t hydra_trust_count(const struct hydra_trust *t)
{
	return t ? t->n : 0;
}

static const struct trusted_key *find_key(const struct hydra_trust *t, const char *id)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (!strcmp(t->keys[i].id, id))
			return &t->keys[i];
	return NULL;
}

int hydra_trust_add_pem(struct hydra_trust *t, const char *pem, size_t len, const char *origin)
{
	unsigned char pub[HYDRA_ED25519_PUBLEN];
	size_t n = sizeof(pub);
	struct trusted_key *k;
	EVP_PKEY *pk = NULL;
	char id[HYDRA_KEYID_LEN + 1];
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	int r = -EINVAL;

	if (!b)
		return -ENOMEM;
	pk = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	if (!pk || EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519 ||
	    EVP_PKEY_get_raw_public_key(pk, pub, &n) != 1 || n != sizeof(pub)) {
		hydra_err("'%s' is not an ed25519 public key in PEM", origin);
		goto out;
	}
	hydra_key_id(pub, id);
	r = 0;
	if (find_key(t, id)) {
		hydra_debug("key %s of '%s' is trusted already", id, origin);
		goto out;
	}
	r = -ENOMEM;
	k = realloc(t->keys, (t->n + 1) * sizeof(*k));
	if (!k)
		goto out;
	t->keys = k;
	t->keys[t->n].pk = pk;
	memcpy(t->keys[t->n].id, id, sizeof(id));
	t->n++;
	pk = NULL;
	hydra_debug("trusting key %s from '%s'", id, origin);
	r = 0;
out:
	EVP_PKEY_free(pk);
	BIO_free(b);
	return r;
}

int hydra_trust_add_file(struct hydra_trust *t, const char *path)
{
	char *buf = NULL;
	struct stat st;
	size_t len;
	int r = hydra_read_small_file(path, HYDRA_KEY_PEM_MAX, &st, &buf, &len);

	if (r == -EINVAL || r == -ELOOP)
		hydra_err("refusing key '%s': not a regular file", path);
	else if (r == -EFBIG)
		hydra_err("refusing key '%s': larger than %d bytes", path, HYDRA_KEY_PEM_MAX);
	else if (r)
		hydra_err("cannot read key '%s': %s", path, strerror(-r));
	else
		r = hydra_trust_add_pem(t, buf, len, path);
	free(buf);
	return r;
}

static int load_entry(struct hydra_trust *t, const char *dir, const char *name)
{
	char *p;
	int r = 0;

	if (name[0] == '.')
		return 0;
	if (!fnmatch("*.key", name, 0)) {
		hydra_err("private key '%s/%s' lies among the trusted keys: move it out, "
			  "it would be carried on every medium", dir, name);
		return -EPERM;
	}
	if (fnmatch("*.pub", name, 0))
		return 0;
	p = hydra_path_join(dir, name);
	if (!p)
		return -ENOMEM;
	r = hydra_trust_add_file(t, p);
	free(p);
	return r;
}

int hydra_trust_load(const char *dir, struct hydra_trust **out)
{
	struct hydra_trust *t = NULL;
	struct dirent **ents = NULL;
	int n = -1, r;

	r = hydra_trust_new(&t);
	if (r || !dir)
		goto out;
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		r = errno == ENOENT ? 0 : -errno;
		if (r)
			hydra_err("cannot read '%s': %s", dir, strerror(-r));
		else
			hydra_debug("no trust store at '%s'", dir);
		goto out;
	}
	for (int i = 0; i < n && !r; i++)
		r = load_entry(t, dir, ents[i]->d_name);
out:
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	if (!r)
		*out = t;
	else
		hydra_trust_free(t);
	return r;
}

/* Exactly the three lines of SIG_MAGIC's format, byte for byte, nothing else. */
static int parse_sig(const char *buf, size_t len, char keyid[HYDRA_KEYID_LEN + 1],
		     unsigned char sig[SIG_LEN])
{
	char b64[SIG_B64_LEN + 1], again[SIG_B64_LEN + 1], canon[256], text[sizeof(canon)];
	unsigned char raw[SIG_LEN + 2];
	int n;

	if (len >= sizeof(canon) || memchr(buf, '\0', len))
		return -EBADMSG;
	/* BUF has LEN bytes and no NUL: sscanf reads a terminated copy, never past them. */
	memcpy(text, buf, len);
	text[len] = '\0';
	if (sscanf(text, SIG_MAGIC " key %16[0-9a-f] sig %88[A-Za-z0-9+/=]", keyid, b64) != 2 ||
	    strlen(keyid) != HYDRA_KEYID_LEN || strlen(b64) != SIG_B64_LEN)
		return -EBADMSG;
	/* sscanf is lax about white space: compare with the one way of writing it. */
	n = snprintf(canon, sizeof(canon), SIG_MAGIC "\nkey %s\nsig %s\n", keyid, b64);
	if (n < 0 || (size_t)n != len || memcmp(canon, buf, len))
		return -EBADMSG;
	if (EVP_DecodeBlock(raw, (const unsigned char *)b64, SIG_B64_LEN) != SIG_LEN + 2)
		return -EBADMSG;
	/* Only the one encoding of the 64 bytes is accepted. */
	EVP_EncodeBlock((unsigned char *)again, raw, SIG_LEN);
	if (strcmp(again, b64))
		return -EBADMSG;
	memcpy(sig, raw, SIG_LEN);
	return 0;
}

int hydra_verify_signature(const char *manifest_buf, size_t len, const char *sig_buf,
			   size_t sig_len, const struct hydra_trust *trust, char *keyid_out)
{
	char keyid[HYDRA_KEYID_LEN + 1] = "";
	unsigned char sig[SIG_LEN];
	const struct trusted_key *k;
	EVP_MD_CTX *ctx = NULL;
	int r;

	if (keyid_out)
		keyid_out[0] = '\0';
	r = parse_sig(sig_buf, sig_len, keyid, sig);
	if (r) {
		hydra_err("MANIFEST.sig is malformed (expected '" SIG_MAGIC "', 'key KEYID', 'sig BASE64')");
		return r;
	}
	if (keyid_out)
		memcpy(keyid_out, keyid, sizeof(keyid));
	k = find_key(trust, keyid);
	if (!k) {
		hydra_err("medium is signed by key %s, which is not trusted (add its .pub to %s, "
			  "or give it with --key)", keyid, "hardware-db/keys");
		return -EKEYREJECTED;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	r = -EBADMSG;
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pk) == 1 &&
	    EVP_DigestVerify(ctx, sig, SIG_LEN, (const unsigned char *)manifest_buf, len) == 1)
		r = 0;
	EVP_MD_CTX_free(ctx);
	if (r)
		hydra_err("signature by key %s does not match the MANIFEST", keyid);
	else
		hydra_debug("MANIFEST signed by trusted key %s", keyid);
	return r;
}

int hydra_check_signature(const char *manifest_buf, size_t len, const char *sig_buf,
			  size_t sig_len, const struct hydra_trust *trust, unsigned flags,
			  char *keyid_out)
{
	if (sig_buf)
		return hydra_verify_signature(manifest_buf, len, sig_buf, sig_len, trust, keyid_out);
	if (keyid_out)
		keyid_out[0] = '\0';
	if (flags & F_REQUIRE_SIGNATURE || hydra_trust_count(trust)) {
		hydra_err("medium is not signed, and a signature is required (%s)",
			  flags & F_REQUIRE_SIGNATURE ? "--require-signature" : "the trust store is not empty");
		return -EPERM;
	}
	hydra_warn("medium is not signed");
	return 0;
}
