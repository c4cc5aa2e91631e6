/* SPDX-License-Identifier: MIT */
#ifndef DH_AGENT_APPROVAL_H
#define DH_AGENT_APPROVAL_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "config/config.h"
#include "core/err.h"

struct tool_entry;
struct tool_env;
struct tool_preview;

/*
 * What an approval shows and which rules answer a call without the tool's
 * default: the diff a file-changing call would make (the tool's preview,
 * diffed by snap/snap_diff.h), and the permission rules (allow, ask, deny)
 * of the config files and of the session's "always allow".
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

/* One permission rule: a config line (config/config.h: `allow|ask|deny
 * TOOL[(PATTERN)]`) or an "always allow" the person gave this session. */
struct approval_rule {
	enum config_verdict verdict;
	char *tool;    /* a tool name, an fnmatch(3) glob on names, or a group of
	                * built-in tools: "write" (those that change files) or
	                * "read" (the read-only ones that read files) (heap) */
	char *pattern; /* NULL: every call of the tool; run_command: a command
	                * prefix ending at a word boundary; file tools: a path
	                * glob (tool_glob_match) on the paths of the call (heap) */
	char *where;   /* "FILE:LINE" of a config rule; NULL: given this session */
};

struct approval_rules {
	struct approval_rule *v;
	size_t n, cap;
};

void approval_rules_fini(struct approval_rules *r);
/* Add an "always allow" {tool, pattern} given this session (copied; pattern
 * NULL or "" = the whole tool); a rule already there is not added twice. A
 * path glob is first put in the form the paths of calls are matched in
 * (tool_display_path through `env`, which may be NULL: then as given), so
 * "./notes/x.md" and an absolute glob inside the first grant match as
 * "notes/x.md" does. DH_EPARSE when a pattern is given for a tool that takes
 * neither a command nor a path (the message says which). */
int approval_rules_add(struct approval_rules *r, const char *tool, const char *pattern,
                       struct tool_env *env) DH_MUST_CHECK;
/* Add a config rule (copied, `where` included), its path glob normalized as
 * approval_rules_add() does. A tool name that is no tool of the registry
 * (an MCP tool, a glob) is kept; a pattern on a registry tool that takes
 * neither a command nor a path is DH_EPARSE "FILE:LINE: …". */
int approval_rules_add_config(struct approval_rules *r, const struct config_rule *c,
                              struct tool_env *env) DH_MUST_CHECK;
/* The rule that decides a call of `tool` with `input` (borrowed), or NULL
 * when none matches (the tool's default applies). Deny beats everything:
 * the first matching deny rule, else the first matching ask rule, else the
 * first matching allow rule (config allow rules come before the session's,
 * being added first). A tool name glob is matched with fnmatch(3); a group
 * name ("write", "read": approval_group_members) matches each built-in tool
 * of the group, its pattern a path glob as for the file tools.
 *
 * Patterns, for an allow rule: a command holding a shell control character
 * (; & | < > ` $ ( ) or a newline) never matches a prefix ("git status; rm
 * -rf ~" is asked); a file call matches when every path it names (path,
 * source, destination), in the display form of tool_display_path(), matches
 * the glob. For deny and ask rules, which must not be slipped past: a
 * command matches when any of its pieces between control characters begins
 * with the prefix; a file call matches when any of its paths matches (as
 * shown, or as written when it does not resolve; '*' matching a leading dot
 * too: "*.env" denies ".env"); a
 * pattern on a tool that takes neither a command nor a path (an MCP tool
 * without a "path" argument) matches every call. */
const struct approval_rule *approval_rules_decide(const struct approval_rules *r,
                                                  const char *tool, const cJSON *input,
                                                  struct tool_env *env);
/* The built-in tools a group name of rules stands for, in registry order:
 * "write_file, edit_file, …" for "write" (every tool with a preview that
 * names paths: the tools that change files), the read-only tools that name
 * paths for "read"; heap. NULL when `name` is no group (a tool name, or a
 * name nothing has: such a rule is kept and matches no call). */
char *approval_group_members(const char *name);
/* "run_command \"git status\"", "edit_file *.md" (a path glob), or
 * "write_file" (the whole tool); heap. */
char *approval_rule_describe(const struct approval_rule *rule);
/* Why a rule decided: "rule 'deny write_file(*.env)' (FILE:12)" for a config
 * rule, "always allowed this session (run_command \"git status\")" for
 * one given this session; heap. */
char *approval_rule_reason(const struct approval_rule *rule);
/* The config line that keeps an "always allow" {tool, pattern} for later
 * sessions: "allow run_command(git status)", "allow write_file" or, for a
 * path glob, the glob made absolute in the first grant of `env` (a later
 * session may grant other folders): "notes/a*" in grant /home/p/g is saved
 * as "allow edit_file(/home/p/g/notes/a*)".
 * Heap. */
char *approval_rule_save_line(const char *tool, const char *pattern, struct tool_env *env);
/* The session's own "always allow" rules [{tool, pattern?}] for the session
 * snapshot (caller owns); config rules are left out. */
cJSON *approval_rules_to_json(const struct approval_rules *r);

/* True when `command` begins with the words of `prefix` (a word boundary
 * after it) and holds no shell control character; exposed for tests. */
bool approval_prefix_match(const char *prefix, const char *command);

#endif
