/* GET over plain HTTP to an IPv4 address, streamed into a descriptor or memory and hashed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/http.h"
#include "base/hydra.h"
#include "base/util.h"

/* Status line and headers together: a file server's reply head is a few hundred bytes. */
#define HEAD_MAX 16384

int hydra_http_url_parse(const char *url, struct hydra_http_url *u)
{
	const char *p = url, *host, *slash;
	struct in_addr a;
	size_t hlen;

	memset(u, 0, sizeof(*u));
	if (!url || strlen(url) > HYDRA_HTTP_URL_MAX || strncmp(p, "http://", 7))
		return -EINVAL;
	host = p + 7;
	slash = strchr(host, '/');
	if (!slash)
		return -EINVAL;
	hlen = strcspn(host, ":/");
	if (hlen == 0 || hlen >= sizeof(u->host))
		return -EINVAL;
	memcpy(u->host, host, hlen);
	u->host[hlen] = '\0';
	/* inet_pton takes only the dotted quad: no names, no "10.1", no octal. */
	if (inet_pton(AF_INET, u->host, &a) != 1)
		return -EINVAL;
	u->port = 80;
	if (host[hlen] == ':') {
		const char *d = host + hlen + 1;
		unsigned long port = 0;

		if (d == slash || slash - d > 5)
			return -EINVAL;
		for (; d < slash; d++) {
			if (*d < '0' || *d > '9')
				return -EINVAL;
			port = port * 10 + (unsigned long)(*d - '0');
		}
		if (port == 0 || port > 65535)
			return -EINVAL;
		u->port = (unsigned)port;
	}
	for (p = slash; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return -EINVAL;
	u->path = slash;
	return 0;
}

/* Where a body goes, a chunk at a time. */
struct sink {
	int (*put)(struct sink *s, const char *buf, size_t n);
	int fd;
	char *mem;
	size_t used, cap;
};

struct get {
	const char *url;
	int sock;
	unsigned timeout_s;
	uint64_t max, got;
	EVP_MD_CTX *sha;
	struct sink *sink;
};

static int wait_io(struct get *g, short events)
{
	struct pollfd p = { .fd = g->sock, .events = events };
	int n;

	do
		n = poll(&p, 1, (int)(g->timeout_s * 1000));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return hydra_err_errno("GET %s: poll", g->url);
	if (n == 0) {
		hydra_err("GET %s: no answer within %u s", g->url, g->timeout_s);
		return -ETIMEDOUT;
	}
	return 0;
}

static int connect_to(struct get *g, const struct hydra_http_url *u)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)u->port) };
	socklen_t len = sizeof(int);
	int r, soerr = 0;

	inet_pton(AF_INET, u->host, &sa.sin_addr);
	g->sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (g->sock < 0)
		return hydra_err_errno("GET %s: socket", g->url);
	if (connect(g->sock, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return hydra_err_errno("GET %s: cannot connect to %s:%u", g->url, u->host, u->port);
	r = wait_io(g, POLLOUT);
	if (r)
		return r;
	if (getsockopt(g->sock, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return hydra_err_errno("GET %s: connect", g->url);
	if (soerr) {
		hydra_err("GET %s: cannot connect to %s:%u: %s", g->url, u->host, u->port,
			  strerror(soerr));
		return -soerr;
	}
	return 0;
}

static int send_all(struct get *g, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = send(g->sock, buf, n, MSG_NOSIGNAL);
		int r;

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if ((r = wait_io(g, POLLOUT)))
				return r;
			continue;
		}
		if (w < 0)
			return hydra_err_errno("GET %s: cannot send the request", g->url);
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Some bytes into BUF (0 at the end of the stream), or -errno. */
static ssize_t recv_some(struct get *g, char *buf, size_t n)
{
	for (;;) {
		ssize_t r = recv(g->sock, buf, n, 0);
		int e;

		if (r >= 0)
			return r;
		if (errno != EAGAIN && errno != EINTR)
			return hydra_err_errno("GET %s: cannot read the reply", g->url);
		if ((e = wait_io(g, POLLIN)))
			return e;
	}
}

/* The value of header NAME in HEAD (lines after the status line), or NULL. */
static const char *header(const char *head, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = strstr(head, "\r\n"); l; l = strstr(l, "\r\n")) {
		l += 2;
		if (!strncasecmp(l, name, n) && l[n] == ':') {
			l += n + 1;
			while (*l == ' ' || *l == '\t')
				l++;
			return l;
		}
	}
	return NULL;
}

/*
 * The status line and headers, into HEAD (NUL-terminated at the blank
 * line); the body bytes read with them are left at HEAD + *BODY_AT,
 * *BODY_LEN of them.
 */
static int read_head(struct get *g, char *head, size_t *body_at, size_t *body_len)
{
	size_t have = 0;

	for (;;) {
		char *end;
		ssize_t n = recv_some(g, head + have, HEAD_MAX - 1 - have);

		if (n < 0)
			return (int)n;
		if (n == 0) {
			hydra_err("GET %s: the server closed the connection before its reply's end of "
				  "headers", g->url);
			return -EPROTO;
		}
		have += (size_t)n;
		head[have] = '\0';
		end = memmem(head, have, "\r\n\r\n", 4);
		if (end) {
			end[2] = '\0';
			*body_at = (size_t)(end + 4 - head);
			*body_len = have - *body_at;
			return 0;
		}
		if (have == HEAD_MAX - 1) {
			hydra_err("GET %s: reply headers longer than %d bytes", g->url, HEAD_MAX);
			return -EPROTO;
		}
	}
}

/* Check the status and headers; the announced length into *CLEN, UINT64_MAX if none. */
static int check_head(struct get *g, const char *head, uint64_t *clen)
{
	const char *v;
	unsigned status;
	char *end;

	if (sscanf(head, "HTTP/1.%*1[01] %3u", &status) != 1) {
		hydra_err("GET %s: not an HTTP reply: '%.40s'", g->url, head);
		return -EPROTO;
	}
	if (status != 200) {
		hydra_err("GET %s: HTTP status %u ('%.*s')", g->url, status,
			  (int)strcspn(head, "\r\n"), head);
		return status == 404 ? -ENOENT : -EPROTO;
	}
	/* The request is HTTP/1.0, so no server may answer chunked (RFC 9112, 6.1). */
	v = header(head, "Transfer-Encoding");
	if (v && strncasecmp(v, "identity", 8)) {
		hydra_err("GET %s: unexpected Transfer-Encoding '%.*s'", g->url,
			  (int)strcspn(v, "\r\n"), v);
		return -EPROTO;
	}
	*clen = UINT64_MAX;
	v = header(head, "Content-Length");
	if (v) {
		errno = 0;
		*clen = strtoull(v, &end, 10);
		if (*v < '0' || *v > '9' || errno || (*end != '\r' && *end != ' ')) {
			hydra_err("GET %s: bad Content-Length '%.*s'", g->url,
				  (int)strcspn(v, "\r\n"), v);
			return -EPROTO;
		}
		if (*clen > g->max) {
			hydra_err("GET %s: %" PRIu64 " bytes, more than the %" PRIu64 " expected",
				  g->url, *clen, g->max);
			return -EFBIG;
		}
	}
	return 0;
}

static int take(struct get *g, const char *buf, size_t n)
{
	if (n > g->max - g->got) {
		hydra_err("GET %s: more than the %" PRIu64 " bytes expected", g->url, g->max);
		return -EFBIG;
	}
	g->got += n;
	if (g->sha && EVP_DigestUpdate(g->sha, buf, n) != 1)
		return -ENOMEM;
	return g->sink->put(g->sink, buf, n);
}

static int body(struct get *g, const char *first, size_t first_len, uint64_t clen)
{
	char buf[65536];
	int r = take(g, first, first_len);

	while (!r) {
		ssize_t n = recv_some(g, buf, sizeof(buf));

		if (n <= 0) {
			r = (int)n;
			break;
		}
		r = take(g, buf, (size_t)n);
	}
	if (!r && clen != UINT64_MAX && g->got != clen) {
		hydra_err("GET %s: %" PRIu64 " bytes received, Content-Length said %" PRIu64,
			  g->url, g->got, clen);
		r = -EPROTO;
	}
	return r;
}

static int get(const char *url, struct sink *sink, uint64_t max, unsigned timeout_s,
	       unsigned char *sha, uint64_t *len)
{
	struct get g = { .url = url, .sock = -1, .timeout_s = timeout_s ? timeout_s : 1,
			 .max = max, .sink = sink };
	struct hydra_http_url u;
	char *head = NULL, *req = NULL;
	size_t body_at = 0, body_len = 0;
	uint64_t clen;
	int r;

	if (hydra_http_url_parse(url, &u)) {
		hydra_err("'%s' is not a URL http://IPV4[:PORT]/PATH", url);
		return -EINVAL;
	}
	head = malloc(HEAD_MAX);
	/* HTTP/1.0 with Host: every server answers with the plain body, then closes. */
	req = hydra_strdupf("GET %s HTTP/1.0\r\nHost: %s:%u\r\nUser-Agent: hydra/" HYDRA_VERSION
			    "\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n",
			    u.path, u.host, u.port);
	g.sha = sha ? EVP_MD_CTX_new() : NULL;
	r = -ENOMEM;
	if (!head || !req || (sha && (!g.sha || EVP_DigestInit_ex(g.sha, EVP_sha256(), NULL) != 1)))
		goto out;
	if ((r = connect_to(&g, &u)) || (r = send_all(&g, req, strlen(req))) ||
	    (r = read_head(&g, head, &body_at, &body_len)) || (r = check_head(&g, head, &clen)) ||
	    (r = body(&g, head + body_at, body_len, clen)))
		goto out;
	if (sha && EVP_DigestFinal_ex(g.sha, sha, NULL) != 1)
		r = -ENOMEM;
	if (len)
		*len = g.got;
out:
	if (g.sock >= 0)
		close(g.sock);
	EVP_MD_CTX_free(g.sha);
	free(req);
	free(head);
	return r;
}

static int put_fd(struct sink *s, const char *buf, size_t n)
{
	int r = hydra_write_all(s->fd, buf, n);

	if (r)
		hydra_err("cannot write what was fetched: %s", strerror(-r));
	return r;
}

int hydra_http_get_fd(const char *url, int fd, uint64_t max, unsigned timeout_s,
		      unsigned char sha[32], uint64_t *len)
{
	struct sink s = { .put = put_fd, .fd = fd };

	return get(url, &s, max, timeout_s, sha, len);
}

static int put_mem(struct sink *s, const char *buf, size_t n)
{
	size_t used = s->used;

	if (used + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *p;

		while (cap < used + n + 1)
			cap *= 2;
		p = realloc(s->mem, cap);
		if (!p)
			return -ENOMEM;
		s->mem = p;
		s->cap = cap;
	}
	memcpy(s->mem + used, buf, n);
	s->used = used + n;
	s->mem[used + n] = '\0';
	return 0;
}

int hydra_http_get_mem(const char *url, size_t max, unsigned timeout_s, char **out, size_t *len)
{
	struct sink s = { .put = put_mem };
	uint64_t got = 0;
	int r;

	*out = NULL;
	r = get(url, &s, max, timeout_s, NULL, &got);
	if (!r && !s.mem)
		r = put_mem(&s, "", 0);
	if (r) {
		free(s.mem);
		return r;
	}
	*out = s.mem;
	if (len)
		*len = (size_t)got;
	return 0;
}
