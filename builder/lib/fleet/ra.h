/*
 * Router advertisements for the armed MACs. iPXE configures IPv4 and IPv6
 * at once and goes on only when both have ended: on a link without an IPv6
 * router it sends router solicitations for about 13 s after its DHCP lease
 * before it fetches boot.ipxe. One router advertisement that offers
 * nothing (router lifetime 0, no prefix, no M or O flag) ends its IPv6
 * configuration at once. It is sent to the soliciting MAC alone, and only
 * to an armed one, as dnsmasq answers DHCP; hosts read such an answer as
 * "no router here", which is what the link already was for them.
 */
#ifndef HYDRA_FLEET_RA_H
#define HYDRA_FLEET_RA_H

#include <stddef.h>
#include <stdint.h>

#include "format/hwdb.h"

/* ICMPv6 types and the option of RFC 4861. */
#define HYDRA_RA_SOLICIT 133
#define HYDRA_RA_ADVERT 134
#define HYDRA_RA_OPT_SOURCE_LLADDR 1
/* Every neighbour discovery message is sent and must arrive with this hop limit. */
#define HYDRA_RA_HOP_LIMIT 255
#define HYDRA_RA_ADVERT_LEN 16

/*
 * Pure: the source link-layer address of the router solicitation PKT (the
 * ICMPv6 message, LEN bytes) into MAC as "52:54:00:00:00:b2"; 0, or -EINVAL
 * when PKT is not a well-formed solicitation that carries one.
 */
int hydra_ra_solicit_mac(const uint8_t *pkt, size_t len, char mac[18]);
/* Pure: the advertisement that offers nothing, HYDRA_RA_ADVERT_LEN bytes into OUT. */
void hydra_ra_advert(uint8_t out[HYDRA_RA_ADVERT_LEN]);

struct hydra_ra {
	int fd;
	char macs[HYDRA_HWDB_MAX_MACS][18];    /* the armed ones, answered */
	size_t n_macs;
	unsigned answered;
};

/*
 * Listen for router solicitations on IFNAME (joins all-routers there) for
 * MACS. Without IPv6 on IFNAME, a warning says what it costs, RA->fd is -1
 * and 0 is returned: netboot works, slower.
 */
int hydra_ra_open(const char *ifname, char *const *macs, size_t n_macs, struct hydra_ra *ra);
/*
 * Answer every solicitation waiting on RA whose source link-layer address
 * is an armed MAC; the others are left unanswered. Never blocks.
 */
void hydra_ra_answer(struct hydra_ra *ra);
void hydra_ra_close(struct hydra_ra *ra);

#endif
