/* What netboot's servers are told and what their logs say (pure: pxe.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "fleet/pxe.h"
#include "format/hwdb.h"
#include "format/layout.h"

/* Nothing that could end a line of dnsmasq.conf or start another word in it. */
static int conf_word(const char *s)
{
	return s && *s && !strpbrk(s, " \t\r\n,\"#");
}

static int conf_valid(const struct hydra_pxe_conf *c)
{
	struct in_addr a;
	char mac[18];

	if (!hydra_node_name_valid(c->node) || !conf_word(c->ifname) || !conf_word(c->rundir) ||
	    !c->addr || inet_pton(AF_INET, c->addr, &a) != 1 || !c->n_macs ||
	    !c->http_port || c->http_port > 65535)
		return 0;
	for (size_t i = 0; i < c->n_macs; i++)
		if (hydra_mac_normalize(c->macs[i], mac) < 0 || strcmp(mac, c->macs[i]))
			return 0;
	return 1;
}

/* Both modes: DHCP for the armed MACs only, iPXE by TFTP, no DNS. */
static void conf_common(FILE *f, const struct hydra_pxe_conf *c)
{
	fprintf(f, "# dnsmasq for 'hydra regenerate %s': PXE for its MAC addresses only, on %s\n"
		"port=0\n"
		"no-hosts\n"
		"interface=%s\n"
		"bind-interfaces\n"
		"user=nobody\n"
		"group=nogroup\n"
		"pid-file=%s/dnsmasq.pid\n"
		"dhcp-leasefile=%s/dnsmasq.leases\n"
		"log-facility=-\n"
		"# the armed MACs get the tag hydra; everyone else is ignored\n",
		c->node, c->ifname, c->ifname, c->rundir, c->rundir);
	for (size_t i = 0; i < c->n_macs; i++)
		fprintf(f, "dhcp-mac=set:hydra,%s\n", c->macs[i]);
	fprintf(f, "dhcp-ignore=tag:!hydra\n"
		"# a client that is iPXE already gets the script; firmware gets iPXE first\n"
		"dhcp-userclass=set:ipxe,iPXE\n"
		"enable-tftp\n"
		/* Transfers from known ports, which the firewall opens (fleet/firewall.h). */
		"tftp-port-range=" HYDRA_PXE_TFTP_PORTS_DNSMASQ "\n"
		"tftp-root=%s/tftp\n", c->rundir);
}

/*
 * Proxy DHCP: the segment's server gives the lease; dnsmasq adds the PXE
 * menu (one entry a firmware type, chosen at once), which the firmware
 * follows to the boot server on port 4011 for the file's name. iPXE takes
 * the file name of the proxy offer itself.
 */
static void conf_proxy(FILE *f, const struct hydra_pxe_conf *c, const char *script)
{
	fprintf(f, "dhcp-range=%s,proxy\n"
		"pxe-prompt=\"hydra: netboot of %s\",0\n"
		"pxe-service=tag:!ipxe,x86PC,\"hydra\"," HYDRA_IPXE_BIOS "\n"
		"pxe-service=tag:!ipxe,BC_EFI,\"hydra\"," HYDRA_IPXE_EFI "\n"
		"pxe-service=tag:!ipxe,x86-64_EFI,\"hydra\"," HYDRA_IPXE_EFI "\n"
		"dhcp-boot=tag:ipxe,%s\n", c->addr, c->node, script);
}

/*
 * Own leases on an isolated link: no router and no DNS server are offered.
 * No ping before an offer either: on a link that only hydra serves, nothing
 * else holds a lease, and dnsmasq's check costs every client 3 s. iPXE is
 * told that no ProxyDHCP offer will come (its option 175, sub-option 176,
 * no-pxedhcp, = 1), else it waits 2 s more for one.
 */
static int conf_own(FILE *f, const struct hydra_pxe_conf *c, const char *script)
{
	char start[16], end[16], mask[16];
	int r = hydra_pxe_own_range(c->addr, c->prefix, start, end, mask);

	if (r < 0)
		return r;
	fprintf(f, "dhcp-range=%s,%s,%s,1h\n"
		"no-ping\n"
		"dhcp-option=option:router\n"
		"dhcp-option=option:dns-server\n"
		"dhcp-match=set:efi,option:client-arch,7\n"
		"dhcp-match=set:efi,option:client-arch,9\n"
		"dhcp-option=tag:ipxe,175,b0:01:01\n"
		"dhcp-boot=tag:ipxe,%s\n"
		"dhcp-boot=tag:!ipxe,tag:efi," HYDRA_IPXE_EFI ",,%s\n"
		"dhcp-boot=tag:!ipxe,tag:!efi," HYDRA_IPXE_BIOS ",,%s\n",
		start, end, mask, script, c->addr, c->addr);
	return 0;
}

int hydra_pxe_dnsmasq_conf(const struct hydra_pxe_conf *c, char **out)
{
	char *script = NULL, *text = NULL;
	size_t len = 0;
	FILE *f;
	int r = 0;

	*out = NULL;
	if (!conf_valid(c))
		return -EINVAL;
	script = hydra_strdupf("http://%s:%u/" HYDRA_NETBOOT_SCRIPT, c->addr, c->http_port);
	f = script ? open_memstream(&text, &len) : NULL;
	if (!f) {
		free(script);
		return -ENOMEM;
	}
	conf_common(f, c);
	if (c->dhcp == HYDRA_DHCP_PROXY)
		conf_proxy(f, c, script);
	else
		r = conf_own(f, c, script);
	if (fclose(f) != 0 && !r)
		r = -ENOMEM;
	free(script);
	if (r)
		free(text);
	else
		*out = text;
	return r;
}

int hydra_pxe_own_range(const char *addr, unsigned prefix, char start[16], char end[16],
			char netmask[16])
{
	struct in_addr a;
	uint32_t host, mask, net, bcast, lo, hi;

	if (inet_pton(AF_INET, addr, &a) != 1 || prefix < 8 || prefix > 30)
		return -EINVAL;
	host = ntohl(a.s_addr);
	mask = ~0u << (32 - prefix);
	net = host & mask;
	bcast = net | ~mask;
	if (host == net || host == bcast)
		return -EINVAL;
	lo = host + 1;
	hi = bcast - 1 - host > 50 ? host + 50 : bcast - 1;
	if (lo > hi) {             /* ADDR is the last host: take the addresses before it */
		hi = host - 1;
		lo = host - 1 - net > 50 ? host - 50 : net + 1;
	}
	a.s_addr = htonl(lo);
	inet_ntop(AF_INET, &a, start, 16);
	a.s_addr = htonl(hi);
	inet_ntop(AF_INET, &a, end, 16);
	a.s_addr = htonl(mask);
	inet_ntop(AF_INET, &a, netmask, 16);
	return 0;
}

char *hydra_pxe_boot_script(const struct hydra_manifest *m, const char *node,
			    const char *base_url, const char *orders)
{
	const char *cmdline = m->cmdline ? m->cmdline : "";

	/*
	 * initrd= names the initramfs for the kernel's EFI stub, which finds it
	 * among the files iPXE has loaded; a BIOS boot ignores the word.
	 * hydra.netif= is expanded by iPXE: netX is the interface it booted
	 * from, so hydra-init fetches the payload over the same link with the
	 * address the firmware's DHCP gave (an empty gateway means none).
	 */
	return hydra_strdupf("#!ipxe\n"
			     "# hydra regenerate: node %s, image %s\n"
			     "kernel %s" HYDRA_KERNEL_PATH " initrd=%s %s%shydra.id=%s hydra.node=%s "
			     "hydra.netboot=%s " HYDRA_PXE_NETIF_WORD " %s\n"
			     "initrd %s" HYDRA_INITRD_PATH "\n"
			     "boot\n",
			     node, m->id, base_url, strrchr(HYDRA_INITRD_PATH, '/') + 1, cmdline,
			     *cmdline ? " " : "", m->id, node, base_url, orders, base_url);
}

const char *hydra_netboot_phase_name(enum hydra_netboot_phase p)
{
	static const char *const names[] = {
		[HYDRA_NB_ARMED] = "armed", [HYDRA_NB_OFFER] = "offer",
		[HYDRA_NB_BOOTFILE] = "bootfile", [HYDRA_NB_LEASE] = "lease",
		[HYDRA_NB_TFTP] = "tftp", [HYDRA_NB_SCRIPT] = "script",
		[HYDRA_NB_KERNEL] = "kernel", [HYDRA_NB_INITRD] = "initrd",
		[HYDRA_NB_FILE] = "file", [HYDRA_NB_REPLICA] = "replica",
		[HYDRA_NB_WRITTEN] = "written", [HYDRA_NB_RESTORED] = "restored",
		[HYDRA_NB_DONE] = "done", [HYDRA_NB_DISARMED] = "disarmed",
	};

	return (size_t)p < sizeof(names) / sizeof(names[0]) && names[p] ? names[p] : "?";
}

/* Split LINE (a copy) into at most MAX words at spaces; the count. */
static size_t words(char *line, char **w, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *t = strtok_r(line, " ", &save); t && n < max;
	     t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	return n;
}

static int set_ip(struct hydra_netboot_event *ev, const char *ip)
{
	struct in_addr a;

	return inet_pton(AF_INET, ip, &a) == 1 && inet_ntop(AF_INET, &a, ev->ip, sizeof(ev->ip));
}

static int set_mac(struct hydra_netboot_event *ev, const char *mac)
{
	return hydra_mac_normalize(mac, ev->mac) == 0;
}

/*
 * "[XID ]PXE(IF) MAC proxy": a proxy offer; "PXE(IF) IP MAC FILE": the
 * boot server's answer; "DHCPOFFER(IF) IP MAC", "DHCPACK(IF) IP MAC ...":
 * own leases. Anything else ("proxy-ignored", "ignored") is no progress.
 */
static int dhcp_event(char **w, size_t n, struct hydra_netboot_event *ev)
{
	if (n && strspn(w[0], "0123456789") == strlen(w[0])) {
		w++;
		n--;
	}
	if (n == 3 && !strncmp(w[0], "PXE(", 4) && !strcmp(w[2], "proxy")) {
		ev->phase = HYDRA_NB_OFFER;
		return set_mac(ev, w[1]);
	}
	if (n == 4 && !strncmp(w[0], "PXE(", 4)) {
		ev->phase = HYDRA_NB_BOOTFILE;
		snprintf(ev->path, sizeof(ev->path), "%s", w[3]);
		return set_ip(ev, w[1]) && set_mac(ev, w[2]);
	}
	if (n >= 3 && (!strncmp(w[0], "DHCPOFFER(", 10) || !strncmp(w[0], "DHCPACK(", 8))) {
		ev->phase = w[0][4] == 'O' ? HYDRA_NB_OFFER : HYDRA_NB_LEASE;
		return set_ip(ev, w[1]) && set_mac(ev, w[2]);
	}
	return 0;
}

/* "sent ROOT/FILE to IP" */
static int tftp_event(char **w, size_t n, const char *root, struct hydra_netboot_event *ev)
{
	size_t len = strlen(root);

	if (n != 4 || strcmp(w[0], "sent") || strcmp(w[2], "to"))
		return 0;
	ev->phase = HYDRA_NB_TFTP;
	if (!strncmp(w[1], root, len) && w[1][len] == '/')
		snprintf(ev->path, sizeof(ev->path), "%s", w[1] + len + 1);
	else
		snprintf(ev->path, sizeof(ev->path), "%s", w[1]);
	return set_ip(ev, w[3]);
}

int hydra_pxe_parse_dnsmasq(const char *line, const char *tftp_root,
			    struct hydra_netboot_event *ev)
{
	char buf[512], *w[8], *colon;
	int dhcp = !strncmp(line, "dnsmasq-dhcp[", 13), r;
	size_t n;

	memset(ev, 0, sizeof(*ev));
	if (!dhcp && strncmp(line, "dnsmasq-tftp[", 13))
		return 0;
	colon = strstr(line, "]: ");
	if (!colon || strlen(colon + 3) >= sizeof(buf))
		return 0;
	strcpy(buf, colon + 3);
	buf[strcspn(buf, "\r\n")] = '\0';
	n = words(buf, w, 8);
	r = dhcp ? dhcp_event(w, n, ev) : tftp_event(w, n, tftp_root, ev);
	if (!r)
		memset(ev, 0, sizeof(*ev));
	return r;
}

/* The event a served PATH (relative) stands for. */
static enum hydra_netboot_phase http_phase(const char *path)
{
	if (!strcmp(path, HYDRA_NETBOOT_SCRIPT))
		return HYDRA_NB_SCRIPT;
	if (!strcmp(path, HYDRA_KERNEL_PATH))
		return HYDRA_NB_KERNEL;
	if (!strcmp(path, HYDRA_INITRD_PATH))
		return HYDRA_NB_INITRD;
	return HYDRA_NB_FILE;
}

int hydra_pxe_parse_httpd(struct hydra_httpd_log *s, const char *line,
			  struct hydra_netboot_event *ev)
{
	const char *sep = strstr(line, ": "), *what;
	size_t clen = sep ? (size_t)(sep - line) : 0;
	char client[32];
	unsigned i;

	memset(ev, 0, sizeof(*ev));
	if (!sep || !clen || clen >= sizeof(client) || memchr(line, ' ', clen))
		return 0;
	snprintf(client, sizeof(client), "%.*s", (int)clen, line);
	what = sep + 2;
	if (!strncmp(what, "url:/", 5)) {
		i = s->next++ % HYDRA_HTTPD_PENDING;
		snprintf(s->pending[i].client, sizeof(s->pending[i].client), "%s", client);
		snprintf(s->pending[i].path, sizeof(s->pending[i].path), "%.*s",
			 (int)strcspn(what + 5, "\r\n"), what + 5);
		return 0;
	}
	if (strncmp(what, "response:", 9))
		return 0;
	for (i = 0; i < HYDRA_HTTPD_PENDING && strcmp(s->pending[i].client, client); i++)
		;
	if (i == HYDRA_HTTPD_PENDING)
		return 0;
	s->pending[i].client[0] = '\0';
	if (strtol(what + 9, NULL, 10) != 200)
		return 0;
	ev->phase = http_phase(s->pending[i].path);
	snprintf(ev->path, sizeof(ev->path), "%s", s->pending[i].path);
	client[strcspn(client, ":")] = '\0';
	return set_ip(ev, client);
}
