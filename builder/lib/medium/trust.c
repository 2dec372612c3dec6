/* The trust store of the running medium, and a medium's signature checked against a store. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/hydra.h"
#include "base/util.h"
#include "format/manifest.h"
#include "medium/medium.h"
#include "medium/sign.h"

int hydra_trust_open(const char *store_dir, const char *const *keyfiles,
		     struct hydra_trust **out)
{
	struct hydra_trust *t = NULL;
	int r = hydra_trust_load(store_dir ? store_dir : HYDRA_MEDIUM_DIR "/" HYDRA_TRUST_DIR, &t);

	for (size_t i = 0; !r && keyfiles && keyfiles[i]; i++)
		r = hydra_trust_add_file(t, keyfiles[i]);
	if (r) {
		hydra_trust_free(t);
		return r;
	}
	*out = t;
	return 0;
}

int hydra_check_medium_signature(const char *medium_root, const struct hydra_trust *t,
				 unsigned flags)
{
	struct hydra_medium *m = NULL;
	char *manifest = NULL, *sig = NULL;
	size_t len = 0, sig_len = 0;
	int r;

	r = hydra_medium_open(medium_root, &m);
	if (r)
		goto out;
	r = hydra_medium_read(m, HYDRA_MANIFEST_PATH, &manifest, &len);
	if (r) {
		hydra_err("cannot read '%s' of '%s': %s", HYDRA_MANIFEST_PATH, medium_root, strerror(-r));
		goto out;
	}
	r = hydra_medium_read(m, HYDRA_SIGNATURE_PATH, &sig, &sig_len);
	if (r && r != -ENOENT) {
		hydra_err("cannot read '%s' of '%s': %s", HYDRA_SIGNATURE_PATH, medium_root, strerror(-r));
		goto out;
	}
	r = hydra_check_signature(manifest, len, r ? NULL : sig, sig_len, t, flags, NULL);
out:
	free(manifest);
	free(sig);
	hydra_medium_close(m);
	return r;
}
