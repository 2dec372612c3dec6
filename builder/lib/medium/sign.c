/* Signing keys and MANIFEST.sig: ed25519 through OpenSSL's EVP interface. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/hydra.h"
#include "base/util.h"
#include "format/manifest.h"
#include "medium/sign.h"

#define SIG_LEN 64

static int pkey_id(EVP_PKEY *pk, char keyid[HYDRA_KEYID_LEN + 1])
{
	unsigned char pub[HYDRA_ED25519_PUBLEN];
	size_t n = sizeof(pub);

	if (EVP_PKEY_get_raw_public_key(pk, pub, &n) != 1 || n != sizeof(pub))
		return -EINVAL;
	hydra_key_id(pub, keyid);
	return 0;
}

/* PEM of KEY (private or public) into a new file; O_EXCL so nothing is overwritten. */
static int write_pem(int fd, EVP_PKEY *pk, int private)
{
	BIO *b = BIO_new(BIO_s_secmem());
	char *data;
	long n;
	int r = -ENOMEM;

	if (!b)
		return -ENOMEM;
	if (private ? PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL) != 1
		    : PEM_write_bio_PUBKEY(b, pk) != 1)
		goto out;
	n = BIO_get_mem_data(b, &data);
	r = hydra_write_all(fd, data, (size_t)n);
	if (!r && fsync(fd) < 0)
		r = -errno;
	OPENSSL_cleanse(data, (size_t)n);
out:
	BIO_free(b);
	return r;
}

static int create_excl(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

	int e;

	if (fd < 0) {
		e = errno;
		hydra_err("cannot create '%s': %s", path, strerror(e));
		return -e;
	}
	/* The umask may have taken bits away, never added any; be exact. */
	if (fchmod(fd, mode) < 0) {
		e = errno;
		close(fd);
		unlink(path);
		return -e;
	}
	return fd;
}

int hydra_keygen(const char *name, char keyid[HYDRA_KEYID_LEN + 1])
{
	char *keypath = hydra_strdupf("%s.key", name), *pubpath = hydra_strdupf("%s.pub", name);
	EVP_PKEY *pk = NULL;
	int kfd = -1, pfd = -1, r = -ENOMEM;

	if (!keypath || !pubpath)
		goto out;
	pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!pk) {
		hydra_err("cannot make an ed25519 key: libcrypto failed");
		r = -EIO;
		goto out;
	}
	r = kfd = create_excl(keypath, 0600);
	if (r < 0)
		goto out;
	r = pfd = create_excl(pubpath, 0644);
	if (r < 0)
		goto out;
	r = write_pem(kfd, pk, 1);
	if (!r)
		r = write_pem(pfd, pk, 0);
	if (!r)
		r = pkey_id(pk, keyid);
	if (r)
		hydra_err("cannot write the key pair '%s': %s", name, strerror(-r));
out:
	if (kfd >= 0 && close(kfd) < 0 && !r)
		r = -errno;
	if (pfd >= 0 && close(pfd) < 0 && !r)
		r = -errno;
	/* Only what this call created is removed: O_EXCL made sure of that. */
	if (r && kfd >= 0)
		unlink(keypath);
	if (r && pfd >= 0)
		unlink(pubpath);
	EVP_PKEY_free(pk);
	free(keypath);
	free(pubpath);
	return r;
}

/* Under ROOT, once both are resolved: a key there would be carried by the medium. */
static int inside(const char *path, const char *root)
{
	char rp[PATH_MAX], rr[PATH_MAX];
	size_t n;

	if (!realpath(path, rp) || !realpath(root, rr))
		return 0;
	n = strlen(rr);
	return !strncmp(rp, rr, n) && (rp[n] == '/' || rp[n] == '\0' || (n == 1 && rr[0] == '/'));
}

static int no_pass(char *buf, int size, int rw, void *ud)
{
	(void)buf, (void)size, (void)rw, (void)ud;
	return -1;
}

/* The checks signify and ssh make: the caller's own file, closed to everyone else. */
static int check_key_file(int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		hydra_err("private key '%s' is not a regular file", path);
		return -EINVAL;
	}
	if (st.st_uid != geteuid()) {
		hydra_err("private key '%s' belongs to uid %u, not to you: chown it, then chmod 600 '%s'",
			  path, (unsigned)st.st_uid, path);
		return -EPERM;
	}
	if (st.st_mode & 077) {
		hydra_err("private key '%s' is readable by others (mode %04o): run chmod 600 '%s'",
			  path, (unsigned)(st.st_mode & 07777), path);
		return -EPERM;
	}
	if (st.st_size > HYDRA_KEY_PEM_MAX) {
		hydra_err("'%s' is too large for an ed25519 private key", path);
		return -EINVAL;
	}
	return 0;
}

/* The private key of PATH; the PEM text is wiped before returning. */
static int load_private(const char *path, EVP_PKEY **out)
{
	char pem[HYDRA_KEY_PEM_MAX];
	ssize_t n = 0, got;
	BIO *b = NULL;
	int fd, r;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		hydra_err("cannot open private key '%s': %s", path, strerror(errno));
		return r;
	}
	r = check_key_file(fd, path);
	while (!r && (got = read(fd, pem + n, sizeof(pem) - (size_t)n)) != 0) {
		if (got < 0 && errno != EINTR)
			r = -errno;
		else if (got > 0)
			n += got;
		if ((size_t)n == sizeof(pem))
			r = -EINVAL;
	}
	close(fd);
	if (r)
		goto out;
	r = -EINVAL;
	b = BIO_new_mem_buf(pem, (int)n);
	if (!b) {
		r = -ENOMEM;
		goto out;
	}
	*out = PEM_read_bio_PrivateKey(b, NULL, no_pass, NULL);
	if (!*out)
		hydra_err("'%s' is not an unencrypted private key in PEM", path);
	else if (EVP_PKEY_get_id(*out) != EVP_PKEY_ED25519) {
		hydra_err("'%s' is not an ed25519 key (make one with 'hydra keygen')", path);
		EVP_PKEY_free(*out);
		*out = NULL;
	} else
		r = 0;
out:
	BIO_free(b);
	OPENSSL_cleanse(pem, sizeof(pem));
	return r;
}

/* A private key among the public ones would be copied onto every medium. */
static int trust_dir_clean(const char *root)
{
	char *dir = hydra_path_join(root, HYDRA_TRUST_DIR);
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	while (d && !r && (e = readdir(d))) {
		char *p = hydra_path_join(dir, e->d_name), *buf = NULL;
		size_t len;

		if (!p)
			r = -ENOMEM;
		else if (e->d_name[0] != '.' && !hydra_read_file(p, &buf, &len) &&
			 strstr(buf, "PRIVATE KEY-----")) {
			hydra_err("'%s' is a private key: it must not be carried on a medium", p);
			r = -EPERM;
		}
		if (buf)
			OPENSSL_cleanse(buf, len);
		free(buf);
		free(p);
	}
	if (d)
		closedir(d);
	free(dir);
	return r;
}

static int sign_buf(EVP_PKEY *pk, const char *msg, size_t len, unsigned char sig[SIG_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n = SIG_LEN;
	int r = -EIO;

	if (!ctx)
		return -ENOMEM;
	/* ed25519 hashes the message itself: no digest is named. */
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, pk) == 1 &&
	    EVP_DigestSign(ctx, sig, &n, (const unsigned char *)msg, len) == 1 && n == SIG_LEN)
		r = 0;
	EVP_MD_CTX_free(ctx);
	return r;
}

int hydra_sign_manifest(const char *keyfile, const char *medium_root)
{
	char *mpath = hydra_path_join(medium_root, HYDRA_MANIFEST_PATH);
	char *spath = hydra_path_join(medium_root, HYDRA_SIGNATURE_PATH);
	char *manifest = NULL, *text = NULL, keyid[HYDRA_KEYID_LEN + 1];
	char b64[4 * SIG_LEN / 3 + 4];
	unsigned char sig[SIG_LEN];
	EVP_PKEY *pk = NULL;
	size_t len;
	int r = -ENOMEM;

	if (!mpath || !spath)
		goto out;
	if (inside(keyfile, medium_root)) {
		hydra_err("private key '%s' lies inside the medium '%s': keep it elsewhere",
			  keyfile, medium_root);
		r = -EPERM;
		goto out;
	}
	r = trust_dir_clean(medium_root);
	if (r)
		goto out;
	r = hydra_read_file(mpath, &manifest, &len);
	if (r) {
		hydra_err("cannot read '%s': %s", mpath, strerror(-r));
		goto out;
	}
	r = load_private(keyfile, &pk);
	if (r)
		goto out;
	r = pkey_id(pk, keyid);
	if (!r)
		r = sign_buf(pk, manifest, len, sig);
	if (r) {
		hydra_err("cannot sign '%s' with '%s'", mpath, keyfile);
		goto out;
	}
	EVP_EncodeBlock((unsigned char *)b64, sig, SIG_LEN);
	text = hydra_strdupf("hydra-signature 1\nkey %s\nsig %s\n", keyid, b64);
	if (!text) {
		r = -ENOMEM;
		goto out;
	}
	r = hydra_write_file_atomic(spath, text, strlen(text), 0644);
	if (r)
		hydra_err("cannot write '%s': %s", spath, strerror(-r));
	else
		hydra_info("signed '%s' with key %s", mpath, keyid);
out:
	EVP_PKEY_free(pk);
	free(text);
	free(manifest);
	free(mpath);
	free(spath);
	return r;
}
