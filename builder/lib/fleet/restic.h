/*
 * restic, run for the replicas (Debian's restic 0.14): one repository per
 * node on each of its neighbours, reached through restic's sftp backend
 * and OpenSSH, or a local directory (a copy that a clone carries). The
 * password is read from a file of mode 0600 or an inherited descriptor
 * (/dev/fd/N), never from a command line or the environment.
 */
#ifndef HYDRA_FLEET_RESTIC_H
#define HYDRA_FLEET_RESTIC_H

#include <stdint.h>

struct hydra_restic {
	const char *repo;           /* "sftp:USER@HOST:/repo", or a directory */
	const char *ssh;            /* restic's sftp.command for an sftp repo, else NULL */
	const char *password_file;  /* a 0600 file, or "/dev/fd/N" with keep_fd N */
	int keep_fd;
	const char *cwd;            /* where restic runs (backup of ".") or NULL */
};

/*
 * restic ARGS (NULL-terminated) on R's repository, without a cache. Lines of
 * its stdout go to ON_LINE when given; its stderr comes back in *ERR (the
 * caller frees it). Returns restic's exit status (0 done), or -errno when it
 * could not run.
 */
int hydra_restic_run(const struct hydra_restic *r, const char *const args[],
		     void (*on_line)(char *line, void *ud), void *ud, char **err);

/*
 * What restic's (and ssh's) stderr says went wrong: -EKEYREJECTED (the ssh
 * key or the password refused, or the neighbour's host key changed),
 * -EHOSTUNREACH, -ENOSPC, -ENOENT (no repository there), -EBUSY (locked),
 * -EBADMSG (damaged data), else -EIO. *WHY gets words for a message.
 */
int hydra_restic_error(const char *err, const char **why);

/* The summary restic backup --json ends with. */
struct hydra_backup_summary {
	char snapshot[72];
	uint64_t files_new, files_changed, files_unmodified;
	uint64_t files, bytes;      /* total_files_processed, total_bytes_processed */
	uint64_t added;             /* data_added: bytes uploaded after deduplication */
	double seconds;
};

/*
 * One line of restic backup --json: 1 and SUM filled for the summary, 2 and
 * TOTAL and DONE for a status line, 0 for anything else (pure).
 */
int hydra_restic_backup_line(const char *line, struct hydra_backup_summary *sum,
			     uint64_t *total, uint64_t *done);

#endif
