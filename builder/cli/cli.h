/*
 * The hydra command line: one table of subcommands, the log callback, the
 * mapping of library results to exit codes and an option parser that keeps
 * each cmd_*.c thin.
 *
 * A subcommand gets argv[0] = its own name ("build") and returns the exit
 * code of the process: cli_exit_code(r) for a library result, or what
 * cli_parse_options / cli_usage_error returned.
 */
#ifndef HYDRA_CLI_H
#define HYDRA_CLI_H

#include <getopt.h>
#include <stdio.h>

/* Exit codes, as the README lists them. */
enum {
	EXIT_DONE = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_REFUSED = 3,      /* refused for safety */
	EXIT_VERIFY = 4,       /* verification failed */
};

/* Checked once, in main, before the command runs. */
enum {
	F_NEEDS_ROOT = 1 << 0,     /* refuse unless root (exit 3) */
	F_DESTRUCTIVE = 1 << 1,    /* refuse without --yes, --dry-run or a terminal to ask */
};

struct hydra_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	unsigned flags;
	/* "hydra build [-o OUT] RECIPE", then optional option lines after '\n' */
	const char *usage;
	const char *summary;       /* one line for 'hydra --help' */
};

extern const struct hydra_cmd hydra_cmds[];    /* ends with a zeroed entry */

const struct hydra_cmd *cli_find_cmd(const char *name);

/* Debug lines are printed when set (-v, --verbose, HYDRA_DEBUG=1). */
extern int cli_verbose;
void cli_log(int level, const char *msg, void *ud);

/*
 * Library result (0 or -errno) to exit code: 0 → 0, -EBADMSG → 4, the
 * refusals of the safety checks (-EPERM, -EBUSY, -EROFS, -ENOSPC,
 * -ECANCELED) → 3, anything else → 1. A positive R is already an exit code.
 */
int cli_exit_code(int r);

/* Print "hydra: error: MESSAGE" and "see 'hydra CMD --help'"; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print the usage of CMD on OUT. */
void cli_print_usage(const struct hydra_cmd *cmd, FILE *out);

/*
 * Called for each option getopt_long returns (C, its argument or NULL);
 * returns 0 to go on, or an exit code (cli_usage_error's, say) to stop.
 */
typedef int (*cli_opt_fn)(int c, const char *arg, void *ud);

/*
 * getopt_long over ARGC/ARGV (argv[0] the command name) with -h/--help
 * added. Returns -1 when the command should go on, *FIRST then being the
 * index of the first operand; else the exit code to return at once: 0 after
 * printing the usage for --help, 2 after a bad option (the message names
 * the option and points to 'hydra CMD --help').
 */
int cli_parse_options(int argc, char **argv, const char *shortopts,
		      const struct option *longopts, cli_opt_fn fn, void *ud, int *first);

/* 2 with a message unless MIN <= N <= MAX operands were given; else -1. */
int cli_check_operands(const char *cmd, int n, int min, int max);

int cmd_build(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_burn(int argc, char **argv);
int cmd_clone(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_hw(int argc, char **argv);
int cmd_data(int argc, char **argv);

#endif
