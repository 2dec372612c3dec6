/* hydra burn: an image onto a stick, verified, first MiB last. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "burn.h"
#include "cli.h"
#include "confirm.h"
#include "progress.h"
#include "safety.h"
#include "util.h"

/* The plan, and the safety rules before anything is asked or written. */
static int plan(const char *image, const char *device, uint64_t *size)
{
	struct hydra_target *t = NULL;
	struct stat st;
	char desc[512], sz[32];
	int r;

	if (stat(image, &st) < 0) {
		fprintf(stderr, "hydra: error: cannot open '%s': %s\n", image, strerror(errno));
		return -errno;
	}
	*size = (uint64_t)st.st_size;
	if (stat(device, &st) < 0 && errno == ENOENT) {
		printf("plan: write %s (%s) to the new file %s, read it back, then the first MiB\n",
		       image, hydra_format_size(*size, sz, sizeof(sz)), device);
		return 0;
	}
	r = hydra_target_inspect("", device, &t);
	if (!r)
		r = hydra_target_check("", t, t->is_file ? 0 : *size);
	if (!r) {
		hydra_target_describe(t, desc, sizeof(desc));
		printf("plan: write %s (%s) onto %s\n"
		       "      everything but the first MiB, read it back, then the first MiB\n",
		       image, hydra_format_size(*size, sz, sizeof(sz)), desc);
	}
	hydra_target_free(t);
	return r;
}

int cmd_burn(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "progress", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum cli_progress_mode mode = PROGRESS_AUTO;
	struct hydra_burn_opts o = { .sysroot = "" };
	struct hydra_burn_report rep;
	struct cli_progress p;
	int yes = 0, dry = 0, c, r;
	uint64_t size = 0;
	char sz[32];

	while ((c = cli_getopt(argc, argv, "yn", longopts)) != -1) {
		if (c == 'y')
			yes = 1;
		else if (c == 'n')
			dry = 1;
		else if (c == 'P' && cli_progress_parse(optarg, &mode))
			return cli_usage_error("--progress takes auto, none or json");
	}
	if (optind != argc - 2)
		return cli_usage_error("expected IMAGE and DEVICE");
	r = plan(argv[optind], argv[optind + 1], &size);
	if (r || dry)
		return cli_exit_code(r);
	if (!yes && (r = cli_confirm_device(argv[optind + 1])))
		return cli_exit_code(r);
	cli_progress_init(&p, mode, "burning");
	o.progress = cli_progress_cb;
	o.progress_ud = &p;
	r = hydra_burn(argv[optind], argv[optind + 1], &o, &rep);
	cli_progress_done(&p);
	if (!r)
		printf("%s: %s written in %.1f s, read back and compared in %.1f s\n",
		       argv[optind + 1], hydra_format_size(rep.bytes, sz, sizeof(sz)),
		       rep.write_seconds, rep.verify_seconds);
	else
		fprintf(stderr, "hydra: %s was not committed: it will not boot\n", argv[optind + 1]);
	return cli_exit_code(r);
}
