/*
 * Netboot: the medium is a neighbour's HTTP server (hydra.netboot=URL, armed
 * by `hydra regenerate`). The interface iPXE booted from gets the address the
 * firmware's DHCP gave it (hydra.netif=), then the MANIFEST and every file it
 * lists are fetched into a tmpfs at HYDRA_MEDIUM_DIR, each checked against
 * the MANIFEST as it streams. When the initramfs trusts keys, the MANIFEST
 * must be signed by one of them. Nothing is mounted from the payload and no
 * disk is touched before the last file matched; the boot then goes on as
 * from a medium.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/http.h"
#include "base/sysfs.h"
#include "base/util.h"
#include "format/signature.h"
#include "init.h"

/* A MANIFEST lists a few dozen files; a signature is a few lines. */
#define MANIFEST_MAX (1 << 20)
#define SIG_MAX 4096
#define SIG_PATH HYDRA_SIGNATURE_PATH
/* What the system needs besides the payload to reach its shell, at the least. */
#define RAM_MARGIN (96ull << 20)

/* The name of the interface whose MAC is MAC, waiting for its driver up to hydra.wait. */
static int find_interface(struct boot *b, const char *mac)
{
	double end = hydra_now() + b->cmd.wait;
	char seen[1024];

	for (int tries = 0;; tries++) {
		struct dirent **ents = NULL;
		int n = scandir("/sys/class/net", &ents, NULL, alphasort);
		size_t len = 0;

		seen[0] = '\0';
		for (int i = 0; i < n; i++) {
			char *addr = NULL;

			if (ents[i]->d_name[0] != '.' && !b->ifname[0]) {
				addr = hydra_sysfs_read("", "/sys/class/net/%s/address", ents[i]->d_name);
				if (addr && !strcasecmp(addr, mac))
					snprintf(b->ifname, sizeof(b->ifname), "%.*s", IFNAMSIZ - 1,
						 ents[i]->d_name);
				else if (len < sizeof(seen))
					len += (size_t)snprintf(seen + len, sizeof(seen) - len, " %s (%s)",
								ents[i]->d_name, addr ? addr : "?");
			}
			free(addr);
			free(ents[i]);
		}
		free(ents);
		if (b->ifname[0])
			return 0;
		if (hydra_now() >= end)
			break;
		if (tries == 4)
			say("waiting up to %u s for the interface %s", b->cmd.wait, mac);
		usleep(250 * 1000);
	}
	say("no network interface has the MAC %s that iPXE booted from; found:%s", mac,
	    seen[0] ? seen : " none (a driver missing from hardware-db/drivers.conf?)");
	return -ENODEV;
}

static int set_addr(int s, const char *ifname, unsigned long req, const char *what,
		    const char *text)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sa = (struct sockaddr_in *)&ifr.ifr_addr;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sa->sin_family = AF_INET;
	inet_pton(AF_INET, text, &sa->sin_addr);
	if (ioctl(s, req, &ifr) < 0) {
		int r = -errno;

		say("cannot set the %s %s on %s: %s", what, text, ifname, strerror(errno));
		return r;
	}
	return 0;
}

static int link_up(int s, const char *ifname)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto fail;
	return 0;
fail:
	say("cannot bring %s up: %s", ifname, strerror(errno));
	return -errno;
}

static int default_route(int s, const char *ifname, const char *gateway)
{
	struct rtentry rt = { 0 };
	struct sockaddr_in *gw = (struct sockaddr_in *)&rt.rt_gateway;
	char dev[IFNAMSIZ];

	snprintf(dev, sizeof(dev), "%s", ifname);
	((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
	gw->sin_family = AF_INET;
	inet_pton(AF_INET, gateway, &gw->sin_addr);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	rt.rt_dev = dev;
	if (ioctl(s, SIOCADDRT, &rt) < 0 && errno != EEXIST) {
		say("cannot add the default route via %s: %s", gateway, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Wait for the link up to hydra.wait: a NIC negotiates for a second or more after it is up. */
static int wait_carrier(struct boot *b)
{
	double end = hydra_now() + b->cmd.wait;

	for (;;) {
		char *c = hydra_sysfs_read("", "/sys/class/net/%s/carrier", b->ifname);
		int up = c && !strcmp(c, "1");

		free(c);
		if (up)
			return 0;
		if (hydra_now() >= end)
			break;
		usleep(100 * 1000);
	}
	say("%s has no link after %u s: is its cable in?", b->ifname, b->cmd.wait);
	return -ENETDOWN;
}

static int configure(struct boot *b)
{
	const struct hydra_cmdline_netif *n = &b->cmd.netif;
	int s, r;

	if ((r = find_interface(b, n->mac)))
		return r;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		say("cannot open a socket: %s", strerror(errno));
		return -errno;
	}
	r = link_up(s, "lo");
	if (!r)
		r = set_addr(s, b->ifname, SIOCSIFADDR, "address", n->ip);
	if (!r)
		r = set_addr(s, b->ifname, SIOCSIFNETMASK, "netmask", n->netmask);
	if (!r)
		r = link_up(s, b->ifname);
	if (!r && n->gateway[0])
		r = default_route(s, b->ifname, n->gateway);
	close(s);
	if (!r)
		r = wait_carrier(b);
	if (!r)
		say("network: %s (%s) %s/%s%s%s", b->ifname, n->mac, n->ip, n->netmask,
		    n->gateway[0] ? " via " : "", n->gateway);
	return r;
}

/* BASE + PATH, bytes outside RFC 3986's unreserved set and '/' percent-encoded. */
static char *file_url(const char *base, const char *path)
{
	static const char keep[] = "-._~/";
	size_t n = strlen(base);
	char *u = malloc(n + 3 * strlen(path) + 1), *o;

	if (!u)
		return NULL;
	memcpy(u, base, n);
	o = u + n;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr(keep, *p))
			*o++ = (char)*p;
		else
			o += sprintf(o, "%%%02X", *p);
	}
	*o = '\0';
	return u;
}

static unsigned fetch_timeout(const struct boot *b)
{
	return b->cmd.wait > 10 ? b->cmd.wait : 10;
}

/* The MANIFEST, read and checked: the image hydra.id names, consistent with itself. */
static int fetch_manifest(struct boot *b, char **text, size_t *len)
{
	char *url = file_url(b->cmd.netboot, HYDRA_MANIFEST_PATH), id[HYDRA_ID_LEN + 1] = "";
	int r;

	if (!url)
		return -ENOMEM;
	r = hydra_http_get_mem(url, MANIFEST_MAX, fetch_timeout(b), text, len);
	if (r)
		say("cannot fetch the MANIFEST %s: %s", url, strerror(-r));
	free(url);
	if (r)
		return r;
	if ((r = hydra_manifest_parse(*text, *len, &b->manifest))) {
		say("the MANIFEST from %s does not parse", b->cmd.netboot);
		return r;
	}
	if (hydra_manifest_id(b->manifest, id) || strcmp(id, b->manifest->id)) {
		say("the MANIFEST from %s names image %s but its contents give %s", b->cmd.netboot,
		    b->manifest->id, id);
		return -EBADMSG;
	}
	if (b->cmd.id && strcmp(b->cmd.id, b->manifest->id)) {
		say("%s serves image %s, not %s (hydra.id)", b->cmd.netboot, b->manifest->id,
		    b->cmd.id);
		return -EBADMSG;
	}
	if (!b->cmd.id)
		say("warning: no hydra.id on the command line: booting image %s", b->manifest->id);
	return 0;
}

static uint64_t mem_available(void)
{
	char *text = NULL, *p;
	unsigned long long kib = 0;

	if (hydra_read_file("/proc/meminfo", &text, NULL) == 0 &&
	    (p = strstr(text, "MemAvailable:")))
		sscanf(p + 13, "%llu", &kib);
	free(text);
	return kib * 1024;
}

/* A tmpfs for the payload, sized from the MANIFEST, with room for it checked first. */
static int mount_ram(uint64_t payload)
{
	uint64_t avail = mem_available(), size = payload + (1 << 20);
	char opts[64], a[32], p[32];

	if (avail && avail < payload + RAM_MARGIN) {
		say("the payload needs %s of RAM and the system at least %s more; %s is available",
		    hydra_format_size(payload, p, sizeof(p)),
		    hydra_format_size(RAM_MARGIN, opts, sizeof(opts)),
		    hydra_format_size(avail, a, sizeof(a)));
		return -ENOMEM;
	}
	snprintf(opts, sizeof(opts), "size=%" PRIu64 ",mode=0755", size);
	hydra_mkdir_p(HYDRA_MEDIUM_DIR, 0755);
	if (mount("hydra-netboot", HYDRA_MEDIUM_DIR, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
		say("cannot mount a tmpfs on %s: %s", HYDRA_MEDIUM_DIR, strerror(errno));
		return -errno;
	}
	return 0;
}

static int save(const char *rel, const char *buf, size_t len)
{
	char *path = hydra_path_join(HYDRA_MEDIUM_DIR, rel);
	int r = path ? hydra_mkdir_parent(path) : -ENOMEM;

	if (!r)
		r = hydra_write_file_atomic(path, buf, len, 0644);
	if (r)
		say("cannot write %s: %s", path ? path : rel, strerror(-r));
	free(path);
	return r;
}

/* MANIFEST.sig into *SIG when the server has one; a 404 leaves it NULL (unsigned). */
static int fetch_signature(struct boot *b, char **sig, size_t *len)
{
	char *url = file_url(b->cmd.netboot, SIG_PATH);
	int r;

	if (!url)
		return -ENOMEM;
	/* Unsigned media are common: a 404 here is no error to show. */
	quiet_errors(1);
	r = hydra_http_get_mem(url, SIG_MAX, fetch_timeout(b), sig, len);
	quiet_errors(0);
	free(url);
	if (r == -ENOENT)
		return 0;
	if (r)
		say("cannot fetch %s: %s", SIG_PATH, strerror(-r));
	return r;
}

/*
 * The keys of the initramfs (the build's hardware-db/keys) decide: none,
 * and the signature is kept but not checked; some, and the MANIFEST must be
 * signed by one of them. The payload comes from the neighbour, so its own
 * hardware-db/keys could vouch for nothing.
 */
static int check_signature(struct boot *b, const char *manifest, size_t mlen, const char *sig,
			   size_t slen)
{
	struct hydra_trust *t = NULL;
	int r = hydra_trust_load(HYDRA_INITRAMFS_TRUST_DIR, &t);

	if (r) {
		say("cannot read the initramfs's trusted keys in %s", HYDRA_INITRAMFS_TRUST_DIR);
		return r;
	}
	if (!hydra_trust_count(t)) {
		if (sig)
			say("the MANIFEST is signed, but the initramfs trusts no key: not checked");
		hydra_trust_free(t);
		return 0;
	}
	r = hydra_check_signature(manifest, mlen, sig, slen, t, 0, b->signer);
	if (r)
		say("the MANIFEST from %s is refused: %s", b->cmd.netboot,
		    r == -EPERM ? "it is not signed and the initramfs trusts keys" :
		    r == -EKEYREJECTED ? "its signer is not a key the initramfs trusts" :
		    "its signature does not match it");
	else
		say("the MANIFEST is signed by trusted key %s", b->signer);
	hydra_trust_free(t);
	return r ? -EBADMSG : 0;
}

static void hex(const unsigned char *sha, char out[HYDRA_SHA256_HEX])
{
	hydra_hex(sha, HYDRA_SHA256_LEN, out);
}

/* One payload file into the tmpfs, checked against F as it streams. */
static int fetch_file(struct boot *b, const struct hydra_manifest_file *f)
{
	unsigned char sha[HYDRA_SHA256_LEN];
	char got_hex[HYDRA_SHA256_HEX], want_hex[HYDRA_SHA256_HEX], sz[32];
	char *path = NULL, *url = NULL;
	uint64_t len = 0;
	double t0 = hydra_now();
	int fd = -1, r = -ENOMEM;

	if (!hydra_path_stays_inside(f->path) || !strcmp(f->path, HYDRA_MANIFEST_PATH) ||
	    !strcmp(f->path, SIG_PATH)) {
		say("the MANIFEST lists '%s', which is no payload path", f->path);
		return -EBADMSG;
	}
	path = hydra_path_join(HYDRA_MEDIUM_DIR, f->path);
	url = file_url(b->cmd.netboot, f->path);
	if (!path || !url || (r = hydra_mkdir_parent(path)))
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		say("cannot create %s: %s", path, strerror(errno));
		goto out;
	}
	r = hydra_http_get_fd(url, fd, f->size, fetch_timeout(b), sha, &len);
	if (r == -EFBIG) {
		say("%s does not match the MANIFEST: the server sends more than its %" PRIu64
		    " bytes", f->path, f->size);
		r = -EBADMSG;
	} else if (r) {
		say("cannot fetch %s from %s: %s", f->path, url, strerror(-r));
	} else if (len != f->size || memcmp(sha, f->sha256, sizeof(sha))) {
		hex(sha, got_hex);
		hex(f->sha256, want_hex);
		say("%s does not match the MANIFEST: %" PRIu64 " bytes with SHA-256 %s fetched, "
		    "the MANIFEST says %" PRIu64 " bytes with %s", f->path, len, got_hex, f->size,
		    want_hex);
		r = -EBADMSG;
	} else if (f->size >= (1 << 20) || b->cmd.debug) {
		say("fetched %s, %s in %.1f s", f->path, hydra_format_size(len, sz, sizeof(sz)),
		    hydra_now() - t0);
	}
	if (close(fd) < 0 && !r)
		r = -errno;
	fd = -1;
	b->net_bytes += len;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	free(url);
	return r;
}

int netboot_medium(struct boot *b)
{
	char *manifest = NULL, *sig = NULL, sz[32];
	size_t mlen = 0, slen = 0;
	uint64_t payload = 0;
	double t0 = hydra_now();
	int r;

	if (b->cmd.netboot_error) {
		say("cannot netboot: %s", b->cmd.netboot_error);
		return -EINVAL;
	}
	b->netboot = 1;
	if ((r = configure(b)) || (r = fetch_manifest(b, &manifest, &mlen)) ||
	    (r = fetch_signature(b, &sig, &slen)) ||
	    (r = check_signature(b, manifest, mlen, sig, slen)))
		goto out;
	for (size_t i = 0; i < b->manifest->n_files; i++)
		payload += b->manifest->files[i].size;
	say("netboot: image %s from %s, %zu files, %s", b->manifest->id, b->cmd.netboot,
	    b->manifest->n_files, hydra_format_size(payload, sz, sizeof(sz)));
	if ((r = mount_ram(payload)) || (r = save(HYDRA_MANIFEST_PATH, manifest, mlen)) ||
	    (sig && (r = save(SIG_PATH, sig, slen))))
		goto out;
	for (size_t i = 0; !r && i < b->manifest->n_files; i++)
		r = fetch_file(b, &b->manifest->files[i]);
	if (r)
		goto out;
	b->net_seconds = hydra_now() - t0;
	say("netboot: fetched %s in %.1f s (%.1f MiB/s), every file as the MANIFEST says",
	    hydra_format_size(b->net_bytes, sz, sizeof(sz)), b->net_seconds,
	    b->net_seconds > 0 ? (double)b->net_bytes / (1 << 20) / b->net_seconds : 0.0);
	/* From here on it is a medium like any other, and as read-only. */
	if (mount(NULL, HYDRA_MEDIUM_DIR, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
		  NULL) < 0)
		say("warning: cannot make %s read-only: %s", HYDRA_MEDIUM_DIR, strerror(errno));
out:
	free(manifest);
	free(sig);
	return r;
}
