/* Build hooks: hooks/NAME.chroot, then the recipe's own, run inside the root tree. */
#ifndef HYDRA_HOOKS_H
#define HYDRA_HOOKS_H

#include <stdint.h>

#include "build/recipe.h"

/*
 * The hooks a recipe runs, in order: hooks/NAME.chroot by name, then [image]
 * hooks as listed; paths under the project root, malloc'd, NULL-terminated.
 */
int hydra_hooks_list(const struct hydra_recipe *r, char ***out, size_t *n);
/*
 * Run each of HOOKS inside ROOT (chroot, with /proc, /sys and /dev mounted in
 * a mount namespace of its own, so nothing stays mounted). Output goes to
 * LOGFILE; the first failure stops the rest and is named with its status.
 */
int hydra_hooks_run(const struct hydra_recipe *r, char *const *hooks, size_t n,
		    const char *root, int64_t epoch, const char *logfile);

#endif
