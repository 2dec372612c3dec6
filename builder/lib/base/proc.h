/*
 * Servers a command keeps running while it waits (hydra_spawn runs a tool
 * and waits for it): each child leads its own process group, so that
 * stopping it stops what it forked too (busybox httpd forks a process a
 * connection).
 */
#ifndef HYDRA_PROC_H
#define HYDRA_PROC_H

#include <sys/types.h>

/*
 * Start ARGV (argv[0] looked up in PATH, a missing tool named with its
 * Debian package) in a new process group, stdin from /dev/null, stdout and
 * stderr appended to LOGFILE, with no signal blocked or ignored whatever
 * the caller blocks. *PID is its id and its group's.
 */
int hydra_child_start(const char *const argv[], const char *logfile, pid_t *pid);
/*
 * 0 while PID runs; 1 once it has ended, then reaped, *STATUS as
 * hydra_run's (exit status, 128+signal); <0 on error.
 */
int hydra_child_poll(pid_t pid, int *status);
/*
 * Stop PID's process group: SIGTERM, then SIGKILL after GRACE_MS, and reap
 * PID. The group gets SIGKILL before PID is reaped, while its id cannot be
 * taken by another process, so that nothing it forked outlives it.
 */
int hydra_child_stop(pid_t pid, unsigned grace_ms);

#endif
