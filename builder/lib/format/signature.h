/*
 * Checking a signed MANIFEST: ed25519 keys (OpenSSL's libcrypto),
 * /hydra/MANIFEST.sig and the trust store of public keys. Pure apart from
 * reading key files, so hydra-init can check a MANIFEST it fetched.
 *
 *   hydra-signature 1
 *   key 3f2a9c0d11e4b7a8     key id: first 16 hex digits of SHA-256 of the raw public key
 *   sig BASE64               ed25519 signature of the bytes of hydra/MANIFEST
 *
 * The MANIFEST lists the SHA-256 of every payload file, so signing it signs
 * the medium. Trusted keys are PEM SubjectPublicKeyInfo files (*.pub).
 * Signing and a medium's own store are medium/sign.h's.
 */
#ifndef HYDRA_SIGNATURE_H
#define HYDRA_SIGNATURE_H

#include <stddef.h>

#include "format/layout.h"

#define HYDRA_SIGNATURE_PATH "hydra/MANIFEST.sig"
/* A PKCS#8 PEM ed25519 key is 119 bytes: anything far larger is not a key. */
#define HYDRA_KEY_PEM_MAX 4096
/* Where a medium carries its trust store, relative to the medium root. */
#define HYDRA_TRUST_DIR HYDRA_HWDB_PATH "/keys"
/* Where the initramfs carries the keys hydra-init trusts (the build's hardware-db/keys). */
#define HYDRA_INITRAMFS_TRUST_DIR "/etc/hydra/keys"
#define HYDRA_KEYID_LEN 16
#define HYDRA_ED25519_PUBLEN 32

enum {
	F_REQUIRE_SIGNATURE = 1 << 0,   /* an unsigned medium is refused */
};

/* The key id of a raw ed25519 public key. */
void hydra_key_id(const unsigned char pub[HYDRA_ED25519_PUBLEN], char keyid[HYDRA_KEYID_LEN + 1]);

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

#endif
