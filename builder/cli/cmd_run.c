/* hydra run: boot an image in QEMU with its console on this terminal. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "hydra.h"
#include "util.h"

#define OVMF_CODE "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define OVMF_VARS "/usr/share/OVMF/OVMF_VARS_4M.fd"
#define MAX_ARGS 64

struct argv_buf {
	const char *v[MAX_ARGS + 1];
	char *owned[MAX_ARGS];
	int n, n_owned;
};

static void add(struct argv_buf *a, const char *s)
{
	if (a->n < MAX_ARGS)
		a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void addf(struct argv_buf *a, char *s)
{
	if (s && a->n_owned < MAX_ARGS)
		a->owned[a->n_owned++] = s;
	add(a, s);
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "uefi", no_argument, NULL, 'u' },
		{ "disk", required_argument, NULL, 'd' },
		{ "memory", required_argument, NULL, 'm' },
		{ "snapshot", no_argument, NULL, 's' },
		{ "print", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *disks[16], *memory = "1024", *accel = getenv("HYDRA_QEMU_ACCEL");
	int n_disks = 0, uefi = 0, snapshot = 0, print = 0, c, r;
	char vars[] = "/tmp/hydra-vars.XXXXXX";
	struct argv_buf a = { 0 };

	while ((c = cli_getopt(argc, argv, "", longopts)) != -1) {
		if (c == 'u')
			uefi = 1;
		else if (c == 'd' && n_disks < 16)
			disks[n_disks++] = optarg;
		else if (c == 'm')
			memory = optarg;
		else if (c == 's')
			snapshot = 1;
		else if (c == 'p')
			print = 1;
	}
	if (optind >= argc)
		return cli_usage_error("expected an IMAGE");
	if (access(argv[optind], R_OK) < 0) {
		fprintf(stderr, "hydra: error: cannot open '%s': %s\n", argv[optind], strerror(errno));
		return EXIT_FAILED;
	}
	if (!print && hydra_tool_require("qemu-system-x86_64"))
		return EXIT_FAILED;
	add(&a, "qemu-system-x86_64");
	add(&a, "-accel");
	/* KVM hangs on some hosts; it is used only when asked for. */
	add(&a, accel && *accel ? accel : "tcg");
	add(&a, "-m");
	add(&a, memory);
	add(&a, "-nographic");
	add(&a, "-serial");
	add(&a, "mon:stdio");
	add(&a, "-drive");
	addf(&a, hydra_strdupf("file=%s,format=raw,if=virtio%s", argv[optind],
			       snapshot ? ",snapshot=on" : ""));
	for (int i = 0; i < n_disks; i++) {
		add(&a, "-drive");
		addf(&a, hydra_strdupf("file=%s,format=raw,if=virtio", disks[i]));
	}
	if (uefi) {
		if (access(OVMF_CODE, R_OK) < 0) {
			fprintf(stderr, "hydra: error: cannot find %s: install the Debian package "
					"'ovmf'\n", OVMF_CODE);
			return EXIT_FAILED;
		}
		if (!print) {
			int fd = mkstemp(vars);

			if (fd < 0 || hydra_copy_file(OVMF_VARS, vars) < 0)
				return EXIT_FAILED;
			close(fd);
		}
		add(&a, "-drive");
		addf(&a, hydra_strdupf("if=pflash,format=raw,readonly=on,file=%s", OVMF_CODE));
		add(&a, "-drive");
		addf(&a, hydra_strdupf("if=pflash,format=raw,file=%s", vars));
	}
	for (int i = optind + 1; i < argc; i++)
		add(&a, argv[i]);
	if (print) {
		for (int i = 0; i < a.n; i++)
			printf("%s%s", i ? " " : "", a.v[i]);
		printf("\n");
		r = 0;
	} else {
		r = hydra_run(a.v, NULL);
		if (uefi)
			unlink(vars);
	}
	for (int i = 0; i < a.n_owned; i++)
		free(a.owned[i]);
	return r ? EXIT_FAILED : EXIT_DONE;
}
