/*
 * hydra run: boot an image in QEMU with the serial console on the terminal,
 * like `mkosi vm`. TCG unless HYDRA_QEMU_ACCEL=kvm, because KVM is not
 * available (or hangs) on many build machines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "cli.h"

#define QEMU "qemu-system-x86_64"
#define OVMF_DIR "/usr/share/OVMF"
#define OVMF_CODE "OVMF_CODE_4M.fd"
#define OVMF_VARS "OVMF_VARS_4M.fd"
#define MAX_DISKS 16

struct run_opts {
	int uefi, snapshot, print;
	unsigned long memory;
	const char *disks[MAX_DISKS];
	size_t n_disks;
};

enum { O_UEFI = 256, O_DISK, O_MEMORY, O_SNAPSHOT, O_PRINT };

static int run_opt(int c, const char *arg, void *ud)
{
	struct run_opts *o = ud;
	char *end;

	switch (c) {
	case O_UEFI: o->uefi = 1; break;
	case O_SNAPSHOT: o->snapshot = 1; break;
	case O_PRINT: o->print = 1; break;
	case O_DISK:
		if (o->n_disks == MAX_DISKS)
			return cli_usage_error("run", "more than %d disks", MAX_DISKS);
		o->disks[o->n_disks++] = arg;
		break;
	case O_MEMORY:
		errno = 0;
		o->memory = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || o->memory < 64 || o->memory > 1048576)
			return cli_usage_error("run", "bad memory size '%s': expected megabytes, 64 or more",
					       arg);
		break;
	}
	return 0;
}

/* Print ARGV as a shell command line. */
static void print_argv(char *const argv[])
{
	for (size_t i = 0; argv[i]; i++) {
		const char *a = argv[i];

		if (i)
			putchar(' ');
		if (*a && strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789_-+=/.,:@%") == strlen(a)) {
			fputs(a, stdout);
			continue;
		}
		putchar('\'');
		for (; *a; a++)
			fputs(*a == '\'' ? "'\\''" : (char[]){ *a, 0 }, stdout);
		putchar('\'');
	}
	putchar('\n');
}

static int readable(const char *path, const char *what)
{
	if (access(path, R_OK) < 0) {
		int r = -errno;

		hydra_err("cannot open %s '%s': %s", what, path, strerror(-r));
		return r;
	}
	return 0;
}

/* The firmware files, checked; the package is named when they are missing. */
static int ovmf_paths(char **code, char **vars)
{
	const char *dir = getenv("HYDRA_OVMF_DIR");

	if (!dir || !*dir)
		dir = OVMF_DIR;
	*code = hydra_path_join(dir, OVMF_CODE);
	*vars = hydra_path_join(dir, OVMF_VARS);
	if (!*code || !*vars)
		return -ENOMEM;
	for (int i = 0; i < 2; i++) {
		const char *p = i ? *vars : *code;

		if (access(p, R_OK) < 0) {
			hydra_err("cannot find UEFI firmware '%s': install the Debian package ovmf", p);
			return -ENOENT;
		}
	}
	return 0;
}

/* "PREFIX" + PATH + "SUFFIX", with PATH's commas doubled as QEMU's option syntax wants. */
static char *drive(const char *prefix, const char *path, const char *suffix)
{
	size_t n = strlen(prefix) + 2 * strlen(path) + strlen(suffix) + 1;
	char *s = malloc(n), *p;

	if (!s)
		return NULL;
	p = stpcpy(s, prefix);
	for (; *path; path++) {
		if (*path == ',')
			*p++ = ',';
		*p++ = *path;
	}
	strcpy(p, suffix);
	return s;
}

/* Append a malloc'd string to ARGV (NULL-terminated, room for it); NULL on ENOMEM. */
static int push(char **argv, size_t *n, char *s)
{
	if (!s)
		return -ENOMEM;
	argv[(*n)++] = s;
	argv[*n] = NULL;
	return 0;
}

static int build_argv(const struct run_opts *o, const char *image, const char *vars_copy,
		      const char *code, char **extra, int n_extra, char **argv)
{
	const char *accel = getenv("HYDRA_QEMU_ACCEL");
	size_t n = 0;
	int r = 0;

	r |= push(argv, &n, strdup(QEMU));
	r |= push(argv, &n, strdup("-accel"));
	r |= push(argv, &n, strdup(accel && !strcmp(accel, "kvm") ? "kvm" : "tcg"));
	r |= push(argv, &n, strdup("-m"));
	r |= push(argv, &n, hydra_strdupf("%lu", o->memory));
	r |= push(argv, &n, strdup("-nographic"));
	r |= push(argv, &n, strdup("-serial"));
	r |= push(argv, &n, strdup("mon:stdio"));
	if (o->uefi) {
		r |= push(argv, &n, strdup("-drive"));
		r |= push(argv, &n, drive("if=pflash,format=raw,unit=0,readonly=on,file=", code, ""));
		r |= push(argv, &n, strdup("-drive"));
		r |= push(argv, &n, drive("if=pflash,format=raw,unit=1,file=", vars_copy, ""));
	}
	r |= push(argv, &n, strdup("-drive"));
	r |= push(argv, &n, drive("file=", image, ",format=raw,if=virtio"));
	for (size_t i = 0; i < o->n_disks; i++) {
		r |= push(argv, &n, strdup("-drive"));
		r |= push(argv, &n, drive("file=", o->disks[i], ",format=raw,if=virtio"));
	}
	if (o->snapshot)
		r |= push(argv, &n, strdup("-snapshot"));
	for (int i = 0; i < n_extra; i++)
		r |= push(argv, &n, strdup(extra[i]));
	return r ? -ENOMEM : 0;
}

static void on_signal(int sig)
{
	(void)sig;
}

/*
 * Run QEMU and wait for it. A signal that hydra receives alone (kill of its
 * pid, a hang-up) must not leave the firmware copy behind: the handlers only
 * interrupt the wait, which goes on until QEMU itself ends. Handlers, unlike
 * ignored signals, are reset at exec, so QEMU still reacts to them.
 */
static int run_qemu(char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal }, old[3];
	int r;

	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	r = hydra_run((const char *const *)argv, NULL);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	return r;
}

static int run(const struct run_opts *o, const char *image, char **extra, int n_extra)
{
	char tmp[] = "/tmp/hydra-run.XXXXXX";
	char *code = NULL, *vars = NULL, *vars_copy = NULL, **argv = NULL;
	int have_tmp = 0, r;

	r = readable(image, "image");
	for (size_t i = 0; !r && i < o->n_disks; i++)
		r = readable(o->disks[i], "disk");
	if (!r)
		r = hydra_tool_require(QEMU);
	if (!r && o->uefi)
		r = ovmf_paths(&code, &vars);
	if (r)
		goto out;
	if (o->uefi && o->print) {
		/* Nothing is copied for --print; the name shows where the copy would go. */
		vars_copy = hydra_path_join(tmp, OVMF_VARS);
	} else if (o->uefi) {
		if (!mkdtemp(tmp)) {
			r = -errno;
			hydra_err("cannot make a temporary directory: %s", strerror(-r));
			goto out;
		}
		have_tmp = 1;
		vars_copy = hydra_path_join(tmp, OVMF_VARS);
		if (vars_copy && (r = hydra_copy_file(vars, vars_copy)) < 0) {
			hydra_err("cannot copy '%s' to '%s': %s", vars, vars_copy, strerror(-r));
			goto out;
		}
	}
	argv = calloc((size_t)n_extra + 32 + 2 * o->n_disks, sizeof(*argv));
	if (!argv || (o->uefi && !vars_copy) ||
	    build_argv(o, image, vars_copy, code, extra, n_extra, argv) < 0) {
		r = -ENOMEM;
		hydra_err("out of memory");
		goto out;
	}
	if (o->print) {
		print_argv(argv);
		goto out;
	}
	hydra_debug("running %s", QEMU);
	r = run_qemu(argv);
	if (r > 0) {
		hydra_err("%s exited with status %d", QEMU, r);
		r = -EIO;
	} else if (r < 0) {
		hydra_err("cannot run %s: %s", QEMU, strerror(-r));
	}
out:
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
	if (have_tmp)
		hydra_rm_rf(tmp);
	free(code);
	free(vars);
	free(vars_copy);
	return r;
}

static const struct cli_option options[] = {
	CLI_LONG(O_UEFI, "uefi", NULL, "boot with OVMF instead of the BIOS"),
	CLI_LONG(O_DISK, "disk", "FILE", "another virtio raw disk (repeatable)"),
	CLI_LONG(O_MEMORY, "memory", "MB", "guest memory (default 1024)"),
	CLI_LONG(O_SNAPSHOT, "snapshot", NULL, "discard every write to the disks when QEMU exits"),
	CLI_LONG(O_PRINT, "print", NULL, "print the QEMU command line instead of running it"),
	{ 0 },
};

const struct cli_spec cli_run = {
	.name = "run",
	.usage = "hydra run [--uefi] [--disk FILE]... [--memory MB] [--snapshot] [--print] IMAGE "
		 "[-- QEMU-ARGS]",
	.summary = "boot an image in QEMU",
	.options = options,
	.notes = "HYDRA_QEMU_ACCEL=kvm uses KVM instead of TCG",
};

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .memory = 1024 };
	int first, r, n_extra = 0, end = argc;

	/* Everything after "--" goes to QEMU untouched, so cut it off before getopt. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			end = i;
			n_extra = argc - i - 1;
			break;
		}
	r = cli_parse_options(end, argv, &cli_run, run_opt, &o, &first);
	if (r >= 0)
		return r;
	r = cli_check_operands("run", end - first, 1, 1);
	if (r >= 0)
		return r;
	return cli_exit_code(run(&o, argv[first], argv + end + 1, n_extra));
}
