/*
 * The hardware-db as an Ansible inventory: the JSON an inventory script
 * prints for --list (groups, and _meta.hostvars so that Ansible never asks
 * --host), made with json-c.
 */
#ifndef HYDRA_FLEET_INVENTORY_H
#define HYDRA_FLEET_INVENTORY_H

#include "format/hwdb.h"

/* Every node in group all; hostvars: uuid serial macs address disks hostname network neighbours. */
int hydra_inventory_json(const struct hydra_hwdb *db, char **out);
/*
 * An executable inventory script printing that JSON (Ansible runs a file
 * that is executable as a script; a plain JSON file would be read as its
 * YAML inventory, which has another layout). SOURCE names the hardware-db.
 */
int hydra_inventory_script(const struct hydra_hwdb *db, const char *source, char **out);

#endif
