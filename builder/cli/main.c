/*
 * hydra: the command table, global options, the log callback, exit codes
 * and the option parser every subcommand shares.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "cli.h"
#include "trustopt.h"

const struct hydra_cmd hydra_cmds[] = {
	{ "build", cmd_build, 0,
	  "hydra build [-o OUT] [--size SIZE] [--sign KEY] [--no-cache] RECIPE\n"
	  "  -o, --output OUT   write the image to OUT (default out/NAME.img)\n"
	  "      --size SIZE    medium size, like 2G (default: the recipe's, else planned)\n"
	  "      --sign KEY     sign the MANIFEST with the private key KEY (hydra keygen)\n"
	  "      --no-cache     make every stage again instead of taking it from out/cache",
	  "assemble an image from a recipe" },
	{ "run", cmd_run, 0,
	  "hydra run [--uefi] [--disk FILE]... [--memory MB] [--snapshot] [--print] IMAGE [-- QEMU-ARGS]\n"
	  "      --uefi         boot with OVMF instead of the BIOS\n"
	  "      --disk FILE    another virtio raw disk (repeatable)\n"
	  "      --memory MB    guest memory (default 1024)\n"
	  "      --snapshot     discard every write to the disks when QEMU exits\n"
	  "      --print        print the QEMU command line instead of running it\n"
	  "  HYDRA_QEMU_ACCEL=kvm uses KVM instead of TCG",
	  "boot an image in QEMU" },
	{ "burn", cmd_burn, F_DESTRUCTIVE,
	  "hydra burn [--yes] [--dry-run] [--key FILE] [--require-signature] IMAGE DEVICE\n"
	  "  -y, --yes          no typed confirmation (the safety rules still hold)\n"
	  "  -n, --dry-run      show the plan, write nothing\n"
	  "      --progress=MODE  auto (a line on a terminal), none or json\n"
	  CLI_TRUST_USAGE,
	  "write an image to a stick or disk, verified" },
	{ "clone", cmd_clone, F_DESTRUCTIVE | F_NEEDS_ROOT,
	  "hydra clone [--yes] [--dry-run] [--as NODE] [--data none|empty|copy|replica] [--key-file F] DEVICE\n"
	  "  -y, --yes          no typed confirmation (the safety rules still hold)\n"
	  "  -n, --dry-run      show the plan, write nothing\n"
	  "      --as NODE      the clone boots as NODE (hydra.node=NODE)\n"
	  "      --data MODE    none (default); empty: partition 2, a new LUKS2 volume;\n"
	  "                     copy: the same, with this node's data files copied in;\n"
	  "                     replica (with --as NODE): with NODE's replica kept here,\n"
	  "                     restored at its first boot with its recovery key\n"
	  "      --key-file F   the new volume's passphrase (else asked twice)\n"
	  "      --pbkdf-fast   argon2id at 4 iterations and 32 KiB, for tests only\n"
	  "      --source DIR   the medium to clone (default: the running one)\n"
	  "      --progress=MODE  auto, none or json\n"
	  CLI_TRUST_USAGE,
	  "replicate the running node onto DEVICE" },
	{ "verify", cmd_verify, 0,
	  "hydra verify [--quick] [--key FILE] [--require-signature] [IMAGE|DEVICE]\n"
	  "      --quick        sizes only\n"
	  "      --progress=MODE  auto, none or json\n"
	  CLI_TRUST_USAGE "\n"
	  "  without IMAGE or DEVICE, the medium this node runs from",
	  "check a medium against its MANIFEST" },
	{ "keygen", cmd_keygen, 0,
	  "hydra keygen [--force-dir] NAME\n"
	  "      --force-dir    make NAME's directory (mode 0700) when it is missing\n"
	  "  writes NAME.key (private, 0600) and NAME.pub; never overwrites",
	  "make an ed25519 key pair for signing media" },
	{ "data", cmd_data, F_NEEDS_ROOT,
	  "hydra data init|unlock|lock|status|snapshot|restore|backup|replicas [OPTIONS] [FILE]\n"
	  "  init               add partition 2 after partition 1: LUKS2 (argon2id,\n"
	  "                     aes-xts-plain64), ext4 inside; asks a new passphrase\n"
	  "  unlock             open it (three tries), mount it on " "/var/lib/hydra/data" ",\n"
	  "                     bind the recipe's persisted paths from it\n"
	  "  lock               unmount it and close it\n"
	  "  status             absent, locked, unlocked or mounted, and sizes\n"
	  "  snapshot -o FILE   its files into a tar.zst with a header (node, image, time)\n"
	  "  restore FILE       a snapshot into the empty, mounted volume\n"
	  "  restore --from NODE  this node's data from its replica on NODE\n"
	  "  backup             snapshot the volume into this node's replica on each neighbour\n"
	  "  replicas           replicas kept here and this node's replicas elsewhere\n"
	  "  -d, --device DISK  a disk or image file instead of the running medium's disk\n"
	  "  -s, --size SIZE    init: partition size (default: all the free space)\n"
	  "      --key-file F   the passphrase is the whole of F (mode 0600 or stricter)\n"
	  "      --force        init: replace an existing partition 2 (asks unless --yes)\n"
	  "  -y, --yes          no typed confirmation for --force\n"
	  "      --mount DIR    unlock --device: mount the volume on DIR\n"
	  "      --from DIR     snapshot: the tree to save (default: the mounted volume)\n"
	  "      --to DIR       restore: the directory to fill (default: the mounted volume)\n"
	  "      --pbkdf-fast   init: argon2id at 4 iterations and 32 KiB, for tests only:\n"
	  "                     such a passphrase is cheap to guess\n"
	  "      --to NODE      backup: this neighbour only (repeatable; default: all)\n"
	  "      --from NODE    restore: the neighbour keeping the replica (or the copy of it\n"
	  "                     a clone made there); --key-file F: the recovery key is F's\n"
	  "      --snapshot ID  restore: that snapshot (default: the newest)\n"
	  "      --check        replicas: restic check --read-data of this node's replicas;\n"
	  "                     of those kept here, the SHA-256 of each file against its name\n"
	  "      --node NODE    replicas: only NODE's replicas and those on NODE\n"
	  "      --accept NODE --key FILE  replicas: let NODE keep its replica here, FILE\n"
	  "                     holding its public key (chrooted sftp user replica-NODE)\n"
	  "      --users        replicas: make the users of the nodes accepted here (boot)\n"
	  "      --progress=MODE  backup: auto, none or json",
	  "the encrypted data partition and its replicas" },
	{ "hw", cmd_hw, 0, "hydra hw probe|match|list|inventory [OPTIONS] (see 'hydra hw --help')", "record this machine / which node is this / the fleet as an Ansible inventory" },
	{ 0 },
};

int cli_verbose;

const struct hydra_cmd *cli_find_cmd(const char *name)
{
	for (const struct hydra_cmd *c = hydra_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

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
		hydra_err("'hydra %s' must run as root", cmd->name);
		return -EPERM;
	}
	if ((cmd->flags & F_DESTRUCTIVE) && !isatty(STDIN_FILENO) && !has_option(argc, argv, asked)) {
		hydra_err("'hydra %s' writes disks and there is no terminal to confirm it: "
			  "give --yes, or --dry-run to see the plan", cmd->name);
		return -EPERM;
	}
	return 0;
}

static void usage(FILE *out)
{
	fputs("usage: hydra [-v] COMMAND [ARGS]\n"
	      "       hydra --help | --version\n\ncommands:\n", out);
	for (const struct hydra_cmd *c = hydra_cmds; c->name; c++)
		fprintf(out, "  %-8s  %s\n", c->name, c->summary);
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
