/* hydra verify: is this medium what its MANIFEST says? */
#define _GNU_SOURCE
#include <stdio.h>

#include "base/util.h"
#include "cli.h"
#include "format/layout.h"
#include "medium/clone.h"
#include "medium/medium.h"
#include "progress.h"
#include "trustopt.h"

struct verify_args {
	unsigned flags;
	enum cli_progress_mode mode;
	struct cli_trust trust;
};

static int on_option(int c, const char *arg, void *ud)
{
	struct verify_args *a = ud;
	int r = cli_trust_option(&a->trust, c, arg);

	if (r)
		return r == 1 ? 0 : r;
	if (c == 'q')
		a->flags |= F_VERIFY_QUICK;
	else if (c == 'P' && cli_progress_parse(arg, &a->mode))
		return cli_usage_error("verify", "--progress takes auto, none or json");
	return 0;
}

static const struct cli_option options[] = {
	CLI_LONG('q', "quick", NULL, "sizes only"),
	CLI_LONG_EQ('P', "progress", "MODE", "auto, none or json"),
	CLI_TRUST_OPTIONS,
	{ 0 },
};

const struct cli_spec cli_verify = {
	.name = "verify",
	.usage = "hydra verify [--quick] [--key FILE] [--require-signature] [IMAGE|DEVICE]",
	.summary = "check a medium against its MANIFEST",
	.options = options,
	.notes = "without IMAGE or DEVICE, the medium this node runs from",
};

int cmd_verify(int argc, char **argv)
{
	static const char *const states[] = { "complete", "incomplete", "corrupt" };
	struct verify_args a = { .mode = PROGRESS_AUTO };
	struct hydra_verify_report rep;
	struct cli_progress p;
	const char *path = HYDRA_MEDIUM_DIR;
	char size[32];
	int first, r;

	r = cli_parse_options(argc, argv, &cli_verify, on_option, &a, &first);
	if (r >= 0)
		return r;
	r = cli_check_operands("verify", argc - first, 0, 1);
	if (r >= 0)
		return r;
	if (first < argc)
		path = argv[first];
	cli_progress_init(&p, a.mode, "verifying");
	r = hydra_medium_verify(path, a.flags, cli_progress_cb, &p, &rep);
	cli_progress_done(&p);
	if (r == 0 || rep.id[0] || rep.bad_file[0]) {
		printf("%s: %s", path, states[rep.state]);
		if (rep.id[0])
			printf(", image %s", rep.id);
		if (rep.bad_file[0])
			printf(", first bad: %s", rep.bad_file);
		printf(", %zu files, %s %s\n", rep.files, hydra_format_size(rep.bytes, size, sizeof(size)),
		       a.flags & F_VERIFY_QUICK ? "sized" : "checked");
	}
	/* The files match the MANIFEST; now, does the MANIFEST come from someone trusted? */
	if (!r && (r = cli_trust_check(&a.trust, path)))
		printf("%s: signature check failed\n", path);
	return cli_exit_code(r);
}
