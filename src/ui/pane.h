/* SPDX-License-Identifier: MIT */
#ifndef DH_UI_PANE_H
#define DH_UI_PANE_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "ui/draw.h"
#include "ui/keymap.h"

struct buf;
struct event;
struct ui;

/*
 * Panes (STYLE.md §3.10): a window, view state (scroll, cursor, search) and
 * an array of display lines that the pane's ops rebuild from its model when
 * the model or the width changes. pane.c does the generic parts: wrapping,
 * scrolling, drawing the lines and the title, searching.
 */

enum pane_result {
	PANE_IGNORED = 0,
	PANE_HANDLED = 1 << 0,
	PANE_REDRAW = 1 << 1,
	PANE_RELAYOUT = 1 << 2,
	PANE_FOCUS = 1 << 3,
	PANE_QUIT = 1 << 4,
};

#define PANE_F_FOCUSABLE 0x1u
#define PANE_F_FOLLOW	 0x2u /* stays at the bottom as lines are added */

struct pane_line {
	char *text;	    /* sanitized, with draw markers; heap */
	enum ui_elem elem;  /* its style (of the left part of a split line) */
	int item;	    /* the model item it shows (-1: none), for the pane's actions */
	bool anchor;	    /* a stop for ]/[ (hunk headers) */
	size_t split;	    /* 0, or where text's right part starts (pane_add_split) */
	enum ui_elem elem2; /* the right part's style */
};

struct pane;

struct pane_ops {
	const char *name;	  /* "transcript": title and keymap context */
	unsigned flags;		  /* PANE_F_* */
	enum keymap_ctx ctx;
	int (*init)(struct pane *p);	 /* allocate p->priv */
	void (*fini)(struct pane *p);
	void (*rebuild)(struct pane *p); /* refill the lines from the model (p->cols known) */
	/* Add back the lines pane_invalidate_tail dropped (the end of the
	 * model changed); NULL: such a pane is always rebuilt whole. */
	void (*rebuild_tail)(struct pane *p);
	void (*title)(struct pane *p, struct buf *out); /* extra title text, may be NULL */
	enum pane_result (*action)(struct pane *p, enum action a);
	void (*on_event)(struct pane *p, const struct event *ev); /* model update */
	void (*save)(struct pane *p, struct buf *out); /* content as Markdown, may be NULL */
	/* pane_search moved the cursor (the view state that follows it, as
	 * the diff pane's file shown, follows it too); may be NULL. */
	void (*cursor_moved)(struct pane *p);
};

struct pane {
	const struct pane_ops *ops;
	void *priv;
	struct ui *ui;		 /* back pointer for commands and jobs */
	WINDOW *win;		 /* NULL while hidden */
	int rows, cols;		 /* of win, title row included */
	bool dirty;		 /* repaint at the next frame */
	bool stale;		 /* rebuild the lines before the next paint */
	bool tail_stale;	 /* only lines[tail_from..] are out of date */
	size_t tail_from;
	bool focused;
	struct pane_line *lines;
	size_t nlines, cap;
	long top;		 /* first line shown */
	long cursor;		 /* selected line, -1 none */
	bool follow;		 /* cursor tracks the last line */
	char *hl;		 /* the last search (heap): its matches are highlighted */
};

/* Lifecycle: init calls ops->init. */
int pane_init(struct pane *p, const struct pane_ops *ops, struct ui *ui) DH_MUST_CHECK;
void pane_fini(struct pane *p);
/* Place on the screen (rows 0 hides it); marks it stale and dirty. */
void pane_place(struct pane *p, int y, int x, int rows, int cols);

/* Line building, for ops->rebuild. */
void pane_clear_lines(struct pane *p);
/* Drop the lines from index `from` on (for ops->rebuild_tail). */
void pane_truncate_lines(struct pane *p, size_t from);
/* Add raw text (sanitized here) split at newlines and wrapped to the pane's
 * width, continuation lines indented by `indent` columns. */
void pane_add_text(struct pane *p, enum ui_elem elem, int item, int indent, const char *prefix,
		   const char *text);
/* Add one line of already sanitized text (markers allowed), wrapped. */
void pane_add_line(struct pane *p, enum ui_elem elem, int item, int indent, const char *prefix,
		   const char *text);
/* As pane_add_line, with `cont` (sanitized, may be NULL: no indent) in front
 * of every continuation row instead of an indent: a diff line keeps its
 * gutter and +/- mark on each row it wraps to. */
void pane_add_wrapped(struct pane *p, enum ui_elem elem, int item, const char *prefix,
		      const char *cont, const char *text);

/* Add one line in two parts, not wrapped (side-by-side diffs): `left` in
 * elem, a one-column bar the pane draws, then `right` in elem2. Both are
 * sanitized, may hold markers (which do not carry from one part to the
 * other) and are fitted by the caller; `left` is not empty. */
void pane_add_split(struct pane *p, int item, enum ui_elem elem, const char *left,
		    enum ui_elem elem2, const char *right);

/* The model changed: rebuild before the next paint. */
void pane_invalidate(struct pane *p);
/* Only the lines from `from` on are out of date (the end of the model
 * changed, as a streamed message grows): the next refresh drops them and
 * calls ops->rebuild_tail, not ops->rebuild. pane_invalidate when the class
 * has no rebuild_tail. */
void pane_invalidate_tail(struct pane *p, size_t from);
/* Rebuild the lines now if the model changed (for sizes and searches). */
void pane_refresh_lines(struct pane *p);
/* Paint into its window (title, lines, cursor); wnoutrefresh. */
void pane_draw(struct pane *p);
/* Movement actions shared by every pane. */
enum pane_result pane_move(struct pane *p, enum action a);
/* Put the cursor on line i and scroll it into view. */
void pane_set_cursor(struct pane *p, long i);
/* Move to the next (dir 1) or previous (-1) line containing `needle`
 * (case-insensitive) from the cursor, wrapping. False when none. Every
 * match on screen is drawn as UI_SEARCH from then on. */
bool pane_search(struct pane *p, const char *needle, int dir);
/* Rows available for lines (the title takes one). */
int pane_body_rows(const struct pane *p);

/* Pane classes (pane_*.c export only these). */
extern const struct pane_ops pane_plan_ops;
extern const struct pane_ops pane_transcript_ops;
extern const struct pane_ops pane_diff_ops;
extern const struct pane_ops pane_help_ops;

/* Set the overlay pane's title and text (copied). */
void pane_help_set(struct pane *p, const char *title, const char *text);
/* What its title says closes it (copied; NULL: "q or Esc closes", which
 * pane_help_set() restores), for an overlay whose keys go elsewhere. */
void pane_help_set_keys(struct pane *p, const char *keys);
/* The text set is a table (until the next pane_help_set()): a tab in a line
 * ends a field, the last field is a description. The description starts
 * under the rightmost field start that leaves it PANE_HELP_DESC_MIN columns
 * (on rows of its own when that is not its own column; 4 when none does),
 * and its wrapped rows start under that column too: a hanging indent. The
 * text must be the caller's own (a tab in it is never shown). */
#define PANE_HELP_DESC_MIN 18
void pane_help_set_table(struct pane *p);

#endif
