/*
 * --key FILE and --require-signature, shared by verify, burn and clone: a
 * medium's signature is checked against the running medium's trust store
 * and the keys given, never against keys the medium carries itself.
 */
#ifndef HYDRA_CLI_TRUSTOPT_H
#define HYDRA_CLI_TRUSTOPT_H

#define CLI_TRUST_LONGOPTS \
	{ "key", required_argument, NULL, 'k' }, \
	{ "require-signature", no_argument, NULL, 'R' }

#define CLI_TRUST_USAGE \
	"  -k, --key FILE     also trust the public key FILE (repeatable)\n" \
	"      --require-signature  refuse an unsigned medium"

struct cli_trust {
	const char *keys[9];
	int n_keys;
	int require;
};

/* Take option C if it is one of ours: 1 taken, 0 not ours, else an exit code. */
int cli_trust_option(struct cli_trust *t, int c, const char *arg);
/* 0 when MEDIUM (a root, image or disk) passes the signature policy, else -errno. */
int cli_trust_check(const struct cli_trust *t, const char *medium);

#endif
