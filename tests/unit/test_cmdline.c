/* The kernel command line as hydra-init reads it. */
#include "format/cmdline.h"
#include "harness.h"

static void test_defaults(void)
{
	struct hydra_cmdline c;

	EQ_INT(hydra_cmdline_parse("console=ttyS0 quiet\n", &c), 0);
	OK(c.id == NULL);
	OK(c.node == NULL);
	EQ_STR(c.init, "/sbin/init");
	EQ_INT(c.wait, 30);
	EQ_INT(c.toram, 0);
	hydra_cmdline_release(&c);
}

static void test_all_keys(void)
{
	struct hydra_cmdline c;

	EQ_INT(hydra_cmdline_parse("BOOT_IMAGE=/boot/vmlinuz hydra.id=0123456789abcdef "
				   "hydra.node=alpha hydra.toram hydra.verify=1 hydra.wait=5 "
				   "hydra.debug=0 hydra.break=init init=/bin/sh "
				   "acpi=\"a b\"\n", &c), 0);
	EQ_STR(c.id, "0123456789abcdef");
	EQ_STR(c.node, "alpha");
	EQ_STR(c.init, "/bin/sh");
	EQ_STR(c.brk, "init");
	EQ_INT(c.wait, 5);
	EQ_INT(c.toram, 1);
	EQ_INT(c.verify, 1);
	EQ_INT(c.debug, 0);
	hydra_cmdline_release(&c);
}

static void test_quotes_and_last_wins(void)
{
	struct hydra_cmdline c;

	EQ_INT(hydra_cmdline_parse("init=\"/usr/bin/my init\" hydra.node=a hydra.node=b "
				   "hydra.break", &c), 0);
	EQ_STR(c.init, "/usr/bin/my init");
	EQ_STR(c.node, "b");
	EQ_STR(c.brk, "mount");
	hydra_cmdline_release(&c);
}

static void test_data_keys(void)
{
	struct hydra_cmdline c;

	EQ_INT(hydra_cmdline_parse("hydra.persist=/home,/srv quiet", &c), 0);
	EQ_STR(c.persist, "/home,/srv");
	EQ_INT(c.data_off, 0);
	hydra_cmdline_release(&c);
	EQ_INT(hydra_cmdline_parse("hydra.data=off", &c), 0);
	OK(c.persist == NULL);
	EQ_INT(c.data_off, 1);
	hydra_cmdline_release(&c);
	EQ_INT(hydra_cmdline_parse("hydra.data", &c), 0);
	EQ_INT(c.data_off, 0);
	hydra_cmdline_release(&c);
}

/* What the command line names is checked where it is read: no path in a node, no wrap in a wait. */
static void test_hostile_values(void)
{
	struct hydra_cmdline c;

	EQ_INT(hydra_cmdline_parse("hydra.node=../../etc/x hydra.wait=-1\n", &c), 0);
	OK(c.node == NULL);
	CONTAINS(t_log, "ignoring hydra.node='../../etc/x': not a node name");
	EQ_INT(c.wait, 30);
	CONTAINS(t_log, "ignoring hydra.wait='-1'");
	hydra_cmdline_release(&c);
	EQ_INT(hydra_cmdline_parse("hydra.node=Alpha hydra.wait=99999 hydra.wait=5x\n", &c), 0);
	OK(c.node == NULL);
	EQ_INT(c.wait, 30);
	hydra_cmdline_release(&c);
	EQ_INT(hydra_cmdline_parse("hydra.node=beta-2 hydra.wait=3600\n", &c), 0);
	EQ_STR(c.node, "beta-2");
	EQ_INT(c.wait, 3600);
	hydra_cmdline_release(&c);
}

/* The booted line against the MANIFEST's: what a medium or boot loader adds is not a change. */
static void test_as_built(void)
{
	struct hydra_cmdline c;

	EQ_INT(hydra_cmdline_parse("BOOT_IMAGE=/boot/vmlinuz console=ttyS0 hydra.persist=/home "
				   "hydra.id=0123456789abcdef hydra.node=beta initrd=/boot/initrd.img\n",
				   &c), 0);
	EQ_STR(c.built, "console=ttyS0 hydra.persist=/home");
	OK(hydra_cmdline_as_built(&c, "console=ttyS0 hydra.persist=/home"));
	OK(!hydra_cmdline_as_built(&c, "console=ttyS0"));
	hydra_cmdline_release(&c);
	EQ_INT(hydra_cmdline_parse("console=ttyS0 hydra.id=0123456789abcdef init=/bin/sh\n", &c), 0);
	OK(!hydra_cmdline_as_built(&c, "console=ttyS0"));
	hydra_cmdline_release(&c);
	EQ_INT(hydra_cmdline_parse("hydra.id=0123456789abcdef\n", &c), 0);
	OK(hydra_cmdline_as_built(&c, ""));
	hydra_cmdline_release(&c);
}

#define NETBOOT "hydra.netboot=http://10.213.0.1:8080/ "
#define NETIF "hydra.netif=52:54:00:00:00:B2,10.213.0.60,255.255.255.0,"

static void test_netboot(void)
{
	struct hydra_cmdline c;

	EQ_INT(hydra_cmdline_parse("console=ttyS0 hydra.id=0123456789abcdef hydra.node=beta "
				   NETBOOT NETIF " hydra.netboot.from=alpha hydra.netboot.data=none "
				   "hydra.netboot.force\n", &c), 0);
	OK(c.netboot_error == NULL);
	EQ_STR(c.netboot, "http://10.213.0.1:8080/");
	EQ_INT(c.netif.set, 1);
	EQ_STR(c.netif.mac, "52:54:00:00:00:b2");
	EQ_STR(c.netif.ip, "10.213.0.60");
	EQ_STR(c.netif.netmask, "255.255.255.0");
	EQ_STR(c.netif.gateway, "");
	/* They name this boot, not the image: a netbooted node still runs as built. */
	EQ_STR(c.built, "console=ttyS0");
	OK(hydra_cmdline_as_built(&c, "console=ttyS0"));
	hydra_cmdline_release(&c);
	EQ_INT(hydra_cmdline_parse("hydra.netboot=http://192.168.1.2/hydra/media/ "
				   "hydra.netif=52-54-00-aa-bb-cc,192.168.1.77,255.255.252.0,"
				   "192.168.1.1", &c), 0);
	OK(c.netboot_error == NULL);
	EQ_STR(c.netif.mac, "52:54:00:aa:bb:cc");
	EQ_STR(c.netif.gateway, "192.168.1.1");
	hydra_cmdline_release(&c);
	EQ_INT(hydra_cmdline_parse("quiet", &c), 0);
	OK(c.netboot == NULL && !c.netif.set && c.netboot_error == NULL);
	hydra_cmdline_release(&c);
}

/* Each malformed word stops the boot with the word and the reason. */
static void test_netboot_refused(void)
{
	static const struct {
		const char *line, *why;
	} bad[] = {
		{ "hydra.netboot=https://10.0.0.1/ " NETIF,
		  "hydra.netboot='https://10.0.0.1/': not a URL http://IPV4[:PORT]/PATH/" },
		{ "hydra.netboot=http://neighbour:8080/ " NETIF, "not a URL" },
		{ "hydra.netboot=http://10.0.0.1:8080/medium " NETIF,
		  "the URL must end with '/' (the medium's root)" },
		{ "hydra.netboot=http://10.0.0.1:99999/ " NETIF, "not a URL" },
		{ "hydra.netboot " NETIF, "hydra.netboot='': not a URL" },
		{ NETBOOT, "hydra.netboot='http://10.213.0.1:8080/': no hydra.netif=MAC,IP,NETMASK," },
		{ NETBOOT "hydra.netif=${netX/mac},${netX/ip},${netX/netmask},${netX/gateway}",
		  "the first field is not a MAC address" },
		{ NETBOOT "hydra.netif=52:54:00:00:00:b2,,,", "the second field is not an IPv4 address" },
		{ NETBOOT "hydra.netif=52:54:00:00:00:b2,10.0.0.5", "not MAC,IP,NETMASK,[GATEWAY]" },
		{ NETBOOT "hydra.netif=52:54:00:00:00:b2,10.0.0.5,255.255.255.0,10.0.0.1,x",
		  "not MAC,IP,NETMASK,[GATEWAY]" },
		{ NETBOOT "hydra.netif=52:54:00:00:00:b2,10.0.0.5,255.0.255.0,",
		  "the third field is not a netmask" },
		{ NETBOOT "hydra.netif=52:54:00:00:00:b2,10.0.0.5,0.0.0.0,", "not a netmask" },
		{ NETBOOT "hydra.netif=52:54:00:00:00:b2,10.0.0.255,255.255.255.0,",
		  "the address is its network's or broadcast address" },
		{ NETBOOT "hydra.netif=52:54:00:00:00:b2,10.0.0.5,255.255.255.0,gw",
		  "the fourth field is not an IPv4 address" },
		{ NETBOOT "hydra.netif=52:54:00:00:00:zz,10.0.0.5,255.255.255.0,", "not a MAC" },
	};
	struct hydra_cmdline c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EQ_INT(hydra_cmdline_parse(bad[i].line, &c), 0);
		CONTAINS(c.netboot_error, bad[i].why);
		hydra_cmdline_release(&c);
	}
}

int main(void)
{
	RUN(test_defaults);
	RUN(test_all_keys);
	RUN(test_quotes_and_last_wins);
	RUN(test_data_keys);
	RUN(test_hostile_values);
	RUN(test_as_built);
	RUN(test_netboot);
	RUN(test_netboot_refused);
	TESTS_END();
}
