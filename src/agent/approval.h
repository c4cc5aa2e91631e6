/* SPDX-License-Identifier: MIT */
#ifndef DH_AGENT_APPROVAL_H
#define DH_AGENT_APPROVAL_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/err.h"

struct tool_entry;
struct tool_env;
struct tool_preview;

/*
 * What an approval shows and which "always" rules answer it without asking:
 * the diff a file-changing call would make (the tool's preview, diffed by
 * snap/snap_diff.h), and the session's permission rules {tool, pattern}.
 */

/* The approval's diff for a call of `t` (heap, the caller frees it), or NULL
 * when the tool changes no file (no preview). A unified diff with 3 lines of
 * context against the file on disk; a rename is "rename from A" / "rename
 * to B"; a binary file, a file over 1 MiB or a directory is one summary
 * line; a call that would fail says so in one line ("(this call would fail:
 * …)"). Reads at most TOOL_PREVIEW_MAX bytes of the file; callable from the
 * loop. A diff over 256 KiB is cut on a line and says how many lines were
 * left out. `input` is the call's (validated or not). */
char *approval_diff(const struct tool_entry *t, const cJSON *input, struct tool_env *env);

/* The same diff text for a preview already made (tool_preview_call's result
 * `preview_rc`, its err_msg() as `why` when < 0). Memory work only (libgit2
 * on the two contents, no I/O, no shared state): it may run on a worker
 * thread, which keeps a big diff off the loop. Heap. */
char *approval_diff_of(const struct tool_preview *p, int preview_rc, const char *why);

/* One "always allow" rule. */
struct approval_rule {
	char *tool;    /* the tool's name (heap) */
	char *pattern; /* NULL: every call of the tool; run_command: a command
	                * prefix ending at a word boundary; file tools: a path
	                * glob (tool_glob_match) on each path of the call (heap) */
};

struct approval_rules {
	struct approval_rule *v;
	size_t n, cap;
};

void approval_rules_fini(struct approval_rules *r);
/* Add {tool, pattern} (copied; pattern NULL or "" = the whole tool); a rule
 * already there is not added twice. A path glob is first put in the form
 * the paths of calls are matched in (tool_display_path through `env`, which
 * may be NULL: then as given), so "./notes/x.md" and an absolute glob inside
 * the first grant match as "notes/x.md" does. DH_EPARSE when a pattern is
 * given for a tool that takes neither a command nor a path (the message
 * says which). */
int approval_rules_add(struct approval_rules *r, const char *tool, const char *pattern,
                       struct tool_env *env) DH_MUST_CHECK;
/* The first rule that allows this call (borrowed), or NULL. A command
 * holding a shell control character (; & | < > ` $ ( ) or a newline) never
 * matches a prefix rule: "git status; rm -rf ~" is asked. A file call
 * matches when every path it names (path, source, destination), in the
 * display form of tool_display_path(), matches the glob. */
const struct approval_rule *approval_rules_match(const struct approval_rules *r, const char *tool,
                                                 const cJSON *input, struct tool_env *env);
/* "run_command \"git status\"", "edit_file *.md" (a path glob), or
 * "write_file" (the whole tool); heap. */
char *approval_rule_describe(const struct approval_rule *rule);
/* [{tool, pattern?}] for the session snapshot (caller owns). */
cJSON *approval_rules_to_json(const struct approval_rules *r);

/* True when `command` begins with the words of `prefix` (a word boundary
 * after it) and holds no shell control character; exposed for tests. */
bool approval_prefix_match(const char *prefix, const char *command);

#endif
