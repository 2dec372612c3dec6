/* hydra: what every part of the library shares (logging, progress, version). */
#ifndef HYDRA_H
#define HYDRA_H

#include <stdarg.h>
#include <stdint.h>

#define HYDRA_VERSION "0.1.0"

/*
 * Library functions return 0 or a negative errno; probes return 0 found,
 * 1 nothing, <0 error. The library never prints and never exits: it reports
 * through the log callback that the front-end sets.
 */
enum hydra_log_level {
	HYDRA_LOG_ERROR = 0,
	HYDRA_LOG_WARN = 1,
	HYDRA_LOG_INFO = 2,
	HYDRA_LOG_DEBUG = 3,
};

typedef void (*hydra_log_fn)(int level, const char *msg, void *ud);

void hydra_set_log(hydra_log_fn fn, void *ud);
void hydra_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void hydra_vlog(int level, const char *fmt, va_list ap);

/*
 * Log "FMT: strerror(errno)" as an error and return -errno, with errno read
 * before anything else runs: the log callback may change it.
 */
int hydra_err_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define hydra_err(...) hydra_log(HYDRA_LOG_ERROR, __VA_ARGS__)
#define hydra_warn(...) hydra_log(HYDRA_LOG_WARN, __VA_ARGS__)
#define hydra_info(...) hydra_log(HYDRA_LOG_INFO, __VA_ARGS__)
#define hydra_debug(...) hydra_log(HYDRA_LOG_DEBUG, __VA_ARGS__)

/* Non-zero return cancels the work (cryptsetup's convention). */
typedef int (*hydra_progress_fn)(uint64_t total, uint64_t done, void *ud);

#endif
