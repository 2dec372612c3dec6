/* LUKS2 headers made by hydra, read back with cryptsetup (which hydra did not write). */
#include <errno.h>
#include <sys/stat.h>

#include "harness.h"
#include "medium/sign.h"
#include "node/crypt.h"
#include "node/volume.h"

static void test_luks2_header(void)
{
	static const char pass[] = "correct horse battery staple";
	struct hydra_luks_opts o = { .iterations = 4, .memory_kb = 32 };
	char *dump = NULL;

	if (sh("command -v cryptsetup"))
		SKIP("cryptsetup missing (Debian package cryptsetup-bin)");
	EQ_INT(sh("truncate -s 32M data.img"), 0);
	EQ_INT(hydra_luks_format("data.img", pass, strlen(pass), &o), 0);
	EQ_INT(sh("cryptsetup luksDump data.img > dump.txt"), 0);
	EQ_INT(hydra_read_file("dump.txt", &dump, NULL), 0);
	CONTAINS(dump, "Version:       \t2");
	CONTAINS(dump, "Label:         \tHYDRA-DATA");
	CONTAINS(dump, "cipher: aes-xts-plain64");
	CONTAINS(dump, "PBKDF:      argon2id");
	CONTAINS(dump, "Cipher key: 512 bits");
	free(dump);
	/* The passphrase opens key slot 0 and a wrong one does not (no device-mapper needed). */
	EQ_INT(sh("printf '%s' 'correct horse battery staple' | "
		  "cryptsetup open --test-passphrase --key-file=- data.img"), 0);
	OK(sh("printf '%s' 'wrong' | cryptsetup open --test-passphrase --key-file=- data.img") != 0);
}

static void test_key_file_modes(void)
{
	char *key = NULL;
	size_t len = 0;

	OK(t_write("k", "secret") == 0);
	OK(chmod("k", 0644) == 0);
	EQ_INT(hydra_key_file_read("k", &key, &len), -EPERM);
	CONTAINS(t_log, "others may read it (chmod 600 'k')");
	OK(chmod("k", 0600) == 0);
	EQ_INT(hydra_key_file_read("k", &key, &len), 0);
	EQ_INT(len, 6);
	hydra_key_free(key, len);
	OK(symlink("k", "link") == 0);
	OK(hydra_key_file_read("link", &key, &len) < 0);
}

/* Empty, huge, FIFO and linked key files are refused, each before a read that could hang. */
static void test_key_file_refusals(void)
{
	struct hydra_luks_opts o = { .iterations = 4, .memory_kb = 32 };
	struct hydra_trust *t = NULL;
	char *key = NULL;
	size_t len = 0;

	EQ_INT(sh("install -m 600 /dev/null empty && mkfifo -m 600 fifo && "
		  "head -c 70000 /dev/zero | tr '\\0' a > big && chmod 600 big && "
		  "ln -s /dev/zero zero"), 0);
	EQ_INT(hydra_key_file_read("empty", &key, &len), -EINVAL);
	CONTAINS(t_log, "refusing key file 'empty': it is empty");
	OK(key == NULL);
	EQ_INT(hydra_key_file_read("fifo", &key, &len), -EINVAL);
	CONTAINS(t_log, "refusing key file 'fifo': not a regular file");
	EQ_INT(hydra_key_file_read("big", &key, &len), -EFBIG);
	OK(hydra_key_file_read("zero", &key, &len) < 0);
	OK(key == NULL);
	/* An empty passphrase makes no volume and opens none. */
	EQ_INT(sh("truncate -s 32M data.img"), 0);
	EQ_INT(hydra_luks_format("data.img", "", 0, &o), -EINVAL);
	OK(sh("cryptsetup isLuks data.img") != 0);
	EQ_INT(hydra_data_open("data.img", "hydra-test", "", 0), -EACCES);
	/* Public keys given with --key: the same one descriptor and a size cap. */
	EQ_INT(hydra_trust_new(&t), 0);
	if (t) {
		EQ_INT(hydra_trust_add_file(t, "fifo"), -EINVAL);
		EQ_INT(hydra_trust_add_file(t, "big"), -EFBIG);
	}
	hydra_trust_free(t);
}

int main(void)
{
	RUN(test_luks2_header);
	RUN(test_key_file_modes);
	RUN(test_key_file_refusals);
	TESTS_END();
}
