/*
 * Signed media: making keys, signing a medium's MANIFEST, and the trust
 * store a running node checks other media against (format/signature.h
 * checks a signature). A medium carries its trusted keys in
 * hydra/hardware-db/keys and is checked against the store of the medium
 * the node runs from (or --key), never against the keys it carries itself.
 */
#ifndef HYDRA_SIGN_H
#define HYDRA_SIGN_H

#include <stddef.h>

#include "format/signature.h"

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

/*
 * What verify, burn and clone trust: every key of STORE_DIR (NULL: the store
 * of the running medium, HYDRA_MEDIUM_DIR/HYDRA_TRUST_DIR; absent on a
 * build host, so empty there) plus each of KEYFILES (NULL-terminated, or NULL).
 */
int hydra_trust_open(const char *store_dir, const char *const *keyfiles,
		     struct hydra_trust **out);
/* The same for a medium: a mounted root, or an image or disk (read with mtools). */
int hydra_check_medium_signature(const char *medium_root, const struct hydra_trust *t,
				 unsigned flags);

#endif
