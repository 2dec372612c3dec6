/* The hardware-db as an Ansible inventory; see inventory.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/util.h"
#include "fleet/inventory.h"

/* A key a profile lacks is left out rather than given as null. */
static void add_str(struct json_object *o, const char *key, const char *v)
{
	if (v && *v)
		json_object_object_add(o, key, json_object_new_string(v));
}

static struct json_object *str_array(char *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static struct json_object *disks(const struct hydra_machine *m)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < m->n_disks; i++) {
		struct json_object *d = json_object_new_object();

		json_object_object_add(d, "id", json_object_new_string(m->disks[i].id));
		json_object_object_add(d, "size", json_object_new_int64((int64_t)m->disks[i].size));
		json_object_array_add(a, d);
	}
	return a;
}

static int hostvars(const struct hydra_hwdb *db, const struct hydra_node *n,
		    struct json_object **out)
{
	struct json_object *o = json_object_new_object(), *names;
	const struct hydra_node **list = NULL;
	char host[64];
	size_t count = 0;
	int r = hydra_hwdb_neighbours(db, n, &list, &count);

	if (r) {
		json_object_put(o);
		return r;
	}
	/* Ansible connects to ansible_host: the address neighbours use, without its prefix. */
	if (n->address && hydra_addr_parse(n->address, 1, host, sizeof(host)) == 0)
		add_str(o, "ansible_host", host);
	add_str(o, "hostname", n->hostname ? n->hostname : n->name);
	add_str(o, "uuid", n->id.uuid);
	add_str(o, "serial", n->id.serial);
	json_object_object_add(o, "macs", str_array(n->id.macs, n->id.n_macs));
	add_str(o, "address", n->address);
	json_object_object_add(o, "disks", disks(&n->id));
	add_str(o, "network", n->network);
	names = json_object_new_array();
	for (size_t i = 0; i < count; i++)
		json_object_array_add(names, json_object_new_string(list[i]->name));
	json_object_object_add(o, "neighbours", names);
	free(list);
	*out = o;
	return 0;
}

int hydra_inventory_json(const struct hydra_hwdb *db, char **out)
{
	struct json_object *root = json_object_new_object(), *meta = json_object_new_object();
	struct json_object *vars = json_object_new_object(), *all = json_object_new_object();
	struct json_object *hosts = json_object_new_array(), *v;
	int r = 0;

	*out = NULL;
	for (size_t i = 0; !r && i < db->n_nodes; i++) {
		r = hostvars(db, &db->nodes[i], &v);
		if (!r) {
			json_object_object_add(vars, db->nodes[i].name, v);
			json_object_array_add(hosts, json_object_new_string(db->nodes[i].name));
		}
	}
	json_object_object_add(meta, "hostvars", vars);
	json_object_object_add(root, "_meta", meta);
	json_object_object_add(all, "hosts", hosts);
	json_object_object_add(root, "all", all);
	if (!r) {
		*out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_SPACED |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
		r = *out ? 0 : -ENOMEM;
	}
	json_object_put(root);
	return r;
}

int hydra_inventory_script(const struct hydra_hwdb *db, const char *source, char **out)
{
	char *json = NULL;
	int r = hydra_inventory_json(db, &json);

	*out = NULL;
	if (r)
		return r;
	/*
	 * The JSON inside a quoted here-document: the shell changes nothing in
	 * it, and no line of it can be the bare END word (every JSON line holds
	 * a brace, a bracket or a quote).
	 */
	*out = hydra_strdupf("#!/bin/sh\n"
			     "# Ansible inventory of the hydra hardware-db %s, written by\n"
			     "# 'hydra hw inventory -o'. Ansible runs it with --list; _meta holds\n"
			     "# every host's variables, so --host is never needed.\n"
			     "[ \"$1\" = --host ] && { echo '{}'; exit 0; }\n"
			     "cat <<'END'\n%s\nEND\n", strpbrk(source, "\n") ? "(a folder)" : source,
			     json);
	free(json);
	return *out ? 0 : -ENOMEM;
}
