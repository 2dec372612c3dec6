/*
 * The table of subcommands and the mapping of library results to exit
 * codes: apart from main.c, so that a test can link the commands and walk
 * their tables.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "cli.h"

/* Each command's options, usage and help are in its cmd_NAME.c, as cli_NAME. */
const struct hydra_cmd hydra_cmds[] = {
	{ &cli_build, cmd_build, 0 },
	{ &cli_run, cmd_run, 0 },
	{ &cli_burn, cmd_burn, F_DESTRUCTIVE },
	{ &cli_clone, cmd_clone, F_DESTRUCTIVE | F_NEEDS_ROOT },
	{ &cli_verify, cmd_verify, 0 },
	{ &cli_keygen, cmd_keygen, 0 },
	{ &cli_data, cmd_data, F_NEEDS_ROOT },
	{ &cli_hw, cmd_hw, 0 },
	{ &cli_regenerate, cmd_regenerate, F_NEEDS_ROOT },
	{ &cli_install, cmd_install, F_NEEDS_ROOT },
	{ 0 },
};

const struct hydra_cmd *cli_find_cmd(const char *name)
{
	for (const struct hydra_cmd *c = hydra_cmds; c->spec; c++)
		if (!strcmp(c->spec->name, name))
			return c;
	return NULL;
}

/*
 * The safety checks refuse with these; everything they return is listed
 * here so that a refusal is never reported as a plain failure.
 */
static const struct {
	int err;
	int code;
} exit_codes[] = {
	{ EBADMSG, EXIT_VERIFY },      /* a hash or signature does not match */
	{ EKEYREJECTED, EXIT_VERIFY }, /* signed, but by a key nobody trusts */
	{ EPERM, EXIT_REFUSED },       /* not allowed: running medium, no root, no --yes */
	{ EBUSY, EXIT_REFUSED },       /* target mounted or in use */
	{ EROFS, EXIT_REFUSED },       /* target read-only */
	{ ENOSPC, EXIT_REFUSED },      /* target too small for the image */
	{ EMEDIUMTYPE, EXIT_REFUSED }, /* target's logical sectors are not 512 bytes */
	{ ECANCELED, EXIT_REFUSED },   /* confirmation not given */
	{ EEXIST, EXIT_REFUSED },      /* a data partition is there already (no --force) */
	{ ENOTEMPTY, EXIT_REFUSED },   /* restoring over existing files */
};

int cli_exit_code(int r)
{
	if (r >= 0)
		return r;
	for (size_t i = 0; i < sizeof(exit_codes) / sizeof(exit_codes[0]); i++)
		if (exit_codes[i].err == -r)
			return exit_codes[i].code;
	return EXIT_FAILED;
}
