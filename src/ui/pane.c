/* SPDX-License-Identifier: MIT */
/*
 * Generic pane machinery: the display-line array, wrapping, scrolling,
 * searching and painting. What the lines say is the pane class's business.
 */
#include "ui/pane.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/xalloc.h"

int
pane_init(struct pane *p, const struct pane_ops *ops, struct ui *ui)
{
	memset(p, 0, sizeof *p);
	p->ops = ops;
	p->ui = ui;
	p->cursor = -1;
	p->follow = (ops->flags & PANE_F_FOLLOW) != 0;
	p->stale = true;
	return ops->init ? ops->init(p) : 0;
}

void
pane_truncate_lines(struct pane *p, size_t from)
{
	for (size_t i = from; i < p->nlines; i++)
		free(p->lines[i].text);
	if (from < p->nlines)
		p->nlines = from;
}

void
pane_clear_lines(struct pane *p)
{
	pane_truncate_lines(p, 0);
}

void
pane_fini(struct pane *p)
{
	if (p->ops && p->ops->fini)
		p->ops->fini(p);
	pane_clear_lines(p);
	free(p->lines);
	free(p->hl);
	if (p->win)
		delwin(p->win);
	memset(p, 0, sizeof *p);
}

int
pane_body_rows(const struct pane *p)
{
	return p->rows > 1 ? p->rows - 1 : 0;
}

void
pane_place(struct pane *p, int y, int x, int rows, int cols)
{
	if (p->win) {
		delwin(p->win);
		p->win = NULL;
	}
	p->rows = rows;
	p->cols = cols;
	if (rows > 0 && cols > 0)
		p->win = newwin(rows, cols, y, x);
	p->stale = p->dirty = true;
}

void
pane_invalidate(struct pane *p)
{
	p->stale = p->dirty = true;
}

void
pane_invalidate_tail(struct pane *p, size_t from)
{
	if (!p->ops->rebuild_tail) {
		pane_invalidate(p);
		return;
	}
	if (!p->stale && (!p->tail_stale || from < p->tail_from))
		p->tail_from = from;
	p->tail_stale = !p->stale;
	p->dirty = true;
}

static void
push(struct pane *p, char *text, enum ui_elem elem, int item)
{
	ARRAY_GROW(p->lines, p->nlines, p->cap, 1);
	p->lines[p->nlines++] = (struct pane_line){ .text = text, .elem = elem, .item = item };
}

/* The wrapping of pane_add_line and pane_add_wrapped: the first row starts
 * with `prefix` (NULL: nothing), the others with `cont` (NULL: `indent`
 * spaces). */
static void
add_wrapped(struct pane *p, enum ui_elem elem, int item, int indent, const char *prefix,
	    const char *cont, const char *text)
{
	int width = p->cols > 0 ? p->cols : 80;
	const char *s = text;
	unsigned st = 0;
	bool first = true;

	if (indent > width / 2)
		indent = width / 2;
	do {
		struct buf b = BUF_INIT;
		int avail;

		if (first && prefix) {
			buf_puts(&b, prefix);
			avail = width - draw_width(prefix);
		} else if (!first && cont) {
			buf_puts(&b, cont);
			avail = width - draw_width(cont);
		} else {
			for (int i = 0; i < (first ? 0 : indent); i++)
				buf_putc(&b, ' ');
			avail = width - (first ? 0 : indent);
		}
		if (avail < 1)
			avail = 1;
		draw_put_markers(&b, st);
		size_t n = draw_fit(s, avail, NULL);
		if (s[n]) {
			/* Break after the last space that fits, if any. */
			size_t sp = n;
			while (sp > 0 && s[sp - 1] != ' ')
				sp--;
			if (sp > 0)
				n = sp;
			else if (n == 0)
				n = 1;
		}
		buf_add(&b, s, n);
		st = draw_markers_after(s, n, st);
		s += n;
		push(p, buf_detach(&b), elem, item);
		first = false;
	} while (*s);
}

void
pane_add_line(struct pane *p, enum ui_elem elem, int item, int indent, const char *prefix,
	      const char *text)
{
	add_wrapped(p, elem, item, indent, prefix, NULL, text);
}

void
pane_add_wrapped(struct pane *p, enum ui_elem elem, int item, const char *prefix, const char *cont,
		 const char *text)
{
	add_wrapped(p, elem, item, 0, prefix, cont, text);
}

void
pane_add_split(struct pane *p, int item, enum ui_elem elem, const char *left, enum ui_elem elem2,
	       const char *right)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, left);
	buf_puts(&b, right);
	push(p, buf_detach(&b), elem, item);
	p->lines[p->nlines - 1].split = strlen(left);
	p->lines[p->nlines - 1].elem2 = elem2;
}

void
pane_add_text(struct pane *p, enum ui_elem elem, int item, int indent, const char *prefix,
	      const char *text)
{
	struct buf clean = BUF_INIT;
	const char *s;

	draw_sanitize(&clean, text, strlen(text), true);
	s = buf_cstr(&clean);
	for (;;) {
		size_t n = strcspn(s, "\n");
		char *line = xstrndup(s, n);

		pane_add_line(p, elem, item, indent, prefix, line);
		free(line);
		prefix = NULL;
		if (!s[n])
			break;
		s += n + 1;
		if (!*s)
			break;
	}
	buf_fini(&clean);
}

static void
clamp(struct pane *p)
{
	long body = pane_body_rows(p);
	long n = (long)p->nlines;

	if (p->cursor >= n)
		p->cursor = n - 1;
	if (p->follow && n > 0)
		p->cursor = n - 1;
	if (p->cursor >= 0) {
		if (p->cursor < p->top)
			p->top = p->cursor;
		if (body > 0 && p->cursor >= p->top + body)
			p->top = p->cursor - body + 1;
	}
	if (p->top > n - body)
		p->top = n - body;
	if (p->top < 0)
		p->top = 0;
}

void
pane_set_cursor(struct pane *p, long i)
{
	p->cursor = i;
	p->follow = (p->ops->flags & PANE_F_FOLLOW) && i >= (long)p->nlines - 1;
	clamp(p);
	p->dirty = true;
}

/* The cursor's place in what its line shows: its item and which of the
 * item's lines it is on (-1: none). A rebuild (a new width rewraps the
 * lines) puts it back there, not at the same line number, which may now
 * be another item's: another hunk for s and x, another tool call. */
static void
cursor_item_at(const struct pane *p, int *item, long *k)
{
	long c = p->cursor, first = c;

	*item = -1;
	*k = 0;
	if (c < 0 || c >= (long)p->nlines || p->follow || p->lines[c].item < 0)
		return;
	while (first > 0 && p->lines[first - 1].item == p->lines[c].item)
		first--;
	*item = p->lines[c].item;
	*k = c - first;
}

static void
cursor_item_restore(struct pane *p, int item, long k)
{
	for (long i = 0; item >= 0 && i < (long)p->nlines; i++) {
		if (p->lines[i].item != item)
			continue;
		while (k > 0 && i + 1 < (long)p->nlines && p->lines[i + 1].item == item) {
			i++;
			k--;
		}
		p->cursor = i;
		return;
	}
}

void
pane_refresh_lines(struct pane *p)
{
	if (p->stale) {
		int item;
		long k;

		cursor_item_at(p, &item, &k);
		pane_clear_lines(p);
		if (p->ops->rebuild)
			p->ops->rebuild(p);
		cursor_item_restore(p, item, k);
	} else if (p->tail_stale) {
		pane_truncate_lines(p, p->tail_from);
		p->ops->rebuild_tail(p);
	}
	p->stale = p->tail_stale = false;
}

static bool line_has(const char *hay, const char *needle);

/* The search's matches in `text` (drawn at row y), drawn over as UI_SEARCH.
 * A match holds no markers (a needle has none); what precedes it gives its
 * column. */
static void
draw_matches(struct pane *p, int y, const char *text)
{
	size_t n = p->hl ? strlen(p->hl) : 0;

	if (!n || !line_has(text, p->hl))
		return;
	for (const char *s = text; *s; s++) {
		if (strncasecmp(s, p->hl, n) != 0)
			continue;
		char *pre = xstrndup(text, (size_t)(s - text));
		char *m = xstrndup(s, n);
		int x = draw_width(pre);
		if (x < p->cols)
			draw_text(p->win, y, x, p->cols - x, m, draw_attr(UI_SEARCH));
		free(pre);
		free(m);
		s += n - 1;
	}
}

void
pane_draw(struct pane *p)
{
	struct buf title = BUF_INIT;

	if (!p->win)
		return;
	pane_refresh_lines(p);
	clamp(p);
	werase(p->win);
	enum ui_elem te = p->focused ? UI_TITLE_FOCUS : UI_TITLE_BLUR;
	draw_fill(p->win, 0, 0, p->cols, draw_attr(te));
	buf_printf(&title, " %s", p->ops->name);
	if (p->ops->title)
		p->ops->title(p, &title);
	draw_text(p->win, 0, 0, p->cols, buf_cstr(&title), draw_attr(te));
	buf_fini(&title);
	int body = pane_body_rows(p);
	for (int r = 0; r < body; r++) {
		long i = p->top + r;

		if (i >= (long)p->nlines)
			break;
		struct pane_line *l = &p->lines[i];
		attr_t a = draw_attr(l->elem), a2 = draw_attr(l->elem2), bar = draw_attr(UI_BORDER);
		if (i == p->cursor && p->focused && !p->follow) {
			a = a2 = bar = draw_attr(UI_CURSOR);
			draw_fill(p->win, r + 1, 0, p->cols, a);
		}
		if (!l->split) {
			draw_text(p->win, r + 1, 0, p->cols, l->text, a);
			draw_matches(p, r + 1, l->text);
			continue;
		}
		char *left = xstrndup(l->text, l->split);
		int x = draw_text(p->win, r + 1, 0, p->cols, left, a);
		free(left);
		x += draw_text(p->win, r + 1, x, p->cols - x, draw_mark("│", "|"), bar);
		draw_text(p->win, r + 1, x, p->cols - x, l->text + l->split, a2);
	}
	wnoutrefresh(p->win);
	p->dirty = false;
}

enum pane_result
pane_move(struct pane *p, enum action a)
{
	long body = pane_body_rows(p) > 0 ? pane_body_rows(p) : 1;
	long cur = p->cursor < 0 || p->follow ? (long)p->nlines - 1 : p->cursor;
	long n = (long)p->nlines;

	if (p->follow && (a == ACTION_UP || a == ACTION_PAGE_UP || a == ACTION_HALF_UP)) {
		/* Leaving follow mode: start from the last visible line. */
		cur = p->top + body - 1 < n ? p->top + body - 1 : n - 1;
	}
	switch (a) {
	case ACTION_UP: cur--; break;
	case ACTION_DOWN: cur++; break;
	case ACTION_PAGE_UP: cur -= body; p->top -= body; break;
	case ACTION_PAGE_DOWN: cur += body; p->top += body; break;
	case ACTION_HALF_UP: cur -= body / 2; p->top -= body / 2; break;
	case ACTION_HALF_DOWN: cur += body / 2; p->top += body / 2; break;
	case ACTION_TOP: cur = 0; break;
	case ACTION_BOTTOM: cur = n - 1; break;
	default: return PANE_IGNORED;
	}
	if (cur < 0)
		cur = 0;
	if (cur > n - 1)
		cur = n - 1;
	pane_set_cursor(p, cur);
	return PANE_HANDLED | PANE_REDRAW;
}

/* Case-insensitive substring search ignoring markers' bytes (they never
 * occur in a needle). */
static bool
line_has(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

bool
pane_search(struct pane *p, const char *needle, int dir)
{
	long n = (long)p->nlines;
	long start = p->cursor < 0 || p->follow ? (dir > 0 ? -1 : n) : p->cursor;

	pane_refresh_lines(p);
	n = (long)p->nlines;
	if (!needle || !*needle || n == 0)
		return false;
	if (!p->hl || strcmp(p->hl, needle)) {
		free(p->hl);
		p->hl = xstrdup(needle);
		p->dirty = true;
	}
	for (long k = 1; k <= n; k++) {
		long i = ((start + dir * k) % n + n) % n;

		if (line_has(p->lines[i].text, needle)) {
			p->follow = false;
			p->cursor = i;
			clamp(p);
			p->dirty = true;
			if (p->ops->cursor_moved)
				p->ops->cursor_moved(p);
			return true;
		}
	}
	return false;
}
