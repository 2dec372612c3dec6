/* hydra: dispatch to a subcommand through one table; help comes from the table. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hydra.h"

static const struct hydra_cmd commands[] = {
	{ "build", cmd_build, 0, "[-o OUT] [--size SIZE] RECIPE",
	  "assemble an image from a recipe",
	  "  -o, --output OUT   write the image to OUT (default: out/NAME.img)\n"
	  "      --size SIZE    image size, e.g. 2G (default: the recipe's, else planned)\n" },
	{ "run", cmd_run, 0, "[--uefi] [--disk FILE]... [--memory MB] [--snapshot] [--print] IMAGE [-- QEMU-ARGS]",
	  "boot an image in QEMU, console on this terminal",
	  "      --uefi         boot with OVMF instead of SeaBIOS\n"
	  "      --disk FILE    add FILE as another virtio disk (repeatable)\n"
	  "      --memory MB    guest memory (default 1024)\n"
	  "      --snapshot     do not write changes back to IMAGE\n"
	  "      --print        print the QEMU command instead of running it\n" },
	{ "burn", cmd_burn, F_DESTRUCTIVE, "[--yes] [--dry-run] [--progress=MODE] IMAGE DEVICE",
	  "write an image to a stick or disk, verified",
	  "      --yes          do not ask for typed confirmation (safety rules still hold)\n"
	  "      --dry-run      show the plan, write nothing\n"
	  "      --progress=MODE  auto, none or json\n" },
	{ "clone", cmd_clone, F_DESTRUCTIVE | F_NEEDS_ROOT,
	  "[--yes] [--dry-run] [--as NODE] [--data none|empty|copy] [--progress=MODE] DEVICE",
	  "replicate the running node onto DEVICE",
	  "      --yes          do not ask for typed confirmation (safety rules still hold)\n"
	  "      --dry-run      show the plan, write nothing\n"
	  "      --as NODE      the clone boots as NODE (hydra.node=NODE)\n"
	  "      --data MODE    none (default), empty or copy\n"
	  "      --source DIR   medium to clone (default: the running one, /run/hydra/medium)\n"
	  "      --progress=MODE  auto, none or json\n" },
	{ "verify", cmd_verify, 0, "[--quick] [--progress=MODE] [IMAGE|DEVICE]",
	  "check a medium against its MANIFEST (default: the running one)",
	  "      --quick        check sizes only\n"
	  "      --progress=MODE  auto, none or json\n" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct hydra_cmd *current;
static int verbose;

static void on_log(int level, const char *msg, void *ud)
{
	(void)ud;
	if (level == HYDRA_LOG_ERROR)
		fprintf(stderr, "hydra: error: %s\n", msg);
	else if (level == HYDRA_LOG_WARN)
		fprintf(stderr, "hydra: warning: %s\n", msg);
	else if (level == HYDRA_LOG_INFO || verbose)
		fprintf(stderr, "%s\n", msg);
}

/* Errnos the safety rules use to refuse a target (exit 3). */
static const struct {
	int err;
	int code;
} exit_codes[] = {
	{ -EBADMSG, EXIT_VERIFY },
	{ -EKEYREJECTED, EXIT_VERIFY },
	{ -EBUSY, EXIT_REFUSED },
	{ -EROFS, EXIT_REFUSED },
	{ -ENOSPC, EXIT_REFUSED },
	{ -EPERM, EXIT_REFUSED },
	{ -ECANCELED, EXIT_REFUSED },
};

int cli_exit_code(int r)
{
	if (r == 0)
		return EXIT_DONE;
	for (size_t i = 0; i < sizeof(exit_codes) / sizeof(exit_codes[0]); i++)
		if (exit_codes[i].err == r)
			return exit_codes[i].code;
	return EXIT_FAILED;
}

static void print_help(const struct hydra_cmd *c, FILE *f)
{
	fprintf(f, "usage: hydra %s %s\n\n%s.\n", c->name, c->usage, c->summary);
	if (c->options && *c->options)
		fprintf(f, "\noptions:\n%s", c->options);
	if (c->flags & F_DESTRUCTIVE)
		fprintf(f, "\nThis command writes a disk: it refuses the disks the running system\n"
			   "uses, mounted, held, read-only and too-small targets, even with --yes.\n");
	fprintf(f, "\nexit codes: 0 done, 1 failed, 2 usage, 3 refused for safety, "
		   "4 verification failed\n");
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, current ? "hydra %s: " : "hydra: ", current ? current->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (current)
		fprintf(stderr, "\nusage: hydra %s %s\nSee 'hydra %s --help'.\n", current->name,
			current->usage, current->name);
	else
		fprintf(stderr, "\nSee 'hydra --help'.\n");
	return EXIT_USAGE;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == 'h') {
		print_help(current, stdout);
		exit(EXIT_DONE);
	}
	if (c == '?' || c == ':') {
		if (optopt)
			exit(cli_usage_error(c == ':' ? "option '-%c' needs a value" :
						      "unknown option '-%c'", optopt));
		exit(cli_usage_error(c == ':' ? "option '%s' needs a value" : "unknown option '%s'",
				     argv[optind - 1]));
	}
	return c;
}

static void print_main_help(FILE *f)
{
	fprintf(f, "usage: hydra [-v] [--version] [--help] COMMAND [ARGS]\n\n"
		   "hydra builds live operating-system images that can replicate themselves.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nSee 'hydra COMMAND --help' for one command.\n");
}

int main(int argc, char **argv)
{
	int i = 1;

	hydra_set_log(on_log, NULL);
	verbose = getenv("HYDRA_DEBUG") && strcmp(getenv("HYDRA_DEBUG"), "0");
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			print_main_help(stdout);
			return EXIT_DONE;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("hydra %s\n", HYDRA_VERSION);
			return EXIT_DONE;
		}
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			verbose = 1;
		else
			return cli_usage_error("unknown option '%s'", argv[i]);
	}
	if (i >= argc) {
		print_main_help(stderr);
		return EXIT_USAGE;
	}
	for (size_t c = 0; c < N_COMMANDS; c++) {
		if (strcmp(commands[c].name, argv[i]))
			continue;
		current = &commands[c];
		if ((current->flags & F_NEEDS_ROOT) && geteuid() != 0 &&
		    !(argc > i + 1 && !strcmp(argv[i + 1], "--help"))) {
			fprintf(stderr, "hydra: error: 'hydra %s' must run as root\n", current->name);
			return EXIT_FAILED;
		}
		return current->fn(argc - i, argv + i);
	}
	return cli_usage_error("'%s' is not a hydra command", argv[i]);
}
