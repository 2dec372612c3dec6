/*
 * Replicas: every node's data volume kept, as a restic repository, on each
 * of its neighbours, which cannot read it (README "Replicas").
 *
 * On a node's data volume (DATADIR, /var/lib/hydra/data on a node):
 *   backup/password          the restic password of its replicas: its recovery key (0600)
 *   backup/id_ed25519[.pub]  the ssh key its neighbours accept (0600)
 *   backup/known_hosts       its neighbours' ssh host keys, pinned at first contact
 *   replicas/NODE/           chroot and home of the system user replica-NODE (root, 0755)
 *   replicas/NODE/repo/      NODE's repository, kept for it here (replica-NODE, 0700)
 *   replicas/NODE.pub        NODE's ssh key (sshd: AuthorizedKeysFile %h.pub)
 *   .hydra-restore/HOLDER/   a copy of this node's repository that a clone made on HOLDER
 */
#ifndef HYDRA_FLEET_REPLICA_H
#define HYDRA_FLEET_REPLICA_H

#include <stddef.h>
#include <stdint.h>

#include "base/hydra.h"
#include "fleet/restic.h"
#include "format/hwdb.h"

#define HYDRA_REPLICA_KEEP "backup"
#define HYDRA_REPLICA_HELD "replicas"
#define HYDRA_REPLICA_PENDING ".hydra-restore"
#define HYDRA_REPLICA_GROUP "hydra-replica"
#define HYDRA_REPLICA_USER "replica-"
/* Node names longer than this would make user names past useradd's 32 characters. */
#define HYDRA_REPLICA_NAME_MAX 24
/* 25 characters of base32 (125 bits) in five groups: "xxxxx-xxxxx-xxxxx-xxxxx-xxxxx". */
#define HYDRA_RECOVERY_KEY_LEN 29
/* How long restic keeps snapshots: the newest of each of the last 24 hours, 7 days, 4 weeks. */
#define HYDRA_REPLICA_KEEP_POLICY "--keep-hourly", "24", "--keep-daily", "7", "--keep-weekly", "4"

/* This node, and the volume it keeps its data and its neighbours' replicas on. */
struct hydra_replica_self {
	const char *node;
	const char *datadir;
};

/* A neighbour as this node's restic reaches it: sftp over ssh, chrooted to its repository. */
struct hydra_replica_peer {
	char node[64];
	char host[64];             /* the profile's address without its prefix */
	char repo[200];            /* sftp:replica-SELF@HOST:/repo */
	char ssh[1024];            /* the ssh command restic starts (sftp.command) */
	char login[160];           /* replica-SELF@HOST */
	char key[256], known[256]; /* this node's ssh key and known_hosts */
};

/* The ssh options of every connection to a neighbour ("-o" each), NULL-terminated. */
extern const char *const hydra_replica_ssh_options[];

/* The node this machine booted as, as hydra-init wrote it; "generic" when it says none. */
void hydra_running_node(char *name, size_t len);

/* A fresh recovery key from getrandom. */
int hydra_recovery_key_new(char out[HYDRA_RECOVERY_KEY_LEN + 1]);
/*
 * A key as typed (any case, with or without dashes and spaces) in the form
 * it was made in; -EINVAL when it is not 25 base32 characters.
 */
int hydra_recovery_key_normalize(const char *in, size_t len, char out[HYDRA_RECOVERY_KEY_LEN + 1]);

/*
 * backup/ with the password and the ssh key, made when missing. *RECOVERY
 * gets the password when this call made it (to be shown to the operator
 * once, then wiped with hydra_key_free), else NULL.
 */
int hydra_replica_identity(const struct hydra_replica_self *s, char **recovery);
/* The public half of this node's ssh key (one line, malloc'd). */
int hydra_replica_public_key(const struct hydra_replica_self *s, char **text);
/* How to reach NEIGHBOUR: -EDESTADDRREQ (logged) when its profile has no address. */
int hydra_replica_peer(const struct hydra_replica_self *s, const struct hydra_node *neighbour,
		       struct hydra_replica_peer *p);
/* restic on this node's repository on P, with the password kept in backup/. */
void hydra_replica_restic(const struct hydra_replica_self *s, const struct hydra_replica_peer *p,
			  char *password_file, size_t len, struct hydra_restic *r);

/*
 * Snapshot the data volume into this node's repository on P (made at the
 * first backup), then apply the retention policy: restic forget, and prune
 * when it dropped a snapshot. Everything but replicas/NODE/repo, lost+found
 * and .hydra-restore is kept. Errors are logged naming P.
 */
int hydra_replica_backup(const struct hydra_replica_self *s, const struct hydra_replica_peer *p,
			 struct hydra_backup_summary *sum, hydra_progress_fn progress, void *ud);

/* What a listing says of one replica. */
struct hydra_replica_info {
	char node[64];             /* whose data */
	char where[64];            /* which node keeps it */
	unsigned snapshots;
	int64_t newest;            /* time of the newest snapshot, 0 when none */
	uint64_t bytes;            /* the repository's size */
	int err;                   /* why it could not be read, 0 when it was */
};

/* This node's replica on P: its snapshots (restic snapshots) and size (restic stats). */
int hydra_replica_stat(const struct hydra_replica_self *s, const struct hydra_replica_peer *p,
		       struct hydra_replica_info *info);
/* Whether R's password opens its repository (restic cat config): 0, -EKEYREJECTED... */
int hydra_replica_open(const struct hydra_restic *r, const char *where);
/* restic check --read-data of R; -EBADMSG naming each damaged pack. */
int hydra_replica_check(const struct hydra_restic *r, const char *where);

struct hydra_replica_restore {
	const struct hydra_restic *from;
	const char *where;         /* the holder's name, for messages */
	const char *snapshot;      /* an ID, or NULL for this node's newest */
	const char *to;            /* an empty directory (lost+found, backup/ and
				      .hydra-restore aside); default the data volume */
};
/*
 * Check the repository whole (restic check --read-data) and refuse a damaged
 * one before anything is written, then restore the snapshot into TO.
 */
int hydra_replica_restore(const struct hydra_replica_self *s, const struct hydra_replica_restore *o);
/* The copy of this node's repository that a clone made on HOLDER, when there is one (malloc'd). */
char *hydra_replica_pending(const struct hydra_replica_self *s, const char *holder);

/* The neighbour's side: what it needs to keep a node's replica without reading it. */

/*
 * Let NODE keep its replica here: replicas/NODE/ with its repository folder,
 * replicas/NODE.pub from PUBKEY_FILE (checked with ssh-keygen, written with
 * the restrict option), and the system user replica-NODE.
 */
int hydra_replica_accept(const char *datadir, const char *node, const char *pubkey_file);
/*
 * Make the system user of every node accepted here that /etc/passwd lacks
 * (a live node's /etc is new at each boot): uid from its repository's owner.
 */
int hydra_replica_users(const char *datadir);
/* The replicas kept here: snapshots and newest time from the files (no key needed), size. */
int hydra_replica_held(const char *datadir, struct hydra_replica_info **list, size_t *n);
/* The same of NODE's replica alone; -ENOENT when none is kept here. */
int hydra_replica_held_one(const char *datadir, const char *node, struct hydra_replica_info *info);
/*
 * Without the key: restic names every file but config by the SHA-256 of
 * its contents, so a holder finds damage by hashing. -EBADMSG, naming each
 * damaged file; NODE NULL for all.
 */
int hydra_replica_held_check(const char *datadir, const char *node);
/*
 * 1 when the repository file REL ("data/7f/7fe9...") is named by the
 * SHA-256 of its contents, with *NAME at that name; 0 for config and the rest.
 */
int hydra_replica_content_named(const char *rel, const char **name);
/* Copy NODE's repository, checked as above, into DST/.hydra-restore/HOLDER (a clone's volume). */
int hydra_replica_copy_out(const char *datadir, const char *node, const char *holder,
			   const char *dst);

#endif
