/* hydra clone: the running node, written onto another disk. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "clone.h"
#include "cli.h"
#include "confirm.h"
#include "progress.h"
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

int cmd_clone(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "as", required_argument, NULL, 'a' },
		{ "data", required_argument, NULL, 'd' },
		{ "source", required_argument, NULL, 's' },
		{ "progress", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum cli_progress_mode mode = PROGRESS_AUTO;
	struct hydra_clone_opts o = { .sysroot = "" };
	struct hydra_clone_plan plan;
	struct cli_progress p;
	int yes = 0, dry = 0, c, r;

	while ((c = cli_getopt(argc, argv, "yn", longopts)) != -1) {
		if (c == 'y')
			yes = 1;
		else if (c == 'n')
			dry = 1;
		else if (c == 'a')
			o.node = optarg;
		else if (c == 's')
			o.source = optarg;
		else if (c == 'P' && cli_progress_parse(optarg, &mode))
			return cli_usage_error("--progress takes auto, none or json");
		else if (c == 'd') {
			if (!strcmp(optarg, "none"))
				o.data = HYDRA_DATA_NONE;
			else if (!strcmp(optarg, "empty"))
				o.data = HYDRA_DATA_EMPTY;
			else if (!strcmp(optarg, "copy"))
				o.data = HYDRA_DATA_COPY;
			else
				return cli_usage_error("--data takes none, empty or copy");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("expected one DEVICE, e.g. /dev/sdb");
	r = hydra_clone_plan(argv[optind], &o, &plan);
	if (r)
		return cli_exit_code(r);
	print_plan(argv[optind], &plan, &o);
	if (dry)
		return EXIT_DONE;
	if (!yes && (r = cli_confirm_device(argv[optind])))
		return cli_exit_code(r);
	cli_progress_init(&p, mode, "cloning");
	o.progress = cli_progress_cb;
	o.progress_ud = &p;
	r = hydra_clone(argv[optind], &o);
	cli_progress_done(&p);
	if (!r)
		printf("%s: clone of image %s written, read back and committed\n", argv[optind],
		       plan.id);
	return cli_exit_code(r);
}
