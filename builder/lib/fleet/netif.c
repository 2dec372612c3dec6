/* Interfaces and their IPv4 addresses, read with getifaddrs and changed with ip(8). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "fleet/netif.h"

int hydra_netif_route_default(const char *text, char *name, size_t len)
{
	char iface[64];
	unsigned long dest, gw, flags, mask;
	const char *line = strchr(text, '\n');    /* after the header */

	for (; line && *line; line = strchr(line + 1, '\n')) {
		/* Iface Destination Gateway Flags RefCnt Use Metric Mask ... (hex, host order) */
		if (sscanf(line, " %63s %lx %lx %lx %*s %*s %*s %lx", iface, &dest, &gw, &flags,
			   &mask) == 5 && dest == 0 && mask == 0 && (flags & 0x1)) {
			snprintf(name, len, "%s", iface);
			return 0;
		}
	}
	return 1;
}

/* The only interface that is up besides the loopback: 0, 1 none, 2 more than one. */
static int only_up(char *name, size_t len)
{
	struct ifaddrs *all, *i;
	int n = 0;

	if (getifaddrs(&all) < 0)
		return -errno;
	for (i = all; i; i = i->ifa_next) {
		if (!(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK) ||
		    (n && !strcmp(name, i->ifa_name)))
			continue;
		if (n++ == 0)
			snprintf(name, len, "%s", i->ifa_name);
	}
	freeifaddrs(all);
	return n == 1 ? 0 : n == 0 ? 1 : 2;
}

int hydra_netif_default(char *name, size_t len)
{
	char *routes = NULL;
	int r = hydra_read_file("/proc/net/route", &routes, NULL);

	if (r == 0)
		r = hydra_netif_route_default(routes, name, len);
	free(routes);
	if (r == 0)
		return 0;
	r = only_up(name, len);
	if (r == 0)
		return 0;
	if (r > 0)
		hydra_err("no default route and %s: name one with --interface",
			  r == 1 ? "no interface is up" : "more than one interface is up");
	return r < 0 ? r : -ENOENT;
}

int hydra_netif_ipv4(const char *ifname, char addr[16], unsigned *prefix)
{
	struct ifaddrs *all, *i;
	int r = 1;

	if (!if_nametoindex(ifname))
		return -ENODEV;
	if (getifaddrs(&all) < 0)
		return -errno;
	for (i = all; i && r; i = i->ifa_next) {
		struct sockaddr_in *a = (struct sockaddr_in *)i->ifa_addr;
		struct sockaddr_in *m = (struct sockaddr_in *)i->ifa_netmask;

		if (!a || a->sin_family != AF_INET || strcmp(i->ifa_name, ifname) || !m)
			continue;
		inet_ntop(AF_INET, &a->sin_addr, addr, 16);
		*prefix = (unsigned)__builtin_popcount(ntohl(m->sin_addr.s_addr));
		r = 0;
	}
	freeifaddrs(all);
	return r;
}

int hydra_netif_is_up(const char *ifname)
{
	struct ifreq req = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -errno;
	snprintf(req.ifr_name, sizeof(req.ifr_name), "%s", ifname);
	r = ioctl(fd, SIOCGIFFLAGS, &req) < 0 ? -errno : !!(req.ifr_flags & IFF_UP);
	close(fd);
	return r;
}

int hydra_netif_tcp_listens(const char *text, unsigned port)
{
	unsigned addr, lport, state;
	const char *line = strchr(text, '\n');    /* after the header */

	/* "  0: 0100007F:1F90 00000000:0000 0A ...": local address:port, remote, state (0A listen) */
	for (; line && *line; line = strchr(line + 1, '\n'))
		if (sscanf(line, " %*u: %x:%x %*x:%*x %x", &addr, &lport, &state) == 3 &&
		    lport == port && state == 0x0A)
			return 1;
	return 0;
}

int hydra_netif_listening(unsigned port)
{
	char *text = NULL;
	int r = hydra_read_file("/proc/net/tcp", &text, NULL);

	if (r == 0)
		r = hydra_netif_tcp_listens(text, port);
	free(text);
	return r;
}

int hydra_netif_set_up(const char *ifname, int up)
{
	const char *argv[] = { "ip", "link", "set", "dev", ifname, up ? "up" : "down", NULL };
	int r = hydra_run(argv, NULL);

	if (r > 0)
		hydra_err("'ip link set dev %s %s' failed (%d)", ifname, up ? "up" : "down", r);
	return r > 0 ? -EIO : r;
}

int hydra_netif_addr(const char *ifname, const char *addr, unsigned prefix, int add)
{
	char *cidr = hydra_strdupf("%s/%u", addr, prefix);
	const char *argv[] = { "ip", "addr", add ? "add" : "del", cidr, "dev", ifname, NULL };
	int r = cidr ? hydra_run(argv, NULL) : -ENOMEM;

	if (r > 0)
		hydra_err("'ip addr %s %s dev %s' failed (%d)", argv[2], cidr, ifname, r);
	free(cidr);
	return r > 0 ? -EIO : r;
}
