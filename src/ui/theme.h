/* SPDX-License-Identifier: MIT */
#ifndef DH_UI_THEME_H
#define DH_UI_THEME_H

#include <stdbool.h>

#include "core/err.h"

/*
 * Themes (STYLE.md §3.17): named UI elements mapped to colours and attributes
 * by a small line format (themes/ *.theme), resolved once for the terminal's
 * colour depth. The parser and theme_resolve() are pure (no curses, testable
 * without a terminal); theme_apply() is the thin curses glue. A theme is an
 * object the UI owns; there is no global theme state.
 */

struct theme; /* opaque */

/*
 * Elements: one X-macro gives the enum, the names used in theme files and
 * the order of the element layer. E(ENUM_SUFFIX, "file-name").
 */
#define THEME_ELEMENTS(E)                                                                          \
	E(NORMAL, "normal")                                                                        \
	E(STATUS, "status")                                                                        \
	E(STATUS_BUSY, "status-busy")                                                              \
	E(TITLE_FOCUS, "title-focus")                                                              \
	E(TITLE_BLUR, "title-blur")                                                                \
	E(BORDER, "border")                                                                        \
	E(CURSOR, "cursor")                                                                        \
	E(SELECTION, "selection")                                                                  \
	E(MUTED, "muted")                                                                          \
	E(USER, "user")                                                                            \
	E(ASSISTANT, "assistant")                                                                  \
	E(HEADING, "heading")                                                                      \
	E(EMPHASIS, "emphasis")                                                                    \
	E(CODE, "code")                                                                            \
	E(LIST_MARKER, "list-marker")                                                              \
	E(TOOL_CALL, "tool-call")                                                                  \
	E(TOOL_OUTPUT, "tool-output")                                                              \
	E(TOOL_ERROR, "tool-error")                                                                \
	E(DIFF_ADD, "diff-add")                                                                    \
	E(DIFF_DEL, "diff-del")                                                                    \
	E(DIFF_ADD_WORD, "diff-add-word")                                                          \
	E(DIFF_DEL_WORD, "diff-del-word")                                                          \
	E(DIFF_CONTEXT, "diff-context")                                                            \
	E(DIFF_HUNK, "diff-hunk")                                                                  \
	E(DIFF_FILE, "diff-file")                                                                  \
	E(PLAN_DONE, "plan-done")                                                                  \
	E(PLAN_TODO, "plan-todo")                                                                  \
	E(PLAN_CURRENT, "plan-current")                                                            \
	E(PLAN_SKIPPED, "plan-skipped")                                                            \
	E(PLAN_FAILED, "plan-failed")                                                              \
	E(ERROR, "error")                                                                          \
	E(WARNING, "warning")                                                                      \
	E(INFO, "info")                                                                            \
	E(INPUT, "input")                                                                          \
	E(PROMPT, "prompt")                                                                        \
	E(HELP, "help")                                                                            \
	E(SEARCH_MATCH, "search-match")                                                            \
	E(SPINNER, "spinner")

#define THEME_ENUM_(id, name) THEME_##id,
enum theme_element {
	THEME_ELEMENTS(THEME_ENUM_) THEME__COUNT
};
#undef THEME_ENUM_

/* Attribute bits of the pure layer (theme_apply maps them to curses A_*). */
enum theme_attr_bits {
	THEME_A_BOLD = 1u << 0,
	THEME_A_DIM = 1u << 1,
	THEME_A_UNDERLINE = 1u << 2,
	THEME_A_REVERSE = 1u << 3,
	THEME_A_ITALIC = 1u << 4,
	THEME_A_STANDOUT = 1u << 5,
};

/* One element after resolution for a given colour depth. */
struct theme_style {
	short fg;       /* -1 = terminal default, else 0 .. depth-1 */
	short bg;       /* same */
	unsigned attrs; /* THEME_A_* */
};

/* Every element resolved; what theme_apply() hands to init_pair. */
struct theme_resolved {
	bool mono;                           /* no colours: fg = bg = -1 everywhere */
	int depth;                           /* colours used: 0 (mono), 8, 16 or 256 */
	struct theme_style el[THEME__COUNT]; /* indexed by enum theme_element */
};

/*
 * Elements
 */

/* The element's file name ("diff-add"); NULL if e is out of range. Static
 * storage. */
const char *theme_element_name(enum theme_element e);

/* The element called `name`, or -1 if there is none. */
int theme_element_lookup(const char *name);

/*
 * Loading
 */

/* Load a theme into a new object (*out; free with theme_free()).
 * `name_or_path` is a path if it contains '/' or ends in ".theme"; else a name:
 * "default" and "mono" are compiled in (copies of themes/default.theme and
 * themes/mono.theme); other names are looked up as NAME.theme in, in order,
 * $XDG_CONFIG_HOME/deskhand/themes (or ~/.config/deskhand/themes),
 * $DH_THEMES_DIR if set else the install directory (DH_THEMES_DATADIR,
 * default /usr/local/share/deskhand/themes), then ./themes. NULL or "" means
 * "default". Problems inside the file (unknown elements, bad values, a broken
 * `inherit`) are not errors: they are collected, with file:line, for
 * theme_warnings(). Errors: DH_ENOTFOUND (no such theme; message names the
 * places tried), DH_EFAIL (unreadable file, bad name). *out is NULL on error.
 * Reads files; call it before or between frames, not from a draw callback. */
int theme_load(struct theme **out, const char *name_or_path) DH_MUST_CHECK;

/* The theme names theme_load() can find: the built-in ones and every
 * NAME.theme in the directories it searches, sorted, each once (appended to
 * *out, owned by the caller). For error messages and shell completion. */
struct strv;
void theme_names(struct strv *out);

/* Parse theme text held in memory (for tests and fuzzers); `file` names it in
 * warnings. `inherit` lines are looked up as theme_load() does. Errors: none
 * besides DH_EFAIL for NULL text; *out is always set on success. */
int theme_parse(struct theme **out, const char *file, const char *text) DH_MUST_CHECK;

/* The compiled-in text of a built-in theme ("default" or "mono"), or NULL.
 * Static storage; a unit test checks it equals themes/NAME.theme. */
const char *theme_builtin_text(const char *name);

/* Warnings from loading, one "file:line: message" per line, or NULL when the
 * theme loaded cleanly. Borrowed: valid until theme_free(). */
const char *theme_warnings(const struct theme *t);

/* The theme's name (file base name without ".theme"). Borrowed. */
const char *theme_name(const struct theme *t);

/* True for a theme that must never use colours (the built-in "mono"): the UI
 * then skips start_color() as it does for theme_is_mono_terminal(). */
bool theme_is_mono(const struct theme *t);

/* True when the terminal must be driven without colours: NO_COLOR set and
 * non-empty, TERM unset, empty or "dumb", or !has_colors(). Pure: pass
 * getenv("NO_COLOR"), getenv("TERM") and has_colors(). */
bool theme_is_mono_terminal(const char *no_color, const char *term, bool has_colors);

/* Free a theme; NULL is a no-op. */
void theme_free(struct theme *t);

/*
 * Resolution
 */

/* Pure: resolve every element for a terminal with `colors` colours (curses'
 * COLORS). #rrggbb → nearest xterm-256 index (6x6x6 cube vs grey ramp);
 * below 256 colours the first `A|B` alternative that fits, else the 256→16
 * mapping; below 16, bright colours become their base colour plus
 * THEME_A_BOLD (foreground only). Depths between 16 and 255 count as 16;
 * depths above 256 (direct-colour terminfo, which reads indices >= 8 as RGB)
 * count as 8. `mono`, theme_is_mono(t) or colors < 8 → no colours, each
 * element uses its MONO attributes. Never returns an index >= colors. */
void theme_resolve(const struct theme *t, int colors, bool mono, struct theme_resolved *out);

/* Curses glue. Call once after start_color() (or, in mono, without it) and
 * again after loading another theme: resolves for `colors`, calls
 * use_default_colors() and init_pair() for each distinct fg/bg, and caches
 * one attribute value per element. In mono it calls no colour function.
 * Errors: DH_EFAIL if init_pair fails (message names the pair); the theme
 * then stays usable with attributes only. */
int theme_apply(struct theme *t, int colors, bool mono) DH_MUST_CHECK;

/* The curses attributes for an element (attr_t | COLOR_PAIR(n)) as cached by
 * the last theme_apply(); 0 (A_NORMAL) before that or for an out-of-range e.
 * Pure getter, safe in draw callbacks. */
unsigned long theme_attr(const struct theme *t, enum theme_element e);

#endif
