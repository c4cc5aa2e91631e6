/* SPDX-License-Identifier: MIT */
/*
 * The .deskhandignore matcher (gitignore's common subset, see ignore.h).
 * Parses rules and matches paths; does not walk folders.
 */
#include "core/ignore.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/strv.h"
#include "core/xalloc.h"

/* Built-in rules, read before the folder's file (which can re-include with
 * `!`): office suites' lock files, which say that a document is open and
 * must never be stored, listed or removed by undo. */
static const char *const builtin_rules[] = {
	".~lock.*#", /* LibreOffice / OpenOffice */
	"~$*",       /* Microsoft Office (owner file) */
	"~WRL*.tmp", /* Microsoft Word's temporary copy while saving */
};

struct rule {
	struct strv segs; /* pattern components; "**" matches any number of them */
	bool negate;   /* `!pattern` */
	bool dir_only; /* `pattern/` */
	bool anchored; /* matched from the root; else against the last component */
};

struct ignore {
	ARRAY(struct rule) rules;
};

static void
add_rule(struct ignore *ig, char *pat)
{
	struct rule r = { 0 };
	size_t len = strlen(pat);

	if (pat[0] == '!') {
		r.negate = true;
		pat++;
		len--;
	} else if (pat[0] == '\\' && (pat[1] == '!' || pat[1] == '#')) {
		pat++;
		len--;
	}
	if (len && pat[len - 1] == '/') {
		r.dir_only = true;
		pat[--len] = '\0';
	}
	if (!len)
		return;
	if (pat[0] == '/') {
		r.anchored = true;
		pat++;
	} else if (strchr(pat, '/')) {
		r.anchored = true;
	}
	if (!*pat)
		return;
	for (char *save = NULL, *tok = strtok_r(pat, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		strv_add(&r.segs, tok);
	}
	ARRAY_PUSH(&ig->rules, r);
}

void
ignore_parse(struct ignore **out, const char *text, size_t len)
{
	struct ignore *ig = xcalloc(1, sizeof *ig);
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n);
		size_t l = n;

		p += n + (nl ? 1 : 0);
		if (l && line[l - 1] == '\r')
			line[--l] = '\0';
		/* Trailing spaces are trimmed unless escaped with a backslash. */
		while (l && line[l - 1] == ' ' && !(l >= 2 && line[l - 2] == '\\'))
			line[--l] = '\0';
		if (l && line[0] != '#')
			add_rule(ig, line);
		free(line);
	}
	*out = ig;
}

/* The built-in rules, then `b` (a folder's file) when not NULL. */
static void
parse_with_builtin(struct ignore **out, const struct buf *b)
{
	struct buf text = BUF_INIT;

	for (size_t i = 0; i < sizeof builtin_rules / sizeof *builtin_rules; i++)
		buf_printf(&text, "%s\n", builtin_rules[i]);
	if (b)
		buf_add(&text, b->ptr, b->len);
	ignore_parse(out, buf_cstr(&text), text.len);
	buf_fini(&text);
}

int
ignore_load(struct ignore **out, const char *folder)
{
	struct buf b = BUF_INIT;
	char *path = xasprintf("%s/%s", folder, IGNORE_FILE);
	int rc = fsutil_read_file(path, IGNORE_FILE_MAX, &b);

	if (rc == DH_ENOTFOUND)
		rc = 0;
	parse_with_builtin(out, rc == 0 ? &b : NULL);
	buf_fini(&b);
	free(path);
	return rc;
}

void
ignore_builtin(struct ignore **out)
{
	parse_with_builtin(out, NULL);
}

void
ignore_builtin_with(struct ignore **out, const char *text)
{
	struct buf b = BUF_INIT;

	if (text)
		buf_puts(&b, text);
	parse_with_builtin(out, text ? &b : NULL);
	buf_fini(&b);
}

void
ignore_free(struct ignore *ig)
{
	if (!ig)
		return;
	for (size_t i = 0; i < ig->rules.n; i++)
		strv_free(&ig->rules.v[i].segs);
	ARRAY_FREE(&ig->rules);
	free(ig);
}

size_t
ignore_count(const struct ignore *ig)
{
	return ig ? ig->rules.n : 0;
}

/* Match pattern components against path components; "**" spans any number,
 * every other component matches exactly one. Wildcard matching that retries
 * only from the last "**" (what follows it is matched leftmost): at most
 * np * nc steps, where trying every split for every "**" was exponential. */
static bool
match_segs(char *const *ps, size_t np, char *const *cs, size_t nc)
{
	size_t p = 0, c = 0, star_p = SIZE_MAX, star_c = 0;

	while (c < nc) {
		if (p < np && !strcmp(ps[p], "**")) {
			star_p = p++;
			star_c = c;
		} else if (p < np && fnmatch(ps[p], cs[c], 0) == 0) {
			p++, c++;
		} else if (star_p != SIZE_MAX) {
			p = star_p + 1;
			c = ++star_c;
		} else {
			return false;
		}
	}
	while (p < np && !strcmp(ps[p], "**"))
		p++;
	return p == np;
}

static bool
rule_matches(const struct rule *r, char *const *cs, size_t nc, bool is_dir)
{
	if (r->dir_only && !is_dir)
		return false;
	if (!r->anchored)
		return r->segs.n == 1 && nc && fnmatch(r->segs.v[0], cs[nc - 1], 0) == 0;
	return match_segs(r->segs.v, r->segs.n, cs, nc);
}

/* Split `rel` in place into at most `max` components. */
static size_t
split(char *rel, char **cs, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *tok = strtok_r(rel, "/", &save); tok && n < max;
	     tok = strtok_r(NULL, "/", &save))
		cs[n++] = tok;
	return n;
}

static bool
match_comps(const struct ignore *ig, char *const *cs, size_t nc, bool is_dir)
{
	bool ignored = false;

	for (size_t i = 0; i < ig->rules.n; i++)
		if (ig->rules.v[i].negate == ignored && rule_matches(&ig->rules.v[i], cs, nc, is_dir))
			ignored = !ignored;
	return ignored;
}

bool
ignore_match(const struct ignore *ig, const char *rel, bool is_dir)
{
	char *cs[256], *copy;
	bool hit;

	if (!ig || !ig->rules.n)
		return false;
	copy = xstrdup(rel);
	hit = match_comps(ig, cs, split(copy, cs, 256), is_dir);
	free(copy);
	return hit;
}

bool
ignore_match_path(const struct ignore *ig, const char *rel, bool is_dir)
{
	char *cs[256], *copy;
	bool hit = false;
	size_t n;

	if (!ig || !ig->rules.n)
		return false;
	copy = xstrdup(rel);
	n = split(copy, cs, 256);
	for (size_t k = 1; k <= n && !hit; k++)
		hit = match_comps(ig, cs, k, k < n || is_dir);
	free(copy);
	return hit;
}
