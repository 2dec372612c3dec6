/*
 * Netboot armed: the lock, the run directory, dnsmasq and busybox httpd as
 * children, what their logs say while the neighbour waits, and the disarm
 * that undoes all of it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/proc.h"
#include "base/util.h"
#include "fleet/firewall.h"
#include "fleet/netboot.h"
#include "fleet/netif.h"
#include "fleet/ra.h"
#include "fleet/replica.h"
#include "format/layout.h"
#include "medium/sign.h"

/* How long a server may take to listen, and to stop before SIGKILL. */
#define START_SECONDS 5.0
#define STOP_GRACE_MS 2000
/* How often serving answers router solicitations, looks at the logs, the servers and the clock. */
#define TICK_NS (250 * 1000 * 1000L)

/* A log a server appends to, read line by line as it grows. */
struct tail {
	int fd;
	size_t len;
	char buf[1024];
};

struct hydra_netboot {
	char node[HYDRA_NODE_NAME_MAX + 1];
	char ifname[32], addr[16];
	unsigned prefix, port;
	int lock_fd, addr_added, link_raised;
	struct hydra_firewall fw;
	struct hydra_ra ra;
	char *lock, *rundir, *tftp;
	char user[80];             /* the HTTP server's: nobody, or NODE's replica user */
	pid_t dnsmasq, httpd;
	char detail[256];
	char token[HYDRA_INSTALL_TOKEN_HEX + 1];
	char *done_file;           /* --data: REPLICA/regenerated-TOKEN, which NODE's key puts there */
	uid_t replica_uid;
	int done;                  /* --data none: regenerated-TOKEN was fetched */
	unsigned replica_files, replica_fetched;
	uint64_t replica_bytes;
	double t0;
	hydra_netboot_event_fn fn;
	void *ud;
	struct tail dlog, hlog;
	struct hydra_httpd_log http;
};

static void emit(struct hydra_netboot *nb, struct hydra_netboot_event *ev)
{
	ev->seconds = hydra_now() - nb->t0;
	if (nb->fn)
		nb->fn(ev, nb->ud);
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* RUNDIR/NAME, malloc'd. */
static char *run_path(const struct hydra_netboot *nb, const char *name)
{
	return hydra_strdupf("%s/%s", nb->rundir, name);
}

/*
 * One regenerate of a node at a time: flock on NODE.lock, holding our pid
 * for the message the next one gets. Disarm removes the file while it
 * still holds the lock, so a waiter that got the lock of a removed file
 * takes the new one instead.
 */
static int take_lock(struct hydra_netboot *nb)
{
	struct stat a, b;
	char holder[32] = "";
	int fd, r;

	nb->lock = hydra_strdupf(HYDRA_NETBOOT_RUN "/%s.lock", nb->node);
	if (!nb->lock)
		return -ENOMEM;
	r = hydra_mkdir_p(HYDRA_NETBOOT_RUN, 0755);
	if (r < 0) {
		hydra_err("cannot make '%s': %s", HYDRA_NETBOOT_RUN, strerror(-r));
		return r;
	}
	for (;;) {
		fd = open(nb->lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			return hydra_err_errno("cannot open '%s'", nb->lock);
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno != EWOULDBLOCK)
				return hydra_err_errno("cannot lock '%s'", nb->lock);
			if (read(fd, holder, sizeof(holder) - 1) > 0)
				holder[strcspn(holder, "\n")] = '\0';
			close(fd);
			hydra_err("'hydra regenerate %s' is running already (pid %s): one at a time",
				  nb->node, holder[0] ? holder : "unknown");
			return -EBUSY;
		}
		if (fstat(fd, &a) == 0 && stat(nb->lock, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			break;
		close(fd);
	}
	nb->lock_fd = fd;
	if (ftruncate(fd, 0) < 0 || dprintf(fd, "%d\n", (int)getpid()) < 0)
		hydra_warn("cannot write our pid into '%s'", nb->lock);
	return 0;
}

static void release_lock(struct hydra_netboot *nb)
{
	if (nb->lock_fd < 0)
		return;
	unlink(nb->lock);
	close(nb->lock_fd);
	nb->lock_fd = -1;
}

/* HTTP/PATH, a link to MEDIUM/PATH (busybox httpd follows links to files; no folder is linked). */
static int link_served(const char *http, const char *medium, const char *path)
{
	char *to = hydra_path_join(medium, path), *at = hydra_path_join(http, path);
	int r = to && at ? hydra_mkdir_parent(at) : -ENOMEM;

	if (!r && symlink(to, at) < 0)
		r = hydra_err_errno("cannot link '%s'", at);
	free(to);
	free(at);
	return r;
}

/* replica.list: "SIZE PATH" for each file of the repository, what the node fetches. */
struct list_walk {
	FILE *f;
	unsigned files;
};

static int on_replica_file(const char *full, const char *rel, const struct stat *st, void *ud)
{
	struct list_walk *w = ud;

	(void)full;
	if (!S_ISREG(st->st_mode) || !strncmp(rel, HYDRA_INSTALL_DONE_PREFIX,
					      strlen(HYDRA_INSTALL_DONE_PREFIX)))
		return 0;
	w->files++;
	return fprintf(w->f, "%llu %s\n", (unsigned long long)st->st_size, rel) < 0 ? -EIO : 0;
}

/*
 * The replica, read-only: HTTP/replica links to NODE's repository, which
 * only NODE's user may read, and the server runs as that user (start_httpd).
 * What it serves is what this node keeps: ciphertext it cannot read either.
 */
static int serve_replica(const struct hydra_netboot_plan *p, const char *http, unsigned *files)
{
	char *at = hydra_path_join(http, HYDRA_INSTALL_REPLICA_DIR);
	char *list = hydra_path_join(http, HYDRA_INSTALL_REPLICA_LIST), *text = NULL;
	size_t len = 0;
	struct list_walk w = { .f = open_memstream(&text, &len) };
	int r = at && list && w.f ? 0 : -ENOMEM;

	if (!r && symlink(p->replica, at) < 0)
		r = hydra_err_errno("cannot link '%s'", at);
	if (!r)
		r = hydra_walk(p->replica, on_replica_file, &w);
	if (w.f && fclose(w.f) != 0 && !r)
		r = -ENOMEM;
	if (!r)
		r = hydra_write_file_atomic(list, text, len, 0644);
	*files = w.files;
	if (r)
		hydra_err("cannot list the replica of %s in '%s': %s", p->node, p->replica,
			  strerror(-r));
	free(at);
	free(list);
	free(text);
	return r;
}

/* An empty file the node fetches to say something: NAME is PREFIX TOKEN SUFFIX. */
static int serve_empty(const char *http, const char *prefix, const char *token, const char *suffix)
{
	char *path = hydra_strdupf("%s/%s%s%s", http, prefix, token, suffix);
	int r = path ? hydra_write_file_atomic(path, "", 0, 0644) : -ENOMEM;

	free(path);
	return r;
}

/*
 * The node's steps, /step-TOKEN-written and -restored, and, with --data
 * none, /regenerated-TOKEN when it is done (httpd_line reads the fetches).
 */
static int serve_node_reports(const struct hydra_netboot_plan *p, const char *http)
{
	int r = serve_empty(http, HYDRA_INSTALL_STEP_PREFIX, p->token, "-" HYDRA_INSTALL_STEP_WRITTEN);

	if (!r)
		r = serve_empty(http, HYDRA_INSTALL_STEP_PREFIX, p->token,
				"-" HYDRA_INSTALL_STEP_RESTORED);
	if (!r && !p->replica)
		r = serve_empty(http, HYDRA_INSTALL_DONE_PREFIX, p->token, "");
	return r;
}

/* The files served over HTTP, boot.ipxe aside: the payload, the MANIFEST and its signature. */
static int fill_http(struct hydra_netboot *nb, const struct hydra_netboot_plan *p,
		     const char *http)
{
	const struct hydra_manifest *m = p->manifest;
	char medium[PATH_MAX];
	int r = realpath(p->medium, medium) ? 0 : hydra_err_errno("cannot resolve '%s'", p->medium);

	for (size_t i = 0; !r && i < m->n_files; i++)
		r = link_served(http, medium, m->files[i].path);
	if (!r)
		r = link_served(http, medium, HYDRA_MANIFEST_PATH);
	if (!r && p->signed_manifest)
		r = link_served(http, medium, HYDRA_SIGNATURE_PATH);
	if (!r && p->replica)
		r = serve_replica(p, http, &nb->replica_files);
	if (!r)
		r = serve_node_reports(p, http);
	return r;
}

/* boot.ipxe names the HTTP server's address and port: written once the port is chosen. */
static int write_script(const struct hydra_netboot *nb, const struct hydra_netboot_plan *p)
{
	char *url = hydra_strdupf("http://%s:%u/", nb->addr, nb->port);
	char *orders = hydra_strdupf("hydra.netboot.from=%s hydra.netboot.token=%s "
				     "hydra.netboot.data=%s%s%s%s", p->holder, p->token,
				     p->replica ? "replica" : "none", p->disk[0] ? " hydra.netboot.disk=" : "",
				     p->disk, p->force ? " hydra.netboot.force" : "");
	char *script = url && orders ? hydra_pxe_boot_script(p->manifest, nb->node, url, orders)
				     : NULL;
	char *path = hydra_strdupf("%s/http/" HYDRA_NETBOOT_SCRIPT, nb->rundir);
	int r = script && path ? hydra_write_file_atomic(path, script, strlen(script), 0644) : -ENOMEM;

	if (r)
		hydra_err("cannot write '%s': %s", path ? path : HYDRA_NETBOOT_SCRIPT, strerror(-r));
	free(url);
	free(orders);
	free(script);
	free(path);
	return r;
}

/* The TFTP root: copies of Debian's iPXE builds, nothing else. */
static int fill_tftp(const char *tftp)
{
	static const char *const names[] = { HYDRA_IPXE_BIOS, HYDRA_IPXE_EFI };
	int r = 0;

	for (size_t i = 0; !r && i < 2; i++) {
		char *from = hydra_path_join(HYDRA_IPXE_DIR, names[i]);
		char *to = hydra_path_join(tftp, names[i]);

		r = from && to ? hydra_copy_file(from, to) : -ENOMEM;
		if (!r)
			r = chmod(to, 0644) < 0 ? -errno : 0;
		if (r)
			hydra_err("cannot copy '%s' into '%s': %s", from, tftp, strerror(-r));
		free(from);
		free(to);
	}
	return r;
}

/* 1 when process PID's command line names DIR/: a server of that run directory. */
static int serves_from(pid_t pid, const char *dir)
{
	char *path = hydra_strdupf("/proc/%d/cmdline", (int)pid), *cmd = NULL, *want;
	size_t len = 0;
	int r = 0;

	want = hydra_strdupf("%s/", dir);
	if (path && want && hydra_read_file(path, &cmd, &len) == 0)
		r = memmem(cmd, len, want, strlen(want)) != NULL;
	free(path);
	free(want);
	free(cmd);
	return r;
}

/*
 * A regenerate killed with SIGKILL cannot disarm, and its servers, which
 * run as nobody by then, outlive it, still answering the node. The next
 * regenerate of the node, holding the lock, stops them: their pids are in
 * the run directory, and a pid counts only while its command line still
 * names that directory.
 */
static void stop_stale(struct hydra_netboot *nb)
{
	static const char *const pidfiles[] = { "dnsmasq.pid", "httpd.pid" };

	for (size_t i = 0; i < sizeof(pidfiles) / sizeof(pidfiles[0]); i++) {
		char *path = run_path(nb, pidfiles[i]), *text = NULL;
		pid_t pid = 0;

		if (path && hydra_read_file(path, &text, NULL) == 0)
			pid = (pid_t)strtol(text, NULL, 10);
		if (pid > 1 && serves_from(pid, nb->rundir)) {
			hydra_warn("stopping pid %d, a server left by a regenerate of %s that did not "
				   "disarm", (int)pid, nb->node);
			kill(-pid, SIGTERM);
			for (int t = 0; t < 40 && kill(pid, 0) == 0 && serves_from(pid, nb->rundir); t++)
				sleep_ms(50);
			kill(-pid, SIGKILL);
		}
		free(path);
		free(text);
	}
}

/*
 * The run directory, made anew: what a regenerate killed before its disarm
 * left there is stale, and no other one uses it while we hold the lock.
 */
static int make_rundir(struct hydra_netboot *nb, const struct hydra_netboot_plan *p)
{
	char *tftp, *http, *conf;
	int r;

	nb->rundir = hydra_strdupf(HYDRA_NETBOOT_RUN "/%s", nb->node);
	if (!nb->rundir)
		return -ENOMEM;
	tftp = run_path(nb, "tftp");
	http = run_path(nb, "http");
	conf = run_path(nb, "httpd.conf");
	r = tftp && http && conf ? 0 : -ENOMEM;
	if (!r) {
		stop_stale(nb);
		r = hydra_rm_rf(nb->rundir);
	}
	if (!r && (mkdir(nb->rundir, 0755) < 0 || mkdir(tftp, 0755) < 0 || mkdir(http, 0755) < 0))
		r = hydra_err_errno("cannot make the run directory '%s'", nb->rundir);
	if (!r)
		r = fill_tftp(tftp);
	if (!r)
		r = fill_http(nb, p, http);
	/* An empty configuration of its own: busybox httpd reads /etc/httpd.conf otherwise. */
	if (!r)
		r = hydra_write_file_atomic(conf, "", 0, 0644);
	free(tftp);
	free(http);
	free(conf);
	return r;
}

/* In a child that is nobody now: open every served file; the first that fails goes to FD. */
static void probe_child(const struct passwd *pw, const char *http, const char *const *paths,
			size_t n, int fd)
{
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		_exit(2);
	for (size_t i = 0; i < n; i++) {
		char full[PATH_MAX];
		int f;

		snprintf(full, sizeof(full), "%s/%s", http, paths[i]);
		f = open(full, O_RDONLY | O_CLOEXEC);
		if (f < 0) {
			if (write(fd, paths[i], strlen(paths[i])) < 0)
				_exit(2);
			_exit(1);
		}
		close(f);
	}
	_exit(0);
}

/*
 * busybox httpd drops to its user once it listens, so every served file
 * must be readable as that user, or the node would get 403s half way
 * through its boot: a child that becomes the user opens each one first.
 */
static int readable_as_user(const struct hydra_netboot *nb, const struct hydra_netboot_plan *p)
{
	const struct hydra_manifest *m = p->manifest;
	const char **paths = calloc(m->n_files + 3, sizeof(*paths));
	struct passwd *pw = getpwnam(nb->user);
	char *http = run_path(nb, "http"), bad[PATH_MAX] = "";
	int fds[2] = { -1, -1 }, status = -1;
	size_t n = 0;
	pid_t pid = -1;

	for (size_t i = 0; paths && i < m->n_files; i++)
		paths[n++] = m->files[i].path;
	if (paths) {
		paths[n++] = HYDRA_MANIFEST_PATH;
		if (p->signed_manifest)
			paths[n++] = HYDRA_SIGNATURE_PATH;
		if (p->replica)
			paths[n++] = HYDRA_INSTALL_REPLICA_DIR "/config";
	}
	if (pw && paths && http && pipe2(fds, O_CLOEXEC) == 0 && (pid = fork()) == 0)
		probe_child(pw, http, paths, n, fds[1]);
	close(fds[1]);
	if (pid > 0) {
		ssize_t got = read(fds[0], bad, sizeof(bad) - 1);

		bad[got > 0 ? got : 0] = '\0';
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(fds[0]);
	free(paths);
	free(http);
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (bad[0])
		hydra_err("the HTTP server runs as '%s', which cannot read the served file '%s' "
			  "(of %s): make it and the folders above it readable to others", nb->user,
			  bad, p->medium);
	else
		hydra_err("cannot check what the user 'nobody' may read");
	return -EACCES;
}

/* The last line LOG holds, for a message about a server that stopped. */
static void last_line(const char *log, char *out, size_t len)
{
	char *text = NULL, *end, *start;

	snprintf(out, len, "(nothing in its log)");
	if (hydra_read_file(log, &text, NULL) < 0)
		return;
	end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	start = strrchr(text, '\n');
	if (*text)
		snprintf(out, len, "%s", start ? start + 1 : text);
	free(text);
}

/* 1 when the server *PID still runs; 0 once it ended (reaped, *PID cleared). */
static int running(pid_t *pid)
{
	int status;

	if (*pid <= 0 || hydra_child_poll(*pid, &status) == 0)
		return *pid > 0;
	*pid = 0;
	return 0;
}

/* A TCP port free on ADDR now; busybox httpd binds it a moment later (start_httpd retries). */
static int free_port(const char *addr, unsigned *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r = 0;

	if (fd < 0)
		return -errno;
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		r = hydra_err_errno("cannot find a free TCP port on %s", addr);
	else
		*port = ntohs(sa.sin_port);
	close(fd);
	return r;
}

/*
 * Until a socket listens on PORT (0), the server ends (-EIO) or
 * START_SECONDS pass. Read from /proc/net/tcp rather than tried with a
 * connection, which could wait for minutes on a link that drops it.
 */
static int wait_listening(unsigned port, pid_t *pid)
{
	double end = hydra_now() + START_SECONDS;
	int r;

	while (hydra_now() < end) {
		r = hydra_netif_listening(port);
		if (r != 0)
			return r < 0 ? r : 0;
		if (!running(pid))
			return -EIO;
		sleep_ms(50);
	}
	return -ETIMEDOUT;
}

/* busybox httpd writes no pid file: ours, for a later regenerate's stop_stale. */
static int write_pid(const struct hydra_netboot *nb, const char *name, pid_t pid)
{
	char *path = run_path(nb, name), *text = hydra_strdupf("%d\n", (int)pid);
	int r = path && text ? hydra_write_file_atomic(path, text, strlen(text), 0644) : -ENOMEM;

	free(path);
	free(text);
	return r;
}

/*
 * busybox httpd over the run directory's http/ alone, as nb->user, logging
 * each request (-vv) for the progress lines. The port was free a moment
 * before; should another program take it first, httpd ends and another
 * port is tried.
 */
static int start_httpd(struct hydra_netboot *nb, const struct hydra_netboot_plan *p)
{
	char *http = run_path(nb, "http"), *conf = run_path(nb, "httpd.conf");
	char *log = run_path(nb, "httpd.log"), *listen = NULL, why[256];
	int r = http && conf && log ? -EIO : -ENOMEM;

	for (int tries = 0; r == -EIO && tries < 3; tries++) {
		r = free_port(nb->addr, &nb->port);
		if (!r)
			r = write_script(nb, p);
		free(listen);
		listen = r ? NULL : hydra_strdupf("%s:%u", nb->addr, nb->port);
		if (!r && !listen)
			r = -ENOMEM;
		if (!r) {
			const char *argv[] = { "busybox", "httpd", "-f", "-vv", "-p", listen,
					       "-u", nb->user, "-h", http, "-c", conf, NULL };

			r = hydra_child_start(argv, log, &nb->httpd);
		}
		if (!r)
			r = wait_listening(nb->port, &nb->httpd);
		if (!r)
			r = write_pid(nb, "httpd.pid", nb->httpd);
	}
	if (r == -EIO || r == -ETIMEDOUT) {
		last_line(log, why, sizeof(why));
		hydra_err("the HTTP server (busybox httpd) did not start on %s: %s", listen, why);
	}
	free(http);
	free(conf);
	free(log);
	free(listen);
	return r;
}

/* dnsmasq writes its pid file once its sockets are bound, and ends when one cannot be. */
static int wait_pidfile(const char *path, pid_t *pid)
{
	double end = hydra_now() + START_SECONDS;
	struct stat st;

	while (hydra_now() < end) {
		if (stat(path, &st) == 0 && st.st_size > 0)
			return 0;
		if (!running(pid))
			return -EIO;
		sleep_ms(50);
	}
	return -ETIMEDOUT;
}

static int start_dnsmasq(struct hydra_netboot *nb, const struct hydra_netboot_plan *p)
{
	struct hydra_pxe_conf c = { .node = nb->node, .macs = p->macs, .n_macs = p->n_macs,
				    .ifname = nb->ifname, .addr = nb->addr, .prefix = nb->prefix,
				    .dhcp = p->dhcp, .http_port = nb->port, .rundir = nb->rundir };
	char *conf = run_path(nb, "dnsmasq.conf"), *log = run_path(nb, "dnsmasq.log");
	char *pidfile = run_path(nb, "dnsmasq.pid"), *text = NULL, *opt = NULL, why[256];
	int r = conf && log && pidfile ? hydra_pxe_dnsmasq_conf(&c, &text) : -ENOMEM;

	if (!r)
		r = hydra_write_file_atomic(conf, text, strlen(text), 0644);
	opt = r ? NULL : hydra_strdupf("--conf-file=%s", conf);
	if (!r && !opt)
		r = -ENOMEM;
	if (!r) {
		const char *argv[] = { "dnsmasq", "--keep-in-foreground", opt, NULL };

		r = hydra_child_start(argv, log, &nb->dnsmasq);
	}
	if (!r)
		r = wait_pidfile(pidfile, &nb->dnsmasq);
	if (r == -EIO || r == -ETIMEDOUT) {
		last_line(log, why, sizeof(why));
		hydra_err("dnsmasq did not start on %s: %s", nb->ifname, why);
	}
	free(conf);
	free(log);
	free(pidfile);
	free(text);
	free(opt);
	return r;
}

/* The link up and, for own mode on an interface without one, an address: both undone at disarm. */
static int prepare_interface(struct hydra_netboot *nb, const struct hydra_netboot_plan *p)
{
	int up = hydra_netif_is_up(nb->ifname), r = 0;

	if (up < 0) {
		hydra_err("cannot read the state of %s: %s", nb->ifname, strerror(-up));
		return up;
	}
	if (!up && !(r = hydra_netif_set_up(nb->ifname, 1)))
		nb->link_raised = 1;
	if (!r && p->add_addr && !(r = hydra_netif_addr(nb->ifname, nb->addr, nb->prefix, 1)))
		nb->addr_added = 1;
	return r;
}

/* Both logs are read from their start: the servers' first lines are no event. */
static int open_tails(struct hydra_netboot *nb)
{
	char *d = run_path(nb, "dnsmasq.log"), *h = run_path(nb, "httpd.log");
	int r = 0;

	nb->dlog.fd = d ? open(d, O_RDONLY | O_CLOEXEC) : -1;
	nb->hlog.fd = h ? open(h, O_RDONLY | O_CLOEXEC) : -1;
	if (nb->dlog.fd < 0 || nb->hlog.fd < 0)
		r = hydra_err_errno("cannot read the servers' logs in '%s'", nb->rundir);
	free(d);
	free(h);
	return r;
}

static void dnsmasq_line(struct hydra_netboot *nb, const char *line)
{
	struct hydra_netboot_event ev;

	if (hydra_pxe_parse_dnsmasq(line, nb->tftp, &ev))
		emit(nb, &ev);
	else
		hydra_debug("dnsmasq: %s", line);
}

/*
 * A file of the replica: counted, not reported one by one (a repository
 * has thousands); one event once the node has them all.
 */
static void replica_fetched(struct hydra_netboot *nb, struct hydra_netboot_event *ev)
{
	char *path = hydra_strdupf("%s/http/%s", nb->rundir, ev->path), size[32];
	struct stat st;

	if (path && stat(path, &st) == 0)
		nb->replica_bytes += (uint64_t)st.st_size;
	free(path);
	if (++nb->replica_fetched != nb->replica_files)
		return;
	snprintf(nb->detail, sizeof(nb->detail), "%u files, %s", nb->replica_files,
		 hydra_format_size(nb->replica_bytes, size, sizeof(size)));
	ev->phase = HYDRA_NB_REPLICA;
	ev->detail = nb->detail;
	ev->path[0] = '\0';
	emit(nb, ev);
}

/* PATH is PREFIX, this run's token, then SUFFIX. */
static int is_report(const struct hydra_netboot *nb, const char *path, const char *prefix,
		     const char *suffix)
{
	size_t np = strlen(prefix), nt = strlen(nb->token);

	return !strncmp(path, prefix, np) && !strncmp(path + np, nb->token, nt) &&
	       !strcmp(path + np + nt, suffix);
}

static void httpd_line(struct hydra_netboot *nb, const char *line)
{
	struct hydra_netboot_event ev;

	if (!hydra_pxe_parse_httpd(&nb->http, line, &ev)) {
		hydra_debug("httpd: %s", line);
		return;
	}
	if (ev.phase == HYDRA_NB_FILE && !strncmp(ev.path, HYDRA_INSTALL_REPLICA_DIR "/",
						  strlen(HYDRA_INSTALL_REPLICA_DIR) + 1)) {
		replica_fetched(nb, &ev);
		return;
	}
	if (!nb->done_file && is_report(nb, ev.path, HYDRA_INSTALL_DONE_PREFIX, "")) {
		nb->done = 1;
		return;
	}
	if (is_report(nb, ev.path, HYDRA_INSTALL_STEP_PREFIX, "-" HYDRA_INSTALL_STEP_WRITTEN))
		ev.phase = HYDRA_NB_WRITTEN;
	else if (is_report(nb, ev.path, HYDRA_INSTALL_STEP_PREFIX, "-" HYDRA_INSTALL_STEP_RESTORED))
		ev.phase = HYDRA_NB_RESTORED;
	/* The token stays out of the progress lines. */
	if (ev.phase == HYDRA_NB_WRITTEN || ev.phase == HYDRA_NB_RESTORED)
		ev.path[0] = '\0';
	emit(nb, &ev);
}

/* Each whole line the log T has gained since the last call, to FN. */
static void read_tail(struct hydra_netboot *nb, struct tail *t,
		      void (*fn)(struct hydra_netboot *, const char *))
{
	ssize_t n;

	while (t->fd >= 0 && (n = read(t->fd, t->buf + t->len, sizeof(t->buf) - 1 - t->len)) > 0) {
		char *start = t->buf, *nl;

		t->len += (size_t)n;
		t->buf[t->len] = '\0';
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			fn(nb, start);
			start = nl + 1;
		}
		t->len -= (size_t)(start - t->buf);
		memmove(t->buf, start, t->len);
		if (t->len == sizeof(t->buf) - 1)    /* a line longer than the buffer is no event */
			t->len = 0;
	}
}

static void read_logs(struct hydra_netboot *nb)
{
	read_tail(nb, &nb->dlog, dnsmasq_line);
	read_tail(nb, &nb->hlog, httpd_line);
}

/*
 * The node is done: with data, the file regenerated-TOKEN is in its
 * replica's folder, put there by NODE's user (sshd let in only NODE's own
 * key); without, it fetched /regenerated-TOKEN (httpd_line).
 */
static int node_reported_done(struct hydra_netboot *nb)
{
	struct stat st;

	if (!nb->done_file)
		return nb->done;
	if (lstat(nb->done_file, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != nb->replica_uid)
		return 0;
	if (unlink(nb->done_file) < 0)
		hydra_warn("cannot remove '%s': %s", nb->done_file, strerror(errno));
	return 1;
}

static int armed(struct hydra_netboot *nb, const struct hydra_netboot_plan *p)
{
	struct hydra_netboot_event ev = { .phase = HYDRA_NB_ARMED, .detail = nb->detail };
	size_t used;

	used = (size_t)snprintf(nb->detail, sizeof(nb->detail), "%s on %s %s, HTTP on %s:%u, for %s (",
				p->dhcp == HYDRA_DHCP_PROXY ? "proxy DHCP" : "DHCP leases",
				nb->ifname, nb->addr, nb->addr, nb->port, nb->node);
	for (size_t i = 0; i < p->n_macs && used < sizeof(nb->detail); i++)
		used += (size_t)snprintf(nb->detail + used, sizeof(nb->detail) - used, "%s%s",
					 i ? " " : "", p->macs[i]);
	if (used < sizeof(nb->detail))
		snprintf(nb->detail + used, sizeof(nb->detail) - used, ")");
	emit(nb, &ev);
	return 0;
}

/* --data: the server runs as NODE's replica user, whose files the done file must be. */
static int replica_done(struct hydra_netboot *nb, const struct hydra_netboot_plan *p)
{
	struct stat st;

	if (stat(p->replica, &st) < 0)
		return hydra_err_errno("cannot read '%s'", p->replica);
	snprintf(nb->user, sizeof(nb->user), HYDRA_REPLICA_USER "%s", p->node);
	nb->replica_uid = st.st_uid;
	nb->done_file = hydra_strdupf("%s/" HYDRA_INSTALL_DONE_PREFIX "%s", p->replica, p->token);
	if (!nb->done_file)
		return -ENOMEM;
	/* One left by an earlier run cannot name this token; none is there to begin with. */
	unlink(nb->done_file);
	return 0;
}

int hydra_netboot_arm(const struct hydra_netboot_plan *p, hydra_netboot_event_fn fn, void *ud,
		      struct hydra_netboot **out)
{
	struct hydra_netboot *nb = calloc(1, sizeof(*nb));
	mode_t mask;
	int r;

	*out = NULL;
	if (!nb)
		return -ENOMEM;
	nb->lock_fd = nb->dlog.fd = nb->hlog.fd = nb->ra.fd = -1;
	nb->t0 = hydra_now();
	nb->fn = fn;
	nb->ud = ud;
	nb->prefix = p->prefix;
	snprintf(nb->node, sizeof(nb->node), "%s", p->node);
	snprintf(nb->ifname, sizeof(nb->ifname), "%s", p->ifname);
	snprintf(nb->addr, sizeof(nb->addr), "%s", p->addr);
	snprintf(nb->token, sizeof(nb->token), "%s", p->token);
	snprintf(nb->user, sizeof(nb->user), "nobody");
	if (p->replica && (r = replica_done(nb, p)) != 0) {
		free(nb);
		return r;
	}
	/* The servers read the run directory as nobody, whatever the caller's umask. */
	mask = umask(022);
	r = take_lock(nb);
	if (!r)
		r = make_rundir(nb, p);
	nb->tftp = r ? NULL : run_path(nb, "tftp");
	if (!r && !nb->tftp)
		r = -ENOMEM;
	if (!r)
		r = readable_as_user(nb, p);
	if (!r)
		r = prepare_interface(nb, p);
	if (!r)
		r = hydra_ra_open(nb->ifname, p->macs, p->n_macs, &nb->ra);
	if (!r)
		r = start_httpd(nb, p);
	if (!r)
		r = hydra_firewall_open(nb->node, nb->ifname, nb->port, &nb->fw);
	if (!r)
		r = start_dnsmasq(nb, p);
	if (!r)
		r = open_tails(nb);
	umask(mask);
	if (r) {
		nb->fn = NULL;    /* nothing was armed to report as disarmed */
		hydra_netboot_disarm(nb);
		return r;
	}
	*out = nb;
	return armed(nb, p);
}

/* A server that ended by itself: nothing is served any more. */
static int server_ended(struct hydra_netboot *nb, const char *name, const char *logname)
{
	char *log = run_path(nb, logname), why[256];

	last_line(log ? log : "", why, sizeof(why));
	hydra_err("%s stopped by itself: %s", name, why);
	free(log);
	return -EIO;
}

int hydra_netboot_serve(struct hydra_netboot *nb, unsigned timeout, const sigset_t *stop,
			int *signo)
{
	double deadline = hydra_now() + timeout;
	struct timespec tick = { 0, TICK_NS };
	int sig;

	*signo = 0;
	for (;;) {
		hydra_ra_answer(&nb->ra);
		read_logs(nb);
		if (node_reported_done(nb)) {
			struct hydra_netboot_event ev = { .phase = HYDRA_NB_DONE, .detail = nb->detail };

			snprintf(nb->detail, sizeof(nb->detail), "%s reported done %s", nb->node,
				 nb->done_file ? "over sftp with its own key (" HYDRA_INSTALL_DONE_PREFIX
				 "TOKEN in its replica's folder)" : "by fetching /" HYDRA_INSTALL_DONE_PREFIX
				 "TOKEN (no data: not authenticated)");
			emit(nb, &ev);
			return 0;
		}
		if (!running(&nb->dnsmasq))
			return server_ended(nb, "dnsmasq", "dnsmasq.log");
		if (!running(&nb->httpd))
			return server_ended(nb, "busybox httpd", "httpd.log");
		if (hydra_now() >= deadline)
			return -ETIMEDOUT;
		sig = sigtimedwait(stop, NULL, &tick);
		if (sig > 0) {
			*signo = sig;
			return -EINTR;
		}
		if (sig < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
	}
}

static void stop_server(pid_t *pid, const char *name, int *r)
{
	int e = *pid > 0 ? hydra_child_stop(*pid, STOP_GRACE_MS) : 0;

	if (e < 0) {
		hydra_err("cannot stop %s (pid %d): %s", name, (int)*pid, strerror(-e));
		*r = *r ? *r : e;
	}
	*pid = 0;
}

int hydra_netboot_disarm(struct hydra_netboot *nb)
{
	struct hydra_netboot_event ev = { .phase = HYDRA_NB_DISARMED };
	int r = 0, e;

	if (!nb)
		return 0;
	read_logs(nb);
	stop_server(&nb->httpd, "busybox httpd", &r);
	stop_server(&nb->dnsmasq, "dnsmasq", &r);
	hydra_ra_close(&nb->ra);
	if ((e = hydra_firewall_close(&nb->fw)) < 0)
		r = r ? r : e;
	if (nb->addr_added && (e = hydra_netif_addr(nb->ifname, nb->addr, nb->prefix, 0)) < 0)
		r = r ? r : e;
	if (nb->link_raised && (e = hydra_netif_set_up(nb->ifname, 0)) < 0)
		r = r ? r : e;
	if (nb->rundir && (e = hydra_rm_rf(nb->rundir)) < 0) {
		hydra_err("cannot remove '%s': %s", nb->rundir, strerror(-e));
		r = r ? r : e;
	}
	release_lock(nb);
	if (nb->dlog.fd >= 0)
		close(nb->dlog.fd);
	if (nb->hlog.fd >= 0)
		close(nb->hlog.fd);
	emit(nb, &ev);
	if (nb->done_file)
		unlink(nb->done_file);
	free(nb->done_file);
	free(nb->lock);
	free(nb->rundir);
	free(nb->tftp);
	free(nb);
	return r;
}
