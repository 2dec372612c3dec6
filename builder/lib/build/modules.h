/*
 * Kernel modules: the driver map (hardware-db/drivers.conf) names modules,
 * modules.dep closes them over their dependencies, in load order.
 */
#ifndef HYDRA_MODULES_H
#define HYDRA_MODULES_H

#include <stddef.h>

struct hydra_modlist {
	char **paths;    /* relative to lib/modules/VERSION, dependencies first */
	size_t n;
};

/*
 * Pure: from the text of modules.dep and module names ("virtio_blk";
 * '-' and '_' are the same), the load-ordered closure. A name that is not in
 * modules.dep is reported through MISSING (may be NULL) and skipped.
 */
int hydra_modules_closure(const char *dep, size_t len, const char *const *names, size_t n_names,
			  struct hydra_modlist *out,
			  void (*missing)(const char *name, void *ud), void *ud);
void hydra_modlist_release(struct hydra_modlist *l);

/* Every module name of every class in a drivers.conf (file:line errors). */
int hydra_drivers_load(const char *path, char ***names, size_t *n);

#endif
