/* SPDX-License-Identifier: MIT */
#ifndef DH_UI_DRAW_H
#define DH_UI_DRAW_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

struct buf;
struct theme;

/*
 * Styled text on curses windows: UI elements → attributes (through the
 * theme once it is loaded), sanitized UTF-8 with wide and combining
 * characters measured by wcwidth, clipping, and inline style markers.
 *
 * Inline markers: text that went through draw_sanitize() never contains C0
 * bytes, so five of them toggle styles inside a line: DRAW_BOLD, DRAW_EM
 * (italic, underline where italic is unknown), DRAW_CODE, DRAW_HL (the
 * changed part of a diff line: draw_hl_attr()) and DRAW_LINK (a link's text:
 * UI_LINK's attribute while it is on, the style before it after).
 */

#define DRAW_BOLD '\001'
#define DRAW_EM	  '\002'
#define DRAW_CODE '\003'
#define DRAW_HL	  '\004'
#define DRAW_LINK '\005'

#define UI_ELEMENTS(X)                                                                     \
	X(UI_NORMAL) X(UI_STATUS) X(UI_TITLE_FOCUS) X(UI_TITLE_BLUR) X(UI_CURSOR) X(UI_USER)  \
	X(UI_ASSISTANT) X(UI_HEADING) X(UI_CODE) X(UI_TOOL_CALL) X(UI_TOOL_OUTPUT)           \
	X(UI_DIFF_ADD) X(UI_DIFF_DEL) X(UI_DIFF_HUNK) X(UI_DIFF_FILE) X(UI_PLAN_DONE)        \
	X(UI_PLAN_TODO) X(UI_PLAN_CURRENT) X(UI_ERROR) X(UI_INPUT) X(UI_HELP) X(UI_PROMPT)   \
	X(UI_DIM) X(UI_SEARCH) X(UI_BORDER) X(UI_LINK)

enum ui_elem {
#define X(e) e,
	UI_ELEMENTS(X)
#undef X
	UI__COUNT
};

/* Set up once after initscr: the applied theme (borrowed; NULL: a built-in
 * fallback palette, colour pairs unless `mono`) and whether the locale is
 * UTF-8 (else ASCII marks). */
void draw_setup(const struct theme *t, bool mono, bool utf8);
/* The attribute of an element. The one place the theme plugs in. */
attr_t draw_attr(enum ui_elem e);
/* The attribute of a DRAW_HL part of a line drawn as `e`: the theme's
 * diff-add-word / diff-del-word for UI_DIFF_ADD / UI_DIFF_DEL, else (and
 * with the built-in palette) e's attribute with reverse video toggled, as
 * git's diff-highlight does. */
attr_t draw_hl_attr(enum ui_elem e);
bool draw_is_utf8(void);
/* A mark in UTF-8 or its ASCII fallback, by the current locale. */
const char *draw_mark(const char *utf8, const char *ascii);

/* Append s[0..n) to out, safe to draw (utf8_sanitize with the locale's
 * ASCII flag); with keep_nl newlines stay. */
void draw_sanitize(struct buf *out, const char *s, size_t n, bool keep_nl);
/* Append the file or folder name s (NUL-terminated) to out as
 * draw_sanitize() does, a tab shown as "^I" too (UTF8_NAME): as spaces it
 * would show another name. */
void draw_sanitize_name(struct buf *out, const char *s);

/* Which markers are on after s[0..n) when `st` were on before it: a bit set
 * (1 << k for the k-th of DRAW_BOLD..DRAW_LINK). */
unsigned draw_markers_after(const char *s, size_t n, unsigned st);
/* True when c is one of the in-line style markers (DRAW_BOLD, DRAW_EM,
 * DRAW_CODE, DRAW_HL, DRAW_LINK): text to copy or measure leaves them out. */
bool draw_is_marker(char c);
/* Append the markers of the set `st` (draw_markers_after) to b, in a fixed
 * order: at the start of a line they turn them on, at its end off. */
void draw_put_markers(struct buf *b, unsigned st);

/* Display columns of sanitized text (markers count 0). */
int draw_width(const char *s);
/* Bytes of s that fit in `cols` columns (whole characters, combining
 * marks kept with their base); *used gets their width. */
size_t draw_fit(const char *s, int cols, int *used);

/* Append sanitized text s (no markers) to out in at most `cols` columns:
 * whole when it fits, else its middle replaced by an ellipsis ("…", "..."
 * without a UTF-8 locale) with about a third of the room for its start and
 * the rest for its end (a path's file name and extension). Returns the
 * columns appended. */
int draw_elide(struct buf *out, const char *s, int cols);
/* Draw sanitized text at (y, x) clipped to `cols` columns with `attr`,
 * honouring markers. Returns the columns drawn. */
int draw_text(WINDOW *w, int y, int x, int cols, const char *s, attr_t attr);
/* Fill `cols` columns from (y, x) with spaces in `attr`. */
void draw_fill(WINDOW *w, int y, int x, int cols, attr_t attr);

#endif
