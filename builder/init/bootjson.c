/* /run/hydra/boot.json: how this boot went, for people and for hydra itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <json-c/json.h>

#include "base/util.h"
#include "init.h"

static void add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

int write_boot_json(struct boot *b)
{
	struct json_object *o = json_object_new_object(), *mods = json_object_new_array();
	struct timespec ts;
	struct utsname u;
	const char *text;
	int r;

	if (!o || !mods)
		return -ENOMEM;
	uname(&u);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	add_str(o, "id", b->manifest->id);
	add_str(o, "recipe", b->manifest->recipe);
	add_str(o, "version", b->manifest->version);
	add_str(o, "medium", b->netboot ? b->cmd.netboot : b->medium_dev);
	add_str(o, "medium_path", HYDRA_MEDIUM_DIR);
	add_str(o, "system", b->sqfs);
	add_str(o, "node", b->node);
	add_str(o, "node_reason", b->node_reason);
	add_str(o, "hostname", b->hostname[0] ? b->hostname : NULL);
	add_str(o, "kernel", u.release);
	add_str(o, "init", b->cmd.init);
	add_str(o, "data", b->data[0] ? b->data : NULL);
	json_object_object_add(o, "toram", json_object_new_boolean(b->cmd.toram || b->netboot));
	json_object_object_add(o, "netboot", json_object_new_boolean(b->netboot));
	if (b->netboot) {
		struct json_object *nb = json_object_new_object();

		add_str(nb, "interface", b->ifname);
		add_str(nb, "mac", b->cmd.netif.mac);
		add_str(nb, "address", b->cmd.netif.ip);
		json_object_object_add(nb, "bytes", json_object_new_int64((int64_t)b->net_bytes));
		json_object_object_add(nb, "seconds", json_object_new_double(b->net_seconds));
		add_str(nb, "signed_by", b->signer[0] ? b->signer : NULL);
		json_object_object_add(o, "fetched", nb);
	}
	json_object_object_add(o, "verified", json_object_new_boolean(b->verified));
	json_object_object_add(o, "cmdline_as_built", json_object_new_boolean(b->as_built));
	add_str(o, "cmdline", b->cmd.built ? b->cmd.built : "");
	for (size_t i = 0; i < b->n_modules; i++)
		json_object_array_add(mods, json_object_new_string(b->modules[i]));
	json_object_object_add(o, "modules", mods);
	json_object_object_add(o, "seconds_since_boot",
			       json_object_new_double((double)ts.tv_sec + ts.tv_nsec / 1e9));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	r = hydra_write_file_atomic("/run/hydra/boot.json", text, strlen(text), 0644);
	if (r)
		say("cannot write /run/hydra/boot.json: %s", strerror(-r));
	json_object_put(o);
	return r;
}
