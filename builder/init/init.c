/* hydra-init: find the medium, build the root from its layers, hand over to init. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "init.h"

static int debug, quiet;

void quiet_errors(int on)
{
	quiet = on;
}

void say(const char *fmt, ...)
{
	va_list ap;

	fputs("hydra-init: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void on_log(int level, const char *msg, void *ud)
{
	(void)ud;
	if ((level <= HYDRA_LOG_INFO && !quiet) || debug)
		say("%s%s", level == HYDRA_LOG_ERROR ? "error: " :
			    level == HYDRA_LOG_WARN ? "warning: " : "", msg);
}

/* A shell on the console, if the initramfs has one; 0 once it has exited. */
static int shell(void)
{
	pid_t pid;

	if (access("/bin/sh", X_OK) < 0)
		return -ENOENT;
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", NULL);
		_exit(127);
	}
	if (pid < 0)
		return -errno;
	/* What the shell leaves running is reaped later by the real init, PID 1 after us. */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return 0;
}

void rescue(const char *why)
{
	say("%s", why);
	if (access("/bin/sh", X_OK) == 0)
		say("starting a shell; the boot cannot go on from here");
	shell();
	/* PID 1 must never exit: the kernel would panic and hide the message above. */
	for (;;)
		pause();
}

static void mount_or_warn(const char *src, const char *dir, const char *type, unsigned long flags)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, flags, NULL) < 0 && errno != EBUSY)
		say("cannot mount %s on '%s': %s", type, dir, strerror(errno));
}

static void early_mounts(void)
{
	int fd;

	mount_or_warn("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
	mount_or_warn("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC);
	mount_or_warn("devtmpfs", "/dev", "devtmpfs", MS_NOSUID);
	mount_or_warn("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV);
	hydra_mkdir_p("/run/hydra", 0755);
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

static void stage(struct boot *b, const char *name)
{
	/* A look around before the stage, then on: leaving the shell goes on booting. */
	if (b->cmd.brk && !strcmp(b->cmd.brk, name)) {
		say("hydra.break: stopping before the stage '%s' as asked; leave the shell to go on",
		    name);
		if (shell())
			say("hydra.break: no shell in the initramfs: going on");
	}
	if (debug)
		say("stage %s", name);
}

int main(void)
{
	struct boot b = { 0 };
	char *text = NULL;

	early_mounts();
	hydra_set_log(on_log, NULL);
	if (hydra_read_file("/proc/cmdline", &text, NULL) < 0 || hydra_cmdline_parse(text, &b.cmd))
		rescue("cannot read the kernel command line");
	free(text);
	debug = b.cmd.debug;
	stage(&b, "modules");
	load_modules(&b);
	stage(&b, "medium");
	if (b.cmd.netboot || b.cmd.netboot_error) {
		if (netboot_medium(&b))
			rescue("netboot stopped: nothing of the payload was mounted or written to a disk");
	} else if (find_medium(&b)) {
		rescue("no medium to boot from");
	}
	/* Booting on is the operator's choice (init=/bin/sh to rescue a node); it is recorded. */
	b.as_built = hydra_cmdline_as_built(&b.cmd, b.manifest->cmdline);
	if (!b.as_built)
		say("warning: the kernel command line differs from the MANIFEST's ('%s', built with "
		    "'%s')", b.cmd.built ? b.cmd.built : "", b.manifest->cmdline);
	stage(&b, "mount");
	if (mount_root(&b) || choose_node(&b) || lay_overlays(&b))
		rescue("cannot assemble the root filesystem");
	stage(&b, "data");
	/* A netbooted node has no medium disk, so no data partition beside it. */
	if (!b.netboot)
		unlock_data(&b);
	write_boot_json(&b);
	stage(&b, "init");
	switch_root(&b);
	rescue("cannot switch to the new root");
}
