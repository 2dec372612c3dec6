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
#include "format/fat_layout.h"

#define RUN_MAX (8u << 20)     /* bytes read at once from a run of clusters */

struct hydra_fat {
	int fd;
	uint64_t offset;            /* of the file system on FD */
	uint32_t cluster_bytes;
	uint64_t data_start;        /* byte offset of the first cluster within the file system */
	uint32_t clusters;          /* number of data clusters */
	uint32_t root;
	uint32_t *fat;              /* the first FAT, entries as on the disk */
	int cached;                 /* FD reads through the page cache: read ahead */
	unsigned char *buf;         /* buf_len bytes, aligned for O_DIRECT */
	size_t buf_len;             /* RUN_MAX, or less for a smaller file system */
};

static int read_at(struct hydra_fat *f, void *buf, size_t len, uint64_t off)
{
	return hydra_pread_full(f->fd, buf, len, f->offset + off);
}

/*
 * A FAT is as large as its clusters need, rounded up, and mkfs sizes it from
 * the clusters there would be without the FATs: at most that many entries
 * more. Anything larger is damage (or a lie that would make us allocate it).
 */
static int fat_size_ok(uint32_t fatsz, uint32_t bps, uint32_t spc, uint64_t total,
		       uint32_t reserved)
{
	uint64_t most = (total - reserved) / spc + FAT_FIRST_CLUSTER;

	return fatsz <= (most * sizeof(uint32_t) + bps - 1) / bps + 1;
}

/* The boot sector's numbers, checked before anything is read by them. */
static int parse_boot(struct hydra_fat *f, const void *sector, uint64_t room, uint64_t *fat_off,
		      uint64_t *fat_bytes)
{
	struct fat_boot_sector b;
	uint32_t bps, spc, reserved, nfats, total, fatsz;
	uint64_t meta;

	memcpy(&b, sector, sizeof(b));
	bps = le16toh(b.bytes_per_sector);
	spc = b.sectors_per_cluster;
	reserved = le16toh(b.reserved_sectors);
	nfats = b.fats;
	total = b.sectors16 ? le16toh(b.sectors16) : le32toh(b.sectors32);
	fatsz = le32toh(b.fat32_length);
	/* A FAT12/16 has a root directory of its own and its FAT's size in fat16_length. */
	if (le16toh(b.signature) != FAT_BOOT_SIGNATURE || b.root_entries || b.fat16_length)
		return -EINVAL;
	if ((bps != 512 && bps != 1024 && bps != 2048 && bps != 4096) || !spc || (spc & (spc - 1)) ||
	    !reserved || !nfats || !fatsz || spc * bps > (32u << 20))
		return -EINVAL;
	meta = reserved + (uint64_t)nfats * fatsz;
	if (total <= meta)
		return -EINVAL;
	/* A FAT32 from here on: numbers that do not add up are a damaged one. */
	if ((uint64_t)total * bps > room || !fat_size_ok(fatsz, bps, spc, total, reserved))
		return -EBADMSG;
	f->cluster_bytes = spc * bps;
	f->data_start = meta * bps;
	f->clusters = (uint32_t)((total - meta) / spc);
	/* A FAT must hold an entry for every cluster, plus the two reserved ones. */
	if ((uint64_t)fatsz * bps / sizeof(*f->fat) < (uint64_t)f->clusters + FAT_FIRST_CLUSTER ||
	    f->clusters < 1)
		return -EBADMSG;
	f->root = le32toh(b.root_cluster);
	*fat_off = (uint64_t)reserved * bps;
	*fat_bytes = (uint64_t)fatsz * bps;
	return 0;
}

int hydra_fat_open(int fd, uint64_t offset, struct hydra_fat **out)
{
	struct hydra_fat *f = calloc(1, sizeof(*f));
	uint64_t fat_off, fat_bytes, room = 0;
	int r;

	*out = NULL;
	if (!f)
		return -ENOMEM;
	f->fd = fd;
	f->offset = offset;
	f->cached = !(fcntl(fd, F_GETFL) & O_DIRECT);
	r = hydra_fd_bytes(fd, &room);
	if (!r && room <= offset)
		r = -EINVAL;
	/*
	 * A run is never longer than the file system, which ends before ROOM
	 * (parse_boot): a small one gets a small buffer, in whole pages, room
	 * for the boot sector's 4096 bytes included.
	 */
	if (!r) {
		f->buf_len = room - offset < RUN_MAX ? (size_t)(room - offset) : RUN_MAX;
		f->buf_len = f->buf_len < 4096 ? 4096 : (f->buf_len + 4095) / 4096 * 4096;
		if (posix_memalign((void **)&f->buf, 4096, f->buf_len))
			r = -ENOMEM;
	}
	if (!r)
		r = read_at(f, f->buf, 4096, 0);
	if (!r)
		r = parse_boot(f, f->buf, room - offset, &fat_off, &fat_bytes);
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
	return c >= FAT_FIRST_CLUSTER && c - FAT_FIRST_CLUSTER < f->clusters;
}

static uint64_t cluster_off(const struct hydra_fat *f, uint32_t c)
{
	return f->data_start + (uint64_t)(c - FAT_FIRST_CLUSTER) * f->cluster_bytes;
}

static uint32_t next(const struct hydra_fat *f, uint32_t c)
{
	return le32toh(f->fat[c]) & FAT32_CLUSTER_MASK;
}

/*
 * Clusters from C on, in runs of contiguous clusters of at most buf_len
 * bytes; FN gets each run's bytes. LIMIT bytes at most are handed over (the
 * file size; UINT64_MAX for a directory). A loop or a chain leaving the FAT is -EIO.
 */
static int walk(struct hydra_fat *f, uint32_t c, uint64_t limit, hydra_fat_data_fn fn, void *ud)
{
	uint32_t steps = 0;
	uint64_t done = 0;

	while (done < limit && c < FAT32_EOC_MIN) {
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
			    (uint64_t)(n + 1) * f->cluster_bytes > f->buf_len) {
				c = nx;
				break;
			}
			c = nx;
		} while ((uint64_t)n * f->cluster_bytes < limit - done);
		len = (size_t)n * f->cluster_bytes;
		r = read_at(f, f->buf, len, cluster_off(f, first));
		if (r)
			return r;
		/* Files are mostly contiguous: the disk reads on while this run is used. */
		if (f->cached && c < FAT32_EOC_MIN && valid(f, c))
			posix_fadvise(f->fd, (off_t)(f->offset + cluster_off(f, c)), RUN_MAX,
				      POSIX_FADV_WILLNEED);
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

/* A longer directory is a broken chain. */
#define DIR_MAX (FAT_DIR_SLOTS_MAX * sizeof(union fat_slot))

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

static char name_char(uint8_t c, int lower)
{
	return (char)(lower && c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* "NAME.EXT" of an 8.3 entry, lower case where the entry says so (as Windows NT writes it). */
static void short_name(const struct fat_dirent *e, char *out)
{
	size_t n = 0;

	for (unsigned i = 0; i < FAT_SHORT_BASE && e->name[i] != ' '; i++)
		out[n++] = name_char(e->name[i], e->lcase & FAT_LCASE_BASE);
	if (n && (uint8_t)out[0] == FAT_SLOT_E5)
		out[0] = (char)FAT_SLOT_FREE;
	if (e->name[FAT_SHORT_BASE] != ' ')
		out[n++] = '.';
	for (unsigned i = FAT_SHORT_BASE; i < FAT_SHORT_LEN && e->name[i] != ' '; i++)
		out[n++] = name_char(e->name[i], e->lcase & FAT_LCASE_EXT);
	out[n] = '\0';
}

/* Thirteen characters of a long name entry into NAME at its place; non-ASCII becomes '?'. */
static void long_part(const struct fat_lfn *l, char name[FAT_LFN_MAX + 1])
{
	unsigned base = ((l->seq & FAT_LFN_SEQ) - 1) * FAT_LFN_CHARS;

	for (unsigned i = 0; i < FAT_LFN_CHARS && base + i < FAT_LFN_MAX; i++) {
		uint16_t ch = fat_lfn_char(l, i);

		if (ch == 0 || ch == FAT_LFN_PAD) {
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
	char lname[FAT_LFN_MAX + 1] = "", sname[FAT_SHORT_LEN + 2];    /* "NAME.EXT" */
	union fat_slot e;
	int lsum = -1;

	for (size_t off = 0; off + sizeof(e) <= dir->len; off += sizeof(e)) {
		memcpy(&e, dir->data + off, sizeof(e));
		if (e.d.name[0] == FAT_SLOT_END)
			break;
		if (e.d.name[0] == FAT_SLOT_FREE) {
			lsum = -1;
			continue;
		}
		if (e.d.attr == FAT_ATTR_LFN) {
			if (e.l.seq & FAT_LFN_LAST) {
				memset(lname, 0, sizeof(lname));
				lsum = e.l.checksum;
			}
			if ((e.l.seq & FAT_LFN_SEQ) && lsum == e.l.checksum)
				long_part(&e.l, lname);
			continue;
		}
		if (!(e.d.attr & FAT_ATTR_VOLUME)) {
			int has_long = lsum >= 0 && lsum == fat_short_sum(e.d.name) && lname[0];

			short_name(&e.d, sname);
			if ((has_long && strlen(lname) == name_len && !strncasecmp(lname, name, name_len)) ||
			    (strlen(sname) == name_len && !strncasecmp(sname, name, name_len))) {
				out->cluster = fat_dirent_cluster(&e.d);
				out->size = le32toh(e.d.size);
				out->is_dir = !!(e.d.attr & FAT_ATTR_DIR);
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

struct whole {
	char *buf;
	size_t len;
};

static int into_whole(const void *data, size_t len, void *ud)
{
	struct whole *w = ud;

	memcpy(w->buf + w->len, data, len);
	w->len += len;
	return 0;
}

int hydra_fat_read_whole(struct hydra_fat *f, const struct hydra_fat_file *file, size_t max,
			 char **buf, size_t *len)
{
	struct whole w = { 0 };
	int r;

	*buf = NULL;
	if (file->size > max)
		return -EFBIG;
	w.buf = malloc((size_t)file->size + 1);
	if (!w.buf)
		return -ENOMEM;
	/* walk hands over exactly the file's size, never more. */
	r = hydra_fat_read(f, file, into_whole, &w);
	if (r) {
		free(w.buf);
		return r;
	}
	w.buf[w.len] = '\0';
	*buf = w.buf;
	if (len)
		*len = w.len;
	return 0;
}

int hydra_fat_sectors(struct hydra_fat *f, const struct hydra_fat_file *file, uint64_t *out,
		      size_t max, size_t *n)
{
	uint64_t want = (file->size + 511) / 512, per = f->cluster_bytes / 512;
	uint32_t c = file->cluster, steps = 0;

	*n = 0;
	if (want > max)
		return -E2BIG;
	while (*n < want) {
		if (!valid(f, c) || ++steps > f->clusters)
			return -EIO;
		for (uint64_t k = 0; k < per && *n < want; k++)
			out[(*n)++] = cluster_off(f, c) / 512 + k;
		c = next(f, c);
	}
	return 0;
}
