/* hydra hw: record this machine as a node profile, find which node it is, list the fleet. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "cli.h"
#include "fleet/inventory.h"
#include "format/hwdb.h"
#include "format/layout.h"
#include "node/probe.h"

#define LIVE_DB HYDRA_MEDIUM_DIR "/" HYDRA_HWDB_PATH

struct hw_opts {
	const char *name, *output, *db, *sysfs, *proc;
};

enum { OPT_NAME = 256, OPT_DB, OPT_SYSFS, OPT_PROC };

/* Entries that more than one subcommand takes. */
#define OPT_DB_ENTRY CLI_LONG(OPT_DB, "db", "DIR", "the hardware-db (default: " LIVE_DB "\n" \
			      "on a live node, else ./hardware-db)")
#define OPT_SYSFS_ENTRY CLI_LONG(OPT_SYSFS, "sysfs", "DIR", "read DIR instead of /sys")
#define OPT_PROC_ENTRY CLI_LONG(OPT_PROC, "proc", "DIR", "read DIR instead of /proc")

static const struct cli_option probe_options[] = {
	CLI_LONG(OPT_NAME, "name", "NAME", "node name of the profile (default: the hostname)"),
	CLI_OPT('o', "output", "FILE", "write the profile to FILE"),
	OPT_SYSFS_ENTRY,
	OPT_PROC_ENTRY,
	{ 0 },
};

static const struct cli_option match_options[] = {
	OPT_DB_ENTRY,
	OPT_SYSFS_ENTRY,
	OPT_PROC_ENTRY,
	{ 0 },
};

static const struct cli_option list_options[] = {
	OPT_DB_ENTRY,
	{ 0 },
};

static const struct cli_option inventory_options[] = {
	OPT_DB_ENTRY,
	CLI_OPT('o', "output", "FILE", "write the inventory to FILE as an executable inventory "
		"script"),
	{ 0 },
};

/* In the order of cli_hw's subs. */
enum { SUB_PROBE, SUB_MATCH, SUB_LIST, SUB_INVENTORY };

static const struct cli_spec subs[] = {
	{ .name = "hw probe",
	  .usage = "hydra hw probe [--name NAME] [-o FILE] [--sysfs DIR] [--proc DIR]",
	  .summary = "write this machine's profile (stdout, or FILE with -o)",
	  .options = probe_options },
	{ .name = "hw match",
	  .usage = "hydra hw match [--db DIR] [--sysfs DIR] [--proc DIR]",
	  .summary = "print the node this machine is and the field that matched;\n"
		     "exit 1 and 'generic' when none does",
	  .options = match_options },
	{ .name = "hw list",
	  .usage = "hydra hw list [--db DIR]",
	  .summary = "print the known nodes",
	  .options = list_options },
	{ .name = "hw inventory",
	  .usage = "hydra hw inventory [--db DIR] [-o FILE]",
	  .summary = "print the known nodes as an Ansible inventory (the JSON Ansible asks a\n"
		     "script for, with _meta.hostvars), or with -o write FILE as an executable\n"
		     "inventory script",
	  .options = inventory_options },
	{ 0 },
};

const struct cli_spec cli_hw = {
	.name = "hw",
	.summary = "record this machine / which node is this / the fleet's inventory",
	.subs = subs,
};

static int on_option(int c, const char *arg, void *ud)
{
	struct hw_opts *o = ud;

	switch (c) {
	case OPT_NAME: o->name = arg; break;
	case 'o': o->output = arg; break;
	case OPT_DB: o->db = arg; break;
	case OPT_SYSFS: o->sysfs = arg; break;
	case OPT_PROC: o->proc = arg; break;
	}
	return 0;
}

static const char *default_db(void)
{
	struct stat st;

	return stat(LIVE_DB, &st) == 0 && S_ISDIR(st.st_mode) ? LIVE_DB : "hardware-db";
}

/* A node name from the hostname: lower-cased, anything else becomes '-'. */
static void name_from_host(char *out, size_t len)
{
	char host[256] = "";
	size_t i;

	if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
		snprintf(host, sizeof(host), "node");
	for (i = 0; host[i] && host[i] != '.' && i + 1 < len; i++) {
		char c = host[i];

		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') :
			 ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) ? c : '-';
	}
	out[i] = '\0';
	if (!out[0] || out[0] == '-')
		snprintf(out, len, "node");
}

static int hw_probe(const struct hw_opts *o)
{
	struct hydra_node n = { 0 };
	char name[64], *text = NULL;
	int r;

	if (o->name) {
		if (!hydra_node_name_valid(o->name))
			return cli_usage_error("hw", "bad node name '%s' (want [a-z0-9][a-z0-9-]*)",
					       o->name);
		snprintf(name, sizeof(name), "%s", o->name);
	} else {
		name_from_host(name, sizeof(name));
	}
	r = hydra_probe(o->sysfs, o->proc, &n.id);
	if (r < 0)
		goto out;
	if (!(n.name = strdup(name)) || !(n.hostname = strdup(name)) ||
	    !(n.overlays = strdup(name)) || !(n.network = strdup("dhcp"))) {
		r = -ENOMEM;
		goto out;
	}
	r = hydra_hwdb_format_node(&n, &text);
	if (r < 0)
		goto out;
	if (o->output) {
		r = hydra_write_file_atomic(o->output, text, strlen(text), 0644);
		if (r < 0)
			hydra_err("cannot write '%s': %s", o->output, strerror(-r));
	} else {
		fputs(text, stdout);
	}
out:
	free(text);
	hydra_node_clear(&n);
	return cli_exit_code(r);
}

static int hw_match(const struct hw_opts *o)
{
	struct hydra_hwdb *db = NULL;
	struct hydra_machine m = { 0 };
	const struct hydra_node *node;
	char reason[256];
	int r;

	r = hydra_hwdb_load(o->db, &db);
	if (r < 0)
		goto out;
	r = hydra_probe(o->sysfs, o->proc, &m);
	if (r < 0)
		goto out;
	r = hydra_hwdb_match(db, &m, &node, reason, sizeof(reason));
	if (r < 0)
		goto out;
	if (r == 0)
		printf("%s\t%s\n", node->name, reason);
	else
		printf("generic\tno node matches\n");
	r = r == 0 ? EXIT_DONE : EXIT_FAILED;
out:
	hydra_machine_clear(&m);
	hydra_hwdb_free(db);
	return cli_exit_code(r);
}

static int hw_list(const struct hw_opts *o)
{
	struct hydra_hwdb *db = NULL;
	int r;

	r = hydra_hwdb_load(o->db, &db);
	if (r < 0)
		return cli_exit_code(r);
	for (size_t i = 0; i < db->n_nodes; i++) {
		const struct hydra_node *n = &db->nodes[i];

		printf("%s\tuuid=%s\tmacs=", n->name, n->id.uuid ? n->id.uuid : "-");
		for (size_t j = 0; j < n->id.n_macs; j++)
			printf("%s%s", j ? "," : "", n->id.macs[j]);
		printf("%s\thostname=%s\n", n->id.n_macs ? "" : "-", n->hostname ? n->hostname : n->name);
	}
	hydra_hwdb_free(db);
	return EXIT_DONE;
}

static int hw_inventory(const struct hw_opts *o)
{
	struct hydra_hwdb *db = NULL;
	char *text = NULL;
	int r = hydra_hwdb_load(o->db, &db);

	/* An inventory missing a node is no inventory of the fleet: as a build, it stops there. */
	if (!r && db->n_skipped) {
		hydra_err("'%s' has %zu profiles that cannot be used (above): mend them first", o->db,
			  db->n_skipped);
		r = -EINVAL;
	}
	if (!r)
		r = o->output ? hydra_inventory_script(db, o->db, &text) : hydra_inventory_json(db, &text);
	/* Executable: Ansible runs an inventory file that is, and reads one that is not as YAML. */
	if (!r && o->output && (r = hydra_write_file_atomic(o->output, text, strlen(text), 0755)))
		hydra_err("cannot write '%s': %s", o->output, strerror(-r));
	else if (!r && !o->output)
		printf("%s\n", text);
	free(text);
	hydra_hwdb_free(db);
	return cli_exit_code(r);
}

int cmd_hw(int argc, char **argv)
{
	struct hw_opts o = { 0 };
	int first, sub, r;

	r = cli_parse_sub(argc, argv, &cli_hw, on_option, &o, &sub, &first);
	if (r >= 0)
		return r;
	r = cli_check_operands(subs[sub].name, argc - first, 0, 0);
	if (r >= 0)
		return r;
	if (!o.sysfs)
		o.sysfs = "/sys";
	if (!o.proc)
		o.proc = "/proc";
	if (!o.db)
		o.db = default_db();
	if (sub == SUB_PROBE)
		return hw_probe(&o);
	if (sub == SUB_MATCH)
		return hw_match(&o);
	if (sub == SUB_INVENTORY)
		return hw_inventory(&o);
	return hw_list(&o);
}
