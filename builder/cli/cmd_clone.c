/* hydra clone: the running node, written onto another disk. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "clone.h"
#include "cli.h"
#include "confirm.h"
#include "progress.h"
#include "trustopt.h"
#include "util.h"

static void print_plan(const char *device, const struct hydra_clone_plan *p,
		       const struct hydra_clone_opts *o)
{
	char payload[32], min[32];

	printf("plan: clone image %s onto %s\n", p->id, p->target);
	printf("  partition 1: FAT32 'HYDRA', %s, from 1 MiB; %u files, %s to copy and read back\n",
	       hydra_format_size(p->min_size - (1 << 20), min, sizeof(min)), p->files,
	       hydra_format_size(p->payload_bytes, payload, sizeof(payload)));
	printf("  node: %s; data: none\n", o->node ? o->node : "(chosen at boot)");
	/* A USB 2 stick writes some 10 MB/s: say how long that would take, at worst. */
	printf("  estimated time: %.0f s at 10 MB/s, plus reading back\n",
	       (double)p->payload_bytes / 10e6);
	(void)device;
}

struct clone_args {
	int yes, dry;
	enum cli_progress_mode mode;
	struct hydra_clone_opts o;
	struct cli_trust trust;
};

static int on_option(int c, const char *arg, void *ud)
{
	struct clone_args *a = ud;
	int r = cli_trust_option(&a->trust, c, arg);

	if (r)
		return r == 1 ? 0 : r;
	switch (c) {
	case 'y': a->yes = 1; break;
	case 'n': a->dry = 1; break;
	case 'a': a->o.node = arg; break;
	case 's': a->o.source = arg; break;
	case 'P':
		if (cli_progress_parse(arg, &a->mode))
			return cli_usage_error("clone", "--progress takes auto, none or json");
		break;
	case 'd':
		if (!strcmp(arg, "none"))
			a->o.data = HYDRA_DATA_NONE;
		else if (!strcmp(arg, "empty"))
			a->o.data = HYDRA_DATA_EMPTY;
		else if (!strcmp(arg, "copy"))
			a->o.data = HYDRA_DATA_COPY;
		else
			return cli_usage_error("clone", "--data takes none, empty or copy");
		break;
	}
	return 0;
}

int cmd_clone(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "as", required_argument, NULL, 'a' },
		{ "data", required_argument, NULL, 'd' },
		{ "source", required_argument, NULL, 's' },
		{ "progress", required_argument, NULL, 'P' },
		CLI_TRUST_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct clone_args a = { .mode = PROGRESS_AUTO, .o = { .sysroot = "" } };
	struct hydra_clone_plan plan;
	struct cli_progress p;
	const char *device;
	int first, r;

	r = cli_parse_options(argc, argv, "ynk:", longopts, on_option, &a, &first);
	if (r >= 0)
		return r;
	r = cli_check_operands("clone", argc - first, 1, 1);
	if (r >= 0)
		return r;
	device = argv[first];
	r = cli_trust_check(&a.trust, a.o.source ? a.o.source : HYDRA_RUNNING_MEDIUM);
	if (r) {
		hydra_err("refusing to clone: the medium's signature does not pass");
		return cli_exit_code(r);
	}
	r = hydra_clone_plan(device, &a.o, &plan);
	if (r)
		return cli_exit_code(r);
	print_plan(device, &plan, &a.o);
	if (a.dry)
		return EXIT_DONE;
	if (!a.yes && (r = cli_confirm_device(device)))
		return cli_exit_code(r);
	cli_progress_init(&p, a.mode, "cloning");
	a.o.progress = cli_progress_cb;
	a.o.progress_ud = &p;
	r = hydra_clone(device, &a.o);
	cli_progress_done(&p);
	if (!r)
		printf("%s: clone of image %s written, read back and committed\n", device, plan.id);
	return cli_exit_code(r);
}
