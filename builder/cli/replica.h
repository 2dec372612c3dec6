/* hydra data backup, replicas and restore --from: this node's replicas (fleet/replica.h). */
#ifndef HYDRA_CLI_REPLICA_H
#define HYDRA_CLI_REPLICA_H

#include <stddef.h>

#include "progress.h"

#define CLI_REPLICA_MAX_TO 32

struct cli_replica_args {
	const char *to[CLI_REPLICA_MAX_TO];  /* backup --to NODE..., restore --to DIR */
	size_t n_to;
	const char *node;                    /* replicas --node NODE */
	const char *accept, *key;            /* replicas --accept NODE --key FILE */
	int check, users;                    /* replicas --check, --users */
	const char *from, *snapshot;         /* restore --from NODE --snapshot ID */
	const char *key_file;                /* restore: the recovery key from a file */
	enum cli_progress_mode mode;
};

/* Each returns the exit code of the command. */
int cli_data_backup(const struct cli_replica_args *a);
int cli_data_replicas(const struct cli_replica_args *a);
int cli_data_restore_replica(const struct cli_replica_args *a);

#endif
