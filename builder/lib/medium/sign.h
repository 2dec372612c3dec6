/*
 * Signed media: ed25519 keys (OpenSSL's libcrypto), /hydra/MANIFEST.sig and
 * the trust store of public keys.
 *
 *   hydra-signature 1
 *   key 3f2a9c0d11e4b7a8     key id: first 16 hex digits of SHA-256 of the raw public key
 *   sig BASE64               ed25519 signature of the bytes of hydra/MANIFEST
 *
 * The MANIFEST lists the SHA-256 of every payload file, so signing it signs
 * the medium. Trusted keys are PEM SubjectPublicKeyInfo files (*.pub); a
 * medium carries them in hydra/hardware-db/keys. A medium is checked
 * against the store of the medium the node runs from (or --key), never
 * against the keys it carries itself.
 */
#ifndef HYDRA_SIGN_H
#define HYDRA_SIGN_H

#include <stddef.h>

#include "format/layout.h"

#define HYDRA_SIGNATURE_PATH "hydra/MANIFEST.sig"
/* A PKCS#8 PEM ed25519 key is 119 bytes: anything far larger is not a key. */
#define HYDRA_KEY_PEM_MAX 4096
/* Where a medium carries its trust store, relative to the medium root. */
#define HYDRA_TRUST_DIR HYDRA_HWDB_PATH "/keys"
#define HYDRA_KEYID_LEN 16
#define HYDRA_ED25519_PUBLEN 32

enum {
	F_REQUIRE_SIGNATURE = 1 << 0,   /* an unsigned medium is refused */
};

/* The key id of a raw ed25519 public key. */
void hydra_key_id(const unsigned char pub[HYDRA_ED25519_PUBLEN], char keyid[HYDRA_KEYID_LEN + 1]);

/*
 * NAME.key (PKCS#8 PEM, 0600) and NAME.pub (SubjectPublicKeyInfo PEM).
 * Neither file may exist (-EEXIST). KEYID receives the key id.
 */
int hydra_keygen(const char *name, char keyid[HYDRA_KEYID_LEN + 1]);

/*
 * Sign ROOT/hydra/MANIFEST with the private key in KEYFILE into
 * ROOT/hydra/MANIFEST.sig. Refuses (-EPERM) a key file readable by group or
 * others, owned by another user, or lying under ROOT, and a medium that
 * carries a private key in its trust store. The key is wiped after use.
 */
int hydra_sign_manifest(const char *keyfile, const char *medium_root);

struct hydra_trust;

/* An empty store. */
int hydra_trust_new(struct hydra_trust **out);
/*
 * Every *.pub in DIR. A missing DIR (or NULL) gives an empty store; a key that
 * does not parse, or a private key lying in DIR, is an error.
 */
int hydra_trust_load(const char *dir, struct hydra_trust **out);
/* One more trusted key (--key FILE); the same key twice counts once. */
int hydra_trust_add_file(struct hydra_trust *t, const char *path);
/* The same from a PEM buffer; ORIGIN names it in messages. */
int hydra_trust_add_pem(struct hydra_trust *t, const char *pem, size_t len, const char *origin);
/*
 * What verify, burn and clone trust: every key of STORE_DIR (NULL: the store
 * of the running medium, HYDRA_MEDIUM_DIR/HYDRA_TRUST_DIR; absent on a
 * build host, so empty there) plus each of KEYFILES (NULL-terminated, or NULL).
 */
int hydra_trust_open(const char *store_dir, const char *const *keyfiles,
		     struct hydra_trust **out);
size_t hydra_trust_count(const struct hydra_trust *t);
void hydra_trust_free(struct hydra_trust *t);

/*
 * Pure: is SIG_BUF a good signature of MANIFEST_BUF by a key of TRUST?
 * 0 yes; -EBADMSG a malformed signature file or a signature that does not
 * match; -EKEYREJECTED signed by a key that TRUST does not hold. KEYID_OUT
 * (HYDRA_KEYID_LEN + 1 bytes, or NULL) receives the signer's key id once
 * the signature file names it, "" before.
 */
int hydra_verify_signature(const char *manifest_buf, size_t len, const char *sig_buf,
			   size_t sig_len, const struct hydra_trust *trust, char *keyid_out);

/*
 * The policy verify, burn and clone share. SIG_BUF NULL means unsigned.
 * 0: signed by a trusted key, or unsigned and not required (warns "medium
 * is not signed"). -EBADMSG, -EKEYREJECTED as above; -EPERM unsigned but
 * required: by F_REQUIRE_SIGNATURE, or by a non-empty TRUST.
 */
int hydra_check_signature(const char *manifest_buf, size_t len, const char *sig_buf,
			  size_t sig_len, const struct hydra_trust *trust, unsigned flags,
			  char *keyid_out);
/* The same for a medium: a mounted root, or an image or disk (read with mtools). */
int hydra_check_medium_signature(const char *medium_root, const struct hydra_trust *t,
				 unsigned flags);

#endif
