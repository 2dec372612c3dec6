/* Typed confirmation: the user writes the device name, as a check they mean it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/hydra.h"
#include "confirm.h"

int cli_confirm_device(const char *device)
{
	char line[256];

	if (!isatty(STDIN_FILENO)) {
		hydra_err("refusing to write '%s' without confirmation: no terminal to ask; "
			  "give --yes to confirm on the command line", device);
		return -EPERM;
	}
	fprintf(stderr, "Everything on %s will be lost. Type its name (%s) to go on: ",
		device, device);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin)) {
		fputc('\n', stderr);
		hydra_err("no name typed: nothing was written to '%s'", device);
		return -ECANCELED;
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, device)) {
		hydra_err("'%s' is not '%s': nothing was written", line, device);
		return -ECANCELED;
	}
	return 0;
}
