/* Configuration overlays laid over the root at boot (packed by overlaypack.c). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/hydra.h"
#include "base/util.h"
#include "node/overlay.h"

/* Does TARGET, read from the directory of the link at PATH, climb above the root? */
static int link_escapes(const char *path, const char *target)
{
	int depth = 0;

	if (target[0] == '/')
		return 0;  /* resolved inside the new root at boot */
	for (const char *c = path; *c; c++)
		if (*c == '/')
			depth++;
	for (const char *c = target;;) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			depth--;
		else if (n && !(n == 1 && c[0] == '.'))
			depth++;
		if (depth < 0)
			return 1;
		if (!c[n])
			return 0;
		c += n + 1;
	}
}

/*
 * One spelling per path, so that paths compare as the file system sees them:
 * no "./" at the start, no empty or "." components, no "/" at the end
 * ("./a//b/./c/" is "a/b/c"). ".." and a leading "/" stay, for
 * hydra_path_stays_inside to refuse.
 * -ENAMETOOLONG past OUT's LEN.
 */
static int normalize(const char *in, char *out, size_t len)
{
	size_t o = 0;

	/* An absolute path stays one, for hydra_path_stays_inside to refuse. */
	if (in[0] == '/') {
		if (len < 2)
			return -ENAMETOOLONG;
		out[o++] = '/';
	}
	for (const char *c = in; *c;) {
		size_t n = strcspn(c, "/");

		if (n && !(n == 1 && c[0] == '.')) {
			int sep = o && out[o - 1] != '/';

			if (o + sep + n + 1 > len)
				return -ENAMETOOLONG;
			if (sep)
				out[o++] = '/';
			memcpy(out + o, c, n);
			o += n;
		}
		c += n + (c[n] == '/');
	}
	if (!len)
		return -ENAMETOOLONG;
	out[o] = '\0';
	return 0;
}

/* Does the normalized PATH lie under one of the archive's own links? */
static int under_link(const char *path, char *const *links, size_t n_links)
{
	for (size_t i = 0; i < n_links; i++) {
		size_t n = strlen(links[i]);

		if (!strncmp(path, links[i], n) && path[n] == '/')
			return 1;
	}
	return 0;
}

/* PATH and HARD (the entry's path and hard-link target) arrive normalized. */
static const char *entry_problem(struct archive_entry *e, const char *path, const char *hard,
				 char *const *links, size_t n_links)
{
	mode_t type = archive_entry_filetype(e);
	const char *target = archive_entry_symlink(e);

	if (!hydra_path_stays_inside(path))
		return "it is absolute or climbs out of the tree with '..'";
	if (under_link(path, links, n_links))
		return "it lies under a symbolic link of the same archive";
	if (hard)
		return !hydra_path_stays_inside(hard) ? "a hard link to a path outside the tree" :
		       under_link(hard, links, n_links) ?
		       "a hard link through a symbolic link of the same archive" : NULL;
	if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return "only files, directories and links are allowed (device node, FIFO or socket)";
	if (type == AE_IFLNK && (!target || link_escapes(path, target)))
		return "a symbolic link that leaves the tree";
	return NULL;
}

/* Remember the archive's own links: nothing may be laid through them. */
static int remember_link(char ***links, size_t *n, const char *path)
{
	char **l = realloc(*links, (*n + 1) * sizeof(*l));

	if (!l)
		return -ENOMEM;
	*links = l;
	if (!(l[*n] = strdup(path)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* What the check pass saw, for a snapshot to compare with its header. */
static void count_entry(struct archive_entry *e, int hard, struct hydra_archive_count *c)
{
	int64_t size = archive_entry_size(e);

	c->entries++;
	if (hard)
		c->hard_links++;
	else if (archive_entry_filetype(e) == AE_IFREG && size > 0) {
		c->bytes += (uint64_t)size;
		if ((uint64_t)size > c->largest)
			c->largest = (uint64_t)size;
	}
}

static int check_entry(struct archive_entry *e, const char *tar, const char *kind,
		       char ***links, size_t *n_links, struct hydra_archive_count *c)
{
	const char *raw = archive_entry_pathname(e), *raw_hard = archive_entry_hardlink(e), *why;
	char path[PATH_MAX], hard[PATH_MAX];

	if (!raw || normalize(raw, path, sizeof(path)) ||
	    (raw_hard && normalize(raw_hard, hard, sizeof(hard))))
		why = "its name is missing or too long";
	else
		why = entry_problem(e, path, raw_hard ? hard : NULL, *links, *n_links);
	if (why) {
		hydra_err("refusing %s '%s': entry '%s': %s", kind, tar, raw ? raw : "", why);
		return -EPERM;
	}
	count_entry(e, raw_hard != NULL, c);
	return archive_entry_filetype(e) == AE_IFLNK && !raw_hard ?
	       remember_link(links, n_links, path) : 0;
}

/* First pass: read every header; refuse the archive before anything is written. */
static int check_archive(const char *tar, const char *kind, int (*filter)(struct archive *),
			 struct hydra_archive_count *c)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char **links = NULL;
	size_t n_links = 0;
	int r = 0, ar;

	memset(c, 0, sizeof(*c));
	if (!a)
		return -ENOMEM;
	archive_read_support_format_tar(a);
	if (filter)
		filter(a);
	if (archive_read_open_filename(a, tar, 1 << 16) != ARCHIVE_OK) {
		hydra_err("cannot open %s '%s': %s", kind, tar, archive_error_string(a));
		r = -EIO;
		goto out;
	}
	while (!r && (ar = archive_read_next_header(a, &e)) == ARCHIVE_OK)
		r = check_entry(e, tar, kind, &links, &n_links, c);
	if (!r && ar != ARCHIVE_EOF) {
		hydra_err("refusing %s '%s': it is damaged: %s", kind, tar, archive_error_string(a));
		r = -EIO;
	}
out:
	hydra_strv_free(links, n_links);
	archive_read_free(a);
	return r;
}

/*
 * Laying an overlay over links of the root. libarchive's SECURE_SYMLINKS
 * with UNLINK removes any link on an entry's way, so an overlay file under
 * lib/ replaced Debian's "lib -> usr/lib" with a directory and the node
 * lost /lib/systemd/systemd. So each entry's directories are resolved here
 * first, as inside chroot(root): an absolute link starts again at the root,
 * ".." stops there. The entry is handed to libarchive under the real path
 * this gives, where no link is left on the way for it to remove, and
 * SECURE_SYMLINKS and SECURE_NODOTDOT stay on to refuse anything else.
 *
 * This is done in user space rather than with openat2(RESOLVE_IN_ROOT):
 * libarchive takes a path, not a directory descriptor, and turning a
 * descriptor back into a path needs /proc; openat2 also fails on the
 * components an overlay is about to create, and cannot say where a link
 * leads without following it. Nothing else runs while hydra-init lays the
 * overlays, so the tree cannot change between the lookup and the write.
 */
struct root {
	char *path;  /* the root's real path: libarchive would remove a link in it */
	int fd;      /* the root directory, which every lookup starts from */
	int links;   /* links followed for the current entry, to 40 as the kernel does */
};

static int resolve(struct root *r, const char *base, const char *path, int follow_last,
		   char **out);

/* Append the component C of N bytes to P, a path under the root of PATH_MAX bytes. */
static int push(char *p, const char *c, size_t n)
{
	size_t len = strlen(p);

	if (len + 1 + n >= PATH_MAX)
		return -ENAMETOOLONG;
	if (len)
		p[len++] = '/';
	memcpy(p + len, c, n);
	p[len + n] = '\0';
	return 0;
}

/* Drop P's last component; ".." of the root is the root, as in a chroot. */
static void pop(char *p)
{
	char *slash = strrchr(p, '/');

	*(slash ? slash : p) = '\0';
}

/* Is P (under the root; "" is the root itself) an existing directory? */
static int is_dir(struct root *r, const char *p)
{
	struct stat st;

	return !*p || (!fstatat(r->fd, p, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode));
}

/*
 * P names a link. When it leads to an existing directory inside the root,
 * P becomes that directory's path and 1 is returned. A link to anything
 * else (a file, nothing, a missing directory's "..") is left in P and 0
 * returned: libarchive then replaces the link itself with the overlay's
 * directory, as before, and never what it points to.
 */
static int follow(struct root *r, char *p)
{
	char target[PATH_MAX], *parent, *dir = NULL;
	ssize_t n;
	int e;

	if (++r->links > 40)
		return -ELOOP;
	/* A link's target is at most PATH_MAX - 1 bytes on Linux. */
	n = readlinkat(r->fd, p, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	parent = strdup(p);
	if (!parent)
		return -ENOMEM;
	pop(parent);
	e = resolve(r, target[0] == '/' ? "" : parent, target, 1, &dir);
	if (!e && is_dir(r, dir)) {
		strcpy(p, dir);  /* both PATH_MAX */
		e = 1;
	}
	free(parent);
	free(dir);
	return e == -ENOENT ? 0 : e;
}

/*
 * P has just got a component that is to be a directory: follow it when it
 * is a link. *GONE is set when nothing can exist under it any more (it is
 * missing, a file, or a link that libarchive is to replace).
 */
static int step(struct root *r, char *p, int *gone)
{
	struct stat st;
	int e = 0;

	if (fstatat(r->fd, p, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			return -errno;
		*gone = 1;
	} else if (S_ISLNK(st.st_mode)) {
		e = follow(r, p);
		*gone = e == 0;
	} else if (!S_ISDIR(st.st_mode)) {
		*gone = 1;
	}
	return e < 0 ? e : 0;
}

/*
 * PATH read from BASE (both under the root) into *OUT, a malloc'd path
 * under the root: each component but the last, and the last too when
 * FOLLOW_LAST, is followed when it is a link to a directory, so the only
 * links left on the way are those libarchive is to replace. Components
 * that do not exist are kept for libarchive to make.
 */
static int resolve(struct root *r, const char *base, const char *path, int follow_last,
		   char **out)
{
	char *p = malloc(PATH_MAX);
	int e = 0, gone = 0;

	if (!p)
		return -ENOMEM;
	snprintf(p, PATH_MAX, "%s", base);
	for (const char *c = path; !e && *c;) {
		size_t n = strcspn(c, "/");
		const char *next = c + n + strspn(c + n, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.') {
			/* Nothing there has a "..": the kernel would fail here too. */
			if (gone)
				e = -ENOENT;
			else
				pop(p);
		} else if (n && !(n == 1 && c[0] == '.') && !(e = push(p, c, n)) && !gone &&
			 (*next || follow_last))
			e = step(r, p, &gone);
		c = next;
	}
	if (e)
		free(p);
	else
		*out = p;
	return e;
}

/* REL, a path of the overlay, as the real path of what it names under the root. */
static int place(struct root *r, const char *rel, int follow_last, char **out)
{
	char *p = NULL;
	int e;

	r->links = 0;
	e = resolve(r, "", rel, follow_last, &p);
	if (!e && !(*out = hydra_path_join(r->path, p)))
		e = -ENOMEM;
	free(p);
	return e;
}

/*
 * The entry's path, and its hard link's target, under the root. The last
 * component of a file, link or hard link is what the overlay lays, so it is
 * not followed: a link there is replaced. A directory entry is followed to
 * the directory a link there leads to, and its owner, mode and time are
 * set on that directory: it is the directory the overlay's files go into
 * whichever path reaches it, so a root with merged /usr ends as one
 * without it would.
 */
static int relocate(struct root *r, struct archive_entry *e, const char *tar)
{
	const char *name = archive_entry_pathname(e), *hard = archive_entry_hardlink(e);
	char *full = NULL, *hfull = NULL;
	int rc = place(r, name, archive_entry_filetype(e) == AE_IFDIR && !hard, &full);

	if (!rc && hard)
		rc = place(r, hard, 0, &hfull);
	if (rc) {
		hydra_err("cannot lay '%s' from '%s': %s", name, tar, strerror(-rc));
	} else {
		archive_entry_set_pathname(e, full);
		if (hfull)
			archive_entry_set_hardlink(e, hfull);
	}
	free(full);
	free(hfull);
	return rc;
}

static int open_root(struct root *r, const char *dest)
{
	r->path = realpath(dest, NULL);
	r->fd = r->path ? open(r->path, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (r->fd < 0) {
		int e = -errno;

		hydra_err("cannot open the root '%s': %s", dest, strerror(errno));
		free(r->path);
		r->path = NULL;
		return e;
	}
	return 0;
}

static int extract(const char *tar, const char *dest)
{
	struct archive *a = archive_read_new(), *disk = archive_write_disk_new();
	struct archive_entry *e;
	struct root root = { .fd = -1 };
	int r = -EIO, ar;

	if (!a || !disk) {
		r = -ENOMEM;
		goto out;
	}
	/* An overlay is a plain tar (hydra_overlay_pack), as the check before made sure. */
	archive_read_support_format_tar(a);
	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
					     ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_UNLINK |
					     ARCHIVE_EXTRACT_SECURE_SYMLINKS |
					     ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	if ((r = open_root(&root, dest)) < 0)
		goto out;
	r = -EIO;
	if (archive_read_open_filename(a, tar, 1 << 16) != ARCHIVE_OK)
		goto out;
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const void *buf;
		size_t len;
		la_int64_t off;

		if ((r = relocate(&root, e, tar)) < 0)
			goto out;
		r = -EIO;
		if (archive_write_header(disk, e) < ARCHIVE_WARN) {
			hydra_err("cannot lay '%s' from '%s': %s", archive_entry_pathname(e), tar,
				  archive_error_string(disk));
			goto out;
		}
		while ((ar = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
			archive_write_data_block(disk, buf, len, off);
		if (ar != ARCHIVE_EOF) {
			hydra_err("overlay '%s' is damaged: %s", tar, archive_error_string(a));
			goto out;
		}
		archive_write_finish_entry(disk);
	}
	r = ar == ARCHIVE_EOF && archive_write_close(disk) == ARCHIVE_OK ? 0 : -EIO;
out:
	archive_read_free(a);
	archive_write_free(disk);
	if (root.fd >= 0)
		close(root.fd);
	free(root.path);
	return r;
}

/*
 * Reading every header to the end of the archive reads (and decompresses)
 * every byte in between: a truncated or damaged archive fails in that one
 * pass, and a second one would only double the time.
 */
int hydra_archive_check(const char *path, const char *kind, int (*filter)(struct archive *),
			struct hydra_archive_count *count)
{
	struct hydra_archive_count ignored;

	return check_archive(path, kind, filter, count ? count : &ignored);
}

int hydra_overlay_apply(const char *path, const char *dest)
{
	int r = hydra_archive_check(path, "overlay", NULL, NULL);

	if (!r)
		r = extract(path, dest);
	return r;
}
