/* Checking a medium against its MANIFEST: complete, incomplete or corrupt. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hydra.h"
#include "format/manifest.h"
#include "medium/medium.h"

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
	if (r) {
		hydra_err("cannot read '%s' from the medium: %s", f->path, strerror(-r));
		return r;
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

int hydra_medium_verify(const char *path, unsigned flags, hydra_progress_fn progress, void *ud,
			struct hydra_verify_report *rep)
{
	struct hydra_medium *md = NULL;
	struct hydra_manifest *m = NULL;
	uint64_t total = 0;
	char *buf = NULL;
	size_t len;
	int r;

	memset(rep, 0, sizeof(*rep));
	r = hydra_medium_open(path, &md);
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
