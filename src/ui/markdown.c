/* SPDX-License-Identifier: MIT */
/*
 * Markdown to display lines through libcmark-gfm's syntax tree (see
 * markdown.h). Block nodes become lines under two prefixes, the one of their
 * first line and the one of the lines after it (list markers and quote bars
 * build them up); inline nodes become one styled string that is then
 * word-wrapped by display width.
 *
 * libcmark-gfm (and its extensions) is loaded with dlopen() (core/dl.h) by
 * the first render, not linked: `deskhand run` never renders Markdown.
 */
#include "ui/markdown.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <cmark-gfm_version.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/dl.h"
#include "core/utf8.h"
#include "core/xalloc.h"

/* The functions used, as X(name); the extensions' library brings the core
 * library (its dependency), whose symbols come through the same handle. */
#define CMARK_SYMS(X)                                                           \
	X(cmark_find_syntax_extension)                                          \
	X(cmark_gfm_core_extensions_ensure_registered)                          \
	X(cmark_gfm_extensions_get_table_alignments)                            \
	X(cmark_gfm_extensions_get_table_columns)                               \
	X(cmark_gfm_extensions_get_tasklist_item_checked)                       \
	X(cmark_node_first_child)                                               \
	X(cmark_node_free)                                                      \
	X(cmark_node_get_end_line)                                              \
	X(cmark_node_get_fence_info)                                            \
	X(cmark_node_get_list_delim)                                            \
	X(cmark_node_get_list_start)                                            \
	X(cmark_node_get_list_tight)                                            \
	X(cmark_node_get_list_type)                                             \
	X(cmark_node_get_literal)                                               \
	X(cmark_node_get_start_line)                                            \
	X(cmark_node_get_type)                                                  \
	X(cmark_node_get_type_string)                                           \
	X(cmark_node_get_url)                                                   \
	X(cmark_node_next)                                                      \
	X(cmark_parser_attach_syntax_extension)                                 \
	X(cmark_parser_feed)                                                    \
	X(cmark_parser_finish)                                                  \
	X(cmark_parser_free)                                                    \
	X(cmark_parser_new)

static void cmark_setup(void);
/* The soname carries the version the headers are of. */
DL_LIBRARY_INIT(cmark, "libcmark-gfm-extensions.so." CMARK_GFM_VERSION_STRING,
                "libcmark-gfm-extensions" CMARK_GFM_VERSION_STRING, CMARK_SYMS, cmark_setup);

/* Once, by the thread that loads it. */
static void
cmark_setup(void)
{
	cmark.cmark_gfm_core_extensions_ensure_registered();
}

#define TABLE_MIN_COL 3	 /* narrower columns than this: one record per row */
#define CODE_INDENT   "  " /* code under the text around it */

/* The GFM extensions we ask libcmark-gfm for, by its names. */
static const char *const extension_names[] = { "table", "strikethrough", "autolink", "tasklist" };

/* Marks in UTF-8 and their ASCII fallback (draw_mark). */
enum mark { M_RULE, M_BAR, M_TABLE_SEP, M_TABLE_CROSS, M_CODE_LABEL, M_DONE, M_TODO, M__COUNT };

static const struct {
	const char *utf8, *ascii;
} marks[M__COUNT] = {
	[M_RULE] = { "─", "-" },	    [M_BAR] = { "│ ", "| " },
	[M_TABLE_SEP] = { " │ ", " | " }, [M_TABLE_CROSS] = { "─┼─", "-+-" },
	[M_CODE_LABEL] = { "── ", "-- " }, [M_DONE] = { "☑", "[x]" },
	[M_TODO] = { "☐", "[ ]" },
};

/* Bullets by nesting depth, cycling. */
static const struct {
	const char *utf8, *ascii;
} bullets[] = { { "•", "*" }, { "◦", "-" }, { "▪", "+" } };

static const char *
mark(enum mark m)
{
	return draw_mark(marks[m].utf8, marks[m].ascii);
}

struct render {
	struct md_lines *out;
	int cols;
	enum ui_elem elem; /* of running text here: UI_DIM inside quotes */
	int depth;	   /* bullet lists around: which bullet */
};

ARRAY_HEAD(pieces, char *);

static void
pieces_fini(struct pieces *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	ARRAY_FREE(p);
}

/* Columns left after `prefix`; at least 1. */
static int
room(const struct render *r, const char *prefix)
{
	int w = r->cols - draw_width(prefix);

	return w < 1 ? 1 : w;
}

/* Add prefix + body as a line, trailing blanks dropped. */
static void
emit(struct render *r, enum ui_elem e, const char *prefix, const char *body)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(body);

	buf_puts(&b, prefix);
	while (n && body[n - 1] == ' ')
		n--;
	buf_add(&b, body, n);
	if (!n)
		while (b.len && b.ptr[b.len - 1] == ' ')
			b.ptr[--b.len] = '\0';
	/* Never wider than the width: one line here is one line on screen. */
	if (b.len && draw_width(b.ptr) > r->cols)
		b.ptr[b.len = draw_fit(b.ptr, r->cols, NULL)] = '\0';
	ARRAY_PUSH(r->out, (struct md_line){ .text = buf_detach(&b), .elem = e });
}

/* Bytes of the first character of s, markers before it included. */
static size_t
first_char(const char *s)
{
	size_t i = 0, k;
	uint32_t cp;

	while (draw_is_marker(s[i]))
		i++;
	if (!s[i])
		return i;
	k = utf8_decode(s + i, strnlen(s + i, 4), &cp);
	return i + (k ? k : 1);
}

/*
 * Word wrap of a styled string: the first line `w1` columns wide, the others
 * `w2`; '\n' forces a break; a word longer than a line is cut. Each piece
 * turns on the markers that are on where it starts and off at its end.
 */
static void
wrap(struct pieces *out, const char *s, int w1, int w2)
{
	unsigned st = 0;
	bool first = true;

	for (;;) {
		size_t end = strcspn(s, "\n");
		size_t n = draw_fit(s, first ? w1 : w2, NULL);
		struct buf b = BUF_INIT;

		if (n >= end) {
			n = end;
		} else if (s[n] != ' ') {
			size_t sp = n;
			while (sp > 0 && s[sp - 1] != ' ')
				sp--;
			n = sp > 0 ? sp : n > 0 ? n : first_char(s);
		}
		draw_put_markers(&b, st);
		size_t keep = n;
		while (keep > 0 && s[keep - 1] == ' ')
			keep--;
		buf_add(&b, s, keep);
		st = draw_markers_after(s, n, st);
		draw_put_markers(&b, st);
		ARRAY_PUSH(out, buf_detach(&b));
		first = false;
		s += n;
		if (*s == '\n') {
			s++;
			continue;
		}
		while (*s == ' ')
			s++;
		if (!*s)
			break;
	}
}

/* Wrap styled text under the two prefixes and add it. */
static void
emit_wrapped(struct render *r, enum ui_elem e, const char *text, const char *p1, const char *p2)
{
	struct pieces ps = ARRAY_INIT;

	wrap(&ps, text, room(r, p1), room(r, p2));
	for (size_t i = 0; i < ps.n; i++)
		emit(r, e, i ? p2 : p1, ps.v[i]);
	pieces_fini(&ps);
}

/*
 * Inlines
 */

static void
literal(struct buf *b, const char *s)
{
	if (s)
		draw_sanitize(b, s, strlen(s), false);
}

/* The text of an inline node's children, unstyled and unsanitized. */
static void
plain(struct buf *b, cmark_node *n)
{
	for (cmark_node *c = cmark.cmark_node_first_child(n); c; c = cmark.cmark_node_next(c)) {
		const char *lit = cmark.cmark_node_get_literal(c);

		if (lit)
			buf_puts(b, lit);
		else
			plain(b, c);
	}
}

/* Whether a link's URL says nothing its text does not (autolinks). */
static bool
url_is_text(const char *url, const char *text)
{
	static const char *const schemes[] = { "", "http://", "https://", "mailto:" };

	for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
		size_t n = strlen(schemes[i]);
		if (!strncmp(url, schemes[i], n) && !strcmp(url + n, text))
			return true;
	}
	return false;
}

static void inlines(struct buf *b, cmark_node *parent, bool in_link);

static void
inline_node(struct buf *b, cmark_node *n, bool in_link)
{
	const char *url;
	struct buf text = BUF_INIT;

	switch (cmark.cmark_node_get_type(n)) {
	case CMARK_NODE_TEXT:
	case CMARK_NODE_HTML_INLINE:
		literal(b, cmark.cmark_node_get_literal(n));
		break;
	case CMARK_NODE_CODE:
		/* Inside a link the link's style wins (markers do not stack there). */
		if (!in_link)
			buf_putc(b, DRAW_CODE);
		literal(b, cmark.cmark_node_get_literal(n));
		if (!in_link)
			buf_putc(b, DRAW_CODE);
		break;
	case CMARK_NODE_SOFTBREAK: /* the model's line breaks stay, as GitHub's comments keep them */
	case CMARK_NODE_LINEBREAK:
		buf_putc(b, '\n');
		break;
	case CMARK_NODE_EMPH:
	case CMARK_NODE_STRONG: {
		char m = cmark.cmark_node_get_type(n) == CMARK_NODE_EMPH ? DRAW_EM : DRAW_BOLD;
		buf_putc(b, m);
		inlines(b, n, in_link);
		buf_putc(b, m);
		break;
	}
	case CMARK_NODE_LINK:
		url = cmark.cmark_node_get_url(n);
		if (in_link) {
			inlines(b, n, true);
			break;
		}
		buf_putc(b, DRAW_LINK);
		inlines(b, n, true);
		buf_putc(b, DRAW_LINK);
		plain(&text, n);
		if (url && *url && !url_is_text(url, buf_cstr(&text))) {
			buf_puts(b, " <");
			literal(b, url);
			buf_putc(b, '>');
		}
		break;
	case CMARK_NODE_IMAGE:
		url = cmark.cmark_node_get_url(n);
		buf_puts(b, "[image: ");
		plain(&text, n);
		literal(b, buf_cstr(&text));
		buf_putc(b, ']');
		if (url && *url) {
			buf_puts(b, " <");
			literal(b, url);
			buf_putc(b, '>');
		}
		break;
	default:
		/* GFM strikethrough: curses has no attribute for it. */
		if (!strcmp(cmark.cmark_node_get_type_string(n), "strikethrough")) {
			buf_putc(b, '~');
			inlines(b, n, in_link);
			buf_putc(b, '~');
		} else {
			literal(b, cmark.cmark_node_get_literal(n));
			inlines(b, n, in_link);
		}
		break;
	}
	buf_fini(&text);
}

static void
inlines(struct buf *b, cmark_node *parent, bool in_link)
{
	for (cmark_node *c = cmark.cmark_node_first_child(parent); c; c = cmark.cmark_node_next(c))
		inline_node(b, c, in_link);
}

/*
 * Blocks
 */

static void block(struct render *r, cmark_node *n, const char *p1, const char *p2);

/* The children of a container, a blank line between them unless tight. */
static void
children(struct render *r, cmark_node *parent, const char *p1, const char *p2, bool tight)
{
	bool first = true;

	for (cmark_node *c = cmark.cmark_node_first_child(parent); c; c = cmark.cmark_node_next(c)) {
		if (!first && !tight)
			emit(r, r->elem, p2, "");
		block(r, c, first ? p1 : p2, p2);
		first = false;
	}
}

static char *
concat(const char *a, const char *b)
{
	return xasprintf("%s%s", a, b);
}

/* Verbatim lines, cut at the width, under `indent`. */
static void
verbatim(struct render *r, enum ui_elem e, const char *text, const char *p1, const char *p2,
	 const char *indent)
{
	struct buf clean = BUF_INIT;
	char *q1 = concat(p1, indent), *q2 = concat(p2, indent);
	bool first = true;

	draw_sanitize(&clean, text, strlen(text), true);
	for (const char *s = buf_cstr(&clean); *s;) {
		size_t n = strcspn(s, "\n");
		char *line = xstrndup(s, n);
		const char *l = line;

		do {
			const char *pre = first ? q1 : q2;
			size_t k = draw_fit(l, room(r, pre), NULL);
			char *part;

			if (k == 0 && *l)
				k = first_char(l);
			part = xstrndup(l, k);
			emit(r, e, pre, part);
			free(part);
			l += k;
			first = false;
		} while (*l);
		free(line);
		s += n + (s[n] == '\n');
	}
	buf_fini(&clean);
	free(q1);
	free(q2);
}

static void
code_block(struct render *r, cmark_node *n, const char *p1, const char *p2)
{
	const char *info = cmark.cmark_node_get_fence_info(n);
	const char *body = cmark.cmark_node_get_literal(n);
	size_t lang = info ? strcspn(info, " \t{,") : 0;

	if (lang) {
		struct buf label = BUF_INIT;

		buf_puts(&label, mark(M_CODE_LABEL));
		draw_sanitize(&label, info, lang, false);
		emit_wrapped(r, UI_DIM, buf_cstr(&label), p1, p2);
		buf_fini(&label);
		p1 = p2;
	}
	verbatim(r, UI_CODE, body ? body : "", p1, p2, CODE_INDENT);
}

static void
list(struct render *r, cmark_node *n, const char *p1, const char *p2)
{
	bool ordered = cmark.cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
	bool tight = cmark.cmark_node_get_list_tight(n);
	char delim = cmark.cmark_node_get_list_delim(n) == CMARK_PAREN_DELIM ? ')' : '.';
	int num = cmark.cmark_node_get_list_start(n), items = 0, k = 0;
	size_t b = (size_t)r->depth % (sizeof bullets / sizeof *bullets);

	for (cmark_node *c = cmark.cmark_node_first_child(n); c; c = cmark.cmark_node_next(c))
		items++;
	int digits = snprintf(NULL, 0, "%d", num + (items ? items - 1 : 0));
	r->depth += !ordered;
	for (cmark_node *c = cmark.cmark_node_first_child(n); c; c = cmark.cmark_node_next(c), k++) {
		bool task = !strcmp(cmark.cmark_node_get_type_string(c), "tasklist");
		const char *box = !task ? NULL
				  : cmark.cmark_gfm_extensions_get_tasklist_item_checked(c) ? mark(M_DONE)
										      : mark(M_TODO);
		struct buf m = BUF_INIT, pad = BUF_INIT;

		if (k > 0 && !tight)
			emit(r, r->elem, p2, "");
		buf_puts(&m, k ? p2 : p1);
		if (ordered)
			buf_printf(&m, "%*d%c ", digits, num + k, delim);
		else if (!task)
			buf_printf(&m, "%s ", draw_mark(bullets[b].utf8, bullets[b].ascii));
		if (box)
			buf_printf(&m, "%s ", box);
		buf_puts(&pad, p2);
		for (int i = draw_width(buf_cstr(&m)) - draw_width(k ? p2 : p1); i > 0; i--)
			buf_putc(&pad, ' ');
		if (cmark.cmark_node_first_child(c))
			children(r, c, buf_cstr(&m), buf_cstr(&pad), tight);
		else
			emit(r, r->elem, buf_cstr(&m), "");
		buf_fini(&m);
		buf_fini(&pad);
	}
	r->depth -= !ordered;
}

/*
 * Tables
 */

struct table {
	int ncols, nrows;
	char **cell;	    /* nrows * ncols styled strings */
	bool *header;	    /* per row */
	const uint8_t *align; /* per column: 'l', 'c', 'r' or 0 (libcmark-gfm's) */
	int *natural, *width; /* per column */
};

/* Widths for columns wanting `natural` in `avail` columns: each gets what it
 * wants up to an equal share, what is left goes to those that want more. */
static void
fit_columns(int *width, const int *natural, int n, int avail)
{
	bool *done = xcalloc((size_t)n, sizeof *done);
	int left = avail, open = n;

	for (bool changed = true; changed && open > 0;) {
		int fair = left / open;
		changed = false;
		for (int c = 0; c < n; c++) {
			if (!done[c] && natural[c] <= fair) {
				width[c] = natural[c];
				left -= natural[c];
				done[c] = true;
				open--;
				changed = true;
			}
		}
	}
	for (int c = 0, extra = open ? left % open : 0; c < n; c++) {
		if (!done[c])
			width[c] = left / open + (extra-- > 0);
		if (width[c] < 1)
			width[c] = 1;
	}
	free(done);
}

static void
table_row(struct render *r, const struct table *t, int row, const char *p1, const char *p2)
{
	struct pieces *cells = xcalloc((size_t)t->ncols, sizeof *cells);
	size_t height = 1;

	for (int c = 0; c < t->ncols; c++) {
		wrap(&cells[c], t->cell[row * t->ncols + c], t->width[c], t->width[c]);
		if (cells[c].n > height)
			height = cells[c].n;
	}
	for (size_t l = 0; l < height; l++) {
		struct buf b = BUF_INIT;

		for (int c = 0; c < t->ncols; c++) {
			const char *s = l < cells[c].n ? cells[c].v[l] : "";
			int pad = t->width[c] - draw_width(s);
			int left = t->align[c] == 'r' ? pad : t->align[c] == 'c' ? pad / 2 : 0;

			if (c)
				buf_puts(&b, mark(M_TABLE_SEP));
			for (int i = 0; i < left; i++)
				buf_putc(&b, ' ');
			buf_puts(&b, s);
			for (int i = left; i < pad; i++)
				buf_putc(&b, ' ');
		}
		emit(r, t->header[row] ? UI_HEADING : r->elem, l ? p2 : p1, buf_cstr(&b));
		buf_fini(&b);
	}
	for (int c = 0; c < t->ncols; c++)
		pieces_fini(&cells[c]);
	free(cells);
}

/* Too narrow for columns: "header: value" lines, a blank line between rows. */
static void
table_records(struct render *r, const struct table *t, const char *p1, const char *p2)
{
	char *p3 = concat(p2, "  ");
	bool first = true;

	for (int row = 0; row < t->nrows; row++) {
		if (t->header[row])
			continue;
		if (!first)
			emit(r, r->elem, p2, "");
		for (int c = 0; c < t->ncols; c++) {
			struct buf b = BUF_INIT;
			int h = 0;

			while (h < t->nrows && !t->header[h])
				h++;
			if (h < t->nrows && *t->cell[h * t->ncols + c])
				buf_printf(&b, "%c%s%c: ", DRAW_BOLD, t->cell[h * t->ncols + c], DRAW_BOLD);
			buf_puts(&b, t->cell[row * t->ncols + c]);
			emit_wrapped(r, r->elem, buf_cstr(&b), first ? p1 : p2, p3);
			buf_fini(&b);
			first = false;
		}
	}
	free(p3);
}

static void
table(struct render *r, cmark_node *n, const char *p1, const char *p2)
{
	struct table t = { .ncols = cmark.cmark_gfm_extensions_get_table_columns(n) };
	const char *sep = mark(M_TABLE_SEP);
	int avail = room(r, p1) < room(r, p2) ? room(r, p1) : room(r, p2), sum = 0;

	if (t.ncols < 1)
		return;
	for (cmark_node *row = cmark.cmark_node_first_child(n); row; row = cmark.cmark_node_next(row))
		t.nrows++;
	t.cell = xcalloc((size_t)(t.nrows * t.ncols), sizeof *t.cell);
	t.header = xcalloc((size_t)t.nrows, sizeof *t.header);
	t.natural = xcalloc((size_t)t.ncols, sizeof *t.natural);
	t.width = xcalloc((size_t)t.ncols, sizeof *t.width);
	t.align = cmark.cmark_gfm_extensions_get_table_alignments(n);
	uint8_t *none = t.align ? NULL : xcalloc((size_t)t.ncols, 1);
	if (!t.align)
		t.align = none;
	int i = 0;
	for (cmark_node *row = cmark.cmark_node_first_child(n); row;
	     row = cmark.cmark_node_next(row), i++) {
		cmark_node *cell = cmark.cmark_node_first_child(row);

		t.header[i] = !strcmp(cmark.cmark_node_get_type_string(row), "table_header");
		for (int c = 0; c < t.ncols; c++) {
			struct buf b = BUF_INIT;

			if (cell) {
				inlines(&b, cell, false);
				cell = cmark.cmark_node_next(cell);
			}
			t.cell[i * t.ncols + c] = buf_detach(&b);
			int w = draw_width(t.cell[i * t.ncols + c]);
			if (w > t.natural[c])
				t.natural[c] = w;
		}
	}
	int seps = (t.ncols - 1) * draw_width(sep);
	for (int c = 0; c < t.ncols; c++)
		sum += t.natural[c] > 0 ? t.natural[c] : 1;
	if (sum + seps > avail && avail - seps < t.ncols * TABLE_MIN_COL) {
		table_records(r, &t, p1, p2);
	} else {
		fit_columns(t.width, t.natural, t.ncols, avail - seps);
		for (int row = 0; row < t.nrows; row++) {
			table_row(r, &t, row, row ? p2 : p1, p2);
			if (!t.header[row])
				continue;
			struct buf rule = BUF_INIT;
			for (int c = 0; c < t.ncols; c++) {
				if (c)
					buf_puts(&rule, mark(M_TABLE_CROSS));
				for (int k = 0; k < t.width[c]; k++)
					buf_puts(&rule, mark(M_RULE));
			}
			emit(r, UI_DIM, p2, buf_cstr(&rule));
			buf_fini(&rule);
		}
	}
	for (int k = 0; k < t.nrows * t.ncols; k++)
		free(t.cell[k]);
	free(t.cell);
	free(t.header);
	free(t.natural);
	free(t.width);
	free(none);
}

static void
block(struct render *r, cmark_node *n, const char *p1, const char *p2)
{
	struct buf b = BUF_INIT;
	enum ui_elem saved = r->elem;
	char *q1, *q2;

	switch (cmark.cmark_node_get_type(n)) {
	case CMARK_NODE_PARAGRAPH:
	case CMARK_NODE_HEADING:
		inlines(&b, n, false);
		emit_wrapped(r, cmark.cmark_node_get_type(n) == CMARK_NODE_HEADING ? UI_HEADING : r->elem,
			     buf_cstr(&b), p1, p2);
		break;
	case CMARK_NODE_THEMATIC_BREAK:
		for (int i = room(r, p1); i > 0; i--)
			buf_puts(&b, mark(M_RULE));
		emit(r, UI_DIM, p1, buf_cstr(&b));
		break;
	case CMARK_NODE_CODE_BLOCK:
		code_block(r, n, p1, p2);
		break;
	case CMARK_NODE_HTML_BLOCK:
		verbatim(r, r->elem, cmark.cmark_node_get_literal(n) ? cmark.cmark_node_get_literal(n) : "", p1,
			 p2, "");
		break;
	case CMARK_NODE_BLOCK_QUOTE:
		q1 = concat(p1, mark(M_BAR));
		q2 = concat(p2, mark(M_BAR));
		r->elem = UI_DIM;
		children(r, n, q1, q2, false);
		r->elem = saved;
		free(q1);
		free(q2);
		break;
	case CMARK_NODE_LIST:
		list(r, n, p1, p2);
		break;
	default:
		if (!strcmp(cmark.cmark_node_get_type_string(n), "table"))
			table(r, n, p1, p2);
		else
			children(r, n, p1, p2, false);
		break;
	}
	buf_fini(&b);
}

/* The byte offset of line `line` (1-based, as libcmark-gfm counts) in
 * text[0..len). */
static size_t
line_offset(const char *text, size_t len, int line)
{
	size_t off = 0;

	for (int l = 1; l < line && off < len; l++) {
		const char *nl = memchr(text + off, '\n', len - off);
		off = nl ? (size_t)(nl - text) + 1 : len;
	}
	return off;
}

/* Lay out text[0..len) at the end of r->out. *last_off gets where the last
 * top-level block that is closed for good unless text after it joins it
 * starts, *last_line the index in r->out of that block's first line (after
 * the blank line before it): laying out text from there again gives the
 * same lines as the whole text. A block whose first line is the unfinished
 * last line is not one (the line may yet join the block before it, as "|"
 * becomes a table row); nor is one after a block libcmark-gfm gives no
 * sane position (a table whose header row split a paragraph). */
static void
render_doc(struct render *r, const char *text, size_t len, size_t *last_off, size_t *last_line)
{
	cmark_parser *p;
	cmark_node *doc;
	int open_line = INT_MAX, prev_end = 0;
	bool sane = true;

	if (len && text[len - 1] != '\n') {
		open_line = 1;
		for (const char *s = text; (s = memchr(s, '\n', len - (size_t)(s - text))); s++)
			open_line++;
	}
	*last_off = 0;
	*last_line = r->out->n;
	if (dl_load(&cmark_lib) < 0) { /* the text as it is, under why */
		char *t = xstrndup(text, len);
		struct buf why = BUF_INIT;

		buf_puts(&why, "[Markdown shown as written: ");
		literal(&why, err_msg());
		buf_putc(&why, ']');
		emit_wrapped(r, UI_ERROR, buf_cstr(&why), "", "");
		verbatim(r, r->elem, t, "", "", "");
		buf_fini(&why);
		free(t);
		return;
	}
	p = cmark.cmark_parser_new(CMARK_OPT_DEFAULT);
	for (size_t i = 0; i < sizeof extension_names / sizeof *extension_names; i++) {
		cmark_syntax_extension *e = cmark.cmark_find_syntax_extension(extension_names[i]);
		if (e)
			cmark.cmark_parser_attach_syntax_extension(p, e);
	}
	cmark.cmark_parser_feed(p, text, len);
	doc = cmark.cmark_parser_finish(p);
	for (cmark_node *c = doc ? cmark.cmark_node_first_child(doc) : NULL; c;
	     c = cmark.cmark_node_next(c)) {
		int start = cmark.cmark_node_get_start_line(c), end = cmark.cmark_node_get_end_line(c);

		if (c != cmark.cmark_node_first_child(doc))
			emit(r, r->elem, "", "");
		sane = sane && start >= 1 && start > prev_end && end >= start;
		if (sane && start < open_line) {
			*last_off = line_offset(text, len, start);
			*last_line = r->out->n;
		}
		prev_end = end;
		block(r, c, "", "");
	}
	if (doc)
		cmark.cmark_node_free(doc);
	cmark.cmark_parser_free(p);
}

void
md_render(struct md_lines *out, const char *text, size_t len, int cols)
{
	struct render r = { .out = out, .cols = cols < 1 ? 1 : cols, .elem = UI_ASSISTANT };
	size_t off, line;

	render_doc(&r, text, len, &off, &line);
}

size_t
md_stream_update(struct md_stream *s, const char *text, size_t len, int cols)
{
	struct render r = { .out = &s->lines, .cols = cols < 1 ? 1 : cols, .elem = UI_ASSISTANT };
	size_t off, line, from;

	if (len == s->len && r.cols == s->cols)
		return s->lines.n;
	/* Blocks before the last one are closed for good as text is appended
	 * (CommonMark's block structure), so the last one is parsed again
	 * alone. But a link reference definition can change any block before
	 * it, and libcmark-gfm counts a bare CR as a line end (our offsets
	 * count LFs): once the text has either, it is laid out whole. Only the
	 * new bytes are looked at (and the one before, for "]:"). */
	bool reset = len < s->len;
	size_t scan = reset || !s->len ? 0 : s->len - 1;
	if (reset)
		s->whole = false;
	if (memmem(text + scan, len - scan, "]:", 2) || memchr(text + scan, '\r', len - scan))
		s->whole = true;
	bool whole = s->whole || reset || r.cols != s->cols;
	from = whole ? 0 : s->last_line;
	for (size_t i = from; i < s->lines.n; i++)
		free(s->lines.v[i].text);
	s->lines.n = from;
	if (whole) {
		render_doc(&r, text, len, &s->last_off, &s->last_line);
	} else {
		render_doc(&r, text + s->last_off, len - s->last_off, &off, &line);
		s->last_off += off;
		s->last_line = line;
	}
	s->cols = r.cols;
	s->len = len;
	return from;
}

void
md_stream_fini(struct md_stream *s)
{
	md_lines_fini(&s->lines);
	memset(s, 0, sizeof *s);
}

void
md_lines_clear(struct md_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	ARRAY_CLEAR(l);
}

void
md_lines_fini(struct md_lines *l)
{
	md_lines_clear(l);
	ARRAY_FREE(l);
}
