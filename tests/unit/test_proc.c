/* Long-running children (base/proc): started in their own group, stopped with all they forked. */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "base/proc.h"
#include "harness.h"

/* The pid written in FILE by a child, once it is there (up to 5 s). */
static pid_t read_pid(const char *file)
{
	for (int i = 0; i < 500; i++) {
		char *text = NULL;
		pid_t pid = 0;

		if (hydra_read_file(file, &text, NULL) == 0 && strchr(text, '\n'))
			pid = (pid_t)atoi(text);
		free(text);
		if (pid > 0)
			return pid;
		usleep(10000);
	}
	return 0;
}

/* Gone, or a zombie nobody has reaped yet: either way it runs no more. */
static int gone(pid_t pid)
{
	char path[64], *stat = NULL;
	int dead;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (hydra_read_file(path, &stat, NULL) < 0)
		return 1;
	dead = strstr(stat, ") Z ") != NULL;
	free(stat);
	return dead;
}

static void test_start_poll_stop(void)
{
	const char *argv[] = { "sh", "-c", "echo started; sleep 100 & echo $! > child; wait", NULL };
	pid_t pid = 0, child;
	int status = -1;

	EQ_INT(hydra_child_start(argv, "log", &pid), 0);
	OK(pid > 0);
	child = read_pid("child");
	OK(child > 0);
	EQ_INT(getpgid(pid), pid);
	EQ_INT(getpgid(child), pid);
	EQ_INT(hydra_child_poll(pid, &status), 0);
	EQ_INT(hydra_child_stop(pid, 2000), 0);
	/* What it forked is stopped with it. */
	for (int i = 0; i < 200 && !gone(child); i++)
		usleep(10000);
	OK(gone(child));
	EQ_INT(hydra_child_poll(pid, &status), -ECHILD);
	CONTAINS(sh_output("cat log", &status), "started");
}

static void test_poll_reaps_with_status(void)
{
	const char *argv[] = { "sh", "-c", "exit 3", NULL };
	pid_t pid = 0;
	int status = -1, r = 0;

	EQ_INT(hydra_child_start(argv, "log", &pid), 0);
	for (int i = 0; i < 500 && (r = hydra_child_poll(pid, &status)) == 0; i++)
		usleep(10000);
	EQ_INT(r, 1);
	EQ_INT(status, 3);
}

/* A child that ignores SIGTERM is killed after the grace; one started while the caller blocks SIGTERM still gets it. */
static void test_stop_kills_after_grace(void)
{
	const char *stubborn[] = { "sh", "-c", "trap '' TERM; echo $$ > ready; while :; do sleep 1; done", NULL };
	const char *plain[] = { "sleep", "100", NULL };
	sigset_t term, old;
	double t;
	pid_t pid = 0;

	EQ_INT(hydra_child_start(stubborn, "log", &pid), 0);
	OK(read_pid("ready") == pid);
	t = hydra_now();
	EQ_INT(hydra_child_stop(pid, 300), 0);
	OK(hydra_now() - t >= 0.25);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	EQ_INT(hydra_child_start(plain, "log", &pid), 0);
	t = hydra_now();
	EQ_INT(hydra_child_stop(pid, 5000), 0);
	OK(hydra_now() - t < 4);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void test_missing_tool(void)
{
	const char *argv[] = { "hydra-no-such-tool", NULL };
	pid_t pid = 0;

	EQ_INT(hydra_child_start(argv, "log", &pid), -ENOENT);
	CONTAINS(t_log, "cannot find the tool 'hydra-no-such-tool'");
}

int main(void)
{
	RUN(test_start_poll_stop);
	RUN(test_poll_reaps_with_status);
	RUN(test_stop_kills_after_grace);
	RUN(test_missing_tool);
	TESTS_END();
}
