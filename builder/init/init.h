/* hydra-init: PID 1 of the initramfs, and how it finds, checks and lays the medium. */
#ifndef HYDRA_INIT_H
#define HYDRA_INIT_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "format/cmdline.h"
#include "format/layout.h"
#include "format/manifest.h"
#include "format/signature.h"

#define LOWER_DIR "/run/hydra/lower"
#define RW_DIR "/run/hydra/rw"
#define NEWROOT "/run/hydra/root"

struct boot {
	struct hydra_cmdline cmd;
	char medium_dev[300];         /* /dev/vda1 */
	int netboot;                  /* the medium was fetched from hydra.netboot= into RAM */
	char ifname[IFNAMSIZ];        /* netboot: the interface it came through */
	uint64_t net_bytes;           /* netboot: payload bytes fetched */
	double net_seconds;           /* netboot: from configuring the interface to the last file */
	char signer[HYDRA_KEYID_LEN + 1]; /* netboot: the trusted key that signed the MANIFEST, or "" */
	struct hydra_manifest *manifest;
	char node[64];
	char hostname[64];            /* the node's hostname, empty for generic */
	char node_reason[128];
	char sqfs[256];               /* system.sqfs in use (on the medium or in RAM) */
	char **modules;               /* loaded, by name */
	size_t n_modules;
	int verified;
	int as_built;                 /* the command line is the MANIFEST's (hydra.id/node aside) */
	char data[16];                /* the data partition: "", "locked" or "mounted" */
	/* the node's profile as systemd files (format/nodeconf.h), or NULL */
	char *network_conf, *timer_conf;
};

/* Say something on the console, as "hydra-init: ...". */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* While set, the library's errors are not shown (a failure the caller expects and explains). */
void quiet_errors(int on);
/* The boot cannot go on: WHY, a shell if the initramfs has one, then wait forever. */
void rescue(const char *why) __attribute__((noreturn));

int load_modules(struct boot *b);
int find_medium(struct boot *b);
int netboot_medium(struct boot *b);
int mount_root(struct boot *b);
int choose_node(struct boot *b);
int lay_overlays(struct boot *b);
int unlock_data(struct boot *b);
int write_boot_json(struct boot *b);
int switch_root(struct boot *b) ;

#endif
