/*
 * The fleet layer without a network: recovery keys, restic's words and
 * JSON, the process helpers it runs restic with, the inventory pinned for
 * the fixture hardware-db, a kept repository checked by its file names, and
 * backups run against a stand-in restic (a script in PATH) to see what
 * hydra asks of restic and what it makes of its answers.
 */
#include "harness.h"

#include <errno.h>
#include <sys/stat.h>

#include "fleet/inventory.h"
#include "fleet/regen.h"
#include "fleet/replica.h"
#include "fleet/restic.h"
#include "node/crypt.h"

static void test_recovery_key(void)
{
	char a[HYDRA_RECOVERY_KEY_LEN + 1], b[HYDRA_RECOVERY_KEY_LEN + 1], n[HYDRA_RECOVERY_KEY_LEN + 1];
	static const char typed[] = " ABCDE fghij-KLMNO pqrst uvw23 \n";

	EQ_INT(hydra_recovery_key_new(a), 0);
	EQ_INT(hydra_recovery_key_new(b), 0);
	EQ_INT(strlen(a), HYDRA_RECOVERY_KEY_LEN);
	OK(strcmp(a, b) != 0);
	for (int i = 0; i < HYDRA_RECOVERY_KEY_LEN; i++)
		OK(i % 6 == 5 ? a[i] == '-' : strchr("abcdefghijklmnopqrstuvwxyz234567", a[i]) != NULL);
	/* The form it was made in comes back from any way of typing it. */
	EQ_INT(hydra_recovery_key_normalize(a, strlen(a), n), 0);
	EQ_STR(n, a);
	EQ_INT(hydra_recovery_key_normalize(typed, strlen(typed) - 1, n), 0);
	EQ_STR(n, "abcde-fghij-klmno-pqrst-uvw23");
	OK(hydra_recovery_key_normalize("abcde-fghij", 11, n) < 0);
	OK(hydra_recovery_key_normalize("abcde-fghij-klmno-pqrst-uvw231", 30, n) < 0);
	OK(hydra_recovery_key_normalize("abcde-fghij-klmno-pqrst-uvw01", 29, n) < 0);
}

static void expect_error(const char *text, int want, const char *why)
{
	const char *got = NULL;

	EQ_INT(hydra_restic_error(text, &got), want);
	CONTAINS(got, why);
}

static void test_restic_errors(void)
{
	expect_error("subprocess ssh: replica-beta@10.77.0.1: Permission denied (publickey).\n"
		     "Fatal: unable to open repository at sftp:x:/repo: unable to start the sftp "
		     "session, error: EOF\n", -EKEYREJECTED, "refused this node's ssh key");
	expect_error("Fatal: wrong password or no key found\n", -EKEYREJECTED, "password");
	expect_error("subprocess ssh: ssh: connect to host 10.77.0.1 port 22: Connection refused\n",
		     -EHOSTUNREACH, "refused the connection");
	expect_error("subprocess ssh: ssh: connect to host 10.77.0.9 port 22: Connection timed out\n",
		     -EHOSTUNREACH, "did not answer");
	expect_error("subprocess ssh: ssh: connect to host 10.77.0.9 port 22: No route to host\n",
		     -EHOSTUNREACH, "no route");
	expect_error("Fatal: unable to open config file: Lstat /repo/config: file does not exist\n"
		     "Is there a repository at the following location?\n", -ENOENT, "no repository");
	expect_error("Pack ID does not match, want 7fe9d611, got e51eac50\nFatal: repository "
		     "contains errors\n", -EBADMSG, "damaged");
	expect_error("write /repo/data/ab/x: no space left on device\n", -ENOSPC, "full");
	expect_error("Fatal: unable to create lock in backend: repository is already locked by "
		     "PID 1\n", -EBUSY, "locked");
	expect_error("subprocess ssh: Host key verification failed.\n", -EKEYREJECTED, "host key");
	expect_error("Fatal: something else\n", -EIO, "restic failed");
	expect_error(NULL, -EIO, "restic failed");
}

static void test_backup_lines(void)
{
	struct hydra_backup_summary sum;
	uint64_t total = 0, done = 0;

	EQ_INT(hydra_restic_backup_line("{\"message_type\":\"status\",\"percent_done\":0.5,"
					"\"total_files\":4,\"total_bytes\":2000,\"bytes_done\":1000}",
					&sum, &total, &done), 2);
	EQ_INT(total, 2000);
	EQ_INT(done, 1000);
	EQ_INT(hydra_restic_backup_line("{\"message_type\":\"summary\",\"files_new\":3,"
					"\"files_changed\":1,\"files_unmodified\":7,\"data_added\":"
					"1054947,\"total_files_processed\":11,\"total_bytes_processed\":"
					"33554444,\"total_duration\":0.36,\"snapshot_id\":\"a7dadc5e\"}",
					&sum, &total, &done), 1);
	EQ_STR(sum.snapshot, "a7dadc5e");
	EQ_INT(sum.files_new, 3);
	EQ_INT(sum.files_changed, 1);
	EQ_INT(sum.files_unmodified, 7);
	EQ_INT(sum.files, 11);
	EQ_INT(sum.bytes, 33554444);
	EQ_INT(sum.added, 1054947);
	OK(sum.seconds > 0.35 && sum.seconds < 0.37);
	EQ_INT(hydra_restic_backup_line("not json", &sum, &total, &done), 0);
	EQ_INT(hydra_restic_backup_line("{\"message_type\":\"verbose_status\"}", &sum, &total, &done), 0);
}

struct lines {
	char text[1024];
	int n;
};

static void on_line(char *line, void *ud)
{
	struct lines *l = ud;
	size_t len = strlen(l->text);

	snprintf(l->text + len, sizeof(l->text) - len, "[%s]", line);
	l->n++;
}

static void test_spawn_lines_and_fd(void)
{
	int fd = hydra_memfd("secret", "s3cret", 6);
	char *arg = hydra_strdupf("printf 'one\\ntwo\\n'; printf err >&2; cat /dev/fd/%d; printf '\\nlast'",
				  fd);
	const char *argv[] = { "sh", "-c", arg, NULL };
	struct lines l = { "", 0 };
	char *err = NULL;
	struct hydra_spawn_opts o = { .on_line = on_line, .line_ud = &l, .capture_err = &err,
				      .keep_fd = fd };

	OK(fd > 2);
	EQ_INT(hydra_spawn(argv, &o), 0);
	/* Whole lines as they come, the last one without its newline too; stderr apart. */
	EQ_STR(l.text, "[one][two][s3cret][last]");
	EQ_INT(l.n, 4);
	EQ_STR(err, "err");
	free(err);
	free(arg);
	close(fd);
}

static void test_inventory_pinned(void)
{
	struct hydra_hwdb *db = NULL;
	char *json = NULL, *want = NULL;

	EQ_INT(hydra_hwdb_load(fixture("nodes/good"), &db), 0);
	if (!db)
		return;
	EQ_INT(hydra_inventory_json(db, &json), 0);
	EQ_INT(hydra_read_file(fixture("inventory.json"), &want, NULL), 0);
	if (json && want) {
		want[strcspn(want, "\0")] = '\0';
		if (strlen(want) && want[strlen(want) - 1] == '\n')
			want[strlen(want) - 1] = '\0';
		EQ_STR(json, want);
	}
	free(want);
	free(json);
	EQ_INT(hydra_inventory_script(db, "hardware-db", &json), 0);
	OK(json && !strncmp(json, "#!/bin/sh\n", 10));
	CONTAINS(json, "cat <<'END'\n{");
	CONTAINS(json, "\n}\nEND\n");
	free(json);
	hydra_hwdb_free(db);
}

/* A file named by its SHA-256, as restic names them, under DIR. */
static void repo_file(const char *dir, const char *text)
{
	unsigned char sum[HYDRA_SHA256_LEN];
	char hex[HYDRA_SHA256_HEX], path[4096];

	hydra_sha256_buf(text, strlen(text), sum);
	hydra_hex(sum, sizeof(sum), hex);
	snprintf(path, sizeof(path), "%s/%s", dir, hex);
	OK(t_write(path, text) == 0);
}

/* One replica looked up alone, as regenerate and clone --data replica do. */
static void test_held_one(void)
{
	struct hydra_regen g = { .datadir = "data", .node = "beta", .holder = "alpha" };
	struct hydra_clone_opts o = { 0 };
	struct hydra_replica_info info;

	EQ_INT(hydra_replica_held_one("data", "beta", &info), 0);
	EQ_STR(info.node, "beta");
	EQ_INT(info.snapshots, 2);
	EQ_INT(info.bytes, 14 + 15 + 6 + 5 + 21);
	EQ_INT(hydra_replica_held_one("data", "gamma", &info), -ENOENT);
	EQ_INT(hydra_replica_held_one("data", "Not-A-Node", &info), -ENOENT);
	EQ_INT(hydra_regen_clone_opts(&g, &o), 0);
	EQ_INT(o.fill_bytes, 14 + 15 + 6 + 5 + 21);
	EQ_STR(o.node, "beta");
	OK(o.fill != NULL);
	g.node = "gamma";
	t_log[0] = '\0';
	EQ_INT(hydra_regen_clone_opts(&g, &o), -ENOENT);
	CONTAINS(t_log, "no replica of gamma with a snapshot is kept on this node");
}

static void test_held_by_names(void)
{
	struct hydra_replica_info *list = NULL;
	size_t n = 0;

	repo_file("data/replicas/beta/repo/snapshots", "first snapshot");
	repo_file("data/replicas/beta/repo/snapshots", "second snapshot");
	repo_file("data/replicas/beta/repo/data/ab", "a pack");
	repo_file("data/replicas/beta/repo/keys", "a key");
	t_write("data/replicas/beta/repo/config", "not named by its hash");
	t_write("data/replicas/beta.pub", "restrict ssh-ed25519 AAAA x\n");
	t_write("data/replicas/Not-A-Node/repo/config", "x");
	EQ_INT(hydra_replica_held("data", &list, &n), 0);
	EQ_INT(n, 1);
	if (n == 1) {
		EQ_STR(list[0].node, "beta");
		EQ_STR(list[0].where, "here");
		EQ_INT(list[0].snapshots, 2);
		OK(list[0].newest > 0);
		EQ_INT(list[0].bytes, 14 + 15 + 6 + 5 + 21);
	}
	free(list);
	test_held_one();
	EQ_INT(hydra_replica_held_check("data", "beta"), 0);
	EQ_INT(hydra_replica_copy_out("data", "beta", "alpha", "clone"), 0);
	EQ_INT(sh("diff -r data/replicas/beta/repo clone/.hydra-restore/alpha"), 0);
	/* One byte changed in a pack: the holder names it without the key, and copies nothing. */
	EQ_INT(sh("f=$(ls data/replicas/beta/repo/data/ab/*) && printf 'A pack' > $f"), 0);
	t_log[0] = '\0';
	EQ_INT(hydra_replica_held_check("data", NULL), -EBADMSG);
	CONTAINS(t_log, "replica of beta: data/ab/");
	CONTAINS(t_log, "is damaged");
	EQ_INT(hydra_replica_copy_out("data", "beta", "alpha", "clone2"), -EBADMSG);
	OK(access("clone2/.hydra-restore/alpha/config", F_OK) < 0);
	EQ_INT(hydra_replica_copy_out("data", "gamma", "alpha", "clone3"), -ENOENT);
}

/*
 * A stand-in for restic: logs its arguments, answers as restic 0.14 does
 * for the mode in FAKE_MODE, and keeps "a repository" as a file.
 */
static const char fake_restic[] =
	"#!/bin/sh\n"
	"echo \"$*\" >> \"$FAKE_DIR/log\"\n"
	"while [ $# -gt 0 ]; do case $1 in --no-cache) shift;; -r|--password-file|-o) shift 2;;\n"
	"  *) break;; esac; done\n"
	"case $FAKE_MODE in\n"
	"unreachable) echo 'subprocess ssh: ssh: connect to host 10.77.0.9 port 22: Connection refused' >&2\n"
	"  echo 'Fatal: unable to open repository at sftp:x:/repo: unable to start the sftp session, error: EOF' >&2; exit 1;;\n"
	"badkey) echo 'Fatal: wrong password or no key found' >&2; exit 1;;\n"
	"fills) [ $1 = backup ] && { echo 'Fatal: unable to save snapshot: sftp: \"Failure\" (SSH_FX_FAILURE)' >&2; exit 1; };;\n"
	"esac\n"
	"case $1 in\n"
	"init) : > \"$FAKE_DIR/repo\"; echo created;;\n"
	"backup) [ -e \"$FAKE_DIR/repo\" ] || { echo 'Fatal: unable to open config file: Lstat /repo/config: file does not exist' >&2;\n"
	"    echo 'Is there a repository at the following location?' >&2; exit 1; }\n"
	"  echo '{\"message_type\":\"status\",\"total_bytes\":100,\"bytes_done\":50}'\n"
	"  echo '{\"message_type\":\"summary\",\"files_new\":2,\"data_added\":4096,\"total_files_processed\":2,\"total_bytes_processed\":100,\"snapshot_id\":\"feedbeef\"}';;\n"
	"forget) if [ -e \"$FAKE_DIR/forgot\" ]; then echo '[{\"keep\":[{}],\"remove\":[{\"id\":\"a\"}]}]';\n"
	"  else : > \"$FAKE_DIR/forgot\"; echo '[{\"keep\":[{}],\"remove\":null}]'; fi;;\n"
	"prune) echo 'pruned: hydra asks forget --prune' >&2; exit 1;;\n"
	"esac\n";

/* sftp's df: 1000 KiB free when the neighbour is full, else 100 GiB; none when unreachable. */
static const char fake_sftp[] =
	"#!/bin/sh\n"
	"echo \"sftp $*\" >> \"$FAKE_DIR/log\"\n"
	"case $FAKE_MODE in unreachable|badkey) exit 255;; full) free=1000;;\n"
	"fills) [ -e \"$FAKE_DIR/asked\" ] && free=1000 || { : > \"$FAKE_DIR/asked\"; free=104857600; };;\n"
	"*) free=104857600;; esac\n"
	"echo 'sftp> df'\n"
	"echo '        Size         Used        Avail       (root)    %Capacity'\n"
	"echo \"   209715200    104857600   $free   $free          50%\"\n";

static int progress_calls;

static int on_progress(uint64_t total, uint64_t done, void *ud)
{
	(void)ud;
	progress_calls += total == 100 && done == 50;
	return 0;
}

static void fake_tools(void)
{
	char path[8192];

	t_write("bin/restic", fake_restic);
	t_write("bin/sftp", fake_sftp);
	chmod("bin/restic", 0755);
	chmod("bin/sftp", 0755);
	snprintf(path, sizeof(path), "%s/bin:%s", t_dir, getenv("PATH"));
	setenv("PATH", path, 1);
	setenv("FAKE_DIR", t_dir, 1);
}

static void test_backup_with_fake_restic(void)
{
	const char *old_path = getenv("PATH");
	char *saved = old_path ? strdup(old_path) : NULL, *recovery = NULL, *log = NULL, *pub = NULL;
	struct hydra_replica_self self = { "beta", NULL };
	struct hydra_node alpha = { .name = (char *)"alpha", .address = (char *)"10.77.0.1/24",
				    .file = (char *)"alpha.conf" };
	struct hydra_node lost = { .name = (char *)"gamma", .file = (char *)"gamma.conf" };
	struct hydra_replica_peer p;
	struct hydra_backup_summary sum;
	char datadir[4200];

	snprintf(datadir, sizeof(datadir), "%s/data", t_dir);
	self.datadir = datadir;
	fake_tools();
	/* The first call makes the password (shown once) and the ssh key; the next makes nothing. */
	EQ_INT(hydra_replica_identity(&self, &recovery), 0);
	OK(recovery && strlen(recovery) == HYDRA_RECOVERY_KEY_LEN);
	EQ_INT(sh("[ $(stat -c %a data/backup) = 700 ] && [ $(stat -c %a data/backup/password) = 600 ]"
		  " && [ $(stat -c %a data/backup/id_ed25519) = 600 ]"), 0);
	{
		char *again = NULL;

		EQ_INT(hydra_replica_identity(&self, &again), 0);
		OK(again == NULL);
	}
	EQ_INT(hydra_replica_public_key(&self, &pub), 0);
	OK(pub && !strncmp(pub, "ssh-ed25519 ", 12) && strstr(pub, "hydra replica key of node beta"));
	EQ_INT(hydra_replica_peer(&self, &lost, &p), -EDESTADDRREQ);
	EQ_INT(hydra_replica_peer(&self, &alpha, &p), 0);
	EQ_STR(p.repo, "sftp:replica-beta@10.77.0.1:/repo");
	CONTAINS(p.ssh, " -p 22 -l replica-beta 10.77.0.1 -s sftp");
	CONTAINS(p.ssh, "StrictHostKeyChecking=accept-new");

	/* No repository yet: made, then the backup; forget keeps everything. */
	setenv("FAKE_MODE", "ok", 1);
	t_log[0] = '\0';
	EQ_INT(hydra_replica_backup(&self, &p, &sum, on_progress, NULL), 0);
	OK(!strstr(t_log, "retention policy"));
	EQ_STR(sum.snapshot, "feedbeef");
	EQ_INT(sum.added, 4096);
	EQ_INT(progress_calls, 1);
	EQ_INT(hydra_read_file("log", &log, NULL), 0);
	CONTAINS(log, "backup --json --host beta --tag hydra --one-file-system");
	CONTAINS(log, "--exclude ");
	CONTAINS(log, "/data/replicas/*/repo");
	CONTAINS(log, " init\n");
	/* One restic run: restic prunes only when forget dropped a snapshot. */
	CONTAINS(log, "forget --json --prune --host beta --keep-hourly 24 --keep-daily 7 "
		 "--keep-weekly 4");
	OK(!strstr(log, " prune\n"));
	/* The password goes by its file, never as an argument. */
	CONTAINS(log, "--password-file ");
	OK(!strstr(log, recovery));
	free(log);
	/* A second backup: forget drops one, and says so. */
	EQ_INT(hydra_replica_backup(&self, &p, &sum, NULL, NULL), 0);
	CONTAINS(t_log, "alpha: 1 snapshot past the retention policy, forgotten and pruned");

	setenv("FAKE_MODE", "unreachable", 1);
	t_log[0] = '\0';
	EQ_INT(hydra_replica_backup(&self, &p, &sum, NULL, NULL), -EHOSTUNREACH);
	CONTAINS(t_log, "alpha: restic backup failed: it refused the connection");
	setenv("FAKE_MODE", "badkey", 1);
	EQ_INT(hydra_replica_backup(&self, &p, &sum, NULL, NULL), -EKEYREJECTED);
	/* A full neighbour is found by sftp's df before restic uploads (and retries) anything. */
	setenv("FAKE_MODE", "full", 1);
	t_log[0] = '\0';
	unlink("log");
	EQ_INT(hydra_replica_backup(&self, &p, &sum, NULL, NULL), -ENOSPC);
	CONTAINS(t_log, "alpha: restic backup failed: it is full (1000.0 KiB free on its data volume)");
	EQ_INT(hydra_read_file("log", &log, NULL), 0);
	OK(!strstr(log, "backup --json"));
	free(log);
	/* Room before, none after a failed upload: sftp reports only "Failure", df says why. */
	setenv("FAKE_MODE", "fills", 1);
	t_log[0] = '\0';
	EQ_INT(hydra_replica_backup(&self, &p, &sum, NULL, NULL), -ENOSPC);
	CONTAINS(t_log, "alpha: restic backup failed: it is full");
	EQ_INT(hydra_read_file("log", &log, NULL), 0);
	CONTAINS(log, "sftp -q -b /dev/fd/");
	CONTAINS(log, "replica-beta@10.77.0.1");
	free(log);

	hydra_key_free(recovery, recovery ? strlen(recovery) : 0);
	free(pub);
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
}

int main(void)
{
	RUN(test_recovery_key);
	RUN(test_restic_errors);
	RUN(test_backup_lines);
	RUN(test_spawn_lines_and_fd);
	RUN(test_inventory_pinned);
	RUN(test_held_by_names);
	RUN(test_backup_with_fake_restic);
	TESTS_END();
}
