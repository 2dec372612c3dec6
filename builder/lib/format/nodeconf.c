/* A node's [config] as systemd's files; see nodeconf.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/nodeconf.h"

/* Its own interfaces by MAC when the profile lists them, else every wired one. */
static int put_match(FILE *f, const struct hydra_node *n)
{
	if (!n->id.n_macs)
		return fputs("[Match]\nName=en* eth*\n", f) < 0 ? -EIO : 0;
	fputs("[Match]\nMACAddress=", f);
	for (size_t i = 0; i < n->id.n_macs; i++)
		fprintf(f, "%s%s", i ? " " : "", n->id.macs[i]);
	return fputs("\n", f) < 0 ? -EIO : 0;
}

int hydra_nodeconf_network(const struct hydra_node *n, char **out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	*out = NULL;
	if (!n->network || strcmp(n->network, "static") || !n->address)
		return 1;
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "# node %s: network = static in its hardware-db profile (written by hydra-init)\n",
		n->name);
	r = put_match(f, n);
	fprintf(f, "\n[Network]\nAddress=%s\n", n->address);
	if (n->gateway)
		fprintf(f, "Gateway=%s\n", n->gateway);
	if (n->dns)
		fprintf(f, "DNS=%s\n", n->dns);
	if (fclose(f) != 0 || r) {
		free(text);
		return r ? r : -ENOMEM;
	}
	*out = text;
	return 0;
}

int hydra_nodeconf_timer(const struct hydra_node *n, char **out)
{
	*out = NULL;
	if (!n->backup)
		return 1;
	/* An empty OnCalendar= first: the node's schedule replaces the image's, not adds to it. */
	if (asprintf(out, "# node %s: backup = %s in its hardware-db profile (written by hydra-init)\n"
		     "[Timer]\nOnCalendar=\nOnCalendar=%s\n", n->name, n->backup, n->backup) < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}
