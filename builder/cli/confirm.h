/* Typed confirmation before a destructive write (DESIGN.md safety rule 4). */
#ifndef HYDRA_CLI_CONFIRM_H
#define HYDRA_CLI_CONFIRM_H

/*
 * Ask the user to type DEVICE; 0 when they did, -ECANCELED when they typed
 * anything else, -EPERM when there is no terminal to ask (use --yes).
 */
int cli_confirm_device(const char *device);

#endif
