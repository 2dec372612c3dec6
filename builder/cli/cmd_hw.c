/* hydra hw: record this machine as a node profile, find which node it is. */
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

static const char hw_usage[] =
	"usage: hydra hw probe [--name NAME] [-o FILE] [--sysfs DIR] [--proc DIR]\n"
	"       hydra hw match [--db DIR] [--sysfs DIR] [--proc DIR]\n"
	"       hydra hw list [--db DIR]\n"
	"       hydra hw inventory [--db DIR] [-o FILE]\n"
	"\n"
	"probe writes this machine's profile (stdout, or FILE with -o);\n"
	"match prints the node this machine is and the field that matched,\n"
	"exit 1 and 'generic' when none does; list prints the known nodes;\n"
	"inventory prints them as an Ansible inventory (the JSON of --list, with\n"
	"_meta.hostvars), or with -o writes FILE as an executable inventory script.\n"
	"\n"
	"options:\n"
	"      --name NAME    node name of the profile (default: the hostname)\n"
	"  -o, --output FILE  write the profile (inventory: the inventory script) to FILE\n"
	"      --db DIR       the hardware-db (default: " LIVE_DB " on a live node,\n"
	"                     else ./hardware-db)\n"
	"      --sysfs DIR    read DIR instead of /sys\n"
	"      --proc DIR     read DIR instead of /proc\n";

struct hw_opts {
	const char *name, *output, *db, *sysfs, *proc;
};

enum { OPT_NAME = 256, OPT_DB, OPT_SYSFS, OPT_PROC };

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
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ "output", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, OPT_DB },
		{ "sysfs", required_argument, NULL, OPT_SYSFS },
		{ "proc", required_argument, NULL, OPT_PROC },
		{ NULL, 0, NULL, 0 },
	};
	struct hw_opts o = { 0 };
	const char *sub;
	char **sub_argv = NULL;
	int first, r;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(hw_usage, stdout);
			return EXIT_DONE;
		}
	if (argc < 2)
		return cli_usage_error("hw", "missing 'probe', 'match', 'list' or 'inventory'");
	sub = argv[1];
	if (strcmp(sub, "probe") && strcmp(sub, "match") && strcmp(sub, "list") &&
	    strcmp(sub, "inventory"))
		return cli_usage_error("hw", "unknown 'hw %s' (want probe, match, list or inventory)",
				       sub);
	/* Options follow the subcommand; the parser wants the command in argv[0]. */
	sub_argv = calloc((size_t)argc, sizeof(*sub_argv));
	if (!sub_argv) {
		hydra_err("out of memory");
		return EXIT_FAILED;
	}
	sub_argv[0] = argv[0];
	for (int i = 2; i < argc; i++)
		sub_argv[i - 1] = argv[i];
	r = cli_parse_options(argc - 1, sub_argv, "o:", longopts, on_option, &o, &first);
	if (r >= 0)
		goto out;
	r = cli_check_operands("hw", argc - 1 - first, 0, 0);
	if (r >= 0)
		goto out;
	if (!strcmp(sub, "probe") && o.db) {
		r = cli_usage_error("hw", "'--db' is for match, list and inventory");
		goto out;
	}
	if (strcmp(sub, "probe") && (o.name || (o.output && strcmp(sub, "inventory")))) {
		r = cli_usage_error("hw", "'--name' is for probe, '--output' for probe and inventory");
		goto out;
	}
	if ((!strcmp(sub, "list") || !strcmp(sub, "inventory")) && (o.sysfs || o.proc)) {
		r = cli_usage_error("hw", "'--sysfs' and '--proc' are for probe and match");
		goto out;
	}
	if (!o.sysfs)
		o.sysfs = "/sys";
	if (!o.proc)
		o.proc = "/proc";
	if (!o.db)
		o.db = default_db();
	if (!strcmp(sub, "probe"))
		r = hw_probe(&o);
	else if (!strcmp(sub, "match"))
		r = hw_match(&o);
	else if (!strcmp(sub, "inventory"))
		r = hw_inventory(&o);
	else
		r = hw_list(&o);
out:
	free(sub_argv);
	return r;
}
