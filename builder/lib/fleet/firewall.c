/* The neighbour's nftables input chain opened for the armed node, and closed again. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hydra.h"
#include "base/util.h"
#include "fleet/firewall.h"
#include "fleet/pxe.h"

#define CHAIN HYDRA_FIREWALL_FAMILY, HYDRA_FIREWALL_TABLE, HYDRA_FIREWALL_CHAIN

/* nft ARGS, its stdout into *OUT (may be NULL); nft's exit status or -errno. */
static int nft(const char *const argv[], char **out)
{
	char *err = NULL;
	struct hydra_spawn_opts o = { .capture = out, .capture_err = &err };
	int r = hydra_spawn(argv, &o);

	if (r > 0)
		hydra_debug("nft: %s", err ? err : "");
	free(err);
	return r;
}

unsigned hydra_firewall_stale(const char *listing, const char *node, unsigned long *handles,
			      unsigned max)
{
	char *want = hydra_strdupf("comment \"hydra regenerate %s\"", node);
	const char *line = listing;
	unsigned n = 0;

	while (want && line && *line && n < max) {
		const char *end = strchr(line, '\n'), *h;
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *copy = strndup(line, len);

		if (copy && strstr(copy, want) && (h = strstr(copy, "# handle ")))
			handles[n++] = strtoul(h + 9, NULL, 10);
		free(copy);
		line = end ? end + 1 : NULL;
	}
	free(want);
	return n;
}

static int delete_rule(unsigned long handle)
{
	char h[32];
	const char *argv[] = { "nft", "delete", "rule", CHAIN, "handle", h, NULL };

	snprintf(h, sizeof(h), "%lu", handle);
	return nft(argv, NULL);
}

/* Rules a regenerate killed before its disarm left behind. */
static void remove_stale(const char *node, const char *listing)
{
	unsigned long handles[16];
	unsigned n = hydra_firewall_stale(listing, node, handles, 16);

	for (unsigned i = 0; i < n; i++) {
		hydra_warn("removing an nftables rule a regenerate of %s left (handle %lu)", node,
			   handles[i]);
		delete_rule(handles[i]);
	}
}

static int insert(const char *node, const char *ifname, const char *match,
		  struct hydra_firewall *fw)
{
	char *rule = hydra_strdupf("iifname \"%s\" %s accept comment \"hydra regenerate %s\"", ifname,
				   match, node), *out = NULL;
	const char *argv[] = { "nft", "--echo", "--handle", "insert", "rule", CHAIN, rule, NULL };
	unsigned long h[1];
	int r = rule ? nft(argv, &out) : -ENOMEM;

	if (!r && hydra_firewall_stale(out ? out : "", node, h, 1) == 1)
		fw->handles[fw->n++] = h[0];
	else if (!r)
		r = -EIO;
	if (r)
		hydra_err("cannot open this node's firewall for %s (nft insert rule %s %s %s: %s)",
			  node, HYDRA_FIREWALL_FAMILY, HYDRA_FIREWALL_TABLE, HYDRA_FIREWALL_CHAIN, rule);
	free(rule);
	free(out);
	return r < 0 ? r : r ? -EIO : 0;
}

int hydra_firewall_open(const char *node, const char *ifname, unsigned http_port,
			struct hydra_firewall *fw)
{
	const char *list[] = { "nft", "-a", "list", "chain", CHAIN, NULL };
	char *listing = NULL, tcp[64];
	int r;

	memset(fw, 0, sizeof(*fw));
	if (!hydra_tool_exists("nft") || nft(list, &listing) != 0) {
		hydra_debug("no nftables chain %s %s %s here: nothing to open",
			    HYDRA_FIREWALL_FAMILY, HYDRA_FIREWALL_TABLE, HYDRA_FIREWALL_CHAIN);
		free(listing);
		return 0;
	}
	remove_stale(node, listing);
	free(listing);
	snprintf(tcp, sizeof(tcp), "tcp dport %u", http_port);
	r = insert(node, ifname, "udp dport { 67, 69, 4011, " HYDRA_PXE_TFTP_PORTS_NFT " }", fw);
	if (!r)
		r = insert(node, ifname, tcp, fw);
	if (r)
		hydra_firewall_close(fw);
	else
		hydra_info("nftables: %s %s %s accepts udp 67, 69, 4011, " HYDRA_PXE_TFTP_PORTS_NFT
			   " and tcp %u on %s while armed",
			   HYDRA_FIREWALL_FAMILY, HYDRA_FIREWALL_TABLE, HYDRA_FIREWALL_CHAIN, http_port,
			   ifname);
	return r;
}

int hydra_firewall_close(struct hydra_firewall *fw)
{
	int r = 0;

	for (unsigned i = 0; i < fw->n; i++)
		if (delete_rule(fw->handles[i]) != 0 && !r) {
			hydra_err("cannot remove the nftables rule %lu this regenerate added",
				  fw->handles[i]);
			r = -EIO;
		}
	fw->n = 0;
	return r;
}
