/* restic for the replicas; see restic.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/hydra.h"
#include "base/util.h"
#include "fleet/restic.h"

#define RESTIC_MAX_ARGS 48

/* What restic says on stdout when nobody reads it: for hydra -v only. */
static void debug_line(char *line, void *ud)
{
	(void)ud;
	if (*line)
		hydra_debug("restic: %s", line);
}

int hydra_restic_run(const struct hydra_restic *r, const char *const args[],
		     void (*on_line)(char *line, void *ud), void *ud, char **err)
{
	const char *argv[RESTIC_MAX_ARGS];
	char *sftp = r->ssh ? hydra_strdupf("sftp.command=%s", r->ssh) : NULL;
	struct hydra_spawn_opts o = { .cwd = r->cwd, .on_line = on_line ? on_line : debug_line,
				      .line_ud = ud,
				      .capture_err = err, .keep_fd = r->keep_fd };
	/* restic asks nothing and keeps no cache in root's home (a live node's RAM). */
	static const char *const env[] = { "RESTIC_PASSWORD", "RESTIC_PASSWORD_COMMAND",
					   "RESTIC_REPOSITORY", "RESTIC_REPOSITORY_FILE", NULL };
	size_t n = 0;
	int rc;

	if (r->ssh && !sftp)
		return -ENOMEM;
	o.env = env;
	argv[n++] = "restic";
	argv[n++] = "--no-cache";
	argv[n++] = "-r";
	argv[n++] = r->repo;
	argv[n++] = "--password-file";
	argv[n++] = r->password_file;
	if (sftp) {
		argv[n++] = "-o";
		argv[n++] = sftp;
	}
	for (size_t i = 0; args[i] && n < RESTIC_MAX_ARGS - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	rc = hydra_spawn(argv, &o);
	free(sftp);
	return rc;
}

static const struct {
	const char *text;
	int err;
	const char *why;
} restic_errors[] = {
	{ "Permission denied (publickey", EKEYREJECTED, "it refused this node's ssh key" },
	{ "wrong password or no key found", EKEYREJECTED, "the password does not open the repository" },
	{ "REMOTE HOST IDENTIFICATION HAS CHANGED", EKEYREJECTED, "its ssh host key changed" },
	{ "Host key verification failed", EKEYREJECTED, "its ssh host key does not match" },
	{ "o space left on device", ENOSPC, "it is full" },
	{ "Connection refused", EHOSTUNREACH, "it refused the connection (is ssh running?)" },
	{ "Connection timed out", EHOSTUNREACH, "it did not answer" },
	{ "No route to host", EHOSTUNREACH, "there is no route to it" },
	{ "Network is unreachable", EHOSTUNREACH, "its network is unreachable" },
	{ "Could not resolve", EHOSTUNREACH, "its address does not resolve" },
	{ "connect to host", EHOSTUNREACH, "it cannot be reached" },
	{ "Connection closed", EHOSTUNREACH, "it closed the connection" },
	{ "Connection reset", EHOSTUNREACH, "it reset the connection" },
	{ "repository is already locked", EBUSY, "its repository is locked by another restic" },
	{ "unable to open config file", ENOENT, "there is no repository" },
	{ "Pack ID does not match", EBADMSG, "the repository is damaged" },
	{ "ciphertext verification failed", EBADMSG, "the repository is damaged" },
	{ "repository contains errors", EBADMSG, "the repository is damaged" },
};

int hydra_restic_error(const char *err, const char **why)
{
	for (size_t i = 0; err && i < sizeof(restic_errors) / sizeof(restic_errors[0]); i++)
		if (strstr(err, restic_errors[i].text)) {
			*why = restic_errors[i].why;
			return -restic_errors[i].err;
		}
	*why = "restic failed";
	return -EIO;
}

static uint64_t get_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

int hydra_restic_backup_line(const char *line, struct hydra_backup_summary *sum,
			     uint64_t *total, uint64_t *done)
{
	struct json_object *o = line[0] == '{' ? json_tokener_parse(line) : NULL, *v;
	const char *type = o && json_object_object_get_ex(o, "message_type", &v) ?
			   json_object_get_string(v) : "";
	int r = 0;

	if (!strcmp(type, "summary")) {
		memset(sum, 0, sizeof(*sum));
		if (json_object_object_get_ex(o, "snapshot_id", &v))
			snprintf(sum->snapshot, sizeof(sum->snapshot), "%s", json_object_get_string(v));
		sum->files_new = get_u64(o, "files_new");
		sum->files_changed = get_u64(o, "files_changed");
		sum->files_unmodified = get_u64(o, "files_unmodified");
		sum->files = get_u64(o, "total_files_processed");
		sum->bytes = get_u64(o, "total_bytes_processed");
		sum->added = get_u64(o, "data_added");
		if (json_object_object_get_ex(o, "total_duration", &v))
			sum->seconds = json_object_get_double(v);
		r = 1;
	} else if (!strcmp(type, "status")) {
		*total = get_u64(o, "total_bytes");
		*done = get_u64(o, "bytes_done");
		r = 2;
	}
	json_object_put(o);
	return r;
}
