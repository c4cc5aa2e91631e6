/* SPDX-License-Identifier: MIT */
/*
 * Approvals: the diff a file-changing call would make, and the permission
 * rules (the config's allow/ask/deny lines and the session's "always
 * allow") with the one matcher that decides which of them answers a call. Not the approval flow itself (agent.c asks and
 * decides) nor how a client shows the diff.
 */
#include "agent/approval.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "policy/grant.h"
#include "snap/snap_diff.h"
#include "tools/tool.h"

#define SHELL_CONTROL ";&|<>`$()\n\r"
#define DIFF_MAX      (256u << 10) /* bytes of diff an approval carries */

/* One summary line for a change whose content is not shown. */
static void
summary_line(struct buf *b, const struct tool_preview *p)
{
	const char *what = !p->old_exists ? "new" : !p->new_exists ? "deleted" : "changed";

	if (p->is_dir && p->old_exists && p->new_exists) {
		buf_printf(b, "directory %s (already there)\n", p->path);
		return;
	}
	if (p->is_dir) {
		buf_printf(b, "%s directory %s\n", what, p->path);
		return;
	}
	buf_printf(b, "%s %s (%s)", what, p->path, p->skip);
	if (p->old_size >= 0 && p->new_size >= 0)
		buf_printf(b, ": %lld -> %lld bytes\n", p->old_size, p->new_size);
	else if (p->new_size < 0 && p->old_size < 0) /* a new file the call builds */
		buf_putc(b, '\n');
	else
		buf_printf(b, ": %lld bytes\n", p->new_size >= 0 ? p->new_size : p->old_size);
}

char *
approval_diff_of(const struct tool_preview *p, int preview_rc, const char *why)
{
	struct buf b = BUF_INIT;

	if (preview_rc < 0) {
		buf_printf(&b, "(this call would fail: %s)\n", why ? why : "unknown error");
	} else if (p->old_path) {
		buf_printf(&b, "rename from %s\nrename to %s\n", p->old_path, p->path);
	} else if (p->skip) {
		summary_line(&b, p);
	} else if (snap_diff_buffers(
			   &b, p->path, p->old_exists ? (p->old.ptr ? p->old.ptr : "") : NULL,
			   p->old.len, p->new_exists ? (p->new.ptr ? p->new.ptr : "") : NULL,
			   p->new.len) < 0) {
		buf_printf(&b, "(no diff: %s)\n", err_msg());
	} else if (!b.len) {
		buf_printf(&b, "(no change to %s)\n", p->path);
	}
	if (b.len > DIFF_MAX) { /* cut on a line, and say how much is left out */
		size_t cut = DIFF_MAX, more = 0;

		while (cut > 0 && b.ptr[cut - 1] != '\n')
			cut--;
		for (size_t i = cut; i < b.len; i++)
			more += b.ptr[i] == '\n';
		b.len = cut;
		b.ptr[cut] = '\0';
		buf_printf(&b, "… %zu more lines of diff not shown (over 256 KiB)\n", more);
	}
	return buf_detach(&b);
}

char *
approval_diff(const struct tool_entry *t, const cJSON *input, struct tool_env *env)
{
	struct tool_preview p;

	if (!t || !t->preview)
		return NULL;
	tool_preview_init(&p);
	int rc = tool_preview_call(t, input, env, &p);
	char *d = approval_diff_of(&p, rc, rc < 0 ? err_msg() : NULL);

	tool_preview_fini(&p);
	return d;
}

/*
 * Rules
 */

void
approval_rules_fini(struct approval_rules *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].tool);
		free(r->v[i].pattern);
		free(r->v[i].where);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* The input keys a file tool names paths with. */
static const char *const path_keys[] = { "path", "source", "destination" };

/* Whether the tool `e` names paths (one of path_keys is in its schema). */
static bool
takes_paths(const struct tool_entry *e)
{
	if (!e->input_schema)
		return false;
	/* as the schema's properties name them: path_keys, quoted */
	static const char *const props[] = { "\"path\":", "\"source\":", "\"destination\":" };
	_Static_assert(sizeof props / sizeof *props == sizeof path_keys / sizeof *path_keys,
		       "one quoted property per path key");

	for (size_t i = 0; i < sizeof props / sizeof *props; i++)
		if (strstr(e->input_schema, props[i]))
			return true;
	return false;
}

/* A tool that changes files at its paths: it has a preview (tool.h: the
 * file-changing tools have one) and names paths. */
static bool
changes_files(const struct tool_entry *e)
{
	return e->preview && takes_paths(e);
}

/* A read-only tool that reads files at its paths. */
static bool
reads_files(const struct tool_entry *e)
{
	return (e->flags & TOOL_F_READONLY) && takes_paths(e);
}

/* The reserved rule names that stand for a group of built-in tools, their
 * members taken from the registry's flags (so a new file tool joins its
 * group by being one). Connector tools belong to none. */
static const struct rule_group {
	const char *name;
	bool (*member)(const struct tool_entry *e);
} rule_groups[] = {
	{ "write", changes_files },
	{ "read", reads_files },
};

static const struct rule_group *
rule_group(const char *name)
{
	for (size_t i = 0; i < sizeof rule_groups / sizeof *rule_groups; i++)
		if (!strcmp(rule_groups[i].name, name))
			return &rule_groups[i];
	return NULL;
}

/* Whether a rule naming `rule_tool` names the tool `tool`: the same name,
 * an fnmatch(3) glob on names, or a group holding the built-in tool. */
static bool
rule_names(const char *rule_tool, const char *tool)
{
	const struct rule_group *g;
	const struct tool_entry *e;

	if (!strcmp(rule_tool, tool) || fnmatch(rule_tool, tool, 0) == 0)
		return true;
	return (g = rule_group(rule_tool)) && (e = tool_find(tool)) && g->member(e);
}

char *
approval_group_members(const char *name)
{
	const struct rule_group *g = rule_group(name);
	struct buf b = { 0 };

	if (!g)
		return NULL;
	for (size_t i = 0; i < tool_count(); i++)
		if (g->member(tool_at(i)))
			buf_printf(&b, "%s%s", b.len ? ", " : "", tool_at(i)->name);
	return buf_detach(&b);
}

/* What kind of pattern a tool takes: 'c' a command prefix, 'p' a path
 * glob (a group of file tools too), 0 none; -1 for a name the registry does
 * not know. `env` (may be NULL) is where tools defined at run time would be
 * found. */
static int
pattern_kind(const char *tool, const struct tool_env *env)
{
	if (!strcmp(tool, "run_command"))
		return 'c';
	if (rule_group(tool))
		return 'p';
	const struct tool_entry *e = env ? tool_env_find(env, tool) : tool_find(tool);

	if (!e)
		return -1;
	return takes_paths(e) ? 'p' : 0;
}

/* Add a rule unless the same one is there; `where` NULL for the session's. */
/* An absolute path glob written through a symlink (the grant granted as
 * ~/notes, a link to ~/real): the grants are real paths, so the glob named
 * no file of theirs and a deny rule never matched. Its folder part (up to
 * the first component with a glob character; the nearest folder of it that
 * exists) is resolved, and the glob shown as tool_display_path() shows a
 * path; heap, or NULL when nothing of it resolves elsewhere or the result
 * is in no grant. */
static char *
pattern_via_realpath(struct tool_env *env, const char *pattern)
{
	char *dir, *real = NULL, *shown = NULL;
	size_t n;

	if (pattern[0] != '/')
		return NULL;
	dir = xstrndup(pattern, strcspn(pattern, "*?["));
	for (;;) {
		char *slash = strrchr(dir, '/');

		if (!slash || slash == dir)
			break;
		*slash = '\0'; /* dir: a folder above the first glob character */
		if ((real = realpath(dir, NULL)))
			break;
	}
	n = strlen(dir);
	if (real && strcmp(real, dir)) {
		char *full = xasprintf("%s%s", real, pattern + n);

		shown = tool_display_path(env, full);
		free(full);
	}
	free(real);
	free(dir);
	return shown;
}

static int
add_rule(struct approval_rules *r, enum config_verdict verdict, const char *tool,
	 const char *pattern, const char *where, struct tool_env *env)
{
	char *norm = NULL;
	int kind = pattern_kind(tool, env);

	if (pattern && !*pattern)
		pattern = NULL;
	if (pattern && (kind == 0 || (kind < 0 && !where)))
		return err_setc(DH_EPARSE,
		                "%s%s%s pattern '%s': %s takes neither a command nor a path (a "
		                "pattern narrows run_command and the file tools)",
		                where ? where : "", where ? ": " : "",
		                where ? "rule" : "always-allow", pattern, tool);
	if (pattern && kind == 'p' && env && !(norm = tool_display_path(env, pattern)))
		norm = pattern_via_realpath(env, pattern);
	if (pattern && kind == 'p' && env && norm) {
		/* "./X.md" or "/GRANT0/X.md" (X a star) shown as "X.md" would match at any
		 * depth: a glob that named its folder stays anchored there. */
		if (strchr(pattern, '/') && !strchr(norm, '/')) {
			char *top = xasprintf("./%s", norm);

			free(norm);
			norm = top;
		}
		pattern = norm;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct approval_rule *o = &r->v[i];

		/* Config lines are all kept, for `deskhand rules` to list. */
		if (!where && !o->where && o->verdict == verdict && !strcmp(o->tool, tool) &&
		    (pattern ? o->pattern && !strcmp(o->pattern, pattern) : !o->pattern)) {
			free(norm);
			return 0;
		}
	}
	ARRAY_GROW(r->v, r->n, r->cap, 1);
	r->v[r->n++] = (struct approval_rule){ .verdict = verdict,
		                               .tool = xstrdup(tool),
		                               .pattern = pattern ? xstrdup(pattern) : NULL,
		                               .where = where ? xstrdup(where) : NULL };
	free(norm);
	return 0;
}

int
approval_rules_add(struct approval_rules *r, const char *tool, const char *pattern,
                   struct tool_env *env)
{
	return add_rule(r, CONFIG_ALLOW, tool, pattern, NULL, env);
}

int
approval_rules_add_config(struct approval_rules *r, const struct config_rule *c,
                          struct tool_env *env)
{
	return add_rule(r, c->verdict, c->tool, c->pattern, c->where ? c->where : "config", env);
}

bool
approval_prefix_match(const char *prefix, const char *command)
{
	if (!prefix || !command)
		return false;
	prefix += strspn(prefix, " \t");
	command += strspn(command, " \t");
	size_t n = strlen(prefix);

	while (n > 0 && (prefix[n - 1] == ' ' || prefix[n - 1] == '\t'))
		n--;
	if (!n || strpbrk(command, SHELL_CONTROL))
		return false;
	return !strncmp(command, prefix, n) &&
	       (command[n] == '\0' || command[n] == ' ' || command[n] == '\t');
}

/* Deny and ask: some piece of `command` between shell control characters
 * begins with the words of `prefix`. */
static bool
any_piece_match(const char *prefix, const char *command)
{
	if (!prefix || !command)
		return false;
	for (const char *p = command;; p++) {
		size_t n = strcspn(p, SHELL_CONTROL);
		char *piece = xstrndup(p, n);
		bool ok = approval_prefix_match(prefix, piece);

		free(piece);
		if (ok)
			return true;
		p += n;
		if (!*p)
			return false;
	}
}

/* Every path of the call matches (all = true), or any does; none named is
 * no match. */
static bool
paths_match(const char *glob, const cJSON *input, struct tool_env *env, bool all)
{
	size_t seen = 0;

	for (size_t i = 0; i < sizeof path_keys / sizeof *path_keys; i++) {
		const char *raw = json_str(input, path_keys[i]);

		if (!raw)
			continue;
		char *shown = tool_display_path(env, raw);
		bool ok = all ? shown && tool_glob_match(glob, shown)
			      /* a path that does not resolve (yet: the call makes
			       * its folder) is matched as written too */
			      : (shown && tool_glob_match_dots(glob, shown)) ||
					tool_glob_match_dots(glob, raw);

		free(shown);
		if (ok && !all)
			return true;
		if (!ok && all)
			return false;
		seen++;
	}
	return all && seen > 0;
}

static bool
rule_matches(const struct approval_rule *rule, const char *tool, const cJSON *input,
	     struct tool_env *env)
{
	bool strict = rule->verdict == CONFIG_ALLOW; /* only a sure match allows */

	if (!rule_names(rule->tool, tool))
		return false;
	if (!rule->pattern)
		return true;
	switch (pattern_kind(tool, env)) {
	case 'c':
		return strict ? approval_prefix_match(rule->pattern, json_str(input, "command"))
			      : any_piece_match(rule->pattern, json_str(input, "command"));
	case 'p':
		return paths_match(rule->pattern, input, env, strict);
	default:
		return !strict;
	}
}

const struct approval_rule *
approval_rules_decide(const struct approval_rules *r, const char *tool, const cJSON *input,
                      struct tool_env *env)
{
	/* enum config_verdict is in the order of precedence: deny first. */
	for (int v = CONFIG_DENY; v <= CONFIG_ALLOW; v++)
		for (size_t i = 0; i < r->n; i++)
			if ((int)r->v[i].verdict == v && rule_matches(&r->v[i], tool, input, env))
				return &r->v[i];
	return NULL;
}

char *
approval_rule_describe(const struct approval_rule *rule)
{
	if (!rule->pattern)
		return xasprintf("%s", rule->tool);
	if (pattern_kind(rule->tool, NULL) == 'c')
		return xasprintf("%s \"%s\"", rule->tool, rule->pattern);
	return xasprintf("%s %s", rule->tool, rule->pattern);
}

char *
approval_rule_reason(const struct approval_rule *rule)
{
	if (!rule->where) {
		char *what = approval_rule_describe(rule);
		char *why = xasprintf("always allowed this session (%s)", what);

		free(what);
		return why;
	}
	struct config_rule c = { .verdict = rule->verdict, .tool = rule->tool,
		                 .pattern = rule->pattern };
	char *line = config_rule_format(&c);
	char *why = xasprintf("rule '%s' (%s)", line, rule->where);

	free(line);
	return why;
}

char *
approval_rule_save_line(const char *tool, const char *pattern, struct tool_env *env)
{
	if (!pattern || !*pattern)
		return xasprintf("allow %s", tool);
	if (pattern_kind(tool, env) != 'p' || !env || !env->grants || !grant_count(env->grants))
		return xasprintf("allow %s(%s)", tool, pattern);
	char *shown = tool_display_path(env, pattern);
	const char *p = shown ? shown : pattern;
	char *line = *p == '/' ? xasprintf("allow %s(%s)", tool, p)
			       : xasprintf("allow %s(%s/%s)", tool,
					   grant_get(env->grants, 0)->path, p);

	free(shown);
	return line;
}

cJSON *
approval_rules_to_json(const struct approval_rules *r)
{
	cJSON *arr = json_new_arr();

	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].where)
			continue;
		cJSON *o = json_new_obj();

		json_add_str(o, "tool", r->v[i].tool);
		if (r->v[i].pattern)
			json_add_str(o, "pattern", r->v[i].pattern);
		json_add(arr, NULL, o);
	}
	return arr;
}
