#include "harness.h"

#include "format/hwdb.h"
#include "node/probe.h"

static int probe_fixture(const char *machine, struct hydra_machine *m)
{
	char sys[4200], proc[4200];

	snprintf(sys, sizeof(sys), "%s/sys", fixture(machine));
	snprintf(proc, sizeof(proc), "%s/proc", fixture(machine));
	return hydra_probe(sys, proc, m);
}

static void test_probe_alpha(void)
{
	struct hydra_machine m;

	EQ_INT(probe_fixture("sysfs/alpha", &m), 0);
	EQ_STR(m.uuid, "11111111-2222-3333-4444-555555555555");
	EQ_STR(m.serial, "S123");
	EQ_STR(m.vendor, "QEMU");
	EQ_STR(m.product, "Standard PC (Q35 + ICH9, 2009)");
	OK(m.board == NULL);
	/* lo and the bridge (no device link) are left out; sorted, lower-cased. */
	EQ_INT(m.n_macs, 2);
	EQ_STR(m.macs[0], "52:54:00:00:00:a1");
	EQ_STR(m.macs[1], "52:54:00:12:34:56");
	/* loop, zram, dm and ram devices are left out. */
	EQ_INT(m.n_disks, 2);
	EQ_STR(m.disks[0].id, "hydra-alpha-0");
	EQ_INT(m.disks[0].size, 16777216ULL * 512);
	EQ_STR(m.disks[1].id, "naa.600140512345678");
	EQ_INT(m.disks[1].size, 2097152ULL * 512);
	EQ_STR(m.cpu, "QEMU Virtual CPU version 2.5+");
	EQ_INT(m.cpus, 2);
	EQ_INT(m.memory, 1014276ULL * 1024);
	hydra_machine_clear(&m);
}

static void test_probe_serial_with_spaces(void)
{
	struct hydra_machine m;

	EQ_INT(probe_fixture("sysfs/mac-only", &m), 0);
	EQ_INT(m.n_disks, 1);
	EQ_STR(m.disks[0].id, "NVME_SERIAL_7");
	EQ_INT(m.n_macs, 1);
	hydra_machine_clear(&m);
}

static void test_probe_sparse(void)
{
	struct hydra_machine m;

	/* No DMI, no network, a disk with no serial: all empty, no error. */
	EQ_INT(probe_fixture("sysfs/no-dmi", &m), 0);
	OK(m.uuid == NULL);
	OK(m.serial != NULL);
	EQ_INT(m.n_macs, 0);
	EQ_INT(m.n_disks, 0);
	hydra_machine_clear(&m);

	EQ_INT(hydra_probe("empty-sys", "empty-proc", &m) < 0, 1);
	CONTAINS(t_log, "cannot open 'empty-sys'");
	EQ_INT(hydra_mkdir_p("empty-sys", 0755), 0);
	EQ_INT(hydra_probe("empty-sys", "empty-proc", &m), 0);
	OK(m.uuid == NULL && m.cpu == NULL && m.cpus == 0 && m.memory == 0);
	hydra_machine_clear(&m);
}

static void test_probe_round_trip(void)
{
	struct hydra_node n = { 0 }, back = { 0 };
	char *text = NULL;

	EQ_INT(probe_fixture("sysfs/alpha", &n.id), 0);
	n.name = strdup("alpha");
	EQ_INT(hydra_hwdb_format_node(&n, &text), 0);
	OK(text != NULL);
	if (!text)
		goto out;
	CONTAINS(text, "[identity]\nuuid = 11111111-2222-3333-4444-555555555555\n");
	CONTAINS(text, "macs = 52:54:00:00:00:a1 52:54:00:12:34:56\n");
	CONTAINS(text, "disks = hydra-alpha-0:8589934592 naa.600140512345678:1073741824\n");
	CONTAINS(text, "[config]\nhostname = alpha\n");
	EQ_INT(hydra_hwdb_parse_node("alpha.conf", text, strlen(text), &back), 0);
	EQ_STR(back.id.uuid, n.id.uuid);
	EQ_STR(back.id.product, n.id.product);
	EQ_INT(back.id.n_macs, 2);
	EQ_INT(back.id.n_disks, 2);
	EQ_INT(back.id.disks[0].size, n.id.disks[0].size);
	EQ_INT(back.id.memory, n.id.memory);
	EQ_INT(back.id.cpus, 2);
	EQ_STR(back.id.cpu, n.id.cpu);
out:
	free(text);
	hydra_node_clear(&n);
	hydra_node_clear(&back);
}

int main(void)
{
	RUN(test_probe_alpha);
	RUN(test_probe_serial_with_spaces);
	RUN(test_probe_sparse);
	RUN(test_probe_round_trip);
	TESTS_END();
}
