/* The build pipeline: recipe → rootfs → squashfs → initramfs → overlays → MANIFEST → medium. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "build/build.h"
#include "build/cache.h"
#include "build/hooks.h"
#include "build/initramfs.h"
#include "build/kernel.h"
#include "build/modules.h"
#include "build/rootfs.h"
#include "format/hwdb.h"
#include "format/manifest.h"
#include "medium/bootfiles.h"
#include "medium/sign.h"
#include "medium/writer.h"
#include "node/overlay.h"

/* A payload file that is a stage cache entry's: its stamp names its SHA-256. */
struct cached {
	char *stage;
	char key[HYDRA_SHA256_HEX];
	const char *file;
	struct hydra_manifest_known known;
};

struct build {
	const struct hydra_recipe *r;
	const struct hydra_build_opts *o;
	struct hydra_build_result *res;
	char *work, *medium, *cache, *partial;
	int64_t epoch;
	struct hydra_kernel *kernel;
	struct hydra_modlist mods;
	struct cached cached[2];    /* system.sqfs, initrd.img */
	size_t n_cached;
	double t0;
};

static void stage_start(struct build *b, const char *name, const char *what)
{
	hydra_info("[%s] %s", name, what);
	b->t0 = hydra_now();
}

/* The last lines the tools wrote: usually the reason. */
static void show_log_tail(const char *log)
{
	char *text = NULL, *start;
	size_t len;
	int lines = 0;

	if (hydra_read_file(log, &text, &len) < 0 || !len) {
		free(text);
		return;
	}
	for (start = text + len; start > text && lines <= 15; start--)
		lines += start[-1] == '\n';
	hydra_err("the end of %s:\n%s", log, start);
	free(text);
}

static int stage_end(struct build *b, const char *name, int r)
{
	if (r) {
		show_log_tail(b->res->log);
		hydra_err("stage %s failed after %.1f s (build log: %s)", name, hydra_now() - b->t0,
			  b->res->log);
	}
	else
		hydra_info("[%s] done in %.1f s", name, hydra_now() - b->t0);
	return r;
}

static char *medium_path(struct build *b, const char *rel)
{
	char *p = hydra_path_join(b->medium, rel);

	if (p && hydra_mkdir_parent(p)) {
		free(p);
		return NULL;
	}
	return p;
}

/*
 * FILE of the entry STAGE/KEY, at PATH with the SHA-256 its stamp names,
 * became REL on the medium: the MANIFEST takes that SHA-256 without reading
 * the file, for as long as REL is that very file (a link to it), and the
 * read-back of the image is what checks it. A build that fails checks the
 * entries it took (cached_damaged).
 */
static void note_cached(struct build *b, const char *stage, const char *key, const char *file,
			const char *rel, const char *path, const unsigned char sha[HYDRA_SHA256_LEN])
{
	struct cached *c = &b->cached[b->n_cached];
	struct stat st;

	if (b->n_cached >= sizeof(b->cached) / sizeof(b->cached[0]) || stat(path, &st) < 0 ||
	    !(c->stage = strdup(stage)))
		return;
	snprintf(c->key, sizeof(c->key), "%s", key);
	c->file = file;
	c->known = (struct hydra_manifest_known){ .path = rel, .dev = (uint64_t)st.st_dev,
						  .ino = (uint64_t)st.st_ino,
						  .size = (uint64_t)st.st_size };
	memcpy(c->known.sha256, sha, HYDRA_SHA256_LEN);
	b->n_cached++;
}

/* FILE just kept as the entry STAGE/KEY: noted as the lookup of the next build finds it. */
static void note_stored(struct build *b, const char *stage, const char *key, const char *file,
			const char *rel)
{
	unsigned char sha[HYDRA_SHA256_LEN];
	char *path = NULL;

	if (hydra_cache_lookup(b->cache, stage, key, file, &path, sha) == 0)
		note_cached(b, stage, key, file, rel, path, sha);
	free(path);
}

/* After a failure: 1 when an entry the build took a file from was damaged (and is removed). */
static int cached_damaged(struct build *b)
{
	int damaged = 0;

	for (size_t i = 0; i < b->n_cached; i++)
		damaged |= hydra_cache_check(b->cache, b->cached[i].stage, b->cached[i].key,
					     b->cached[i].file) == 1;
	return damaged;
}

/* SOURCE_DATE_EPOCH, else the last commit of the project, else now. */
static int64_t choose_epoch(const struct hydra_recipe *r)
{
	const char *argv[] = { "git", "-C", r->root, "log", "-1", "--format=%ct", NULL };
	struct hydra_spawn_opts o = { .logfile = "/dev/null" };
	char *out = NULL;
	int64_t e = hydra_source_date_epoch(-1);

	if (e >= 0) {
		hydra_info("build time from SOURCE_DATE_EPOCH: %lld", (long long)e);
		return e;
	}
	o.capture = &out;
	if (access("/usr/bin/git", X_OK) == 0 && hydra_spawn(argv, &o) == 0 && out && *out) {
		e = strtoll(out, NULL, 10);
		hydra_info("build time from the last git commit: %lld", (long long)e);
	} else {
		e = (int64_t)time(NULL);
		hydra_info("build time from the clock: %lld (set SOURCE_DATE_EPOCH to reproduce)",
			   (long long)e);
	}
	free(out);
	return e;
}

static int check_tools(void)
{
	static const char *const tools[] = { "mksquashfs", "mcopy", "syslinux",
					     "apt-get", "apt-cache", "depmod", "ldd", NULL };

	for (size_t i = 0; tools[i]; i++)
		if (hydra_tool_require(tools[i]))
			return -ENOENT;
	if (access("/bin/busybox", X_OK) < 0) {
		hydra_err("cannot find /bin/busybox: install the Debian package 'busybox-static'");
		return -ENOENT;
	}
	return 0;
}

/* A misspelt overlay should fail before minutes of work, not after. */
static int check_overlays(const struct hydra_recipe *r)
{
	int e = 0;

	for (size_t i = 0; !e && i < r->n_overlays; i++) {
		char *dir = hydra_strdupf("%s/overlays/%s", r->root, r->overlays[i]);
		struct stat st;

		if (!dir)
			e = -ENOMEM;
		else if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			hydra_err("%s: overlay '%s' not found: no directory '%s'", r->path,
				  r->overlays[i], dir);
			e = -ENOENT;
		}
		free(dir);
	}
	return e;
}

static int do_rootfs_busybox(struct build *b, const char *root, const char *sqfs)
{
	int r = 0;

	if (b->r->n_hooks)
		hydra_warn("%s: a busybox root runs no build hooks; %zu named hook%s not run "
			   "(see hooks/README)", b->r->path, b->r->n_hooks,
			   b->r->n_hooks == 1 ? "" : "s");
	stage_start(b, "rootfs", "busybox userland with hydra and its writer tools");
	r = stage_end(b, "rootfs", hydra_rootfs_busybox(b->r, root, b->o->hydra_bin, b->res->log));
	if (!r) {
		stage_start(b, "squashfs", "live/system.sqfs (zstd)");
		r = stage_end(b, "squashfs", hydra_squashfs_make(root, sqfs, b->epoch, b->res->log));
	}
	return r;
}

/*
 * Everything system.sqfs is made from: the recipe's [debian] section, the
 * hooks' contents, the hydra program, the kernel and the build time. The
 * overlays are not in it: changing one re-runs neither mmdebstrap nor mksquashfs.
 */
static int system_key(struct build *b, char *const *hooks, size_t n, char hex[HYDRA_SHA256_HEX])
{
	struct hydra_cache_key k = { 0 };
	char epoch[32];
	int r;

	snprintf(epoch, sizeof(epoch), "%lld", (long long)b->epoch);
	hydra_cache_key_add(&k, "format", "system.sqfs 1");
	hydra_cache_key_add(&k, "base", b->r->base);
	hydra_cache_key_add(&k, "suite", b->r->suite);
	hydra_cache_key_add(&k, "mirror", b->r->mirror);
	hydra_cache_key_add(&k, "variant", b->r->variant);
	for (size_t i = 0; i < b->r->n_packages; i++)
		hydra_cache_key_add(&k, "package", b->r->packages[i]);
	for (size_t i = 0; i < n; i++) {
		hydra_cache_key_add(&k, "hook", strrchr(hooks[i], '/') + 1);
		hydra_cache_key_add_file(&k, "hook-content", hooks[i]);
	}
	hydra_cache_key_add_file(&k, "hydra", b->o->hydra_bin);
	hydra_cache_key_add(&k, "kernel", b->kernel->package);
	hydra_cache_key_add(&k, "kernel-version", b->kernel->pkgversion);
	hydra_cache_key_add(&k, "kernel-release", b->kernel->version);
	hydra_cache_key_add(&k, "epoch", epoch);
	r = hydra_cache_key_final(&k, hex);
	hydra_cache_key_release(&k);
	return r;
}

/* mmdebstrap, hydra and the modules, the hooks, cleaning, mksquashfs: the long way. */
static int make_debian(struct build *b, const char *root, const char *sqfs, char *const *hooks,
		       size_t n)
{
	char *aptcache = hydra_path_join(b->cache, "apt-archives");
	int r = aptcache ? 0 : -ENOMEM;

	stage_start(b, "rootfs", "Debian with mmdebstrap, hydra and the kernel's modules");
	if (!r)
		r = hydra_rootfs_debian(b->r, root, b->kernel, b->o->hydra_bin, aptcache, b->epoch,
					b->res->log);
	free(aptcache);
	if (stage_end(b, "rootfs", r))
		return r;
	stage_start(b, "hooks", "build hooks inside the root tree");
	r = hydra_hooks_run(b->r, hooks, n, root, b->epoch, b->res->log);
	if (!r)
		r = hydra_rootfs_clean(root);
	if (stage_end(b, "hooks", r))
		return r;
	stage_start(b, "squashfs", "live/system.sqfs (zstd)");
	return stage_end(b, "squashfs", hydra_squashfs_make(root, sqfs, b->epoch, b->res->log));
}

static int do_rootfs_debian(struct build *b, const char *root, const char *sqfs)
{
	char **hooks = NULL, key[HYDRA_SHA256_HEX], after[HYDRA_SHA256_HEX], *cached = NULL;
	char *stage = hydra_strdupf("%s-system", b->r->name);
	unsigned char sha[HYDRA_SHA256_LEN];
	size_t n = 0;
	int r = stage ? hydra_hooks_list(b->r, &hooks, &n) : -ENOMEM;

	if (!r)
		r = system_key(b, hooks, n, key);
	if (!r && !b->o->no_cache && hydra_cache_lookup(b->cache, stage, key, "system.sqfs",
							&cached, sha) == 0) {
		hydra_info("[rootfs] cached system.sqfs (key %.12s): mmdebstrap, hooks and "
			   "mksquashfs not run", key);
		r = hydra_link_or_copy(cached, sqfs);
		if (r)
			hydra_err("cannot take '%s' from the cache: %s", cached, strerror(-r));
		else
			note_cached(b, stage, key, "system.sqfs", "live/system.sqfs", cached, sha);
		goto out;
	}
	if (!r)
		r = make_debian(b, root, sqfs, hooks, n);
	/*
	 * A hook edited while the build ran: the tree was made from other inputs
	 * than the key says, so it must not be found under that key later.
	 */
	if (!r && (system_key(b, hooks, n, after) || strcmp(key, after))) {
		hydra_warn("the build hooks changed while the build ran; system.sqfs not kept "
			   "in the cache");
		goto out;
	}
	/* A failure to keep it costs the next build time, not this one its image. */
	if (!r && hydra_cache_store(b->cache, stage, key, "system.sqfs", sqfs))
		hydra_warn("system.sqfs not kept in the cache; the next build makes it again");
	else if (!r) {
		hydra_info("[rootfs] system.sqfs kept in the cache (key %.12s)", key);
		note_stored(b, stage, key, "system.sqfs", "live/system.sqfs");
	}
out:
	hydra_strv_free(hooks, n);
	free(cached);
	free(stage);
	return r;
}

static int do_rootfs(struct build *b)
{
	char *root = hydra_path_join(b->work, "rootfs");
	char *sqfs = medium_path(b, "live/system.sqfs");
	int r = root && sqfs ? 0 : -ENOMEM;

	if (!r)
		r = strcmp(b->r->base, "debian") ? do_rootfs_busybox(b, root, sqfs) :
		    do_rootfs_debian(b, root, sqfs);
	free(root);
	free(sqfs);
	return r;
}

static void on_missing_module(const char *name, void *ud)
{
	const struct hydra_kernel *k = ud;
	char *builtin = hydra_path_join(k->moddir, "modules.builtin"), *text = NULL, pat[128];

	snprintf(pat, sizeof(pat), "/%s.ko", name);
	if (builtin && hydra_read_file(builtin, &text, NULL) == 0 && strstr(text, pat))
		hydra_debug("module %s is built into %s", name, k->version);
	else
		hydra_warn("the driver map names '%s', which kernel %s does not have", name,
			   k->version);
	free(text);
	free(builtin);
}

static int do_modules(struct build *b)
{
	char *map = hydra_path_join(b->r->root, "hardware-db/drivers.conf");
	char *dep = hydra_path_join(b->kernel->moddir, "modules.dep"), *text = NULL;
	char **names = NULL;
	size_t n = 0, len;
	int r = map && dep ? 0 : -ENOMEM;

	if (!r)
		r = hydra_drivers_load(map, &names, &n);
	if (!r && (r = hydra_read_file(dep, &text, &len)))
		hydra_err("cannot read '%s': %s", dep, strerror(-r));
	if (!r)
		r = hydra_modules_closure(text, len, (const char *const *)names, n, &b->mods,
					  on_missing_module, b->kernel);
	if (!r)
		hydra_info("%zu driver map entries close over %zu modules", n, b->mods.n);
	hydra_strv_free(names, n);
	free(text);
	free(map);
	free(dep);
	return r;
}

/* The kernel first: a Debian root carries the modules of the kernel the medium boots. */
static int do_kernel(struct build *b)
{
	char *vmlinuz = medium_path(b, "boot/vmlinuz");
	int r = vmlinuz ? 0 : -ENOMEM;

	stage_start(b, "kernel", b->r->kernel_package);
	if (!r)
		r = hydra_kernel_fetch(b->r->kernel_package, b->cache,
				       b->o->no_cache ? F_KERNEL_RESOLVE : 0, b->res->log,
				       &b->kernel);
	/* A link, not a copy of 8 MiB: nothing writes to the medium's files but their times. */
	if (!r)
		r = hydra_link_or_copy(b->kernel->vmlinuz, vmlinuz);
	free(vmlinuz);
	return stage_end(b, "kernel", r);
}

/*
 * What initrd.img is made from: hydra's own code (which builds it), hydra-init
 * and the libraries and busybox it takes from this machine, the driver map,
 * the kernel, the trusted keys and the build time. Overlays are not in it.
 */
static int initramfs_key(struct build *b, char hex[HYDRA_SHA256_HEX])
{
	const char *argv[] = { "ldd", b->o->init_bin, NULL };
	struct hydra_spawn_opts o = { .logfile = b->res->log };
	struct hydra_cache_key k = { 0 };
	char *map = hydra_path_join(b->r->root, "hardware-db/drivers.conf");
	char *keys_dir = hydra_path_join(b->r->root, "hardware-db/keys");
	char *libs = NULL, *save = NULL, epoch[32], **keys = NULL;
	size_t n_keys = 0;
	int r;

	snprintf(epoch, sizeof(epoch), "%lld", (long long)b->epoch);
	hydra_cache_key_add(&k, "format", "initrd.img 2");
	hydra_cache_key_add_file(&k, "hydra", b->o->hydra_bin);
	hydra_cache_key_add_file(&k, "hydra-init", b->o->init_bin);
	hydra_cache_key_add_file(&k, "busybox", "/bin/busybox");
	hydra_cache_key_add_file(&k, "driver-map", map ? map : "");
	hydra_cache_key_add(&k, "kernel", b->kernel->package);
	hydra_cache_key_add(&k, "kernel-version", b->kernel->pkgversion);
	hydra_cache_key_add(&k, "kernel-release", b->kernel->version);
	hydra_cache_key_add(&k, "epoch", epoch);
	for (size_t i = 0; hydra_dlopened_libs[i]; i++) {
		char *lib = hydra_find_library(hydra_dlopened_libs[i]);

		hydra_cache_key_add_file(&k, "library", lib ? lib : hydra_dlopened_libs[i]);
		free(lib);
	}
	r = keys_dir ? hydra_initramfs_trusted_keys(keys_dir, &keys, &n_keys) : -ENOMEM;
	for (size_t i = 0; !r && i < n_keys; i++)
		hydra_cache_key_add_file(&k, "trusted-key", keys[i]);
	hydra_strv_free(keys, HYDRA_STRV_ALL);
	free(keys_dir);
	if (r) {
		hydra_cache_key_release(&k);
		free(map);
		return r;
	}
	o.capture = &libs;
	r = hydra_spawn(argv, &o);
	for (char *l = strtok_r(r ? NULL : libs, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *slash = strchr(l, '/');

		if (slash) {
			slash[strcspn(slash, " \t(")] = '\0';
			hydra_cache_key_add_file(&k, "library", slash);
		}
	}
	r = r ? -EIO : hydra_cache_key_final(&k, hex);
	hydra_cache_key_release(&k);
	free(libs);
	free(map);
	return r;
}

static int make_initramfs(struct build *b, const char *initrd)
{
	char *keys = hydra_path_join(b->r->root, "hardware-db/keys");
	int r = keys ? 0 : -ENOMEM;

	stage_start(b, "initramfs", "hydra-init, the driver map's modules and the trusted keys");
	if (!r)
		r = do_modules(b);
	if (!r)
		r = hydra_initramfs_build(b->o->init_bin, b->kernel, &b->mods, keys, b->work,
					  initrd, b->epoch);
	free(keys);
	return stage_end(b, "initramfs", r);
}

/*
 * Only Debian images use the stage cache, as for system.sqfs: a busybox image
 * is made whole in seconds. A key that cannot be made means no cache, not
 * no image.
 */
static int do_initramfs(struct build *b)
{
	char *initrd = medium_path(b, "boot/initrd.img"), *cached = NULL, key[HYDRA_SHA256_HEX];
	char *stage = hydra_strdupf("%s-initrd", b->r->name);
	unsigned char sha[HYDRA_SHA256_LEN];
	int r = initrd && stage ? 0 : -ENOMEM, keyed;

	keyed = !r && !strcmp(b->r->base, "debian") && initramfs_key(b, key) == 0;
	if (keyed && !b->o->no_cache &&
	    hydra_cache_lookup(b->cache, stage, key, "initrd.img", &cached, sha) == 0) {
		hydra_info("[initramfs] cached initrd.img (key %.12s)", key);
		r = hydra_link_or_copy(cached, initrd);
		if (r)
			hydra_err("cannot take '%s' from the cache: %s", cached, strerror(-r));
		else
			note_cached(b, stage, key, "initrd.img", "boot/initrd.img", cached, sha);
		goto out;
	}
	if (!r)
		r = make_initramfs(b, initrd);
	if (!r && keyed && hydra_cache_store(b->cache, stage, key, "initrd.img", initrd))
		hydra_warn("initrd.img not kept in the cache; the next build makes it again");
	else if (!r && keyed)
		note_stored(b, stage, key, "initrd.img", "boot/initrd.img");
out:
	free(cached);
	free(stage);
	free(initrd);
	return r;
}

/* Overlay folders NAMES (under overlays/), merged in order, packed as hydra/overlays/TAR.tar. */
static int pack_overlays(struct build *b, char *const *names, size_t n, const char *tar)
{
	char *merged = hydra_strdupf("%s/overlay-%s", b->work, tar);
	char *rel = hydra_strdupf("hydra/overlays/%s.tar", tar);
	char *out = rel ? medium_path(b, rel) : NULL;
	int r = merged && out ? hydra_mkdir_p(merged, 0755) : -ENOMEM;

	for (size_t i = 0; !r && i < n; i++) {
		char *dir = hydra_strdupf("%s/overlays/%s", b->r->root, names[i]);
		char *top = hydra_strdupf("%s/overlays", b->r->root);
		struct stat st;

		if (!dir || !top)
			r = -ENOMEM;
		else if (!hydra_plain_name(names[i]) || (stat(dir, &st) == 0 &&
							!hydra_path_within(dir, top))) {
			/* A name or a link that leads out of overlays/ would pack the host's files. */
			hydra_err("overlay '%s' (for %s.tar) is not a folder of '%s'", names[i], tar,
				  top);
			r = -EPERM;
		} else if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			hydra_err("overlay '%s' (for %s.tar) not found: no directory '%s'", names[i],
				  tar, dir);
			r = -ENOENT;
		} else {
			r = hydra_copy_tree(dir, merged);
		}
		free(dir);
		free(top);
	}
	if (!r)
		r = hydra_overlay_pack(merged, out, b->epoch);
	/* Refused here, with the entry named, rather than whole at every boot. */
	if (!r)
		r = hydra_archive_check(out, "overlay", NULL, NULL);
	free(merged);
	free(rel);
	free(out);
	return r;
}

/* Each node of the hardware-db with overlays of its own gets NODE.tar. */
static int pack_node_overlays(struct build *b)
{
	char *dir = hydra_path_join(b->r->root, "hardware-db");
	struct hydra_hwdb *db = NULL;
	int r = dir ? hydra_hwdb_load(dir, &db) : -ENOMEM;

	/* A node skips a bad profile and boots on; an image is not built with one. */
	if (!r && db->n_skipped) {
		hydra_err("'%s' has %zu profiles that cannot be used (above): mend them before a build",
			  dir, db->n_skipped);
		r = -EINVAL;
	}
	for (size_t i = 0; !r && i < db->n_nodes; i++) {
		const struct hydra_node *node = &db->nodes[i];
		char *copy, *save = NULL, *names[16];
		size_t n = 0;

		if (!node->overlays || !*node->overlays)
			continue;
		copy = strdup(node->overlays);
		if (!copy) {
			r = -ENOMEM;
			break;
		}
		for (char *w = strtok_r(copy, " \t", &save); w && n < 16; w = strtok_r(NULL, " \t", &save))
			names[n++] = w;
		r = pack_overlays(b, names, n, node->name);
		free(copy);
	}
	hydra_hwdb_free(db);
	free(dir);
	return r;
}

/* The recipe's overlays as common.tar, then each node's own. */
static int do_overlays(struct build *b)
{
	int r;

	stage_start(b, "overlays", "configuration layer");
	r = pack_overlays(b, b->r->overlays, b->r->n_overlays, "common");
	if (!r)
		r = pack_node_overlays(b);
	return stage_end(b, "overlays", r);
}

static int do_hwdb(struct build *b)
{
	char *src = hydra_path_join(b->r->root, "hardware-db");
	char *dst = medium_path(b, "hydra/hardware-db");
	int r;

	stage_start(b, "hardware-db", "node profiles and the driver map");
	r = src && dst ? hydra_copy_tree(src, dst) : -ENOMEM;
	if (r)
		hydra_err("cannot copy the hardware-db '%s': %s", src, strerror(-r));
	free(src);
	free(dst);
	return stage_end(b, "hardware-db", r);
}

/* The medium's MANIFEST; the files taken from the stage cache are not read for it. */
static int scan_medium(struct build *b, struct hydra_manifest **m)
{
	struct hydra_manifest_known known[sizeof(b->cached) / sizeof(b->cached[0])];

	for (size_t i = 0; i < b->n_cached; i++)
		known[i] = b->cached[i].known;
	return hydra_manifest_scan_known(b->medium, b->r->name, b->r->cmdline, b->epoch, known,
					 b->n_cached, m);
}

static int do_medium(struct build *b)
{
	struct hydra_manifest *m = NULL;
	struct hydra_write_opts w = {
		.size = b->o->size ? b->o->size : b->r->size,
		.flags = F_WRITE_CREATE,
	};
	int r;

	stage_start(b, "medium", "MANIFEST, then the image");
	/* The BIOS loader as syslinux installs it, carried as payload for the writer. */
	r = hydra_bootfiles_make(b->medium, b->work, b->res->log);
	if (!r)
		r = hydra_set_times(b->medium, b->epoch);
	if (!r)
		r = scan_medium(b, &m);
	if (!r)
		r = hydra_manifest_save(b->medium, m);
	if (!r && b->o->sign_key)
		r = hydra_sign_manifest(b->o->sign_key, b->medium);
	if (!r)
		r = hydra_set_times(b->medium, b->epoch);
	if (!r) {
		snprintf(b->res->id, sizeof(b->res->id), "%s", m->id);
		r = hydra_medium_write(b->medium, b->partial, &w);
	}
	hydra_manifest_free(m);
	return stage_end(b, "medium", r);
}

static int setup(struct build *b)
{
	const char *out = b->o->out;
	char *dflt = NULL;
	size_t n;

	if (!out)
		out = dflt = hydra_strdupf("out/%s.img", b->r->name);
	if (!out)
		return -ENOMEM;
	snprintf(b->res->out, sizeof(b->res->out), "%s", out);
	n = strlen(out);
	snprintf(b->res->log, sizeof(b->res->log), "%.*s.log",
		 (int)(n > 4 && !strcmp(out + n - 4, ".img") ? n - 4 : n), out);
	free(dflt);
	b->work = hydra_strdupf("%s.work", b->res->out);
	b->partial = hydra_strdupf("%s.partial", b->res->out);
	b->medium = b->work ? hydra_path_join(b->work, "medium") : NULL;
	b->cache = b->o->cache ? strdup(b->o->cache) :
		   getenv("HYDRA_CACHE") ? strdup(getenv("HYDRA_CACHE")) :
		   hydra_path_join(b->r->root, "out/cache");
	if (!b->work || !b->partial || !b->medium || !b->cache)
		return -ENOMEM;
	hydra_rm_rf(b->work);
	unlink(b->partial);
	unlink(b->res->log);
	return hydra_mkdir_p(b->medium, 0755) ? -EIO : hydra_mkdir_parent(b->res->log);
}

static int run_stages(struct build *b)
{
	struct stat st;
	int e = do_kernel(b);

	if (!e)
		e = do_rootfs(b);
	if (!e)
		e = do_initramfs(b);
	if (!e)
		e = do_overlays(b);
	if (!e)
		e = do_hwdb(b);
	if (!e)
		e = do_medium(b);
	if (!e && rename(b->partial, b->res->out) < 0) {
		e = -errno;
		hydra_err("cannot rename '%s' to '%s': %s", b->partial, b->res->out,
			  strerror(errno));
	}
	if (!e && stat(b->res->out, &st) == 0)
		b->res->size = (uint64_t)st.st_size;
	return e;
}

/* What one run of the stages leaves, so that the next starts afresh. */
static void forget_run(struct build *b)
{
	hydra_kernel_free(b->kernel);
	b->kernel = NULL;
	hydra_modlist_release(&b->mods);
	for (size_t i = 0; i < b->n_cached; i++)
		free(b->cached[i].stage);
	b->n_cached = 0;
}

int hydra_build(const struct hydra_recipe *r, const struct hydra_build_opts *o,
		struct hydra_build_result *res)
{
	struct build b = { .r = r, .o = o, .res = res };
	int e;

	memset(res, 0, sizeof(*res));
	e = check_tools();
	if (!e)
		e = check_overlays(r);
	if (!e)
		e = setup(&b);
	if (e)
		goto out;
	hydra_info("building image '%s' from %s into %s", r->name, r->path, res->out);
	b.epoch = choose_epoch(r);
	e = run_stages(&b);
	/* A damaged entry shows when the image is read back: it is gone now, and made again. */
	if (e && cached_damaged(&b)) {
		hydra_warn("building '%s' again, without the damaged cache entry", res->out);
		forget_run(&b);
		unlink(b.partial);
		hydra_rm_rf(b.work);
		e = hydra_mkdir_p(b.medium, 0755) ? -EIO : run_stages(&b);
	}
out:
	if (e && b.partial)
		unlink(b.partial);
	if (b.work && !getenv("HYDRA_KEEP_WORK"))
		hydra_rm_rf(b.work);
	forget_run(&b);
	free(b.work);
	free(b.medium);
	free(b.cache);
	free(b.partial);
	return e;
}
