/* Small helpers every part of hydra uses: files, paths, processes, hashes. */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/hydra.h"
#include "base/util.h"

int hydra_plain_name(const char *v)
{
	if (!*v)
		return 0;
	for (const char *c = v; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && !strchr(".+-_", *c))
			return 0;
	return v[0] != '-' && v[0] != '.';
}

int hydra_path_stays_inside(const char *p)
{
	if (!*p || *p == '/')
		return 0;
	for (const char *c = p;;) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return 0;
		if (!c[n])
			return 1;
		c += n + 1;
	}
}

int hydra_path_within(const char *path, const char *dir)
{
	char p[PATH_MAX], d[PATH_MAX];
	size_t n;

	if (!realpath(path, p) || !realpath(dir, d))
		return 0;
	n = strlen(d);
	return !strncmp(p, d, n) && (p[n] == '/' || (n == 1 && d[0] == '/'));
}

void hydra_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n && v[i]; i++)
		free(v[i]);
	free(v);
}

char *hydra_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (*b == '/')
		b++;
	if (la && a[la - 1] == '/')
		return hydra_strdupf("%s%s", a, b);
	return hydra_strdupf("%s/%s", a, b);
}

char *hydra_strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

int hydra_read_fd(int fd, size_t max, char **buf, size_t *len)
{
	int r = -ENOMEM;
	char *b = NULL;
	size_t n = 0, cap = 0;
	ssize_t got;

	for (;;) {
		if (n + 4096 + 1 > cap) {
			size_t ncap = cap ? 2 * cap : 8192;
			char *nb = realloc(b, ncap);

			if (!nb)
				goto out;
			b = nb;
			cap = ncap;
		}
		got = read(fd, b + n, cap - n - 1);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > max) {
			r = -EFBIG;
			goto out;
		}
	}
	b[n] = '\0';
	*buf = b;
	if (len)
		*len = n;
	return 0;
out:
	if (b)
		explicit_bzero(b, cap);  /* it may hold a key */
	free(b);
	return r;
}

int hydra_read_file(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = hydra_read_fd(fd, SIZE_MAX, buf, len);
	close(fd);
	return r;
}

int hydra_read_small_file(const char *path, size_t max, struct stat *st, char **buf, size_t *len)
{
	/* One descriptor for the check and the read: a name swapped between them cannot win. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK), r;

	if (fd < 0)
		return -errno;
	r = fstat(fd, st) < 0 ? -errno : 0;
	if (!r && !S_ISREG(st->st_mode))
		r = -EINVAL;
	if (!r && (uint64_t)st->st_size > max)
		r = -EFBIG;
	if (!r)
		r = hydra_read_fd(fd, max, buf, len);
	close(fd);
	return r;
}

int hydra_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

double hydra_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int hydra_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		got += (size_t)n;
	}
	return 0;
}

int hydra_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t put = 0;

	while (put < len) {
		ssize_t n = pwrite(fd, (const char *)buf + put, len - put, (off_t)(off + put));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		put += (size_t)n;
	}
	return 0;
}

int hydra_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode)
{
	char *tmp = hydra_strdupf("%s.tmp", path);
	int fd = -1, r;

	if (!tmp)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = hydra_write_all(fd, buf, len);
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	fd = -1;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
out:
	free(tmp);
	return r;
}

int hydra_fd_bytes(int fd, uint64_t *bytes)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, bytes) < 0 ? -errno : 0;
	*bytes = (uint64_t)st.st_size;
	return 0;
}

int hydra_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int hydra_mkdir_parent(const char *path)
{
	char *dir = strdup(path), *slash;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		r = hydra_mkdir_p(dir, 0755);
	}
	free(dir);
	return r;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

int hydra_rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
		return -errno;
	return 0;
}

int hydra_copy_file(const char *src, const char *dst)
{
	int in = -1, out = -1, r = 0;
	struct stat st;
	char buf[1 << 16];
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	if (fstat(in, &st) < 0) {
		r = -errno;
		goto out;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
	if (out < 0) {
		r = -errno;
		goto out;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		r = hydra_write_all(out, buf, (size_t)n);
		if (r)
			goto out;
	}
	if (fchmod(out, st.st_mode & 07777) < 0)
		r = -errno;
out:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && !r)
		r = -errno;
	return r;
}

int hydra_copy_tree(const char *src, const char *dst)
{
	struct dirent **ents = NULL;
	struct stat st;
	int n, r;

	if (lstat(src, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t len = readlink(src, target, sizeof(target) - 1);

		if (len < 0)
			return -errno;
		target[len] = '\0';
		unlink(dst);
		return symlink(target, dst) < 0 ? -errno : 0;
	}
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) ? hydra_copy_file(src, dst) : -EINVAL;
	r = hydra_mkdir_p(dst, st.st_mode & 07777);
	n = r ? -1 : scandir(src, &ents, NULL, alphasort);
	if (n < 0 && !r)
		r = -errno;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (!r && strcmp(name, ".") && strcmp(name, "..")) {
			char *s = hydra_path_join(src, name), *d = hydra_path_join(dst, name);

			r = s && d ? hydra_copy_tree(s, d) : -ENOMEM;
			free(s);
			free(d);
		}
		free(ents[i]);
	}
	free(ents);
	return r;
}

static int walk_dir(const char *root, const char *rel, hydra_walk_fn fn, void *ud)
{
	char *dir = rel[0] ? hydra_path_join(root, rel) : strdup(root);
	struct dirent **ents = NULL;
	int n, r = 0;

	if (!dir)
		return -ENOMEM;
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		r = -errno;
		hydra_err("cannot read '%s': %s", dir, strerror(errno));
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char *sub = NULL, *full = NULL;
		struct stat st;

		if (!r && strcmp(name, ".") && strcmp(name, "..")) {
			sub = rel[0] ? hydra_strdupf("%s/%s", rel, name) : strdup(name);
			full = sub ? hydra_path_join(root, sub) : NULL;
			if (!full)
				r = -ENOMEM;
			else if (lstat(full, &st) < 0)
				r = -errno;
			else if (!(r = fn(full, sub, &st, ud)) && S_ISDIR(st.st_mode))
				r = walk_dir(root, sub, fn, ud);
			else if (r == 1)
				r = 0;
		}
		free(sub);
		free(full);
		free(ents[i]);
	}
	free(ents);
	free(dir);
	return r;
}

int hydra_walk(const char *root, hydra_walk_fn fn, void *ud)
{
	return walk_dir(root, "", fn, ud);
}

/* Changing a time changes no directory, so the walk's order does not matter. */
static int set_time(const char *full, const char *rel, const struct stat *st, void *ud)
{
	const int64_t *epoch = ud;
	struct timespec ts[2] = { { *epoch, 0 }, { *epoch, 0 } };

	(void)rel;
	(void)st;
	return utimensat(AT_FDCWD, full, ts, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

int hydra_set_times(const char *root, int64_t epoch)
{
	int r = hydra_walk(root, set_time, &epoch);

	return r ? r : set_time(root, "", NULL, &epoch);
}

/* The tools hydra runs and the Debian packages that ship them. */
static const struct {
	const char *tool;
	const char *package;
} tool_packages[] = {
	{ "mksquashfs", "squashfs-tools" },
	{ "unsquashfs", "squashfs-tools" },
	{ "mkfs.fat", "dosfstools" },
	{ "fsck.fat", "dosfstools" },
	{ "mcopy", "mtools" },
	{ "mmd", "mtools" },
	{ "mdir", "mtools" },
	{ "syslinux", "syslinux" },
	{ "mmdebstrap", "mmdebstrap" },
	{ "busybox", "busybox-static" },
	{ "dnsmasq", "dnsmasq-base" },
	{ "ip", "iproute2" },
	{ "depmod", "kmod" },
	{ "strip", "binutils" },
	{ "apt-get", "apt" },
	{ "apt-cache", "apt" },
	{ "mkfs.ext4", "e2fsprogs" },
	{ "e2fsck", "e2fsprogs" },
	{ "setfattr", "attr" },
	{ "getfattr", "attr" },
	{ "qemu-system-x86_64", "qemu-system-x86" },
	{ "ldd", "libc-bin" },
	{ "sfdisk", "fdisk" },
	{ "blkid", "util-linux" },
	{ "cryptsetup", "cryptsetup-bin" },
	{ "restic", "restic" },
	{ "ssh", "openssh-client" },
	{ "sftp", "openssh-client" },
	{ "ssh-keygen", "openssh-client" },
	{ "useradd", "passwd" },
	{ "groupadd", "passwd" },
	{ "ansible-inventory", "ansible-core" },
};

const char *hydra_tool_package(const char *tool)
{
	for (size_t i = 0; i < sizeof(tool_packages) / sizeof(tool_packages[0]); i++)
		if (!strcmp(tool_packages[i].tool, tool))
			return tool_packages[i].package;
	return NULL;
}

static int find_in_path(const char *tool)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL;
	int found = 0;

	if (strchr(tool, '/'))
		return access(tool, X_OK) == 0;
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	copy = strdup(path);
	if (!copy)
		return 0;
	for (char *dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *p = hydra_path_join(dir, tool);

		found = p && access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

int hydra_tool_exists(const char *tool)
{
	return find_in_path(tool);
}

int hydra_tool_require(const char *tool)
{
	const char *pkg;

	if (find_in_path(tool))
		return 0;
	pkg = hydra_tool_package(tool);
	if (pkg)
		hydra_err("cannot find the tool '%s': install the Debian package '%s'", tool, pkg);
	else
		hydra_err("cannot find the tool '%s' in PATH", tool);
	return -ENOENT;
}

/* In the child: set up cwd, output and environment, then exec. */
static void spawn_child(const char *const argv[], const struct hydra_spawn_opts *o, int logfd,
			int outfd, int errfd)
{
	if (o->cwd && chdir(o->cwd) < 0) {
		dprintf(STDERR_FILENO, "cannot enter '%s': %s\n", o->cwd, strerror(errno));
		_exit(127);
	}
	if (logfd >= 0) {
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
	}
	if (outfd >= 0)
		dup2(outfd, STDOUT_FILENO);
	if (errfd >= 0)
		dup2(errfd, STDERR_FILENO);
	if (o->keep_fd > 2)
		fcntl(o->keep_fd, F_SETFD, 0);
	/* "KEY=VALUE" sets, a bare "KEY" removes. */
	for (size_t i = 0; o->env && o->env[i]; i++)
		if (strchr(o->env[i], '='))
			putenv((char *)o->env[i]);
		else
			unsetenv(o->env[i]);
	execvp(argv[0], (char *const *)argv);
	dprintf(STDERR_FILENO, "cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* What the parent reads from the child: stdout (kept or cut into lines) and stderr. */
struct spawn_io {
	int fd[2];                    /* stdout, stderr pipes' read ends, -1 when not read */
	FILE *mem[2];
	char *text[2];
	size_t len[2], done;          /* done: how much of stdout went to on_line already */
};

/* Hand over every complete line of stdout that came since the last call. */
static void spawn_lines(struct spawn_io *io, const struct hydra_spawn_opts *o, int last)
{
	char *nl;

	fflush(io->mem[0]);
	while (io->text[0] && io->done < io->len[0]) {
		nl = memchr(io->text[0] + io->done, '\n', io->len[0] - io->done);
		if (!nl && !last)
			return;
		if (nl)
			*nl = '\0';
		o->on_line(io->text[0] + io->done, o->line_ud);
		io->done = nl ? (size_t)(nl - io->text[0]) + 1 : io->len[0];
	}
}

/* Read both pipes until both end: a child blocked on a full stderr never fills stdout. */
static void spawn_read(struct spawn_io *io, const struct hydra_spawn_opts *o)
{
	char buf[4096];
	ssize_t n;

	while (io->fd[0] >= 0 || io->fd[1] >= 0) {
		struct pollfd p[2] = { { io->fd[0], POLLIN, 0 }, { io->fd[1], POLLIN, 0 } };

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return;
		for (int i = 0; i < 2; i++) {
			if (io->fd[i] < 0 || !p[i].revents)
				continue;
			n = read(io->fd[i], buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(io->fd[i]);
				io->fd[i] = -1;
				continue;
			}
			fwrite(buf, 1, (size_t)n, io->mem[i]);
			if (i == 0 && o->on_line)
				spawn_lines(io, o, 0);
		}
	}
	if (o->on_line)
		spawn_lines(io, o, 1);
}

static int spawn_pipe(struct spawn_io *io, int i, int child[2])
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	io->fd[i] = p[0];
	child[i] = p[1];
	io->mem[i] = open_memstream(&io->text[i], &io->len[i]);
	return io->mem[i] ? 0 : -ENOMEM;
}

/* Give the child's output to the caller as asked, and release the rest. */
static void spawn_finish(struct spawn_io *io, const struct hydra_spawn_opts *o)
{
	char **dest[2] = { o->on_line ? NULL : o->capture, o->capture_err };

	for (int i = 0; i < 2; i++) {
		if (io->mem[i])
			fclose(io->mem[i]);
		if (io->fd[i] >= 0)
			close(io->fd[i]);
		if (dest[i]) {
			*dest[i] = io->text[i] ? io->text[i] : strdup("");
			io->text[i] = NULL;
		}
		free(io->text[i]);
	}
}

int hydra_spawn(const char *const argv[], const struct hydra_spawn_opts *o)
{
	struct spawn_io io = { .fd = { -1, -1 } };
	int status, logfd = -1, child[2] = { -1, -1 }, r = 0;
	pid_t pid;

	if (hydra_tool_require(argv[0]) < 0)
		return -ENOENT;
	if (o->logfile) {
		logfd = open(o->logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (logfd < 0)
			return -errno;
	}
	if ((o->capture || o->on_line) && (r = spawn_pipe(&io, 0, child)) < 0)
		goto out;
	if (o->capture_err && (r = spawn_pipe(&io, 1, child)) < 0)
		goto out;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto out;
	}
	if (pid == 0)
		spawn_child(argv, o, logfd, child[0], child[1]);
	for (int i = 0; i < 2; i++)
		if (child[i] >= 0) {
			close(child[i]);
			child[i] = -1;
		}
	spawn_read(&io, o);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			r = -errno;
			goto out;
		}
	r = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	spawn_finish(&io, o);
	for (int i = 0; i < 2; i++)
		if (child[i] >= 0)
			close(child[i]);
	if (logfd >= 0)
		close(logfd);
	return r;
}

int hydra_memfd(const char *name, const void *data, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = hydra_write_all(fd, data, len);
	if (!r && lseek(fd, 0, SEEK_SET) < 0)
		r = -errno;
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

int hydra_run_env(const char *const argv[], const char *const env[], const char *logfile)
{
	struct hydra_spawn_opts o = { .env = env, .logfile = logfile };

	return hydra_spawn(argv, &o);
}

int hydra_run(const char *const argv[], const char *logfile)
{
	return hydra_run_env(argv, NULL, logfile);
}

int hydra_sha256_fd(int fd, unsigned char out[HYDRA_SHA256_LEN], uint64_t *size)
{
	enum { CHUNK = 1 << 20 };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = malloc(CHUNK);
	uint64_t total = 0;
	int r = -EIO;
	ssize_t n;

	if (!ctx || !buf) {
		EVP_MD_CTX_free(ctx);
		free(buf);
		return -ENOMEM;
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = read(fd, buf, CHUNK)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		total += (uint64_t)n;
	}
	if (EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		goto out;
	if (size)
		*size = total;
	r = 0;
out:
	free(buf);
	EVP_MD_CTX_free(ctx);
	return r;
}

int hydra_sha256_file(const char *path, unsigned char out[HYDRA_SHA256_LEN], uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = hydra_sha256_fd(fd, out, size);
	close(fd);
	return r;
}

void hydra_sha256_buf(const void *buf, size_t len, unsigned char out[HYDRA_SHA256_LEN])
{
	EVP_Digest(buf, len, out, NULL, EVP_sha256(), NULL);
}

void hydra_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hydra_unhex(const char *in, unsigned char *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(in[2 * i]), lo;

		if (hi < 0)
			return -EINVAL;
		lo = hexval(in[2 * i + 1]);
		if (lo < 0)
			return -EINVAL;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return in[2 * len] == '\0' ? 0 : -EINVAL;
}

int64_t hydra_source_date_epoch(int64_t fallback)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!s || !*s)
		return fallback;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0)
		return fallback;
	return v;
}

int hydra_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case '\0': break;
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	default: return -EINVAL;
	}
	if (shift && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

const char *hydra_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	unsigned u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}
