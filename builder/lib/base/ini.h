/*
 * The INI dialect of recipes and hardware-db files:
 *   # comment         ; comment
 *   [section]
 *   key = value       (value runs to the end of the line, trimmed)
 * Lines longer than HYDRA_INI_MAX_LINE, NUL bytes and invalid UTF-8 are
 * errors; a key twice in one section and a section twice are errors.
 * Every error is logged as "FILE:LINE: message".
 */
#ifndef HYDRA_INI_H
#define HYDRA_INI_H

#include <stddef.h>

#define HYDRA_INI_MAX_LINE 4096

/*
 * Called at each section header (KEY and VALUE NULL, so an unknown section
 * is reported at its own line) and for each key; returns 0 to go on or a
 * negative errno after it has logged its own "FILE:LINE: ..." message (see
 * hydra_ini_error).
 */
typedef int (*hydra_ini_fn)(const char *section, const char *key, const char *value,
			    unsigned line, void *ud);

int hydra_ini_parse(const char *file, const char *buf, size_t len, hydra_ini_fn fn, void *ud);
/* Log "FILE:LINE: message"; returns -EINVAL for convenience. */
int hydra_ini_error(const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
