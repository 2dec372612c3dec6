/* hydra verify: is this medium what its MANIFEST says? */
#define _GNU_SOURCE
#include <stdio.h>

#include "clone.h"
#include "cli.h"
#include "medium.h"
#include "progress.h"
#include "util.h"

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "progress", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const states[] = { "complete", "incomplete", "corrupt" };
	enum cli_progress_mode mode = PROGRESS_AUTO;
	struct hydra_verify_report rep;
	struct cli_progress p;
	const char *path = HYDRA_RUNNING_MEDIUM;
	unsigned flags = 0;
	char size[32];
	int c, r;

	while ((c = cli_getopt(argc, argv, "", longopts)) != -1) {
		if (c == 'q')
			flags |= F_VERIFY_QUICK;
		else if (c == 'P' && cli_progress_parse(optarg, &mode))
			return cli_usage_error("--progress takes auto, none or json");
	}
	if (optind < argc - 1)
		return cli_usage_error("expected at most one IMAGE or DEVICE");
	if (optind == argc - 1)
		path = argv[optind];
	cli_progress_init(&p, mode, "verifying");
	r = hydra_medium_verify(path, flags, cli_progress_cb, &p, &rep);
	cli_progress_done(&p);
	if (r == 0 || rep.id[0] || rep.bad_file[0]) {
		printf("%s: %s", path, states[rep.state]);
		if (rep.id[0])
			printf(", image %s", rep.id);
		if (rep.bad_file[0])
			printf(", first bad: %s", rep.bad_file);
		printf(", %zu files, %s %s\n", rep.files, hydra_format_size(rep.bytes, size, sizeof(size)),
		       flags & F_VERIFY_QUICK ? "sized" : "checked");
	}
	return cli_exit_code(r);
}
