/* Long-running children, each leading its own process group. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/proc.h"
#include "base/util.h"

/* In the child: its own group, default signals, output to the log; then exec. */
static void child_exec(const char *const argv[], int logfd)
{
	int null = open("/dev/null", O_RDONLY);
	sigset_t none;

	setpgid(0, 0);
	/* A blocked or ignored signal survives exec: the caller may block SIGTERM to wait for it. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	if (null >= 0)
		dup2(null, STDIN_FILENO);
	dup2(logfd, STDOUT_FILENO);
	dup2(logfd, STDERR_FILENO);
	execvp(argv[0], (char *const *)argv);
	dprintf(STDERR_FILENO, "cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

int hydra_child_start(const char *const argv[], const char *logfile, pid_t *pid)
{
	int logfd, r = 0;

	if (hydra_tool_require(argv[0]) < 0)
		return -ENOENT;
	logfd = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0)
		return hydra_err_errno("cannot open '%s'", logfile);
	*pid = fork();
	if (*pid < 0)
		r = hydra_err_errno("cannot start '%s'", argv[0]);
	else if (*pid == 0)
		child_exec(argv, logfd);
	else
		setpgid(*pid, *pid);    /* also here: the group exists before a stop can name it */
	close(logfd);
	return r;
}

static int exit_status(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int hydra_child_poll(pid_t pid, int *status)
{
	int st;
	pid_t r;

	while ((r = waitpid(pid, &st, WNOHANG)) < 0)
		if (errno != EINTR)
			return -errno;
	if (r == 0)
		return 0;
	*status = exit_status(st);
	return 1;
}

/* 1 once PID has ended (not reaped), 0 while it runs, <0 on error. */
static int has_ended(pid_t pid)
{
	siginfo_t si = { 0 };

	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		if (errno != EINTR)
			return -errno;
	return si.si_pid == pid;
}

int hydra_child_stop(pid_t pid, unsigned grace_ms)
{
	double end = hydra_now() + grace_ms / 1000.0;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int r, st, killed = 0;

	kill(-pid, SIGTERM);
	while ((r = has_ended(pid)) == 0) {
		if (!killed && hydra_now() >= end) {
			kill(-pid, SIGKILL);
			killed = 1;
		}
		nanosleep(&tick, NULL);
	}
	if (r < 0)
		return r;
	kill(-pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}
