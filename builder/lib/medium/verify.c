/* Checking a medium against its MANIFEST: complete, incomplete or corrupt. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hydra.h"
#include "format/bootcfg.h"
#include "format/hwdb.h"
#include "format/manifest.h"
#include "medium/medium.h"

/* What a medium must carry to boot at all: a MANIFEST without them is not one. */
static const char *const boot_files[] = { "boot/vmlinuz", "boot/initrd.img", "live/system.sqfs",
					  NULL };
/* The boot loader's configuration, written per medium, outside the payload. */
static const char *const boot_configs[] = { "syslinux/syslinux.cfg", "EFI/BOOT/syslinux.cfg",
					    NULL };

static int mark(struct hydra_verify_report *rep, enum hydra_medium_state state, const char *file)
{
	rep->state = state;
	snprintf(rep->bad_file, sizeof(rep->bad_file), "%s", file);
	return -EBADMSG;
}

static int check_file(struct hydra_medium *md, const struct hydra_manifest_file *f,
		      unsigned flags, struct hydra_verify_report *rep)
{
	unsigned char sha[HYDRA_SHA256_LEN];
	uint64_t size = 0;
	int r;

	if (flags & F_VERIFY_QUICK)
		r = hydra_medium_stat(md, f->path, &size);
	else
		r = hydra_medium_hash(md, f->path, sha, &size);
	if (r == -ENOENT) {
		hydra_err("'%s' is missing from the medium", f->path);
		return mark(rep, HYDRA_MEDIUM_INCOMPLETE, f->path);
	}
	/* A chain cut short, leaving the FAT or looping reads as an error: the file is bad. */
	if (r == -ENOMEM)
		return r;
	if (r) {
		hydra_err("cannot read '%s' from the medium: %s", f->path, strerror(-r));
		return mark(rep, HYDRA_MEDIUM_CORRUPT, f->path);
	}
	if (size < f->size) {
		hydra_err("'%s' is short: %llu bytes of %llu", f->path, (unsigned long long)size,
			  (unsigned long long)f->size);
		return mark(rep, HYDRA_MEDIUM_INCOMPLETE, f->path);
	}
	if (size != f->size || (!(flags & F_VERIFY_QUICK) && memcmp(sha, f->sha256, sizeof(sha)))) {
		hydra_err("'%s' differs from the MANIFEST", f->path);
		return mark(rep, HYDRA_MEDIUM_CORRUPT, f->path);
	}
	return 0;
}

/*
 * The MANIFEST must be what its id names (an edited line, say a cmdline with
 * init=/bin/sh, changes the id it would have) and list what boots.
 */
static int check_manifest(const struct hydra_manifest *m, struct hydra_verify_report *rep)
{
	char id[HYDRA_ID_LEN + 1];
	int r = hydra_manifest_id(m, id);

	if (r)
		return r;
	if (strcmp(id, m->id)) {
		hydra_err("the MANIFEST was changed: its contents give the id %s, not %s", id, m->id);
		return mark(rep, HYDRA_MEDIUM_CORRUPT, HYDRA_MANIFEST_PATH);
	}
	for (size_t i = 0; boot_files[i]; i++)
		if (!hydra_manifest_find(m, boot_files[i])) {
			hydra_err("the MANIFEST does not list '%s': this is no bootable medium",
				  boot_files[i]);
			return mark(rep, HYDRA_MEDIUM_CORRUPT, HYDRA_MANIFEST_PATH);
		}
	return 0;
}

/* The node a syslinux.cfg pins (" hydra.node=NAME" ending its APPEND line), if any. */
static void pinned_node(const char *cfg, char *node, size_t len)
{
	const char *p = strstr(cfg, " hydra.node=");
	size_t n;

	node[0] = '\0';
	if (!p)
		return;
	p += strlen(" hydra.node=");
	n = strcspn(p, " \n");
	if (n < len) {
		memcpy(node, p, n);
		node[n] = '\0';
	}
	if (!hydra_node_name_valid(node))
		node[0] = '\0';
}

/*
 * The boot loader passes the command line: each syslinux.cfg must be exactly
 * what the writer makes for this MANIFEST (the node a clone pins aside).
 */
static int check_boot_config(struct hydra_medium *md, const struct hydra_manifest *m,
			     struct hydra_verify_report *rep)
{
	for (size_t i = 0; boot_configs[i]; i++) {
		char *cfg = NULL, *want = NULL, node[HYDRA_NODE_NAME_MAX + 1];
		size_t len;
		int r = hydra_medium_read(md, boot_configs[i], &cfg, &len), same;

		if (r == -ENOENT) {
			hydra_err("'%s' is missing from the medium", boot_configs[i]);
			return mark(rep, HYDRA_MEDIUM_INCOMPLETE, boot_configs[i]);
		}
		if (r)
			return r;
		pinned_node(cfg, node, sizeof(node));
		want = hydra_bootcfg_syslinux(m->id, m->cmdline, node[0] ? node : NULL);
		same = want && !strcmp(cfg, want);
		free(cfg);
		free(want);
		if (!want)
			return -ENOMEM;
		if (!same) {
			hydra_err("'%s' boots another command line than the MANIFEST's",
				  boot_configs[i]);
			return mark(rep, HYDRA_MEDIUM_CORRUPT, boot_configs[i]);
		}
	}
	return 0;
}

int hydra_medium_verify(const char *path, unsigned flags, hydra_progress_fn progress, void *ud,
			struct hydra_verify_report *rep)
{
	struct hydra_medium *md = NULL;
	struct hydra_manifest *m = NULL;
	uint64_t total = 0;
	const char *part;
	char *buf = NULL;
	size_t len;
	int r;

	memset(rep, 0, sizeof(*rep));
	r = (flags & F_VERIFY_CACHED) ? hydra_medium_open_cached(path, &md) :
	    hydra_medium_open(path, &md);
	if (r)
		return r;
	r = hydra_medium_read(md, HYDRA_MANIFEST_PATH, &buf, &len);
	if (r) {
		hydra_err("'%s' has no readable %s: not a hydra medium, or not written yet",
			  path, HYDRA_MANIFEST_PATH);
		r = mark(rep, HYDRA_MEDIUM_INCOMPLETE, HYDRA_MANIFEST_PATH);
		goto out;
	}
	r = hydra_manifest_parse(buf, len, &m);
	if (r) {
		r = mark(rep, HYDRA_MEDIUM_CORRUPT, HYDRA_MANIFEST_PATH);
		goto out;
	}
	snprintf(rep->id, sizeof(rep->id), "%s", m->id);
	r = check_manifest(m, rep);
	if (!r && hydra_medium_check_table(md, &part))
		r = mark(rep, HYDRA_MEDIUM_CORRUPT, part);
	if (!r)
		r = check_boot_config(md, m, rep);
	if (r)
		goto out;
	for (size_t i = 0; i < m->n_files; i++)
		total += m->files[i].size;
	for (size_t i = 0; i < m->n_files; i++) {
		r = check_file(md, &m->files[i], flags, rep);
		if (r)
			goto out;
		rep->files++;
		rep->bytes += m->files[i].size;
		if (progress && progress(total, rep->bytes, ud)) {
			r = -ECANCELED;
			goto out;
		}
	}
	/* Every file is right, but firmware boots it only once sector 0 was committed. */
	if (!(flags & F_VERIFY_PAYLOAD_ONLY) && !hydra_medium_committed(md)) {
		hydra_err("'%s' was never committed: its boot sector is not written", path);
		r = mark(rep, HYDRA_MEDIUM_INCOMPLETE, "(boot sector)");
		goto out;
	}
	rep->state = HYDRA_MEDIUM_COMPLETE;
	r = 0;
out:
	/* On a medium never committed, whatever is wrong is a write that did not finish. */
	if (r == -EBADMSG && rep->state == HYDRA_MEDIUM_CORRUPT && md &&
	    !(flags & F_VERIFY_PAYLOAD_ONLY) && !hydra_medium_committed(md)) {
		hydra_err("'%s' was never committed: the write did not finish", path);
		rep->state = HYDRA_MEDIUM_INCOMPLETE;
	}
	free(buf);
	hydra_manifest_free(m);
	hydra_medium_close(md);
	return r;
}
