/*
 * The data layer at boot: partition 2 of the medium's disk, unlocked with a
 * passphrase typed on the console, mounted in the new root with the
 * persisted paths bound from it. A medium without one costs a stat.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init.h"
#include "node/askpass.h"
#include "node/crypt.h"
#include "node/volume.h"

#define TRIES 3

static int ask_and_open(const char *part)
{
	char prompt[PATH_MAX + 64];
	int r = -EACCES;

	snprintf(prompt, sizeof(prompt), "hydra-init: passphrase for the data partition %s: ",
		 part);
	for (int i = 0; r == -EACCES && i < TRIES; i++) {
		char *pass = NULL;
		size_t len = 0;

		r = hydra_askpass(STDIN_FILENO, prompt, &pass, &len);
		if (!r)
			r = hydra_data_open(part, HYDRA_DATA_NAME, pass, len);
		hydra_key_free(pass, len);
	}
	return r;
}

int unlock_data(struct boot *b)
{
	char disk[PATH_MAX], part[PATH_MAX];
	char **persist = NULL;
	enum hydra_data_state state = HYDRA_DATA_READY;
	int r;

	if (hydra_data_disk_of(b->medium_dev, disk, sizeof(disk)) ||
	    hydra_data_partition(disk, 0, part, sizeof(part)) || access(part, F_OK) < 0)
		return 0;
	if (hydra_data_probe(part, &state) != 0)
		return 0;
	if (b->cmd.data_off) {
		say("hydra.data=off: leaving the data partition %s locked", part);
		snprintf(b->data, sizeof(b->data), "locked");
		return 0;
	}
	if (state == HYDRA_DATA_NO_FS) {
		say("the data partition %s has no filesystem yet: 'hydra data unlock' makes it", part);
		return 0;
	}
	/* Half a copy is not this node's data: it stays locked until a clone makes it whole. */
	if (state == HYDRA_DATA_INCOMPLETE) {
		say("the data partition %s is incomplete: the copy into it was cut short; it stays "
		    "locked (clone onto this disk again, or 'hydra data init --force' for an empty "
		    "one)", part);
		snprintf(b->data, sizeof(b->data), "incomplete");
		return 0;
	}
	r = hydra_data_persist_list(b->cmd.persist, &persist);
	if (!r)
		r = ask_and_open(part);
	if (!r) {
		r = hydra_data_mount(HYDRA_DATA_NAME, NEWROOT, persist);
		if (r)
			hydra_data_close(HYDRA_DATA_NAME);
		else
			say("data partition %s mounted on %s", part, HYDRA_DATA_DIR);
	}
	if (r)
		say("the data partition %s stays locked: booting without it", part);
	hydra_strv_free(persist, HYDRA_STRV_ALL);
	snprintf(b->data, sizeof(b->data), "%s", r ? "locked" : "mounted");
	return 0;
}
