/* The INI dialect of recipes and hardware-db files; see ini.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hydra.h"
#include "base/ini.h"

int hydra_ini_error(const char *file, unsigned line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hydra_err("%s:%u: %s", file, line, msg);
	return -EINVAL;
}

/* Length of the valid UTF-8 sequence at S, or 0. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0 && s[0] >= 0xC2)
		n = 2;
	else if ((s[0] & 0xF0) == 0xE0)
		n = 3;
	else if ((s[0] & 0xF8) == 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	/*
	 * The second byte bounds what the first allows (RFC 3629, table 3-7 of
	 * Unicode): no overlong forms (E0 80..9F, F0 80..8F), no surrogates
	 * (ED A0..BF), nothing past U+10FFFF (F4 90..BF).
	 */
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
		return 0;
	return n;
}

static int check_text(const char *file, unsigned line, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n;

		if (s[i] == '\0')
			return hydra_ini_error(file, line, "not a text file: NUL byte");
		n = utf8_len((const unsigned char *)s + i, len - i);
		if (!n)
			return hydra_ini_error(file, line, "not a text file: invalid UTF-8");
		i += n;
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Names seen so far, to refuse a section or key given twice. */
struct seen {
	char **v;
	size_t n;
};

static int seen_add(struct seen *s, const char *name)
{
	char **v;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return 1;
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	v[s->n] = strdup(name);
	if (!v[s->n])
		return -ENOMEM;
	s->n++;
	return 0;
}

static void seen_clear(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

struct parser {
	const char *file;
	hydra_ini_fn fn;
	void *ud;
	char *section;
	struct seen sections, keys;
};

static int parse_section(struct parser *p, char *s, unsigned line)
{
	char *end = strchr(s, ']');
	int r;

	if (!end || end[1] != '\0' || end == s + 1)
		return hydra_ini_error(p->file, line, "malformed section header '%s'", s);
	*end = '\0';
	s = trim(s + 1);
	r = seen_add(&p->sections, s);
	if (r > 0)
		return hydra_ini_error(p->file, line, "section [%s] given twice", s);
	if (r < 0)
		return r;
	free(p->section);
	p->section = strdup(s);
	seen_clear(&p->keys);
	if (!p->section)
		return -ENOMEM;
	return p->fn(p->section, NULL, NULL, line, p->ud);
}

static int parse_key(struct parser *p, char *s, unsigned line)
{
	char *eq = strchr(s, '='), *key, *value;
	int r;

	if (!p->section)
		return hydra_ini_error(p->file, line, "'%s' outside of any [section]", s);
	if (!eq)
		return hydra_ini_error(p->file, line, "expected 'key = value', got '%s'", s);
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (!*key)
		return hydra_ini_error(p->file, line, "empty key");
	r = seen_add(&p->keys, key);
	if (r > 0)
		return hydra_ini_error(p->file, line, "duplicate key '%s' in [%s]", key, p->section);
	if (r < 0)
		return r;
	return p->fn(p->section, key, value, line, p->ud);
}

static int parse_line(struct parser *p, char *s, size_t len, unsigned line)
{
	int r;

	if (len > HYDRA_INI_MAX_LINE)
		return hydra_ini_error(p->file, line, "line too long: %zu bytes, at most %d",
				       len, HYDRA_INI_MAX_LINE);
	r = check_text(p->file, line, s, len);
	if (r)
		return r;
	s = trim(s);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return parse_section(p, s, line);
	return parse_key(p, s, line);
}

int hydra_ini_parse(const char *file, const char *buf, size_t len, hydra_ini_fn fn, void *ud)
{
	struct parser p = { .file = file, .fn = fn, .ud = ud };
	char *copy = malloc(len + 1);
	size_t start = 0;
	unsigned line = 0;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len);
	copy[len] = '\0';
	while (!r && start < len) {
		char *nl = memchr(copy + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - copy) : len;

		copy[end] = '\0';
		r = parse_line(&p, copy + start, end - start, ++line);
		start = end + 1;
	}
	free(copy);
	free(p.section);
	seen_clear(&p.sections);
	seen_clear(&p.keys);
	return r;
}
