/* Reading the kernel command line: words, KEY=VALUE, "double quotes". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/http.h"
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

/* Keep the first refusal: it is what the boot says when it stops. */
static int refuse(struct hydra_cmdline *c, const char *key, const char *v, const char *why)
{
	if (c->netboot_error)
		return 0;
	c->netboot_error = hydra_strdupf("%s='%s': %s", key, v ? v : "", why);
	return c->netboot_error ? 0 : -ENOMEM;
}

static int netboot_url(struct hydra_cmdline *c, const char *v)
{
	struct hydra_http_url u;
	size_t n = v ? strlen(v) : 0;

	if (!v || hydra_http_url_parse(v, &u))
		return refuse(c, "hydra.netboot", v, "not a URL http://IPV4[:PORT]/PATH/");
	if (v[n - 1] != '/')
		return refuse(c, "hydra.netboot", v, "the URL must end with '/' (the medium's root)");
	return set(&c->netboot, v);
}

static int ipv4(const char *text, char *out, size_t len, uint32_t *host_order)
{
	struct in_addr a;

	if (strlen(text) >= len || inet_pton(AF_INET, text, &a) != 1)
		return -EINVAL;
	snprintf(out, len, "%s", text);
	if (host_order)
		*host_order = ntohl(a.s_addr);
	return 0;
}

static int mac_address(const char *text, char out[18])
{
	if (strlen(text) != 17)
		return -EINVAL;
	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2 ? text[i] != ':' && text[i] != '-' : !isxdigit((unsigned char)text[i]))
			return -EINVAL;
		out[i] = i % 3 == 2 ? ':' : (char)tolower((unsigned char)text[i]);
	}
	out[17] = '\0';
	return 0;
}

/* MAC,IP,NETMASK,[GATEWAY], as boot.ipxe's iPXE expands it; an unset iPXE setting is "". */
static int netif(struct hydra_cmdline *c, const char *v)
{
	struct hydra_cmdline_netif n = { .set = 1 };
	char copy[128], *f[5] = { 0 };
	size_t k = 0;
	uint32_t ip, mask;

	if (!v || strlen(v) >= sizeof(copy))
		return refuse(c, "hydra.netif", v, "not MAC,IP,NETMASK,[GATEWAY]");
	snprintf(copy, sizeof(copy), "%s", v);
	for (char *p = copy; k < 5; k++) {
		f[k] = p;
		p = strchr(p, ',');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (k < 2 || k > 3)
		return refuse(c, "hydra.netif", v, "not MAC,IP,NETMASK,[GATEWAY]");
	if (mac_address(f[0], n.mac))
		return refuse(c, "hydra.netif", v, "the first field is not a MAC address");
	if (ipv4(f[1], n.ip, sizeof(n.ip), &ip))
		return refuse(c, "hydra.netif", v, "the second field is not an IPv4 address "
			      "(did the firmware get one by DHCP?)");
	/* A netmask is ones then zeros: ~mask + 1 is then a power of two. */
	if (ipv4(f[2], n.netmask, sizeof(n.netmask), &mask) || !mask ||
	    ((~mask + 1) & ~mask))
		return refuse(c, "hydra.netif", v, "the third field is not a netmask");
	/* /31 and /32 have neither network nor broadcast address (RFC 3021). */
	if (!ip || (mask < 0xfffffffeu && ((ip & ~mask) == 0 || (ip & ~mask) == ~mask)))
		return refuse(c, "hydra.netif", v,
			      "the address is its network's or broadcast address");
	if (f[3] && *f[3] && ipv4(f[3], n.gateway, sizeof(n.gateway), NULL))
		return refuse(c, "hydra.netif", v, "the fourth field is not an IPv4 address");
	c->netif = n;
	return 0;
}

static int apply(struct hydra_cmdline *c, const char *key, const char *v)
{
	if (!strcmp(key, "hydra.netboot"))
		return netboot_url(c, v);
	if (!strcmp(key, "hydra.netif"))
		return netif(c, v);
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
	static const char *const keys[] = { "hydra.id", "hydra.node", "hydra.netboot", "hydra.netif",
					    "BOOT_IMAGE", "initrd", NULL };

	for (size_t i = 0; keys[i]; i++)
		if (!strcmp(key, keys[i]))
			return 1;
	/* A neighbour's orders to a netbooted node (fleet/netinstall.h). */
	return !strncmp(key, "hydra.netboot.", 14);
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
	if (!r && c->netboot && !c->netif.set)
		r = refuse(c, "hydra.netboot", c->netboot,
			   "no hydra.netif=MAC,IP,NETMASK,[GATEWAY] names the interface to use");
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
	free(c->netboot);
	free(c->netboot_error);
	memset(c, 0, sizeof(*c));
}
