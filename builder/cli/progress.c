/* Progress on stderr: a redrawn line on a terminal, JSON lines for programs. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/util.h"
#include "progress.h"

int cli_progress_parse(const char *s, enum cli_progress_mode *mode)
{
	if (!strcmp(s, "auto"))
		*mode = PROGRESS_AUTO;
	else if (!strcmp(s, "none"))
		*mode = PROGRESS_NONE;
	else if (!strcmp(s, "json"))
		*mode = PROGRESS_JSON;
	else
		return -EINVAL;
	return 0;
}

void cli_progress_init(struct cli_progress *p, enum cli_progress_mode mode, const char *what)
{
	memset(p, 0, sizeof(*p));
	p->out = stderr;
	p->what = what;
	p->mode = p->asked = mode;
	if (mode == PROGRESS_AUTO && !isatty(fileno(p->out)))
		p->mode = PROGRESS_NONE;
}

static void emit_json(struct cli_progress *p, uint64_t total, uint64_t done, double rate,
		      double eta)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "stage", json_object_new_string(p->what));
	json_object_object_add(o, "total", json_object_new_int64((int64_t)total));
	json_object_object_add(o, "done", json_object_new_int64((int64_t)done));
	json_object_object_add(o, "bytes_per_second", json_object_new_int64((int64_t)rate));
	json_object_object_add(o, "eta_seconds", json_object_new_int64((int64_t)eta));
	fprintf(p->out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(p->out);
	json_object_put(o);
}

static void draw_line(struct cli_progress *p, uint64_t total, uint64_t done, double rate,
		      double eta)
{
	char d[32], t[32], r[32];
	unsigned pct = total ? (unsigned)(done * 100 / total) : 0;

	hydra_format_size(done, d, sizeof(d));
	hydra_format_size(total, t, sizeof(t));
	hydra_format_size((uint64_t)rate, r, sizeof(r));
	fprintf(p->out, "\r%s: %3u%% %s of %s, %s/s, %.0f s left  ", p->what, pct, d, t, r, eta);
	fflush(p->out);
	p->drawn = 1;
}

int cli_progress_cb(uint64_t total, uint64_t done, void *ud)
{
	struct cli_progress *p = ud;
	double t = hydra_now(), elapsed, rate, eta;

	if (!p || p->mode == PROGRESS_NONE)
		return 0;
	if (!p->start)
		p->start = t;
	/* Redraw at most ten times a second, but always show the end. */
	if (done < total && t - p->last_draw < 0.1)
		return 0;
	p->last_draw = t;
	elapsed = t - p->start;
	rate = elapsed > 0 ? (double)done / elapsed : 0;
	eta = rate > 0 && total > done ? (double)(total - done) / rate : 0;
	if (p->mode == PROGRESS_JSON)
		emit_json(p, total, done, rate, eta);
	else
		draw_line(p, total, done, rate, eta);
	return 0;
}

void cli_progress_done(struct cli_progress *p)
{
	if (p->drawn)
		fputc('\n', p->out);
	p->drawn = 0;
}

void cli_progress_phase(struct cli_progress *p, const char *phase, double seconds,
			const char *text, const char *const fields[])
{
	struct json_object *o;
	char secs[32];

	if (p->asked == PROGRESS_NONE)
		return;
	if (p->asked != PROGRESS_JSON) {
		fprintf(p->out, "[%7.1f s] %s\n", seconds, text);
		fflush(p->out);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "stage", json_object_new_string(p->what));
	json_object_object_add(o, "phase", json_object_new_string(phase));
	snprintf(secs, sizeof(secs), "%.3f", seconds);
	json_object_object_add(o, "seconds", json_object_new_double_s(seconds, secs));
	json_object_object_add(o, "message", json_object_new_string(text));
	for (size_t i = 0; fields && fields[i] && fields[i + 1]; i += 2)
		if (fields[i + 1][0])
			json_object_object_add(o, fields[i], json_object_new_string(fields[i + 1]));
	fprintf(p->out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(p->out);
	json_object_put(o);
}
