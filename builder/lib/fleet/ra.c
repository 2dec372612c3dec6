/* Router advertisements for the armed MACs (fleet/ra.h says why). */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/hydra.h"
#include "fleet/ra.h"

/* The fixed part of a solicitation: type, code, checksum, reserved. */
#define SOLICIT_HEADER 8
#define OPTION_UNIT 8
#define ETHER_LEN 6

int hydra_ra_solicit_mac(const uint8_t *pkt, size_t len, char mac[18])
{
	size_t at = SOLICIT_HEADER;

	if (len < SOLICIT_HEADER || pkt[0] != HYDRA_RA_SOLICIT || pkt[1] != 0)
		return -EINVAL;
	while (at + 2 <= len) {
		size_t olen = (size_t)pkt[at + 1] * OPTION_UNIT;

		/* RFC 4861 4.6: a zero length makes the whole message invalid. */
		if (!olen || olen > len - at)
			return -EINVAL;
		if (pkt[at] == HYDRA_RA_OPT_SOURCE_LLADDR && olen >= 2 + ETHER_LEN) {
			const uint8_t *a = pkt + at + 2;

			snprintf(mac, 18, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3],
				 a[4], a[5]);
			return 0;
		}
		at += olen;
	}
	return -EINVAL;
}

void hydra_ra_advert(uint8_t out[HYDRA_RA_ADVERT_LEN])
{
	/*
	 * Type, code, checksum (the kernel's, for a raw ICMPv6 socket), current
	 * hop limit unspecified, no M or O flag, router lifetime 0, reachable
	 * time and retransmission timer unspecified; no option.
	 */
	memset(out, 0, HYDRA_RA_ADVERT_LEN);
	out[0] = HYDRA_RA_ADVERT;
}

int hydra_ra_open(const char *ifname, char *const *macs, size_t n_macs, struct hydra_ra *ra)
{
	struct icmp6_filter filter;
	struct ipv6_mreq join = { .ipv6mr_multiaddr = { { { 0xff, 2, [15] = 2 } } } };
	int hops = HYDRA_RA_HOP_LIMIT, on = 1;

	ra->answered = 0;
	ra->n_macs = 0;
	for (size_t i = 0; i < n_macs && i < HYDRA_HWDB_MAX_MACS; i++)
		snprintf(ra->macs[ra->n_macs++], sizeof(ra->macs[0]), "%s", macs[i]);
	join.ipv6mr_interface = if_nametoindex(ifname);
	ra->fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (ra->fd < 0)
		goto off;
	ICMP6_FILTER_SETBLOCKALL(&filter);
	ICMP6_FILTER_SETPASS(HYDRA_RA_SOLICIT, &filter);
	if (setsockopt(ra->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter)) < 0 ||
	    setsockopt(ra->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0 ||
	    setsockopt(ra->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)) < 0 ||
	    setsockopt(ra->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(ra->fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &join, sizeof(join)) < 0)
		goto off;
	hydra_debug("answering router solicitations of the armed MACs on %s", ifname);
	return 0;
off:
	hydra_warn("no IPv6 on %s (%s): iPXE will wait out its router solicitations, about 13 s, "
		   "before it fetches boot.ipxe", ifname, strerror(errno));
	if (ra->fd >= 0)
		close(ra->fd);
	ra->fd = -1;
	return 0;
}

/* The hop limit the solicitation arrived with, from its control message; -1 if none. */
static int hop_limit(struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
			int h;

			memcpy(&h, CMSG_DATA(c), sizeof(h));
			return h;
		}
	return -1;
}

static int is_armed(const struct hydra_ra *ra, const char *mac)
{
	for (size_t i = 0; i < ra->n_macs; i++)
		if (!strcasecmp(mac, ra->macs[i]))
			return 1;
	return 0;
}

void hydra_ra_answer(struct hydra_ra *ra)
{
	uint8_t pkt[1500], advert[HYDRA_RA_ADVERT_LEN];
	char control[CMSG_SPACE(sizeof(int))], mac[18];

	if (ra->fd < 0)
		return;
	hydra_ra_advert(advert);
	for (;;) {
		struct sockaddr_in6 from;
		struct iovec iov = { pkt, sizeof(pkt) };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				      .msg_iovlen = 1, .msg_control = control,
				      .msg_controllen = sizeof(control) };
		ssize_t len = recvmsg(ra->fd, &msg, MSG_DONTWAIT);

		if (len < 0)
			return;
		/* RFC 4861 6.1.1: a solicitation that crossed a router is no neighbour's. */
		if (hop_limit(&msg) != HYDRA_RA_HOP_LIMIT ||
		    hydra_ra_solicit_mac(pkt, (size_t)len, mac) < 0 || !is_armed(ra, mac))
			continue;
		if (sendto(ra->fd, advert, sizeof(advert), 0, (struct sockaddr *)&from,
			   sizeof(from)) < 0) {
			hydra_debug("cannot answer the router solicitation of %s: %s", mac,
				    strerror(errno));
			continue;
		}
		ra->answered++;
		hydra_debug("router advertisement (nothing offered) sent to %s", mac);
	}
}

void hydra_ra_close(struct hydra_ra *ra)
{
	if (ra->fd >= 0)
		close(ra->fd);
	ra->fd = -1;
}
