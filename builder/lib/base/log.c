/* The library's one way to speak: a callback the front-end owns. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/hydra.h"

static hydra_log_fn log_fn;
static void *log_ud;

void hydra_set_log(hydra_log_fn fn, void *ud)
{
	log_fn = fn;
	log_ud = ud;
}

void hydra_vlog(int level, const char *fmt, va_list ap)
{
	char msg[4096];

	if (!log_fn)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_fn(level, msg, log_ud);
}

int hydra_err_errno(const char *fmt, ...)
{
	int e = errno;
	char what[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	hydra_log(HYDRA_LOG_ERROR, "%s: %s", what, strerror(e));
	return -e;
}

void hydra_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hydra_vlog(level, fmt, ap);
	va_end(ap);
}
