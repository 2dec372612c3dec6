/* hydra regenerate: this node arms netboot for NODE and serves its own medium to it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hydra.h"
#include "base/util.h"
#include "cli.h"
#include "fleet/netboot.h"
#include "format/hwdb.h"
#include "progress.h"

#define TIMEOUT_DEFAULT 3600
#define TIMEOUT_MAX (7 * 24 * 3600)

struct regen_args {
	int dry;
	unsigned timeout;
	enum cli_progress_mode mode;
	struct hydra_netboot_opts o;
};

/* A device path or a serial/WWN: it will travel on the node's kernel command line. */
static int disk_valid(const char *s)
{
	return s[0] && strlen(s) < 256 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/-") ==
	       strlen(s);
}

static int on_option(int c, const char *arg, void *ud)
{
	struct regen_args *a = ud;
	char *end;
	unsigned long t;

	switch (c) {
	case 'n': a->dry = 1; break;
	case 'f': a->o.force = 1; break;
	case 'i': a->o.ifname = arg; break;
	case 'm': a->o.medium = arg; break;
	case 'H': a->o.hwdb = arg; break;
	case 'D':
		if (strcmp(arg, "proxy") && strcmp(arg, "own"))
			return cli_usage_error("regenerate", "--dhcp takes proxy or own");
		a->o.dhcp = !strcmp(arg, "own") ? HYDRA_DHCP_OWN : HYDRA_DHCP_PROXY;
		break;
	case 'k':
		if (!disk_valid(arg))
			return cli_usage_error("regenerate", "bad disk '%s' (a device path or a serial)",
					       arg);
		a->o.disk = arg;
		break;
	case 'd':
		if (strcmp(arg, "replica") && strcmp(arg, "none"))
			return cli_usage_error("regenerate", "--data takes replica or none");
		a->o.data_none = !strcmp(arg, "none");
		break;
	case 't':
		t = strtoul(arg, &end, 10);
		if (arg[0] < '0' || arg[0] > '9' || *end || t < 1 || t > TIMEOUT_MAX)
			return cli_usage_error("regenerate", "--timeout takes whole seconds from 1 to %d",
					       TIMEOUT_MAX);
		a->timeout = (unsigned)t;
		break;
	case 'P':
		if (cli_progress_parse(arg, &a->mode))
			return cli_usage_error("regenerate", "--progress takes auto, none or json");
		break;
	}
	return 0;
}

static const struct cli_option options[] = {
	CLI_LONG('i', "interface", "IF", "serve on IF (default: the default route's interface,\n"
		 "else the only one that is up)"),
	CLI_LONG('D', "dhcp", "MODE", "proxy (default): only the boot offer, beside the segment's\n"
		 "DHCP server; own: leases too, on an isolated link"),
	CLI_LONG('k', "disk", "DEVICE", "the disk NODE writes (default: the one its profile records,\n"
		 "else its only disk)"),
	CLI_LONG('d', "data", "MODE", "replica (default): NODE restores its data from this node's\n"
		 "replica; none"),
	CLI_OPT('f', "force", NULL, "NODE may write a disk that holds a hydra medium or data\n"
		"volume"),
	CLI_LONG('t', "timeout", "SECONDS", "disarm after SECONDS (default 3600)"),
	CLI_OPT('n', "dry-run", NULL, "show the plan, start nothing"),
	CLI_LONG('m', "medium", "DIR", "serve the medium in DIR (default: the running one)"),
	CLI_LONG('H', "hwdb", "DIR", "NODE's MACs from the hardware-db in DIR (default: the\n"
		 "medium's)"),
	CLI_LONG_EQ('P', "progress", "MODE", "auto (a line a phase), none or json"),
	{ 0 },
};

const struct cli_spec cli_regenerate = {
	.name = "regenerate",
	.usage = "hydra regenerate [--interface IF] [--dhcp proxy|own] [--disk DEVICE] "
		 "[--data replica|none] [--force] [--timeout SECONDS] [--dry-run] NODE",
	.summary = "bring NODE back by netboot, served from this node",
	.options = options,
	.notes = "Arms PXE for NODE's MAC addresses only (dnsmasq), hands out iPXE by TFTP and\n"
		 "serves this medium's files and NODE's replica over HTTP (busybox httpd). NODE\n"
		 "boots from them, writes its disk, restores its data (hydra install) and reports\n"
		 "done; then, or at --timeout or a signal, both servers stop and what arming\n"
		 "added is removed.",
};

static void print_addresses(const struct hydra_netboot_plan *p)
{
	char start[16], end[16], mask[16];

	printf("  interface: %s, %s/%u%s\n", p->ifname, p->addr, p->prefix,
	       p->add_addr ? " (added while armed: it has no IPv4 address)" : "");
	if (p->dhcp == HYDRA_DHCP_PROXY)
		printf("  DHCP: proxy, the boot offer only, beside the segment's own DHCP server\n");
	else if (hydra_pxe_own_range(p->addr, p->prefix, start, end, mask) == 0)
		printf("  DHCP: own, leases from %s to %s (no router, no DNS server)\n", start, end);
}

static void print_plan(const struct hydra_netboot_plan *p, const struct regen_args *a)
{
	char size[32];

	printf("plan: netboot node %s from this node\n  MACs:", p->node);
	for (size_t i = 0; i < p->n_macs; i++)
		printf(" %s", p->macs[i]);
	printf(" (answered; every other machine is ignored)\n");
	print_addresses(p);
	printf("  TFTP: " HYDRA_IPXE_BIOS " (BIOS) and " HYDRA_IPXE_EFI " (UEFI) from "
	       HYDRA_IPXE_DIR "; iPXE gets " HYDRA_NETBOOT_SCRIPT " over HTTP\n");
	printf("  HTTP: " HYDRA_NETBOOT_SCRIPT ", the %s MANIFEST and its %zu files of image %s "
	       "(%s) from %s, on a free port of %s\n", p->signed_manifest ? "signed" : "unsigned",
	       p->manifest->n_files, p->manifest->id,
	       hydra_format_size(p->payload_bytes, size, sizeof(size)), p->medium, p->addr);
	printf("  boot: the kernel and initramfs with the MANIFEST's command line, hydra.node=%s "
	       "and hydra.netboot=<the HTTP server>\n", p->node);
	if (p->disk[0])
		printf("  disk: %s", p->disk);
	else if (p->disks)
		printf("  disk: the one %s's profile records (%s)", p->node, p->disks);
	else
		printf("  disk: %s's only disk (its profile records none)", p->node);
	printf("%s\n", p->force ? ", even one holding a hydra medium or data volume (--force)" : "");
	if (p->replica)
		printf("  data: restored from the replica kept here (%s, %s), served as %s's own user\n",
		       p->replica, hydra_format_size(p->replica_bytes, size, sizeof(size)), p->node);
	else
		printf("  data: none (a new, empty data volume)\n");
	printf("  done: when %s reports it (token %.8s...), or after %u s\n", p->node, p->token,
	       a->timeout);
}

/* The line a phase gets. */
static void describe(const struct hydra_netboot_event *ev, char *buf, size_t len)
{
	switch (ev->phase) {
	case HYDRA_NB_ARMED: snprintf(buf, len, "armed: %s", ev->detail); break;
	case HYDRA_NB_OFFER:
		snprintf(buf, len, "offer sent to %s%s%s", ev->mac, ev->ip[0] ? ", lease " : "", ev->ip);
		break;
	case HYDRA_NB_BOOTFILE:
		snprintf(buf, len, "boot file %s named to %s at %s", ev->path, ev->mac, ev->ip);
		break;
	case HYDRA_NB_LEASE: snprintf(buf, len, "lease %s acknowledged to %s", ev->ip, ev->mac); break;
	case HYDRA_NB_TFTP: snprintf(buf, len, "%s sent by TFTP to %s", ev->path, ev->ip); break;
	case HYDRA_NB_SCRIPT:
		snprintf(buf, len, HYDRA_NETBOOT_SCRIPT " fetched by %s", ev->ip);
		break;
	case HYDRA_NB_KERNEL: snprintf(buf, len, "kernel fetched by %s", ev->ip); break;
	case HYDRA_NB_INITRD: snprintf(buf, len, "initrd fetched by %s", ev->ip); break;
	case HYDRA_NB_FILE: snprintf(buf, len, "%s fetched by %s", ev->path, ev->ip); break;
	case HYDRA_NB_REPLICA:
		snprintf(buf, len, "replica fetched by %s: %s", ev->ip, ev->detail);
		break;
	case HYDRA_NB_WRITTEN:
		snprintf(buf, len, "%s says its disk is written, read back and committed", ev->ip);
		break;
	case HYDRA_NB_RESTORED:
		snprintf(buf, len, "%s says its data is restored from the replica", ev->ip);
		break;
	case HYDRA_NB_DONE: snprintf(buf, len, "done: %s", ev->detail); break;
	case HYDRA_NB_DISARMED:
		snprintf(buf, len, "disarmed: servers stopped, run directory removed");
		break;
	}
}

static void on_event(const struct hydra_netboot_event *ev, void *ud)
{
	const char *fields[] = { "mac", ev->mac, "ip", ev->ip, "path", ev->path, NULL };
	char text[512];

	describe(ev, text, sizeof(text));
	cli_progress_phase(ud, hydra_netboot_phase_name(ev->phase), ev->seconds, text, fields);
}

/* Arm, serve until done, timeout or a signal, disarm; STOP's signals blocked meanwhile. */
static int run(const struct hydra_netboot_plan *plan, const struct regen_args *a,
	       struct cli_progress *p)
{
	struct hydra_netboot *nb = NULL;
	sigset_t stop, old;
	int r, e, sig = 0;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	/* Blocked before arming: a signal that comes meanwhile waits for the serving loop. */
	sigprocmask(SIG_BLOCK, &stop, &old);
	r = hydra_netboot_arm(plan, on_event, p, &nb);
	if (!r)
		r = hydra_netboot_serve(nb, a->timeout, &stop, &sig);
	if (r == -ETIMEDOUT)
		hydra_err("%s did not report done within %u s (--timeout)", plan->node, a->timeout);
	else if (r == -EINTR)
		hydra_err("stopped by SIG%s before %s reported done", sigabbrev_np(sig), plan->node);
	e = hydra_netboot_disarm(nb);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r ? r : e;
}

int cmd_regenerate(int argc, char **argv)
{
	struct regen_args a = { .timeout = TIMEOUT_DEFAULT, .o = { .dhcp = HYDRA_DHCP_PROXY } };
	struct hydra_netboot_plan plan;
	struct cli_progress p;
	int first, r;

	r = cli_parse_options(argc, argv, &cli_regenerate, on_option, &a, &first);
	if (r >= 0)
		return r;
	r = cli_check_operands("regenerate", argc - first, 1, 1);
	if (r >= 0)
		return r;
	a.o.node = argv[first];
	if (!hydra_node_name_valid(a.o.node))
		return cli_usage_error("regenerate", "bad node name '%s' (want [a-z0-9][a-z0-9-]*, "
				       "up to %d)", a.o.node, HYDRA_NODE_NAME_MAX);
	r = hydra_netboot_plan(&a.o, &plan);
	if (r)
		return cli_exit_code(r);
	print_plan(&plan, &a);
	fflush(stdout);
	if (!a.dry) {
		cli_progress_init(&p, a.mode, "regenerate");
		r = run(&plan, &a, &p);
		if (!r)
			printf("%s: regenerated, netboot disarmed\n", plan.node);
	}
	hydra_netboot_plan_release(&plan);
	return cli_exit_code(r);
}
