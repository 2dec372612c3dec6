/*
 * What netboot's servers are told and what their logs say (pure, so that
 * the unit tests pin them): dnsmasq's configuration, the iPXE script, and
 * the lines of dnsmasq's and busybox httpd's logs that are progress.
 */
#ifndef HYDRA_PXE_H
#define HYDRA_PXE_H

#include <stddef.h>

#include "format/manifest.h"

/* Debian's ipxe package: iPXE for BIOS (over the PXE ROM's UNDI) and for UEFI, served by TFTP. */
#define HYDRA_IPXE_DIR "/usr/lib/ipxe"
#define HYDRA_IPXE_BIOS "undionly.kpxe"
#define HYDRA_IPXE_EFI "ipxe.efi"
/*
 * The ports TFTP transfers come from (dnsmasq picks one a transfer): a
 * firewall lets the client's ACKs back in to exactly these.
 */
#define HYDRA_PXE_TFTP_PORT_FIRST 40690
#define HYDRA_PXE_TFTP_PORT_LAST 40749
#define HYDRA_PXE_TFTP_PORTS_DNSMASQ "40690,40749"
#define HYDRA_PXE_TFTP_PORTS_NFT "40690-40749"
/* The script iPXE fetches over HTTP, at the root of what is served. */
#define HYDRA_NETBOOT_SCRIPT "boot.ipxe"

enum hydra_dhcp_mode {
	HYDRA_DHCP_PROXY,      /* the boot offer only, beside the segment's DHCP server */
	HYDRA_DHCP_OWN,        /* leases too, on an isolated link */
};

/* What dnsmasq is told: everything its configuration is made from. */
struct hydra_pxe_conf {
	const char *node;
	char *const *macs;
	size_t n_macs;
	const char *ifname;
	const char *addr;          /* the interface's IPv4 address: TFTP and HTTP are there */
	unsigned prefix;
	enum hydra_dhcp_mode dhcp;
	unsigned http_port;
	const char *rundir;        /* dnsmasq's pid file, leases and TFTP root */
};

/* dnsmasq.conf for C, malloc'd into *OUT; -EINVAL for an address or prefix own mode cannot use. */
int hydra_pxe_dnsmasq_conf(const struct hydra_pxe_conf *c, char **out);
/*
 * The leases --dhcp own gives: up to 50 addresses of ADDR/PREFIX next to
 * ADDR (after it, else before it), never ADDR itself, the network or the
 * broadcast address. -EINVAL for a prefix outside 8..30.
 */
int hydra_pxe_own_range(const char *addr, unsigned prefix, char start[16], char end[16],
			char netmask[16]);
/* What boot.ipxe passes of the interface iPXE booted from (format/cmdline.h reads it). */
#define HYDRA_PXE_NETIF_WORD "hydra.netif=${netX/mac},${netX/ip},${netX/netmask},${netX/gateway}"
/*
 * boot.ipxe: the medium's kernel and initramfs from BASE_URL (ending in
 * '/'), with M's command line, hydra.id, hydra.node=NODE,
 * hydra.netboot=BASE_URL, HYDRA_PXE_NETIF_WORD and ORDERS (the
 * hydra.netboot.* words of fleet/netinstall.h). Malloc'd, or NULL.
 */
char *hydra_pxe_boot_script(const struct hydra_manifest *m, const char *node,
			    const char *base_url, const char *orders);

/* What regenerate reports as it goes (its phases). */
enum hydra_netboot_phase {
	HYDRA_NB_ARMED,        /* servers up; detail: what is served where */
	HYDRA_NB_OFFER,        /* a boot offer (proxy) or a lease offer (own) sent to mac */
	HYDRA_NB_BOOTFILE,     /* the PXE boot server named path to mac (at ip) */
	HYDRA_NB_LEASE,        /* own mode: ip acknowledged to mac */
	HYDRA_NB_TFTP,         /* path sent by TFTP to ip */
	HYDRA_NB_SCRIPT,       /* boot.ipxe fetched over HTTP by ip */
	HYDRA_NB_KERNEL,       /* the kernel fetched by ip */
	HYDRA_NB_INITRD,       /* the initramfs fetched by ip */
	HYDRA_NB_FILE,         /* another served file (path) fetched by ip */
	HYDRA_NB_REPLICA,      /* every file of the replica fetched by ip; detail: files, bytes */
	HYDRA_NB_WRITTEN,      /* the node says its disk is written, read back and committed */
	HYDRA_NB_RESTORED,     /* the node says its data is restored from the replica */
	HYDRA_NB_DONE,         /* the node reported done; detail: how */
	HYDRA_NB_DISARMED,     /* servers stopped, run directory removed */
};

struct hydra_netboot_event {
	enum hydra_netboot_phase phase;
	double seconds;        /* since arming began */
	char mac[18];
	char ip[16];
	char path[256];        /* relative to what is served */
	const char *detail;    /* ARMED: a sentence; else NULL */
};

/* The phase's name in progress lines and JSON ("armed", "offer", ...). */
const char *hydra_netboot_phase_name(enum hydra_netboot_phase p);

/*
 * One line of dnsmasq's log (log-facility=-) as an event: 1 when it is
 * one (EV filled but for seconds), 0 when not. TFTP paths are given
 * relative to TFTP_ROOT.
 */
int hydra_pxe_parse_dnsmasq(const char *line, const char *tftp_root,
			    struct hydra_netboot_event *ev);

/*
 * busybox httpd -vv logs "IP:PORT: url:/PATH" and then, for the same
 * IP:PORT, "IP:PORT: response:CODE": a fetch is the pair with code 200.
 */
#define HYDRA_HTTPD_PENDING 32
struct hydra_httpd_log {
	struct {
		char client[32];
		char path[256];
	} pending[HYDRA_HTTPD_PENDING];
	unsigned next;
};
/* One line of busybox httpd's log: 1 with EV filled for a file served whole, else 0. */
int hydra_pxe_parse_httpd(struct hydra_httpd_log *s, const char *line,
			  struct hydra_netboot_event *ev);

#endif
