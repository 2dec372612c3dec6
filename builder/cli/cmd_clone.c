/* hydra clone: the running node, written onto another disk. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "confirm.h"
#include "format/hwdb.h"
#include "format/layout.h"
#include "medium/clone.h"
#include "fleet/regen.h"
#include "fleet/replica.h"
#include "node/crypt.h"
#include "node/volume.h"
#include "passphrase.h"
#include "progress.h"
#include "trustopt.h"

static void print_plan(const char *device, const struct hydra_clone_plan *p,
		       const struct hydra_clone_opts *o)
{
	char payload[32], min[32];

	printf("plan: clone image %s onto %s\n", p->id, p->target);
	printf("  partition 1: FAT32 'HYDRA', %s, from 1 MiB; %u files, %s to copy and read back\n",
	       hydra_format_size(p->min_size - (1 << 20), min, sizeof(min)), p->files,
	       hydra_format_size(p->payload_bytes, payload, sizeof(payload)));
	if (p->target_size > HYDRA_MBR_LIMIT)
		printf("  table: GPT, partition 1 an EFI System Partition (the disk is past the "
		       "2 TiB an msdos table addresses)\n");
	printf("  node: %s; data: %s", o->node ? o->node : "(chosen at boot)",
	       o->data == HYDRA_DATA_NONE ? "none\n" : o->data == HYDRA_DATA_EMPTY && !o->fill ?
	       "partition 2, a new empty LUKS2 volume\n" : "partition 2, a new LUKS2 volume");
	if (o->fill)
		printf(" with the replica of %s kept here (%s), restored at its first boot with its "
		       "recovery key\n", o->node, hydra_format_size(o->fill_bytes, min, sizeof(min)));
	if (o->data == HYDRA_DATA_COPY)
		printf(" with a copy of %s (%s used)\n", p->data_dir,
		       hydra_format_size(p->data_bytes, min, sizeof(min)));
	/* A USB 2 stick writes some 10 MB/s: say how long that would take, at worst. */
	printf("  estimated time: %.0f s at 10 MB/s, plus reading back\n",
	       (double)p->payload_bytes / 10e6);
	(void)device;
}

struct clone_args {
	int yes, dry, replica;
	const char *key_file;
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
	case 'a':
		if (!hydra_node_name_valid(arg))
			return cli_usage_error("clone", "bad node name '%s' (want [a-z0-9][a-z0-9-]*, "
					       "up to %d)", arg, HYDRA_NODE_NAME_MAX);
		a->o.node = arg;
		break;
	case 's': a->o.source = arg; break;
	case 'K': a->key_file = arg; break;
	case 'F': a->o.luks = (struct hydra_luks_opts){ .iterations = 4, .memory_kb = 32 }; break;
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
		else if (!strcmp(arg, "replica"))
			a->replica = 1;
		else
			return cli_usage_error("clone", "--data takes none, empty, copy or replica");
		break;
	}
	return 0;
}

static const struct cli_option options[] = {
	CLI_OPT('y', "yes", NULL, "no typed confirmation (the safety rules still hold)"),
	CLI_OPT('n', "dry-run", NULL, "show the plan, write nothing"),
	CLI_LONG('a', "as", "NODE", "the clone boots as NODE (hydra.node=NODE)"),
	CLI_LONG('d', "data", "MODE", "none (default); empty: partition 2, a new LUKS2 volume;\n"
	  "copy: the same, with this node's data files copied in;\n"
	  "replica (with --as NODE): with NODE's replica kept here,\n"
	  "restored at its first boot with its recovery key"),
	CLI_LONG('K', "key-file", "F", "the new volume's passphrase (else asked twice)"),
	CLI_LONG('F', "pbkdf-fast", NULL, "argon2id at 4 iterations and 32 KiB, for tests only"),
	CLI_LONG('s', "source", "DIR", "the medium to clone (default: the running one)"),
	CLI_LONG_EQ('P', "progress", "MODE", "auto, none or json"),
	CLI_TRUST_OPTIONS,
	{ 0 },
};

const struct cli_spec cli_clone = {
	.name = "clone",
	.usage = "hydra clone [--yes] [--dry-run] [--as NODE] [--data none|empty|copy|replica] "
		 "[--key-file F] DEVICE",
	.summary = "replicate the running node onto DEVICE",
	.options = options,
};

/* --data replica: the node --as names, from its replica kept on this node's data volume. */
static int replica_setup(struct clone_args *a, struct hydra_regen *g, char *holder, size_t len,
			 char **datadir)
{
	if (!a->o.node)
		return cli_usage_error("clone", "--data replica needs --as NODE, the node to make again");
	*datadir = hydra_data_mountpoint(HYDRA_DATA_NAME);
	if (!*datadir) {
		hydra_err("--data replica: this node's data volume, which keeps the replicas, is not "
			  "mounted (hydra data unlock)");
		return EXIT_FAILED;
	}
	hydra_running_node(holder, len);
	g->datadir = *datadir;
	g->node = a->o.node;
	g->holder = holder;
	return cli_exit_code(hydra_regen_clone_opts(g, &a->o));
}

int cmd_clone(int argc, char **argv)
{
	struct clone_args a = { .mode = PROGRESS_AUTO, .o = { .sysroot = "" } };
	struct hydra_clone_plan plan;
	struct cli_progress p;
	struct hydra_regen regen = { 0 };
	const char *device;
	char *pass = NULL, *datadir = NULL, holder[64];
	size_t len = 0;
	int first, r;

	r = cli_parse_options(argc, argv, &cli_clone, on_option, &a, &first);
	if (r >= 0)
		return r;
	r = cli_check_operands("clone", argc - first, 1, 1);
	if (r >= 0)
		return r;
	device = argv[first];
	r = cli_trust_check(&a.trust, a.o.source ? a.o.source : HYDRA_MEDIUM_DIR);
	if (r) {
		hydra_err("refusing to clone: the medium's signature does not pass");
		return cli_exit_code(r);
	}
	if (a.replica && (r = replica_setup(&a, &regen, holder, sizeof(holder), &datadir)) != 0)
		goto out;
	r = hydra_clone_plan(device, &a.o, &plan);
	if (r)
		goto fail;
	print_plan(device, &plan, &a.o);
	if (a.dry) {
		r = EXIT_DONE;
		goto out;
	}
	if (!a.yes && (r = cli_confirm_device(device)))
		goto fail;
	if (a.o.data != HYDRA_DATA_NONE &&
	    (r = cli_passphrase(a.key_file, "the clone's data partition", 1, &pass, &len)))
		goto fail;
	a.o.pass = pass;
	a.o.pass_len = len;
	cli_progress_init(&p, a.mode, "cloning");
	a.o.progress = cli_progress_cb;
	a.o.progress_ud = &p;
	r = hydra_clone(device, &a.o);
	cli_progress_done(&p);
	hydra_key_free(pass, len);
	if (!r)
		printf("%s: clone of image %s written, read back and committed\n", device, plan.id);
fail:
	r = cli_exit_code(r);
out:
	free(datadir);
	return r;
}
