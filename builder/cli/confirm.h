/* Typed confirmation before a destructive write (the README's safety rules: typed unless --yes). */
#ifndef HYDRA_CLI_CONFIRM_H
#define HYDRA_CLI_CONFIRM_H

/*
 * Ask the user to type DEVICE; 0 when they did, -ECANCELED when they typed
 * anything else, -EPERM when there is no terminal to ask (use --yes).
 */
int cli_confirm_device(const char *device);

#endif
