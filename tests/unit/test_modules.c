/* Module closure over a fixture modules.dep, and the driver map's format. */
#include <errno.h>

#include "build/modules.h"
#include "harness.h"

static char missed[256];

static void on_missing(const char *name, void *ud)
{
	(void)ud;
	strncat(missed, name, sizeof(missed) - strlen(missed) - 2);
	strcat(missed, " ");
}

static int index_of(const struct hydra_modlist *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->paths[i], path))
			return (int)i;
	return -1;
}

static void closure(const char *const *names, size_t n, struct hydra_modlist *l)
{
	char *dep = NULL;
	size_t len;

	missed[0] = '\0';
	EQ_INT(hydra_read_file(fixture("modules/modules.dep"), &dep, &len), 0);
	EQ_INT(hydra_modules_closure(dep, len, names, n, l, on_missing, NULL), 0);
	free(dep);
}

static void test_dependencies_first(void)
{
	const char *names[] = { "virtio_blk", "virtio_pci", "vfat" };
	struct hydra_modlist l;

	closure(names, 3, &l);
	EQ_INT(l.n, 8);
	/* virtio_ring before virtio, as modules.dep orders them, and both before users. */
	OK(index_of(&l, "kernel/drivers/virtio/virtio_ring.ko") <
	   index_of(&l, "kernel/drivers/virtio/virtio.ko"));
	OK(index_of(&l, "kernel/drivers/virtio/virtio.ko") <
	   index_of(&l, "kernel/drivers/block/virtio_blk.ko"));
	OK(index_of(&l, "kernel/drivers/virtio/virtio_pci_modern_dev.ko") <
	   index_of(&l, "kernel/drivers/virtio/virtio_pci.ko"));
	OK(index_of(&l, "kernel/fs/fat/fat.ko") < index_of(&l, "kernel/fs/fat/vfat.ko"));
	EQ_STR(missed, "");
	hydra_modlist_release(&l);
}

static void test_transitive_dedup_and_dashes(void)
{
	const char *names[] = { "pata-acpi", "scsi_mod", "pata_acpi", "nosuch", "vfat" };
	struct hydra_modlist l;

	closure(names, 5, &l);
	EQ_INT(l.n, 6);
	EQ_STR(l.paths[0], "kernel/drivers/scsi/scsi_common.ko");
	EQ_STR(l.paths[1], "kernel/drivers/scsi/scsi_mod.ko");
	EQ_STR(l.paths[2], "kernel/drivers/ata/libata.ko");
	EQ_STR(l.paths[3], "kernel/drivers/ata/pata-acpi.ko");
	EQ_STR(missed, "nosuch ");
	hydra_modlist_release(&l);
}

/* Topological even where a modules.dep line is out of order, and loops end. */
static void test_hostile_dep(void)
{
	static const char dep[] =
		"kernel/a.ko: kernel/c.ko kernel/b.ko\n"
		"kernel/b.ko: kernel/c.ko\n"
		"kernel/c.ko:\n"
		"\n"
		"not a module line\n"
		"kernel/x/loop-one.ko.xz: kernel/x/loop_two.ko.xz\n"
		"kernel/x/loop_two.ko.xz: kernel/x/loop-one.ko.xz";
	const char *names[] = { "a", "loop_one", "c" };
	struct hydra_modlist l;

	EQ_INT(hydra_modules_closure(dep, strlen(dep), names, 3, &l, NULL, NULL), 0);
	EQ_INT(l.n, 5);
	if (l.n == 5) {
		EQ_STR(l.paths[0], "kernel/c.ko");
		EQ_STR(l.paths[1], "kernel/b.ko");
		EQ_STR(l.paths[2], "kernel/a.ko");
		EQ_STR(l.paths[3], "kernel/x/loop_two.ko.xz");
		EQ_STR(l.paths[4], "kernel/x/loop-one.ko.xz");
	}
	CONTAINS(t_log, "dependency loop");
	hydra_modlist_release(&l);
	EQ_INT(hydra_modules_closure("", 0, names, 1, &l, on_missing, NULL), 0);
	EQ_INT(l.n, 0);
	hydra_modlist_release(&l);
}

static void test_driver_map(void)
{
	char **names = NULL, path[4096];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/hardware-db/drivers.conf", HYDRA_SRCDIR);
	EQ_INT(hydra_drivers_load(path, &names, &n), 0);
	OK(n > 20);
	for (size_t i = 0; i < n; i++)
		OK(strchr(names[i], ' ') == NULL);
	hydra_strv_free(names, n);
	EQ_INT(hydra_drivers_load(fixture("modules/bad-class.conf"), &names, &n), -EINVAL);
	CONTAINS(t_log, "bad-class.conf:3: unknown driver class [gpu]");
	EQ_INT(hydra_drivers_load(fixture("modules/bad-key.conf"), &names, &n), -EINVAL);
	CONTAINS(t_log, "bad-key.conf:3: unknown key 'modulez' in [storage]");
}

int main(void)
{
	RUN(test_dependencies_first);
	RUN(test_transitive_dedup_and_dashes);
	RUN(test_hostile_dep);
	RUN(test_driver_map);
	TESTS_END();
}
