/*
 * hydra install: on a machine a neighbour's `hydra regenerate NODE` booted
 * over the network, write its disk as NODE, restore NODE's data from the
 * neighbour's replica and report done (fleet/netinstall.h). Run at boot by
 * hydra-install.service, on the console, where the passphrases are typed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "fleet/netinstall.h"
#include "format/hwdb.h"
#include "format/layout.h"
#include "medium/clone.h"
#include "node/crypt.h"
#include "node/volume.h"
#include "passphrase.h"
#include "progress.h"
#include "replica.h"

struct install_args {
	int dry;
	const char *cmdline;
	enum cli_progress_mode mode;
};

static int on_option(int c, const char *arg, void *ud)
{
	struct install_args *a = ud;

	switch (c) {
	case 'n': a->dry = 1; break;
	case 'c': a->cmdline = arg; break;
	case 'P':
		if (cli_progress_parse(arg, &a->mode))
			return cli_usage_error("install", "--progress takes auto, none or json");
		break;
	}
	return 0;
}

static const struct cli_option options[] = {
	CLI_OPT('n', "dry-run", NULL, "say which disk would be written, write nothing"),
	CLI_LONG('c', "cmdline", "FILE", "read the neighbour's orders from FILE (default\n"
		 "/proc/cmdline)"),
	CLI_LONG_EQ('P', "progress", "MODE", "auto, none or json"),
	{ 0 },
};

const struct cli_spec cli_install = {
	.name = "install",
	.usage = "hydra install [--dry-run]",
	.summary = "on a machine netbooted by hydra regenerate: write its disk, restore its data",
	.options = options,
	.notes = "The orders come from the kernel command line the neighbour served: the node,\n"
		 "the neighbour, the disk (hydra.netboot.disk=, else the one the node's profile\n"
		 "records, else the only disk) and whether data is restored. A disk that holds\n"
		 "a hydra medium or data volume is refused unless the neighbour forced it.\n"
		 "With data, the new volume's passphrase is asked twice and then the node's\n"
		 "recovery key; the done message goes over sftp with the node's restored key.",
};

/* The node's and the neighbour's profiles, from the medium this machine booted. */
static int profiles(const struct hydra_install_req *q, struct hydra_hwdb **db,
		    const struct hydra_node **node, const struct hydra_node **holder)
{
	int r = hydra_hwdb_load(HYDRA_MEDIUM_DIR "/" HYDRA_HWDB_PATH, db);

	*node = r ? NULL : hydra_hwdb_find(*db, q->node);
	*holder = r ? NULL : hydra_hwdb_find(*db, q->holder);
	if (!r && !*node) {
		hydra_err("node %s is not in the hardware-db of the medium served", q->node);
		r = -ENOENT;
	} else if (!r && q->data_replica && !*holder) {
		hydra_err("the neighbour %s is not in the hardware-db: the done message goes to its "
			  "address", q->holder);
		r = -ENOENT;
	}
	return r;
}

/* The disk, refused when it holds hydra's things and the neighbour did not force it. */
static int choose_disk(const struct hydra_install_req *q, const struct hydra_node *node,
		       char *dev, size_t len)
{
	char why[400];
	int r = hydra_install_pick_disk("", q->disk, &node->id, dev, len), held;

	if (r)
		return r;
	held = hydra_install_disk_holds_hydra("", dev, why, sizeof(why));
	if (held > 0 && !q->force) {
		hydra_err("refusing %s: %s; on %s, 'hydra regenerate --force %s' lets it go", dev,
			  why, q->holder, q->node);
		return -EEXIST;
	}
	if (held > 0)
		hydra_warn("%s, overwritten as the neighbour forced it", why);
	return held < 0 ? held : 0;
}

static int fill(const char *dir, void *ud)
{
	const struct hydra_install_req *q = ud;

	hydra_info("fetching the replica of %s from %s", q->node, q->holder);
	return hydra_install_fetch_replica(q, dir);
}

/* The new volume, opened and mounted where the node's volume lives, to restore into. */
static int restore(const struct hydra_install_req *q, const char *dev, const char *pass,
		   size_t len)
{
	struct cli_replica_args ra = { .from = q->holder, .mode = PROGRESS_AUTO };
	char part[300];
	int r = hydra_data_partition(dev, 5000, part, sizeof(part));

	if (!r)
		r = hydra_data_open(part, HYDRA_DATA_NAME, pass, len);
	if (!r && (r = hydra_data_mount_at(HYDRA_DATA_NAME, HYDRA_DATA_DIR)) != 0)
		hydra_data_close(HYDRA_DATA_NAME);
	if (r)
		return r;
	return cli_data_restore_replica(&ra) == 0 ? 0 : -EIO;
}

static int install(const struct hydra_install_req *q, const struct hydra_hwdb *db,
		   const struct hydra_node *holder, const char *dev, struct cli_progress *p)
{
	struct hydra_clone_opts o = { .sysroot = "", .node = q->node, .data = HYDRA_DATA_NONE,
				      .progress = cli_progress_cb, .progress_ud = p };
	char reason[96];
	char *pass = NULL;
	size_t len = 0;
	int r = 0, e;

	if (hydra_install_machine_is("", db, q->node, reason, sizeof(reason))) {
		printf("this machine is %s by its %s: the disk pins no node\n", q->node, reason);
		o.node = NULL;
	} else {
		printf("this machine matches no profile as %s: the disk pins hydra.node=%s\n",
		       q->node, q->node);
	}
	if (q->data_replica) {
		o.data = HYDRA_DATA_EMPTY;
		o.fill = fill;
		o.fill_ud = (void *)q;
		r = cli_passphrase(NULL, "this node's new data volume", 1, &pass, &len);
		o.pass = pass;
		o.pass_len = len;
	}
	if (!r)
		r = hydra_clone(dev, &o);
	cli_progress_done(p);
	if (!r) {
		printf("%s: written as %s, read back and committed\n", dev, q->node);
		hydra_install_report_step(q, HYDRA_INSTALL_STEP_WRITTEN);
	}
	if (!r && q->data_replica && !(r = restore(q, dev, pass, len)))
		hydra_install_report_step(q, HYDRA_INSTALL_STEP_RESTORED);
	hydra_key_free(pass, len);
	if (!r)
		r = hydra_install_report_done(q, HYDRA_DATA_DIR, holder);
	if (!r)
		printf("%s: regenerated; %s was told and disarms\n", q->node, q->holder);
	if (q->data_replica && (e = hydra_data_close(HYDRA_DATA_NAME)) != 0 && !r)
		r = e;
	return r;
}

int cmd_install(int argc, char **argv)
{
	struct install_args a = { .cmdline = "/proc/cmdline", .mode = PROGRESS_AUTO };
	struct hydra_install_req q;
	struct hydra_hwdb *db = NULL;
	const struct hydra_node *node = NULL, *holder = NULL;
	struct cli_progress p;
	char *text = NULL, dev[300];
	int first, r;

	r = cli_parse_options(argc, argv, &cli_install, on_option, &a, &first);
	if (r >= 0)
		return r;
	r = cli_check_operands("install", argc - first, 0, 0);
	if (r >= 0)
		return r;
	r = hydra_read_file(a.cmdline, &text, NULL);
	if (r)
		hydra_err("cannot read '%s': %s", a.cmdline, strerror(-r));
	if (!r && (r = hydra_install_parse(text, &q)) == -ENOENT)
		hydra_err("this machine was not booted by a neighbour's hydra regenerate (no "
			  "hydra.netboot= in %s)", a.cmdline);
	free(text);
	if (!r)
		r = profiles(&q, &db, &node, &holder);
	if (!r)
		r = choose_disk(&q, node, dev, sizeof(dev));
	if (!r)
		printf("plan: write %s as %s from %s's medium%s\n", dev, q.node, q.holder,
		       q.data_replica ? ", with its data restored from the replica kept there" :
		       ", without data");
	if (!r && !a.dry) {
		cli_progress_init(&p, a.mode, "installing");
		r = install(&q, db, holder, dev, &p);
	}
	hydra_hwdb_free(db);
	return cli_exit_code(r);
}
