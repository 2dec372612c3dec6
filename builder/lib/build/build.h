/* hydra build: from a recipe to a medium image. */
#ifndef HYDRA_BUILD_H
#define HYDRA_BUILD_H

#include <stdint.h>

#include "build/recipe.h"

struct hydra_build_opts {
	const char *out;        /* image path; default out/NAME.img */
	uint64_t size;          /* image size; 0 = the recipe's, else planned */
	const char *hydra_bin;  /* the hydra program to put in the image */
	const char *init_bin;   /* hydra-init for the initramfs */
	const char *cache;      /* kernel packages and unpacked kernels; default ROOT/out/cache */
	const char *sign_key;   /* sign the MANIFEST with this private key, or NULL */
	int no_cache;           /* make every stage again, ignoring the stage cache */
};

struct hydra_build_result {
	char id[32];
	char out[4096];
	char log[4096];
	uint64_t size;
};

/* Run every stage; the output is replaced only when all of them succeeded. */
int hydra_build(const struct hydra_recipe *r, const struct hydra_build_opts *o,
		struct hydra_build_result *res);

#endif
