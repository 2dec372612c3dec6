/* Reading the kernel command line: words, KEY=VALUE, "double quotes". */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/hydra.h"
#include "base/util.h"
#include "format/cmdline.h"
#include "format/hwdb.h"

static int set(char **field, const char *v)
{
	free(*field);
	*field = strdup(v);
	return *field ? 0 : -ENOMEM;
}

static int flag(const char *v)
{
	return !v || (strcmp(v, "0") && strcmp(v, "no") && strcmp(v, "off"));
}

/* Whole seconds up to an hour; anything else keeps the default, with a warning. */
static void wait_seconds(struct hydra_cmdline *c, const char *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end || errno || n > HYDRA_CMDLINE_WAIT_MAX)
		hydra_warn("ignoring hydra.wait='%s': not a number of seconds up to %d", v,
			   HYDRA_CMDLINE_WAIT_MAX);
	else
		c->wait = (unsigned)n;
}

static int apply(struct hydra_cmdline *c, const char *key, const char *v)
{
	if (!strcmp(key, "hydra.id") && v)
		return set(&c->id, v);
	if (!strcmp(key, "hydra.node") && v) {
		/* It names a file on the medium: anything but a node name is ignored. */
		if (hydra_node_name_valid(v))
			return set(&c->node, v);
		hydra_warn("ignoring hydra.node='%s': not a node name", v);
		return 0;
	}
	if (!strcmp(key, "init") && v)
		return set(&c->init, v);
	if (!strcmp(key, "hydra.persist") && v)
		return set(&c->persist, v);
	if (!strcmp(key, "hydra.break"))
		return set(&c->brk, v ? v : "mount");
	if (!strcmp(key, "hydra.wait") && v)
		wait_seconds(c, v);
	else if (!strcmp(key, "hydra.toram"))
		c->toram = flag(v);
	else if (!strcmp(key, "hydra.verify"))
		c->verify = flag(v);
	else if (!strcmp(key, "hydra.data"))
		c->data_off = !flag(v);
	else if (!strcmp(key, "hydra.debug"))
		c->debug = flag(v);
	return 0;
}

/* Words that differ from one medium or boot loader to another, by design. */
static int per_medium(const char *key)
{
	static const char *const keys[] = { "hydra.id", "hydra.node", "BOOT_IMAGE", "initrd", NULL };

	for (size_t i = 0; keys[i]; i++)
		if (!strcmp(key, keys[i]))
			return 1;
	return 0;
}

static int append_built(struct hydra_cmdline *c, const char *key, const char *v)
{
	char *s = hydra_strdupf("%s%s%s%s%s", c->built ? c->built : "", c->built ? " " : "", key,
				v ? "=" : "", v ? v : "");

	if (!s)
		return -ENOMEM;
	free(c->built);
	c->built = s;
	return 0;
}

int hydra_cmdline_as_built(const struct hydra_cmdline *booted, const char *manifest_cmdline)
{
	struct hydra_cmdline m;
	int same;

	if (hydra_cmdline_parse(manifest_cmdline, &m))
		return 0;
	same = !strcmp(booted->built ? booted->built : "", m.built ? m.built : "");
	hydra_cmdline_release(&m);
	return same;
}

int hydra_cmdline_parse(const char *text, struct hydra_cmdline *c)
{
	char *copy = strdup(text), *p;
	int r = 0;

	memset(c, 0, sizeof(*c));
	c->wait = 30;
	if (!copy)
		return -ENOMEM;
	for (p = copy; !r && *p;) {
		char *word, *eq, *out;
		int quoted = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		/* Copy one word, dropping the quotes the kernel allows around values. */
		word = out = p;
		while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n'))) {
			if (*p == '"')
				quoted = !quoted;
			else
				*out++ = *p;
			p++;
		}
		if (*p)
			p++;
		*out = '\0';
		eq = strchr(word, '=');
		if (eq)
			*eq = '\0';
		r = apply(c, word, eq ? eq + 1 : NULL);
		if (!r && !per_medium(word))
			r = append_built(c, word, eq ? eq + 1 : NULL);
	}
	free(copy);
	if (!r && !c->init)
		r = set(&c->init, "/sbin/init");
	if (r)
		hydra_cmdline_release(c);
	return r;
}

void hydra_cmdline_release(struct hydra_cmdline *c)
{
	free(c->id);
	free(c->node);
	free(c->init);
	free(c->brk);
	free(c->persist);
	free(c->built);
	memset(c, 0, sizeof(*c));
}
