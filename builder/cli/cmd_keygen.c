/* hydra keygen: an ed25519 key pair for signing media. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/hydra.h"
#include "base/util.h"
#include "cli.h"
#include "medium/sign.h"

static int on_option(int c, const char *arg, void *ud)
{
	(void)arg;
	if (c == 'd')
		*(int *)ud = 1;
	return 0;
}

/* Private to the user: a new key directory gets 0700. */
static int make_parent(const char *name)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", name);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return hydra_mkdir_p(dir, 0700);
}

static const struct cli_option options[] = {
	CLI_LONG('d', "force-dir", NULL, "make NAME's directory (mode 0700) when it is missing"),
	{ 0 },
};

const struct cli_spec cli_keygen = {
	.name = "keygen",
	.usage = "hydra keygen [--force-dir] NAME",
	.summary = "make an ed25519 key pair for signing media",
	.options = options,
	.notes = "writes NAME.key (private, 0600) and NAME.pub; never overwrites",
};

int cmd_keygen(int argc, char **argv)
{
	char keyid[HYDRA_KEYID_LEN + 1], name[4096];
	int first, make_dir = 0, r;
	size_t n;

	r = cli_parse_options(argc, argv, &cli_keygen, on_option, &make_dir, &first);
	if (r >= 0)
		return r;
	r = cli_check_operands("keygen", argc - first, 1, 1);
	if (r >= 0)
		return r;
	/* "hydra keygen ci.key" means the pair ci.key and ci.pub. */
	n = strlen(argv[first]);
	if (n >= sizeof(name) || !n)
		return cli_usage_error("keygen", "bad key name");
	memcpy(name, argv[first], n + 1);
	if (n > 4 && (!strcmp(name + n - 4, ".key") || !strcmp(name + n - 4, ".pub")))
		name[n - 4] = '\0';
	if (make_dir && (r = make_parent(name)) < 0) {
		hydra_err("cannot make the directory of '%s': %s", name, strerror(-r));
		return EXIT_FAILED;
	}
	r = hydra_keygen(name, keyid);
	if (r)
		return cli_exit_code(r);
	printf("%s.key %s.pub %s\n", name, name, keyid);
	fprintf(stderr, "keep %s.key private; copy %s.pub into hardware-db/keys/ for media to trust it\n",
		name, name);
	return EXIT_DONE;
}
