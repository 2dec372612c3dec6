/*
 * The kernel command line (format/cmdline.h): the input is /proc/cmdline as
 * booted, then, after a NUL, the MANIFEST's cmdline (no NUL: the same text
 * for both). A command line always matches itself as built.
 */
#include <stdlib.h>
#include <string.h>

#include "format/cmdline.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

/* Every string the parser hands back, read to its end (ASan checks the bytes). */
static size_t length(const struct hydra_cmdline *c)
{
	const char *const s[] = { c->id, c->node, c->init, c->brk, c->persist, c->built,
				  c->netboot, c->netif.mac, c->netif.ip, c->netif.netmask,
				  c->netif.gateway };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		n += s[i] ? strlen(s[i]) : 0;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *second;
	size_t first_len, second_len;
	int two = fuzz_split(data, size, &first_len, &second, &second_len);
	char *booted = fuzz_str(data, first_len);
	char *built = two ? fuzz_str(second, second_len) : NULL;
	struct hydra_cmdline c;

	if (!booted || (two && !built))
		goto out;
	if (hydra_cmdline_parse(booted, &c))
		goto out;
	/* What the parser keeps is never longer than what it was given, with the default init. */
	if (length(&c) > 2 * first_len + sizeof("/sbin/init") || !c.init ||
	    c.wait > HYDRA_CMDLINE_WAIT_MAX)
		abort();
	/* A refusal is a message, not a copy of the input: read to its end. */
	if (c.netboot_error && !strlen(c.netboot_error))
		abort();
	if (!hydra_cmdline_as_built(&c, booted))
		abort();
	if (built)
		hydra_cmdline_as_built(&c, built);
	hydra_cmdline_release(&c);
out:
	free(booted);
	free(built);
	return 0;
}
