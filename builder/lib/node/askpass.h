/* Passphrases from a terminal, without echo. */
#ifndef HYDRA_ASKPASS_H
#define HYDRA_ASKPASS_H

#include <stddef.h>

#define HYDRA_PASS_MAX 512

/*
 * Write PROMPT to the terminal FD, read one line with echo off (a plain
 * read when FD is not a terminal), and give it without its newline in a
 * malloc'd *OUT of *LEN bytes, to be released with hydra_key_free.
 * -ENODATA at end of input.
 */
int hydra_askpass(int fd, const char *prompt, char **out, size_t *len);

#endif
