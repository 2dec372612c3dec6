/*
 * The network interface a neighbour serves netboot on: which one, its IPv4
 * address, and the address and link state arming changes for --dhcp own.
 */
#ifndef HYDRA_NETIF_H
#define HYDRA_NETIF_H

#include <stddef.h>

/*
 * Pure: the interface of the default IPv4 route in TEXT, the contents of
 * /proc/net/route, into NAME; 0 found, 1 none.
 */
int hydra_netif_route_default(const char *text, char *name, size_t len);
/*
 * The interface to serve on when none is named: the default route's, else
 * the only one that is up (lo aside). 0, or -ENOENT with the reason logged.
 */
int hydra_netif_default(char *name, size_t len);
/* IFNAME's first IPv4 address and prefix: 0 found, 1 none, -ENODEV when there is no IFNAME. */
int hydra_netif_ipv4(const char *ifname, char addr[16], unsigned *prefix);
/* 1 when IFNAME is up, 0 when down, <0 on error. */
int hydra_netif_is_up(const char *ifname);
/* ip link set IFNAME up|down. */
int hydra_netif_set_up(const char *ifname, int up);
/*
 * Pure: 1 when TEXT, the contents of /proc/net/tcp, has a socket listening
 * on TCP port PORT, else 0.
 */
int hydra_netif_tcp_listens(const char *text, unsigned port);
/* The same for this network namespace, read now; <0 on error. */
int hydra_netif_listening(unsigned port);
/* ip addr add|del ADDR/PREFIX dev IFNAME. */
int hydra_netif_addr(const char *ifname, const char *addr, unsigned prefix, int add);

#endif
