/*
 * A tiny unit-test harness. Assertions print file, line, the expression and
 * both values, mark the running test failed and let it go on. Each test runs
 * in a fresh temporary directory (t_dir, also the working directory).
 * Output: "ok - NAME", "not ok - NAME", "skip - NAME: reason" lines that
 * tests/run-tests counts, one for each RUN, and last the plan "1..N".
 *
 * The plan comes last (TAP allows a trailing plan), N being the RUNs made.
 * A plan printed first would need every program to list its tests twice, or
 * in a table instead of RUN calls; printed by TESTS_END it costs nothing and
 * is as strict: a program that crashes, exits or hangs before TESTS_END
 * prints no plan, and tests/run-tests fails it for that (and for a count
 * that differs from it). So that the count does not depend on the path
 * taken, main() makes no RUN conditional: a test that cannot run SKIPs
 * inside its function, and SKIP_RUNS(reason) makes the RUNs after it print
 * a skip each instead of running.
 */
#ifndef HYDRA_HARNESS_H
#define HYDRA_HARNESS_H

#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"

static int t_failed, t_total_failed, t_runs;
static const char *t_skipped, *t_skip_runs;
static char t_dir[4096];
static char t_log[16384];

static void t_log_cb(int level, const char *msg, void *ud)
{
	size_t n = strlen(t_log);

	(void)level;
	(void)ud;
	snprintf(t_log + n, sizeof(t_log) - n, "%s\n", msg);
}

/* The path of a file under the source tree's tests/fixtures. */
static inline const char *fixture(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/tests/fixtures/%s", HYDRA_SRCDIR, name);
	return buf;
}

/* Write TEXT to PATH (relative to the test's directory), making parent directories. */
static inline int t_write(const char *path, const char *text)
{
	char dir[4096], *slash;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		hydra_mkdir_p(dir, 0755);
	}
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Run CMD with sh in the test's directory, its output appended to tools.log; the status. */
static inline int sh(const char *cmd)
{
	char full[16384];

	snprintf(full, sizeof(full), "(%s) >>tools.log 2>&1", cmd);
	return system(full);
}

/* What CMD printed on stdout, in a static buffer; *STATUS gets its exit status. */
static inline const char *sh_output(const char *cmd, int *status)
{
	static char buf[16384];
	FILE *p = popen(cmd, "r");
	size_t n = 0;

	buf[0] = '\0';
	*status = -1;
	if (!p)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	*status = pclose(p);
	return buf;
}

#define FAIL_(fmt, ...) do { \
	fprintf(stderr, "%s:%d: " fmt "\n", __FILE__, __LINE__, __VA_ARGS__); \
	t_failed = 1; \
} while (0)

#define OK(e) do { if (!(e)) FAIL_("assertion failed: %s", #e); } while (0)
#define EQ_INT(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_); \
} while (0)
#define EQ_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_)) \
		FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
} while (0)
#define CONTAINS(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) FAIL_("%s contains \"%s\": got \"%s\"", #hay, n_, h_ ? h_ : "(null)"); \
} while (0)
/* The running test is skipped, for REASON (a string that outlives the test). */
#define SKIP(reason) do { t_skipped = (reason); return; } while (0)
/* The RUNs after this print "skip - NAME: REASON" and do not run; NULL: they run again. */
#define SKIP_RUNS(reason) (t_skip_runs = (reason))

static const char *t_name = "";

static void t_run(const char *name, void (*fn)(void))
{
	char tmpl[] = "/tmp/hydra-test.XXXXXX";
	char cwd[4096];

	t_runs++;
	t_failed = 0;
	t_skipped = NULL;
	t_log[0] = '\0';
	t_name = name;
	if (t_skip_runs) {
		printf("skip - %s: %s\n", name, t_skip_runs);
		fflush(stdout);
		return;
	}
	if (!mkdtemp(tmpl) || !getcwd(cwd, sizeof(cwd)) || chdir(tmpl) < 0) {
		printf("not ok - %s: cannot make a temporary directory\n", name);
		t_total_failed++;
		return;
	}
	snprintf(t_dir, sizeof(t_dir), "%s", tmpl);
	hydra_set_log(t_log_cb, NULL);
	fn();
	if (chdir(cwd) < 0)
		t_failed = 1;
	if (t_skipped)
		printf("skip - %s: %s\n", name, t_skipped);
	else if (t_failed) {
		printf("not ok - %s\n", name);
		if (t_log[0])
			fprintf(stderr, "  log of %s:\n%s", name, t_log);
		t_total_failed++;
	} else
		printf("ok - %s\n", name);
	if (!t_failed || getenv("HYDRA_TEST_CLEAN"))
		hydra_rm_rf(tmpl);
	else
		fprintf(stderr, "  kept %s\n", tmpl);
	fflush(stdout);
}

#define RUN(fn) t_run(#fn, fn)
/* The end of main(): the plan, and the exit status. */
#define TESTS_END() do { \
	printf("1..%d\n", t_runs); \
	return t_total_failed ? 1 : 0; \
} while (0)

#endif
