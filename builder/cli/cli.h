/*
 * The hydra command line: one table of subcommands, the log callback, the
 * mapping of library results to exit codes and an option parser that keeps
 * each cmd_*.c thin.
 *
 * A subcommand gets argv[0] = its own name ("build") and returns the exit
 * code of the process: cli_exit_code(r) for a library result, or what
 * cli_parse_options / cli_usage_error returned. Its options, usage and
 * help are one table (struct cli_spec) that the parser and --help read.
 */
#ifndef HYDRA_CLI_H
#define HYDRA_CLI_H

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

/*
 * One option of a command: the parser and --help both read it, so that
 * what the help shows is what the parser takes. A table ends with a zeroed
 * entry; -h/--help is added to every table and may not be in one.
 */
struct cli_option {
	int letter;            /* the short option, or 0 */
	const char *name;      /* the long option, without "--" */
	const char *arg;       /* its argument's placeholder ("FILE"), NULL when it takes none */
	const char *help;      /* its help; each '\n' starts a continuation line */
	int id;                /* given to the command's cli_opt_fn; 0: the letter */
	unsigned flags;
};

enum {
	CLI_OPT_EQ = 1 << 0,   /* shown as --name=ARG (--name ARG works as well) */
};

/*
 * Table entries: an option with a short letter, which is also what the
 * command's cli_opt_fn gets, and a long option alone, which gives it ID.
 * ARG is NULL for an option without an argument.
 */
#define CLI_OPT(letter, name, arg, help) { (letter), (name), (arg), (help), 0, 0 }
#define CLI_LONG(id, name, arg, help) { 0, (name), (arg), (help), (id), 0 }
#define CLI_LONG_EQ(id, name, arg, help) { 0, (name), (arg), (help), (id), CLI_OPT_EQ }

/*
 * What a command, or a subcommand of one, takes and says about itself:
 * --help prints "usage: " and USAGE, SUMMARY, the options and NOTES.
 */
struct cli_spec {
	const char *name;      /* "build", "data init": in messages */
	const char *usage;     /* synopsis lines, each "hydra ..."; NULL: the subcommands' */
	const char *summary;   /* first line also in 'hydra --help'; '\n' continues it */
	const struct cli_option *options;
	const char *notes;     /* lines after the options, or NULL */
	const struct cli_spec *subs;    /* subcommands (data, hw), ending with a zeroed entry */
};

struct hydra_cmd {
	const struct cli_spec *spec;    /* its name is the command's */
	int (*fn)(int argc, char **argv);
	unsigned flags;
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

/* Print the help of SPEC (--help) on OUT. */
void cli_print_usage(const struct cli_spec *spec, FILE *out);

/*
 * Called for each option given, in order, with the option's id and its
 * argument or NULL; returns 0 to go on, or an exit code (cli_usage_error's,
 * say) to stop.
 */
typedef int (*cli_opt_fn)(int id, const char *arg, void *ud);

/*
 * getopt_long over ARGC/ARGV (argv[0] the command name) with the options of
 * SPEC's table and -h/--help. Every option is checked before FN sees any,
 * so that --help after the options prints the help whatever they say.
 * Returns -1 when the command should go on, *FIRST then being the index of
 * the first operand; else the exit code to return at once: 0 after
 * printing the help for --help, 2 after a bad option (the message names
 * the option and points to 'hydra CMD --help').
 */
int cli_parse_options(int argc, char **argv, const struct cli_spec *spec,
		      cli_opt_fn fn, void *ud, int *first);

/*
 * The same for a command with subcommands (SPEC->subs): the subcommand is
 * the first operand, options may come before it and after it, and all of
 * them are checked against the subcommand's table. argv is reordered so
 * that argv[1] is the subcommand; *SUB is its index in SPEC->subs.
 */
int cli_parse_sub(int argc, char **argv, const struct cli_spec *spec,
		  cli_opt_fn fn, void *ud, int *sub, int *first);

/* 2 with a message unless MIN <= N <= MAX operands were given; else -1. */
int cli_check_operands(const char *cmd, int n, int min, int max);

/* Each command's spec, beside its code in cmd_NAME.c. */
extern const struct cli_spec cli_build, cli_run, cli_burn, cli_clone, cli_verify, cli_keygen,
	cli_hw, cli_data, cli_regenerate, cli_install;

int cmd_build(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_burn(int argc, char **argv);
int cmd_clone(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_hw(int argc, char **argv);
int cmd_data(int argc, char **argv);
int cmd_regenerate(int argc, char **argv);
int cmd_install(int argc, char **argv);

#endif
