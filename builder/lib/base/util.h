/* Small helpers every part of hydra uses: files, paths, processes, hashes. */
#ifndef HYDRA_UTIL_H
#define HYDRA_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define HYDRA_SHA256_LEN 32
#define HYDRA_SHA256_HEX (2 * HYDRA_SHA256_LEN + 1)

/* malloc'd "a/b"; NULL on ENOMEM. */
char *hydra_path_join(const char *a, const char *b);
/* malloc'd formatted string; NULL on ENOMEM. */
char *hydra_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A plain name (package, suite, recipe, overlay folder): letters, digits and
 * ".+-_", not starting with "-" or ".": nothing a shell or a path could misread.
 */
int hydra_plain_name(const char *v);
/* 1 when P is a relative path that no ".." can lead out of: "a/b", not "/a", "../a" or "". */
int hydra_path_stays_inside(const char *p);
/* 1 when PATH, links resolved, lies inside DIR (links resolved too); 0 otherwise. */
int hydra_path_within(const char *path, const char *dir);
/* Free the first N strings of V and V itself; HYDRA_STRV_ALL: up to its NULL. */
#define HYDRA_STRV_ALL SIZE_MAX
void hydra_strv_free(char **v, size_t n);

/* Whole file into a NUL-terminated malloc'd buffer. */
int hydra_read_file(const char *path, char **buf, size_t *len);
/* The rest of FD into a NUL-terminated malloc'd buffer; -EFBIG past MAX bytes. */
int hydra_read_fd(int fd, size_t max, char **buf, size_t *len);
/*
 * A small regular file (a key), opened once without following a link or
 * blocking on a FIFO, checked and read through that one descriptor: -ELOOP
 * for a link, -EINVAL for anything but a regular file, -EFBIG past MAX.
 * *ST is what was read.
 */
int hydra_read_small_file(const char *path, size_t max, struct stat *st, char **buf, size_t *len);
/* Write to PATH.tmp, fsync, rename over PATH. */
int hydra_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode);
int hydra_write_all(int fd, const void *buf, size_t len);
/* Seconds on the monotonic clock, for durations in messages and progress. */
double hydra_now(void);
/*
 * All LEN bytes at offset OFF, or an error: a short read (the end of a
 * device or file) is -EIO, since callers ask for bytes that must be there.
 */
int hydra_pread_full(int fd, void *buf, size_t len, uint64_t off);
int hydra_pwrite_full(int fd, const void *buf, size_t len, uint64_t off);
int hydra_mkdir_p(const char *path, mode_t mode);
/* The size of what FD is open on: a regular file's length or a block device's bytes. */
int hydra_fd_bytes(int fd, uint64_t *bytes);
/* mkdir -p of the directory that holds PATH. */
int hydra_mkdir_parent(const char *path);
/* Remove a tree; never crosses into another filesystem. Missing is fine. */
int hydra_rm_rf(const char *path);
/* Copy a regular file, keeping its mode. */
int hydra_copy_file(const char *src, const char *dst);
/* Copy the tree SRC into DST (merging): files, directories and symlinks. */
int hydra_copy_tree(const char *src, const char *dst);
/*
 * Visit every entry under ROOT (not ROOT itself), sorted by name, parents
 * before their contents, never following links. FN gets the full path, the
 * path relative to ROOT and the entry's lstat; it returns 0 to go on, 1 to
 * skip a directory's contents, or a negative errno to stop the walk.
 */
struct stat;
typedef int (*hydra_walk_fn)(const char *full, const char *rel, const struct stat *st, void *ud);
int hydra_walk(const char *root, hydra_walk_fn fn, void *ud);
/* Set the times of everything under ROOT (ROOT too) to EPOCH. */
int hydra_set_times(const char *root, int64_t epoch);

/*
 * Find TOOL in PATH. When it is missing, logs which Debian package provides
 * it and returns -ENOENT.
 */
int hydra_tool_require(const char *tool);
/* 1 when TOOL is in PATH, quietly. */
int hydra_tool_exists(const char *tool);
/* The Debian package that ships TOOL, or NULL when hydra does not know. */
const char *hydra_tool_package(const char *tool);

/*
 * Run argv (argv[0] looked up in PATH) and wait. Output goes to LOGFILE
 * (appended) when given, else it is inherited. Returns 0 when the command
 * exited 0, -ECHILD-style negative errno when it could not run, or
 * the positive exit status (128+signal when killed).
 */
int hydra_run(const char *const argv[], const char *logfile);
/* Same, with extra "KEY=VALUE" entries added to the environment. */
int hydra_run_env(const char *const argv[], const char *const env[], const char *logfile);

struct hydra_spawn_opts {
	const char *cwd;              /* run there, or NULL */
	const char *const *env;       /* "KEY=VALUE" to set, "KEY" to unset, or NULL */
	const char *logfile;          /* stdout and stderr appended there, or NULL */
	char **capture;               /* stdout into a malloc'd string (stderr to logfile) */
	/* stdout handed over a line at a time as it comes, newline cut off (instead of capture) */
	void (*on_line)(char *line, void *ud);
	void *line_ud;
	char **capture_err;           /* stderr into a malloc'd string (instead of logfile) */
	int keep_fd;                  /* a descriptor above 2 the child inherits (/dev/fd/N), or 0 */
};
/* The general form of hydra_run; same return values. */
int hydra_spawn(const char *const argv[], const struct hydra_spawn_opts *o);

/*
 * A file in memory holding LEN bytes of DATA, for a child to read as
 * /dev/fd/N (hydra_spawn_opts.keep_fd): a secret never touches a disk, a
 * command line or the environment. The descriptor, or -errno.
 */
int hydra_memfd(const char *name, const void *data, size_t len);

/* SHA-256 of everything readable from FD (from its current offset). */
int hydra_sha256_fd(int fd, unsigned char out[HYDRA_SHA256_LEN], uint64_t *size);
int hydra_sha256_file(const char *path, unsigned char out[HYDRA_SHA256_LEN], uint64_t *size);
void hydra_sha256_buf(const void *buf, size_t len, unsigned char out[HYDRA_SHA256_LEN]);
void hydra_hex(const unsigned char *in, size_t len, char *out);
int hydra_unhex(const char *in, unsigned char *out, size_t len);

/* SOURCE_DATE_EPOCH when set and valid, else DEFAULT. */
int64_t hydra_source_date_epoch(int64_t fallback);

/* "64M", "2G", "1048576" to bytes; -EINVAL on anything else. */
int hydra_parse_size(const char *s, uint64_t *out);
/* "1.5 GiB"-style text into BUF. */
const char *hydra_format_size(uint64_t bytes, char *buf, size_t len);

#endif
