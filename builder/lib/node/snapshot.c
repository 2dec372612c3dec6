/* Snapshots of the data layer: tar.zst written and read with libarchive, a JSON header first. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>

#include "base/hydra.h"
#include "base/util.h"
#include "format/hwdb.h"
#include "node/datacopy.h"
#include "node/overlay.h"
#include "node/snapshot.h"

#define FORMAT 1

static char *header_json(const struct hydra_snapshot_info *info)
{
	struct json_object *o = json_object_new_object();
	char *text;

	json_object_object_add(o, "format", json_object_new_int(FORMAT));
	json_object_object_add(o, "node", json_object_new_string(info->node));
	json_object_object_add(o, "image", json_object_new_string(info->image));
	json_object_object_add(o, "created", json_object_new_int64(info->created));
	json_object_object_add(o, "entries", json_object_new_int64((int64_t)info->entries));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)info->bytes));
	text = hydra_strdupf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return text;
}

static int write_header(struct archive *a, const struct hydra_snapshot_info *info)
{
	struct archive_entry *e = archive_entry_new();
	char *text = header_json(info);
	int r = e && text ? 0 : -ENOMEM;

	if (!r) {
		archive_entry_set_pathname(e, HYDRA_SNAPSHOT_HEADER);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0600);
		archive_entry_set_size(e, (la_int64_t)strlen(text));
		archive_entry_set_mtime(e, info->created, 0);
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    archive_write_data(a, text, strlen(text)) != (la_ssize_t)strlen(text))
			r = -EIO;
	}
	archive_entry_free(e);
	free(text);
	return r;
}

int hydra_snapshot_write(const char *src, const char *out, struct hydra_snapshot_info *info,
			 hydra_progress_fn progress, void *ud)
{
	struct archive *a = archive_write_new();
	struct hydra_tree_count c;
	char *tmp = hydra_strdupf("%s.tmp", out);
	int r = a && tmp ? 0 : -ENOMEM;

	if (!r)
		r = hydra_tree_count(src, &c);
	if (!r) {
		info->entries = c.entries;
		info->bytes = c.bytes;
		archive_write_set_format_pax(a);
		archive_write_add_filter_zstd(a);
		if (archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
			hydra_err("cannot write '%s': %s", tmp, archive_error_string(a));
			r = -EIO;
		}
	}
	if (!r)
		r = write_header(a, info);
	if (!r)
		r = hydra_tree_stream(src, a, "", 0, progress, ud);
	if (!r && archive_write_close(a) != ARCHIVE_OK) {
		hydra_err("cannot finish '%s': %s", tmp, archive_error_string(a));
		r = -EIO;
	}
	if (a)
		archive_write_free(a);
	if (!r && rename(tmp, out) < 0) {
		r = -errno;
		hydra_err("cannot rename '%s' to '%s': %s", tmp, out, strerror(errno));
	}
	if (r && tmp)
		unlink(tmp);
	free(tmp);
	return r;
}

/* A header field that is out of range names itself: the rest of the archive is not read. */
static int bad_field(const char *path, const char *field)
{
	hydra_err("'%s' is not a hydra snapshot: its header's '%s' is missing or out of range",
		  path, field);
	return -EINVAL;
}

/* An integer field within [MIN, MAX]; JSON numbers past int64 are refused, not clamped. */
static int int_field(struct json_object *o, const char *key, int64_t min, int64_t max,
		     int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -EINVAL;
	errno = 0;
	*out = json_object_get_int64(v);
	return errno || *out < min || *out > max ? -EINVAL : 0;
}

static int text_field(struct json_object *o, const char *key, char *out, size_t len)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return -EINVAL;
	s = json_object_get_string(v);
	if (strlen(s) >= len)
		return -EINVAL;
	snprintf(out, len, "%s", s);
	return 0;
}

/* Sixteen hex digits, or "unknown" for a snapshot taken off a node. */
static int image_ok(const char *id)
{
	return !strcmp(id, "unknown") || (strlen(id) == 16 && strspn(id, "0123456789abcdef") == 16);
}

static int parse_header(const char *text, const char *path, struct hydra_snapshot_info *info)
{
	struct json_object *o = json_tokener_parse(text);
	int64_t format = 0, entries = 0, bytes = 0;
	int r = -EINVAL;

	memset(info, 0, sizeof(*info));
	if (!o || int_field(o, "format", FORMAT, FORMAT, &format))
		hydra_err("'%s' is not a hydra snapshot: its header is not format %d", path, FORMAT);
	else if (text_field(o, "node", info->node, sizeof(info->node)) ||
		 !hydra_node_name_valid(info->node))
		r = bad_field(path, "node");
	else if (text_field(o, "image", info->image, sizeof(info->image)) || !image_ok(info->image))
		r = bad_field(path, "image");
	else if (int_field(o, "created", 0, HYDRA_SNAPSHOT_TIME_MAX, &info->created))
		r = bad_field(path, "created");
	else if (int_field(o, "entries", 0, INT64_MAX, &entries))
		r = bad_field(path, "entries");
	else if (int_field(o, "bytes", 0, INT64_MAX, &bytes))
		r = bad_field(path, "bytes");
	else
		r = 0;
	info->entries = (uint64_t)entries;
	info->bytes = (uint64_t)bytes;
	json_object_put(o);
	return r;
}

static struct archive *open_read(const char *path)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	archive_read_support_format_tar(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		hydra_err("cannot open snapshot '%s': %s", path, archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* The header, and its own size (a regular file of the archive, not of the tree). */
static int read_header(const char *path, struct hydra_snapshot_info *info, uint64_t *size)
{
	struct archive *a = open_read(path);
	struct archive_entry *e;
	char text[4096];
	la_ssize_t n;
	int r = -EINVAL, first;

	if (!a)
		return -EIO;
	first = archive_read_next_header(a, &e) == ARCHIVE_OK &&
		!strcmp(archive_entry_pathname(e), HYDRA_SNAPSHOT_HEADER);
	if (first && archive_entry_size(e) >= (la_int64_t)sizeof(text)) {
		hydra_err("'%s' is not a hydra snapshot: its header is larger than %zu bytes", path,
			  sizeof(text) - 1);
	} else if (first && (n = archive_read_data(a, text, sizeof(text) - 1)) >= 0) {
		text[n] = '\0';
		r = parse_header(text, path, info);
		*size = (uint64_t)n;
	} else {
		hydra_err("'%s' is not a hydra snapshot: it does not start with %s", path,
			  HYDRA_SNAPSHOT_HEADER);
	}
	archive_read_free(a);
	return r;
}

int hydra_snapshot_read_info(const char *path, struct hydra_snapshot_info *info)
{
	uint64_t size;

	return read_header(path, info, &size);
}

/* Empty but for lost+found, which a new ext4 has. */
static int empty_dir(const char *dest)
{
	DIR *d = opendir(dest);
	struct dirent *de;
	int r = 0;

	if (!d) {
		return hydra_err_errno("cannot open '%s'", dest);
	}
	while (!r && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, "lost+found"))
			r = -ENOTEMPTY;
	closedir(d);
	if (r)
		hydra_err("refusing to restore into '%s': it is not empty", dest);
	return r;
}

static int extract_one(struct archive *a, struct archive *disk, struct archive_entry *e,
		       const char *dest)
{
	const char *hard = archive_entry_hardlink(e);
	const char *name = archive_entry_pathname(e);
	char *full = strcmp(name, ".") && strcmp(name, "./") ? hydra_path_join(dest, name) :
		     strdup(dest);
	char *hfull = hard ? hydra_path_join(dest, hard) : NULL;
	const void *buf;
	size_t len;
	la_int64_t off;
	int r = full && (!hard || hfull) ? 0 : -ENOMEM, ar = ARCHIVE_OK;

	if (!r) {
		archive_entry_set_pathname(e, full);
		if (hfull)
			archive_entry_set_hardlink(e, hfull);
		if (archive_write_header(disk, e) < ARCHIVE_WARN)
			r = -EIO;
	}
	while (!r && (ar = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
		if (archive_write_data_block(disk, buf, len, off) < ARCHIVE_OK)
			r = -EIO;
	if (!r && (ar != ARCHIVE_EOF || archive_write_finish_entry(disk) < ARCHIVE_WARN))
		r = -EIO;
	if (r)
		hydra_err("cannot restore '%s': %s", full ? full : name,
			  archive_error_string(disk) ? archive_error_string(disk) :
			  archive_error_string(a));
	free(full);
	free(hfull);
	return r;
}

static int extract(const char *path, const char *dest)
{
	struct archive *a = open_read(path), *disk = archive_write_disk_new();
	struct archive_entry *e;
	int r = a && disk ? 0 : -EIO, ar = ARCHIVE_OK;

	if (disk)
		archive_write_disk_set_options(disk, (int)hydra_data_extract_flags());
	while (!r && (ar = archive_read_next_header(a, &e)) == ARCHIVE_OK)
		if (strcmp(archive_entry_pathname(e), HYDRA_SNAPSHOT_HEADER))
			r = extract_one(a, disk, e, dest);
	if (!r && (ar != ARCHIVE_EOF || archive_write_close(disk) != ARCHIVE_OK))
		r = -EIO;
	if (a)
		archive_read_free(a);
	if (disk)
		archive_write_free(disk);
	return r;
}

/*
 * The header must describe the archive it heads, checked before anything is
 * written: one entry more (the header), and bytes between the regular
 * files' sum and that sum with every hard link as large as the largest file
 * (a tree counts a hard-linked file once per name; the archive stores it once).
 */
static int header_matches(const char *path, const struct hydra_snapshot_info *info,
			  uint64_t header, const struct hydra_archive_count *a)
{
	uint64_t least = a->bytes - header;
	unsigned __int128 most = (unsigned __int128)a->hard_links * a->largest + least;

	if (a->entries == info->entries + 1 && info->bytes >= least && info->bytes <= most)
		return 0;
	hydra_err("'%s' does not hold what its header lists: %llu entries and at least %llu "
		  "bytes, not %llu and %llu", path, (unsigned long long)(a->entries - 1),
		  (unsigned long long)least, (unsigned long long)info->entries,
		  (unsigned long long)info->bytes);
	return -EBADMSG;
}

int hydra_snapshot_restore(const char *path, const char *dest)
{
	struct hydra_snapshot_info info;
	struct hydra_archive_count a;
	struct hydra_tree_count c;
	uint64_t header = 0;
	int r = read_header(path, &info, &header);

	if (!r)
		r = hydra_archive_check(path, "snapshot", archive_read_support_filter_all, &a);
	if (!r)
		r = header_matches(path, &info, header, &a);
	if (!r)
		r = empty_dir(dest);
	if (!r)
		r = extract(path, dest);
	if (!r)
		r = hydra_tree_count(dest, &c);
	/* A new ext4's lost+found may be there besides what the snapshot holds. */
	if (!r && (c.bytes != info.bytes || c.entries < info.entries ||
		   c.entries > info.entries + 1)) {
		hydra_err("'%s' does not hold what snapshot '%s' lists: %llu entries and %llu "
			  "bytes, not %llu and %llu", dest, path, (unsigned long long)c.entries,
			  (unsigned long long)c.bytes, (unsigned long long)info.entries,
			  (unsigned long long)info.bytes);
		r = -EBADMSG;
	}
	return r;
}
