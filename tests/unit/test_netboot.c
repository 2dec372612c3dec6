/*
 * Netboot's pure parts, pinned: dnsmasq's configuration for both DHCP
 * modes, own mode's lease range, boot.ipxe, the log lines that are
 * progress, the default route and listening sockets read from /proc text,
 * router solicitations read and the advertisement answering them;
 * and the plan's refusals, on a medium made here and the loopback.
 */
#include <errno.h>

#include "fleet/firewall.h"
#include "fleet/netboot.h"
#include "fleet/netif.h"
#include "fleet/pxe.h"
#include "fleet/ra.h"
#include "harness.h"

static char mac_b2[] = "52:54:00:00:00:b2", mac_b3[] = "52:54:00:00:00:b3";
static char *beta_macs[] = { mac_b2, mac_b3 };

static const struct hydra_pxe_conf beta = {
	.node = "beta", .macs = beta_macs, .n_macs = 2, .ifname = "eth0", .addr = "10.99.0.2",
	.prefix = 24, .dhcp = HYDRA_DHCP_PROXY, .http_port = 8080,
	.rundir = "/run/hydra/regenerate/beta",
};

#define COMMON \
	"# dnsmasq for 'hydra regenerate beta': PXE for its MAC addresses only, on eth0\n" \
	"port=0\n" \
	"no-hosts\n" \
	"interface=eth0\n" \
	"bind-interfaces\n" \
	"user=nobody\n" \
	"group=nogroup\n" \
	"pid-file=/run/hydra/regenerate/beta/dnsmasq.pid\n" \
	"dhcp-leasefile=/run/hydra/regenerate/beta/dnsmasq.leases\n" \
	"log-facility=-\n" \
	"# the armed MACs get the tag hydra; everyone else is ignored\n" \
	"dhcp-mac=set:hydra,52:54:00:00:00:b2\n" \
	"dhcp-mac=set:hydra,52:54:00:00:00:b3\n" \
	"dhcp-ignore=tag:!hydra\n" \
	"# a client that is iPXE already gets the script; firmware gets iPXE first\n" \
	"dhcp-userclass=set:ipxe,iPXE\n" \
	"enable-tftp\n" \
	"tftp-port-range=40690,40749\n" \
	"tftp-root=/run/hydra/regenerate/beta/tftp\n"

static void test_dnsmasq_conf_proxy(void)
{
	char *text = NULL;

	EQ_INT(hydra_pxe_dnsmasq_conf(&beta, &text), 0);
	EQ_STR(text, COMMON
	       "dhcp-range=10.99.0.2,proxy\n"
	       "pxe-prompt=\"hydra: netboot of beta\",0\n"
	       "pxe-service=tag:!ipxe,x86PC,\"hydra\",undionly.kpxe\n"
	       "pxe-service=tag:!ipxe,BC_EFI,\"hydra\",ipxe.efi\n"
	       "pxe-service=tag:!ipxe,x86-64_EFI,\"hydra\",ipxe.efi\n"
	       "dhcp-boot=tag:ipxe,http://10.99.0.2:8080/boot.ipxe\n");
	free(text);
}

static void test_dnsmasq_conf_own(void)
{
	struct hydra_pxe_conf c = beta;
	char *text = NULL;

	c.dhcp = HYDRA_DHCP_OWN;
	EQ_INT(hydra_pxe_dnsmasq_conf(&c, &text), 0);
	EQ_STR(text, COMMON
	       "dhcp-range=10.99.0.3,10.99.0.52,255.255.255.0,1h\n"
	       "no-ping\n"
	       "dhcp-option=option:router\n"
	       "dhcp-option=option:dns-server\n"
	       "dhcp-match=set:efi,option:client-arch,7\n"
	       "dhcp-match=set:efi,option:client-arch,9\n"
	       "dhcp-option=tag:ipxe,175,b0:01:01\n"
	       "dhcp-boot=tag:ipxe,http://10.99.0.2:8080/boot.ipxe\n"
	       "dhcp-boot=tag:!ipxe,tag:efi,ipxe.efi,,10.99.0.2\n"
	       "dhcp-boot=tag:!ipxe,tag:!efi,undionly.kpxe,,10.99.0.2\n");
	free(text);
	c.prefix = 31;
	EQ_INT(hydra_pxe_dnsmasq_conf(&c, &text), -EINVAL);
	OK(!text);
}

/* Nothing from a profile or an option can add a line or a word to dnsmasq.conf. */
static void test_dnsmasq_conf_refuses(void)
{
	char two_lines[] = "52:54:00:00:00:b2\ndhcp-range=1.2.3.4,proxy", capital[] = "52:54:00:00:00:B2";
	char *bad_macs[] = { two_lines }, *upper[] = { capital };
	struct hydra_pxe_conf c;
	char *text = NULL;

	c = beta, c.macs = bad_macs, c.n_macs = 1;
	EQ_INT(hydra_pxe_dnsmasq_conf(&c, &text), -EINVAL);
	c = beta, c.macs = upper;
	EQ_INT(hydra_pxe_dnsmasq_conf(&c, &text), -EINVAL);
	c = beta, c.n_macs = 0;
	EQ_INT(hydra_pxe_dnsmasq_conf(&c, &text), -EINVAL);
	c = beta, c.ifname = "eth0\nenable-ra";
	EQ_INT(hydra_pxe_dnsmasq_conf(&c, &text), -EINVAL);
	c = beta, c.addr = "10.99.0.2,proxy";
	EQ_INT(hydra_pxe_dnsmasq_conf(&c, &text), -EINVAL);
	c = beta, c.node = "Beta";
	EQ_INT(hydra_pxe_dnsmasq_conf(&c, &text), -EINVAL);
	c = beta, c.rundir = "/run/x y";
	EQ_INT(hydra_pxe_dnsmasq_conf(&c, &text), -EINVAL);
	c = beta, c.http_port = 0;
	EQ_INT(hydra_pxe_dnsmasq_conf(&c, &text), -EINVAL);
	OK(!text);
}

static void range(const char *addr, unsigned prefix, const char *start, const char *end,
		  const char *mask)
{
	char s[16], e[16], m[16];

	EQ_INT(hydra_pxe_own_range(addr, prefix, s, e, m), 0);
	EQ_STR(s, start);
	EQ_STR(e, end);
	EQ_STR(m, mask);
}

static void test_own_range(void)
{
	char s[16], e[16], m[16];

	range("10.213.0.1", 24, "10.213.0.2", "10.213.0.51", "255.255.255.0");
	range("192.168.1.230", 24, "192.168.1.231", "192.168.1.254", "255.255.255.0");
	/* The last host: the addresses before it. */
	range("192.168.1.254", 24, "192.168.1.204", "192.168.1.253", "255.255.255.0");
	range("10.0.0.6", 29, "10.0.0.1", "10.0.0.5", "255.255.255.248");
	range("10.0.0.1", 30, "10.0.0.2", "10.0.0.2", "255.255.255.252");
	range("10.1.255.254", 16, "10.1.255.204", "10.1.255.253", "255.255.0.0");
	EQ_INT(hydra_pxe_own_range("10.0.0.0", 24, s, e, m), -EINVAL);     /* the network */
	EQ_INT(hydra_pxe_own_range("10.0.0.255", 24, s, e, m), -EINVAL);   /* the broadcast */
	EQ_INT(hydra_pxe_own_range("10.0.0.1", 31, s, e, m), -EINVAL);
	EQ_INT(hydra_pxe_own_range("10.0.0.1", 7, s, e, m), -EINVAL);
	EQ_INT(hydra_pxe_own_range("10.0.0", 24, s, e, m), -EINVAL);
}

static void test_boot_script(void)
{
	char id[] = "0123456789abcdef", cmdline[] = "console=ttyS0 quiet", none[] = "";
	struct hydra_manifest m = { .id = id, .cmdline = cmdline };
	char *text = hydra_pxe_boot_script(&m, "beta", "http://10.99.0.2:8080/",
					   "hydra.netboot.from=alpha hydra.netboot.data=none");

	EQ_STR(text, "#!ipxe\n"
	       "# hydra regenerate: node beta, image 0123456789abcdef\n"
	       "kernel http://10.99.0.2:8080/boot/vmlinuz initrd=initrd.img console=ttyS0 quiet "
	       "hydra.id=0123456789abcdef hydra.node=beta hydra.netboot=http://10.99.0.2:8080/ "
	       "hydra.netif=${netX/mac},${netX/ip},${netX/netmask},${netX/gateway} "
	       "hydra.netboot.from=alpha hydra.netboot.data=none\n"
	       "initrd http://10.99.0.2:8080/boot/initrd.img\n"
	       "boot\n");
	free(text);
	m.cmdline = none;
	text = hydra_pxe_boot_script(&m, "beta", "http://10.99.0.2:8080/", "hydra.netboot.from=alpha");
	CONTAINS(text, "initrd=initrd.img hydra.id=0123456789abcdef hydra.node=beta ");
	free(text);
}

static int dnsmasq(const char *line, struct hydra_netboot_event *ev)
{
	return hydra_pxe_parse_dnsmasq(line, "/run/hydra/regenerate/beta/tftp", ev);
}

/* Lines as dnsmasq 2.90 logs them, with and without log-dhcp's transaction ids. */
static void test_parse_dnsmasq(void)
{
	struct hydra_netboot_event ev;

	EQ_INT(dnsmasq("dnsmasq-dhcp[2949]: 1740712762 PXE(e0) 52:54:00:00:00:b2 proxy", &ev), 1);
	EQ_INT(ev.phase, HYDRA_NB_OFFER);
	EQ_STR(ev.mac, "52:54:00:00:00:b2");
	EQ_STR(ev.ip, "");
	EQ_INT(dnsmasq("dnsmasq-dhcp[2949]: PXE(e0) 52:54:00:00:00:B2 proxy\n", &ev), 1);
	EQ_STR(ev.mac, "52:54:00:00:00:b2");
	EQ_INT(dnsmasq("dnsmasq-dhcp[2949]: PXE(e0) 52:54:00:00:00:c9 proxy-ignored", &ev), 0);
	EQ_INT(dnsmasq("dnsmasq-dhcp[1]: 305419896 PXE(e0) 10.99.0.124 52:54:00:00:00:b2 "
		       "undionly.kpxe", &ev), 1);
	EQ_INT(ev.phase, HYDRA_NB_BOOTFILE);
	EQ_STR(ev.ip, "10.99.0.124");
	EQ_STR(ev.path, "undionly.kpxe");
	EQ_INT(dnsmasq("dnsmasq-dhcp[6314]: DHCPOFFER(e1) 10.213.0.14 52:54:00:00:00:b2 ", &ev), 1);
	EQ_INT(ev.phase, HYDRA_NB_OFFER);
	EQ_STR(ev.ip, "10.213.0.14");
	EQ_INT(dnsmasq("dnsmasq-dhcp[6314]: DHCPACK(e1) 10.213.0.14 52:54:00:00:00:b2 beta", &ev), 1);
	EQ_INT(ev.phase, HYDRA_NB_LEASE);
	EQ_INT(dnsmasq("dnsmasq-dhcp[6314]: DHCPDISCOVER(e1) 52:54:00:00:00:c9 ignored", &ev), 0);
	EQ_INT(dnsmasq("dnsmasq-tftp[2949]: sent /run/hydra/regenerate/beta/tftp/undionly.kpxe to "
		       "10.99.0.124", &ev), 1);
	EQ_INT(ev.phase, HYDRA_NB_TFTP);
	EQ_STR(ev.path, "undionly.kpxe");
	EQ_STR(ev.ip, "10.99.0.124");
	EQ_INT(dnsmasq("dnsmasq-tftp[2949]: file /run/hydra/regenerate/beta/tftp/x not found for "
		       "10.99.0.124", &ev), 0);
	EQ_INT(dnsmasq("dnsmasq[2949]: started, version 2.90 DNS disabled", &ev), 0);
	EQ_INT(dnsmasq("dnsmasq-dhcp[1]: PXE(e0) not-a-mac proxy", &ev), 0);
	EQ_INT(dnsmasq("dnsmasq-dhcp[1]: DHCPOFFER(e0) 10.0.0.300 52:54:00:00:00:b2", &ev), 0);
	EQ_INT(dnsmasq("something else", &ev), 0);
}

/* busybox httpd -vv: the request's url, then its response, for the same client. */
static void test_parse_httpd(void)
{
	struct hydra_httpd_log s = { 0 };
	struct hydra_netboot_event ev;

	EQ_INT(hydra_pxe_parse_httpd(&s, "10.99.0.124:53540: url:/boot.ipxe", &ev), 0);
	EQ_INT(hydra_pxe_parse_httpd(&s, "10.99.0.124:53552: url:/boot/vmlinuz", &ev), 0);
	EQ_INT(hydra_pxe_parse_httpd(&s, "10.99.0.124:53552: response:200", &ev), 1);
	EQ_INT(ev.phase, HYDRA_NB_KERNEL);
	EQ_STR(ev.ip, "10.99.0.124");
	EQ_STR(ev.path, "boot/vmlinuz");
	EQ_INT(hydra_pxe_parse_httpd(&s, "10.99.0.124:53540: response:200", &ev), 1);
	EQ_INT(ev.phase, HYDRA_NB_SCRIPT);
	EQ_INT(hydra_pxe_parse_httpd(&s, "10.99.0.124:53540: response:200", &ev), 0);
	EQ_INT(hydra_pxe_parse_httpd(&s, "10.99.0.124:1: url:/boot/initrd.img", &ev), 0);
	EQ_INT(hydra_pxe_parse_httpd(&s, "10.99.0.124:1: response:200", &ev), 1);
	EQ_INT(ev.phase, HYDRA_NB_INITRD);
	EQ_INT(hydra_pxe_parse_httpd(&s, "10.99.0.124:2: url:/live/system.sqfs", &ev), 0);
	EQ_INT(hydra_pxe_parse_httpd(&s, "10.99.0.124:2: response:200", &ev), 1);
	EQ_INT(ev.phase, HYDRA_NB_FILE);
	EQ_STR(ev.path, "live/system.sqfs");
	EQ_INT(hydra_pxe_parse_httpd(&s, "10.99.0.124:3: url:/etc/passwd", &ev), 0);
	EQ_INT(hydra_pxe_parse_httpd(&s, "10.99.0.124:3: response:404", &ev), 0);
	EQ_INT(hydra_pxe_parse_httpd(&s, "10.99.0.124:4: response:400", &ev), 0);
	EQ_INT(hydra_pxe_parse_httpd(&s, "10.99.0.124:53614: can't execute 'x'", &ev), 0);
	EQ_STR(hydra_netboot_phase_name(HYDRA_NB_KERNEL), "kernel");
	EQ_STR(hydra_netboot_phase_name(HYDRA_NB_DISARMED), "disarmed");
}

static void test_route_default(void)
{
	char name[32] = "";

	EQ_INT(hydra_netif_route_default(
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
		"eth1\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
		"eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n", name,
		sizeof(name)), 0);
	EQ_STR(name, "eth0");
	EQ_INT(hydra_netif_route_default(
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
		"eth1\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n", name,
		sizeof(name)), 1);
	EQ_INT(hydra_netif_route_default("", name, sizeof(name)), 1);
}

static void test_tcp_listens(void)
{
	const char *text =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
		"timeout inode\n"
		"   0: 0200630A:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 "
		"       0 1 1 0000000000000000 100 0 0 10 0\n"
		"   1: 0200630A:0016 7C00630A:D3A4 01 00000000:00000000 02:000A7D8B 00000000     0 "
		"       0 2 1 0000000000000000 20 4 30 10 -1\n";

	EQ_INT(hydra_netif_tcp_listens(text, 8080), 1);
	EQ_INT(hydra_netif_tcp_listens(text, 22), 0);     /* connected, not listening */
	EQ_INT(hydra_netif_tcp_listens(text, 8081), 0);
}

/* A medium in p/ whose hardware-db knows beta (with MACs) and nomac (without). */
static int make_medium(const char *extra)
{
	struct hydra_manifest *m = NULL;
	int r;

	t_write("p/boot/vmlinuz", "KERNEL");
	t_write("p/boot/initrd.img", "INITRD-IMAGE");
	t_write("p/live/system.sqfs", "SQUASHFS");
	t_write("p/hydra/hardware-db/nodes/beta.conf",
		"[identity]\nmacs = 52:54:00:00:00:B2\ndisks = WD-1:500G naa.6001:1G\n");
	t_write("p/hydra/hardware-db/nodes/nomac.conf", "[config]\nhostname = nomac\n");
	if (extra)
		t_write(extra, "EXTRA");
	r = hydra_manifest_scan("p", "test", "console=ttyS0", 1, &m);
	if (!r)
		r = hydra_manifest_save("p", m);
	hydra_manifest_free(m);
	return r;
}

/* Arming's tools must be there for a plan to pass. */
static int have_netboot_tools(void)
{
	return sh("command -v dnsmasq && command -v busybox && command -v ip && "
		  "test -r /usr/lib/ipxe/undionly.kpxe -a -r /usr/lib/ipxe/ipxe.efi") == 0;
}

static int plan(const char *node, const char *ifname, enum hydra_dhcp_mode dhcp,
		struct hydra_netboot_plan *p)
{
	struct hydra_netboot_opts o = { .node = node, .ifname = ifname, .dhcp = dhcp,
					.medium = "p", .data_none = 1 };

	t_log[0] = '\0';
	return hydra_netboot_plan(&o, p);
}

/* --data replica: the replica must be kept here, with a snapshot, and its user must exist. */
static void test_plan_replica(void)
{
	struct hydra_netboot_opts o = { .node = "beta", .ifname = "lo", .medium = "p",
					.datadir = "data", .disk = "WD-1", .force = 1 };
	struct hydra_netboot_plan p;
	char snap[128];

	if (!have_netboot_tools())
		SKIP("dnsmasq, busybox, ip or ipxe missing");
	EQ_INT(make_medium(NULL), 0);
	EQ_INT(hydra_mkdir_p("data/replicas/beta/repo/snapshots", 0700), 0);
	t_log[0] = '\0';
	EQ_INT(hydra_netboot_plan(&o, &p), -ENOENT);
	CONTAINS(t_log, "no replica of beta with a snapshot is kept in data");
	snprintf(snap, sizeof(snap), "data/replicas/beta/repo/snapshots/%064d", 0);
	EQ_INT(hydra_write_file_atomic(snap, "x", 1, 0600), 0);
	EQ_INT(hydra_write_file_atomic("data/replicas/beta/repo/config", "c", 1, 0600), 0);
	EQ_INT(hydra_write_file_atomic("data/replicas/beta.pub", "k", 1, 0644), 0);
	t_log[0] = '\0';
	/* The user replica-beta does not exist on the machine the tests run on. */
	EQ_INT(hydra_netboot_plan(&o, &p), -ENOENT);
	CONTAINS(t_log, "the user replica-beta, as whom beta's replica is served, does not exist");
	o.data_none = 1;
	EQ_INT(hydra_netboot_plan(&o, &p), 0);
	OK(p.replica == NULL);
	EQ_STR(p.disk, "WD-1");
	EQ_INT(p.force, 1);
	EQ_INT(strlen(p.token), HYDRA_INSTALL_TOKEN_HEX);
	EQ_INT(strspn(p.token, "0123456789abcdef"), HYDRA_INSTALL_TOKEN_HEX);
	hydra_netboot_plan_release(&p);
}

static void test_plan(void)
{
	struct hydra_netboot_plan p;

	if (!have_netboot_tools())
		SKIP("dnsmasq, busybox, ip or ipxe missing (Debian: dnsmasq-base busybox-static "
		     "iproute2 ipxe)");
	EQ_INT(make_medium(NULL), 0);
	EQ_INT(plan("beta", "lo", HYDRA_DHCP_PROXY, &p), 0);
	EQ_STR(p.node, "beta");
	EQ_INT(p.n_macs, 1);
	EQ_STR(p.macs[0], "52:54:00:00:00:b2");
	EQ_STR(p.disks, "WD-1 naa.6001");
	EQ_STR(p.ifname, "lo");
	EQ_STR(p.addr, "127.0.0.1");
	EQ_INT(p.prefix, 8);
	EQ_INT(p.add_addr, 0);
	EQ_INT(p.signed_manifest, 0);
	/* The payload: kernel 6, initrd 12, squashfs 8, two profiles. */
	OK(p.manifest && p.manifest->n_files == 5);
	EQ_INT(p.payload_bytes, 6 + 12 + 8 + strlen("[identity]\nmacs = 52:54:00:00:00:B2\n"
						    "disks = WD-1:500G naa.6001:1G\n") +
	       strlen("[config]\nhostname = nomac\n"));
	hydra_netboot_plan_release(&p);
	EQ_INT(plan("beta", "lo", HYDRA_DHCP_OWN, &p), 0);
	hydra_netboot_plan_release(&p);
}

static void test_plan_refusals(void)
{
	struct hydra_netboot_plan p;

	if (!have_netboot_tools())
		SKIP("dnsmasq, busybox, ip or ipxe missing");
	EQ_INT(make_medium(NULL), 0);
	EQ_INT(plan("Beta", "lo", HYDRA_DHCP_PROXY, &p), -EINVAL);
	CONTAINS(t_log, "'Beta' is not a node name");
	EQ_INT(plan("gamma", "lo", HYDRA_DHCP_PROXY, &p), -ENOENT);
	CONTAINS(t_log, "there is no node 'gamma' in the hardware-db p/hydra/hardware-db");
	EQ_INT(plan("nomac", "lo", HYDRA_DHCP_PROXY, &p), -ENOENT);
	CONTAINS(t_log, "node 'nomac' has no MAC addresses");
	EQ_INT(plan("beta", "hydra-nosuch0", HYDRA_DHCP_PROXY, &p), -ENODEV);
	CONTAINS(t_log, "there is no network interface 'hydra-nosuch0'");
	/* A payload file changed since the MANIFEST was made. */
	t_write("p/boot/vmlinuz", "KERNEL-CHANGED");
	EQ_INT(plan("beta", "lo", HYDRA_DHCP_PROXY, &p), -EBADMSG);
	CONTAINS(t_log, "p/boot/vmlinuz' is 14 bytes, its MANIFEST says 6: the medium is damaged");
}

/* busybox httpd runs what is under cgi-bin/; a MANIFEST without a kernel boots nothing. */
static void test_plan_refuses_payload(void)
{
	struct hydra_netboot_plan p;

	if (!have_netboot_tools())
		SKIP("dnsmasq, busybox, ip or ipxe missing");
	EQ_INT(make_medium("p/cgi-bin/run"), 0);
	EQ_INT(plan("beta", "lo", HYDRA_DHCP_PROXY, &p), -EBADMSG);
	CONTAINS(t_log, "lists 'cgi-bin/run', which netboot does not serve");
	EQ_INT(sh("rm -r p"), 0);
	EQ_INT(make_medium(NULL), 0);
	EQ_INT(sh("rm p/boot/vmlinuz p/hydra/MANIFEST"), 0);
	{
		struct hydra_manifest *m = NULL;

		EQ_INT(hydra_manifest_scan("p", "test", "", 1, &m), 0);
		EQ_INT(hydra_manifest_save("p", m), 0);
		hydra_manifest_free(m);
	}
	EQ_INT(plan("beta", "lo", HYDRA_DHCP_PROXY, &p), -EBADMSG);
	CONTAINS(t_log, "lists no boot/vmlinuz or no boot/initrd.img");
}

/* The rules a killed regenerate left are found by their comment in nft -a's listing. */
static void test_firewall_stale(void)
{
	const char *listing =
		"table inet filter {\n"
		"\tchain input { # handle 1\n"
		"\t\ttype filter hook input priority filter; policy drop;\n"
		"\t\tiifname \"e0\" tcp dport 40123 accept comment \"hydra regenerate beta\" # handle 9\n"
		"\t\tiifname \"e0\" udp dport { 67, 69, 4011 } accept comment \"hydra regenerate beta\" # handle 8\n"
		"\t\tiifname \"e0\" tcp dport 40124 accept comment \"hydra regenerate betamax\" # handle 7\n"
		"\t\ttcp dport 22 accept # handle 4\n"
		"\t}\n"
		"}\n";
	unsigned long h[4] = { 0 };

	EQ_INT(hydra_firewall_stale(listing, "beta", h, 4), 2);
	EQ_INT(h[0], 9);
	EQ_INT(h[1], 8);
	EQ_INT(hydra_firewall_stale(listing, "betamax", h, 4), 1);
	EQ_INT(h[0], 7);
	EQ_INT(hydra_firewall_stale(listing, "gamma", h, 4), 0);
	EQ_INT(hydra_firewall_stale(listing, "beta", h, 1), 1);
}

/* iPXE's solicitation as it sends it: a source link-layer address option, from its MAC. */
static void test_router_solicit(void)
{
	const uint8_t ipxe[] = { 133, 0, 0x12, 0x34, 0, 0, 0, 0,
				 1, 1, 0x52, 0x54, 0x00, 0x00, 0x00, 0xb2 };
	const uint8_t nonce_first[] = { 133, 0, 0, 0, 0, 0, 0, 0,
					14, 1, 1, 2, 3, 4, 5, 6,
					1, 1, 0x52, 0x54, 0x00, 0x00, 0x00, 0xB3 };
	uint8_t bad[sizeof(ipxe)], advert[HYDRA_RA_ADVERT_LEN];
	const uint8_t want[HYDRA_RA_ADVERT_LEN] = { 134 };
	char mac[18] = "";

	EQ_INT(hydra_ra_solicit_mac(ipxe, sizeof(ipxe), mac), 0);
	EQ_STR(mac, "52:54:00:00:00:b2");
	EQ_INT(hydra_ra_solicit_mac(nonce_first, sizeof(nonce_first), mac), 0);
	EQ_STR(mac, "52:54:00:00:00:b3");
	/* Without the option (a solicitation from ::) there is nobody to answer. */
	EQ_INT(hydra_ra_solicit_mac(ipxe, 8, mac), -EINVAL);
	/* Not a solicitation; a code that is not 0; an option of length 0; one past the end. */
	memcpy(bad, ipxe, sizeof(bad));
	bad[0] = 134;
	EQ_INT(hydra_ra_solicit_mac(bad, sizeof(bad), mac), -EINVAL);
	memcpy(bad, ipxe, sizeof(bad));
	bad[1] = 1;
	EQ_INT(hydra_ra_solicit_mac(bad, sizeof(bad), mac), -EINVAL);
	memcpy(bad, ipxe, sizeof(bad));
	bad[9] = 0;
	EQ_INT(hydra_ra_solicit_mac(bad, sizeof(bad), mac), -EINVAL);
	memcpy(bad, ipxe, sizeof(bad));
	bad[9] = 2;
	EQ_INT(hydra_ra_solicit_mac(bad, sizeof(bad), mac), -EINVAL);
	EQ_INT(hydra_ra_solicit_mac(ipxe, 4, mac), -EINVAL);

	/* The answer offers nothing: no flags, router lifetime 0, no option. */
	memset(advert, 0xff, sizeof(advert));
	hydra_ra_advert(advert);
	OK(!memcmp(advert, want, sizeof(want)));
}

int main(void)
{
	RUN(test_firewall_stale);
	RUN(test_dnsmasq_conf_proxy);
	RUN(test_dnsmasq_conf_own);
	RUN(test_dnsmasq_conf_refuses);
	RUN(test_own_range);
	RUN(test_boot_script);
	RUN(test_router_solicit);
	RUN(test_plan_replica);
	RUN(test_parse_dnsmasq);
	RUN(test_parse_httpd);
	RUN(test_route_default);
	RUN(test_tcp_listens);
	RUN(test_plan);
	RUN(test_plan_refusals);
	RUN(test_plan_refuses_payload);
	TESTS_END();
}
