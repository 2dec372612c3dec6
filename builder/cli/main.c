/*
 * hydra: global options, the log callback and the checks of command flags;
 * the commands' table is in commands.c, their option parser in options.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "cli.h"

int cli_verbose;

void cli_log(int level, const char *msg, void *ud)
{
	(void)ud;
	switch (level) {
	case HYDRA_LOG_ERROR:
		fprintf(stderr, "hydra: error: %s\n", msg);
		break;
	case HYDRA_LOG_WARN:
		fprintf(stderr, "hydra: warning: %s\n", msg);
		break;
	case HYDRA_LOG_INFO:
		fprintf(stderr, "%s\n", msg);
		break;
	default:
		if (cli_verbose)
			fprintf(stderr, "hydra: debug: %s\n", msg);
	}
}

/* An option in ARGV before any "--". */
static int has_option(int argc, char **argv, const char *const names[])
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		for (size_t j = 0; names[j]; j++)
			if (!strcmp(argv[i], names[j]))
				return 1;
	return 0;
}

/* The one place where command flags are enforced. */
static int check_flags(const struct hydra_cmd *cmd, int argc, char **argv)
{
	static const char *const help[] = { "-h", "--help", NULL };
	static const char *const asked[] = { "-y", "--yes", "-n", "--dry-run", NULL };

	if (has_option(argc, argv, help))
		return 0;
	if ((cmd->flags & F_NEEDS_ROOT) && geteuid() != 0) {
		hydra_err("'hydra %s' must run as root", cmd->spec->name);
		return -EPERM;
	}
	if ((cmd->flags & F_DESTRUCTIVE) && !isatty(STDIN_FILENO) && !has_option(argc, argv, asked)) {
		hydra_err("'hydra %s' writes disks and there is no terminal to confirm it: "
			  "give --yes, or --dry-run to see the plan", cmd->spec->name);
		return -EPERM;
	}
	return 0;
}

static void usage(FILE *out)
{
	int width = 0;

	fputs("usage: hydra [-v] COMMAND [ARGS]\n"
	      "       hydra --help | --version\n\ncommands:\n", out);
	/* One column for the summaries, as wide as the longest command's name. */
	for (const struct hydra_cmd *c = hydra_cmds; c->spec; c++)
		if ((int)strlen(c->spec->name) > width)
			width = (int)strlen(c->spec->name);
	for (const struct hydra_cmd *c = hydra_cmds; c->spec; c++)
		fprintf(out, "  %-*s  %.*s\n", width, c->spec->name,
			(int)strcspn(c->spec->summary, "\n"), c->spec->summary);
	fputs("\noptions:\n"
	      "  -v, --verbose   debug messages (also HYDRA_DEBUG=1)\n"
	      "  -h, --help      this text\n"
	      "      --version   hydra's version\n"
	      "\n'hydra COMMAND --help' shows the options of one command.\n", out);
}

int main(int argc, char **argv)
{
	const struct hydra_cmd *cmd;
	const char *debug = getenv("HYDRA_DEBUG");
	int i, r;

	cli_verbose = debug && !strcmp(debug, "1");
	hydra_set_log(cli_log, NULL);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_DONE;
		} else if (!strcmp(argv[i], "--version")) {
			printf("hydra %s\n", HYDRA_VERSION);
			return EXIT_DONE;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			cli_verbose = 1;
		} else {
			return cli_usage_error(NULL, "option '%s' is not known", argv[i]);
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = cli_find_cmd(argv[i]);
	if (!cmd)
		return cli_usage_error(NULL, "'%s' is not a hydra command", argv[i]);
	r = check_flags(cmd, argc - i, argv + i);
	if (r < 0)
		return cli_exit_code(r);
	return cmd->fn(argc - i, argv + i);
}
