/* Passphrases from a terminal: echo off while typing, wiped on every path out. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/util.h"
#include "node/askpass.h"
#include "node/crypt.h"

static int read_line(int fd, char *buf, size_t size, size_t *len)
{
	size_t n = 0;
	char c;
	ssize_t k;

	while ((k = read(fd, &c, 1)) == 1 || (k < 0 && errno == EINTR)) {
		if (k < 0)
			continue;
		if (c == '\n' || c == '\r')
			break;
		if (n + 1 < size)
			buf[n++] = c;
	}
	buf[n] = '\0';
	*len = n;
	return k == 0 && n == 0 ? -ENODATA : k < 0 ? -errno : 0;
}

int hydra_askpass(int fd, const char *prompt, char **out, size_t *len)
{
	struct termios old, quiet;
	int tty = tcgetattr(fd, &old) == 0, r;
	char *buf = calloc(1, HYDRA_PASS_MAX);

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	/*
	 * Echo goes off before the prompt shows, so nothing typed after it is
	 * echoed; TCSANOW, not TCSAFLUSH, so that nothing typed is thrown away.
	 */
	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
		quiet.c_lflag |= ICANON;
		tcsetattr(fd, TCSANOW, &quiet);
	}
	hydra_write_all(fd, prompt, strlen(prompt));
	r = read_line(fd, buf, HYDRA_PASS_MAX, len);
	if (tty) {
		tcsetattr(fd, TCSANOW, &old);
		hydra_write_all(fd, "\n", 1);
	}
	if (r) {
		hydra_key_free(buf, HYDRA_PASS_MAX);
		return r;
	}
	*out = buf;
	return 0;
}
