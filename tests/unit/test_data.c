/*
 * The data layer on files: hydra data init on an image (its header read back
 * by cryptsetup and blkid), refusals, persisted paths, snapshots (header,
 * round trip, hostile archives) and the file-level copy.
 */
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <archive.h>
#include <archive_entry.h>

#include "harness.h"
#include "medium/datapart.h"
#include "node/datacopy.h"
#include "node/snapshot.h"
#include "node/volume.h"

/* A 200 MiB image with partition 1 (FAT32, 64 MiB) as the writer lays it out. */
static int make_medium(const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "truncate -s 200M %s && printf 'label: dos\\n"
		 "start=2048, size=131072, type=c, bootable\\n' | sfdisk -q %s", path, path);
	return sh(cmd);
}

static void test_init_header(void)
{
	static const char pass[] = "correct horse battery staple";
	struct hydra_data_init o = { .disk = "m.img", .luks = { .iterations = 4, .memory_kb = 32 } };
	char *dump = NULL;

	if (sh("command -v cryptsetup && command -v sfdisk"))
		SKIP("cryptsetup or sfdisk missing (Debian packages cryptsetup-bin, fdisk)");
	EQ_INT(make_medium("m.img"), 0);
	EQ_INT(hydra_data_init(&o, pass, strlen(pass)), 0);
	EQ_INT(sh("sfdisk --verify m.img"), 0);
	/* Partition 2 from the MiB after partition 1 to the end of the disk. */
	EQ_INT(sh("sfdisk --dump m.img | grep -q 'm.img2 : start=      133120, size=      276480, "
		  "type=83'"), 0);
	EQ_INT(sh("dd if=m.img of=p2 bs=1M skip=65 status=none && "
		  "cryptsetup luksDump p2 > dump.txt && blkid -p p2 >> dump.txt"), 0);
	EQ_INT(hydra_read_file("dump.txt", &dump, NULL), 0);
	CONTAINS(dump, "Version:       \t2");
	CONTAINS(dump, "Label:         \tHYDRA-DATA");
	CONTAINS(dump, "Subsystem:     \thydra-mkfs");
	CONTAINS(dump, "cipher: aes-xts-plain64");
	CONTAINS(dump, "PBKDF:      argon2id");
	CONTAINS(dump, "Cipher key: 512 bits");
	CONTAINS(dump, "TYPE=\"crypto_LUKS\"");
	free(dump);
	EQ_INT(sh("printf '%s' 'correct horse battery staple' | "
		  "cryptsetup open --test-passphrase --key-file=- p2"), 0);
	OK(sh("printf wrong | cryptsetup open --test-passphrase --key-file=- p2") != 0);
	/* The passphrase went nowhere but into the key slot. */
	OK(sh("grep -q 'correct horse' m.img") != 0);
	EQ_INT(hydra_data_probe("p2", NULL), 0);
	/* The image itself, as 'data status --device m.img' reads it: there, and no ext4 yet. */
	{
		uint64_t bytes = 0;
		enum hydra_data_state state = HYDRA_DATA_READY;

		EQ_INT(hydra_data_probe("m.img", &state), 0);
		EQ_INT(state, HYDRA_DATA_NO_FS);
		/* Marked as being filled and whole again, as a clone's copy does. */
		EQ_INT(hydra_data_mark_filling("p2", 1), 0);
		EQ_INT(hydra_data_probe("p2", &state), 0);
		EQ_INT(state, HYDRA_DATA_INCOMPLETE);
		EQ_INT(sh("cryptsetup luksDump p2 | grep -q 'Subsystem:.*hydra-filling'"), 0);
		EQ_INT(hydra_data_mark_filling("p2", 0), 0);
		EQ_INT(hydra_data_probe("p2", &state), 0);
		EQ_INT(state, HYDRA_DATA_READY);
		EQ_INT(sh("cryptsetup luksDump p2 | grep -q 'Label:.*HYDRA-DATA'"), 0);
		EQ_INT(hydra_data_part_bytes("m.img", &bytes), 0);
		EQ_INT(bytes, 276480ULL * 512);
		EQ_INT(hydra_data_probe("p2-missing", NULL), 1);
	}
}

static void test_init_refusals(void)
{
	struct hydra_data_init o = { .disk = "m.img", .luks = { .iterations = 4, .memory_kb = 32 } };
	int status;
	const char *out;

	if (sh("command -v sfdisk"))
		SKIP("sfdisk missing (Debian package fdisk)");
	EQ_INT(make_medium("m.img"), 0);
	EQ_INT(hydra_data_init(&o, "a", 1), 0);
	EQ_INT(sh("sha256sum m.img > before"), 0);
	EQ_INT(hydra_data_init(&o, "b", 1), -EEXIST);
	CONTAINS(t_log, "'m.img' has a partition 2 already: give --force to replace it");
	EQ_INT(sh("sha256sum -c before"), 0);
	/* Through the command: exit 3, refused for safety, and the image unchanged. */
	if (geteuid() == 0) {
		EQ_INT(sh("printf x > k && chmod 600 k"), 0);
		out = sh_output("hydra data init --device m.img --key-file k --pbkdf-fast 2>&1",
				&status);
		EQ_INT(WEXITSTATUS(status), 3);
		CONTAINS(out, "partition 2 already");
		EQ_INT(sh("sha256sum -c before"), 0);
		out = sh_output("hydra data init --device m.img --key-file k --pbkdf-fast --force "
				"--yes 2>&1", &status);
		EQ_INT(WEXITSTATUS(status), 0);
		OK(sh("sha256sum -c before") != 0);
	}
	o.force = 1;
	o.size = 400ULL << 20;
	EQ_INT(hydra_data_init(&o, "c", 1), -ENOSPC);
	CONTAINS(t_log, "no room for a data partition");
	EQ_INT(sh("truncate -s 64M small.img && printf 'label: dos\\nstart=2048, type=c\\n' | "
		  "sfdisk -q small.img"), 0);
	o.disk = "small.img";
	o.size = 0;
	EQ_INT(hydra_data_init(&o, "c", 1), -ENOSPC);
}

static void test_persist_list(void)
{
	char **l = NULL;

	EQ_INT(hydra_data_persist_list("/home,/srv/www", &l), 0);
	EQ_STR(l[0], "/home");
	EQ_STR(l[1], "/srv/www");
	OK(l[2] == NULL);
	hydra_strv_free(l, HYDRA_STRV_ALL);
	EQ_INT(hydra_data_persist_list(NULL, &l), 0);
	OK(l && !l[0]);
	hydra_strv_free(l, HYDRA_STRV_ALL);
	for (const char *bad = "home\0/\0/a/../b\0/a/./b\0/a//b\0/a/\0"; *bad; bad += strlen(bad) + 1) {
		EQ_INT(hydra_data_persist_list(bad, &l), -EINVAL);
		OK(l == NULL);
	}
}

/* A tree with what the data layer must keep: owners, modes, hard and symbolic links, holes. */
static void make_tree(const char *d)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/home/u %s/srv && cd %s && echo hello > home/u/a && "
		 "chmod 0640 home/u/a && ln home/u/a home/u/hard && ln -s u/a home/link && "
		 "ln -s /etc/passwd srv/abs && chmod 4755 srv && "
		 "dd if=/dev/zero of=srv/sparse bs=1 count=1 seek=16777215 2>/dev/null && "
		 "(chown 1000:1001 home/u/a 2>/dev/null || true)", d, d, d);
	EQ_INT(sh(cmd), 0);
}

static void same_tree(const char *a, const char *b)
{
	char cmd[1024];

	/* stat(1) is not hydra: type, mode, owner, size, links and link targets must agree. */
	snprintf(cmd, sizeof(cmd), "L='find . -path ./lost+found -prune -o -print | sort | "
		 "xargs stat -c \"%%n %%f %%u:%%g %%s %%h %%N\"'; "
		 "(cd %s && eval \"$L\") > a.list && (cd %s && eval \"$L\") > b.list && "
		 "cmp a.list b.list", a, b);
	EQ_INT(sh(cmd), 0);
}

static void test_copy(void)
{
	struct stat st, st2;

	make_tree("src");
	EQ_INT(hydra_mkdir_p("dst", 0755), 0);
	EQ_INT(hydra_data_copy("src", "dst", NULL, NULL), 0);
	same_tree("src", "dst");
	OK(stat("dst/home/u/a", &st) == 0 && stat("dst/home/u/hard", &st2) == 0);
	EQ_INT(st.st_ino, st2.st_ino);
	OK(stat("dst/srv/sparse", &st) == 0);
	EQ_INT(st.st_size, 16777216);
	OK(st.st_blocks < 64);
}

static void test_snapshot_round_trip(void)
{
	struct hydra_snapshot_info in = { .node = "alpha", .image = "0123456789abcdef",
					  .created = 1700000000 }, out;
	struct stat st, st2;

	make_tree("src");
	EQ_INT(hydra_snapshot_write("src", "s.tar.zst", &in, NULL, NULL), 0);
	EQ_INT(sh("zstd -dc s.tar.zst | tar -tf - > members && head -1 members | "
		  "grep -qx .hydra-snapshot"), 0);
	EQ_INT(hydra_snapshot_read_info("s.tar.zst", &out), 0);
	EQ_STR(out.node, "alpha");
	EQ_STR(out.image, "0123456789abcdef");
	EQ_INT(out.created, 1700000000);
	EQ_INT(out.entries, 8);
	EQ_INT(out.bytes, in.bytes);
	/* Cut short: refused in the check, before anything is written. */
	EQ_INT(hydra_mkdir_p("dst", 0755), 0);
	EQ_INT(sh("cp s.tar.zst cut.tar.zst && truncate -s $(( $(stat -c %s s.tar.zst) / 2 )) "
		  "cut.tar.zst"), 0);
	EQ_INT(hydra_snapshot_restore("cut.tar.zst", "dst"), -EIO);
	CONTAINS(t_log, "snapshot 'cut.tar.zst'");
	EQ_INT(sh("[ -z \"$(ls -A dst)\" ]"), 0);
	EQ_INT(hydra_snapshot_restore("s.tar.zst", "dst"), 0);
	same_tree("src", "dst");
	OK(access("dst/" HYDRA_SNAPSHOT_HEADER, F_OK) < 0);
	OK(stat("dst/home/u/a", &st) == 0 && stat("dst/home/u/hard", &st2) == 0);
	EQ_INT(st.st_ino, st2.st_ino);
	OK(stat("dst/srv/sparse", &st) == 0 && st.st_blocks < 64);
	/* Only into an empty volume. */
	EQ_INT(hydra_snapshot_restore("s.tar.zst", "dst"), -ENOTEMPTY);
	CONTAINS(t_log, "refusing to restore into 'dst': it is not empty");
}

static const char good_hdr[] = "{\"format\":1,\"node\":\"x\",\"image\":\"unknown\","
			       "\"created\":1,\"entries\":2,\"bytes\":6}\n";

/* A snapshot with the header HDR and then one entry of TYPE named NAME. */
static void hostile_with(const char *file, const char *hdr, const char *name, unsigned type)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	archive_write_set_format_pax(a);
	archive_write_add_filter_zstd(a);
	OK(archive_write_open_filename(a, file) == ARCHIVE_OK);
	archive_entry_set_pathname(e, HYDRA_SNAPSHOT_HEADER);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, (la_int64_t)strlen(hdr));
	archive_write_header(a, e);
	archive_write_data(a, hdr, strlen(hdr));
	archive_entry_clear(e);
	archive_entry_set_pathname(e, "fine");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 2);
	archive_write_header(a, e);
	archive_write_data(a, "ok", 2);
	archive_entry_clear(e);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, 0644);
	if (type == AE_IFCHR)
		archive_entry_set_rdev(e, makedev(1, 3));
	archive_entry_set_size(e, type == AE_IFREG ? 4 : 0);
	archive_write_header(a, e);
	if (type == AE_IFREG)
		archive_write_data(a, "evil", 4);
	archive_entry_free(e);
	OK(archive_write_close(a) == ARCHIVE_OK);
	archive_write_free(a);
}

static void hostile(const char *file, const char *name, unsigned type)
{
	hostile_with(file, good_hdr, name, type);
}

static void test_hostile_snapshots(void)
{
	static const struct {
		const char *name;
		unsigned type;
		const char *why;
	} cases[] = {
		{ "../evil", AE_IFREG, "entry '../evil': it is absolute or climbs out" },
		{ "a/../../evil", AE_IFREG, "climbs out of the tree with '..'" },
		{ "/tmp/evil", AE_IFREG, "entry '/tmp/evil': it is absolute" },
		{ "null", AE_IFCHR, "entry 'null': only files, directories and links" },
	};
	struct hydra_snapshot_info info;

	EQ_INT(hydra_mkdir_p("in/dst", 0755), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_log[0] = '\0';
		hostile("h.tar.zst", cases[i].name, cases[i].type);
		EQ_INT(hydra_snapshot_read_info("h.tar.zst", &info), 0);
		EQ_INT(hydra_snapshot_restore("h.tar.zst", "in/dst"), -EPERM);
		CONTAINS(t_log, "refusing snapshot 'h.tar.zst'");
		CONTAINS(t_log, cases[i].why);
		/* Nothing written: not even the harmless entry before the bad one. */
		EQ_INT(sh("[ -z \"$(ls -A in/dst)\" ] && [ ! -e in/evil ] && [ ! -e evil ] && "
			  "[ ! -e /tmp/evil ]"), 0);
	}
	/* A plain tar is not a snapshot. */
	EQ_INT(sh("echo x > f && tar -cf plain.tar f"), 0);
	EQ_INT(hydra_snapshot_restore("plain.tar", "in/dst"), -EINVAL);
	CONTAINS(t_log, "'plain.tar' is not a hydra snapshot");
}

/* Every header field is range-checked before anything is written, and named when bad. */
static void test_hostile_headers(void)
{
	static const struct {
		const char *hdr, *field;
	} cases[] = {
		{ "{\"format\":1,\"node\":\"x\",\"image\":\"unknown\",\"created\":9223372036854775807,"
		  "\"entries\":1,\"bytes\":2}", "created" },
		{ "{\"format\":1,\"node\":\"x\",\"image\":\"unknown\",\"created\":-9223372036854775807,"
		  "\"entries\":1,\"bytes\":2}", "created" },
		{ "{\"format\":1,\"node\":\"x\",\"image\":\"unknown\",\"created\":1e300,"
		  "\"entries\":1,\"bytes\":2}", "created" },
		{ "{\"format\":1,\"node\":\"x\",\"image\":\"unknown\",\"created\":1,"
		  "\"entries\":-1,\"bytes\":2}", "entries" },
		{ "{\"format\":1,\"node\":\"x\\u001b[2J\",\"image\":\"unknown\",\"created\":1,"
		  "\"entries\":1,\"bytes\":2}", "node" },
		{ "{\"format\":1,\"node\":\"x\",\"image\":\"../../etc\",\"created\":1,"
		  "\"entries\":1,\"bytes\":2}", "image" },
		{ "{\"format\":1,\"node\":\"x\",\"image\":\"unknown\",\"created\":1,\"entries\":1}",
		  "bytes" },
	};
	/* Headers in range that lie about the archive: caught before anything is written. */
	static const char *const lies[] = {
		"{\"format\":1,\"node\":\"x\",\"image\":\"unknown\",\"created\":1,"
		"\"entries\":2,\"bytes\":99999999999999999999}",
		"{\"format\":1,\"node\":\"x\",\"image\":\"unknown\",\"created\":1,"
		"\"entries\":5,\"bytes\":6}",
	};
	struct hydra_snapshot_info info;
	char big[6000];

	EQ_INT(hydra_mkdir_p("in/dst", 0755), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_log[0] = '\0';
		hostile_with("h.tar.zst", cases[i].hdr, "fine2", AE_IFREG);
		EQ_INT(hydra_snapshot_read_info("h.tar.zst", &info), -EINVAL);
		EQ_INT(hydra_snapshot_restore("h.tar.zst", "in/dst"), -EINVAL);
		CONTAINS(t_log, cases[i].field);
		EQ_INT(sh("[ -z \"$(ls -A in/dst)\" ]"), 0);
	}
	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		t_log[0] = '\0';
		hostile_with("h.tar.zst", lies[i], "fine2", AE_IFREG);
		EQ_INT(hydra_snapshot_restore("h.tar.zst", "in/dst"), -EBADMSG);
		CONTAINS(t_log, "does not hold what its header lists");
		EQ_INT(sh("[ -z \"$(ls -A in/dst)\" ]"), 0);
	}
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, good_hdr, strlen(good_hdr));
	hostile_with("h.tar.zst", big, "fine2", AE_IFREG);
	EQ_INT(hydra_snapshot_read_info("h.tar.zst", &info), -EINVAL);
	CONTAINS(t_log, "its header is larger than 4095 bytes");
	hostile_with("h.tar.zst", good_hdr, "fine2", AE_IFREG);
	EQ_INT(hydra_snapshot_read_info("h.tar.zst", &info), 0);
	EQ_STR(info.image, "unknown");
}

int main(void)
{
	RUN(test_init_header);
	RUN(test_init_refusals);
	RUN(test_persist_list);
	RUN(test_copy);
	RUN(test_snapshot_round_trip);
	RUN(test_hostile_snapshots);
	RUN(test_hostile_headers);
	TESTS_END();
}
