/*
 * The option parser every subcommand shares and the help it prints, both
 * read from the command's table (struct cli_spec): getopt_long's short
 * options and long options are made from the table, and so is each line of
 * --help, so that the help shows what the parser takes and nothing else.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hydra.h"
#include "cli.h"

/*
 * getopt_long returns a short option as its letter and long option I of a
 * table as LONG_VAL + I, above any letter; -h is 'h' and --help the value
 * after the table's last.
 */
#define LONG_VAL 0x10000
/* Where an option's help starts: "  -o, --output OUT   write ..." */
#define HELP_COLUMN 21

struct seen {
	const struct cli_option *opt;
	const char *arg;
};

static size_t count(const struct cli_option *t)
{
	size_t n = 0;

	while (t && t[n].name)
		n++;
	return n;
}

/* TEXT, its continuation lines (after '\n') indented by INDENT spaces. */
static void print_lines(const char *text, int indent, FILE *out)
{
	for (;;) {
		size_t len = strcspn(text, "\n");

		fprintf(out, "%.*s\n", (int)len, text);
		if (!text[len])
			return;
		text += len + 1;
		fprintf(out, "%*s", indent, "");
	}
}

static void print_option(const struct cli_option *o, FILE *out)
{
	char head[128];
	int n;

	if (o->letter)
		n = snprintf(head, sizeof(head), "  -%c, --%s", o->letter, o->name);
	else
		n = snprintf(head, sizeof(head), "      --%s", o->name);
	if (o->arg && n > 0 && (size_t)n < sizeof(head))
		n += snprintf(head + n, sizeof(head) - (size_t)n, "%c%s",
			      o->flags & CLI_OPT_EQ ? '=' : ' ', o->arg);
	fprintf(out, "%s%*s", head, n <= HELP_COLUMN - 2 ? HELP_COLUMN - n : 2, "");
	print_lines(o->help, HELP_COLUMN, out);
}

static const struct cli_option help_option = { 'h', "help", NULL, "this text", 0, 0 };

static void print_synopsis(const char *usage, int *first, FILE *out)
{
	for (;;) {
		size_t len = strcspn(usage, "\n");

		fprintf(out, "%s%.*s\n", *first ? "usage: " : "       ", (int)len, usage);
		*first = 0;
		if (!usage[len])
			return;
		usage += len + 1;
	}
}

/* A subcommand's own word: "init" of "data init". */
static const char *sub_word(const struct cli_spec *sub)
{
	const char *space = strrchr(sub->name, ' ');

	return space ? space + 1 : sub->name;
}

void cli_print_usage(const struct cli_spec *spec, FILE *out)
{
	const struct cli_spec *s;
	int first = 1;

	if (spec->usage)
		print_synopsis(spec->usage, &first, out);
	for (s = spec->subs; s && s->name; s++)
		print_synopsis(s->usage, &first, out);
	fputc('\n', out);
	print_lines(spec->summary, 0, out);
	/* A command with subcommands: each one's summary and options. */
	for (s = spec->subs; s && s->name; s++) {
		fprintf(out, "\n%s: ", sub_word(s));
		print_lines(s->summary, (int)strlen(sub_word(s)) + 2, out);
		for (const struct cli_option *o = s->options; o && o->name; o++)
			print_option(o, out);
	}
	fputs(spec->subs ? "\n" : "\noptions:\n", out);
	for (const struct cli_option *o = spec->options; o && o->name; o++)
		print_option(o, out);
	print_option(&help_option, out);
	if (spec->subs)
		fprintf(out, "\n'hydra %s %s --help' shows one subcommand alone\n", spec->name,
			sub_word(spec->subs));
	if (spec->notes) {
		fputc('\n', out);
		print_lines(spec->notes, 0, out);
	}
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("hydra: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nsee 'hydra %s%s--help'\n", cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

/* getopt_long's view of table T; STOP: stop at the first operand. */
static int getopt_view(const struct cli_option *t, int stop, char **shorts, struct option **longs)
{
	size_t n = count(t);
	char *s;

	*longs = calloc(n + 2, sizeof(**longs));
	*shorts = s = malloc(2 * n + 5);
	if (!*longs || !s)
		return -1;
	/* ':' first: a missing argument is told apart from an unknown option. */
	s = stpcpy(s, stop ? "+:h" : ":h");
	for (size_t i = 0; i < n; i++) {
		(*longs)[i] = (struct option){ t[i].name, t[i].arg ? required_argument : no_argument,
					       NULL, LONG_VAL + (int)i };
		if (t[i].letter) {
			*s++ = (char)t[i].letter;
			if (t[i].arg)
				*s++ = ':';
		}
	}
	*s = '\0';
	(*longs)[n] = (struct option){ "help", no_argument, NULL, LONG_VAL + (int)n };
	return 0;
}

/* Does subcommand S take the option LETTER (when not 0) or NAME? */
static int takes(const struct cli_spec *s, int letter, const char *name)
{
	for (const struct cli_option *o = s->options; o && o->name; o++)
		if (letter ? o->letter == letter : !strcmp(o->name, name))
			return 1;
	return 0;
}

/* "a", "a and b", "a, b CONJ c": the subcommands of PARENT that take LETTER or NAME (NULL: all). */
static void join_subs(const struct cli_spec *parent, int letter, const char *name,
		      const char *conj, char *buf, size_t len)
{
	const char *words[32];
	size_t n = 0, used = 0;

	for (const struct cli_spec *s = parent->subs; s->name && n < 32; s++)
		if ((!letter && !name) || takes(s, letter, name))
			words[n++] = sub_word(s);
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 !i ? "" : i + 1 < n ? ", " : conj, words[i]);
}

/* An option the table lacks: another subcommand's, or not known at all. */
static int unknown_option(const struct cli_spec *spec, const struct cli_spec *parent,
			  int letter, const char *word)
{
	char name[64], subs[256] = "";

	if (letter)
		snprintf(name, sizeof(name), "-%c", letter);
	else
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(word, "="), word);
	if (parent && (letter || !strncmp(name, "--", 2)))
		join_subs(parent, letter, letter ? NULL : name + 2, " and ", subs, sizeof(subs));
	if (subs[0])
		return cli_usage_error(spec->name, "option '%s' is for %s, not %s", name, subs,
				       sub_word(spec));
	return cli_usage_error(spec->name, "option '%s' is not known", name);
}

/* What getopt_long said (C, optopt) about WORD, the argument it stopped at. */
static int bad_option(const struct cli_spec *spec, const struct cli_option *t,
		      const struct cli_spec *parent, int c, const char *word)
{
	if (optopt >= LONG_VAL) {
		size_t i = (size_t)(optopt - LONG_VAL);
		const char *name = i < count(t) ? t[i].name : "help";

		return cli_usage_error(spec->name, "option '--%s' %s", name,
				       c == ':' ? "needs an argument" : "takes no argument");
	}
	if (c == ':')
		return cli_usage_error(spec->name, "option '-%c' needs an argument", optopt);
	/* glibc: optopt is the letter of an unknown short option, 0 for a long one. */
	return unknown_option(spec, parent, optopt, word);
}

/* The argument a long option came in: "--disk=x", or "--disk" before "x". */
static const char *long_word(char **argv)
{
	return optarg && optind >= 2 && optarg == argv[optind - 1] ? argv[optind - 2] : argv[optind - 1];
}

/*
 * getopt_long takes any unambiguous beginning, "--dry" for --dry-run, and
 * so "--key" for --key-file where there is no --key: a name counts only
 * whole, as --help shows it.
 */
static int whole(const char *word, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(word, "--", 2) && !strncmp(word + 2, name, len) &&
	       (word[2 + len] == '\0' || word[2 + len] == '=');
}

/*
 * getopt_long over ARGV with table T: the options go to SEEN (when not
 * NULL) in order; -1 to go on (*FIRST the first operand), 0 after printing
 * SPEC's help, 2 after a bad option. A command with subcommands stops at
 * the first operand, its subcommand.
 */
static int scan(int argc, char **argv, const struct cli_spec *spec, const struct cli_option *t,
		const struct cli_spec *parent, struct seen *seen, size_t *n_seen, int *first)
{
	struct option *longs = NULL;
	char *shorts = NULL;
	int help = LONG_VAL + (int)count(t), c, r = -1;

	if (getopt_view(t, spec->subs != NULL, &shorts, &longs) < 0) {
		hydra_err("out of memory");
		r = EXIT_FAILED;
	}
	optind = 0;    /* GNU: start over, even after another parse */
	opterr = 0;
	while (r < 0 && (c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct cli_option *o = c >= LONG_VAL && c < help ? &t[c - LONG_VAL] : NULL;

		for (size_t i = 0; !o && c > 0 && c < LONG_VAL && t[i].name; i++)
			if (t[i].letter == c)
				o = &t[i];
		if (c == '?' || c == ':') {
			r = bad_option(spec, t, parent, c, argv[optind - 1]);
		} else if (c >= LONG_VAL && !whole(long_word(argv), o ? o->name : "help")) {
			r = unknown_option(spec, parent, 0, long_word(argv));
		} else if (c == 'h' || c == help) {
			cli_print_usage(spec, stdout);
			r = EXIT_DONE;
		} else if (o && seen) {
			seen[(*n_seen)++] = (struct seen){ o, optarg };
		}
	}
	*first = optind;
	free(shorts);
	free(longs);
	return r;
}

static int parse(int argc, char **argv, const struct cli_spec *spec, const struct cli_spec *parent,
		 cli_opt_fn fn, void *ud, int *first)
{
	struct seen *seen = calloc((size_t)argc + 1, sizeof(*seen));
	size_t n = 0;
	int r = EXIT_FAILED;

	if (!seen)
		hydra_err("out of memory");
	else
		r = scan(argc, argv, spec, spec->options, parent, seen, &n, first);
	/* All were known: now what they say. */
	for (size_t i = 0; r < 0 && i < n; i++) {
		const struct cli_option *o = seen[i].opt;
		int e = fn ? fn(o->id ? o->id : o->letter, seen[i].arg, ud) : 0;

		if (e)
			r = e;
	}
	free(seen);
	return r;
}

int cli_parse_options(int argc, char **argv, const struct cli_spec *spec,
		      cli_opt_fn fn, void *ud, int *first)
{
	return parse(argc, argv, spec, NULL, fn, ud, first);
}

/* Every subcommand's options, each long name once: what may come before the subcommand. */
static struct cli_option *all_options(const struct cli_spec *spec)
{
	size_t total = 0, n = 0;
	struct cli_option *all;

	for (const struct cli_spec *s = spec->subs; s->name; s++)
		total += count(s->options);
	all = calloc(total + 1, sizeof(*all));
	for (const struct cli_spec *s = spec->subs; all && s->name; s++)
		for (const struct cli_option *o = s->options; o && o->name; o++) {
			size_t i = 0;

			while (i < n && strcmp(all[i].name, o->name))
				i++;
			if (i == n)
				all[n++] = *o;
		}
	return all;
}

/* Move ARGV[AT] to ARGV[1], the options before it after it. */
static void to_front(char **argv, int at)
{
	char *word = argv[at];

	memmove(argv + 2, argv + 1, (size_t)(at - 1) * sizeof(*argv));
	argv[1] = word;
}

int cli_parse_sub(int argc, char **argv, const struct cli_spec *spec,
		  cli_opt_fn fn, void *ud, int *sub, int *first)
{
	struct cli_option *all = all_options(spec);
	char names[256];
	int at = argc, r = EXIT_FAILED;

	/* First the options before the subcommand, checked against all of them. */
	if (!all)
		hydra_err("out of memory");
	else
		r = scan(argc, argv, spec, all, NULL, NULL, NULL, &at);
	free(all);
	if (r >= 0)
		return r;
	join_subs(spec, 0, NULL, " or ", names, sizeof(names));
	if (at >= argc)
		return cli_usage_error(spec->name, "missing %s", names);
	for (*sub = 0; spec->subs[*sub].name && strcmp(sub_word(&spec->subs[*sub]), argv[at]); (*sub)++)
		;
	if (!spec->subs[*sub].name)
		return cli_usage_error(spec->name, "unknown '%s %s' (want %s)", spec->name, argv[at],
				       names);
	/* The subcommand takes the command's place; all options are checked against its table. */
	to_front(argv, at);
	r = parse(argc - 1, argv + 1, &spec->subs[*sub], spec, fn, ud, first);
	*first += 1;
	return r;
}

int cli_check_operands(const char *cmd, int n, int min, int max)
{
	if (n < min)
		return cli_usage_error(cmd, "too few arguments");
	if (n > max)
		return cli_usage_error(cmd, "too many arguments");
	return -1;
}
