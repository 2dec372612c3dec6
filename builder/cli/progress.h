/*
 * Progress of long work, for people and for programs: a line redrawn on
 * stderr when it is a terminal (bytes, rate, ETA), or one JSON object a line
 * with --progress=json. Pass cli_progress_cb and a struct cli_progress as
 * the library's hydra_progress_fn and its user data.
 */
#ifndef HYDRA_CLI_PROGRESS_H
#define HYDRA_CLI_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

enum cli_progress_mode {
	PROGRESS_AUTO = 0,   /* a bar when stderr is a terminal, else nothing */
	PROGRESS_NONE,
	PROGRESS_JSON,
};

struct cli_progress {
	enum cli_progress_mode mode;
	enum cli_progress_mode asked;   /* the mode given, before auto is settled */
	const char *what;      /* "copying", "verifying", ... */
	FILE *out;             /* stderr when NULL */
	double start;          /* set on the first call */
	double last_draw;
	int drawn;
};

/* "auto", "none" or "json" (--progress=MODE); -EINVAL otherwise. */
int cli_progress_parse(const char *s, enum cli_progress_mode *mode);
void cli_progress_init(struct cli_progress *p, enum cli_progress_mode mode, const char *what);
int cli_progress_cb(uint64_t total, uint64_t done, void *ud);
/* End the line drawn on a terminal. */
void cli_progress_done(struct cli_progress *p);
/*
 * A phase of work that is not counted in bytes (regenerate's): with auto a
 * line "[SECONDS s] TEXT", terminal or not, since nothing is redrawn; with
 * json an object with stage, phase, seconds, message and FIELDS (name,
 * value pairs ending with NULL; empty values left out); nothing with none.
 */
void cli_progress_phase(struct cli_progress *p, const char *phase, double seconds,
			const char *text, const char *const fields[]);

#endif
