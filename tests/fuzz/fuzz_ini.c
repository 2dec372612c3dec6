/*
 * The INI dialect (base/ini.h) and node profiles (format/hwdb.h): the input
 * is the text of a file. A profile that parses is written back with
 * hydra_hwdb_format_node, whose text must parse again ("exactly the format
 * hydra_hwdb_parse_node reads").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ini.h"
#include "format/hwdb.h"
#include "fuzz.h"

static struct fuzz_guard guard;

struct seen {
	unsigned line;
	unsigned calls;
};

static int on_entry(const char *section, const char *key, const char *value, unsigned line,
		    void *ud)
{
	struct seen *s = ud;

	/* Lines only go forward; a key comes with its value, inside a section. */
	if (!section || line < s->line || line == 0 || !key != !value)
		abort();
	s->line = line;
	/* Touch every byte handed over, so that ASan checks them. */
	if (strlen(section) + (key ? strlen(key) + strlen(value) : 0) > HYDRA_INI_MAX_LINE)
		abort();
	/* Now and then a callback refuses, as the recipe and profile parsers do. */
	if (++s->calls == 7)
		return hydra_ini_error("fuzz.conf", line, "refused");
	return 0;
}

/* What hydra_hwdb_format_node writes, hydra_hwdb_parse_node reads. */
static void round_trip(const struct hydra_node *n)
{
	struct hydra_node again;
	char *text = NULL;

	if (hydra_hwdb_format_node(n, &text))
		return;
	if (hydra_hwdb_parse_node("fuzz.conf", text, strlen(text), &again)) {
		fprintf(stderr, "a formatted profile does not parse:\n%s", text);
		abort();
	}
	free(text);
	hydra_node_clear(&again);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = fuzz_guarded(&guard, data, size);
	struct seen s = { 0 };
	struct hydra_node n;

	if (!buf)
		return 0;
	hydra_ini_parse("fuzz.conf", buf, size, on_entry, &s);
	if (!hydra_hwdb_parse_node("fuzz.conf", buf, size, &n)) {
		round_trip(&n);
		hydra_node_clear(&n);
	}
	return 0;
}
