/*
 * A small HTTP GET client for netboot: plain http:// to an IPv4 address
 * (no names: hydra-init has no resolver), one request a connection, the
 * body streamed through SHA-256 as it comes. The request says HTTP/1.0
 * (with Host:), so that an HTTP/1.1 server answers with the plain body and
 * no chunked encoding, which is refused; its status line may be 1.0 or 1.1.
 */
#ifndef HYDRA_HTTP_H
#define HYDRA_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* Longest URL accepted: a payload path on a medium is far shorter. */
#define HYDRA_HTTP_URL_MAX 1024

struct hydra_http_url {
	char host[16];      /* dotted IPv4, as given */
	unsigned port;      /* 80 when not given */
	const char *path;   /* into the parsed string, starting with '/' */
};

/*
 * Pure: split URL (http://IPV4[:PORT]/PATH, PATH of printable characters
 * without spaces) into U. -EINVAL for anything else; nothing is logged.
 */
int hydra_http_url_parse(const char *url, struct hydra_http_url *u);

/* GET URL (http://IPV4[:PORT]/PATH only) into FD, streaming: at most MAX bytes (more is -EFBIG);
 * the body's length into *LEN and, when SHA is not NULL, its SHA-256 into SHA[32].
 * A status other than 200 is -ENOENT for 404, else -EPROTO, logged with the URL and status.
 * TIMEOUT_S bounds connecting and each read (-ETIMEDOUT). Content-Length, when given, must match. */
int hydra_http_get_fd(const char *url, int fd, uint64_t max, unsigned timeout_s,
		      unsigned char sha[32], uint64_t *len);
/* The same into memory: malloc'd, NUL-terminated *OUT of *LEN bytes (LEN may be NULL). */
int hydra_http_get_mem(const char *url, size_t max, unsigned timeout_s, char **out, size_t *len);

#endif
