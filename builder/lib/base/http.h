/* HTTP GET, the little a netbooted node needs from its neighbour's server. */
#ifndef HYDRA_HTTP_H
#define HYDRA_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* GET URL (http://IPV4[:PORT]/PATH only) into FD, streaming: at most MAX bytes (more is -EFBIG);
 * the body's length into *LEN and, when SHA is not NULL, its SHA-256 into SHA[32].
 * A status other than 200 is -ENOENT for 404, else -EPROTO, logged with the URL and status.
 * TIMEOUT_S bounds connecting and each read (-ETIMEDOUT). Content-Length, when given, must match. */
int hydra_http_get_fd(const char *url, int fd, uint64_t max, unsigned timeout_s,
		      unsigned char sha[32], uint64_t *len);
/* The same into memory: malloc'd, NUL-terminated *OUT of *LEN bytes (LEN may be NULL). */
int hydra_http_get_mem(const char *url, size_t max, unsigned timeout_s, char **out, size_t *len);

#endif
