/* The option parser every subcommand shares, its help and its messages. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hydra.h"
#include "base/util.h"
#include "cli.h"

void cli_print_usage(const struct hydra_cmd *cmd, FILE *out)
{
	const char *nl = strchr(cmd->usage, '\n');

	fprintf(out, "usage: %.*s\n\n%s\n", nl ? (int)(nl - cmd->usage) : (int)strlen(cmd->usage),
		cmd->usage, cmd->summary);
	if (nl)
		fprintf(out, "\noptions:\n%s\n", nl + 1);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("hydra: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nsee 'hydra %s%s--help'\n", cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

/* WORD is the argument getopt stopped at; OPTOPT the option when it knows it. */
static int bad_option(const char *cmd, int c, const char *word, const struct option *longopts)
{
	const char *why = c == ':' ? "needs an argument" : "is not known";

	if (!strncmp(word, "--", 2)) {
		if (c == ':')
			return cli_usage_error(cmd, "option '%s' %s", word, why);
		for (const struct option *o = longopts; o && o->name; o++)
			if (o->val == optopt && optopt && o->has_arg == no_argument &&
			    !strncmp(word + 2, o->name, strlen(o->name)) && word[2 + strlen(o->name)] == '=')
				return cli_usage_error(cmd, "option '--%s' takes no argument", o->name);
		return cli_usage_error(cmd, "option '%.*s' %s", (int)strcspn(word, "="), word, why);
	}
	return cli_usage_error(cmd, "option '-%c' %s", optopt, why);
}

int cli_parse_options(int argc, char **argv, const char *shortopts,
		      const struct option *longopts, cli_opt_fn fn, void *ud, int *first)
{
	const struct hydra_cmd *cmd = cli_find_cmd(argv[0]);
	struct option *all = NULL;
	char *shorts = NULL;
	size_t n = 0;
	int c, r = EXIT_FAILED;

	while (longopts && longopts[n].name)
		n++;
	all = calloc(n + 2, sizeof(*all));
	shorts = hydra_strdupf(":h%s", shortopts ? shortopts : "");
	if (!all || !shorts) {
		hydra_err("out of memory");
		goto out;
	}
	if (n)
		memcpy(all, longopts, n * sizeof(*all));
	all[n] = (struct option){ "help", no_argument, NULL, 'h' };
	optind = 0;    /* GNU: start over, even after another parse */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
		if (c == 'h') {
			if (cmd)
				cli_print_usage(cmd, stdout);
			r = EXIT_DONE;
			goto out;
		}
		if (c == '?' || c == ':') {
			r = bad_option(argv[0], c, argv[optind - 1], longopts);
			goto out;
		}
		r = fn ? fn(c, optarg, ud) : 0;
		if (r)
			goto out;
	}
	*first = optind;
	r = -1;
out:
	free(all);
	free(shorts);
	return r;
}

int cli_check_operands(const char *cmd, int n, int min, int max)
{
	if (n < min)
		return cli_usage_error(cmd, "too few arguments");
	if (n > max)
		return cli_usage_error(cmd, "too many arguments");
	return -1;
}
