/* hydra data backup, replicas and restore --from NODE: this node's replicas on its neighbours. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cli.h"
#include "fleet/replica.h"
#include "format/layout.h"
#include "node/crypt.h"
#include "node/volume.h"
#include "passphrase.h"
#include "replica.h"

/* Who this node is, where its data volume is mounted, and the medium's hardware-db. */
struct ctx {
	struct hydra_replica_self self;
	char node[64];
	char *datadir;
	struct hydra_hwdb *db;
	const struct hydra_node *me;
};

static int ctx_volume(struct ctx *c)
{
	c->datadir = hydra_data_mountpoint(HYDRA_DATA_NAME);
	if (!c->datadir) {
		hydra_err("the data volume is locked or not mounted (hydra data unlock): replicas "
			  "live on it");
		return -ENOENT;
	}
	c->self.datadir = c->datadir;
	return 0;
}

/* The node this machine booted as (/run/hydra/node), and its profile. */
static int ctx_node(struct ctx *c)
{
	struct stat st;
	const char *db = stat(HYDRA_MEDIUM_DIR "/" HYDRA_HWDB_PATH, &st) == 0 ?
			 HYDRA_MEDIUM_DIR "/" HYDRA_HWDB_PATH : "hardware-db";
	int r;

	hydra_running_node(c->node, sizeof(c->node));
	r = hydra_hwdb_load(db, &c->db);
	c->me = r ? NULL : hydra_hwdb_find(c->db, c->node);
	if (!r && !c->me) {
		hydra_err("this machine booted as '%s', which is no node of the hardware-db: replicas "
			  "are kept between its nodes", c->node);
		r = -ENOENT;
	}
	c->self.node = c->node;
	return r;
}

static void ctx_close(struct ctx *c)
{
	free(c->datadir);
	hydra_hwdb_free(c->db);
}

/* Shown once, when the password was just made: it is the only way back to this node's data. */
static void show_recovery_key(const struct ctx *c, char *key)
{
	if (!key)
		return;
	printf("\nrecovery key of node %s's replicas: %s\n\n"
	       "Write it down and keep it away from the nodes: it is shown only now. It opens\n"
	       "this node's replicas on its neighbours, which cannot read them without it.\n"
	       "To make %s again on a neighbour: hydra clone --as %s --data replica DEVICE\n"
	       "there, then type this key on the new machine's console at its first boot.\n\n",
	       c->node, key, c->node, c->node);
	fflush(stdout);
	hydra_key_free(key, strlen(key));
}

/* A neighbour of this node by name, or NULL (logged). */
static const struct hydra_node *neighbour(const struct hydra_node **all, size_t n,
					  const char *name, const char *self)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(all[k]->name, name))
			return all[k];
	hydra_err("'%s' is not a neighbour of %s (its hardware-db profile, neighbours =)", name, self);
	return NULL;
}

/* The neighbours to back up to: all of them, or those --to names. */
static int targets(const struct ctx *c, const struct cli_replica_args *a,
		   const struct hydra_node ***out, size_t *n)
{
	const struct hydra_node **all = NULL, **pick = NULL;
	size_t count = 0;
	int r = hydra_hwdb_neighbours(c->db, c->me, &all, &count);

	*out = all;
	*n = count;
	if (r || !a->n_to)
		return r;
	pick = calloc(a->n_to, sizeof(*pick));
	for (size_t i = 0; pick && i < a->n_to && !r; i++)
		if (!(pick[i] = neighbour(all, count, a->to[i], c->node)))
			r = -ENOENT;
	free(all);
	*out = pick;
	*n = r ? 0 : a->n_to;
	return pick ? r : -ENOMEM;
}

static void print_summary(const char *where, const struct hydra_backup_summary *s)
{
	char added[32];

	printf("%s: snapshot %s: %llu files (%llu new, %llu changed, %llu unmodified), "
	       "%llu bytes processed, %llu bytes added (%s) in %.1f s\n", where, s->snapshot,
	       (unsigned long long)s->files, (unsigned long long)s->files_new,
	       (unsigned long long)s->files_changed, (unsigned long long)s->files_unmodified,
	       (unsigned long long)s->bytes, (unsigned long long)s->added,
	       hydra_format_size(s->added, added, sizeof(added)), s->seconds);
	fflush(stdout);
}

/* A refused key is a verification failure (4) whatever else failed; anything else is 1. */
static int worst(int code, int r)
{
	if (r == -EKEYREJECTED || code == EXIT_VERIFY)
		return EXIT_VERIFY;
	return r ? EXIT_FAILED : code;
}

static int backup_one(const struct ctx *c, const struct hydra_node *n,
		      const struct cli_replica_args *a)
{
	struct hydra_replica_peer p;
	struct hydra_backup_summary sum;
	struct cli_progress prog;
	char what[96];
	int r = hydra_replica_peer(&c->self, n, &p);

	if (r)
		return r;
	snprintf(what, sizeof(what), "backup to %s", n->name);
	cli_progress_init(&prog, a->mode, what);
	r = hydra_replica_backup(&c->self, &p, &sum, cli_progress_cb, &prog);
	cli_progress_done(&prog);
	if (!r)
		print_summary(n->name, &sum);
	return r;
}

/* How a neighbour that refused this node's key comes to accept it. */
static void accept_hint(const struct ctx *c, const char *refused)
{
	char *pub = NULL;

	if (hydra_replica_public_key(&c->self, &pub))
		return;
	fprintf(stderr, "hydra: to let %s keep this node's replica, run there:\n"
		"  hydra data replicas --accept %s --key FILE\n"
		"with FILE holding this node's key:\n  %s\n", refused, c->node, pub);
	free(pub);
}

int cli_data_backup(const struct cli_replica_args *a)
{
	struct ctx c = { 0 };
	const struct hydra_node **list = NULL;
	char *recovery = NULL, missed[512] = "";
	size_t n = 0;
	int code = EXIT_DONE, r = ctx_volume(&c);

	if (!r)
		r = ctx_node(&c);
	if (!r)
		r = targets(&c, a, &list, &n);
	if (!r && !n)
		printf("%s has no neighbours (hardware-db neighbours =): nothing to back up\n", c.node);
	if (!r && n && !(r = hydra_replica_identity(&c.self, &recovery)))
		show_recovery_key(&c, recovery);
	for (size_t i = 0; !r && i < n; i++) {
		int e = backup_one(&c, list[i], a);

		if (e == -EKEYREJECTED)
			accept_hint(&c, list[i]->name);
		if (e)
			snprintf(missed + strlen(missed), sizeof(missed) - strlen(missed), "%s%s",
				 missed[0] ? ", " : "", list[i]->name);
		code = worst(code, e);
	}
	if (!r && code != EXIT_DONE)
		hydra_err("no backup made on: %s (the others have theirs)", missed);
	free(list);
	ctx_close(&c);
	return r ? cli_exit_code(r) : code;
}

static void print_row(const struct hydra_replica_info *i)
{
	char when[32] = "-", size[32] = "-";
	time_t t = (time_t)i->newest;
	struct tm tm;

	if (i->newest && gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!i->err || i->snapshots)
		hydra_format_size(i->bytes, size, sizeof(size));
	if (i->err && !i->snapshots)
		printf("%-16s %-16s %-10s %-21s %s\n", i->node, i->where,
		       i->err == -EHOSTUNREACH ? "unreachable" : "unreadable", "-", "-");
	else
		printf("%-16s %-16s %-10u %-21s %s\n", i->node, i->where, i->snapshots, when, size);
}

/* The replicas kept on this node for others: read from their files, no key needed. */
static int list_held(const struct ctx *c, const struct cli_replica_args *a)
{
	struct hydra_replica_info *list = NULL;
	size_t n = 0;
	int r = hydra_replica_held(c->datadir, &list, &n), code = EXIT_DONE;

	for (size_t i = 0; !r && i < n; i++) {
		if (a->node && strcmp(a->node, list[i].node))
			continue;
		print_row(&list[i]);
		if (a->check) {
			int e = hydra_replica_held_check(c->datadir, list[i].node);

			printf("  check of the replica of %s kept here (SHA-256 of every file "
			       "against its name): %s\n", list[i].node, e ? "DAMAGED" : "ok");
			code = e == -EBADMSG ? EXIT_VERIFY : worst(code, e);
		}
	}
	free(list);
	return r ? cli_exit_code(r) : code;
}

/* This node's replicas on its neighbours: restic with this node's password. */
static int list_mine(const struct ctx *c, const struct cli_replica_args *a)
{
	const struct hydra_node **all = NULL;
	struct hydra_replica_info info;
	struct hydra_replica_peer p;
	struct hydra_restic rr;
	char pass[4096];
	size_t n = 0;
	int code = EXIT_DONE, r = hydra_hwdb_neighbours(c->db, c->me, &all, &n);

	for (size_t i = 0; !r && i < n; i++) {
		int e;

		if (a->node && strcmp(a->node, all[i]->name))
			continue;
		e = hydra_replica_peer(&c->self, all[i], &p);
		if (!e) {
			e = hydra_replica_stat(&c->self, &p, &info);
			print_row(&info);
		}
		if (!e && a->check) {
			hydra_replica_restic(&c->self, &p, pass, sizeof(pass), &rr);
			e = hydra_replica_check(&rr, p.node);
			printf("  check of %s's replica on %s (restic check --read-data): %s\n",
			       c->node, p.node, e ? "FAILED" : "ok");
		}
		code = e == -EBADMSG ? EXIT_VERIFY : worst(code, e);
	}
	free(all);
	return r ? cli_exit_code(r) : code;
}

static int replicas_accept(const struct cli_replica_args *a)
{
	struct ctx c = { 0 };
	int r = ctx_volume(&c);

	if (!a->key) {
		ctx_close(&c);
		return cli_usage_error("data", "'replicas --accept NODE' needs --key FILE (NODE's "
				       "public key, which 'hydra data backup' prints there)");
	}
	if (!r)
		r = hydra_replica_accept(c.datadir, a->accept, a->key);
	if (!r)
		printf("%s may keep its replica here: user %s%s, repository %s/%s/%s/repo\n",
		       a->accept, HYDRA_REPLICA_USER, a->accept, c.datadir, HYDRA_REPLICA_HELD,
		       a->accept);
	ctx_close(&c);
	return cli_exit_code(r);
}

/* This node has made its keys (its first backup): only then has it replicas to list. */
static int has_keys(const struct ctx *c)
{
	char *pass = hydra_strdupf("%s/" HYDRA_REPLICA_KEEP "/password", c->datadir);
	int yes = pass && access(pass, F_OK) == 0;

	free(pass);
	return yes;
}

int cli_data_replicas(const struct cli_replica_args *a)
{
	struct ctx c = { 0 };
	char *pub = NULL;
	int code, r;

	if (a->accept)
		return replicas_accept(a);
	r = ctx_volume(&c);
	if (!r && a->users)
		r = hydra_replica_users(c.datadir);
	if (r || a->users) {
		ctx_close(&c);
		return cli_exit_code(r);
	}
	printf("%-16s %-16s %-10s %-21s %s\n", "node", "where", "snapshots", "newest", "size");
	code = list_held(&c, a);
	/* A machine that is no node, or a node that never backed up, shows what it keeps alone. */
	if (ctx_node(&c) == 0 && has_keys(&c)) {
		int m = list_mine(&c, a);

		code = code == EXIT_VERIFY || m == EXIT_VERIFY ? EXIT_VERIFY : code ? code : m;
		if (!hydra_replica_public_key(&c.self, &pub))
			printf("key of %s (for hydra data replicas --accept %s on its neighbours): %s\n",
			       c.node, c.node, pub);
	} else if (c.me) {
		printf("%s has made no backup yet (hydra data backup)\n", c.node);
	}
	free(pub);
	ctx_close(&c);
	return code;
}

/* The recovery key, typed (three tries) or from --key-file, checked against the copy. */
static int open_with_key(const struct ctx *c, const struct cli_replica_args *a,
			 struct hydra_restic *r, char *fdpath, size_t len, int *fd)
{
	char what[128], key[HYDRA_RECOVERY_KEY_LEN + 1];
	int e = -EKEYREJECTED;

	snprintf(what, sizeof(what), "%s's replicas (its recovery key)", c->node);
	for (int i = 0; e == -EKEYREJECTED && i < (a->key_file ? 1 : CLI_PASS_TRIES); i++) {
		char *typed = NULL;
		size_t tlen = 0;

		e = cli_passphrase(a->key_file, what, 0, &typed, &tlen);
		if (!e && hydra_recovery_key_normalize(typed, tlen, key) < 0) {
			hydra_err("that is not a recovery key (25 letters and digits 2-7, in groups "
				  "of five)");
			e = -EKEYREJECTED;
		} else if (!e) {
			*fd = hydra_memfd("recovery-key", key, strlen(key));
			e = *fd < 0 ? *fd : 0;
			snprintf(fdpath, len, "/dev/fd/%d", *fd);
			r->password_file = fdpath;
			r->keep_fd = *fd;
			if (!e && (e = hydra_replica_open(r, a->from)) != 0) {
				close(*fd);
				*fd = -1;
			}
		}
		hydra_key_free(typed, tlen);
		explicit_bzero(key, sizeof(key));
	}
	return e;
}

/* The copy a clone carried: read here, with the key typed on this machine's console. */
static int restore_pending(const struct ctx *c, const struct cli_replica_args *a, char *copy)
{
	struct hydra_restic r = { .repo = copy };
	struct hydra_replica_restore o = { .from = &r, .where = a->from, .snapshot = a->snapshot,
					   .to = a->n_to ? a->to[0] : NULL };
	char fdpath[32], *parent = NULL;
	int fd = -1, e;

	printf("restoring %s's data from the copy of its replica that %s made (%s)\n", c->node,
	       a->from, copy);
	fflush(stdout);
	e = open_with_key(c, a, &r, fdpath, sizeof(fdpath), &fd);
	if (!e)
		e = hydra_replica_restore(&c->self, &o);
	if (fd >= 0)
		close(fd);
	/* Done with: the copy goes, so that the volume holds the data once. */
	if (!e && (e = hydra_rm_rf(copy)) == 0 && (parent = hydra_strdupf("%s/%s", c->datadir,
									HYDRA_REPLICA_PENDING)))
		rmdir(parent);
	free(parent);
	return e;
}

static int restore_remote(const struct ctx *c, const struct cli_replica_args *a)
{
	const struct hydra_node *holder = hydra_hwdb_find(c->db, a->from);
	struct hydra_replica_peer p;
	struct hydra_restic r;
	struct hydra_replica_restore o = { .from = &r, .where = a->from, .snapshot = a->snapshot,
					   .to = a->n_to ? a->to[0] : NULL };
	char pass[4096];
	int e;

	if (!holder) {
		hydra_err("'%s' is no node of the hardware-db", a->from);
		return -ENOENT;
	}
	e = hydra_replica_peer(&c->self, holder, &p);
	hydra_replica_restic(&c->self, &p, pass, sizeof(pass), &r);
	if (!e && access(pass, R_OK) < 0) {
		hydra_err("this node's volume has no recovery key (%s): it never made a backup", pass);
		e = -ENOENT;
	}
	return e ? e : hydra_replica_restore(&c->self, &o);
}

int cli_data_restore_replica(const struct cli_replica_args *a)
{
	struct ctx c = { 0 };
	char *copy = NULL;
	int r = ctx_volume(&c);

	if (a->n_to > 1) {
		ctx_close(&c);
		return cli_usage_error("data", "'restore' takes one --to DIR");
	}
	if (!r)
		r = ctx_node(&c);
	if (!r)
		copy = hydra_replica_pending(&c.self, a->from);
	if (!r)
		r = copy ? restore_pending(&c, a, copy) : restore_remote(&c, a);
	if (!r)
		printf("%s's data restored from its replica on %s into %s\n", c.node, a->from,
		       a->n_to ? a->to[0] : c.datadir);
	free(copy);
	ctx_close(&c);
	return cli_exit_code(r);
}
