/* Kernel modules: the driver map's names closed over modules.dep, in load order. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hydra.h"
#include "base/ini.h"
#include "base/util.h"
#include "build/modules.h"

struct dep_entry {
	char *path;       /* kernel/fs/fat/vfat.ko */
	char *name;       /* vfat (with '-' as '_') */
	char **deps;      /* paths */
	size_t n_deps;
	int state;        /* 0 new, 1 visiting, 2 listed */
};

struct dep_table {
	struct dep_entry *v;
	size_t n;
};

/* "kernel/drivers/ata/pata-acpi.ko(.xz)" names the module "pata_acpi". */
static char *module_name(const char *path, size_t len)
{
	const char *base = memrchr(path, '/', len), *ko;
	char *name;

	base = base ? base + 1 : path;
	name = strndup(base, len - (size_t)(base - path));
	if (name && (ko = strstr(name, ".ko")))
		name[ko - name] = '\0';
	for (char *c = name; c && *c; c++)
		if (*c == '-')
			*c = '_';
	return name;
}

static void table_free(struct dep_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].name);
		for (size_t j = 0; j < t->v[i].n_deps; j++)
			free(t->v[i].deps[j]);
		free(t->v[i].deps);
	}
	free(t->v);
}

static int parse_line(struct dep_table *t, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len), *p;
	struct dep_entry *e;

	if (!colon)
		return 0;
	e = realloc(t->v, (t->n + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	t->v = e;
	e = &t->v[t->n++];
	memset(e, 0, sizeof(*e));
	e->path = strndup(line, (size_t)(colon - line));
	e->name = module_name(line, (size_t)(colon - line));
	if (!e->path || !e->name)
		return -ENOMEM;
	for (p = colon + 1; p < line + len;) {
		size_t n;
		char **d;

		while (p < line + len && *p == ' ')
			p++;
		n = strcspn(p, " \n");
		if (p + n > line + len)
			n = (size_t)(line + len - p);
		if (!n)
			break;
		d = realloc(e->deps, (e->n_deps + 1) * sizeof(*d));
		if (!d)
			return -ENOMEM;
		e->deps = d;
		if (!(d[e->n_deps] = strndup(p, n)))
			return -ENOMEM;
		e->n_deps++;
		p += n;
	}
	return 0;
}

static struct dep_entry *find(struct dep_table *t, const char *name, int by_path)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(by_path ? t->v[i].path : t->v[i].name, name))
			return &t->v[i];
	return NULL;
}

static int push(struct hydra_modlist *out, const char *path)
{
	char **v = realloc(out->paths, (out->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	out->paths = v;
	v[out->n] = strdup(path);
	return v[out->n++] ? 0 : -ENOMEM;
}

/* Depth first: every dependency is listed before the module that needs it. */
static int visit(struct dep_table *t, struct dep_entry *e, struct hydra_modlist *out)
{
	int r;

	if (e->state == 2)
		return 0;
	if (e->state == 1) {
		hydra_warn("modules.dep has a dependency loop through '%s'", e->name);
		return 0;
	}
	e->state = 1;
	/* modules.dep lists a module's dependencies last-loaded first. */
	for (size_t i = e->n_deps; i-- > 0;) {
		struct dep_entry *d = find(t, e->deps[i], 1);

		if (d && (r = visit(t, d, out)))
			return r;
	}
	e->state = 2;
	return push(out, e->path);
}

int hydra_modules_closure(const char *dep, size_t len, const char *const *names, size_t n_names,
			  struct hydra_modlist *out,
			  void (*missing)(const char *name, void *ud), void *ud)
{
	struct dep_table t = { NULL, 0 };
	int r = 0;

	memset(out, 0, sizeof(*out));
	for (size_t start = 0; !r && start < len;) {
		const char *nl = memchr(dep + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - dep) : len;

		r = parse_line(&t, dep + start, end - start);
		start = end + 1;
	}
	for (size_t i = 0; !r && i < n_names; i++) {
		char *want = strdup(names[i]);
		struct dep_entry *e;

		if (!want) {
			r = -ENOMEM;
			break;
		}
		for (char *c = want; *c; c++)
			if (*c == '-')
				*c = '_';
		e = find(&t, want, 0);
		if (e)
			r = visit(&t, e, out);
		else if (missing)
			missing(names[i], ud);
		free(want);
	}
	table_free(&t);
	if (r)
		hydra_modlist_release(out);
	return r;
}

void hydra_modlist_release(struct hydra_modlist *l)
{
	hydra_strv_free(l->paths, l->n);
	l->paths = NULL;
	l->n = 0;
}

/* drivers.conf: [class] sections with "modules = a b c" and "firmware = ...". */
struct drivers {
	const char *file;
	char **names;
	size_t n;
};

static int on_driver_key(const char *section, const char *key, const char *value, unsigned line,
			 void *ud)
{
	static const char *const classes[] = { "storage", "usb", "mmc", "scsi", "filesystems",
					       "crypto", "network", NULL };
	struct drivers *d = ud;
	char *copy, *save = NULL;
	int known = 0;

	for (size_t i = 0; classes[i]; i++)
		known |= !strcmp(classes[i], section);
	if (!known)
		return hydra_ini_error(d->file, line, "unknown driver class [%s]", section);
	if (!key)
		return 0;
	if (!strcmp(key, "firmware"))
		return 0;
	if (strcmp(key, "modules"))
		return hydra_ini_error(d->file, line, "unknown key '%s' in [%s]", key, section);
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		char **v = realloc(d->names, (d->n + 1) * sizeof(*v));

		if (!v || !(v[d->n] = strdup(w))) {
			if (v)
				d->names = v;
			free(copy);
			return -ENOMEM;
		}
		d->names = v;
		d->n++;
	}
	free(copy);
	return 0;
}

int hydra_drivers_load(const char *path, char ***names, size_t *n)
{
	struct drivers d = { .file = path };
	char *buf = NULL;
	size_t len;
	int r;

	r = hydra_read_file(path, &buf, &len);
	if (r) {
		hydra_err("cannot read the driver map '%s': %s", path, strerror(-r));
		return r;
	}
	r = hydra_ini_parse(path, buf, len, on_driver_key, &d);
	free(buf);
	if (r) {
		hydra_strv_free(d.names, d.n);
		return r;
	}
	*names = d.names;
	*n = d.n;
	return 0;
}
