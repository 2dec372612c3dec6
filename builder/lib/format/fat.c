/* A FAT32 reader: boot sector, the first FAT in memory, directories, cluster runs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/util.h"
#include "format/fat.h"

#define RUN_MAX (8u << 20)     /* bytes read at once from a run of clusters */
#define FAT_EOC 0x0FFFFFF8u
#define ATTR_DIR 0x10
#define ATTR_VOLUME 0x08
#define ATTR_LFN 0x0F

struct hydra_fat {
	int fd;
	uint64_t offset;            /* of the file system on FD */
	uint32_t cluster_bytes;
	uint64_t data_start;        /* byte offset of cluster 2 within the file system */
	uint32_t clusters;          /* number of data clusters */
	uint32_t root;
	uint32_t *fat;              /* the first FAT, little-endian entries */
	int cached;                 /* FD reads through the page cache: read ahead */
	unsigned char *buf;         /* RUN_MAX bytes, aligned for O_DIRECT */
};

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

static int read_at(struct hydra_fat *f, void *buf, size_t len, uint64_t off)
{
	return hydra_pread_full(f->fd, buf, len, f->offset + off);
}

/* The boot sector's numbers, checked before anything is read by them. */
static int parse_boot(struct hydra_fat *f, const unsigned char *s, uint64_t *fat_off,
		      uint64_t *fat_bytes)
{
	uint32_t bps = le16(s + 11), spc = s[13], reserved = le16(s + 14), nfats = s[16];
	uint32_t total = le16(s + 19) ? le16(s + 19) : le32(s + 32), fatsz = le32(s + 36);
	uint64_t meta;

	if (s[510] != 0x55 || s[511] != 0xAA || le16(s + 17) != 0 || le16(s + 22) != 0)
		return -EINVAL;
	if ((bps != 512 && bps != 1024 && bps != 2048 && bps != 4096) || !spc || (spc & (spc - 1)) ||
	    !reserved || !nfats || !fatsz || spc * bps > (32u << 20))
		return -EINVAL;
	meta = reserved + (uint64_t)nfats * fatsz;
	if (total <= meta)
		return -EINVAL;
	f->cluster_bytes = spc * bps;
	f->data_start = meta * bps;
	f->clusters = (uint32_t)((total - meta) / spc);
	/* A FAT must hold an entry for every cluster, plus the two reserved ones. */
	if ((uint64_t)fatsz * bps / 4 < (uint64_t)f->clusters + 2 || f->clusters < 1)
		return -EINVAL;
	f->root = le32(s + 44);
	*fat_off = (uint64_t)reserved * bps;
	*fat_bytes = (uint64_t)fatsz * bps;
	return 0;
}

int hydra_fat_open(int fd, uint64_t offset, struct hydra_fat **out)
{
	struct hydra_fat *f = calloc(1, sizeof(*f));
	uint64_t fat_off, fat_bytes;
	int r;

	*out = NULL;
	if (!f || posix_memalign((void **)&f->buf, 4096, RUN_MAX)) {
		free(f);
		return -ENOMEM;
	}
	f->fd = fd;
	f->offset = offset;
	f->cached = !(fcntl(fd, F_GETFL) & O_DIRECT);
	r = read_at(f, f->buf, 4096, 0);
	if (!r)
		r = parse_boot(f, f->buf, &fat_off, &fat_bytes);
	if (!r && posix_memalign((void **)&f->fat, 4096, fat_bytes))
		r = -ENOMEM;
	if (!r)
		r = read_at(f, f->fat, fat_bytes, fat_off);
	if (r) {
		hydra_fat_free(f);
		return r;
	}
	*out = f;
	return 0;
}

void hydra_fat_free(struct hydra_fat *f)
{
	if (!f)
		return;
	free(f->fat);
	free(f->buf);
	free(f);
}

static int valid(const struct hydra_fat *f, uint32_t c)
{
	return c >= 2 && c - 2 < f->clusters;
}

static uint32_t next(const struct hydra_fat *f, uint32_t c)
{
	return le32((const unsigned char *)&f->fat[c]) & 0x0FFFFFFF;
}

/*
 * Clusters from C on, in runs of contiguous clusters of at most RUN_MAX
 * bytes; FN gets each run's bytes. LIMIT bytes at most are handed over (the
 * file size; UINT64_MAX for a directory). A loop or a chain leaving the FAT is -EIO.
 */
static int walk(struct hydra_fat *f, uint32_t c, uint64_t limit, hydra_fat_data_fn fn, void *ud)
{
	uint32_t steps = 0;
	uint64_t done = 0;

	while (done < limit && c < FAT_EOC) {
		uint32_t first = c, n = 0;
		size_t len;
		int r;

		if (!valid(f, c))
			return -EIO;
		/* Extend the run while the next cluster follows on the disk. */
		do {
			uint32_t nx = next(f, c);

			n++;
			if (++steps > f->clusters)
				return -EIO;
			/* A next cluster past the last is not read: the outer loop refuses it. */
			if (nx != c + 1 || !valid(f, nx) ||
			    (uint64_t)(n + 1) * f->cluster_bytes > RUN_MAX) {
				c = nx;
				break;
			}
			c = nx;
		} while ((uint64_t)n * f->cluster_bytes < limit - done);
		len = (size_t)n * f->cluster_bytes;
		r = read_at(f, f->buf, len, f->data_start + (uint64_t)(first - 2) * f->cluster_bytes);
		if (r)
			return r;
		/* Files are mostly contiguous: the disk reads on while this run is used. */
		if (f->cached && c < FAT_EOC && valid(f, c))
			posix_fadvise(f->fd, (off_t)(f->offset + f->data_start +
						     (uint64_t)(c - 2) * f->cluster_bytes),
				      RUN_MAX, POSIX_FADV_WILLNEED);
		if (len > limit - done)
			len = (size_t)(limit - done);
		r = fn(f->buf, len, ud);
		if (r)
			return r;
		done += len;
	}
	return done < limit && limit != UINT64_MAX ? -EIO : 0;
}

struct dirbuf {
	unsigned char *data;
	size_t len, cap;
};

/* A FAT directory holds at most 65536 entries of 32 bytes: a longer chain is broken. */
#define DIR_MAX (65536u * 32)

static int collect(const void *buf, size_t len, void *ud)
{
	struct dirbuf *d = ud;

	if (d->len + len > DIR_MAX)
		return -EIO;
	if (d->len + len > d->cap) {
		size_t cap = d->cap ? d->cap : 4096;
		unsigned char *nd;

		while (cap < d->len + len)
			cap *= 2;
		nd = realloc(d->data, cap);
		if (!nd)
			return -ENOMEM;
		d->data = nd;
		d->cap = cap;
	}
	memcpy(d->data + d->len, buf, len);
	d->len += len;
	return 0;
}

static unsigned char short_sum(const unsigned char *e)
{
	unsigned char sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (unsigned char)(((sum & 1) << 7) + (sum >> 1) + e[i]);
	return sum;
}

/* "NAME.EXT" of an 8.3 entry, lower case where the entry says so (as Windows NT writes it). */
static void short_name(const unsigned char *e, char *out)
{
	size_t n = 0;

	for (int i = 0; i < 8 && e[i] != ' '; i++)
		out[n++] = (char)((e[12] & 0x08) && e[i] >= 'A' && e[i] <= 'Z' ? e[i] + 32 : e[i]);
	if (n && out[0] == 0x05)
		out[0] = (char)0xE5;
	if (e[8] != ' ')
		out[n++] = '.';
	for (int i = 8; i < 11 && e[i] != ' '; i++)
		out[n++] = (char)((e[12] & 0x10) && e[i] >= 'A' && e[i] <= 'Z' ? e[i] + 32 : e[i]);
	out[n] = '\0';
}

/* Thirteen characters of a long name entry into NAME at its place; non-ASCII becomes '?'. */
static void long_part(const unsigned char *e, char name[256])
{
	static const int at[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
	int base = ((e[0] & 0x1F) - 1) * 13;

	for (int i = 0; i < 13 && base + i < 255; i++) {
		uint32_t ch = le16(e + at[i]);

		if (ch == 0 || ch == 0xFFFF) {
			name[base + i] = '\0';
			break;
		}
		name[base + i] = ch < 0x80 ? (char)ch : '?';
	}
}

/* NAME in the directory DIR: its entry into OUT. */
static int find(const struct dirbuf *dir, const char *name, size_t name_len,
		struct hydra_fat_file *out)
{
	char lname[256] = "", sname[13];
	int lsum = -1;

	for (size_t off = 0; off + 32 <= dir->len; off += 32) {
		const unsigned char *e = dir->data + off;

		if (e[0] == 0)
			break;
		if (e[0] == 0xE5) {
			lsum = -1;
			continue;
		}
		if (e[11] == ATTR_LFN) {
			if (e[0] & 0x40) {
				memset(lname, 0, sizeof(lname));
				lsum = e[13];
			}
			if ((e[0] & 0x1F) && lsum == e[13])
				long_part(e, lname);
			continue;
		}
		if (!(e[11] & ATTR_VOLUME)) {
			int has_long = lsum >= 0 && lsum == short_sum(e) && lname[0];

			short_name(e, sname);
			if ((has_long && strlen(lname) == name_len && !strncasecmp(lname, name, name_len)) ||
			    (strlen(sname) == name_len && !strncasecmp(sname, name, name_len))) {
				out->cluster = le16(e + 26) | le16(e + 20) << 16;
				out->size = le32(e + 28);
				out->is_dir = !!(e[11] & ATTR_DIR);
				return 0;
			}
		}
		lsum = -1;
	}
	return -ENOENT;
}

int hydra_fat_lookup(struct hydra_fat *f, const char *path, struct hydra_fat_file *out)
{
	struct hydra_fat_file cur = { .cluster = f->root, .is_dir = 1 };
	int r = 0;

	while (*path == '/')
		path++;
	while (!r && *path) {
		size_t len = strcspn(path, "/");
		struct dirbuf d = { 0 };

		if (!cur.is_dir)
			return -ENOTDIR;
		r = walk(f, cur.cluster, UINT64_MAX, collect, &d);
		if (!r)
			r = find(&d, path, len, &cur);
		free(d.data);
		path += len;
		while (*path == '/')
			path++;
	}
	if (!r)
		*out = cur;
	return r;
}

int hydra_fat_read(struct hydra_fat *f, const struct hydra_fat_file *file, hydra_fat_data_fn fn,
		   void *ud)
{
	if (!file->size)
		return 0;
	return walk(f, file->cluster, file->size, fn, ud);
}
