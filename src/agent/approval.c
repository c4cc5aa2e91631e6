/* SPDX-License-Identifier: MIT */
/*
 * Approvals: the diff a file-changing call would make, and the session's
 * "always allow" rules. Not the approval flow itself (agent.c asks and
 * decides) nor how a client shows the diff.
 */
#include "agent/approval.h"

#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"
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
	buf_printf(b, "%s %s (%s): ", what, p->path, p->skip);
	if (p->old_size >= 0 && p->new_size >= 0)
		buf_printf(b, "%lld -> %lld bytes\n", p->old_size, p->new_size);
	else
		buf_printf(b, "%lld bytes\n", p->new_size >= 0 ? p->new_size : p->old_size);
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
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* The input keys a file tool names paths with. */
static const char *const path_keys[] = { "path", "source", "destination" };

/* What kind of pattern a tool takes: 'c' a command prefix, 'p' a path
 * glob, 0 none. */
static int
pattern_kind(const char *tool)
{
	if (!strcmp(tool, "run_command"))
		return 'c';
	const struct tool_entry *e = tool_find(tool);

	if (!e || !e->input_schema)
		return 0;
	for (size_t i = 0; i < sizeof path_keys / sizeof *path_keys; i++) {
		char *k = xasprintf("\"%s\":", path_keys[i]);
		bool has = strstr(e->input_schema, k) != NULL;

		free(k);
		if (has)
			return 'p';
	}
	return 0;
}

int
approval_rules_add(struct approval_rules *r, const char *tool, const char *pattern,
                   struct tool_env *env)
{
	char *norm = NULL;
	int kind = pattern_kind(tool);

	if (pattern && !*pattern)
		pattern = NULL;
	if (pattern && !kind)
		return err_setc(DH_EPARSE,
		                "always-allow pattern '%s': %s takes neither a command nor a "
		                "path (a pattern narrows run_command and the file tools)",
		                pattern, tool);
	if (pattern && kind == 'p' && env && (norm = tool_display_path(env, pattern)))
		pattern = norm;
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].tool, tool) &&
		    (pattern ? r->v[i].pattern && !strcmp(r->v[i].pattern, pattern)
		             : !r->v[i].pattern)) {
			free(norm);
			return 0;
		}
	ARRAY_GROW(r->v, r->n, r->cap, 1);
	r->v[r->n++] = (struct approval_rule){ .tool = xstrdup(tool),
		                               .pattern = pattern ? xstrdup(pattern) : NULL };
	free(norm);
	return 0;
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

static bool
paths_match(const char *glob, const cJSON *input, struct tool_env *env)
{
	size_t seen = 0;

	for (size_t i = 0; i < sizeof path_keys / sizeof *path_keys; i++) {
		const char *raw = json_str(input, path_keys[i]);

		if (!raw)
			continue;
		char *shown = tool_display_path(env, raw);
		bool ok = shown && tool_glob_match(glob, shown);

		free(shown);
		if (!ok)
			return false;
		seen++;
	}
	return seen > 0;
}

const struct approval_rule *
approval_rules_match(const struct approval_rules *r, const char *tool, const cJSON *input,
                     struct tool_env *env)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct approval_rule *rule = &r->v[i];

		if (strcmp(rule->tool, tool) != 0)
			continue;
		if (!rule->pattern)
			return rule;
		if (pattern_kind(tool) == 'c'
		            ? approval_prefix_match(rule->pattern, json_str(input, "command"))
		            : paths_match(rule->pattern, input, env))
			return rule;
	}
	return NULL;
}

char *
approval_rule_describe(const struct approval_rule *rule)
{
	if (!rule->pattern)
		return xasprintf("%s", rule->tool);
	if (pattern_kind(rule->tool) == 'c')
		return xasprintf("%s \"%s\"", rule->tool, rule->pattern);
	return xasprintf("%s %s", rule->tool, rule->pattern);
}

cJSON *
approval_rules_to_json(const struct approval_rules *r)
{
	cJSON *arr = json_new_arr();

	for (size_t i = 0; i < r->n; i++) {
		cJSON *o = json_new_obj();

		json_add_str(o, "tool", r->v[i].tool);
		if (r->v[i].pattern)
			json_add_str(o, "pattern", r->v[i].pattern);
		json_add(arr, NULL, o);
	}
	return arr;
}
