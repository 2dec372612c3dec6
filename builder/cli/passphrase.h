/* Passphrases for the data layer: from a key file, or typed on the terminal. */
#ifndef HYDRA_CLI_PASSPHRASE_H
#define HYDRA_CLI_PASSPHRASE_H

#include <stddef.h>

#define CLI_PASS_TRIES 3

/*
 * The passphrase for a volume: the whole of KEY_FILE when given, else typed
 * without echo (twice, and the same, when NEW is set). *PASS is wiped and
 * freed with hydra_key_free(*PASS, *LEN).
 */
int cli_passphrase(const char *key_file, const char *what, int new, char **pass, size_t *len);

#endif
