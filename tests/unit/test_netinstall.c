/*
 * The netbooted node's side of a regeneration: its orders read from a
 * command line, the disk it picks from a sysfs tree made here, and the
 * replica fetched from busybox httpd on the loopback, checked by name.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "base/util.h"
#include "fleet/netinstall.h"
#include "harness.h"

#define TOKEN "0123456789abcdef0123456789abcdef"
#define ORDERS "console=ttyS0 hydra.id=0123456789abcdef hydra.node=beta " \
	"hydra.netboot=http://10.213.0.1:8080/ hydra.netboot.from=alpha hydra.netboot.token=" TOKEN

static void test_parse(void)
{
	struct hydra_install_req q;

	EQ_INT(hydra_install_parse(ORDERS " hydra.netboot.data=none hydra.netboot.disk=/dev/vdb "
				   "hydra.netboot.force\n", &q), 0);
	EQ_STR(q.url, "http://10.213.0.1:8080/");
	EQ_STR(q.node, "beta");
	EQ_STR(q.holder, "alpha");
	EQ_STR(q.token, TOKEN);
	EQ_STR(q.disk, "/dev/vdb");
	EQ_INT(q.data_replica, 0);
	EQ_INT(q.force, 1);
	EQ_INT(hydra_install_parse(ORDERS, &q), 0);
	EQ_INT(q.data_replica, 1);
	EQ_INT(q.force, 0);
	EQ_STR(q.disk, "");
	/* Not netbooted: nothing to do, and no error. */
	t_log[0] = '\0';
	EQ_INT(hydra_install_parse("console=ttyS0 hydra.node=beta", &q), -ENOENT);
	EQ_STR(t_log, "");
	EQ_INT(hydra_install_parse("hydra.netboot=http://10.213.0.1:8080/ hydra.node=beta "
				   "hydra.netboot.token=" TOKEN, &q), -EINVAL);
	CONTAINS(t_log, "but no hydra.netboot.from=");
	EQ_INT(hydra_install_parse(ORDERS " hydra.netboot.data=all", &q), -EINVAL);
	CONTAINS(t_log, "hydra.netboot.data= takes replica or none, not 'all'");
	EQ_INT(hydra_install_parse(ORDERS " hydra.netboot.disk=/dev/vd$(reboot)", &q), -EINVAL);
	CONTAINS(t_log, "malformed 'hydra.netboot.disk'");
	EQ_INT(hydra_install_parse("hydra.netboot=http://10.213.0.1/ hydra.node=beta "
				   "hydra.netboot.from=alpha hydra.netboot.token=0123", &q), -EINVAL);
	CONTAINS(t_log, "hydra.netboot.token= takes 32 hex digits");
	EQ_INT(hydra_install_parse("hydra.netboot=ftp://10.213.0.1/ hydra.node=beta", &q), -EINVAL);
	CONTAINS(t_log, "hydra.netboot= takes http://");
	EQ_INT(hydra_install_parse(ORDERS " hydra.node=Beta", &q), -EINVAL);
	CONTAINS(t_log, "hydra.node= names no node: 'Beta'");
}

/* A disk under root/sys: its size in sectors and, when SERIAL, its serial. */
static void disk(const char *name, const char *serial)
{
	char path[256];

	snprintf(path, sizeof(path), "root/sys/class/block/%s/size", name);
	EQ_INT(hydra_mkdir_parent(path), 0);
	EQ_INT(t_write(path, "2097152\n"), 0);
	snprintf(path, sizeof(path), "root/sys/block/%s/device/serial", name);
	EQ_INT(hydra_mkdir_parent(path), 0);
	if (serial)
		EQ_INT(t_write(path, serial), 0);
}

static void test_pick_disk(void)
{
	char s2[] = "S2", s9[] = "S9";
	struct hydra_machine profile = { .disks = { { .id = s2 } }, .n_disks = 1 };
	char dev[64];

	disk("vda", "S1\n");
	disk("loop0", NULL);
	EQ_INT(hydra_install_pick_disk("root", NULL, NULL, dev, sizeof(dev)), 0);
	EQ_STR(dev, "/dev/vda");
	disk("vdb", "S2\n");
	t_log[0] = '\0';
	EQ_INT(hydra_install_pick_disk("root", NULL, NULL, dev, sizeof(dev)), -EEXIST);
	CONTAINS(t_log, "more than one disk could be the only disk");
	CONTAINS(t_log, "vda (id S1), vdb (id S2)");
	EQ_INT(hydra_install_pick_disk("root", "/dev/vdb", NULL, dev, sizeof(dev)), 0);
	EQ_STR(dev, "/dev/vdb");
	EQ_INT(hydra_install_pick_disk("root", "S1", &profile, dev, sizeof(dev)), 0);
	EQ_STR(dev, "/dev/vda");
	EQ_INT(hydra_install_pick_disk("root", NULL, &profile, dev, sizeof(dev)), 0);
	EQ_STR(dev, "/dev/vdb");
	profile.disks[0].id = s9;
	EQ_INT(hydra_install_pick_disk("root", NULL, &profile, dev, sizeof(dev)), -ENOENT);
	CONTAINS(t_log, "no disk here is a disk the node's profile records");
	EQ_INT(hydra_install_pick_disk("root", "/dev/loop0", NULL, dev, sizeof(dev)), -ENOENT);
}

/* This machine is beta by its DMI UUID, by its MAC alone, or matches nothing (a replacement). */
static void test_machine_is(void)
{
	struct hydra_hwdb *db = NULL;
	char reason[96];

	EQ_INT(hydra_mkdir_p("db/nodes", 0755), 0);
	EQ_INT(t_write("db/nodes/beta.conf", "[identity]\nuuid = 11111111-2222-3333-4444-666666666666\n"
		       "macs = 52:54:00:00:00:b2\n"), 0);
	EQ_INT(t_write("db/nodes/alpha.conf", "[identity]\nmacs = 52:54:00:00:00:a1\n"), 0);
	EQ_INT(hydra_hwdb_load("db", &db), 0);
	EQ_INT(hydra_mkdir_p("me/sys/class/net/eth0/device", 0755), 0);
	EQ_INT(hydra_mkdir_p("me/sys/class/dmi/id", 0755), 0);
	EQ_INT(t_write("me/sys/class/net/eth0/address", "52:54:00:00:00:b2\n"), 0);
	EQ_INT(hydra_install_machine_is("me", db, "beta", reason, sizeof(reason)), 1);
	EQ_STR(reason, "mac 52:54:00:00:00:b2");
	EQ_INT(t_write("me/sys/class/dmi/id/product_uuid", "11111111-2222-3333-4444-666666666666\n"), 0);
	EQ_INT(hydra_install_machine_is("me", db, "beta", reason, sizeof(reason)), 1);
	EQ_STR(reason, "dmi uuid 11111111-2222-3333-4444-666666666666");
	EQ_INT(hydra_install_machine_is("me", db, "alpha", reason, sizeof(reason)), 0);
	/* A replacement machine: another UUID and MAC, so its disk must pin the node. */
	EQ_INT(t_write("me/sys/class/dmi/id/product_uuid", "99999999-2222-3333-4444-666666666666\n"), 0);
	EQ_INT(t_write("me/sys/class/net/eth0/address", "52:54:00:00:00:99\n"), 0);
	EQ_INT(hydra_install_machine_is("me", db, "beta", reason, sizeof(reason)), 0);
	hydra_hwdb_free(db);
}

static pid_t httpd(unsigned *port)
{
	char cmd[512], conf[4096 + 16];
	pid_t pid;

	/* httpd goes into its root before it reads its configuration. */
	snprintf(conf, sizeof(conf), "%s/srv.conf", getcwd(cmd, sizeof(cmd)) ? cmd : ".");
	*port = 20000 + (unsigned)(getpid() % 20000);
	for (int tries = 0; tries < 10; tries++, (*port)++) {
		snprintf(cmd, sizeof(cmd), "127.0.0.1:%u", *port);
		pid = fork();
		if (pid == 0) {
			execlp("busybox", "busybox", "httpd", "-f", "-p", cmd, "-h", "srv", "-c",
			       conf, (char *)NULL);
			_exit(127);
		}
		usleep(300 * 1000);
		if (waitpid(pid, NULL, WNOHANG) == 0)
			return pid;
	}
	return -1;
}

static void test_fetch_replica(void)
{
	struct hydra_install_req q = { .node = "beta", .holder = "alpha" };
	char name[HYDRA_SHA256_HEX], path[512], list[1024];
	unsigned char sha[HYDRA_SHA256_LEN];
	const char *pack = "restic's encrypted pack";
	unsigned port;
	int status;
	pid_t pid;

	if (sh("command -v busybox"))
		SKIP("busybox missing (Debian: busybox-static)");
	hydra_sha256_buf(pack, strlen(pack), sha);
	hydra_hex(sha, sizeof(sha), name);
	snprintf(path, sizeof(path), "srv/replica/data/%.2s/%s", name, name);
	EQ_INT(hydra_mkdir_parent(path), 0);
	EQ_INT(t_write(path, pack), 0);
	EQ_INT(t_write("srv/replica/config", "config of 26"), 0);
	snprintf(list, sizeof(list), "12 config\n%zu data/%.2s/%s\n", strlen(pack), name, name);
	EQ_INT(t_write("srv/replica.list", list), 0);
	EQ_INT(t_write("srv.conf", ""), 0);
	pid = httpd(&port);
	OK(pid > 0);
	if (pid <= 0)
		return;
	snprintf(q.url, sizeof(q.url), "http://127.0.0.1:%u/", port);
	EQ_INT(hydra_mkdir_p("vol", 0700), 0);
	EQ_INT(hydra_install_fetch_replica(&q, "vol"), 0);
	CONTAINS(t_log, "fetched the replica of beta from alpha: 2 files, ");
	snprintf(path, sizeof(path), "vol/.hydra-restore/alpha/data/%.2s/%s", name, name);
	EQ_STR(sh_output("cat vol/.hydra-restore/alpha/config", &status), "config of 26");
	OK(access(path, R_OK) == 0);
	/* A pack whose contents no longer match its name. */
	snprintf(path, sizeof(path), "srv/replica/data/%.2s/%s", name, name);
	EQ_INT(t_write(path, "restic's encrypted pacK"), 0);
	EQ_INT(hydra_install_fetch_replica(&q, "vol2"), -EBADMSG);
	CONTAINS(t_log, "is damaged (its SHA-256 is");
	/* A listed path that climbs out of the repository. */
	EQ_INT(t_write("srv/replica.list", "12 ../../etc/passwd\n"), 0);
	EQ_INT(hydra_install_fetch_replica(&q, "vol3"), -EBADMSG);
	CONTAINS(t_log, "malformed line '12 ../../etc/passwd'");
	OK(access("vol3/.hydra-restore/alpha/../../etc/passwd", F_OK) != 0);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	RUN(test_parse);
	RUN(test_pick_disk);
	RUN(test_machine_is);
	RUN(test_fetch_replica);
	TESTS_END();
}
