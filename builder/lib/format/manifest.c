/* /hydra/MANIFEST: the list of what a medium carries, and its image id. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/hydra.h"
#include "base/util.h"
#include "format/manifest.h"

#define MANIFEST_MAGIC "hydra-manifest 1"

void hydra_manifest_free(struct hydra_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_files; i++)
		free(m->files[i].path);
	free(m->files);
	free(m->id);
	free(m->recipe);
	free(m->version);
	free(m->cmdline);
	free(m);
}

static int add_file(struct hydra_manifest *m, const char *path, uint64_t size,
		    const unsigned char *sha)
{
	struct hydra_manifest_file *f;

	f = realloc(m->files, (m->n_files + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	m->files = f;
	f = &m->files[m->n_files];
	f->path = strdup(path);
	if (!f->path)
		return -ENOMEM;
	f->size = size;
	memcpy(f->sha256, sha, HYDRA_SHA256_LEN);
	m->n_files++;
	return 0;
}

/* A payload path is relative and plain: no "." or ".." parts, no spaces. */
static int path_ok(const char *p)
{
	if (!*p || *p == '/')
		return 0;
	for (const char *c = p; *c; c++)
		if (*c <= ' ' || *c == 0x7f || *c == '\\')
			return 0;
	for (const char *c = p;;) {
		size_t n = strcspn(c, "/");

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		if (!c[n])
			return 1;
		c += n + 1;
	}
}

static int set_str(char **dst, const char *v, unsigned line, const char *key)
{
	if (*dst) {
		hydra_err("MANIFEST:%u: '%s' given twice", line, key);
		return -EBADMSG;
	}
	*dst = strdup(v);
	return *dst ? 0 : -ENOMEM;
}

static int parse_file_line(struct hydra_manifest *m, char *v, unsigned line)
{
	unsigned char sha[HYDRA_SHA256_LEN];
	char *hex, *size, *path, *end, *save = NULL;
	unsigned long long sz;

	hex = strtok_r(v, " ", &save);
	size = strtok_r(NULL, " ", &save);
	path = strtok_r(NULL, "", &save);
	if (!hex || !size || !path || strlen(hex) != 2 * HYDRA_SHA256_LEN ||
	    hydra_unhex(hex, sha, HYDRA_SHA256_LEN) < 0) {
		hydra_err("MANIFEST:%u: expected 'file SHA256 SIZE PATH'", line);
		return -EBADMSG;
	}
	errno = 0;
	sz = strtoull(size, &end, 10);
	if (errno || *end || *size == '-') {
		hydra_err("MANIFEST:%u: bad size '%s'", line, size);
		return -EBADMSG;
	}
	if (!path_ok(path)) {
		hydra_err("MANIFEST:%u: bad path '%s'", line, path);
		return -EBADMSG;
	}
	if (m->n_files && strcmp(m->files[m->n_files - 1].path, path) >= 0) {
		hydra_err("MANIFEST:%u: '%s' out of order or listed twice", line, path);
		return -EBADMSG;
	}
	return add_file(m, path, sz, sha);
}

static int parse_line(struct hydra_manifest *m, char *s, unsigned line)
{
	char *v = strchr(s, ' ');
	char *end;

	if (!v) {
		hydra_err("MANIFEST:%u: expected 'KEY VALUE'", line);
		return -EBADMSG;
	}
	*v++ = '\0';
	if (!strcmp(s, "file"))
		return parse_file_line(m, v, line);
	if (!strcmp(s, "id"))
		return set_str(&m->id, v, line, s);
	if (!strcmp(s, "recipe"))
		return set_str(&m->recipe, v, line, s);
	if (!strcmp(s, "version"))
		return set_str(&m->version, v, line, s);
	if (!strcmp(s, "cmdline"))
		return set_str(&m->cmdline, v, line, s);
	if (!strcmp(s, "built")) {
		errno = 0;
		m->built = strtoll(v, &end, 10);
		if (errno || *end || m->built < 0) {
			hydra_err("MANIFEST:%u: bad build time '%s'", line, v);
			return -EBADMSG;
		}
		return 0;
	}
	/* Newer writers may add keys; an older reader ignores them. */
	hydra_debug("MANIFEST:%u: ignoring unknown key '%s'", line, s);
	return 0;
}

int hydra_manifest_parse(const char *buf, size_t len, struct hydra_manifest **out)
{
	struct hydra_manifest *m = calloc(1, sizeof(*m));
	char *copy = NULL, *s, *nl;
	unsigned line = 0;
	int r = -ENOMEM;

	if (!m || !(copy = strndup(buf, len)))
		goto out;
	r = -EBADMSG;
	if (strlen(copy) != len) {
		hydra_err("MANIFEST: not a text file");
		goto out;
	}
	for (s = copy; *s; s = nl) {
		nl = strchr(s, '\n');
		if (!nl) {
			hydra_err("MANIFEST:%u: truncated (no final newline)", line + 1);
			goto out;
		}
		*nl++ = '\0';
		line++;
		if (line == 1) {
			if (strcmp(s, MANIFEST_MAGIC)) {
				hydra_err("MANIFEST:1: not a hydra manifest (expected '%s')", MANIFEST_MAGIC);
				goto out;
			}
			continue;
		}
		r = parse_line(m, s, line);
		if (r)
			goto out;
		r = -EBADMSG;
	}
	if (!m->id || strlen(m->id) != HYDRA_ID_LEN) {
		hydra_err("MANIFEST: missing or malformed image id");
		goto out;
	}
	if (!m->cmdline && !(m->cmdline = strdup("")))
		goto out;
	*out = m;
	m = NULL;
	r = 0;
out:
	free(copy);
	hydra_manifest_free(m);
	return r;
}

int hydra_manifest_format(const struct hydra_manifest *m, char **buf, size_t *len)
{
	char hex[HYDRA_SHA256_HEX];
	char *b = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&b, &n);

	if (!f)
		return -ENOMEM;
	fprintf(f, "%s\nid %s\n", MANIFEST_MAGIC, m->id);
	if (m->recipe)
		fprintf(f, "recipe %s\n", m->recipe);
	fprintf(f, "built %" PRId64 "\n", m->built);
	fprintf(f, "version %s\n", m->version ? m->version : HYDRA_VERSION);
	fprintf(f, "cmdline %s\n", m->cmdline ? m->cmdline : "");
	for (size_t i = 0; i < m->n_files; i++) {
		hydra_hex(m->files[i].sha256, HYDRA_SHA256_LEN, hex);
		fprintf(f, "file %s %" PRIu64 " %s\n", hex, m->files[i].size, m->files[i].path);
	}
	if (fclose(f) != 0) {
		free(b);
		return -ENOMEM;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* Files the writer makes per medium, and the manifest itself, are not payload. */
static int is_payload(const char *rel)
{
	return strcmp(rel, "syslinux") && strcmp(rel, "EFI") &&
	       strcmp(rel, HYDRA_MANIFEST_PATH) && strcmp(rel, HYDRA_MANIFEST_PATH ".sig");
}

struct scan {
	struct hydra_manifest *m;
	const struct hydra_manifest_known *known;
	size_t n_known;
};

/* The SHA-256 known for REL, when the file there is the very file it was known for. */
static const unsigned char *known_sha(const struct scan *s, const char *rel, const struct stat *st)
{
	for (size_t i = 0; i < s->n_known; i++) {
		const struct hydra_manifest_known *k = &s->known[i];

		if (!strcmp(k->path, rel) && k->dev == (uint64_t)st->st_dev &&
		    k->ino == (uint64_t)st->st_ino && k->size == (uint64_t)st->st_size)
			return k->sha256;
	}
	return NULL;
}

static int scan_entry(const char *full, const char *rel, const struct stat *st, void *ud)
{
	struct scan *s = ud;
	struct hydra_manifest *m = s->m;
	unsigned char sha[HYDRA_SHA256_LEN];
	const unsigned char *known;
	uint64_t size;
	int r;

	if (!is_payload(rel))
		return 1;
	if (S_ISDIR(st->st_mode))
		return 0;
	if (!S_ISREG(st->st_mode) || !path_ok(rel)) {
		hydra_err("cannot carry '%s' on a medium: only plain files with plain names", full);
		return -EINVAL;
	}
	known = known_sha(s, rel, st);
	if (known)
		return add_file(m, rel, (uint64_t)st->st_size, known);
	r = hydra_sha256_file(full, sha, &size);
	if (r) {
		hydra_err("cannot read '%s': %s", full, strerror(-r));
		return r;
	}
	return add_file(m, rel, size, sha);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct hydra_manifest_file *)a)->path,
		      ((const struct hydra_manifest_file *)b)->path);
}

/* The id names the content: SHA-256 of the MANIFEST with the id blanked. */
int hydra_manifest_id(const struct hydra_manifest *m, char id[HYDRA_ID_LEN + 1])
{
	struct hydra_manifest blank = *m;
	unsigned char sha[HYDRA_SHA256_LEN];
	char hex[HYDRA_SHA256_HEX];
	char zeros[] = "0000000000000000";
	char *buf = NULL;
	size_t len;
	int r;

	blank.id = zeros;
	r = hydra_manifest_format(&blank, &buf, &len);
	if (r)
		return r;
	hydra_sha256_buf(buf, len, sha);
	free(buf);
	hydra_hex(sha, HYDRA_SHA256_LEN, hex);
	memcpy(id, hex, HYDRA_ID_LEN);
	id[HYDRA_ID_LEN] = '\0';
	return 0;
}

/* The same payload always gets the same id. */
static int compute_id(struct hydra_manifest *m)
{
	char id[HYDRA_ID_LEN + 1];
	int r = hydra_manifest_id(m, id);

	if (r)
		return r;
	free(m->id);
	m->id = strdup(id);
	return m->id ? 0 : -ENOMEM;
}

int hydra_manifest_scan(const char *root, const char *recipe, const char *cmdline,
			int64_t built, struct hydra_manifest **out)
{
	return hydra_manifest_scan_known(root, recipe, cmdline, built, NULL, 0, out);
}

int hydra_manifest_scan_known(const char *root, const char *recipe, const char *cmdline,
			      int64_t built, const struct hydra_manifest_known *known,
			      size_t n_known, struct hydra_manifest **out)
{
	struct hydra_manifest *m = calloc(1, sizeof(*m));
	struct scan s = { .m = m, .known = known, .n_known = n_known };
	int r = -ENOMEM;

	if (!m)
		return -ENOMEM;
	m->built = built;
	if ((recipe && !(m->recipe = strdup(recipe))) ||
	    !(m->version = strdup(HYDRA_VERSION)) ||
	    !(m->cmdline = strdup(cmdline ? cmdline : "")))
		goto out;
	r = hydra_walk(root, scan_entry, &s);
	if (r)
		goto out;
	/* A walk is sorted per directory; the MANIFEST is sorted by whole path. */
	qsort(m->files, m->n_files, sizeof(*m->files), by_path);
	r = compute_id(m);
	if (r)
		goto out;
	*out = m;
	m = NULL;
out:
	hydra_manifest_free(m);
	return r;
}

int hydra_manifest_load(const char *root, struct hydra_manifest **out)
{
	char *path = hydra_path_join(root, HYDRA_MANIFEST_PATH), *buf = NULL;
	size_t len;
	int r;

	if (!path)
		return -ENOMEM;
	r = hydra_read_file(path, &buf, &len);
	if (r)
		hydra_err("cannot read '%s': %s", path, strerror(-r));
	else
		r = hydra_manifest_parse(buf, len, out);
	free(buf);
	free(path);
	return r;
}

int hydra_manifest_save(const char *root, const struct hydra_manifest *m)
{
	char *path = hydra_path_join(root, HYDRA_MANIFEST_PATH), *buf = NULL, *dir;
	size_t len;
	int r = -ENOMEM;

	if (!path)
		return -ENOMEM;
	dir = hydra_path_join(root, "hydra");
	if (!dir)
		goto out;
	r = hydra_mkdir_p(dir, 0755);
	free(dir);
	if (r)
		goto out;
	r = hydra_manifest_format(m, &buf, &len);
	if (r)
		goto out;
	r = hydra_write_file_atomic(path, buf, len, 0644);
	if (r)
		hydra_err("cannot write '%s': %s", path, strerror(-r));
out:
	free(buf);
	free(path);
	return r;
}

const struct hydra_manifest_file *hydra_manifest_find(const struct hydra_manifest *m,
						      const char *path)
{
	for (size_t i = 0; i < m->n_files; i++)
		if (!strcmp(m->files[i].path, path))
			return &m->files[i];
	return NULL;
}
