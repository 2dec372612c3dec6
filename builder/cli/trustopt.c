/* The signature policy's options, in one place for every command that reads a medium. */
#define _GNU_SOURCE
#include <stddef.h>

#include "cli.h"
#include "medium/sign.h"
#include "trustopt.h"

int cli_trust_option(struct cli_trust *t, int c, const char *arg)
{
	if (c == 'R') {
		t->require = 1;
		return 1;
	}
	if (c != 'k')
		return 0;
	if (t->n_keys >= (int)(sizeof(t->keys) / sizeof(t->keys[0])) - 1)
		return cli_usage_error(NULL, "too many --key options");
	t->keys[t->n_keys++] = arg;
	t->keys[t->n_keys] = NULL;
	return 1;
}

int cli_trust_check(const struct cli_trust *t, const char *medium)
{
	struct hydra_trust *trust = NULL;
	int r = hydra_trust_open(NULL, t->n_keys ? (const char *const *)t->keys : NULL, &trust);

	if (!r)
		r = hydra_check_medium_signature(medium, trust,
						 t->require ? F_REQUIRE_SIGNATURE : 0);
	hydra_trust_free(trust);
	return r;
}
