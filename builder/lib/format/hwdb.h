/*
 * hardware-db node profiles: hardware-db/nodes/NAME.conf, parsed with the
 * recipe INI dialect. Pure: nothing here reads /sys (see probe.h).
 *
 *   [identity] uuid serial vendor product board
 *              macs  = xx:xx:xx:xx:xx:xx ...   (lower-cased, validated)
 *              disks = SERIAL-OR-WWN:SIZE ...
 *              cpu cpus memory
 *   [config]   hostname overlays
 *              network = dhcp | static   (static: address, gateway, dns applied at boot)
 *              address = IP[/PREFIX]     (IPv4 or IPv6: where its neighbours reach it)
 *              gateway = IP   dns = IP ...
 *              neighbours = NODE ...     (absent: every other node; empty: none)
 *              backup = hourly           (when the backup timer fires: systemd's OnCalendar=)
 *
 * The file name gives the node name, [a-z0-9][a-z0-9-]*.
 */
#ifndef HYDRA_HWDB_H
#define HYDRA_HWDB_H

#include <stddef.h>
#include <stdint.h>

#define HYDRA_HWDB_MAX_MACS 16
#define HYDRA_HWDB_MAX_DISKS 16

struct hydra_disk_id {
	char *id;		/* serial or WWN */
	uint64_t size;		/* bytes */
};

/* What a machine is, as probed or as a profile's [identity] says. */
struct hydra_machine {
	char *uuid, *serial, *vendor, *product, *board, *cpu;
	unsigned cpus;
	uint64_t memory;	/* bytes */
	char *macs[HYDRA_HWDB_MAX_MACS];
	size_t n_macs;
	struct hydra_disk_id disks[HYDRA_HWDB_MAX_DISKS];
	size_t n_disks;
};

struct hydra_node {
	char *name;
	char *file;
	struct hydra_machine id;
	char *hostname, *overlays, *network;
	char *address;             /* IP[/PREFIX], as written */
	char *gateway, *dns;       /* network = static only; dns space-separated */
	char **neighbours;         /* NULL-terminated; NULL when the key is absent */
	char *backup;              /* OnCalendar= of the backup timer, or NULL */
	/* where the keys checked against other profiles were, for FILE:LINE errors */
	unsigned network_line, neighbours_line;
};

struct hydra_hwdb {
	struct hydra_node *nodes;	/* sorted by name */
	size_t n_nodes;
	size_t n_skipped;		/* profiles left out, each logged */
};

/* Parse one profile buffer; errors are logged as FILE:LINE. */
int hydra_hwdb_parse_node(const char *file, const char *buf, size_t len,
			  struct hydra_node *out);
/*
 * Load every DIR/nodes/NAME.conf (DIR itself when it has no nodes folder).
 * A profile that cannot be read (not a regular file, over
 * HYDRA_HWDB_PROFILE_MAX) or is malformed is logged (FILE:LINE) and left
 * out; the others load. Neighbours naming an unknown node fail the load.
 */
#define HYDRA_HWDB_PROFILE_MAX (64 << 10)
int hydra_hwdb_load(const char *dir, struct hydra_hwdb **out);
void hydra_hwdb_free(struct hydra_hwdb *db);
void hydra_machine_clear(struct hydra_machine *m);
void hydra_node_clear(struct hydra_node *n);

/*
 * 1 when NAME is a node name: [a-z0-9][a-z0-9-]*, at most HYDRA_NODE_NAME_MAX
 * bytes. Every way a name comes in (profile file names, hydra.node=,
 * clone --as, hw probe --name, snapshot headers) is checked with this.
 */
#define HYDRA_NODE_NAME_MAX 63
int hydra_node_name_valid(const char *name);

/* 1 when UUID is set and not all-zero / all-FF. */
int hydra_uuid_is_set(const char *uuid);
/* Lower-case and validate xx:xx:xx:xx:xx:xx into out[18]; 0 or -EINVAL. */
int hydra_mac_normalize(const char *in, char out[18]);

/*
 * UUID (case-insensitive, unset UUIDs ignored) wins, else any MAC in
 * common. reason gets "dmi uuid U" or "mac M". Ties: first by name, with a
 * warning logged. Returns 0 found, 1 none (*node NULL), <0 error.
 */
int hydra_hwdb_match(const struct hydra_hwdb *db, const struct hydra_machine *m,
		     const struct hydra_node **node, char *reason, size_t len);

/* The node called NAME, or NULL. */
const struct hydra_node *hydra_hwdb_find(const struct hydra_hwdb *db, const char *name);
/*
 * NODE's neighbours: its neighbours list, else every other node of DB, in
 * the order given (the db's, by name). *OUT is malloc'd (free it, not the
 * nodes); -ENOENT, logged, for a name DB does not know.
 */
int hydra_hwdb_neighbours(const struct hydra_hwdb *db, const struct hydra_node *node,
			  const struct hydra_node ***out, size_t *n);
/*
 * An IPv4 or IPv6 address, with "/PREFIX" when PREFIX_OK; 0 or -EINVAL.
 * HOST (when not NULL) gets the address without its prefix.
 */
int hydra_addr_parse(const char *text, int prefix_ok, char *host, size_t len);

/* Write a profile in exactly the format hydra_hwdb_parse_node reads. */
int hydra_hwdb_format_node(const struct hydra_node *n, char **out);

#endif
