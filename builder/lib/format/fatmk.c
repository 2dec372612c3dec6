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
#include "format/fat_layout.h"
#include "format/fatmk.h"

#define RESERVED 32u            /* sectors before the first FAT, as mkfs.fat makes them */
#define NFATS 2u
#define FSINFO_SECTOR 1u
#define BACKUP_SECTOR 6u        /* of the boot sector and FSInfo, as mkfs.fat puts them */
#define BUF_BYTES (8u << 20)

struct dir {
	char *path;                 /* "" for the root */
	uint32_t *clusters;
	size_t n_clusters;
	union fat_slot *ents;       /* long-name and 8.3 entries, as on the disk */
	size_t n_ents, cap;         /* slots used and held */
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

static int write_at(struct hydra_fatmk *w, const void *buf, size_t len, uint64_t off)
{
	return hydra_pwrite_full(w->fd, buf, len, w->o.offset + off);
}

static uint64_t cluster_off(const struct hydra_fatmk *w, uint32_t c)
{
	return w->data_start + (uint64_t)(c - FAT_FIRST_CLUSTER) * w->cluster_bytes;
}

/* N contiguous clusters chained to each other; the first, or 0 when full. */
static uint32_t alloc_run(struct hydra_fatmk *w, uint32_t n)
{
	uint32_t first = w->next;

	if (!n || n > w->clusters + FAT_FIRST_CLUSTER - first)
		return 0;
	for (uint32_t c = first; c < first + n - 1; c++)
		w->fat[c] = c + 1;
	w->fat[first + n - 1] = FAT32_EOC;
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

/*
 * Room in D for NEED more slots: clusters on the disk and memory for their
 * entries. -ENOSPC past FAT_DIR_SLOTS_MAX, where readers (fat.c too) stop.
 */
static int dir_grow(struct hydra_fatmk *w, struct dir *d, size_t need)
{
	size_t per_cluster = w->cluster_bytes / sizeof(union fat_slot);

	if (d->n_ents + need > FAT_DIR_SLOTS_MAX)
		return -ENOSPC;
	while (d->n_ents + need > d->n_clusters * per_cluster) {
		/* Kept at once: realloc may have freed the old list, whatever fails next. */
		uint32_t *nc = realloc(d->clusters, (d->n_clusters + 1) * sizeof(*nc));
		uint32_t c;

		if (!nc)
			return -ENOMEM;
		d->clusters = nc;
		/* Taken only once it can be recorded, so that no cluster is lost. */
		c = alloc_run(w, 1);
		if (!c)
			return -ENOSPC;
		if (d->n_clusters)
			w->fat[d->clusters[d->n_clusters - 1]] = c;
		d->clusters[d->n_clusters++] = c;
	}
	if (d->n_ents + need > d->cap) {
		size_t cap = (d->n_ents + need) * 2;
		union fat_slot *ne = realloc(d->ents, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		d->ents = ne;
		d->cap = cap;
	}
	return 0;
}

/* An 8.3 entry; every date on it is the file system's time. */
static void short_entry(const struct hydra_fatmk *w, struct fat_dirent *e,
			const char name[FAT_SHORT_LEN], unsigned attr, uint32_t cluster,
			uint32_t size)
{
	*e = (struct fat_dirent){ .attr = (uint8_t)attr };
	memcpy(e->name, name, sizeof(e->name));
	e->ctime = e->mtime = htole16(w->time);
	e->cdate = e->adate = e->mdate = htole16(w->date);
	fat_dirent_set_cluster(e, cluster);
	e->size = htole32(size);
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
static int exact_short(const char *name, char out[FAT_SHORT_LEN])
{
	const char *dot = strrchr(name, '.');
	size_t base = dot ? (size_t)(dot - name) : strlen(name), ext = dot ? strlen(dot + 1) : 0;

	if (!base || base > FAT_SHORT_BASE || ext > FAT_SHORT_EXT || (dot && !ext))
		return 0;
	memset(out, ' ', FAT_SHORT_LEN);
	for (size_t i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];

		if (name + i == dot)
			continue;
		if (c >= 128 || short_char(c) != c || c == '.')
			return 0;
		out[name + i < dot || !dot ? i : FAT_SHORT_BASE + (i - base - 1)] = (char)c;
	}
	return 1;
}

static int short_taken(const struct dir *d, const char name[FAT_SHORT_LEN])
{
	for (size_t i = 0; i < d->n_ents; i++) {
		const struct fat_dirent *e = &d->ents[i].d;

		if (e->attr != FAT_ATTR_LFN && !memcmp(e->name, name, FAT_SHORT_LEN))
			return 1;
	}
	return 0;
}

/* An alias BASIS~N.EXT no other entry of D has. */
static int short_alias(const struct dir *d, const char *name, char out[FAT_SHORT_LEN])
{
	const char *dot = strrchr(name, '.');
	char basis[FAT_SHORT_BASE];
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
		size_t keep = nb + (size_t)tl > FAT_SHORT_BASE ? FAT_SHORT_BASE - (size_t)tl : nb;

		memset(out, ' ', FAT_SHORT_LEN);
		memcpy(out, basis, keep);
		memcpy(out + keep, tail, (size_t)tl);
		for (size_t i = 0; dot && dot[1 + i] && i < FAT_SHORT_EXT; i++)
			out[FAT_SHORT_BASE + i] = (char)short_char((unsigned char)dot[1 + i]);
		if (!short_taken(d, out))
			return 0;
	}
	return -EEXIST;
}

/*
 * The N long-name entries for NAME into E, last part first, as the format
 * wants them: one byte a character, a NUL after the last, 0xFFFF padding.
 */
static void long_entries(union fat_slot *e, const char *name, size_t n, uint8_t sum)
{
	size_t len = strlen(name);

	for (size_t k = 0; k < n; k++) {
		size_t part = n - k;    /* 1-based */
		struct fat_lfn *l = &e[k].l;

		*l = (struct fat_lfn){ .seq = (uint8_t)(part | (k == 0 ? FAT_LFN_LAST : 0)),
				       .attr = FAT_ATTR_LFN, .checksum = sum };
		for (unsigned i = 0; i < FAT_LFN_CHARS; i++) {
			size_t ci = (part - 1) * FAT_LFN_CHARS + i;
			uint16_t ch = ci < len ? (unsigned char)name[ci] : 0;

			fat_lfn_set_char(l, i, ci > len ? FAT_LFN_PAD : ch);
		}
	}
}

static int add_entry(struct hydra_fatmk *w, struct dir *d, const char *name, unsigned attr,
		     uint32_t cluster, uint32_t size)
{
	char sn[FAT_SHORT_LEN], **nn;
	struct fat_dirent *e;
	int exact = exact_short(name, sn), r;
	size_t n_long = exact ? 0 : (strlen(name) + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS;

	for (size_t i = 0; i < d->n_names; i++)
		if (!strcasecmp(d->names[i], name))
			return -EEXIST;
	if (strlen(name) > FAT_LFN_MAX || !name[0] || strchr(name, '/'))
		return -EINVAL;
	if (exact && short_taken(d, sn))
		return -EEXIST;
	if (!exact && (r = short_alias(d, name, sn)))
		return r;
	r = dir_grow(w, d, n_long + 1);
	if (r)
		return r;
	nn = realloc(d->names, (d->n_names + 1) * sizeof(*nn));
	if (!nn)
		return -ENOMEM;
	d->names = nn;
	if (!(nn[d->n_names] = strdup(name)))
		return -ENOMEM;
	d->n_names++;
	/* The 8.3 entry first: the long-name entries before it carry its checksum. */
	e = &d->ents[d->n_ents + n_long].d;
	short_entry(w, e, sn, attr, cluster, size);
	long_entries(d->ents + d->n_ents, name, n_long, fat_short_sum(e->name));
	d->n_ents += n_long + 1;
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

/* A directory with its first cluster into OUT; "." and ".." unless it is the root. */
static int new_dir(struct hydra_fatmk *w, const char *path, size_t len, struct dir *parent,
		   struct dir **out)
{
	static const char dot[FAT_SHORT_LEN] = ".          ", dotdot[FAT_SHORT_LEN] = "..         ";
	struct dir *d = calloc(1, sizeof(*d)), **v = realloc(w->dirs, (w->n_dirs + 1) * sizeof(*v));
	int r = d && v && (d->path = strndup(path, len)) ? 0 : -ENOMEM;

	if (v)
		w->dirs = v;
	if (!r)
		r = dir_grow(w, d, parent ? 2 : 1);
	if (r) {
		dir_free(d);
		return r;
	}
	if (parent) {
		/* ".." of a directory in the root names cluster 0, whatever the root's is. */
		uint32_t up = parent->path[0] ? parent->clusters[0] : 0;

		short_entry(w, &d->ents[0].d, dot, FAT_ATTR_DIR, d->clusters[0], 0);
		short_entry(w, &d->ents[1].d, dotdot, FAT_ATTR_DIR, up, 0);
		d->n_ents = 2;
	}
	w->dirs[w->n_dirs++] = d;
	*out = d;
	return 0;
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
	r = new_dir(w, path, len, parent, out);
	if (r)
		return r;
	{
		char *name = strndup(slash ? slash + 1 : path, slash ? len - (size_t)(slash + 1 - path) : len);

		r = name ? add_entry(w, parent, name, FAT_ATTR_DIR, (*out)->clusters[0], 0)
			 : -ENOMEM;
		free(name);
	}
	return r;
}

/* The FATs' size and the number of clusters, from the options; -EINVAL unless a FAT32. */
static int geometry(struct hydra_fatmk *w)
{
	const struct hydra_fatmk_opts *o = &w->o;
	uint32_t spc = o->cluster_sectors;

	if (!spc || (spc & (spc - 1)) || spc > 128 || o->bytes / 512 > 0xFFFFFFFFu ||
	    o->offset % 512)
		return -EINVAL;
	w->total = (uint32_t)(o->bytes / 512);
	w->cluster_bytes = spc * 512;
	/* The FATs' size and the clusters they map depend on each other: settle both. */
	for (w->fatsz = 1;;) {
		uint64_t meta = RESERVED + (uint64_t)NFATS * w->fatsz, need;

		if (w->total <= meta + spc)
			return -ENOSPC;
		w->clusters = (uint32_t)((w->total - meta) / spc);
		need = ((uint64_t)w->clusters + FAT_FIRST_CLUSTER) * sizeof(*w->fat);
		need = (need + 511) / 512;
		if (need <= w->fatsz)
			break;
		w->fatsz = (uint32_t)need;
	}
	if (w->clusters < FAT32_CLUSTERS_MIN || w->clusters > FAT32_CLUSTERS_MAX)
		return -EINVAL;
	w->data_start = (uint64_t)(RESERVED + NFATS * w->fatsz) * 512;
	return 0;
}

/* The root directory, its first entry the volume label, where blkid and Windows look too. */
static int root_dir(struct hydra_fatmk *w)
{
	struct fat_dirent *vol;
	struct dir *root;
	char label[FAT_SHORT_LEN];
	int r = new_dir(w, "", 0, NULL, &root);

	if (r)
		return r;
	memset(label, ' ', sizeof(label));
	for (size_t i = 0; w->o.label && w->o.label[i] && i < FAT_SHORT_LEN; i++)
		label[i] = (char)short_char((unsigned char)w->o.label[i]);
	vol = &root->ents[0].d;
	short_entry(w, vol, label, FAT_ATTR_VOLUME, 0, 0);
	vol->ctime = vol->cdate = vol->adate = 0;
	root->n_ents = 1;
	return 0;
}

int hydra_fatmk_begin(int fd, const struct hydra_fatmk_opts *o, struct hydra_fatmk **out)
{
	struct hydra_fatmk *w = calloc(1, sizeof(*w));
	int r;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->o = *o;
	r = geometry(w);
	if (r) {
		free(w);
		return r;
	}
	w->fat = calloc((size_t)w->clusters + FAT_FIRST_CLUSTER, sizeof(*w->fat));
	if (!w->fat || posix_memalign((void **)&w->buf, 4096, BUF_BYTES))
		r = -ENOMEM;
	if (!r) {
		w->fat[0] = FAT32_FAT0;
		w->fat[1] = FAT32_EOC;
		w->next = FAT_FIRST_CLUSTER;
		dos_time(o->time, &w->date, &w->time);
		r = root_dir(w);
	}
	if (r) {
		hydra_fatmk_free(w);
		return r;
	}
	*out = w;
	return 0;
}

/*
 * The file's whole clusters are copied by the kernel where both ends let it
 * (copy_file_range: an image file; a file system that can share the blocks
 * shares them), which takes neither a copy into this process nor zeros for
 * a buffer. The return: whole clusters' bytes copied so, from 0, fewer when
 * it stopped or could not start (a disk, another file system); the rest goes
 * by the buffer.
 */
static uint64_t copy_range(struct hydra_fatmk *w, int src_fd, uint64_t whole, uint64_t at)
{
	loff_t in = 0, out = (loff_t)(w->o.offset + at);
	uint64_t done = 0;

	while (done < whole) {
		ssize_t n = copy_file_range(src_fd, &in, w->fd, &out, (size_t)(whole - done), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (uint64_t)n;
	}
	return done / w->cluster_bytes * w->cluster_bytes;
}

/*
 * PATH's directory entry with ATTR, and a run of clusters for its SIZE bytes
 * into *FIRST (0 for an empty file): what every file added takes first.
 */
static int place(struct hydra_fatmk *w, const char *path, uint64_t size, unsigned attr,
		 uint32_t *first)
{
	uint32_t n = (uint32_t)((size + w->cluster_bytes - 1) / w->cluster_bytes);
	const char *slash;
	struct dir *d = w->dirs[0];
	int r;

	*first = 0;
	while (*path == '/')
		path++;
	slash = strrchr(path, '/');
	if (slash && (r = get_dir(w, path, (size_t)(slash - path), &d)))
		return r;
	if (n && !(*first = alloc_run(w, n)))
		return -ENOSPC;
	return add_entry(w, d, slash ? slash + 1 : path, attr, *first, (uint32_t)size);
}

int hydra_fatmk_add(struct hydra_fatmk *w, const char *path, int src_fd, uint64_t size)
{
	uint32_t first;
	uint64_t done;
	int r;

	if (size > 0xFFFFFFFFu)
		return -EFBIG;
	r = place(w, path, size, FAT_ATTR_ARCHIVE, &first);
	done = r || !first ? 0 : copy_range(w, src_fd, size / w->cluster_bytes * w->cluster_bytes,
					    cluster_off(w, first));
	while (!r && done < size) {
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

int hydra_fatmk_add_placed(struct hydra_fatmk *w, const char *path, size_t size, unsigned flags,
			   hydra_fatmk_fill_fn fill, void *ud)
{
	unsigned attr = FAT_ATTR_ARCHIVE |
			(flags & F_FATMK_SYSTEM ? FAT_ATTR_READ_ONLY | FAT_ATTR_HIDDEN |
			 FAT_ATTR_SYSTEM : 0);
	size_t padded = (size + w->cluster_bytes - 1) / w->cluster_bytes * w->cluster_bytes;
	uint32_t first;
	int r;

	if (size > BUF_BYTES)
		return -EFBIG;
	r = place(w, path, size, attr, &first);
	if (r || !first)
		return r;
	memset(w->buf, 0, padded);
	r = fill(cluster_off(w, first) / 512, w->buf, size, ud);
	return r ? r : write_at(w, w->buf, padded, cluster_off(w, first));
}

/* Boot sector: the numbers of this file system; syslinux adds its code around them. */
static void boot_sector(const struct hydra_fatmk *w, void *out)
{
	struct fat_boot_sector b = {
		/* A short jump over the BPB to the boot code, and a NOP. */
		.jump = { 0xEB, offsetof(struct fat_boot_sector, boot_code) - 2, 0x90 },
		.bytes_per_sector = htole16(512),
		.sectors_per_cluster = (uint8_t)w->o.cluster_sectors,
		.reserved_sectors = htole16(RESERVED),
		.fats = NFATS,
		.media = FAT_MEDIA_FIXED,
		.sectors_per_track = htole16(63),
		.heads = htole16(255),
		.hidden_sectors = htole32((uint32_t)(w->o.offset / 512)),
		.sectors32 = htole32(w->total),
		.fat32_length = htole32(w->fatsz),
		.root_cluster = htole32(w->dirs[0]->clusters[0]),
		.fsinfo_sector = htole16(FSINFO_SECTOR),
		.backup_boot = htole16(BACKUP_SECTOR),
		.drive_number = 0x80,
		.boot_signature = FAT_EXT_BOOT_SIG,
		.volume_id = htole32(w->o.volid),
		.signature = htole16(FAT_BOOT_SIGNATURE),
	};

	memcpy(b.oem_name, "HYDRA   ", sizeof(b.oem_name));
	memcpy(b.label, w->dirs[0]->ents[0].d.name, sizeof(b.label));
	memcpy(b.fs_type, "FAT32   ", sizeof(b.fs_type));
	memcpy(out, &b, sizeof(b));
}

static void fsinfo(const struct hydra_fatmk *w, void *out)
{
	struct fat_fsinfo s = {
		.lead_signature = htole32(FAT_FSINFO_LEAD),
		.struct_signature = htole32(FAT_FSINFO_STRUCT),
		.free_clusters = htole32(w->clusters + FAT_FIRST_CLUSTER - w->next),
		.next_free = htole32(w->next),
		.trail_signature = htole32(FAT_FSINFO_TRAIL),
	};

	memcpy(out, &s, sizeof(s));
}

static int write_dirs(struct hydra_fatmk *w)
{
	for (size_t i = 0; i < w->n_dirs; i++) {
		struct dir *d = w->dirs[i];

		for (size_t k = 0; k < d->n_clusters; k++) {
			size_t at = k * w->cluster_bytes, len = d->n_ents * sizeof(*d->ents);
			size_t have = len > at ? len - at : 0;
			int r;

			if (have > w->cluster_bytes)
				have = w->cluster_bytes;
			memset(w->buf, 0, w->cluster_bytes);
			if (have)
				memcpy(w->buf, (const unsigned char *)d->ents + at, have);
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
	unsigned char *reserved = w->buf;
	uint32_t *fat = NULL;
	int r = posix_memalign((void **)&fat, 4096, fat_bytes) ? -ENOMEM : write_dirs(w);

	if (fat)
		memset(fat, 0, fat_bytes);
	for (uint32_t c = 0; fat && c < w->clusters + FAT_FIRST_CLUSTER; c++)
		fat[c] = htole32(w->fat[c]);
	for (uint32_t i = 0; !r && i < NFATS; i++)
		r = write_at(w, fat, fat_bytes, (RESERVED + (uint64_t)i * w->fatsz) * 512);
	free(fat);
	if (r)
		return r;
	/* Boot sector and FSInfo, and their backups at sectors 6 and 7. */
	memset(reserved, 0, RESERVED * 512);
	boot_sector(w, reserved);
	fsinfo(w, reserved + FSINFO_SECTOR * 512);
	memcpy(reserved + BACKUP_SECTOR * 512, reserved, (FSINFO_SECTOR + 1) * 512);
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
