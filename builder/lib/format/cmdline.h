/* The kernel command line as hydra-init reads it (its first step: what the medium and node are). */
#ifndef HYDRA_CMDLINE_H
#define HYDRA_CMDLINE_H

/* hydra.wait= longer than this is a typo, not a slow disk. */
#define HYDRA_CMDLINE_WAIT_MAX 3600

/* hydra.netif=MAC,IP,NETMASK,[GATEWAY]: the interface iPXE booted from and its IPv4 settings. */
struct hydra_cmdline_netif {
	int set;
	char mac[18];      /* lower case, colons */
	char ip[16];
	char netmask[16];  /* contiguous, /1 to /32 */
	char gateway[16];  /* "" for none */
};

struct hydra_cmdline {
	char *id;          /* hydra.id=: the image to boot */
	char *node;        /* hydra.node=: pinned node name */
	char *init;        /* init=: what to run as PID 1 of the new root */
	char *brk;         /* hydra.break=STAGE: a shell before that stage */
	unsigned wait;     /* hydra.wait=SECONDS: how long to look for the medium (30) */
	int toram;         /* hydra.toram: copy system.sqfs to RAM */
	int verify;        /* hydra.verify: hash system.sqfs before use */
	int debug;         /* hydra.debug */
	int data_off;      /* hydra.data=off: leave the data partition locked */
	char *persist;     /* hydra.persist=/home,/srv: paths kept on the data partition */
	/* hydra.netboot=http://IPV4[:PORT]/DIR/: the payload is fetched from there into RAM */
	char *netboot;
	struct hydra_cmdline_netif netif;
	/* Why a netboot word was refused ("hydra.netif='...': ..."), or NULL: such a boot stops. */
	char *netboot_error;
	/*
	 * Every word but those naming this medium and node (hydra.id=,
	 * hydra.node=), this boot's source (hydra.netboot=, hydra.netif=) and
	 * those the boot loader adds (BOOT_IMAGE=, initrd=):
	 * what the MANIFEST's cmdline must equal, word for word.
	 */
	char *built;
};

/* Pure: parse the text of /proc/cmdline; unknown words are left to others. */
int hydra_cmdline_parse(const char *text, struct hydra_cmdline *c);
void hydra_cmdline_release(struct hydra_cmdline *c);
/* 1 when the booted command line BOOTED carries exactly the MANIFEST's MANIFEST_CMDLINE. */
int hydra_cmdline_as_built(const struct hydra_cmdline *booted, const char *manifest_cmdline);

#endif
