/*
 * While netboot is armed, the neighbour's own nftables input chain (the
 * default image's `inet filter input`, policy drop) lets the node in: DHCP,
 * TFTP and the PXE boot server (udp 67, 69, 4011, and the ports TFTP
 * transfers come from, fleet/pxe.h) and the HTTP server's port, on the armed
 * interface only. The rules carry the comment "hydra regenerate
 * NODE", by which a later arming removes those a killed regenerate left.
 */
#ifndef HYDRA_FLEET_FIREWALL_H
#define HYDRA_FLEET_FIREWALL_H

#define HYDRA_FIREWALL_FAMILY "inet"
#define HYDRA_FIREWALL_TABLE "filter"
#define HYDRA_FIREWALL_CHAIN "input"
#define HYDRA_FIREWALL_MAX_RULES 2

struct hydra_firewall {
	unsigned long handles[HYDRA_FIREWALL_MAX_RULES];
	unsigned n;
};

/*
 * Insert the rules at the head of the chain; without nft, or without that
 * chain (a machine whose firewall hydra did not set up), nothing is done
 * and 0 is returned.
 */
int hydra_firewall_open(const char *node, const char *ifname, unsigned http_port,
			struct hydra_firewall *fw);
/* Delete the rules FW inserted; 0 or the first error. */
int hydra_firewall_close(struct hydra_firewall *fw);

/* Pure: the handles of the rules commented "hydra regenerate NODE" in LISTING (nft -a list chain). */
unsigned hydra_firewall_stale(const char *listing, const char *node, unsigned long *handles,
			      unsigned max);

#endif
