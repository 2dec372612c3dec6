/* The hydra command: one table of subcommands, each in its own cmd_*.c. */
#ifndef HYDRA_CLI_H
#define HYDRA_CLI_H

#include <getopt.h>

enum {
	F_NEEDS_ROOT = 1 << 0,     /* refused early unless run as root */
	F_DESTRUCTIVE = 1 << 1,    /* writes a disk: --dry-run, confirmation, safety rules */
};

/* Exit codes (DESIGN.md): the contract scripts rely on. */
enum {
	EXIT_DONE = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_REFUSED = 3,
	EXIT_VERIFY = 4,
};

struct hydra_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);   /* returns an exit code */
	unsigned flags;
	const char *usage;                  /* after "hydra NAME " */
	const char *summary;                /* one line for hydra --help */
	const char *options;                /* option lines for hydra NAME --help */
};

/* The library's result as an exit code: one mapping for every command. */
int cli_exit_code(int r);
/* "hydra CMD: MESSAGE", the usage line and a pointer to --help; returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * getopt_long for subcommands: LONGOPTS must hold { "help", no_argument, 0, 'h' }.
 * --help prints the command's help and exits 0; a bad option is a usage
 * error (exit 2). Returns the option, or -1 when the options end (optind
 * is then the first operand).
 */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

int cmd_build(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_burn(int argc, char **argv);
int cmd_clone(int argc, char **argv);

#endif
