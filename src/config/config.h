/* SPDX-License-Identifier: MIT */
#ifndef DH_CONFIG_CONFIG_H
#define DH_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/array.h"
#include "core/err.h"

/*
 * Settings (DESIGN.md "Data on disk", STYLE.md §3.16): the built-in defaults,
 * then $XDG_CONFIG_HOME/deskhand/config (or ~/.config/deskhand/config), then
 * $DH_CONFIG, then command-line flags. Line format: `set NAME = VALUE`,
 * `# comment`, blank lines. An unknown option or a bad value is an error that
 * names file:line. (`bind`, `color` and rule lines arrive with the workbench
 * and the policy rules; until then they are errors too, never ignored.)
 */

#define CONFIG_OPTIONS(X)                                                                       \
	X(model, CONFIG_STR, "claude-sonnet-4-5", 0, 0, "Model name sent to the provider")     \
	X(provider, CONFIG_STR, "anthropic", 0, 0, "Model provider (anthropic)")              \
	X(base_url, CONFIG_STR, "https://api.anthropic.com", 0, 0,                              \
	  "Provider base URL (ANTHROPIC_BASE_URL overrides)")                                   \
	X(mode, CONFIG_STR, "ask", 0, 0, "Permission mode: ask or auto")                        \
	X(max_turns, CONFIG_INT, "100", 1, 10000, "Most model turns in one run")               \
	X(max_tokens, CONFIG_INT, "8192", 1, 128000, "Output token limit per model turn")      \
	X(max_retries, CONFIG_INT, "4", 0, 20, "Retries of a failed model request")            \
	X(idle_timeout, CONFIG_INT, "120", 5, 3600, "Seconds a stream may stay silent")        \
	X(command_timeout, CONFIG_INT, "120", 1, 86400, "Default run_command timeout, seconds") \
	X(large_file_limit, CONFIG_INT, "256", 1, 1048576,                                      \
	  "MiB: bigger files are not snapshotted and the agent may not change them")            \
	X(message_limit, CONFIG_INT, "16", 1, 1024,                                             \
	  "MiB: the most one model message may hold; a bigger one fails the turn")              \
	X(watch, CONFIG_STR, "on", 0, 0,                                                        \
	  "on: watch grants with inotify (incremental checkpoints); off: full scans")

enum config_type { CONFIG_STR, CONFIG_INT };

/* One config line kept as text for another module to check: the text and
 * its "FILE:LINE", both heap, owned by the struct config. */
struct config_line {
	char *text;
	char *where;
};
ARRAY_HEAD(config_lines, struct config_line);

struct config {
#define X(name, type, def, min, max, doc) char *name;
	CONFIG_OPTIONS(X)
#undef X
	/* `allow egress HOST[:PORT] [allow-private]` lines, in order (text: what
	 * follows "allow egress"); the rule syntax is checked by sandbox/egress.c
	 * (egress_allow) with `where`. */
	struct config_lines egress;
	/* `bind CONTEXT KEY ACTION` lines, in order (text: what follows "bind");
	 * the workbench checks and applies them (ui/keymap.h keymap_bind_line). */
	struct config_lines binds;
};

/* Fill `c` with the defaults, then the config files that exist. DH_EPARSE with
 * "FILE:LINE: message" on the first bad line. Free with config_fini(). */
int config_load(struct config *c) DH_MUST_CHECK;
/* Parse one file into `c`. Missing file: DH_ENOTFOUND (callers skip it). */
int config_load_file(struct config *c, const char *path) DH_MUST_CHECK;
/* Set NAME to VALUE with the table's checks; `where` prefixes errors. */
int config_set(struct config *c, const char *name, const char *value, const char *where)
	DH_MUST_CHECK;
/* Integer value of an option known to be CONFIG_INT. */
long config_int(const char *value);
void config_fini(struct config *c);
/* Print the effective configuration in the file's own format (--dump-config). */
void config_dump(const struct config *c);

#endif
