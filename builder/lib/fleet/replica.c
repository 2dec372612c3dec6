/* Replicas, the node's side: its recovery key, its ssh key and how it reaches a neighbour. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hydra.h"
#include "base/util.h"
#include "fleet/replica.h"
#include "format/layout.h"
#include "node/crypt.h"

void hydra_running_node(char *name, size_t len)
{
	char *text = NULL;

	if (hydra_read_file(HYDRA_NODE_FILE, &text, NULL) == 0 && text[0] != '\n')
		snprintf(name, len, "%.*s", (int)strcspn(text, "\n"), text);
	else
		snprintf(name, len, "generic");
	free(text);
}

static const char base32[] = "abcdefghijklmnopqrstuvwxyz234567";

/* Five groups of five: dashes make a key typed on a console easy to check by eye. */
static void key_groups(const char *chars, char out[HYDRA_RECOVERY_KEY_LEN + 1])
{
	size_t o = 0;

	for (size_t i = 0; i < 25; i++) {
		if (i && i % 5 == 0)
			out[o++] = '-';
		out[o++] = chars[i];
	}
	out[o] = '\0';
}

int hydra_recovery_key_new(char out[HYDRA_RECOVERY_KEY_LEN + 1])
{
	unsigned char rnd[25];
	char chars[25];

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -EIO;
	for (size_t i = 0; i < sizeof(rnd); i++)
		chars[i] = base32[rnd[i] & 31];
	key_groups(chars, out);
	explicit_bzero(rnd, sizeof(rnd));
	explicit_bzero(chars, sizeof(chars));
	return 0;
}

int hydra_recovery_key_normalize(const char *in, size_t len, char out[HYDRA_RECOVERY_KEY_LEN + 1])
{
	char chars[25];
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < len && !r; i++) {
		char c = in[i] >= 'A' && in[i] <= 'Z' ? (char)(in[i] - 'A' + 'a') : in[i];

		if (c == '-' || c == ' ' || c == '\t')
			continue;
		if (n == sizeof(chars) || !c || !strchr(base32, c))
			r = -EINVAL;
		else
			chars[n++] = c;
	}
	if (!r && n != sizeof(chars))
		r = -EINVAL;
	if (!r)
		key_groups(chars, out);
	explicit_bzero(chars, sizeof(chars));
	return r;
}

static char *keep_path(const struct hydra_replica_self *s, const char *name)
{
	return hydra_strdupf("%s/" HYDRA_REPLICA_KEEP "/%s", s->datadir, name);
}

/* The password: made once, written 0600 before anything else can read it. */
static int make_password(const char *path, char **recovery)
{
	char *key = calloc(1, HYDRA_RECOVERY_KEY_LEN + 1);
	int r = key ? hydra_recovery_key_new(key) : -ENOMEM;

	if (!r)
		r = hydra_write_file_atomic(path, key, HYDRA_RECOVERY_KEY_LEN, 0600);
	if (r) {
		hydra_key_free(key, key ? HYDRA_RECOVERY_KEY_LEN + 1 : 0);
		hydra_err("cannot make the recovery key in '%s': %s", path, strerror(-r));
		return r;
	}
	*recovery = key;
	return 0;
}

static int make_ssh_key(const struct hydra_replica_self *s, const char *path)
{
	char *comment = hydra_strdupf("hydra replica key of node %s", s->node);
	const char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment,
			       "-f", path, NULL };
	int r = comment ? hydra_run(argv, "/dev/null") : -ENOMEM;

	free(comment);
	if (r > 0)
		r = -EIO;
	if (r)
		hydra_err("cannot make this node's ssh key '%s' with ssh-keygen", path);
	return r;
}

int hydra_replica_identity(const struct hydra_replica_self *s, char **recovery)
{
	char *dir = keep_path(s, ""), *pass = keep_path(s, "password");
	char *key = keep_path(s, "id_ed25519"), *pub = keep_path(s, "id_ed25519.pub");
	int r = dir && pass && key && pub ? 0 : -ENOMEM;

	*recovery = NULL;
	if (!r && (r = hydra_mkdir_p(dir, 0700)) == 0 && chmod(dir, 0700) < 0)
		r = -errno;
	if (!r && access(pass, F_OK) < 0)
		r = make_password(pass, recovery);
	/* A key without its public half (or the reverse) is made again: neither is any use alone. */
	if (!r && (access(key, F_OK) < 0 || access(pub, F_OK) < 0)) {
		unlink(key);
		unlink(pub);
		r = make_ssh_key(s, key);
	}
	free(dir);
	free(pass);
	free(key);
	free(pub);
	return r;
}

int hydra_replica_public_key(const struct hydra_replica_self *s, char **text)
{
	char *pub = keep_path(s, "id_ed25519.pub");
	int r = pub ? hydra_read_file(pub, text, NULL) : -ENOMEM;

	if (!r)
		(*text)[strcspn(*text, "\n")] = '\0';
	free(pub);
	return r;
}

/*
 * No ssh_config and no agent: the key, the pinned host keys and nothing
 * else. accept-new pins a neighbour's host key at first contact and refuses
 * a changed one; the timeouts end a backup to a dead neighbour. ssh's own
 * log level stays: "Permission denied (publickey)" is how a refused key
 * shows.
 */
const char *const hydra_replica_ssh_options[] = {
	"IdentitiesOnly=yes", "IdentityAgent=none", "GlobalKnownHostsFile=/dev/null",
	"StrictHostKeyChecking=accept-new", "BatchMode=yes", "ConnectTimeout=15",
	"ServerAliveInterval=15", "ServerAliveCountMax=4", NULL,
};

/* The command restic starts for its sftp backend; restic splits it at spaces. */
static int ssh_command(struct hydra_replica_peer *p, const char *user)
{
	size_t n = (size_t)snprintf(p->ssh, sizeof(p->ssh), "ssh -F /dev/null -i %s -o "
				    "UserKnownHostsFile=%s", p->key, p->known);

	for (size_t i = 0; hydra_replica_ssh_options[i] && n < sizeof(p->ssh); i++)
		n += (size_t)snprintf(p->ssh + n, sizeof(p->ssh) - n, " -o %s",
				      hydra_replica_ssh_options[i]);
	if (n < sizeof(p->ssh))
		n += (size_t)snprintf(p->ssh + n, sizeof(p->ssh) - n, " -p 22 -l %s %s -s sftp",
				      user, p->host);
	return n < sizeof(p->ssh) ? 0 : -ENAMETOOLONG;
}

int hydra_replica_peer(const struct hydra_replica_self *s, const struct hydra_node *neighbour,
		       struct hydra_replica_peer *p)
{
	char user[80];

	memset(p, 0, sizeof(*p));
	snprintf(p->node, sizeof(p->node), "%s", neighbour->name);
	if (!neighbour->address ||
	    hydra_addr_parse(neighbour->address, 1, p->host, sizeof(p->host)) < 0) {
		hydra_err("neighbour %s has no address in its hardware-db profile (%s)",
			  neighbour->name, neighbour->file);
		return -EDESTADDRREQ;
	}
	if (strpbrk(s->datadir, " \t\n'\"\\")) {
		hydra_err("'%s': a data volume path with blanks or quotes cannot go into restic's "
			  "ssh command", s->datadir);
		return -EINVAL;
	}
	snprintf(user, sizeof(user), HYDRA_REPLICA_USER "%s", s->node);
	snprintf(p->key, sizeof(p->key), "%s/" HYDRA_REPLICA_KEEP "/id_ed25519", s->datadir);
	snprintf(p->known, sizeof(p->known), "%s/" HYDRA_REPLICA_KEEP "/known_hosts", s->datadir);
	snprintf(p->login, sizeof(p->login), "%s@%s", user, p->host);
	snprintf(p->repo, sizeof(p->repo), "sftp:%s:/repo", p->login);
	return ssh_command(p, user);
}

void hydra_replica_restic(const struct hydra_replica_self *s, const struct hydra_replica_peer *p,
			  char *password_file, size_t len, struct hydra_restic *r)
{
	snprintf(password_file, len, "%s/" HYDRA_REPLICA_KEEP "/password", s->datadir);
	memset(r, 0, sizeof(*r));
	r->repo = p->repo;
	r->ssh = p->ssh;
	r->password_file = password_file;
}
