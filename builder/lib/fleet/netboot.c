/* Netboot from a neighbour: the plan (what is armed where), from options, hardware-db and medium. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "fleet/netboot.h"
#include "fleet/netif.h"
#include "fleet/replica.h"
#include "format/layout.h"
#include "medium/sign.h"
#include "node/volume.h"

/* The disk ids a profile records, spaced. */
static int join_disks(const struct hydra_machine *m, char **out)
{
	size_t len = 0;
	FILE *f = open_memstream(out, &len);

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_disks; i++)
		fprintf(f, "%s%s", i ? " " : "", m->disks[i].id);
	return fclose(f) == 0 ? 0 : -ENOMEM;
}

/* NODE's MACs from the hardware-db: a node that is not there, or has none, cannot be netbooted. */
static int plan_macs(const struct hydra_netboot_opts *o, struct hydra_netboot_plan *p)
{
	char *dir = o->hwdb ? strdup(o->hwdb) : hydra_path_join(p->medium, HYDRA_HWDB_PATH);
	struct hydra_hwdb *db = NULL;
	const struct hydra_node *n = NULL;
	int r = dir ? hydra_hwdb_load(dir, &db) : -ENOMEM;

	for (size_t i = 0; !r && i < db->n_nodes && !n; i++)
		if (!strcmp(db->nodes[i].name, p->node))
			n = &db->nodes[i];
	if (!r && !n) {
		hydra_err("there is no node '%s' in the hardware-db %s", p->node, dir);
		r = -ENOENT;
	} else if (!r && !n->id.n_macs) {
		hydra_err("node '%s' has no MAC addresses (%s): netboot answers a machine by its "
			  "MACs, 'macs =' in [identity], which 'hydra hw probe' records", p->node,
			  n->file);
		r = -ENOENT;
	}
	for (size_t i = 0; !r && i < n->id.n_macs; i++, p->n_macs = i)
		if (!(p->macs[i] = strdup(n->id.macs[i])))
			r = -ENOMEM;
	if (!r && n->id.n_disks)
		r = join_disks(&n->id, &p->disks);
	hydra_hwdb_free(db);
	free(dir);
	return r;
}

/* The interface and the address the servers listen on; own mode may bring its own. */
static int plan_interface(const struct hydra_netboot_opts *o, struct hydra_netboot_plan *p)
{
	char start[16], end[16], mask[16];
	int r = 0;

	if (o->ifname && strlen(o->ifname) >= sizeof(p->ifname))
		r = -ENODEV;
	else if (o->ifname)
		snprintf(p->ifname, sizeof(p->ifname), "%s", o->ifname);
	else
		r = hydra_netif_default(p->ifname, sizeof(p->ifname));
	if (!r)
		r = hydra_netif_ipv4(p->ifname, p->addr, &p->prefix);
	if (r == -ENODEV)
		hydra_err("there is no network interface '%s'", o->ifname ? o->ifname : p->ifname);
	if (r == 1 && p->dhcp == HYDRA_DHCP_PROXY) {
		hydra_err("%s has no IPv4 address: proxy DHCP answers beside the segment's own DHCP "
			  "server, from an address on it; on an isolated link use --dhcp own", p->ifname);
		return -EADDRNOTAVAIL;
	}
	if (r == 1) {
		p->add_addr = 1;
		snprintf(p->addr, sizeof(p->addr), "%s", HYDRA_NETBOOT_OWN_ADDR);
		p->prefix = HYDRA_NETBOOT_OWN_PREFIX;
		r = 0;
	}
	if (!r && p->dhcp == HYDRA_DHCP_OWN && hydra_pxe_own_range(p->addr, p->prefix, start, end,
								   mask) < 0) {
		hydra_err("%s/%u on %s leaves no address to lease: --dhcp own needs a prefix from "
			  "/8 to /30", p->addr, p->prefix, p->ifname);
		r = -EINVAL;
	}
	return r;
}

/*
 * A payload file as it will be served: inside the medium, a regular file
 * of the size the MANIFEST lists. busybox httpd runs files under cgi-bin/
 * as programs, so none is served from there.
 */
static int check_served(const char *medium, const struct hydra_manifest_file *f)
{
	char *full = hydra_path_join(medium, f->path);
	struct stat st;
	int r = 0;

	if (!full)
		return -ENOMEM;
	if (!hydra_path_stays_inside(f->path) || !strncmp(f->path, "cgi-bin/", 8) ||
	    !strcmp(f->path, HYDRA_NETBOOT_SCRIPT)) {
		hydra_err("the MANIFEST of %s lists '%s', which netboot does not serve", medium,
			  f->path);
		r = -EBADMSG;
	} else if (stat(full, &st) < 0) {
		r = hydra_err_errno("cannot serve '%s'", full);
	} else if (!S_ISREG(st.st_mode) || !hydra_path_within(full, medium)) {
		hydra_err("'%s' is not a file inside the medium %s", full, medium);
		r = -EBADMSG;
	} else if ((uint64_t)st.st_size != f->size) {
		hydra_err("'%s' is %lld bytes, its MANIFEST says %llu: the medium is damaged "
			  "(hydra verify says more)", full, (long long)st.st_size,
			  (unsigned long long)f->size);
		r = -EBADMSG;
	}
	free(full);
	return r;
}

/* The MANIFEST and every file it lists, with the kernel and the initramfs iPXE loads. */
static int plan_medium(struct hydra_netboot_plan *p)
{
	const struct hydra_manifest *m;
	char *sig;
	int r = hydra_manifest_load(p->medium, &p->manifest);

	m = p->manifest;
	for (size_t i = 0; !r && i < m->n_files; i++) {
		r = check_served(p->medium, &m->files[i]);
		p->payload_bytes += m->files[i].size;
	}
	if (!r && (!hydra_manifest_find(m, HYDRA_KERNEL_PATH) ||
		   !hydra_manifest_find(m, HYDRA_INITRD_PATH))) {
		hydra_err("the MANIFEST of %s lists no %s or no %s: nothing to netboot", p->medium,
			  HYDRA_KERNEL_PATH, HYDRA_INITRD_PATH);
		r = -EBADMSG;
	}
	sig = r ? NULL : hydra_path_join(p->medium, HYDRA_SIGNATURE_PATH);
	p->signed_manifest = sig && access(sig, R_OK) == 0;
	free(sig);
	return r;
}

/* What arming runs: found now, so that a dry run names a missing package too. */
static int plan_tools(void)
{
	static const char *const tools[] = { "dnsmasq", "busybox", "ip" };
	static const char *const ipxe[] = { HYDRA_IPXE_DIR "/" HYDRA_IPXE_BIOS,
					    HYDRA_IPXE_DIR "/" HYDRA_IPXE_EFI };

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (hydra_tool_require(tools[i]) < 0)
			return -ENOENT;
	for (size_t i = 0; i < sizeof(ipxe) / sizeof(ipxe[0]); i++)
		if (access(ipxe[i], R_OK) < 0) {
			hydra_err("cannot find '%s': install the Debian package 'ipxe'", ipxe[i]);
			return -ENOENT;
		}
	return 0;
}

/*
 * --data replica: NODE's replica kept on this node's data volume, with a
 * snapshot, and its user, as whom the HTTP server will read it.
 */
static int plan_replica(const struct hydra_netboot_opts *o, struct hydra_netboot_plan *p)
{
	const char *datadir = o->datadir ? o->datadir : HYDRA_DATA_DIR;
	struct hydra_replica_info info;
	char user[80];
	int r = hydra_replica_held_one(datadir, p->node, &info), found = !r && info.snapshots;

	if (r == -ENOENT)
		r = 0;
	p->replica_bytes = info.bytes;
	snprintf(user, sizeof(user), HYDRA_REPLICA_USER "%s", p->node);
	if (!r && !found) {
		hydra_err("no replica of %s with a snapshot is kept in %s (hydra data replicas); "
			  "--data none regenerates it without its data", p->node, datadir);
		r = -ENOENT;
	} else if (!r && !getpwnam(user)) {
		hydra_err("the user %s, as whom %s's replica is served, does not exist (hydra data "
			  "replicas --users makes it)", user, p->node);
		r = -ENOENT;
	}
	if (!r && !(p->replica = hydra_strdupf("%s/" HYDRA_REPLICA_HELD "/%s/repo", datadir,
					       p->node)))
		r = -ENOMEM;
	return r;
}

/* What the node is told on its command line: who serves it, which disk, the token. */
static int plan_orders(const struct hydra_netboot_opts *o, struct hydra_netboot_plan *p)
{
	hydra_running_node(p->holder, sizeof(p->holder));
	if (!strcmp(p->holder, p->node)) {
		hydra_err("this node is %s itself: regenerate runs on a neighbour of %s", p->node,
			  p->node);
		return -EINVAL;
	}
	if (o->disk)
		snprintf(p->disk, sizeof(p->disk), "%s", o->disk);
	p->force = o->force;
	return hydra_install_token_new(p->token);
}

int hydra_netboot_plan(const struct hydra_netboot_opts *o, struct hydra_netboot_plan *p)
{
	int r;

	memset(p, 0, sizeof(*p));
	p->dhcp = o->dhcp;
	if (!o->node || !hydra_node_name_valid(o->node)) {
		hydra_err("'%s' is not a node name ([a-z0-9][a-z0-9-]*, up to %d)",
			  o->node ? o->node : "", HYDRA_NODE_NAME_MAX);
		return -EINVAL;
	}
	snprintf(p->node, sizeof(p->node), "%s", o->node);
	p->medium = strdup(o->medium ? o->medium : HYDRA_MEDIUM_DIR);
	r = p->medium ? plan_macs(o, p) : -ENOMEM;
	if (!r)
		r = plan_interface(o, p);
	if (!r)
		r = plan_medium(p);
	if (!r)
		r = plan_tools();
	if (!r)
		r = plan_orders(o, p);
	if (!r && !o->data_none)
		r = plan_replica(o, p);
	if (r)
		hydra_netboot_plan_release(p);
	return r;
}

void hydra_netboot_plan_release(struct hydra_netboot_plan *p)
{
	for (size_t i = 0; i < p->n_macs; i++)
		free(p->macs[i]);
	p->n_macs = 0;
	free(p->disks);
	p->disks = NULL;
	free(p->medium);
	p->medium = NULL;
	free(p->replica);
	p->replica = NULL;
	hydra_manifest_free(p->manifest);
	p->manifest = NULL;
}
