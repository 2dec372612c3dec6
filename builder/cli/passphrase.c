/* Passphrases: a key file (refused when others may read it) or the terminal, never echoed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hydra.h"
#include "node/askpass.h"
#include "node/crypt.h"
#include "passphrase.h"

static int ask_new(const char *what, char **pass, size_t *len)
{
	char *again = NULL, *prompt = NULL;
	size_t alen = 0;
	int r;

	for (int i = 0; i < CLI_PASS_TRIES; i++) {
		if (asprintf(&prompt, "new passphrase for %s: ", what) < 0)
			return -ENOMEM;
		r = hydra_askpass(STDIN_FILENO, prompt, pass, len);
		free(prompt);
		if (!r)
			r = hydra_askpass(STDIN_FILENO, "the same again: ", &again, &alen);
		if (r)
			break;
		if (*len && alen == *len && !memcmp(*pass, again, *len)) {
			hydra_key_free(again, alen);
			return 0;
		}
		hydra_err(*len ? "the two passphrases differ" : "an empty passphrase is refused");
		hydra_key_free(*pass, *len);
		hydra_key_free(again, alen);
		*pass = again = NULL;
		r = -EINVAL;
	}
	return r;
}

int cli_passphrase(const char *key_file, const char *what, int new, char **pass, size_t *len)
{
	char *prompt = NULL;
	int r;

	*pass = NULL;
	*len = 0;
	if (key_file)
		return hydra_key_file_read(key_file, pass, len);
	if (!isatty(STDIN_FILENO)) {
		hydra_err("no terminal to ask the passphrase for %s on: give --key-file", what);
		return -EPERM;
	}
	if (new)
		return ask_new(what, pass, len);
	if (asprintf(&prompt, "passphrase for %s: ", what) < 0)
		return -ENOMEM;
	r = hydra_askpass(STDIN_FILENO, prompt, pass, len);
	free(prompt);
	return r;
}
