/* Recipes: a good one read whole, and every kind of malformed one named by file and line. */
#include <errno.h>

#include "base/ini.h"
#include "build/recipe.h"
#include "harness.h"

static void test_good_recipe(void)
{
	struct hydra_recipe *r = NULL;

	EQ_INT(hydra_recipe_load(fixture("recipes/good.conf"), &r), 0);
	if (!r)
		return;
	EQ_STR(r->name, "full");
	EQ_STR(r->base, "debian");
	EQ_INT(r->size, 2ULL << 30);
	EQ_INT(r->n_overlays, 2);
	EQ_STR(r->overlays[1], "site");
	EQ_INT(r->n_hooks, 1);
	EQ_STR(r->kernel_package, "linux-image-amd64");
	EQ_STR(r->cmdline, "console=ttyS0,115200 quiet");
	EQ_STR(r->suite, "bookworm");
	EQ_INT(r->n_packages, 3);
	EQ_STR(r->packages[2], "nftables");
	EQ_STR(r->root, HYDRA_SRCDIR "/tests/fixtures");
	hydra_recipe_free(r);
}

static void test_shipped_tiny_recipe(void)
{
	struct hydra_recipe *r = NULL;
	char path[4096];

	snprintf(path, sizeof(path), "%s/images/tiny.conf", HYDRA_SRCDIR);
	EQ_INT(hydra_recipe_load(path, &r), 0);
	if (!r)
		return;
	EQ_STR(r->name, "tiny");
	EQ_STR(r->base, "busybox");
	EQ_INT(r->n_overlays, 1);
	EQ_STR(r->overlays[0], "common");
	EQ_STR(r->root, HYDRA_SRCDIR);
	/* [data] persist reaches hydra-init on the kernel command line. */
	EQ_INT(r->n_persist, 2);
	CONTAINS(r->cmdline, " hydra.persist=/home,/srv");
	hydra_recipe_free(r);
}

/* Load a malformed fixture: it must fail with exactly MESSAGE in the log. */
static void refused(const char *name, const char *message)
{
	struct hydra_recipe *r = NULL;
	char want[4096];

	t_log[0] = '\0';
	EQ_INT(hydra_recipe_load(fixture(name), &r), -EINVAL);
	OK(r == NULL);
	snprintf(want, sizeof(want), "%s%s", fixture(name), message);
	CONTAINS(t_log, want);
}

static void test_malformed_recipes(void)
{
	refused("recipes/unknown-key.conf", ":4: unknown key 'pakages' in [debian]");
	refused("recipes/unknown-section.conf", ":1: unknown section [imgae]");
	refused("recipes/duplicate-key.conf", ":3: duplicate key 'base' in [image]");
	refused("recipes/duplicate-section.conf", ":3: section [image] given twice");
	refused("recipes/bad-base.conf",
		":2: bad value 'zfs' for 'base' in [image]: expected busybox or debian");
	refused("recipes/bad-size.conf", ":3: bad value '12 parsecs' for 'size' in [image]");
	refused("recipes/bad-name.conf", ":4: bad value 'linux image' for 'package' in [kernel]");
	refused("recipes/no-base.conf", ": no 'base' in [image]");
	refused("recipes/outside.conf", ":1: 'base = busybox' outside of any [section]");
	refused("recipes/no-equals.conf", ":2: expected 'key = value', got 'base busybox'");
	refused("recipes/bad-header.conf", ":1: malformed section header '[image'");
	refused("recipes/not-utf8.conf", ":3: not a text file: invalid UTF-8");
	refused("recipes/binary.conf", ":3: not a text file: NUL byte");
	refused("recipes/overlong.conf", ":3: line too long: 5014 bytes, at most 4096");
	refused("recipes/bad-persist.conf", ": bad [data] persist: paths must be absolute");
	refused("recipes/overlay-outside.conf", ":3: bad name '../../../outside' in 'overlays' of "
		"[image]: expected a folder name under overlays/");
	refused("recipes/hook-outside.conf", ":3: bad path '../../../../bin/true' in 'hooks' of "
		"[image]: expected a path inside the project, without '..'");
}

static void test_missing_file(void)
{
	struct hydra_recipe *r = NULL;

	EQ_INT(hydra_recipe_load("no/such.conf", &r), -ENOENT);
	CONTAINS(t_log, "cannot read recipe 'no/such.conf': No such file or directory");
}

static int any_key(const char *section, const char *key, const char *value, unsigned line,
		   void *ud)
{
	(void)section, (void)key, (void)value, (void)line, (void)ud;
	return 0;
}

static int parse_value(const char *bytes)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "[s]\nk = %s\n", bytes);

	return hydra_ini_parse("t.conf", buf, (size_t)n, any_key, NULL);
}

/* UTF-8 as RFC 3629 has it: the edges of each range taken, their neighbours refused. */
static void test_utf8_edges(void)
{
	EQ_INT(parse_value("\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E"), 0);
	EQ_INT(parse_value("\xED\x9F\xBF \xEE\x80\x80 \xF4\x8F\xBF\xBF \xE0\xA0\x80"), 0);
	EQ_INT(parse_value("\xED\xA0\x80"), -EINVAL);      /* a surrogate, U+D800 */
	CONTAINS(t_log, "t.conf:2: not a text file: invalid UTF-8");
	EQ_INT(parse_value("\xE0\x80\x80"), -EINVAL);      /* NUL, overlong */
	EQ_INT(parse_value("\xF0\x80\x80\x80"), -EINVAL);  /* overlong in four bytes */
	EQ_INT(parse_value("\xF4\x90\x80\x80"), -EINVAL);  /* U+110000 */
	EQ_INT(parse_value("\xC0\xAF"), -EINVAL);          /* '/', overlong */
}

int main(void)
{
	RUN(test_good_recipe);
	RUN(test_shipped_tiny_recipe);
	RUN(test_malformed_recipes);
	RUN(test_missing_file);
	RUN(test_utf8_edges);
	TESTS_END();
}
