/* SPDX-License-Identifier: MIT */
#ifndef DH_UI_MARKDOWN_H
#define DH_UI_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/draw.h"

/*
 * The assistant's Markdown as display lines: parsed by libcmark-gfm
 * (CommonMark 0.29 with the GFM table, strikethrough, autolink and tasklist
 * extensions: https://github.github.com/gfm/) and laid out for a given width
 * by walking the syntax tree. No curses: the lines are sanitized text with
 * the inline markers of ui/draw.h, each with the element it is drawn in.
 *
 * What is shown: paragraphs word-wrapped, a line break in the source kept
 * (as GitHub shows comments: a model's line breaks are meant); headings (UI_HEADING); `---`
 * rules across the width; block quotes behind a bar (UI_DIM); bullet and
 * ordered lists with their markers, nested ones indented, wrapped lines
 * under the item's text; task list items as ☑/☐ ([x]/[ ] without UTF-8);
 * fenced and indented code verbatim (UI_CODE), hard-wrapped, under a label
 * naming the language when the fence gives one; tables aligned in columns
 * that shrink and wrap to fit (display width, not bytes), the header row in
 * UI_HEADING with a rule under it, and one "header: value" record per row
 * when not even three columns each fit; links in DRAW_LINK with the URL once
 * after the text (not when the text is the URL); strikethrough as ~text~
 * (curses has no such attribute); bold, emphasis and code spans as markers;
 * images as [image: alt] and the URL; raw HTML as text. Every literal goes
 * through draw_sanitize(): escape codes and controls never reach the screen.
 * A partial document (a message still streaming) renders as what it says
 * so far: an unclosed fence is code up to the end.
 */

/* One display line. */
struct md_line {
	char *text;	   /* sanitized, with markers balanced on the line; heap */
	enum ui_elem elem; /* what it is drawn in */
};

/* Lines as a core/array.h array. */
struct md_lines {
	struct md_line *v;
	size_t n, cap;
};

/* Render Markdown text[0..len) (any bytes) for `cols` display columns (at
 * least 1; narrower is taken as 1) and append its lines to `out`. No line is
 * wider than `cols` (a table never gets columns narrower than one character:
 * a line that would be wider is cut). Never fails (memory exhaustion is fatal, as xalloc). */
void md_render(struct md_lines *out, const char *text, size_t len, int cols);

/*
 * A message as it streams: laid out again only from its last top-level
 * block on while text is appended (a 2,000-line answer costs a frame what
 * its last paragraph costs, not what the whole answer does).
 */
struct md_stream {
	struct md_lines lines; /* of the text so far, as md_render's */
	int cols;	       /* the width they are for */
	size_t len;	       /* bytes of text laid out */
	size_t last_off;       /* where the last top-level block starts */
	size_t last_line;      /* its first line in `lines` */
	bool whole;	       /* the text defines link references: lay out all */
};

/* Bring s->lines up to date with text[0..len) at `cols` columns. The text
 * must be what was laid out before with bytes appended (any other text, a
 * shorter one or another width is laid out whole). The result is what
 * md_render gives for the whole text. Returns the index of the first line
 * that may have changed (lines before it are untouched; s->lines.n when
 * nothing changed). A zeroed struct is an empty stream. */
size_t md_stream_update(struct md_stream *s, const char *text, size_t len, int cols);
/* Free its lines; the struct is zeroed. */
void md_stream_fini(struct md_stream *s);

/* Free the lines' text and forget them; the storage is kept. */
void md_lines_clear(struct md_lines *l);
/* Free everything; l is empty and reusable. */
void md_lines_fini(struct md_lines *l);

#endif
