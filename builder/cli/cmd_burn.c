/* hydra burn: an image onto a stick, verified, first MiB last. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "cli.h"
#include "confirm.h"
#include "format/layout.h"
#include "medium/burn.h"
#include "medium/safety.h"
#include "progress.h"
#include "trustopt.h"

/* The plan, and the safety rules before anything is asked or written. */
static int plan(const char *image, const char *device, uint64_t *size)
{
	struct hydra_target *t = NULL;
	struct stat st;
	char desc[512], sz[32];
	int r;

	if (stat(image, &st) < 0) {
		int r = -errno;

		hydra_err("cannot open '%s': %s", image, strerror(errno));
		return r;
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
		if (t->size > HYDRA_MBR_LIMIT)
			printf("      past the 2 TiB an msdos table addresses: the image's partition 1 "
			       "in a GPT\n");
	}
	hydra_target_free(t);
	return r;
}

struct burn_args {
	int yes, dry;
	enum cli_progress_mode mode;
	struct cli_trust trust;
};

static int on_option(int c, const char *arg, void *ud)
{
	struct burn_args *a = ud;
	int r = cli_trust_option(&a->trust, c, arg);

	if (r)
		return r == 1 ? 0 : r;
	if (c == 'y')
		a->yes = 1;
	else if (c == 'n')
		a->dry = 1;
	else if (c == 'P' && cli_progress_parse(arg, &a->mode))
		return cli_usage_error("burn", "--progress takes auto, none or json");
	return 0;
}

static const struct cli_option options[] = {
	CLI_OPT('y', "yes", NULL, "no typed confirmation (the safety rules still hold)"),
	CLI_OPT('n', "dry-run", NULL, "show the plan, write nothing"),
	CLI_LONG_EQ('P', "progress", "MODE", "auto (a line on a terminal), none or json"),
	CLI_TRUST_OPTIONS,
	{ 0 },
};

const struct cli_spec cli_burn = {
	.name = "burn",
	.usage = "hydra burn [--yes] [--dry-run] [--key FILE] [--require-signature] IMAGE DEVICE",
	.summary = "write an image to a stick or disk, verified",
	.options = options,
};

int cmd_burn(int argc, char **argv)
{
	struct burn_args a = { .mode = PROGRESS_AUTO };
	struct hydra_burn_opts o = { .sysroot = "" };
	struct hydra_burn_report rep;
	struct cli_progress p;
	const char *image, *device;
	uint64_t size = 0;
	int first, r;
	char sz[32];

	r = cli_parse_options(argc, argv, &cli_burn, on_option, &a, &first);
	if (r >= 0)
		return r;
	r = cli_check_operands("burn", argc - first, 2, 2);
	if (r >= 0)
		return r;
	image = argv[first];
	device = argv[first + 1];
	r = cli_trust_check(&a.trust, image);
	if (r == -EBADMSG || r == -EPERM)
		hydra_err("refusing to burn '%s': its signature does not pass", image);
	else if (r)
		hydra_err("refusing to burn '%s': it is not a hydra image (no readable MANIFEST)",
			  image);
	if (r)
		return cli_exit_code(r == -EBADMSG || r == -EPERM || r == -ENOMEM ? r : -EBADMSG);
	r = plan(image, device, &size);
	if (r)
		return cli_exit_code(r);
	/* The plan is only worth showing for a burn that would go ahead: same checks. */
	if (a.dry) {
		o.dry_run = 1;
		return cli_exit_code(hydra_burn(image, device, &o, &rep));
	}
	if (!a.yes && (r = cli_confirm_device(device)))
		return cli_exit_code(r);
	cli_progress_init(&p, a.mode, "burning");
	o.progress = cli_progress_cb;
	o.progress_ud = &p;
	r = hydra_burn(image, device, &o, &rep);
	cli_progress_done(&p);
	if (!r)
		printf("%s: %s written in %.1f s, read back and compared in %.1f s\n", device,
		       hydra_format_size(rep.bytes, sz, sizeof(sz)), rep.write_seconds,
		       rep.verify_seconds);
	else
		hydra_err("'%s' was not committed: it will not boot", device);
	return cli_exit_code(r);
}
