/* Reading a medium: a mounted root directory, or an image/disk through the FAT reader. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/hydra.h"
#include "base/util.h"
#include "format/fat.h"
#include "format/gpt.h"
#include "medium/medium.h"

struct hydra_medium {
	char *path;
	int is_dir;
	struct hydra_mbr mbr;
	uint64_t bytes;        /* of the image or disk */
	int fat_damaged;       /* a FAT32 is there, but its numbers do not add up */
	int fd;                /* the image or disk, O_DIRECT where it allows */
	struct hydra_fat *fat; /* NULL when partition 1 holds no FAT32 (yet) */
};

/*
 * Read what is on the disk, not what an earlier write left in the page
 * cache: a disk with O_DIRECT, an image file through a cache emptied of it
 * first, where the kernel's read-ahead overlaps reading with hashing.
 */
static int open_direct(const char *path)
{
	struct stat st;
	int fd = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? -1 :
		open(path, O_RDONLY | O_CLOEXEC | O_DIRECT), ssz = 0;

	if (fd < 0)
		errno = EINVAL;
	/* The FAT reader aligns to 512 bytes: a disk with larger sectors is read cached. */
	if (fd >= 0 && ioctl(fd, BLKSSZGET, &ssz) == 0 && ssz > 512) {
		close(fd);
		fd = -1;
		errno = EINVAL;
	}
	if (fd < 0 && errno == EINVAL)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fdatasync(fd);
	ioctl(fd, BLKFLSBUF, 0);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return fd;
}

/* Sector 0 and the primary GPT behind it, in whole pages for O_DIRECT. */
#define HEAD_READ ((HYDRA_TABLE_HEAD + 4095) / 4096 * 4096)

/*
 * Sector 0 (or the GPT it protects) says where partition 1 is; before
 * commit, layout v1 says it: partition 1 is at 1 MiB on both variants. A
 * partition without a FAT32 is a medium not written (yet): its files read
 * as missing.
 */
static int open_image(struct hydra_medium *m, int cached)
{
	uint64_t offset = HYDRA_PART_OFFSET;
	unsigned char *sector = NULL;
	int r;

	m->fd = cached ? open(m->path, O_RDONLY | O_CLOEXEC) : open_direct(m->path);
	if (m->fd < 0 && cached)
		m->fd = -errno;
	if (m->fd < 0) {
		hydra_err("cannot open '%s': %s", m->path, strerror(-m->fd));
		return m->fd;
	}
	if (posix_memalign((void **)&sector, 4096, HEAD_READ))
		return -ENOMEM;
	memset(sector, 0, HEAD_READ);
	r = (int)pread(m->fd, sector, HEAD_READ, 0);
	if (r < 512) {
		hydra_err("cannot read the boot sector of '%s'", m->path);
		free(sector);
		return -EIO;
	}
	hydra_table_parse(sector, (size_t)r, &m->mbr);
	free(sector);
	r = hydra_fd_bytes(m->fd, &m->bytes);
	if (r)
		return r;
	if (m->mbr.signature && m->mbr.start)
		offset = m->mbr.start;
	r = hydra_fat_open(m->fd, offset, &m->fat);
	m->fat_damaged = r == -EBADMSG;
	if (m->fat_damaged)
		hydra_err("'%s' is damaged: its FAT32 at byte %llu does not add up (FAT size or "
			  "file system size)", m->path, (unsigned long long)offset);
	else if (r)
		hydra_debug("'%s' holds no FAT32 at byte %llu: %s", m->path,
			    (unsigned long long)offset, strerror(-r));
	return r == -ENOMEM ? r : 0;
}

static int medium_open(const char *path, int cached, struct hydra_medium **out)
{
	struct hydra_medium *m = calloc(1, sizeof(*m));
	struct stat st;
	int r;

	if (!m || !(m->path = strdup(path))) {
		free(m);
		return -ENOMEM;
	}
	m->fd = -1;
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
	r = open_image(m, cached);
	if (r)
		goto fail;
	*out = m;
	return 0;
fail:
	hydra_medium_close(m);
	return r;
}

int hydra_medium_open(const char *path, struct hydra_medium **out)
{
	return medium_open(path, 0, out);
}

int hydra_medium_open_cached(const char *path, struct hydra_medium **out)
{
	return medium_open(path, 1, out);
}

void hydra_medium_close(struct hydra_medium *m)
{
	if (!m)
		return;
	hydra_fat_free(m->fat);
	if (m->fd >= 0)
		close(m->fd);
	free(m->path);
	free(m);
}

int hydra_medium_committed(const struct hydra_medium *m)
{
	const struct hydra_mbr *t = &m->mbr;

	/* On GPT, "bootable" is partition 1's legacy BIOS bootable attribute. */
	return m->is_dir || (t->signature && t->bootable && (!t->gpt || t->gpt_valid));
}

/* The GPT variant: a valid primary GPT whose usable sectors and backup header fit the disk. */
static const char *gpt_misfit(const struct hydra_mbr *t, uint64_t bytes)
{
	if (t->gpt_backup != bytes - HYDRA_SECTOR)
		return "the backup GPT header is not in the disk's last sector";
	if (t->gpt_last > bytes - HYDRA_GPT_SECTORS * HYDRA_SECTOR)
		return "the GPT's usable sectors reach into the backup GPT";
	if (t->start + t->size > t->gpt_last || t->start2 + t->size2 > t->gpt_last)
		return "a partition reaches past the GPT's usable sectors";
	return NULL;
}

int hydra_medium_check_table(const struct hydra_medium *m, const char **part)
{
	const struct hydra_mbr *t = &m->mbr;
	const char *why = NULL;

	*part = m->fat_damaged ? "(file system)" : "(partition table)";
	if (m->fat_damaged)
		return -EBADMSG;
	if (m->is_dir || !t->signature)
		return 0;
	if (t->gpt && !t->gpt_valid)
		why = "its protective MBR guards no valid GPT";
	else if (!t->size || t->start + t->size > m->bytes)
		why = "partition 1 reaches past the end of the disk";
	else if (t->size2 && t->start2 < t->start + t->size)
		why = "partition 2 overlaps partition 1";
	else if (t->size2 && t->start2 + t->size2 > m->bytes)
		why = "partition 2 reaches past the end of the disk";
	else if (t->gpt)
		why = gpt_misfit(t, m->bytes);
	if (!why)
		return 0;
	hydra_err("'%s' is damaged: %s (%llu bytes)", m->path, why, (unsigned long long)m->bytes);
	return -EBADMSG;
}

/* REL on the FAT: -ENOENT when absent, a directory, or no FAT is there. */
static int lookup(struct hydra_medium *m, const char *rel, struct hydra_fat_file *f)
{
	int r;

	if (!m->fat)
		return -ENOENT;
	r = hydra_fat_lookup(m->fat, rel, f);
	if (!r && f->is_dir)
		r = -ENOENT;
	return r == -ENOTDIR ? -ENOENT : r;
}

/* A file of a mounted root, opened past the page cache. */
static int open_member(struct hydra_medium *m, const char *rel)
{
	char *path = hydra_path_join(m->path, rel);
	int fd;

	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	fd = fd < 0 ? -errno : fd;
	free(path);
	if (fd < 0)
		return fd;
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return fd;
}

struct sink {
	size_t len;
	EVP_MD_CTX *sha;
};

static int to_hash(const void *data, size_t len, void *ud)
{
	struct sink *s = ud;

	s->len += len;
	return EVP_DigestUpdate(s->sha, data, len) == 1 ? 0 : -EIO;
}

int hydra_medium_read(struct hydra_medium *m, const char *rel, char **buf, size_t *len)
{
	struct hydra_fat_file f;
	char path[64];
	int r, fd;

	*buf = NULL;
	if (m->is_dir) {
		fd = open_member(m, rel);
		if (fd < 0)
			return fd;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		r = hydra_read_file(path, buf, len);
		close(fd);
		return r;
	}
	r = lookup(m, rel, &f);
	if (r)
		return r;
	/* Whole small files only: a MANIFEST, a signature. */
	return hydra_fat_read_whole(m->fat, &f, 64u << 20, buf, len);
}

int hydra_medium_hash(struct hydra_medium *m, const char *rel,
		      unsigned char sha[HYDRA_SHA256_LEN], uint64_t *size)
{
	struct hydra_fat_file f;
	struct sink s = { 0 };
	int r, fd;

	if (m->is_dir) {
		fd = open_member(m, rel);
		if (fd < 0)
			return fd;
		r = hydra_sha256_fd(fd, sha, size);
		close(fd);
		return r;
	}
	r = lookup(m, rel, &f);
	if (r)
		return r;
	s.sha = EVP_MD_CTX_new();
	if (!s.sha)
		return -ENOMEM;
	r = EVP_DigestInit_ex(s.sha, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
	if (!r)
		r = hydra_fat_read(m->fat, &f, to_hash, &s);
	if (!r && EVP_DigestFinal_ex(s.sha, sha, NULL) != 1)
		r = -EIO;
	if (!r && size)
		*size = s.len;
	EVP_MD_CTX_free(s.sha);
	return r;
}

int hydra_medium_stat(struct hydra_medium *m, const char *rel, uint64_t *size)
{
	struct hydra_fat_file f;
	struct stat st;
	char *path;
	int r;

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
	r = lookup(m, rel, &f);
	if (!r)
		*size = f.size;
	return r;
}
