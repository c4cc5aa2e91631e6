/* SPDX-License-Identifier: MIT */
/* The options table, the config file parser and the load order. */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/xalloc.h"

struct option {
	const char *name;
	enum config_type type;
	const char *def;
	long min, max;
	const char *values; /* CONFIG_ENUM: "a|b" */
	const char *doc;
	size_t off;
};

static const struct option options[] = {
#define X(n, t, d, lo, hi, vals, doc) { #n, t, d, lo, hi, vals, doc, offsetof(struct config, n) },
	CONFIG_OPTIONS(X)
#undef X
};

static char **
slot(struct config *c, const struct option *o)
{
	return (char **)((char *)c + o->off);
}

/* True when `value` is one of the '|'-separated words of `values`. */
static bool
enum_has(const char *values, const char *value)
{
	size_t n = strlen(value);

	if (strchr(value, '|'))
		return false;
	for (const char *p = values; p; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL)
		if (n && strncmp(p, value, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return true;
	return false;
}

int
config_set(struct config *c, const char *name, const char *value, const char *where)
{
	for (size_t i = 0; i < sizeof options / sizeof *options; i++) {
		const struct option *o = &options[i];

		if (strcmp(o->name, name) != 0)
			continue;
		if (o->type == CONFIG_INT) {
			char *end;
			errno = 0;
			long v = strtol(value, &end, 10);
			if (errno || end == value || *end || v < o->min || v > o->max)
				return err_setc(DH_EPARSE, "%s: '%s' must be a whole number from %ld to %ld, not '%s'",
						where, name, o->min, o->max, value);
		}
		if (o->type == CONFIG_DURATION && config_duration_ms(value) < 0)
			return err_setc(DH_EPARSE, "%s: '%s' must be a duration such as 90s, 30m, "
						   "24h or 2d (0 = none), not '%s'",
					where, name, value);
		if (o->type == CONFIG_COST && config_cost(value) < 0)
			return err_setc(DH_EPARSE, "%s: '%s' must be an amount of US dollars such "
						   "as 0.50 (0 = no cap), not '%s'",
					where, name, value);
		if (o->type == CONFIG_ENUM && !enum_has(o->values, value))
			return err_setc(DH_EPARSE, "%s: '%s' must be one of %s, not '%s'", where, name,
					o->values, value);
		free(*slot(c, o));
		*slot(c, o) = xstrdup(value);
		return 0;
	}
	return err_setc(DH_EPARSE, "%s: unknown option '%s'", where, name);
}

long
config_int(const char *value)
{
	return strtol(value, NULL, 10);
}

long long
config_duration_ms(const char *value)
{
	static const struct {
		char unit;
		long long ms;
	} units[] = { { 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 }, { 'd', 86400000 } };
	char *end;

	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (errno || end == value || v < 0 || v > 366LL * 24 * 3600 || !isdigit((unsigned char)*value))
		return -1;
	if (!*end)
		return v * 1000;
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (end[0] == units[i].unit && !end[1])
			return v * units[i].ms;
	return -1;
}

double
config_cost(const char *value)
{
	char *end;

	errno = 0;
	double v = strtod(value, &end);
	if (errno || end == value || *end || !isdigit((unsigned char)*value) || !(v >= 0) ||
	    v > 1e9)
		return -1;
	return v;
}

static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Cut a trailing comment off a value: a '#' after a blank, outside double
 * quotes (`auto # why` is `auto`; `"a #1"` and `a#1` keep their '#'). */
static char *
strip_comment(char *v)
{
	bool quoted = false;

	for (char *p = v; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '#' && !quoted && p > v && isspace((unsigned char)p[-1])) {
			*p = '\0';
			break;
		}
	}
	return v;
}

int
config_load_file(struct config *c, const char *path)
{
	struct buf b = BUF_INIT;
	int rc = fsutil_read_file(path, 1 << 20, &b);
	size_t lineno = 0;

	if (rc < 0) {
		buf_fini(&b);
		return rc;
	}
	for (char *line = b.ptr, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char where[4200];
		snprintf(where, sizeof where, "%s:%zu", path, lineno);
		if (strncmp(s, "allow", 5) == 0 && isspace((unsigned char)s[5])) {
			char *what = trim(s + 5);

			if (strncmp(what, "egress", 6) != 0 || !isspace((unsigned char)what[6])) {
				rc = err_setc(DH_EPARSE, "%s: expected 'allow egress HOST[:PORT] "
							 "[allow-private]'", where);
				break;
			}
			ARRAY_PUSH(&c->egress, (struct config_line){ .text = xstrdup(trim(strip_comment(what + 6))),
			                                             .where = xstrdup(where) });
			continue;
		}
		if (strncmp(s, "bind", 4) == 0 && isspace((unsigned char)s[4])) {
			ARRAY_PUSH(&c->binds, (struct config_line){ .text = xstrdup(trim(s + 4)),
			                                            .where = xstrdup(where) });
			continue;
		}
		if (strncmp(s, "set", 3) != 0 || !isspace((unsigned char)s[3])) {
			char *w = s;
			while (*w && !isspace((unsigned char)*w))
				w++;
			*w = '\0';
			rc = err_setc(DH_EPARSE, "%s: unknown command '%s' (expected 'set NAME = VALUE', 'allow egress HOST' or 'bind CONTEXT KEY ACTION')",
				      where, s);
			break;
		}
		char *eq = strchr(s + 3, '=');
		if (!eq) {
			rc = err_setc(DH_EPARSE, "%s: expected 'set NAME = VALUE'", where);
			break;
		}
		*eq = '\0';
		char *name = trim(s + 3), *value = trim(eq + 1);
		value = trim(strip_comment(value));
		size_t vl = strlen(value);
		if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
			value[vl - 1] = '\0';
			value++;
		}
		if ((rc = config_set(c, name, value, where)) < 0)
			break;
	}
	buf_fini(&b);
	return rc;
}

int
config_load(struct config *c)
{
	int rc;

	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < sizeof options / sizeof *options; i++)
		*slot(c, &options[i]) = xstrdup(options[i].def);

	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *path = NULL;
	if (xdg && *xdg == '/')
		path = xasprintf("%s/deskhand/config", xdg);
	else if (home && *home)
		path = xasprintf("%s/.config/deskhand/config", home);
	if (path) {
		rc = config_load_file(c, path);
		free(path);
		if (rc < 0 && rc != DH_ENOTFOUND)
			return rc;
	}
	const char *extra = getenv("DH_CONFIG");
	if (extra && *extra) {
		rc = config_load_file(c, extra);
		if (rc < 0)
			return rc; /* named explicitly: a missing file is an error too */
	}
	return 0;
}

static void
lines_free(struct config_lines *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].text);
		free(l->v[i].where);
	}
	ARRAY_FREE(l);
}

void
config_fini(struct config *c)
{
	for (size_t i = 0; i < sizeof options / sizeof *options; i++) {
		free(*slot(c, &options[i]));
		*slot(c, &options[i]) = NULL;
	}
	lines_free(&c->egress);
	lines_free(&c->binds);
}

void
config_dump(const struct config *c)
{
	for (size_t i = 0; i < sizeof options / sizeof *options; i++) {
		const struct option *o = &options[i];

		const char *v = *(char *const *)((const char *)c + o->off);
		/* Quoted when a '#' would read as a comment or blanks would be lost. */
		bool quote = strstr(v, " #") || strstr(v, "\t#") ||
			     (*v && (isspace((unsigned char)*v) ||
				     isspace((unsigned char)v[strlen(v) - 1])));

		printf("# %s\nset %s = %s%s%s\n", o->doc, o->name, quote ? "\"" : "", v,
		       quote ? "\"" : "");
	}
	for (size_t i = 0; i < c->egress.n; i++)
		printf("allow egress %s\n", c->egress.v[i].text);
	for (size_t i = 0; i < c->binds.n; i++)
		printf("bind %s\n", c->binds.v[i].text);
}
