/*
 * A FAT32 formatter and writer. Clusters are handed out in order: the root
 * directory first, then each directory and file as it comes, every file in
 * one contiguous run; directories grow by a cluster at a time. Directory
 * contents, FATs, FSInfo and boot sectors are held in memory and written
 * by hydra_fatmk_finish.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "format/fatmk.h"

#define RESERVED 32u            /* sectors before the first FAT, as mkfs.fat makes them */
#define NFATS 2u
#define BUF_BYTES (8u << 20)
#define EOC 0x0FFFFFFFu
#define ATTR_VOLUME 0x08
#define ATTR_DIR 0x10
#define ATTR_ARCHIVE 0x20
#define ATTR_LFN 0x0F

struct dir {
	char *path;                 /* "" for the root */
	uint32_t *clusters;
	size_t n_clusters;
	unsigned char *ents;
	size_t len, cap;
	char **names;               /* long names of the entries, for lookups */
	size_t n_names;
};

struct hydra_fatmk {
	int fd;
	struct hydra_fatmk_opts o;
	uint32_t total, fatsz, clusters, cluster_bytes, next;
	uint64_t data_start;        /* bytes from the partition start */
	uint32_t *fat;
	struct dir **dirs;
	size_t n_dirs;
	unsigned char *buf;
	uint16_t date, time;
};

static void put16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xFFFF);
	put16(p + 2, v >> 16);
}

static int write_at(struct hydra_fatmk *w, const void *buf, size_t len, uint64_t off)
{
	return hydra_pwrite_full(w->fd, buf, len, w->o.offset + off);
}

static uint64_t cluster_off(const struct hydra_fatmk *w, uint32_t c)
{
	return w->data_start + (uint64_t)(c - 2) * w->cluster_bytes;
}

/* N contiguous clusters chained to each other; the first, or 0 when full. */
static uint32_t alloc_run(struct hydra_fatmk *w, uint32_t n)
{
	uint32_t first = w->next;

	if (!n || n > w->clusters + 2 - first)
		return 0;
	for (uint32_t c = first; c < first + n - 1; c++)
		w->fat[c] = c + 1;
	w->fat[first + n - 1] = EOC;
	w->next += n;
	return first;
}

/* The DOS date and time of the epoch, in UTC; 1980 at the earliest. */
static void dos_time(int64_t t, uint16_t *date, uint16_t *tm)
{
	time_t tt = t < 315532800 ? 315532800 : (time_t)t;
	struct tm g;

	gmtime_r(&tt, &g);
	if (g.tm_year > 207)
		g.tm_year = 207;
	*date = (uint16_t)((g.tm_year - 80) << 9 | (g.tm_mon + 1) << 5 | g.tm_mday);
	*tm = (uint16_t)(g.tm_hour << 11 | g.tm_min << 5 | g.tm_sec / 2);
}

static int dir_grow(struct hydra_fatmk *w, struct dir *d, size_t need)
{
	while (d->len + need > d->n_clusters * w->cluster_bytes) {
		uint32_t c = alloc_run(w, 1);
		uint32_t *nc = realloc(d->clusters, (d->n_clusters + 1) * sizeof(*nc));

		if (!c)
			return -ENOSPC;
		if (!nc)
			return -ENOMEM;
		d->clusters = nc;
		if (d->n_clusters)
			w->fat[d->clusters[d->n_clusters - 1]] = c;
		d->clusters[d->n_clusters++] = c;
	}
	if (d->len + need > d->cap) {
		size_t cap = (d->len + need) * 2;
		unsigned char *ne = realloc(d->ents, cap);

		if (!ne)
			return -ENOMEM;
		memset(ne + d->cap, 0, cap - d->cap);
		d->ents = ne;
		d->cap = cap;
	}
	return 0;
}

static void short_entry(struct hydra_fatmk *w, unsigned char *e, const char name[11],
			unsigned attr, uint32_t cluster, uint32_t size)
{
	memcpy(e, name, 11);
	e[11] = (unsigned char)attr;
	put16(e + 14, w->time);
	put16(e + 16, w->date);
	put16(e + 18, w->date);
	put16(e + 20, cluster >> 16);
	put16(e + 22, w->time);
	put16(e + 24, w->date);
	put16(e + 26, cluster & 0xFFFF);
	put32(e + 28, size);
}

static int short_char(int c)
{
	if (c >= 'a' && c <= 'z')
		return c - 32;
	if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c >= 128 && c <= 255) ||
	    strchr("$%'-_@~`!(){}^#&", c))
		return c;
	return '_';
}

/* NAME as an 8.3 name when it is one exactly (upper case, no long name needed). */
static int exact_short(const char *name, char out[11])
{
	const char *dot = strrchr(name, '.');
	size_t base = dot ? (size_t)(dot - name) : strlen(name), ext = dot ? strlen(dot + 1) : 0;

	if (!base || base > 8 || ext > 3 || (dot && !ext))
		return 0;
	memset(out, ' ', 11);
	for (size_t i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];

		if (name + i == dot)
			continue;
		if (c >= 128 || short_char(c) != c || c == '.')
			return 0;
		out[name + i < dot || !dot ? i : 8 + (i - base - 1)] = (char)c;
	}
	return 1;
}

static int short_taken(const struct dir *d, const char name[11])
{
	for (size_t off = 0; off + 32 <= d->len; off += 32)
		if (d->ents[off + 11] != ATTR_LFN && !memcmp(d->ents + off, name, 11))
			return 1;
	return 0;
}

/* An alias BASIS~N.EXT no other entry of D has. */
static int short_alias(const struct dir *d, const char *name, char out[11])
{
	const char *dot = strrchr(name, '.');
	char basis[8];
	size_t nb = 0;

	if (dot == name)
		dot = NULL;
	for (const char *p = name; *p && (!dot || p < dot) && nb < 6; p++)
		if (*p != '.' && *p != ' ')
			basis[nb++] = (char)short_char((unsigned char)*p);
	if (!nb)
		basis[nb++] = '_';
	for (unsigned n = 1; n < 1000000; n++) {
		char tail[8];
		int tl = snprintf(tail, sizeof(tail), "~%u", n);
		size_t keep = nb + (size_t)tl > 8 ? 8 - (size_t)tl : nb;

		memset(out, ' ', 11);
		memcpy(out, basis, keep);
		memcpy(out + keep, tail, (size_t)tl);
		for (size_t i = 0; dot && dot[1 + i] && i < 3; i++)
			out[8 + i] = (char)short_char((unsigned char)dot[1 + i]);
		if (!short_taken(d, out))
			return 0;
	}
	return -EEXIST;
}

static unsigned char short_sum(const char name[11])
{
	unsigned char sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (unsigned char)(((sum & 1) << 7) + (sum >> 1) + (unsigned char)name[i]);
	return sum;
}

/* The long-name entries for NAME, last part first, as the format wants them. */
static void long_entries(unsigned char *e, const char *name, size_t n, unsigned char sum)
{
	static const int at[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
	size_t len = strlen(name);

	for (size_t k = 0; k < n; k++) {
		size_t part = n - k;    /* 1-based */
		unsigned char *p = e + 32 * k;

		memset(p, 0, 32);
		p[0] = (unsigned char)(part | (k == 0 ? 0x40 : 0));
		p[11] = ATTR_LFN;
		p[13] = sum;
		for (int i = 0; i < 13; i++) {
			size_t ci = (part - 1) * 13 + (size_t)i;
			uint32_t ch = ci < len ? (unsigned char)name[ci] : ci == len ? 0 : 0xFFFF;

			put16(p + at[i], ch);
		}
	}
}

static int add_entry(struct hydra_fatmk *w, struct dir *d, const char *name, unsigned attr,
		     uint32_t cluster, uint32_t size)
{
	char sn[11], **nn;
	int exact = exact_short(name, sn), r;
	size_t n_long = exact ? 0 : (strlen(name) + 12) / 13;

	for (size_t i = 0; i < d->n_names; i++)
		if (!strcasecmp(d->names[i], name))
			return -EEXIST;
	if (strlen(name) > 255 || !name[0] || strchr(name, '/'))
		return -EINVAL;
	if (exact && short_taken(d, sn))
		return -EEXIST;
	if (!exact && (r = short_alias(d, name, sn)))
		return r;
	r = dir_grow(w, d, 32 * (n_long + 1));
	if (r)
		return r;
	nn = realloc(d->names, (d->n_names + 1) * sizeof(*nn));
	if (!nn)
		return -ENOMEM;
	d->names = nn;
	if (!(nn[d->n_names] = strdup(name)))
		return -ENOMEM;
	d->n_names++;
	long_entries(d->ents + d->len, name, n_long, short_sum(sn));
	d->len += 32 * n_long;
	short_entry(w, d->ents + d->len, sn, attr, cluster, size);
	d->len += 32;
	return 0;
}

static void dir_free(struct dir *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_names; i++)
		free(d->names[i]);
	free(d->names);
	free(d->clusters);
	free(d->ents);
	free(d->path);
	free(d);
}

/* A directory with its first cluster; "." and ".." unless it is the root. */
static struct dir *new_dir(struct hydra_fatmk *w, const char *path, size_t len, struct dir *parent)
{
	struct dir *d = calloc(1, sizeof(*d)), **v = realloc(w->dirs, (w->n_dirs + 1) * sizeof(*v));
	static const char dot[11] = ".          ", dotdot[11] = "..         ";

	if (v)
		w->dirs = v;
	if (!d || !v || !(d->path = strndup(path, len)) || dir_grow(w, d, 32)) {
		dir_free(d);
		return NULL;
	}
	if (parent) {
		/* ".." of a directory in the root names cluster 0, whatever the root's is. */
		uint32_t up = parent->path[0] ? parent->clusters[0] : 0;

		dir_grow(w, d, 64);
		short_entry(w, d->ents, dot, ATTR_DIR, d->clusters[0], 0);
		short_entry(w, d->ents + 32, dotdot, ATTR_DIR, up, 0);
		d->len = 64;
	}
	w->dirs[w->n_dirs++] = d;
	return d;
}

/* The directory of the first LEN bytes of PATH, made with its parents when missing. */
static int get_dir(struct hydra_fatmk *w, const char *path, size_t len, struct dir **out)
{
	struct dir *parent = w->dirs[0];
	const char *slash;
	int r;

	for (size_t i = 0; i < w->n_dirs; i++)
		if (strlen(w->dirs[i]->path) == len && !strncasecmp(w->dirs[i]->path, path, len)) {
			*out = w->dirs[i];
			return 0;
		}
	slash = memrchr(path, '/', len);
	if (slash) {
		r = get_dir(w, path, (size_t)(slash - path), &parent);
		if (r)
			return r;
	}
	*out = new_dir(w, path, len, parent);
	if (!*out)
		return -ENOMEM;
	{
		char *name = strndup(slash ? slash + 1 : path, slash ? len - (size_t)(slash + 1 - path) : len);

		r = name ? add_entry(w, parent, name, ATTR_DIR, (*out)->clusters[0], 0) : -ENOMEM;
		free(name);
	}
	return r;
}

int hydra_fatmk_begin(int fd, const struct hydra_fatmk_opts *o, struct hydra_fatmk **out)
{
	struct hydra_fatmk *w = calloc(1, sizeof(*w));
	uint32_t spc = o->cluster_sectors;
	char label[11];
	int r = 0;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->o = *o;
	if (!spc || (spc & (spc - 1)) || spc > 128 || o->bytes / 512 > 0xFFFFFFFFu ||
	    o->offset % 512) {
		free(w);
		return -EINVAL;
	}
	w->total = (uint32_t)(o->bytes / 512);
	w->cluster_bytes = spc * 512;
	/* The FATs' size and the clusters they map depend on each other: settle both. */
	for (w->fatsz = 1;;) {
		uint64_t meta = RESERVED + (uint64_t)NFATS * w->fatsz, need;

		if (w->total <= meta + spc) {
			free(w);
			return -ENOSPC;
		}
		w->clusters = (uint32_t)((w->total - meta) / spc);
		need = ((uint64_t)w->clusters + 2) * 4;
		need = (need + 511) / 512;
		if (need <= w->fatsz)
			break;
		w->fatsz = (uint32_t)need;
	}
	/* Fewer clusters than this and every reader takes it for FAT16. */
	if (w->clusters < 65525 || w->clusters > 0x0FFFFFF4) {
		free(w);
		return -EINVAL;
	}
	w->data_start = (uint64_t)(RESERVED + NFATS * w->fatsz) * 512;
	w->fat = calloc((size_t)w->clusters + 2, sizeof(*w->fat));
	if (!w->fat || posix_memalign((void **)&w->buf, 4096, BUF_BYTES)) {
		hydra_fatmk_free(w);
		return -ENOMEM;
	}
	w->fat[0] = 0x0FFFFFF8;
	w->fat[1] = EOC;
	w->next = 2;
	dos_time(o->time, &w->date, &w->time);
	if (!new_dir(w, "", 0, NULL)) {
		hydra_fatmk_free(w);
		return -ENOMEM;
	}
	memset(label, ' ', sizeof(label));
	for (size_t i = 0; o->label && o->label[i] && i < 11; i++)
		label[i] = (char)short_char((unsigned char)o->label[i]);
	/* The volume label as an entry of the root, where blkid and Windows look for it too. */
	short_entry(w, w->dirs[0]->ents, label, ATTR_VOLUME, 0, 0);
	put16(w->dirs[0]->ents + 14, 0);
	put16(w->dirs[0]->ents + 16, 0);
	put16(w->dirs[0]->ents + 18, 0);
	w->dirs[0]->len = 32;
	*out = w;
	return r;
}

int hydra_fatmk_add(struct hydra_fatmk *w, const char *path, int src_fd, uint64_t size)
{
	uint32_t n = (uint32_t)((size + w->cluster_bytes - 1) / w->cluster_bytes), first = 0;
	const char *slash;
	struct dir *d = w->dirs[0];
	int r;

	while (*path == '/')
		path++;
	slash = strrchr(path, '/');
	if (size > 0xFFFFFFFFu)
		return -EFBIG;
	if (slash && (r = get_dir(w, path, (size_t)(slash - path), &d)))
		return r;
	if (n && !(first = alloc_run(w, n)))
		return -ENOSPC;
	r = add_entry(w, d, slash ? slash + 1 : path, ATTR_ARCHIVE, first, (uint32_t)size);
	for (uint64_t done = 0; !r && done < size;) {
		size_t len = size - done < BUF_BYTES ? (size_t)(size - done) : BUF_BYTES;
		/* The last cluster padded with zeros: the same file, the same bytes on the disk. */
		size_t padded = (len + w->cluster_bytes - 1) / w->cluster_bytes * w->cluster_bytes;

		r = hydra_pread_full(src_fd, w->buf, len, done);
		if (!r) {
			memset(w->buf + len, 0, padded - len);
			r = write_at(w, w->buf, padded, cluster_off(w, first) + done);
		}
		done += len;
	}
	return r;
}

/* Boot sector: the numbers of this file system; syslinux adds its code around them. */
static void boot_sector(const struct hydra_fatmk *w, unsigned char *s)
{
	memset(s, 0, 512);
	memcpy(s, "\xEB\x58\x90" "HYDRA   ", 11);
	put16(s + 11, 512);
	s[13] = (unsigned char)w->o.cluster_sectors;
	put16(s + 14, RESERVED);
	s[16] = NFATS;
	s[21] = 0xF8;
	put16(s + 24, 63);          /* geometry only old BIOSes read */
	put16(s + 26, 255);
	put32(s + 28, (uint32_t)(w->o.offset / 512));
	put32(s + 32, w->total);
	put32(s + 36, w->fatsz);
	put32(s + 44, w->dirs[0]->clusters[0]);
	put16(s + 48, 1);           /* FSInfo */
	put16(s + 50, 6);           /* backup boot sector */
	s[64] = 0x80;
	s[66] = 0x29;
	put32(s + 67, w->o.volid);
	memcpy(s + 71, w->dirs[0]->ents, 11);
	memcpy(s + 82, "FAT32   ", 8);
	s[510] = 0x55;
	s[511] = 0xAA;
}

static void fsinfo(const struct hydra_fatmk *w, unsigned char *s)
{
	memset(s, 0, 512);
	put32(s, 0x41615252);
	put32(s + 484, 0x61417272);
	put32(s + 488, w->clusters + 2 - w->next);
	put32(s + 492, w->next);
	put32(s + 508, 0xAA550000);
}

static int write_dirs(struct hydra_fatmk *w)
{
	for (size_t i = 0; i < w->n_dirs; i++) {
		struct dir *d = w->dirs[i];

		for (size_t k = 0; k < d->n_clusters; k++) {
			size_t at = k * w->cluster_bytes;
			size_t have = d->len > at ? d->len - at : 0;
			int r;

			if (have > w->cluster_bytes)
				have = w->cluster_bytes;
			memset(w->buf, 0, w->cluster_bytes);
			memcpy(w->buf, d->ents + at, have);
			r = write_at(w, w->buf, w->cluster_bytes, cluster_off(w, d->clusters[k]));
			if (r)
				return r;
		}
	}
	return 0;
}

int hydra_fatmk_finish(struct hydra_fatmk *w)
{
	size_t fat_bytes = (size_t)w->fatsz * 512;
	unsigned char *fat = NULL, *reserved = w->buf;
	int r = posix_memalign((void **)&fat, 4096, fat_bytes) ? -ENOMEM : write_dirs(w);

	if (fat)
		memset(fat, 0, fat_bytes);
	for (uint32_t c = 0; fat && c < w->clusters + 2; c++)
		put32(fat + 4 * c, w->fat[c]);
	for (uint32_t i = 0; !r && i < NFATS; i++)
		r = write_at(w, fat, fat_bytes, (RESERVED + (uint64_t)i * w->fatsz) * 512);
	free(fat);
	if (r)
		return r;
	/* Boot sector and FSInfo, and their backups at sectors 6 and 7. */
	memset(reserved, 0, RESERVED * 512);
	boot_sector(w, reserved);
	fsinfo(w, reserved + 512);
	memcpy(reserved + 6 * 512, reserved, 1024);
	return write_at(w, reserved, RESERVED * 512, 0);
}

void hydra_fatmk_free(struct hydra_fatmk *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_dirs; i++)
		dir_free(w->dirs[i]);
	free(w->dirs);
	free(w->fat);
	free(w->buf);
	free(w);
}
