/*
 * The MANIFEST (format/manifest.h) and its signature (medium/sign.h). The
 * input is a MANIFEST, then a NUL and MANIFEST.sig when the medium is
 * signed (no NUL: unsigned). The signature is checked against a trust store
 * holding the one key the corpus was signed with, and against an empty one.
 * A MANIFEST that parses is written back; that text must parse again and be
 * written the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/manifest.h"
#include "fuzz.h"
#include "medium/sign.h"

/*
 * The public half of a key made once with 'hydra keygen' for the corpus
 * (key id a0e6a501e7622ae9; its private half was not kept):
 * tests/fuzz/corpus/manifest/ holds MANIFESTs it signed.
 */
static const char corpus_key[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MCowBQYDK2VwAyEASdSNf+mqTPrT+qGUUc5xbAOYiflt+B9DLhdlpWeTI9w=\n"
	"-----END PUBLIC KEY-----\n";

static struct hydra_trust *trusted, *empty;
static struct fuzz_guard manifest_guard, sig_guard;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	if (hydra_trust_new(&trusted) || hydra_trust_new(&empty) ||
	    hydra_trust_add_pem(trusted, corpus_key, strlen(corpus_key), "corpus key") ||
	    hydra_trust_count(trusted) != 1) {
		fprintf(stderr, "cannot make the trust store\n");
		abort();
	}
	return 0;
}

static void round_trip(const struct hydra_manifest *m)
{
	struct hydra_manifest *again = NULL;
	char *text = NULL, *text2 = NULL, id[HYDRA_ID_LEN + 1];
	size_t len = 0, len2 = 0;

	if (hydra_manifest_id(m, id) || hydra_manifest_format(m, &text, &len))
		return;
	if (hydra_manifest_parse(text, len, &again)) {
		fprintf(stderr, "a formatted MANIFEST does not parse:\n%.*s", (int)len, text);
		abort();
	}
	if (hydra_manifest_format(again, &text2, &len2) || len != len2 || memcmp(text, text2, len)) {
		fprintf(stderr, "a MANIFEST changes when written twice:\n%.*s---\n%.*s", (int)len,
			text, (int)len2, text2 ? text2 : "");
		abort();
	}
	/* Every path is found again by its name. */
	for (size_t i = 0; i < again->n_files; i++)
		if (hydra_manifest_find(again, again->files[i].path) != &again->files[i])
			abort();
	free(text);
	free(text2);
	hydra_manifest_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sig_part;
	size_t manifest_len, sig_len;
	int signed_ = fuzz_split(data, size, &manifest_len, &sig_part, &sig_len);
	/* Both parts end where memory ends: no read past them goes unnoticed. */
	const char *manifest = fuzz_guarded(&manifest_guard, data, manifest_len);
	const char *sig = signed_ ? fuzz_guarded(&sig_guard, sig_part, sig_len) : NULL;
	char keyid[HYDRA_KEYID_LEN + 1];
	struct hydra_manifest *m = NULL;
	int r;

	if (!manifest || (signed_ && !sig))
		return 0;
	if (!hydra_manifest_parse(manifest, manifest_len, &m))
		round_trip(m);
	r = hydra_check_signature(manifest, manifest_len, sig, sig_len, trusted, 0, keyid);
	/* A key id is said only once a signature file names it, and it is a key id. */
	if (strlen(keyid) != 0 && strlen(keyid) != HYDRA_KEYID_LEN)
		abort();
	/* Nothing unsigned passes a non-empty store; nothing signed passes an empty one. */
	if (!r && !signed_)
		abort();
	r = hydra_check_signature(manifest, manifest_len, sig, sig_len, empty, 0, NULL);
	if (!r && signed_)
		abort();
	hydra_check_signature(manifest, manifest_len, sig, sig_len, empty, F_REQUIRE_SIGNATURE,
			      NULL);
	hydra_manifest_free(m);
	return 0;
}
