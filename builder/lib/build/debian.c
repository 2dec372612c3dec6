/* The software layer for base = debian: mmdebstrap, then hydra and the kernel's modules. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "build/kernel.h"
#include "build/rootfs.h"

/* Documentation and translations: a live system reads none of them. */
static const char *const dpkg_excludes[] = {
	"--dpkgopt=path-exclude=/usr/share/man/*",
	"--dpkgopt=path-exclude=/usr/share/info/*",
	"--dpkgopt=path-exclude=/usr/share/doc/*",
	"--dpkgopt=path-include=/usr/share/doc/*/copyright",
	"--dpkgopt=path-exclude=/usr/share/locale/*",
	"--dpkgopt=path-include=/usr/share/locale/locale.alias",
	NULL,
};

/*
 * Whatever makes two builds differ, or must not travel in every copy of
 * the image: host keys are made at first boot, the machine id by systemd.
 */
static const char *const leftovers[] = {
	"etc/ssh/ssh_host_rsa_key", "etc/ssh/ssh_host_rsa_key.pub",
	"etc/ssh/ssh_host_ecdsa_key", "etc/ssh/ssh_host_ecdsa_key.pub",
	"etc/ssh/ssh_host_ed25519_key", "etc/ssh/ssh_host_ed25519_key.pub",
	"var/lib/dbus/machine-id", "var/cache/ldconfig/aux-cache",
	"var/log/dpkg.log", "var/log/alternatives.log", "var/log/bootstrap.log",
	"var/log/apt", "var/log/journal", "var/lib/apt/lists", "var/cache/apt",
	"var/cache/debconf/config.dat-old", "var/cache/debconf/templates.dat-old",
	"var/lib/dpkg/status-old", "var/lib/dpkg/diversions-old", "etc/shadow-", "etc/gshadow-",
	"etc/passwd-", "etc/group-", "etc/subuid-", "etc/subgid-", "var/lib/systemd/catalog/database",
	NULL,
};

/* What apt said about the cause, as one line a user can act on. */
static void explain(const struct hydra_recipe *r, const char *logfile)
{
	char *text = NULL, *p;

	if (hydra_read_file(logfile, &text, NULL) < 0)
		return;
	if ((p = strstr(text, "Unable to locate package "))) {
		p += strlen("Unable to locate package ");
		hydra_err("%s: unknown Debian package '%.*s' in [debian] packages (suite %s)",
			  r->path, (int)strcspn(p, "\n '"), p, r->suite);
	} else if ((p = strstr(text, "has no installation candidate"))) {
		hydra_err("%s: a package in [debian] packages has no installation candidate in %s",
			  r->path, r->suite);
	} else if (strstr(text, "Could not connect") || strstr(text, "Failed to fetch") ||
		   strstr(text, "Unable to connect") || strstr(text, "Temporary failure resolving") ||
		   strstr(text, "does not have a Release file") || strstr(text, "apt-get update failed")) {
		hydra_err("%s: cannot reach the Debian mirror '%s' for suite '%s'", r->path, r->mirror,
			  r->suite);
	}
	free(text);
}

static char *join_packages(const struct hydra_recipe *r)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < r->n_packages; i++)
		len += strlen(r->packages[i]) + 1;
	s = calloc(1, len);
	for (size_t i = 0; s && i < r->n_packages; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, r->packages[i]);
	}
	return s;
}

/* mmdebstrap with the apt archive cache synced in and out: a rebuild downloads nothing. */
static int bootstrap(const struct hydra_recipe *r, const char *root, const char *aptcache,
		     int64_t epoch, const char *logfile)
{
	char *pkgs = join_packages(r), *variant = hydra_strdupf("--variant=%s", r->variant);
	char *include = pkgs ? hydra_strdupf("--include=%s", pkgs) : NULL;
	char *sync_in = hydra_strdupf("--setup-hook=sync-in '%s' /var/cache/apt/archives/", aptcache);
	char *sync_out = hydra_strdupf("--customize-hook=sync-out /var/cache/apt/archives '%s'",
				       aptcache);
	char sde[64];
	const char *env[] = { sde, "LC_ALL=C.UTF-8", NULL };
	const char *argv[32];
	size_t n = 0;
	int e = variant && include && sync_in && sync_out ? 0 : -ENOMEM;

	snprintf(sde, sizeof(sde), "SOURCE_DATE_EPOCH=%lld", (long long)epoch);
	if (!e)
		e = hydra_mkdir_p(aptcache, 0755);
	if (e)
		goto out;
	argv[n++] = "mmdebstrap";
	argv[n++] = "--mode=root";
	argv[n++] = "--format=directory";
	/* apt's own lines in the build log: what it fetched, and why it failed. */
	argv[n++] = "--verbose";
	argv[n++] = variant;
	if (r->n_packages)
		argv[n++] = include;
	for (size_t i = 0; dpkg_excludes[i]; i++)
		argv[n++] = dpkg_excludes[i];
	/* The .debs stay in the chroot until sync-out has copied them to the cache. */
	argv[n++] = "--skip=essential/unlink";
	argv[n++] = "--setup-hook=mkdir -p \"$1\"/var/cache/apt/archives/";
	argv[n++] = sync_in;
	argv[n++] = sync_out;
	argv[n++] = r->suite;
	argv[n++] = root;
	argv[n++] = r->mirror;
	argv[n] = NULL;
	hydra_info("[mmdebstrap] %s %s from %s, %zu packages besides %s", r->suite, r->variant,
		   r->mirror, r->n_packages, r->variant);
	e = hydra_run_env(argv, env, logfile);
	if (e) {
		explain(r, logfile);
		hydra_err("mmdebstrap failed%s (see %s)", e > 0 ? "" : " to start", logfile);
		e = e > 0 ? -EIO : e;
	}
out:
	free(pkgs);
	free(variant);
	free(include);
	free(sync_in);
	free(sync_out);
	return e;
}

/* hydra into /usr/bin; its libraries must come from Debian's packages, not the host. */
static int install_hydra(const char *root, const char *hydra_bin, const char *logfile)
{
	char *dst = hydra_path_join(root, "usr/bin/hydra"), *out = NULL;
	const char *argv[] = { "chroot", root, "ldd", "/usr/bin/hydra", NULL };
	struct hydra_spawn_opts o = { .logfile = logfile, .capture = &out };
	int r = dst ? hydra_copy_file(hydra_bin, dst) : -ENOMEM;

	if (!r && chmod(dst, 0755) < 0)
		r = -errno;
	if (r) {
		hydra_err("cannot copy '%s' into '%s': %s", hydra_bin, root, strerror(-r));
		goto out;
	}
	r = hydra_spawn(argv, &o);
	if (r || (out && strstr(out, "not found"))) {
		hydra_err("hydra in the image lacks libraries (add their Debian packages to "
			  "[debian] packages):\n%s", out ? out : "");
		r = -ENOENT;
	}
out:
	free(out);
	free(dst);
	return r;
}

/* The modules of the kernel the medium boots, so that udev and modprobe find them. */
static int install_modules(const char *root, const struct hydra_kernel *k)
{
	char *rel = hydra_strdupf("lib/modules/%s", k->version);
	char *dst = rel ? hydra_path_join(root, rel) : NULL;
	int r = dst ? hydra_mkdir_p(dst, 0755) : -ENOMEM;

	if (!r)
		r = hydra_copy_tree(k->moddir, dst);
	if (r)
		hydra_err("cannot copy the modules of %s into '%s': %s", k->version, root,
			  strerror(-r));
	free(rel);
	free(dst);
	return r;
}

int hydra_rootfs_debian(const struct hydra_recipe *r, const char *root,
			const struct hydra_kernel *k, const char *hydra_bin,
			const char *aptcache, int64_t epoch, const char *logfile)
{
	int e;

	e = hydra_tool_require("mmdebstrap");
	if (!e)
		e = hydra_tool_require("unshare");
	if (e)
		return e;
	hydra_rm_rf(root);
	e = bootstrap(r, root, aptcache, epoch, logfile);
	if (!e)
		e = install_hydra(root, hydra_bin, logfile);
	if (!e)
		e = install_modules(root, k);
	return e;
}

int hydra_rootfs_clean(const char *root)
{
	char *mid = hydra_path_join(root, "etc/machine-id");
	int e = 0;

	for (size_t i = 0; !e && leftovers[i]; i++) {
		char *p = hydra_path_join(root, leftovers[i]);

		if (!p)
			e = -ENOMEM;
		else if (unlink(p) < 0 && errno != ENOENT)
			e = hydra_rm_rf(p);
		free(p);
	}
	/* Empty, not missing: systemd puts a fresh id in it at every boot. */
	if (!e)
		e = mid ? hydra_write_file_atomic(mid, "", 0, 0444) : -ENOMEM;
	if (e)
		hydra_err("cannot clean the root tree '%s': %s", root, strerror(-e));
	free(mid);
	return e;
}
