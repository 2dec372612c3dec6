/* The HTTP GET client, against a responder forked on 127.0.0.1 that answers by path. */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "base/http.h"

#define BIG 300000

static pid_t server_pid;
static unsigned server_port;
static char big[BIG];

static void reply(int c, const char *text)
{
	hydra_write_all(c, text, strlen(text));
}

/* One connection: read the request head, answer by its path, close. */
static void serve_one(int c)
{
	char req[8192], head[256], path[256] = "";
	size_t n = 0;

	while (n < sizeof(req) - 1 && !memmem(req, n, "\r\n\r\n", 4)) {
		ssize_t r = read(c, req + n, sizeof(req) - 1 - n);

		if (r <= 0)
			return;
		n += (size_t)r;
	}
	req[n] = '\0';
	sscanf(req, "GET %255s", path);
	if (!strcmp(path, "/big")) {
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BIG);
		reply(c, head);
		hydra_write_all(c, big, BIG);
	} else if (!strcmp(path, "/nolen")) {
		reply(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n");
		hydra_write_all(c, big, BIG);
	} else if (!strcmp(path, "/echo")) {
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\ncontent-length:  %zu\r\n\r\n", n);
		reply(c, head);
		hydra_write_all(c, req, n);
	} else if (!strcmp(path, "/empty")) {
		reply(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	} else if (!strcmp(path, "/short")) {
		reply(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n49 bytes of 100, then the server hangs up........");
	} else if (!strcmp(path, "/long")) {
		reply(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfive and more");
	} else if (!strcmp(path, "/chunked")) {
		reply(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
	} else if (!strcmp(path, "/error")) {
		reply(c, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
	} else if (!strcmp(path, "/junk")) {
		reply(c, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
	} else if (!strcmp(path, "/silent")) {
		sleep(2);
	} else {
		reply(c, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found");
	}
}

static void start_server(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	for (size_t i = 0; i < BIG; i++)
		big[i] = (char)('a' + i * 7 % 26);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&sa, &len) < 0) {
		perror("test server");
		exit(1);
	}
	server_port = ntohs(sa.sin_port);
	server_pid = fork();
	if (server_pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		for (;;) {
			int c = accept(s, NULL, NULL);

			if (c < 0)
				continue;
			if (fork() == 0) {
				serve_one(c);
				_exit(0);
			}
			close(c);
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		}
	}
	close(s);
}

static const char *url(const char *path)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "http://127.0.0.1:%u%s", server_port, path);
	return buf;
}

static void test_url_parse(void)
{
	struct hydra_http_url u;

	EQ_INT(hydra_http_url_parse("http://10.0.0.1:8080/a/b/", &u), 0);
	EQ_STR(u.host, "10.0.0.1");
	EQ_INT(u.port, 8080);
	EQ_STR(u.path, "/a/b/");
	EQ_INT(hydra_http_url_parse("http://192.168.1.20/", &u), 0);
	EQ_INT(u.port, 80);
	EQ_STR(u.path, "/");
	EQ_INT(hydra_http_url_parse("https://10.0.0.1/", &u), -EINVAL);
	EQ_INT(hydra_http_url_parse("http://neighbour/", &u), -EINVAL);
	EQ_INT(hydra_http_url_parse("http://10.0.0.1", &u), -EINVAL);
	EQ_INT(hydra_http_url_parse("http://10.1/", &u), -EINVAL);
	EQ_INT(hydra_http_url_parse("http://10.0.0.1:/", &u), -EINVAL);
	EQ_INT(hydra_http_url_parse("http://10.0.0.1:0/", &u), -EINVAL);
	EQ_INT(hydra_http_url_parse("http://10.0.0.1:65536/", &u), -EINVAL);
	EQ_INT(hydra_http_url_parse("http://10.0.0.1:80x/", &u), -EINVAL);
	EQ_INT(hydra_http_url_parse("http://10.0.0.1/a b", &u), -EINVAL);
	EQ_INT(hydra_http_url_parse("http://10.0.0.1/a\r\nX: y", &u), -EINVAL);
	EQ_INT(hydra_http_url_parse("http://[::1]/", &u), -EINVAL);
}

static void test_big_to_fd(void)
{
	unsigned char sha[32], want[32];
	uint64_t len = 0;
	int fd = open("got", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char *back = NULL;
	size_t blen = 0;

	EQ_INT(hydra_http_get_fd(url("/big"), fd, BIG, 5, sha, &len), 0);
	EQ_INT(len, BIG);
	hydra_sha256_buf(big, BIG, want);
	OK(!memcmp(sha, want, 32));
	close(fd);
	EQ_INT(hydra_read_file("got", &back, &blen), 0);
	EQ_INT(blen, BIG);
	OK(back && !memcmp(back, big, BIG));
	free(back);
	/* Without Content-Length the body ends when the server closes. */
	fd = open("got2", O_RDWR | O_CREAT | O_TRUNC, 0644);
	EQ_INT(hydra_http_get_fd(url("/nolen"), fd, BIG + 1, 5, sha, &len), 0);
	EQ_INT(len, BIG);
	OK(!memcmp(sha, want, 32));
	close(fd);
}

/* A body that differs by one byte has another hash: what the caller compares with its MANIFEST. */
static void test_hash_differs(void)
{
	unsigned char sha[32], want[32];
	uint64_t len = 0;
	int fd = open("got", O_RDWR | O_CREAT | O_TRUNC, 0644);

	big[BIG / 2] ^= 1;
	hydra_sha256_buf(big, BIG, want);
	big[BIG / 2] ^= 1;
	EQ_INT(hydra_http_get_fd(url("/big"), fd, BIG, 5, sha, &len), 0);
	EQ_INT(len, BIG);
	OK(memcmp(sha, want, 32) != 0);
	close(fd);
}

static void test_over_max(void)
{
	uint64_t len = 0;
	int fd = open("got", O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct stat st;

	/* Announced too large: refused before the body is read. */
	EQ_INT(hydra_http_get_fd(url("/big"), fd, BIG - 1, 5, NULL, &len), -EFBIG);
	CONTAINS(t_log, "300000 bytes, more than the 299999 expected");
	EQ_INT(fstat(fd, &st), 0);
	EQ_INT(st.st_size, 0);
	/* Not announced: stopped at MAX. */
	EQ_INT(hydra_http_get_fd(url("/nolen"), fd, 1000, 5, NULL, &len), -EFBIG);
	CONTAINS(t_log, "more than the 1000 bytes expected");
	EQ_INT(fstat(fd, &st), 0);
	OK(st.st_size <= 1000);
	close(fd);
}

static void test_statuses(void)
{
	char *out = (char *)"x";
	size_t len = 7;

	EQ_INT(hydra_http_get_mem(url("/nothing/here"), 4096, 5, &out, &len), -ENOENT);
	OK(out == NULL);
	CONTAINS(t_log, "/nothing/here: HTTP status 404 ('HTTP/1.1 404 Not Found')");
	EQ_INT(hydra_http_get_mem(url("/error"), 4096, 5, &out, &len), -EPROTO);
	CONTAINS(t_log, "/error: HTTP status 500");
	EQ_INT(hydra_http_get_mem(url("/junk"), 4096, 5, &out, &len), -EPROTO);
	CONTAINS(t_log, "not an HTTP reply");
	EQ_INT(hydra_http_get_mem(url("/chunked"), 4096, 5, &out, &len), -EPROTO);
	CONTAINS(t_log, "unexpected Transfer-Encoding 'chunked'");
}

static void test_lengths(void)
{
	char *out = NULL;
	size_t len = 7;

	/* The server hangs up early: a short body is an error, not a file. */
	EQ_INT(hydra_http_get_mem(url("/short"), 4096, 5, &out, &len), -EPROTO);
	CONTAINS(t_log, "49 bytes received, Content-Length said 100");
	EQ_INT(hydra_http_get_mem(url("/long"), 4096, 5, &out, &len), -EPROTO);
	CONTAINS(t_log, "13 bytes received, Content-Length said 5");
	EQ_INT(hydra_http_get_mem(url("/empty"), 4096, 5, &out, &len), 0);
	EQ_INT(len, 0);
	EQ_STR(out, "");
	free(out);
}

static void test_request(void)
{
	char *out = NULL, host[64];
	size_t len = 0;

	EQ_INT(hydra_http_get_mem(url("/echo"), 4096, 5, &out, NULL), 0);
	free(out);
	EQ_INT(hydra_http_get_mem(url("/echo"), 4096, 5, &out, &len), 0);
	EQ_INT(strlen(out), len);
	snprintf(host, sizeof(host), "\r\nHost: 127.0.0.1:%u\r\n", server_port);
	OK(!strncmp(out, "GET /echo HTTP/1.0\r\n", 20));
	CONTAINS(out, host);
	free(out);
}

static void test_timeout_and_refused(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof(sa);
	char *out = NULL, refused[64];
	double t0 = hydra_now();
	int s;

	EQ_INT(hydra_http_get_mem(url("/silent"), 4096, 1, &out, NULL), -ETIMEDOUT);
	OK(hydra_now() - t0 < 4);
	CONTAINS(t_log, "no answer within 1 s");
	/* A port nothing listens on: bound, never listening. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	OK(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	   getsockname(s, (struct sockaddr *)&sa, &slen) == 0);
	snprintf(refused, sizeof(refused), "http://127.0.0.1:%u/x", ntohs(sa.sin_port));
	EQ_INT(hydra_http_get_mem(refused, 4096, 2, &out, NULL), -ECONNREFUSED);
	CONTAINS(t_log, "cannot connect to 127.0.0.1");
	close(s);
	EQ_INT(hydra_http_get_mem("http://localhost/x", 4096, 2, &out, NULL), -EINVAL);
}

int main(void)
{
	start_server();
	RUN(test_url_parse);
	RUN(test_big_to_fd);
	RUN(test_hash_differs);
	RUN(test_over_max);
	RUN(test_statuses);
	RUN(test_lengths);
	RUN(test_request);
	RUN(test_timeout_and_refused);
	kill(server_pid, SIGKILL);
	waitpid(server_pid, NULL, 0);
	TESTS_END();
}
