/*
 * --key FILE and --require-signature, shared by verify, burn and clone: a
 * medium's signature is checked against the running medium's trust store
 * and the keys given, never against keys the medium carries itself.
 */
#ifndef HYDRA_CLI_TRUSTOPT_H
#define HYDRA_CLI_TRUSTOPT_H

/* Their entries in a command's option table (struct cli_option). */
#define CLI_TRUST_OPTIONS \
	CLI_OPT('k', "key", "FILE", "also trust the public key FILE (repeatable)"), \
	CLI_LONG('R', "require-signature", NULL, "refuse an unsigned medium")

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
