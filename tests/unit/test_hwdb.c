#include "harness.h"

#include "format/hwdb.h"
#include "format/nodeconf.h"
#include "node/probe.h"

static int parse_file(const char *name, struct hydra_node *n)
{
	char *buf = NULL;
	size_t len;
	int r = hydra_read_file(fixture(name), &buf, &len);

	if (r == 0)
		r = hydra_hwdb_parse_node(fixture(name), buf, len, n);
	free(buf);
	return r;
}

/* The same for a file of the test's own folder. */
static int parse_file_at(const char *path, struct hydra_node *n)
{
	char *buf = NULL;
	size_t len;
	int r = hydra_read_file(path, &buf, &len);

	if (r == 0)
		r = hydra_hwdb_parse_node(path, buf, len, n);
	free(buf);
	return r;
}

static void test_parse_every_key(void)
{
	struct hydra_node n = { 0 };

	EQ_INT(parse_file("nodes/good/gamma.conf", &n), 0);
	EQ_STR(n.name, "gamma");
	EQ_STR(n.id.uuid, "33333333-2222-3333-4444-555555555555");
	EQ_STR(n.id.serial, "SN-GAMMA");
	EQ_STR(n.id.vendor, "Example Inc.");
	EQ_STR(n.id.product, "Box 9000");
	EQ_STR(n.id.board, "X99");
	EQ_INT(n.id.n_macs, 2);
	EQ_STR(n.id.macs[0], "52:54:00:00:00:c3");
	EQ_STR(n.id.macs[1], "52:54:00:00:00:c4");
	EQ_INT(n.id.n_disks, 2);
	EQ_STR(n.id.disks[0].id, "WD-123");
	EQ_INT(n.id.disks[0].size, 500ULL << 30);
	EQ_STR(n.id.disks[1].id, "naa.600140512345678");
	EQ_INT(n.id.disks[1].size, 1073741824);
	EQ_STR(n.id.cpu, "QEMU Virtual CPU version 2.5+");
	EQ_INT(n.id.cpus, 4);
	EQ_INT(n.id.memory, 4ULL << 30);
	EQ_STR(n.hostname, "gamma-host");
	EQ_STR(n.overlays, "gamma common-extra");
	EQ_STR(n.network, "static");
	EQ_STR(n.address, "10.77.0.3/24");
	EQ_STR(n.gateway, "10.77.0.254");
	EQ_STR(n.dns, "10.77.0.254 fd00::53");
	OK(n.neighbours && n.neighbours[0] && !n.neighbours[1]);
	if (n.neighbours)
		EQ_STR(n.neighbours[0], "alpha");
	EQ_STR(n.backup, "daily");
	hydra_node_clear(&n);
}

static void expect_error(const char *file, const char *where, const char *what)
{
	struct hydra_node n = { 0 };

	t_log[0] = '\0';
	OK(parse_file(file, &n) < 0);
	CONTAINS(t_log, where);
	CONTAINS(t_log, what);
	OK(n.name == NULL);
}

static void test_malformed(void)
{
	expect_error("nodes/bad/unknown-key.conf", "unknown-key.conf:3: ", "colour");
	expect_error("nodes/bad/duplicate-key.conf", "duplicate-key.conf:6: ", "hostname");
	expect_error("nodes/bad/bad-mac.conf", "bad-mac.conf:3: ", "52:54:00:00:0g:02");
	expect_error("nodes/bad/overlong-line.conf", "overlong-line.conf:4: ", "");
	expect_error("nodes/bad/unknown-section.conf", "unknown-section.conf:4: ", "network");
	expect_error("nodes/bad/bad-disk.conf", "bad-disk.conf:2: ", "WD-123");
	expect_error("nodes/bad/Bad_Name.conf", "Bad_Name.conf", "node name");
	expect_error("nodes/bad/overlay-outside.conf", "overlay-outside.conf:3: ", "../../etc");
	expect_error("nodes/bad/bad-address.conf", "bad-address.conf:3: ", "10.0.0.300/24");
	expect_error("nodes/bad/bad-prefix.conf", "bad-prefix.conf:2: ", "fd00::1/129");
	expect_error("nodes/bad/bad-network.conf", "bad-network.conf:3: ", "want dhcp or static");
	expect_error("nodes/bad/static-no-address.conf", "static-no-address.conf:5: ",
		     "static needs an address");
	expect_error("nodes/bad/gateway-dhcp.conf", "gateway-dhcp.conf:4: ", "needs network = static");
	expect_error("nodes/bad/bad-dns.conf", "bad-dns.conf:4: ", "example.org");
	expect_error("nodes/bad/self-neighbour.conf", "self-neighbour.conf:2: ", "own neighbour");
	expect_error("nodes/bad/twice-neighbour.conf", "twice-neighbour.conf:2: ", "'alpha' given twice");
	expect_error("nodes/bad/bad-backup.conf", "bad-backup.conf:2: ", "calendar");
}

static void test_addresses(void)
{
	char host[64];

	EQ_INT(hydra_addr_parse("10.77.0.1/24", 1, host, sizeof(host)), 0);
	EQ_STR(host, "10.77.0.1");
	EQ_INT(hydra_addr_parse("fd00::1/64", 1, host, sizeof(host)), 0);
	EQ_STR(host, "fd00::1");
	EQ_INT(hydra_addr_parse("10.77.0.1", 0, host, sizeof(host)), 0);
	EQ_INT(hydra_addr_parse("::1", 1, NULL, 0), 0);
	EQ_INT(hydra_addr_parse("10.0.0.1/32", 1, NULL, 0), 0);
	EQ_INT(hydra_addr_parse("fd00::1/128", 1, NULL, 0), 0);
	OK(hydra_addr_parse("10.77.0.1/24", 0, NULL, 0) < 0);
	OK(hydra_addr_parse("10.0.0.1/33", 1, NULL, 0) < 0);
	OK(hydra_addr_parse("10.0.0.1/024", 1, NULL, 0) < 0);
	OK(hydra_addr_parse("10.0.0.1/", 1, NULL, 0) < 0);
	OK(hydra_addr_parse("10.0.0.1/-1", 1, NULL, 0) < 0);
	OK(hydra_addr_parse("10.0.0", 1, NULL, 0) < 0);
	OK(hydra_addr_parse("alpha.example", 1, NULL, 0) < 0);
	OK(hydra_addr_parse("", 1, NULL, 0) < 0);
	OK(hydra_addr_parse("fd00::1", 1, host, 4) < 0);
}

static void test_neighbours(void)
{
	struct hydra_hwdb *db = NULL;
	const struct hydra_node **list = NULL;
	size_t n = 0;

	EQ_INT(hydra_hwdb_load(fixture("nodes/good"), &db), 0);
	if (!db)
		return;
	/* No neighbours key: every other node, by name. */
	EQ_INT(hydra_hwdb_neighbours(db, hydra_hwdb_find(db, "beta"), &list, &n), 0);
	EQ_INT(n, 2);
	if (n == 2) {
		EQ_STR(list[0]->name, "alpha");
		EQ_STR(list[1]->name, "gamma");
	}
	free(list);
	EQ_INT(hydra_hwdb_neighbours(db, hydra_hwdb_find(db, "gamma"), &list, &n), 0);
	EQ_INT(n, 1);
	if (n == 1)
		EQ_STR(list[0]->name, "alpha");
	free(list);
	OK(hydra_hwdb_find(db, "delta") == NULL);
	hydra_hwdb_free(db);

	/* A neighbour without a profile leaves out the profile that names it, at its line. */
	t_log[0] = '\0';
	EQ_INT(hydra_hwdb_load(fixture("nodes/unknown-neighbour"), &db), 0);
	OK(db && db->n_nodes == 1 && !strcmp(db->nodes[0].name, "beta") && db->n_skipped == 2);
	CONTAINS(t_log, "alpha.conf:3: unknown neighbour 'delta'");
	/* gamma names alpha, left out above: gamma goes too. */
	CONTAINS(t_log, "gamma.conf:2: unknown neighbour 'alpha'");
	hydra_hwdb_free(db);
}

static void test_empty_neighbours_round_trip(void)
{
	static const char text[] = "[config]\nneighbours =\n";
	struct hydra_node n = { 0 }, back = { 0 };
	char *out = NULL;

	EQ_INT(hydra_hwdb_parse_node("lone.conf", text, strlen(text), &n), 0);
	OK(n.neighbours && !n.neighbours[0]);
	EQ_INT(hydra_hwdb_format_node(&n, &out), 0);
	CONTAINS(out, "neighbours =\n");
	EQ_INT(hydra_hwdb_parse_node("lone.conf", out, strlen(out), &back), 0);
	OK(back.neighbours && !back.neighbours[0]);
	free(out);
	hydra_node_clear(&n);
	hydra_node_clear(&back);
}

static void test_mac_and_uuid_rules(void)
{
	char mac[18];

	EQ_INT(hydra_mac_normalize("52:54:00:AB:cd:0F", mac), 0);
	EQ_STR(mac, "52:54:00:ab:cd:0f");
	OK(hydra_mac_normalize("52:54:00:ab:cd", mac) < 0);
	OK(hydra_mac_normalize("52-54-00-ab-cd-0f", mac) < 0);
	OK(hydra_mac_normalize("52:54:00:ab:cd:0f:", mac) < 0);
	OK(!hydra_uuid_is_set(NULL));
	OK(!hydra_uuid_is_set(""));
	OK(!hydra_uuid_is_set("00000000-0000-0000-0000-000000000000"));
	OK(!hydra_uuid_is_set("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"));
	OK(hydra_uuid_is_set("11111111-2222-3333-4444-555555555555"));
}

static void test_node_names(void)
{
	static const char *const good[] = { "alpha", "0", "beta-2", "a-", NULL };
	static const char *const bad[] = {
		"", "-a", "Alpha", "a_b", "a/b", "..", "a b", "x\n  APPEND init=/bin/sh",
		"\xc3\xa9", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL,
	};

	for (size_t i = 0; good[i]; i++)
		OK(hydra_node_name_valid(good[i]));
	for (size_t i = 0; bad[i]; i++)
		OK(!hydra_node_name_valid(bad[i]));
}

static void test_load_sorted(void)
{
	struct hydra_hwdb *db = NULL;

	EQ_INT(hydra_hwdb_load(fixture("nodes/good"), &db), 0);
	OK(db != NULL);
	if (!db)
		return;
	EQ_INT(db->n_nodes, 3);
	EQ_STR(db->nodes[0].name, "alpha");
	EQ_STR(db->nodes[1].name, "beta");
	EQ_STR(db->nodes[2].name, "gamma");
	hydra_hwdb_free(db);

	/* A hardware-db folder holds its profiles under nodes/. */
	EQ_INT(hydra_hwdb_load(HYDRA_SRCDIR "/hardware-db", &db), 0);
	if (db) {
		EQ_INT(db->n_nodes, 2);
		EQ_STR(db->nodes[0].name, "alpha");
		EQ_STR(db->nodes[0].hostname, "alpha");
		EQ_STR(db->nodes[0].overlays, "alpha");
		EQ_STR(db->nodes[1].id.macs[0], "52:54:00:00:00:b2");
		hydra_hwdb_free(db);
	}
	/* Every profile there is bad: each is named and left out, and none loads. */
	EQ_INT(hydra_hwdb_load(fixture("nodes/bad"), &db), 0);
	OK(db && db->n_nodes == 0);
	CONTAINS(t_log, "skipping");
	hydra_hwdb_free(db);
	db = NULL;
	OK(hydra_hwdb_load("does-not-exist", &db) < 0);
	CONTAINS(t_log, "cannot open");
}

static void match_fixture(const char *machine, const char *dbdir, int want_r,
			  const char *want_node, const char *want_reason)
{
	struct hydra_hwdb *db = NULL;
	struct hydra_machine m = { 0 };
	const struct hydra_node *node = (const struct hydra_node *)1;
	char sys[4200], proc[4200], reason[128];

	snprintf(sys, sizeof(sys), "%s/sys", fixture(machine));
	snprintf(proc, sizeof(proc), "%s/proc", fixture(machine));
	EQ_INT(hydra_hwdb_load(fixture(dbdir), &db), 0);
	EQ_INT(hydra_probe(sys, proc, &m), 0);
	EQ_INT(hydra_hwdb_match(db, &m, &node, reason, sizeof(reason)), want_r);
	if (want_node) {
		OK(node != NULL);
		if (node)
			EQ_STR(node->name, want_node);
		EQ_STR(reason, want_reason);
	} else {
		OK(node == NULL);
		EQ_STR(reason, "");
	}
	hydra_machine_clear(&m);
	hydra_hwdb_free(db);
}

static void test_match_uuid(void)
{
	/* The probe reads the UUID upper-case; the profile has it lower-case. */
	match_fixture("sysfs/alpha", "nodes/good", 0, "alpha",
		      "dmi uuid 11111111-2222-3333-4444-555555555555");
}

static void test_match_mac_when_uuid_differs(void)
{
	match_fixture("sysfs/mac-only", "nodes/good", 0, "beta", "mac 52:54:00:00:00:b2");
}

static void test_match_unset_uuid_falls_to_mac(void)
{
	match_fixture("sysfs/unset-uuid", "nodes/good", 0, "alpha", "mac 52:54:00:00:00:a1");
}

static void test_match_none(void)
{
	match_fixture("sysfs/stranger", "nodes/good", 1, NULL, NULL);
	match_fixture("sysfs/no-dmi", "nodes/good", 1, NULL, NULL);
}

static void test_match_tie_first_by_name(void)
{
	struct hydra_hwdb *db = NULL;
	struct hydra_machine m = { 0 };
	const struct hydra_node *node = NULL;
	char reason[128];

	EQ_INT(hydra_hwdb_load(fixture("nodes/tie"), &db), 0);
	m.macs[0] = strdup("52:54:00:00:00:77");
	m.n_macs = 1;
	EQ_INT(hydra_hwdb_match(db, &m, &node, reason, sizeof(reason)), 0);
	OK(node != NULL);
	if (node)
		EQ_STR(node->name, "a-first");
	EQ_STR(reason, "mac 52:54:00:00:00:77");
	CONTAINS(t_log, "both match");
	CONTAINS(t_log, "b-second");
	hydra_machine_clear(&m);
	hydra_hwdb_free(db);
}

static void test_match_empty_db(void)
{
	struct hydra_hwdb db = { 0 };
	struct hydra_machine m = { 0 };
	const struct hydra_node *node = NULL;
	char reason[16];

	m.uuid = strdup("11111111-2222-3333-4444-555555555555");
	EQ_INT(hydra_hwdb_match(&db, &m, &node, reason, sizeof(reason)), 1);
	OK(hydra_hwdb_match(NULL, &m, &node, reason, sizeof(reason)) < 0);
	hydra_machine_clear(&m);
}

static void test_format_round_trip(void)
{
	struct hydra_node n = { 0 }, back = { 0 };
	char *text = NULL;

	EQ_INT(parse_file("nodes/good/gamma.conf", &n), 0);
	EQ_INT(hydra_hwdb_format_node(&n, &text), 0);
	OK(text != NULL);
	if (!text)
		goto out;
	EQ_INT(hydra_hwdb_parse_node("gamma.conf", text, strlen(text), &back), 0);
	EQ_STR(back.id.uuid, n.id.uuid);
	EQ_STR(back.id.serial, n.id.serial);
	EQ_STR(back.id.product, n.id.product);
	EQ_INT(back.id.n_macs, 2);
	EQ_STR(back.id.macs[1], "52:54:00:00:00:c4");
	EQ_INT(back.id.n_disks, 2);
	EQ_INT(back.id.disks[0].size, 500ULL << 30);
	EQ_INT(back.id.memory, 4ULL << 30);
	EQ_INT(back.id.cpus, 4);
	EQ_STR(back.hostname, "gamma-host");
	EQ_STR(back.overlays, "gamma common-extra");
	EQ_STR(back.network, "static");
	EQ_STR(back.address, "10.77.0.3/24");
	EQ_STR(back.gateway, "10.77.0.254");
	EQ_STR(back.dns, "10.77.0.254 fd00::53");
	OK(back.neighbours && back.neighbours[0] && !strcmp(back.neighbours[0], "alpha"));
	EQ_STR(back.backup, "daily");
out:
	free(text);
	hydra_node_clear(&n);
	hydra_node_clear(&back);
}

static void test_nodeconf(void)
{
	static const char dhcp[] = "[config]\nnetwork = dhcp\naddress = 10.0.0.9\n";
	static const char bare[] = "[config]\nnetwork = static\naddress = fd00::9/64\n";
	struct hydra_node n = { 0 };
	char *text = NULL;

	EQ_INT(parse_file("nodes/good/gamma.conf", &n), 0);
	EQ_INT(hydra_nodeconf_network(&n, &text), 0);
	EQ_STR(text, "# node gamma: network = static in its hardware-db profile (written by hydra-init)\n"
	       "[Match]\nMACAddress=52:54:00:00:00:c3 52:54:00:00:00:c4\n\n"
	       "[Network]\nAddress=10.77.0.3/24\nGateway=10.77.0.254\nDNS=10.77.0.254 fd00::53\n");
	free(text);
	EQ_INT(hydra_nodeconf_timer(&n, &text), 0);
	CONTAINS(text, "[Timer]\nOnCalendar=\nOnCalendar=daily\n");
	free(text);
	hydra_node_clear(&n);

	/* DHCP is the image's: no file, and no schedule without the key. */
	EQ_INT(hydra_hwdb_parse_node("d.conf", dhcp, strlen(dhcp), &n), 0);
	EQ_INT(hydra_nodeconf_network(&n, &text), 1);
	OK(text == NULL);
	EQ_INT(hydra_nodeconf_timer(&n, &text), 1);
	hydra_node_clear(&n);
	/* Without MACs, every wired interface. */
	EQ_INT(hydra_hwdb_parse_node("s.conf", bare, strlen(bare), &n), 0);
	EQ_INT(hydra_nodeconf_network(&n, &text), 0);
	CONTAINS(text, "[Match]\nName=en* eth*\n\n[Network]\nAddress=fd00::9/64\n");
	OK(!strstr(text, "Gateway"));
	free(text);
	hydra_node_clear(&n);
}

/* One bad profile, a FIFO and a link to /dev/zero among good ones: the good one loads, fast. */
static void test_bad_profiles_left_out(void)
{
	struct hydra_hwdb *db = NULL;
	struct hydra_node n = { 0 };

	OK(t_write("db/nodes/alpha.conf", "[config]\nhostname = alpha\n") == 0);
	OK(t_write("db/nodes/broken.conf", "[config]\ncolour = blue\n") == 0);
	EQ_INT(sh("mkfifo db/nodes/fifo.conf && ln -s /dev/zero db/nodes/zero.conf"), 0);
	t_log[0] = '\0';
	EQ_INT(hydra_hwdb_load("db", &db), 0);
	OK(db && db->n_nodes == 1 && !strcmp(db->nodes[0].name, "alpha"));
	OK(db && db->n_skipped == 3);
	CONTAINS(t_log, "broken.conf:2: unknown key 'colour'");
	CONTAINS(t_log, "skipping 'db/nodes/fifo.conf': not a regular file");
	CONTAINS(t_log, "skipping 'db/nodes/zero.conf': not a regular file");
	hydra_hwdb_free(db);
	/* A hostname is printed and set: escape codes, '/' and spaces are refused. */
	OK(t_write("evil.conf", "[config]\nhostname = a\x1b[2Jb\n") == 0);
	OK(parse_file_at("evil.conf", &n) < 0);
	CONTAINS(t_log, "evil.conf:2: bad hostname");
	OK(t_write("slash.conf", "[config]\nhostname = a/b\n") == 0);
	OK(parse_file_at("slash.conf", &n) < 0);
	OK(t_write("fine.conf", "[config]\nhostname = node-1.example.org\n") == 0);
	EQ_INT(parse_file_at("fine.conf", &n), 0);
	hydra_node_clear(&n);
}

int main(void)
{
	RUN(test_parse_every_key);
	RUN(test_malformed);
	RUN(test_mac_and_uuid_rules);
	RUN(test_node_names);
	RUN(test_addresses);
	RUN(test_neighbours);
	RUN(test_empty_neighbours_round_trip);
	RUN(test_nodeconf);
	RUN(test_load_sorted);
	RUN(test_match_uuid);
	RUN(test_match_mac_when_uuid_differs);
	RUN(test_match_unset_uuid_falls_to_mac);
	RUN(test_match_none);
	RUN(test_match_tie_first_by_name);
	RUN(test_match_empty_db);
	RUN(test_format_round_trip);
	RUN(test_bad_profiles_left_out);
	TESTS_END();
}
