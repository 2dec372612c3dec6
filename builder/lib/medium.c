/* Reading a medium: a mounted root directory, or an image/disk through mtools. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "hydra.h"
#include "medium.h"
#include "util.h"

struct hydra_medium {
	char *path;
	int is_dir;
	struct hydra_mbr mbr;
	char *mtools_image;   /* "PATH@@OFFSET" */
};

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void hydra_mbr_parse(const unsigned char s[512], struct hydra_mbr *out)
{
	const unsigned char *p1 = s + 446;

	memset(out, 0, sizeof(*out));
	out->signature = s[510] == 0x55 && s[511] == 0xAA;
	out->disk_id = le32(s + 440);
	out->bootable = p1[0] == 0x80;
	out->type = p1[4];
	out->start = (uint64_t)le32(p1 + 8) * 512;
	out->size = (uint64_t)le32(p1 + 12) * 512;
}

/* Sector 0 says where partition 1 is; before commit, layout v1 says it. */
static int open_image(struct hydra_medium *m)
{
	unsigned char sector[512];
	uint64_t offset = HYDRA_PART_OFFSET;
	int fd = open(m->path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		int r = -errno;

		hydra_err("cannot open '%s': %s", m->path, strerror(errno));
		return r;
	}
	/* Read what is on the disk, not what an earlier write left in the cache. */
	fdatasync(fd);
	ioctl(fd, BLKFLSBUF, 0);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	n = pread(fd, sector, sizeof(sector), 0);
	close(fd);
	if (n != (ssize_t)sizeof(sector)) {
		hydra_err("cannot read the boot sector of '%s'", m->path);
		return -EIO;
	}
	hydra_mbr_parse(sector, &m->mbr);
	if (m->mbr.signature && m->mbr.start)
		offset = m->mbr.start;
	m->mtools_image = hydra_strdupf("%s@@%llu", m->path, (unsigned long long)offset);
	return m->mtools_image ? 0 : -ENOMEM;
}

int hydra_medium_open(const char *path, struct hydra_medium **out)
{
	struct hydra_medium *m = calloc(1, sizeof(*m));
	struct stat st;
	int r;

	if (!m || !(m->path = strdup(path))) {
		free(m);
		return -ENOMEM;
	}
	if (stat(path, &st) < 0) {
		r = -errno;
		hydra_err("cannot open '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		m->is_dir = 1;
		*out = m;
		return 0;
	}
	r = hydra_tool_require("mcopy");
	if (!r)
		r = open_image(m);
	if (r)
		goto fail;
	*out = m;
	return 0;
fail:
	hydra_medium_close(m);
	return r;
}

void hydra_medium_close(struct hydra_medium *m)
{
	if (!m)
		return;
	free(m->path);
	free(m->mtools_image);
	free(m);
}

int hydra_medium_committed(const struct hydra_medium *m)
{
	return m->is_dir || (m->mbr.signature && m->mbr.bootable);
}

/* Start TOOL on the medium's FAT with its stdout on a pipe we read. */
static pid_t spawn_mtools(struct hydra_medium *m, const char *tool, const char *rel, int *out)
{
	char *target = hydra_strdupf("::/%s", rel);
	int p[2];
	pid_t pid;

	if (!target || pipe2(p, O_CLOEXEC) < 0) {
		free(target);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(p[1], STDOUT_FILENO);
		if (null >= 0)
			dup2(null, STDERR_FILENO);
		setenv("MTOOLS_SKIP_CHECK", "1", 1);
		if (!strcmp(tool, "mcopy"))
			execlp("mcopy", "mcopy", "-n", "-i", m->mtools_image, target, "-", (char *)NULL);
		else
			execlp(tool, tool, "-i", m->mtools_image, target, (char *)NULL);
		_exit(127);
	}
	free(target);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	*out = p[0];
	return pid;
}

static int wait_tool(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ENOENT;
}

/*
 * A descriptor to read REL from: the file itself on a mounted root (read past
 * the page cache), else a pipe from mcopy, whose process goes to *PID.
 */
static int open_member(struct hydra_medium *m, const char *rel, int *fd, pid_t *pid)
{
	char *path;

	*pid = 0;
	if (!m->is_dir) {
		*pid = spawn_mtools(m, "mcopy", rel, fd);
		return *pid < 0 ? -errno : 0;
	}
	path = hydra_path_join(m->path, rel);
	if (!path)
		return -ENOMEM;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (*fd < 0)
		return -errno;
	posix_fadvise(*fd, 0, 0, POSIX_FADV_DONTNEED);
	return 0;
}

/* R, or -ENOENT when mcopy did not find the file. */
static int close_member(int fd, pid_t pid, int r)
{
	close(fd);
	if (pid > 0 && wait_tool(pid) < 0)
		r = -ENOENT;
	return r;
}

int hydra_medium_read(struct hydra_medium *m, const char *rel, char **buf, size_t *len)
{
	char path[64];
	pid_t pid;
	int r, fd;

	*buf = NULL;
	r = open_member(m, rel, &fd, &pid);
	if (r)
		return r;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = close_member(fd, pid, hydra_read_file(path, buf, len));
	if (r) {
		free(*buf);
		*buf = NULL;
	}
	return r;
}

int hydra_medium_hash(struct hydra_medium *m, const char *rel,
		      unsigned char sha[HYDRA_SHA256_LEN], uint64_t *size)
{
	pid_t pid;
	int r, fd;

	r = open_member(m, rel, &fd, &pid);
	if (r)
		return r;
	return close_member(fd, pid, hydra_sha256_fd(fd, sha, size));
}

/* The size in an mdir line: the number just before the YYYY-MM-DD date. */
static int mdir_size(const char *listing, uint64_t *size)
{
	const char *line = listing;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		char prev[64] = "", tok[64];
		int off = 0, n;

		while (sscanf(line + off, "%63s%n", tok, &n) == 1 && (!nl || line + off < nl)) {
			if (strlen(tok) == 10 && tok[4] == '-' && tok[7] == '-' && prev[0] &&
			    strspn(prev, "0123456789") == strlen(prev)) {
				*size = strtoull(prev, NULL, 10);
				return 0;
			}
			snprintf(prev, sizeof(prev), "%s", tok);
			off += n;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

int hydra_medium_stat(struct hydra_medium *m, const char *rel, uint64_t *size)
{
	char *path, *listing = NULL;
	struct stat st;
	int r, fd;
	pid_t pid;

	if (m->is_dir) {
		path = hydra_path_join(m->path, rel);
		if (!path)
			return -ENOMEM;
		r = stat(path, &st) < 0 ? -errno : 0;
		free(path);
		if (!r)
			*size = (uint64_t)st.st_size;
		return r;
	}
	pid = spawn_mtools(m, "mdir", rel, &fd);
	if (pid < 0)
		return -errno;
	path = hydra_strdupf("/proc/self/fd/%d", fd);
	r = path ? hydra_read_file(path, &listing, NULL) : -ENOMEM;
	free(path);
	close(fd);
	if (wait_tool(pid) < 0)
		r = -ENOENT;
	if (!r)
		r = mdir_size(listing, size);
	free(listing);
	return r;
}
