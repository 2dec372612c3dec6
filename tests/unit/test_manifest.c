/* MANIFEST: write, read back, refuse what is malformed. */
#include <errno.h>
#include <sys/stat.h>

#include "format/manifest.h"
#include "harness.h"

static void make_payload(void)
{
	OK(t_write("m/boot/vmlinuz", "kernel") == 0);
	OK(t_write("m/boot/initrd.img", "initrd") == 0);
	OK(t_write("m/live/system.sqfs", "squash") == 0);
	OK(t_write("m/hydra/overlays/common.tar", "tar") == 0);
	OK(t_write("m/syslinux/syslinux.cfg", "not payload") == 0);
	OK(t_write("m/EFI/BOOT/syslinux.cfg", "not payload") == 0);
}

static void test_scan_save_load(void)
{
	struct hydra_manifest *m = NULL, *back = NULL;
	const struct hydra_manifest_file *f;

	make_payload();
	EQ_INT(hydra_manifest_scan("m", "tiny", "console=ttyS0", 1700000000, &m), 0);
	if (!m)
		return;
	EQ_INT(m->n_files, 4);
	EQ_STR(m->files[0].path, "boot/initrd.img");
	EQ_STR(m->files[3].path, "live/system.sqfs");
	EQ_INT(strlen(m->id), HYDRA_ID_LEN);
	EQ_INT(hydra_manifest_save("m", m), 0);
	EQ_INT(hydra_manifest_load("m", &back), 0);
	if (back) {
		EQ_STR(back->id, m->id);
		EQ_STR(back->recipe, "tiny");
		EQ_STR(back->cmdline, "console=ttyS0");
		EQ_INT(back->built, 1700000000);
		EQ_INT(back->n_files, 4);
		f = hydra_manifest_find(back, "boot/vmlinuz");
		OK(f != NULL);
		if (f) {
			EQ_INT(f->size, 6);
			OK(!memcmp(f->sha256, m->files[1].sha256, HYDRA_SHA256_LEN));
		}
	}
	hydra_manifest_free(back);
	hydra_manifest_free(m);
}

static void test_id_follows_content(void)
{
	struct hydra_manifest *a = NULL, *b = NULL, *c = NULL;

	make_payload();
	EQ_INT(hydra_manifest_scan("m", "tiny", "", 1, &a), 0);
	EQ_INT(hydra_manifest_scan("m", "tiny", "", 1, &b), 0);
	OK(t_write("m/live/system.sqfs", "squash2") == 0);
	EQ_INT(hydra_manifest_scan("m", "tiny", "", 1, &c), 0);
	if (a && b && c) {
		EQ_STR(a->id, b->id);
		OK(strcmp(a->id, c->id) != 0);
	}
	hydra_manifest_free(a);
	hydra_manifest_free(b);
	hydra_manifest_free(c);
}

/* A SHA-256 known already is taken for the very file it was known for, and only for that. */
static void test_known_hashes(void)
{
	struct hydra_manifest_known k = { .path = "live/system.sqfs" };
	struct hydra_manifest *a = NULL, *b = NULL, *c = NULL;
	const struct hydra_manifest_file *f;
	unsigned char real[HYDRA_SHA256_LEN];
	struct stat st;

	make_payload();
	EQ_INT(stat("m/live/system.sqfs", &st), 0);
	k.dev = (uint64_t)st.st_dev;
	k.ino = (uint64_t)st.st_ino;
	k.size = (uint64_t)st.st_size;
	/* Not the file's: so that the test sees it was taken, not read. */
	memset(k.sha256, 0xab, sizeof(k.sha256));
	hydra_sha256_buf("squash", 6, real);
	EQ_INT(hydra_manifest_scan_known("m", "tiny", "", 1, &k, 1, &a), 0);
	f = a ? hydra_manifest_find(a, "live/system.sqfs") : NULL;
	OK(f && f->size == 6 && !memcmp(f->sha256, k.sha256, sizeof(k.sha256)));
	/* Another file put there (a new inode, the same size): read. */
	OK(t_write("m/live/new", "squash") == 0);
	EQ_INT(rename("m/live/new", "m/live/system.sqfs"), 0);
	EQ_INT(hydra_manifest_scan_known("m", "tiny", "", 1, &k, 1, &b), 0);
	f = b ? hydra_manifest_find(b, "live/system.sqfs") : NULL;
	OK(f && !memcmp(f->sha256, real, sizeof(real)));
	/* The very file, known with another size: read. */
	EQ_INT(stat("m/live/system.sqfs", &st), 0);
	k.ino = (uint64_t)st.st_ino;
	k.size = 7;
	EQ_INT(hydra_manifest_scan_known("m", "tiny", "", 1, &k, 1, &c), 0);
	f = c ? hydra_manifest_find(c, "live/system.sqfs") : NULL;
	OK(f && !memcmp(f->sha256, real, sizeof(real)));
	if (a && b)
		OK(strcmp(a->id, b->id) != 0);
	hydra_manifest_free(a);
	hydra_manifest_free(b);
	hydra_manifest_free(c);
}

static int parse_text(const char *text)
{
	struct hydra_manifest *m = NULL;
	int r = hydra_manifest_parse(text, strlen(text), &m);

	hydra_manifest_free(m);
	return r;
}

#define HDR "hydra-manifest 1\nid 0123456789abcdef\n"
#define SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_refuses_malformed(void)
{
	EQ_INT(parse_text(HDR "file " SHA " 0 boot/vmlinuz\n"), 0);
	EQ_INT(parse_text("not a manifest\n"), -EBADMSG);
	CONTAINS(t_log, "not a hydra manifest");
	EQ_INT(parse_text("hydra-manifest 1\nid 12\n"), -EBADMSG);
	CONTAINS(t_log, "malformed image id");
	EQ_INT(parse_text(HDR "file " SHA " 0 ../etc/passwd\n"), -EBADMSG);
	CONTAINS(t_log, "MANIFEST:3: bad path '../etc/passwd'");
	EQ_INT(parse_text(HDR "file " SHA " 0 /etc/passwd\n"), -EBADMSG);
	EQ_INT(parse_text(HDR "file " SHA " -1 boot/x\n"), -EBADMSG);
	EQ_INT(parse_text(HDR "file zz 1 boot/x\n"), -EBADMSG);
	EQ_INT(parse_text(HDR "file " SHA " 1 b\nfile " SHA " 1 a\n"), -EBADMSG);
	CONTAINS(t_log, "out of order");
	EQ_INT(parse_text(HDR "file " SHA " 0 boot/x"), -EBADMSG);
	CONTAINS(t_log, "truncated");
	EQ_INT(parse_text(HDR "id 0123456789abcdef\n"), -EBADMSG);
	EQ_INT(hydra_manifest_parse(HDR "\0x\n", sizeof(HDR) + 2, &(struct hydra_manifest *){ NULL }),
	       -EBADMSG);
	CONTAINS(t_log, "not a text file");
}

int main(void)
{
	RUN(test_scan_save_load);
	RUN(test_id_follows_content);
	RUN(test_known_hashes);
	RUN(test_refuses_malformed);
	TESTS_END();
}
