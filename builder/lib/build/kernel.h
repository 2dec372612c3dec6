/*
 * The kernel comes from Debian's kernel package named in the recipe, never
 * from the build host: fetched with apt-get download, unpacked with
 * libarchive, modules.dep made with depmod -b. Cached per package version.
 */
#ifndef HYDRA_KERNEL_H
#define HYDRA_KERNEL_H

struct hydra_kernel {
	char *package;   /* the concrete package, e.g. linux-image-6.1.0-56-amd64 */
	char *pkgversion; /* its version, e.g. 6.1.158-1: a new one can keep the release */
	char *version;   /* uname -r of that kernel, e.g. 6.1.0-56-amd64 */
	char *vmlinuz;   /* path of the unpacked kernel image */
	char *moddir;    /* path of the unpacked lib/modules/VERSION */
};

enum {
	F_KERNEL_RESOLVE = 1 << 0,  /* ask apt-cache, whatever answer the cache keeps */
};

/*
 * PACKAGE may be a metapackage (linux-image-amd64): it is resolved to the
 * kernel package it depends on. CACHEDIR holds the .deb and the unpacked
 * tree, and apt-cache's answer for the apt state it was given in; tool
 * output goes to LOGFILE.
 */
int hydra_kernel_fetch(const char *package, const char *cachedir, unsigned flags,
		       const char *logfile, struct hydra_kernel **out);
void hydra_kernel_free(struct hydra_kernel *k);

#endif
