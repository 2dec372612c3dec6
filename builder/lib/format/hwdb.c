#include "format/hwdb.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/hydra.h"
#include "base/ini.h"
#include "base/util.h"

int hydra_uuid_is_set(const char *uuid)
{
	int zero = 1, ff = 1, digits = 0;

	if (!uuid || !*uuid)
		return 0;
	for (const char *p = uuid; *p; p++) {
		if (*p == '-')
			continue;
		digits++;
		if (*p != '0')
			zero = 0;
		if (*p != 'f' && *p != 'F')
			ff = 0;
	}
	return digits && !zero && !ff;
}

int hydra_mac_normalize(const char *in, char out[18])
{
	if (strlen(in) != 17)
		return -EINVAL;
	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2) {
			if (in[i] != ':')
				return -EINVAL;
			out[i] = ':';
		} else {
			if (!isxdigit((unsigned char)in[i]))
				return -EINVAL;
			out[i] = (char)tolower((unsigned char)in[i]);
		}
	}
	out[17] = '\0';
	return 0;
}

void hydra_machine_clear(struct hydra_machine *m)
{
	free(m->uuid);
	free(m->serial);
	free(m->vendor);
	free(m->product);
	free(m->board);
	free(m->cpu);
	for (size_t i = 0; i < m->n_macs; i++)
		free(m->macs[i]);
	for (size_t i = 0; i < m->n_disks; i++)
		free(m->disks[i].id);
	memset(m, 0, sizeof(*m));
}

void hydra_node_clear(struct hydra_node *n)
{
	hydra_machine_clear(&n->id);
	free(n->name);
	free(n->file);
	free(n->hostname);
	free(n->overlays);
	free(n->network);
	free(n->address);
	free(n->gateway);
	free(n->dns);
	hydra_strv_free(n->neighbours, HYDRA_STRV_ALL);
	free(n->backup);
	memset(n, 0, sizeof(*n));
}

void hydra_hwdb_free(struct hydra_hwdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n_nodes; i++)
		hydra_node_clear(&db->nodes[i]);
	free(db->nodes);
	free(db);
}

struct parse_ctx {
	const char *file;
	struct hydra_node *n;
	unsigned gateway_line, dns_line;
};

static int set_str(char **dst, const char *v)
{
	char *s = strdup(v);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int parse_macs(struct parse_ctx *c, const char *v, unsigned line)
{
	struct hydra_machine *m = &c->n->id;
	char *copy = strdup(v), *save = NULL, *tok;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char mac[18];

		if (hydra_mac_normalize(tok, mac) < 0) {
			r = hydra_ini_error(c->file, line, "bad mac '%s'", tok);
			goto out;
		}
		if (m->n_macs == HYDRA_HWDB_MAX_MACS) {
			r = hydra_ini_error(c->file, line, "more than %d macs", HYDRA_HWDB_MAX_MACS);
			goto out;
		}
		m->macs[m->n_macs] = strdup(mac);
		if (!m->macs[m->n_macs]) {
			r = -ENOMEM;
			goto out;
		}
		m->n_macs++;
	}
out:
	free(copy);
	return r;
}

static int parse_disks(struct parse_ctx *c, const char *v, unsigned line)
{
	struct hydra_machine *m = &c->n->id;
	char *copy = strdup(v), *save = NULL, *tok;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *colon = strrchr(tok, ':');
		uint64_t size;

		if (!colon || colon == tok || hydra_parse_size(colon + 1, &size) < 0) {
			r = hydra_ini_error(c->file, line, "bad disk '%s' (want SERIAL:SIZE)", tok);
			goto out;
		}
		if (m->n_disks == HYDRA_HWDB_MAX_DISKS) {
			r = hydra_ini_error(c->file, line, "more than %d disks", HYDRA_HWDB_MAX_DISKS);
			goto out;
		}
		*colon = '\0';
		m->disks[m->n_disks].id = strdup(tok);
		if (!m->disks[m->n_disks].id) {
			r = -ENOMEM;
			goto out;
		}
		m->disks[m->n_disks].size = size;
		m->n_disks++;
	}
out:
	free(copy);
	return r;
}

int hydra_addr_parse(const char *text, int prefix_ok, char *host, size_t len)
{
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	unsigned char bin[16];
	char buf[INET6_ADDRSTRLEN];
	int v6;

	if (!n || n >= sizeof(buf) || (slash && !prefix_ok))
		return -EINVAL;
	memcpy(buf, text, n);
	buf[n] = '\0';
	v6 = strchr(buf, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, bin) != 1)
		return -EINVAL;
	if (slash) {
		const char *p = slash + 1;
		unsigned long bits;
		char *end;

		/* Digits only, no sign, no leading zero: "/024" is a typo, not 24. */
		if (!isdigit((unsigned char)*p) || (p[0] == '0' && p[1]))
			return -EINVAL;
		bits = strtoul(p, &end, 10);
		if (*end || bits > (v6 ? 128u : 32u))
			return -EINVAL;
	}
	if (host) {
		if (n >= len)
			return -ENAMETOOLONG;
		memcpy(host, buf, n + 1);
	}
	return 0;
}

static int parse_network(struct parse_ctx *c, const char *v, unsigned line)
{
	if (strcmp(v, "dhcp") && strcmp(v, "static"))
		return hydra_ini_error(c->file, line, "bad network '%s' (want dhcp or static)", v);
	c->n->network_line = line;
	return set_str(&c->n->network, v);
}

static int parse_addr(struct parse_ctx *c, const char *key, const char *v, unsigned line)
{
	int address = !strcmp(key, "address");

	if (hydra_addr_parse(v, address, NULL, 0) < 0)
		return hydra_ini_error(c->file, line, "bad %s '%s' (want an IPv4 or IPv6 address%s)",
				       key, v, address ? ", optionally /PREFIX" : "");
	if (address)
		return set_str(&c->n->address, v);
	c->gateway_line = line;
	return set_str(&c->n->gateway, v);
}

static int parse_dns(struct parse_ctx *c, const char *v, unsigned line)
{
	char *copy = strdup(v), *save = NULL, *tok;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " \t", &save); tok && !r; tok = strtok_r(NULL, " \t", &save))
		if (hydra_addr_parse(tok, 0, NULL, 0) < 0)
			r = hydra_ini_error(c->file, line, "bad dns server '%s' (want an IPv4 or IPv6 "
					    "address)", tok);
	free(copy);
	c->dns_line = line;
	return r ? r : set_str(&c->n->dns, v);
}

/* The list as given; a name twice, a bad name or the node itself is an error. */
static int parse_neighbours(struct parse_ctx *c, const char *v, unsigned line)
{
	char *copy = strdup(v), *save = NULL, *tok;
	char **list = calloc(strlen(v) / 2 + 2, sizeof(*list));
	size_t n = 0;
	int r = 0;

	if (!copy || !list) {
		r = -ENOMEM;
		goto out;
	}
	for (tok = strtok_r(copy, " \t", &save); tok && !r; tok = strtok_r(NULL, " \t", &save)) {
		if (!hydra_node_name_valid(tok))
			r = hydra_ini_error(c->file, line, "bad neighbour name '%s'", tok);
		else if (!strcmp(tok, c->n->name))
			r = hydra_ini_error(c->file, line, "'%s' cannot be its own neighbour", tok);
		for (size_t i = 0; !r && i < n; i++)
			if (!strcmp(list[i], tok))
				r = hydra_ini_error(c->file, line, "neighbour '%s' given twice", tok);
		if (!r && !(list[n++] = strdup(tok)))
			r = -ENOMEM;
	}
	if (!r) {
		c->n->neighbours = list;
		c->n->neighbours_line = line;
		list = NULL;
	}
out:
	hydra_strv_free(list, HYDRA_STRV_ALL);
	free(copy);
	return r;
}

/* RFC 1123 host names: printed, set with sethostname and written to /etc/hostname. */
static int hostname_ok(const char *v)
{
	size_t label = 0, n = strlen(v);

	if (!n || n > 253 || v[0] == '.' || v[0] == '-')
		return 0;
	for (const char *c = v; *c; c++) {
		if (*c == '.') {
			if (!label || c[-1] == '-')
				return 0;
			label = 0;
		} else if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			   (*c >= '0' && *c <= '9') || *c == '-') {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return label && v[n - 1] != '-';
}

/* Overlay names are folders under overlays/: nothing that could reach past it. */
static int overlay_names(struct parse_ctx *c, unsigned line, const char *v)
{
	char *copy = strdup(v), *save = NULL;
	int r = copy ? 0 : -ENOMEM;

	for (char *w = copy ? strtok_r(copy, " \t", &save) : NULL; !r && w;
	     w = strtok_r(NULL, " \t", &save))
		if (!hydra_plain_name(w))
			r = hydra_ini_error(c->file, line, "bad overlay name '%s': expected a folder "
					    "name under overlays/", w);
	free(copy);
	return r;
}

/* systemd's calendar expressions: letters, digits and a few marks, one line. */
static int parse_backup(struct parse_ctx *c, const char *v, unsigned line)
{
	if (!*v || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			  " :*/,.~-") != strlen(v))
		return hydra_ini_error(c->file, line, "bad backup '%s' (want a systemd calendar "
				       "expression such as hourly or *:0/30)", v);
	return set_str(&c->n->backup, v);
}

static int on_config(struct parse_ctx *c, const char *key, const char *value, unsigned line)
{
	if (!strcmp(key, "hostname"))
		return hostname_ok(value) ? set_str(&c->n->hostname, value) :
		       hydra_ini_error(c->file, line, "bad hostname (want letters, digits, '-' and "
				       "'.', labels of 1 to 63, 253 at most)");
	if (!strcmp(key, "overlays"))
		return overlay_names(c, line, value) ? -EINVAL : set_str(&c->n->overlays, value);
	if (!strcmp(key, "network"))
		return parse_network(c, value, line);
	if (!strcmp(key, "address") || !strcmp(key, "gateway"))
		return parse_addr(c, key, value, line);
	if (!strcmp(key, "dns"))
		return parse_dns(c, value, line);
	if (!strcmp(key, "neighbours"))
		return parse_neighbours(c, value, line);
	if (!strcmp(key, "backup"))
		return parse_backup(c, value, line);
	return hydra_ini_error(c->file, line, "unknown key '%s' in [config]", key);
}

/* What one key cannot say alone: static needs an address, gateway and dns need static. */
static int check_config(struct parse_ctx *c)
{
	const struct hydra_node *n = c->n;
	int is_static = n->network && !strcmp(n->network, "static");

	if (is_static && !n->address)
		return hydra_ini_error(c->file, n->network_line, "network = static needs an address");
	if (n->gateway && !is_static)
		return hydra_ini_error(c->file, c->gateway_line, "gateway needs network = static");
	if (n->dns && !is_static)
		return hydra_ini_error(c->file, c->dns_line, "dns needs network = static");
	return 0;
}

static int on_key(const char *section, const char *key, const char *value, unsigned line, void *ud)
{
	struct parse_ctx *c = ud;
	struct hydra_machine *m = &c->n->id;

	if (!section || (strcmp(section, "identity") && strcmp(section, "config")))
		return hydra_ini_error(c->file, line, "unknown section '%s'", section ? section : "");
	if (!key)
		return 0;
	if (!strcmp(section, "identity")) {
		if (!strcmp(key, "uuid"))
			return set_str(&m->uuid, value);
		if (!strcmp(key, "serial"))
			return set_str(&m->serial, value);
		if (!strcmp(key, "vendor"))
			return set_str(&m->vendor, value);
		if (!strcmp(key, "product"))
			return set_str(&m->product, value);
		if (!strcmp(key, "board"))
			return set_str(&m->board, value);
		if (!strcmp(key, "cpu"))
			return set_str(&m->cpu, value);
		if (!strcmp(key, "macs"))
			return parse_macs(c, value, line);
		if (!strcmp(key, "disks"))
			return parse_disks(c, value, line);
		if (!strcmp(key, "cpus")) {
			char *end;
			unsigned long v = strtoul(value, &end, 10);

			if (!*value || *end || v == 0 || v > 1u << 20)
				return hydra_ini_error(c->file, line, "bad cpus '%s'", value);
			m->cpus = (unsigned)v;
			return 0;
		}
		if (!strcmp(key, "memory")) {
			if (hydra_parse_size(value, &m->memory) < 0)
				return hydra_ini_error(c->file, line, "bad memory '%s'", value);
			return 0;
		}
	} else {
		return on_config(c, key, value, line);
	}
	return hydra_ini_error(c->file, line, "unknown key '%s' in [%s]", key, section);
}

/* ASCII only: islower() would follow the locale. */
int hydra_node_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (!len || len > HYDRA_NODE_NAME_MAX || name[0] == '-')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '-'))
			return 0;
	return 1;
}

int hydra_hwdb_parse_node(const char *file, const char *buf, size_t len, struct hydra_node *out)
{
	struct hydra_node n = { 0 };
	struct parse_ctx c = { .file = file, .n = &n };
	const char *base = strrchr(file, '/');
	size_t nlen;
	int r;

	base = base ? base + 1 : file;
	nlen = strlen(base);
	if (nlen > 5 && !strcmp(base + nlen - 5, ".conf"))
		nlen -= 5;
	n.name = strndup(base, nlen);
	if (n.name && !hydra_node_name_valid(n.name)) {
		hydra_log(HYDRA_LOG_ERROR, "%s: bad node name (want [a-z0-9][a-z0-9-]*, up to %d)",
			  file, HYDRA_NODE_NAME_MAX);
		free(n.name);
		return -EINVAL;
	}
	n.file = strdup(file);
	if (!n.name || !n.file) {
		r = -ENOMEM;
		goto out;
	}
	r = hydra_ini_parse(file, buf, len, on_key, &c);
	if (!r)
		r = check_config(&c);
	if (r < 0)
		goto out;
	*out = n;
	memset(&n, 0, sizeof(n));
out:
	hydra_node_clear(&n);
	return r;
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp(((const struct hydra_node *)a)->name, ((const struct hydra_node *)b)->name);
}

const struct hydra_node *hydra_hwdb_find(const struct hydra_hwdb *db, const char *name)
{
	for (size_t i = 0; db && i < db->n_nodes; i++)
		if (!strcmp(db->nodes[i].name, name))
			return &db->nodes[i];
	return NULL;
}

/* The first neighbour NODE names that DB lacks, or NULL. */
static const char *unknown_neighbour(const struct hydra_hwdb *db, const struct hydra_node *n)
{
	for (size_t j = 0; n->neighbours && n->neighbours[j]; j++)
		if (!hydra_hwdb_find(db, n->neighbours[j]))
			return n->neighbours[j];
	return NULL;
}

/*
 * A neighbour is named in one profile and must have its own: checked once
 * all are read. A profile naming one that is missing is left out like any
 * bad profile, and again until none is (leaving one out can orphan another).
 */
static void drop_unknown_neighbours(struct hydra_hwdb *db)
{
	int changed = 1;

	while (changed) {
		changed = 0;
		for (size_t i = 0; i < db->n_nodes; i++) {
			struct hydra_node *n = &db->nodes[i];
			const char *name = unknown_neighbour(db, n);

			if (!name)
				continue;
			hydra_ini_error(n->file, n->neighbours_line, "unknown neighbour '%s' (no "
					"nodes/%s.conf, or it was left out)", name, name);
			hydra_log(HYDRA_LOG_ERROR, "skipping '%s': its profile is malformed", n->file);
			hydra_node_clear(n);
			memmove(n, n + 1, (db->n_nodes - i - 1) * sizeof(*n));
			db->n_nodes--;
			db->n_skipped++;
			changed = 1;
			break;
		}
	}
}

int hydra_hwdb_neighbours(const struct hydra_hwdb *db, const struct hydra_node *node,
			  const struct hydra_node ***out, size_t *n)
{
	const struct hydra_node **list = calloc(db->n_nodes + 1, sizeof(*list));

	*out = NULL;
	*n = 0;
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; node->neighbours && node->neighbours[i]; i++) {
		list[*n] = hydra_hwdb_find(db, node->neighbours[i]);
		if (!list[*n]) {
			hydra_err("%s: unknown neighbour '%s'", node->file, node->neighbours[i]);
			free(list);
			*n = 0;
			return -ENOENT;
		}
		(*n)++;
	}
	for (size_t i = 0; !node->neighbours && i < db->n_nodes; i++)
		if (strcmp(db->nodes[i].name, node->name))
			list[(*n)++] = &db->nodes[i];
	*out = list;
	return 0;
}

int hydra_hwdb_load(const char *dir, struct hydra_hwdb **out)
{
	struct hydra_hwdb *db = NULL;
	char *nodes = NULL, *path = NULL, *buf = NULL;
	const char *base = dir;
	DIR *d = NULL;
	struct dirent *e;
	struct stat st;
	int r;

	*out = NULL;
	db = calloc(1, sizeof(*db));
	nodes = hydra_path_join(dir, "nodes");
	if (!db || !nodes) {
		r = -ENOMEM;
		goto out;
	}
	base = nodes;
	d = opendir(nodes);
	if (d) {
		base = nodes;
	} else if (errno == ENOENT) {
		d = opendir(dir);
		base = dir;
	}
	if (!d) {
		r = -errno;
		hydra_log(HYDRA_LOG_ERROR, "cannot open '%s': %s", base, strerror(errno));
		goto out;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name), len;
		struct hydra_node *grown;

		if (e->d_name[0] == '.' || l <= 5 || strcmp(e->d_name + l - 5, ".conf"))
			continue;
		free(path);
		free(buf);
		buf = NULL;
		path = hydra_strdupf("%s/%s", base, e->d_name);
		if (!path) {
			r = -ENOMEM;
			goto out;
		}
		/* One descriptor, no link, no FIFO: a profile that is none cannot hang the reader. */
		r = hydra_read_small_file(path, HYDRA_HWDB_PROFILE_MAX, &st, &buf, &len);
		if (r == -ENOMEM)
			goto out;
		if (r < 0) {
			hydra_log(HYDRA_LOG_ERROR, "skipping '%s': %s", path, r == -EFBIG ?
				  "larger than 64 KiB" : r == -EINVAL || r == -ELOOP ?
				  "not a regular file" : strerror(-r));
			db->n_skipped++;
			continue;
		}
		grown = realloc(db->nodes, (db->n_nodes + 1) * sizeof(*grown));
		if (!grown) {
			r = -ENOMEM;
			goto out;
		}
		db->nodes = grown;
		/* A bad profile is named (FILE:LINE) and left out: the others still match. */
		r = hydra_hwdb_parse_node(path, buf, len, &db->nodes[db->n_nodes]);
		if (r == -ENOMEM)
			goto out;
		if (r < 0) {
			hydra_log(HYDRA_LOG_ERROR, "skipping '%s': its profile is malformed", path);
			db->n_skipped++;
			continue;
		}
		db->n_nodes++;
	}
	if (db->n_nodes)
		qsort(db->nodes, db->n_nodes, sizeof(*db->nodes), cmp_node);
	drop_unknown_neighbours(db);
	*out = db;
	db = NULL;
	r = 0;
out:
	if (d)
		closedir(d);
	hydra_hwdb_free(db);
	free(nodes);
	free(path);
	free(buf);
	return r;
}

static int mac_common(const struct hydra_machine *a, const struct hydra_machine *b, const char **mac)
{
	for (size_t i = 0; i < a->n_macs; i++)
		for (size_t j = 0; j < b->n_macs; j++)
			if (!strcasecmp(a->macs[i], b->macs[j])) {
				*mac = a->macs[i];
				return 1;
			}
	return 0;
}

int hydra_hwdb_match(const struct hydra_hwdb *db, const struct hydra_machine *m,
		     const struct hydra_node **node, char *reason, size_t len)
{
	const struct hydra_node *found = NULL;
	const char *mac = NULL;

	*node = NULL;
	if (len)
		reason[0] = '\0';
	if (!db)
		return -EINVAL;
	if (hydra_uuid_is_set(m->uuid)) {
		for (size_t i = 0; i < db->n_nodes; i++) {
			const struct hydra_node *n = &db->nodes[i];

			if (!n->id.uuid || strcasecmp(n->id.uuid, m->uuid))
				continue;
			if (found) {
				hydra_log(HYDRA_LOG_WARN, "nodes '%s' and '%s' both match dmi uuid %s, using '%s'",
					  found->name, n->name, m->uuid, found->name);
				continue;
			}
			found = n;
		}
		if (found) {
			snprintf(reason, len, "dmi uuid %s", found->id.uuid);
			*node = found;
			return 0;
		}
	}
	for (size_t i = 0; i < db->n_nodes; i++) {
		const struct hydra_node *n = &db->nodes[i];
		const char *mm;

		if (!mac_common(m, &n->id, &mm))
			continue;
		if (found) {
			hydra_log(HYDRA_LOG_WARN, "nodes '%s' and '%s' both match by mac, using '%s'",
				  found->name, n->name, found->name);
			continue;
		}
		found = n;
		mac = mm;
	}
	if (!found)
		return 1;
	snprintf(reason, len, "mac %s", mac);
	*node = found;
	return 0;
}

static int put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -EINVAL;
		if (*buf && *len + (size_t)n < *cap) {
			*len += (size_t)n;
			return 0;
		}
		size_t ncap = (*cap ? *cap * 2 : 512) + (size_t)n;
		char *g = realloc(*buf, ncap);

		if (!g)
			return -ENOMEM;
		*buf = g;
		*cap = ncap;
	}
}

/* Values that would not survive the line-oriented format are left out. */
static int put_kv(char **buf, size_t *len, size_t *cap, const char *key, const char *v)
{
	if (!v || !*v || strpbrk(v, "\n\r"))
		return 0;
	return put(buf, len, cap, "%s = %s\n", key, v);
}

/* An empty list is written too: "neighbours =" (none) differs from no key (every other node). */
static int put_list(char **buf, size_t *len, size_t *cap, const char *key, char **v)
{
	int r = v ? put(buf, len, cap, "%s =", key) : 0;

	for (size_t i = 0; !r && v && v[i]; i++)
		r = put(buf, len, cap, " %s", v[i]);
	return !r && v ? put(buf, len, cap, "\n") : r;
}

int hydra_hwdb_format_node(const struct hydra_node *n, char **out)
{
	const struct hydra_machine *m = &n->id;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int r;

	*out = NULL;
	if ((r = put(&buf, &len, &cap, "[identity]\n")) < 0 ||
	    (r = put_kv(&buf, &len, &cap, "uuid", m->uuid)) < 0 ||
	    (r = put_kv(&buf, &len, &cap, "serial", m->serial)) < 0 ||
	    (r = put_kv(&buf, &len, &cap, "vendor", m->vendor)) < 0 ||
	    (r = put_kv(&buf, &len, &cap, "product", m->product)) < 0 ||
	    (r = put_kv(&buf, &len, &cap, "board", m->board)) < 0)
		goto out;
	if (m->n_macs) {
		if ((r = put(&buf, &len, &cap, "macs =")) < 0)
			goto out;
		for (size_t i = 0; i < m->n_macs; i++)
			if ((r = put(&buf, &len, &cap, " %s", m->macs[i])) < 0)
				goto out;
		if ((r = put(&buf, &len, &cap, "\n")) < 0)
			goto out;
	}
	if (m->n_disks) {
		if ((r = put(&buf, &len, &cap, "disks =")) < 0)
			goto out;
		for (size_t i = 0; i < m->n_disks; i++)
			if ((r = put(&buf, &len, &cap, " %s:%llu", m->disks[i].id,
				     (unsigned long long)m->disks[i].size)) < 0)
				goto out;
		if ((r = put(&buf, &len, &cap, "\n")) < 0)
			goto out;
	}
	if ((r = put_kv(&buf, &len, &cap, "cpu", m->cpu)) < 0)
		goto out;
	if (m->cpus && (r = put(&buf, &len, &cap, "cpus = %u\n", m->cpus)) < 0)
		goto out;
	if (m->memory && (r = put(&buf, &len, &cap, "memory = %llu\n",
				  (unsigned long long)m->memory)) < 0)
		goto out;
	if ((r = put(&buf, &len, &cap, "\n[config]\n")) < 0 ||
	    (r = put_kv(&buf, &len, &cap, "hostname", n->hostname ? n->hostname : n->name)) < 0 ||
	    (r = put_kv(&buf, &len, &cap, "overlays", n->overlays)) < 0 ||
	    (r = put_kv(&buf, &len, &cap, "network", n->network)) < 0 ||
	    (r = put_kv(&buf, &len, &cap, "address", n->address)) < 0 ||
	    (r = put_kv(&buf, &len, &cap, "gateway", n->gateway)) < 0 ||
	    (r = put_kv(&buf, &len, &cap, "dns", n->dns)) < 0 ||
	    (r = put_list(&buf, &len, &cap, "neighbours", n->neighbours)) < 0 ||
	    (r = put_kv(&buf, &len, &cap, "backup", n->backup)) < 0)
		goto out;
	*out = buf;
	buf = NULL;
out:
	free(buf);
	return r;
}
