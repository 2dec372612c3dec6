/*
 * The hydra front end, run as a program: usage, exit codes, hydra run
 * --print, and every command's option table (walked from hydra_cmds)
 * against what its --help shows and what its parser takes.
 */
#include <ctype.h>
#include <fcntl.h>

#include "cli/cli.h"
#include "harness.h"

static char hydra_bin[4096];
static char *out_text;
static char err_text[8192];

/* Run hydra with ARGV (NULL-terminated, without argv[0]) and ENV; the exit code. */
static int hydra(const char *const env[], const char *const *args)
{
	const char *argv[64] = { hydra_bin };
	struct hydra_spawn_opts o = { .env = env, .logfile = "stderr.log", .capture = &out_text };
	char *err = NULL;
	size_t i, len;
	int r;

	for (i = 0; args[i] && i < 62; i++)
		argv[i + 1] = args[i];
	free(out_text);
	out_text = NULL;
	unlink("stderr.log");
	r = hydra_spawn(argv, &o);
	err_text[0] = '\0';
	if (hydra_read_file("stderr.log", &err, &len) == 0)
		snprintf(err_text, sizeof(err_text), "%s", err);
	free(err);
	return r;
}

#define HYDRA(...) hydra(NULL, (const char *[]){ __VA_ARGS__, NULL })
#define HYDRA_ENV(env, ...) hydra(env, (const char *[]){ __VA_ARGS__, NULL })

static void test_usage(void)
{
	EQ_INT(HYDRA("--version"), 0);
	EQ_STR(out_text, "hydra 0.1.0\n");
	EQ_INT(hydra(NULL, (const char *[]){ NULL }), 2);
	CONTAINS(err_text, "usage: hydra [-v] COMMAND");
	EQ_STR(out_text, "");
	EQ_INT(HYDRA("--help"), 0);
	/* The summaries in one column, past the longest name, "regenerate". */
	CONTAINS(out_text, "  build       assemble an image from a recipe\n");
	CONTAINS(out_text, "  run         boot an image in QEMU\n");
	CONTAINS(out_text, "  regenerate  bring NODE back by netboot");
	for (const struct hydra_cmd *c = hydra_cmds; c->spec; c++) {
		char *line = hydra_strdupf("\n  %-10s  ", c->spec->name);

		CONTAINS(out_text, line);
		free(line);
	}
	EQ_INT(HYDRA("run", "--help"), 0);
	CONTAINS(out_text, "usage: hydra run [--uefi] [--disk FILE]...");
	CONTAINS(out_text, "--snapshot");
	EQ_INT(HYDRA("build", "-h"), 0);
	CONTAINS(out_text, "usage: hydra build [-o OUT] [--size SIZE] [--sign KEY] [--no-cache] RECIPE");
	CONTAINS(out_text, "--no-cache     make every stage again");
}

static void test_usage_errors(void)
{
	EQ_INT(HYDRA("frob"), 2);
	EQ_STR(err_text, "hydra: error: 'frob' is not a hydra command\nsee 'hydra --help'\n");
	EQ_INT(HYDRA("--frob"), 2);
	EQ_STR(err_text, "hydra: error: option '--frob' is not known\nsee 'hydra --help'\n");
	EQ_INT(HYDRA("run", "--frob", "x.img"), 2);
	EQ_STR(err_text, "hydra: error: option '--frob' is not known\nsee 'hydra run --help'\n");
	EQ_INT(HYDRA("run", "-q", "x.img"), 2);
	CONTAINS(err_text, "option '-q' is not known");
	EQ_INT(HYDRA("run", "x.img", "--disk"), 2);
	CONTAINS(err_text, "option '--disk' needs an argument");
	EQ_INT(HYDRA("run", "--uefi=yes", "x.img"), 2);
	CONTAINS(err_text, "option '--uefi' takes no argument");
	EQ_INT(HYDRA("run"), 2);
	CONTAINS(err_text, "too few arguments");
	EQ_INT(HYDRA("run", "a.img", "b.img"), 2);
	CONTAINS(err_text, "too many arguments");
	EQ_INT(HYDRA("run", "--memory", "lots", "a.img"), 2);
	CONTAINS(err_text, "bad memory size 'lots'");
	EQ_INT(HYDRA("run", "--print", "missing.img"), 1);
	EQ_STR(err_text, "hydra: error: cannot open image 'missing.img': No such file or directory\n");
	/* A node name goes into syslinux.cfg: lines of a boot entry are not one. */
	EQ_INT(HYDRA("clone", "--dry-run", "--as", "x\n  APPEND init=/bin/sh", "x.img"), 2);
	CONTAINS(err_text, "bad node name");
}

static void test_run_print(void)
{
	static const char *const kvm[] = { "HYDRA_QEMU_ACCEL=kvm", NULL };

	t_write("a.img", "");
	t_write("b,c.img", "");
	t_write("d.img", "");
	EQ_INT(HYDRA("run", "--print", "a.img"), 0);
	EQ_STR(out_text, "qemu-system-x86_64 -accel tcg -m 1024 -nographic -serial mon:stdio "
	       "-drive file=a.img,format=raw,if=virtio\n");
	/* Options after the image, commas doubled, quoting, and "--" passed through. */
	EQ_INT(HYDRA("run", "--print", "a.img", "--memory", "2048", "--disk", "b,c.img", "--disk",
		     "d.img", "--snapshot", "--", "-smp", "2", "-name", "x y"), 0);
	EQ_STR(out_text, "qemu-system-x86_64 -accel tcg -m 2048 -nographic -serial mon:stdio "
	       "-drive file=a.img,format=raw,if=virtio -drive file=b,,c.img,format=raw,if=virtio "
	       "-drive file=d.img,format=raw,if=virtio -snapshot -smp 2 -name 'x y'\n");
	EQ_INT(HYDRA_ENV(kvm, "run", "--print", "a.img"), 0);
	CONTAINS(out_text, " -accel kvm ");
}

static void test_run_uefi(void)
{
	char *dir = hydra_path_join(t_dir, "ovmf"), *env0 = hydra_strdupf("HYDRA_OVMF_DIR=%s", dir);
	char *want = hydra_strdupf("qemu-system-x86_64 -accel tcg -m 1024 -nographic -serial mon:stdio "
				   "-drive if=pflash,format=raw,unit=0,readonly=on,file=%s/OVMF_CODE_4M.fd "
				   "-drive if=pflash,format=raw,unit=1,file=/tmp/hydra-run.XXXXXX/OVMF_VARS_4M.fd "
				   "-drive file=a.img,format=raw,if=virtio\n", dir);
	const char *env[] = { env0, NULL };

	t_write("a.img", "");
	EQ_INT(HYDRA_ENV(env, "run", "--print", "--uefi", "a.img"), 1);
	CONTAINS(err_text, "cannot find UEFI firmware '");
	CONTAINS(err_text, "/ovmf/OVMF_CODE_4M.fd': install the Debian package ovmf");
	t_write("ovmf/OVMF_CODE_4M.fd", "code");
	t_write("ovmf/OVMF_VARS_4M.fd", "vars");
	EQ_INT(HYDRA_ENV(env, "run", "--print", "--uefi", "a.img"), 0);
	EQ_STR(out_text, want);
	free(dir);
	free(env0);
	free(want);
}

/*
 * Every command and subcommand, from hydra_cmds: what the tests below walk.
 * PARENT is the command of a subcommand, else NULL.
 */
struct spec_ref {
	const struct cli_spec *spec, *parent;
};

static size_t all_specs(struct spec_ref *out, size_t max)
{
	size_t n = 0;

	for (const struct hydra_cmd *c = hydra_cmds; c->spec; c++) {
		if (n < max)
			out[n++] = (struct spec_ref){ c->spec, NULL };
		for (const struct cli_spec *s = c->spec->subs; s && s->name; s++)
			if (n < max)
				out[n++] = (struct spec_ref){ s, c->spec };
	}
	return n;
}

struct args {
	const char *v[64];
	size_t n;
};

static void push(struct args *a, const char *s)
{
	if (a->n < 62)
		a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

/* "data init" as the words "data", "init". */
static void push_words(struct args *a, const struct spec_ref *r)
{
	push(a, r->parent ? r->parent->name : r->spec->name);
	if (r->parent)
		push(a, r->spec->name + strlen(r->parent->name) + 1);
}

#define RUN_ARGS(a) hydra(NULL, (a)->v)

/* Does SPEC, or one of its subcommands, take -LETTER (when not 0) or --NAME (LEN bytes)? */
static int spec_takes(const struct cli_spec *spec, int letter, const char *name, size_t len)
{
	if (letter == 'h' || (!letter && len == 4 && !strncmp(name, "help", 4)))
		return 1;
	for (const struct cli_option *o = spec->options; o && o->name; o++)
		if (letter ? o->letter == letter : strlen(o->name) == len && !strncmp(o->name, name, len))
			return 1;
	for (const struct cli_spec *s = spec->subs; s && s->name; s++)
		if (spec_takes(s, letter, name, len))
			return 1;
	return 0;
}

#define OPT_OK(e, spec, o) do { \
	if (!(e)) FAIL_("'%s' option '--%s': %s", (spec)->name, (o)->name, #e); \
} while (0)

static void check_entries(const struct cli_spec *spec)
{
	const struct cli_option *t = spec->options;

	for (size_t i = 0; t && t[i].name; i++) {
		const struct cli_option *o = &t[i];

		OPT_OK(o->name[0] && strspn(o->name, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
		       strlen(o->name), spec, o);
		OPT_OK(!o->letter || (o->letter < 128 && isalnum(o->letter)), spec, o);
		OPT_OK(o->letter != 'h' && strcmp(o->name, "help"), spec, o);
		OPT_OK(o->letter || o->id, spec, o);    /* else the command cannot tell it apart */
		OPT_OK(o->help && o->help[0], spec, o);
		OPT_OK(!o->arg || (o->arg[0] && strspn(o->arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
				   strlen(o->arg)), spec, o);
		for (size_t j = 0; j < i; j++) {
			OPT_OK(strcmp(o->name, t[j].name), spec, o);
			OPT_OK(!o->letter || o->letter != t[j].letter, spec, o);
			OPT_OK((o->id ? o->id : o->letter) != (t[j].id ? t[j].id : t[j].letter), spec, o);
		}
	}
}

/* The options before a subcommand are read with all its siblings': one name, one meaning. */
static void check_siblings(const struct cli_spec *parent)
{
	for (const struct cli_spec *a = parent->subs; a && a->name; a++)
		for (const struct cli_spec *b = parent->subs; b < a; b++)
			for (const struct cli_option *o = a->options; o && o->name; o++)
				for (const struct cli_option *p = b->options; p && p->name; p++)
					if (!strcmp(o->name, p->name))
						OPT_OK(o->letter == p->letter && !o->arg == !p->arg &&
						       o->id == p->id, a, o);
}

static void test_tables(void)
{
	struct spec_ref specs[64];
	size_t n = all_specs(specs, 64);

	OK(n >= 8);
	for (size_t i = 0; i < n; i++) {
		const struct cli_spec *s = specs[i].spec;
		char *prefix = hydra_strdupf("hydra %s ", s->name);

		OK(s->summary && s->summary[0]);
		if (s->usage)
			for (const char *l = s->usage; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
				if (strncmp(l, prefix, strlen(prefix)))
					FAIL_("'%s' usage line '%.40s' is not '%s...'", s->name, l, prefix);
		OK(s->usage || s->subs);
		OK(!s->subs || !s->options);
		if (specs[i].parent)
			OK(!strncmp(s->name, specs[i].parent->name, strlen(specs[i].parent->name)));
		check_entries(s);
		if (s->subs)
			check_siblings(s);
		free(prefix);
	}
}

/* HEAD ("  -o, --output OUT") starts a line of TEXT, with the help after spaces. */
static int shows(const char *text, const char *head)
{
	for (const char *p = strstr(text, head); p; p = strstr(p + 1, head))
		if ((p == text || p[-1] == '\n') && p[strlen(head)] == ' ')
			return 1;
	return 0;
}

static void check_shown(const struct cli_spec *spec, const struct cli_option *o, const char *out)
{
	char head[128], first[128];

	if (o->letter)
		snprintf(head, sizeof(head), "  -%c, --%s", o->letter, o->name);
	else
		snprintf(head, sizeof(head), "      --%s", o->name);
	if (o->arg)
		snprintf(head + strlen(head), sizeof(head) - strlen(head), "%c%s",
			 o->flags & CLI_OPT_EQ ? '=' : ' ', o->arg);
	snprintf(first, sizeof(first), "%.*s\n", (int)strcspn(o->help, "\n"), o->help);
	if (!shows(out, head) || !strstr(out, first))
		FAIL_("'hydra %s --help' does not show '%s' and '%s': got\n%s", spec->name, head,
		      o->help, out);
}

/* 'hydra WORDS --help' of specs[I], run once for both tests that read it. */
static const char *help_of(const struct spec_ref *specs, size_t i)
{
	static char *helps[64];
	struct args a = { .n = 0 };

	if (i < 64 && helps[i])
		return helps[i];
	push_words(&a, &specs[i]);
	push(&a, "--help");
	EQ_INT(RUN_ARGS(&a), 0);
	OK(out_text && !strncmp(out_text, "usage: hydra ", 13));
	if (i >= 64 || !out_text)
		return out_text ? out_text : "";
	return helps[i] = strdup(out_text);
}

static void test_help_shows_table(void)
{
	struct spec_ref specs[64];
	size_t n = all_specs(specs, 64);

	for (size_t i = 0; i < n; i++) {
		const struct cli_spec *s = specs[i].spec;
		const char *out = help_of(specs, i);

		CONTAINS(out, "  -h, --help ");
		for (const struct cli_option *o = s->options; o && o->name; o++)
			check_shown(s, o, out);
		/* A command with subcommands shows all of theirs. */
		for (const struct cli_spec *sub = s->subs; sub && sub->name; sub++) {
			CONTAINS(out, sub->usage);
			for (const struct cli_option *o = sub->options; o && o->name; o++)
				check_shown(s, o, out);
		}
	}
}

/* Each "-x" and "--name" that starts a word of TEXT must be an option SPEC takes. */
static size_t check_tokens(const struct cli_spec *spec, const char *text)
{
	static const char word[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
	size_t tokens = 0;

	for (const char *p = text; *p; p++) {
		size_t len;

		if (*p != '-' || (p > text && !strchr(" \n[|(,'\"", p[-1])))
			continue;
		if (p[1] == '-' && isalpha((unsigned char)p[2])) {
			len = strspn(p + 2, word);
			if (!spec_takes(spec, 0, p + 2, len))
				FAIL_("'hydra %s --help' shows '--%.*s', which its table lacks", spec->name,
				      (int)len, p + 2);
			p += 1 + len;
			tokens++;
		} else if (isalnum((unsigned char)p[1])) {
			if (isalnum((unsigned char)p[2]))
				FAIL_("'hydra %s --help' shows '%.*s', not an option", spec->name,
				      (int)strspn(p + 1, word) + 1, p);
			else if (!spec_takes(spec, p[1], NULL, 0))
				FAIL_("'hydra %s --help' shows '-%c', which its table lacks", spec->name, p[1]);
			p++;
			tokens++;
		}
	}
	return tokens;
}

static void test_help_shows_only_table(void)
{
	struct spec_ref specs[64];
	size_t n = all_specs(specs, 64);

	for (size_t i = 0; i < n; i++) {
		size_t options = 0;

		for (const struct cli_option *o = specs[i].spec->options; o && o->name; o++)
			options++;
		/* At least its options and -h, --help: the scan does see them. */
		OK(check_tokens(specs[i].spec, help_of(specs, i)) >= options + 2);
	}
}

/* OPTS' long (or short) forms, each with an argument when it takes one. */
static void push_options(struct args *a, const struct cli_option *opts, int short_form,
			 char letters[][3])
{
	for (const struct cli_option *o = opts; o && o->name; o++) {
		if (short_form && !o->letter)
			continue;
		if (short_form) {
			snprintf(letters[o - opts], 3, "-%c", o->letter);
			push(a, letters[o - opts]);
		} else {
			push(a, hydra_strdupf("--%s", o->name));
		}
		if (o->arg)
			push(a, "x");
	}
}

static void free_long_forms(struct args *a)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strncmp(a->v[i], "--", 2) && strcmp(a->v[i], "--help"))
			free((char *)a->v[i]);
}

/*
 * All the options of a table on one command line, in their long forms and
 * their short forms, with --help last, so that nothing is done: the help
 * is printed only when every option before it was known. A subcommand's
 * long forms go before the subcommand, where the parser reads them too.
 */
static void test_parser_takes_table(void)
{
	struct spec_ref specs[64];
	size_t n = all_specs(specs, 64);

	for (size_t i = 0; i < n; i++) {
		const struct spec_ref *r = &specs[i];
		struct args a = { .n = 0 };
		char letters[64][3];

		if (!r->spec->options)
			continue;
		push(&a, r->parent ? r->parent->name : r->spec->name);
		push_options(&a, r->spec->options, 0, letters);
		if (r->parent)
			push(&a, r->spec->name + strlen(r->parent->name) + 1);
		push_options(&a, r->spec->options, 1, letters);
		push(&a, "--help");
		if (RUN_ARGS(&a) != 0 || strncmp(out_text, "usage: ", 7))
			FAIL_("'hydra %s' with its options before --help: %s", r->spec->name, err_text);
		free_long_forms(&a);
	}
}

/* What the parser says of OPTION after specs' words: "is not known", "is for". */
static const char *why_refused(const struct spec_ref *r, int letter, const char *name)
{
	return r->parent && spec_takes(r->parent, letter, name, name ? strlen(name) : 0) ?
	       "is for " : "is not known";
}

/*
 * The parser of specs[I] in this process, as the binary runs it, on its
 * words and ARGS; the exit code, stderr in err_text.
 */
static int parse_here(const struct spec_ref *r, const char *const *args)
{
	char *argv[16];
	int argc = 0, first, sub, saved, fd, code;
	char *err = NULL;

	argv[argc++] = (char *)(r->parent ? r->parent->name : r->spec->name);
	if (r->parent)
		argv[argc++] = (char *)r->spec->name + strlen(r->parent->name) + 1;
	for (size_t i = 0; args[i] && argc < 15; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	fflush(stderr);
	saved = dup(2);
	fd = open("parse.err", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	close(fd);
	if (r->parent || r->spec->subs)
		code = cli_parse_sub(argc, argv, r->parent ? r->parent : r->spec, NULL, NULL, &sub,
				     &first);
	else
		code = cli_parse_options(argc, argv, r->spec, NULL, NULL, &first);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	err_text[0] = '\0';
	if (hydra_read_file("parse.err", &err, NULL) == 0)
		snprintf(err_text, sizeof(err_text), "%s", err);
	free(err);
	return code;
}

/* OPTION (a value after it, should it wrongly take one) must stop hydra WORDS with 2. */
static void refused(const struct spec_ref *r, const char *option, const char *why, int here)
{
	const char *args[] = { option, "x", "--help", NULL };
	char *said = hydra_strdupf("option '%s' %s", option, why);
	struct args a = { .n = 0 };
	int code;

	if (here) {
		code = parse_here(r, args);
	} else {
		push_words(&a, r);
		for (size_t i = 0; args[i]; i++)
			push(&a, args[i]);
		code = RUN_ARGS(&a);
	}
	if (code != 2 || !strstr(err_text, said))
		FAIL_("'hydra %s %s x --help'%s: want exit 2 and \"%s\", got %d: %s", r->spec->name,
		      option, here ? " (parsed here)" : "", said, code, err_text);
	free(said);
}

/*
 * Each letter a table lacks and the long options of every other table that
 * it lacks, parsed in this process (hundreds of them: a run of the binary
 * each would take a minute), and a name nobody has through the binary,
 * main and the command.
 */
static void refuse_all(const struct spec_ref *r, const struct spec_ref *specs, size_t n)
{
	static const char letters[] = "abcdefgijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char opt[64];

	refused(r, "--no-such-option", "is not known", 0);
	for (const char *l = letters; *l; l++)
		if (!spec_takes(r->spec, *l, NULL, 0)) {
			snprintf(opt, sizeof(opt), "-%c", *l);
			refused(r, opt, why_refused(r, *l, NULL), 1);
		}
	for (size_t i = 0; i < n; i++)
		for (const struct cli_option *o = specs[i].spec->options; o && o->name; o++)
			if (!spec_takes(r->spec, 0, o->name, strlen(o->name))) {
				snprintf(opt, sizeof(opt), "--%s", o->name);
				refused(r, opt, why_refused(r, 0, o->name), 1);
			}
}

static void test_parser_refuses_the_rest(void)
{
	struct spec_ref specs[64];
	size_t n = all_specs(specs, 64);

	for (size_t i = 0; i < n; i++)
		refuse_all(&specs[i], specs, n);
}

int main(void)
{
	snprintf(hydra_bin, sizeof(hydra_bin), "%s/hydra", HYDRA_BUILDDIR);
	if (access(hydra_bin, X_OK) < 0)
		SKIP_RUNS("build/hydra not built (make all)");
	RUN(test_usage);
	RUN(test_usage_errors);
	RUN(test_tables);
	RUN(test_help_shows_table);
	RUN(test_help_shows_only_table);
	RUN(test_parser_takes_table);
	RUN(test_parser_refuses_the_rest);
	/* hydra run --print checks that QEMU is there, as a real run would. */
	if (hydra_tool_require("qemu-system-x86_64") < 0)
		SKIP_RUNS("no qemu-system-x86_64 (apt-get install qemu-system-x86)");
	RUN(test_run_print);
	RUN(test_run_uefi);
	free(out_text);
	TESTS_END();
}
