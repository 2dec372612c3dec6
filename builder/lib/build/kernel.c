/* Debian's kernel package: resolved, downloaded and unpacked once, then cached. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "build/cache.h"
#include "build/deb.h"
#include "build/kernel.h"

#define STAMP HYDRA_CACHE_STAMP

void hydra_kernel_free(struct hydra_kernel *k)
{
	if (!k)
		return;
	free(k->package);
	free(k->pkgversion);
	free(k->version);
	free(k->vmlinuz);
	free(k->moddir);
	free(k);
}

/* The value of "FIELD: value" in apt-cache output, malloc'd. */
static char *field(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		while (*l == ' ')
			l++;
		if (!strncmp(l, name, n) && l[n] == ':') {
			const char *v = l + n + 1;

			while (*v == ' ')
				v++;
			return strndup(v, strcspn(v, "\n "));
		}
	}
	return NULL;
}

static int apt_cache(const char *verb, const char *pkg, const char *log, char **out)
{
	const char *argv[] = { "apt-cache", verb, "--no-all-versions", pkg, NULL };
	const char *argv_dep[] = { "apt-cache", verb, pkg, NULL };
	struct hydra_spawn_opts o = { .logfile = log, .capture = out };
	int r = hydra_spawn(strcmp(verb, "show") ? argv_dep : argv, &o);

	if (r == 0 && **out)
		return 0;
	free(*out);
	*out = NULL;
	hydra_err("unknown kernel package '%s': apt-cache knows no such package "
		  "(run 'apt-get update', or check the recipe's [kernel] package)", pkg);
	return -ENOENT;
}

/* linux-image-amd64 names, through its dependency, the kernel it stands for. */
static int resolve(const char *package, const char *log, char **concrete, char **version,
		   char **sha256)
{
	char *text = NULL, *name = NULL;
	int r;

	r = apt_cache("depends", package, log, &text);
	if (r)
		return r;
	for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char *d = strstr(l, "Depends: linux-image-");

		if (d && d < strchr(l, '\n')) {
			name = strndup(d + 9, strcspn(d + 9, "\n "));
			break;
		}
	}
	free(text);
	if (!name && !(name = strdup(package)))
		return -ENOMEM;
	r = apt_cache("show", name, log, &text);
	if (!r) {
		*version = field(text, "Version");
		*sha256 = field(text, "SHA256");
		*concrete = name;
		name = NULL;
		r = *version ? 0 : -EINVAL;
	}
	free(text);
	free(name);
	return r;
}

/* VALUE of NAME='VALUE' as apt-config shell prints it, malloc'd; NULL when absent. */
static char *shell_value(const char *out, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, n) && l[n] == '=' && l[n + 1] == '\'') {
			const char *v = l + n + 2;
			size_t len = strcspn(v, "'\n");

			/* A quote inside the value is escaped: not a path this key takes. */
			return v[len] == '\'' && (v[len + 1] == '\n' || !v[len + 1]) && len ?
			       strndup(v, len) : NULL;
		}
	return NULL;
}

struct apt_walk {
	struct hydra_cache_key *k;
	int top_only;
};

/* A file by its name and content; a link by its target and what it leads to, if anything. */
static int key_entry(const char *full, const char *rel, const struct stat *st, void *ud)
{
	struct apt_walk *w = ud;
	char target[4096];
	ssize_t n;

	if (S_ISDIR(st->st_mode))
		return w->top_only;
	if (S_ISLNK(st->st_mode)) {
		n = readlink(full, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		hydra_cache_key_add(w->k, "link", rel);
		hydra_cache_key_add(w->k, "target", target);
		if (access(full, R_OK) < 0)
			return 0;
	} else if (!S_ISREG(st->st_mode)) {
		return 0;
	}
	hydra_cache_key_add(w->k, "file", rel);
	hydra_cache_key_add_file(w->k, "content", full);
	return 0;
}

static int key_tree(struct hydra_cache_key *k, const char *name, const char *dir, int top_only)
{
	struct apt_walk w = { .k = k, .top_only = top_only };

	hydra_cache_key_add(k, name, dir);
	if (access(dir, F_OK) < 0) {
		hydra_cache_key_add(k, name, "absent");
		return 0;
	}
	return hydra_walk(dir, key_entry, &w);
}

/* ADMINDIR/NAME of dpkg, beside its status file, when it is there. */
static void key_dpkg_file(struct hydra_cache_key *k, const char *status, const char *name)
{
	const char *slash = strrchr(status, '/');
	char *path = slash ? hydra_strdupf("%.*s/%s", (int)(slash - status), status, name) : NULL;

	if (path && access(path, F_OK) == 0)
		hydra_cache_key_add_file(k, name, path);
	else
		hydra_cache_key_add(k, name, "absent");
	free(path);
}

/*
 * apt-cache reads its configuration, sources and preferences (Dir::Etc),
 * its package lists (Dir::State::lists) and dpkg's status and
 * architectures; apt-config says where they are. Their contents (never
 * their times) and the package asked for make the key of an answer kept.
 */
static int apt_state_key(const char *package, const char *log, char hex[HYDRA_SHA256_HEX])
{
	const char *argv[] = { "apt-config", "shell", "ETC", "Dir::Etc/d", "LISTS",
			       "Dir::State::lists/d", "STATUS", "Dir::State::status/f", NULL };
	struct hydra_spawn_opts o = { .logfile = log };
	struct hydra_cache_key k = { 0 };
	char *out = NULL, *etc = NULL, *lists = NULL, *status = NULL;
	const char *conf = getenv("APT_CONFIG");
	int r;

	o.capture = &out;
	r = hydra_spawn(argv, &o) ? -EIO : 0;
	if (!r && (!(etc = shell_value(out, "ETC")) || !(lists = shell_value(out, "LISTS")) ||
		   !(status = shell_value(out, "STATUS"))))
		r = -EINVAL;
	if (!r) {
		hydra_cache_key_add(&k, "format", "kernel resolution 1");
		hydra_cache_key_add(&k, "package", package);
		hydra_cache_key_add(&k, "APT_CONFIG", conf ? conf : "");
		if (conf)
			hydra_cache_key_add_file(&k, "apt-config-file", conf);
		r = key_tree(&k, "etc", etc, 0);
	}
	if (!r)
		r = key_tree(&k, "lists", lists, 1);
	if (!r) {
		hydra_cache_key_add_file(&k, "status", status);
		key_dpkg_file(&k, status, "arch");
		r = hydra_cache_key_final(&k, hex);
	}
	hydra_cache_key_release(&k);
	free(out);
	free(etc);
	free(lists);
	free(status);
	return r;
}

#define RESOLVED_MAGIC "hydra-kernel-resolved 1"

static int sha256_ok(const char *v)
{
	return v && strlen(v) == 2 * HYDRA_SHA256_LEN && strspn(v, "0123456789abcdefABCDEF") ==
	       2 * HYDRA_SHA256_LEN;
}

/* The answer kept at PATH for KEY: 0 and its fields, or 1 when there is none that counts. */
static int read_resolved(const char *path, const char *key, char **concrete, char **version,
			 char **sha256)
{
	char *text = NULL, *k = NULL, *p = NULL, *v = NULL, *s = NULL;
	struct stat st;
	int r = 1;

	if (hydra_read_small_file(path, 4096, &st, &text, NULL) < 0)
		return 1;
	if (!strncmp(text, RESOLVED_MAGIC "\n", strlen(RESOLVED_MAGIC) + 1)) {
		k = field(text, "key");
		p = field(text, "package");
		v = field(text, "version");
		s = field(text, "sha256");
	}
	if (k && !strcmp(k, key) && p && hydra_plain_name(p) && !strncmp(p, "linux-", 6) && v &&
	    hydra_plain_name(v) && s && (sha256_ok(s) || !strcmp(s, "-"))) {
		*concrete = p;
		*version = v;
		*sha256 = strcmp(s, "-") ? s : NULL;
		p = v = NULL;
		if (*sha256)
			s = NULL;
		r = 0;
	}
	free(text);
	free(k);
	free(p);
	free(v);
	free(s);
	return r;
}

static void keep_resolved(const char *path, const char *key, const char *concrete,
			  const char *version, const char *sha256)
{
	char *text = hydra_strdupf(RESOLVED_MAGIC "\nkey: %s\npackage: %s\nversion: %s\n"
				   "sha256: %s\n", key, concrete, version, sha256 ? sha256 : "-");

	if (!text || hydra_mkdir_parent(path) ||
	    hydra_write_file_atomic(path, text, strlen(text), 0644))
		hydra_warn("the kernel package's resolution not kept in '%s'", path);
	free(text);
}

/*
 * apt-cache takes 0.2 s a run with its own cache and 0.8 s without (Debian's
 * container images keep none), twice a build: its answer is kept under
 * CACHEDIR/kernel/resolved/PACKAGE with the key of what apt read to give
 * it, and asked again when that changed, or always with F_KERNEL_RESOLVE.
 */
static int resolve_cached(const char *package, const char *cachedir, unsigned flags,
			  const char *log, char **concrete, char **version, char **sha256)
{
	char key[HYDRA_SHA256_HEX], *path = NULL;
	int r;

	if (hydra_plain_name(package) && apt_state_key(package, log, key) == 0)
		path = hydra_strdupf("%s/kernel/resolved/%s", cachedir, package);
	if (path && !(flags & F_KERNEL_RESOLVE) &&
	    read_resolved(path, key, concrete, version, sha256) == 0) {
		hydra_debug("%s is %s %s, as apt-cache said for the same apt state (key %.12s)",
			    package, *concrete, *version, key);
		free(path);
		return 0;
	}
	r = resolve(package, log, concrete, version, sha256);
	if (!r && path && hydra_plain_name(*concrete) && hydra_plain_name(*version) &&
	    (!*sha256 || sha256_ok(*sha256)))
		keep_resolved(path, key, *concrete, *version, *sha256);
	free(path);
	return r;
}

/*
 * 0 when the .deb at PATH has the SHA-256 apt expects (or apt gave none), 1
 * when it differs. A download cut short must not be unpacked, nor reused.
 */
static int deb_differs(const char *path, const char *sha256)
{
	unsigned char d[HYDRA_SHA256_LEN];
	char hex[HYDRA_SHA256_HEX];

	if (!sha256)
		return 0;
	if (hydra_sha256_file(path, d, NULL) < 0)
		return 1;
	hydra_hex(d, sizeof(d), hex);
	return strcasecmp(hex, sha256) != 0;
}

static int download(const char *pkg, const char *version, const char *sha256, const char *debdir,
		    const char *log, char **deb)
{
	const char *argv[] = { "apt-get", "download", pkg, NULL };
	struct hydra_spawn_opts o = { .cwd = debdir, .logfile = log };
	char *ver = strdup(version), *c;
	int r;

	if (!ver)
		return -ENOMEM;
	/* apt writes an epoch's colon as %3a in file names. */
	if ((c = strchr(ver, ':')))
		*c = '\0';
	*deb = hydra_strdupf("%s/%s_%s_amd64.deb", debdir, pkg, c ? c + 1 : ver);
	free(ver);
	if (!*deb)
		return -ENOMEM;
	if (c) {
		free(*deb);
		*deb = NULL;
		hydra_err("kernel package versions with an epoch are not handled: '%s'", version);
		return -EINVAL;
	}
	if (access(*deb, R_OK) == 0 && !deb_differs(*deb, sha256))
		return 0;
	unlink(*deb);
	r = hydra_mkdir_p(debdir, 0755);
	if (!r)
		r = hydra_spawn(argv, &o);
	if (r || access(*deb, R_OK) < 0) {
		hydra_err("cannot download the kernel package '%s' %s (see %s)", pkg, version,
			  log ? log : "the output above");
		return r < 0 ? r : -EIO;
	}
	if (deb_differs(*deb, sha256)) {
		hydra_err("'%s' does not have the SHA-256 apt expects: %s", *deb, sha256);
		unlink(*deb);
		return -EIO;
	}
	return 0;
}

/* The one directory under lib/modules: the kernel's release. */
static char *find_release(const char *root)
{
	char *dir = hydra_path_join(root, "lib/modules"), *rel = NULL;
	struct dirent *e;
	DIR *d = dir ? opendir(dir) : NULL;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && !rel)
			rel = strdup(e->d_name);
	if (d)
		closedir(d);
	free(dir);
	return rel;
}

static int unpack(const char *deb, const char *dir, const char *log)
{
	static const char *const prefixes[] = { "boot/vmlinuz-", "lib/modules/", NULL };
	char *tmp = hydra_strdupf("%s.tmp", dir), *rel = NULL, *stamp = NULL;
	int r;

	if (!tmp)
		return -ENOMEM;
	hydra_rm_rf(tmp);
	r = hydra_mkdir_p(tmp, 0755);
	if (!r)
		r = hydra_deb_extract(deb, prefixes, tmp);
	if (!r && !(rel = find_release(tmp))) {
		hydra_err("'%s' holds no kernel modules", deb);
		r = -EINVAL;
	}
	if (!r) {
		const char *argv[] = { "depmod", "-b", tmp, rel, NULL };

		r = hydra_run(argv, log);
		if (r)
			hydra_err("depmod failed for '%s'%s", rel, r > 0 ? " (see the build log)" : "");
	}
	if (!r && (!(stamp = hydra_path_join(tmp, STAMP)) ||
		   hydra_write_file_atomic(stamp, rel, strlen(rel), 0644)))
		r = -EIO;
	hydra_rm_rf(dir);
	if (!r && rename(tmp, dir) < 0)
		r = -errno;
	if (r)
		hydra_rm_rf(tmp);
	free(stamp);
	free(rel);
	free(tmp);
	return r < 0 ? r : (r ? -EIO : 0);
}

static int fill(struct hydra_kernel *k, const char *dir)
{
	k->version = find_release(dir);
	if (!k->version)
		return -EINVAL;
	k->vmlinuz = hydra_strdupf("%s/boot/vmlinuz-%s", dir, k->version);
	k->moddir = hydra_strdupf("%s/lib/modules/%s", dir, k->version);
	if (!k->vmlinuz || !k->moddir)
		return -ENOMEM;
	return access(k->vmlinuz, R_OK) == 0 ? 0 : -ENOENT;
}

int hydra_kernel_fetch(const char *package, const char *cachedir, unsigned flags,
		       const char *logfile, struct hydra_kernel **out)
{
	struct hydra_kernel *k = calloc(1, sizeof(*k));
	char *version = NULL, *sha256 = NULL, *deb = NULL, *debdir = NULL, *dir = NULL;
	char *stamp = NULL;
	int r = -ENOMEM;

	if (!k)
		return -ENOMEM;
	r = hydra_tool_require("apt-get");
	if (!r)
		r = hydra_tool_require("depmod");
	if (!r)
		r = resolve_cached(package, cachedir, flags, logfile, &k->package, &version,
				   &sha256);
	if (r)
		goto out;
	r = -ENOMEM;
	debdir = hydra_path_join(cachedir, "debs");
	dir = hydra_strdupf("%s/kernel/%s_%s", cachedir, k->package, version);
	stamp = dir ? hydra_path_join(dir, STAMP) : NULL;
	if (!debdir || !stamp)
		goto out;
	/* A cache entry counts only once its stamp, written last, is there. */
	if (access(stamp, F_OK) < 0) {
		r = download(k->package, version, sha256, debdir, logfile, &deb);
		if (!r)
			r = unpack(deb, dir, logfile);
		if (r)
			goto out;
	}
	r = fill(k, dir);
	if (r)
		hydra_err("the kernel cache '%s' is damaged; remove it and build again", dir);
	if (!r) {
		k->pkgversion = version;
		version = NULL;
	}
out:
	if (r)
		hydra_kernel_free(k);
	else
		*out = k;
	free(version);
	free(sha256);
	free(deb);
	free(debdir);
	free(dir);
	free(stamp);
	return r;
}
