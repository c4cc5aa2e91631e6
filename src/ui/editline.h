/* SPDX-License-Identifier: MIT */
#ifndef DH_UI_EDITLINE_H
#define DH_UI_EDITLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/*
 * The input line's text and cursor, and the emacs-style edits on them that
 * readline, tig's prompt and tmux's command prompt have: the workbench's one
 * line editor (the task, `:`, `/`, message and form-field lines all use it).
 *
 * The cursor moves by character: a code point together with the zero-width
 * code points that follow it (combining accents), so it never stops where
 * the screen shows no move. Widths are those the line is drawn with
 * (draw_sanitize() then draw_width()): a wide character takes two columns,
 * a control character its caret form. Offsets are bytes, widths columns.
 * Nothing here fails (allocation failure is fatal, as xalloc's). Loop
 * thread only; no curses calls.
 */

struct editline {
	struct buf text; /* the line as typed, UTF-8 (ptr NULL until something is typed) */
	size_t cur;	 /* the cursor: a byte offset into text, at a character's start */
	size_t view;	 /* the first byte shown when the line is wider than its room */
};

enum editline_op {
	EDITLINE_NONE,
	EDITLINE_LEFT,	     /* one character left */
	EDITLINE_RIGHT,	     /* one character right */
	EDITLINE_START,	     /* to the start of the line */
	EDITLINE_END,	     /* to its end */
	EDITLINE_BACKSPACE,  /* delete the character before the cursor */
	EDITLINE_DELETE,     /* delete the character at the cursor */
	EDITLINE_KILL_END,   /* delete from the cursor to the end (saved for yank) */
	EDITLINE_KILL_START, /* delete from the start to the cursor (saved) */
	EDITLINE_KILL_WORD,  /* delete the blanks, then the word, before the cursor (saved) */
	EDITLINE_YANK,	     /* insert the text deleted last by a kill */
	/* Words as readline's emacs mode has them for M-b, M-f, M-d and
	 * M-Backspace: letters and digits (iswalnum), anything else parts
	 * them. */
	EDITLINE_WORD_LEFT,	  /* to the start of this word, or of the one before */
	EDITLINE_WORD_RIGHT,	  /* to the end of this word, or of the one after */
	EDITLINE_KILL_WORD_LEFT,  /* delete what EDITLINE_WORD_LEFT moves over (saved) */
	EDITLINE_KILL_WORD_RIGHT, /* delete what EDITLINE_WORD_RIGHT moves over (saved) */
};

/* Caller-provided storage: empty line, cursor at 0. */
void editline_init(struct editline *e);
/* Free the text; the line is empty and reusable. */
void editline_fini(struct editline *e);
/* Empty the line (storage kept); cursor and view at 0. */
void editline_clear(struct editline *e);
/* Replace the line with s[0..n) (copied), the cursor at its end. */
void editline_set(struct editline *e, const char *s, size_t n);
/* Insert s[0..n) (copied) at the cursor, which moves after it. */
void editline_insert(struct editline *e, const char *s, size_t n);
/* Replace text[from..cur) with s[0..n) (copied; s may be a part of the
 * line; a `from` past the cursor is the cursor): the cursor goes after it,
 * the text after the cursor stays. Tab's completion of the word before the
 * cursor. */
void editline_replace(struct editline *e, size_t from, const char *s, size_t n);
/* Apply `op`. A kill replaces `*kill` with what it deleted (kept across
 * lines by the caller; NULL: dropped; a kill that deletes nothing leaves it
 * as it was), EDITLINE_YANK inserts `*kill` (NULL: nothing). Returns true
 * when the text changed (not for a move). */
bool editline_apply(struct editline *e, enum editline_op op, struct buf *kill);
/* The text, borrowed until the next change: "" when empty, never NULL. */
const char *editline_text(struct editline *e);
/* True when the line holds no text. */
bool editline_is_empty(const struct editline *e);
/* What editline_view() shows of a line: its bytes text[start..end), after
 * a one-column mark when text is hidden before them (more_before), then a
 * mark in the last column when text is hidden after them (more_after). */
struct editline_shown {
	size_t start, end;
	bool more_before, more_after;
	int cursor; /* the cursor's column, from the first (the mark's) */
};

/* Which part of the line to show in `cols` columns (cols >= 1) so that the
 * cursor is visible: scrolls e->view as little as it can, and back as far
 * as the rest of the line allows (no blank room after the end while text
 * is hidden before it). A cursor at the end needs one column of its own,
 * and so does each mark (cols >= 4 has them; a narrower room only cuts). */
void editline_view(struct editline *e, int cols, struct editline_shown *out);

#endif
