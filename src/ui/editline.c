/* SPDX-License-Identifier: MIT */
/*
 * The line editor: a line's text and cursor, the edits on them and which
 * part of a long line to show. What a key does and where the line is drawn
 * are ui_prompt.c's and ui_display.c's.
 */
#include "ui/editline.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <wctype.h>

#include "core/utf8.h"
#include "ui/draw.h"

/* The length of the code point at s (n bytes left): an invalid byte is one. */
static size_t
cp_len(const char *s, size_t n)
{
	uint32_t cp;
	size_t k = utf8_decode(s, n, &cp);

	return k ? k : 1;
}

/* Columns s[0..n) takes on the screen, as draw_input() draws it. */
static int
width_of(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	draw_sanitize(&b, s, n, false);
	int w = draw_width(buf_cstr(&b));
	buf_fini(&b);
	return w;
}

/* The end of the character at i (< len): its code point and the zero-width
 * ones after it. */
static size_t
next_char(const struct editline *e, size_t i)
{
	const char *s = e->text.ptr;
	size_t len = e->text.len;
	size_t j = i + cp_len(s + i, len - i);

	while (j < len) {
		size_t k = cp_len(s + j, len - j);
		if (width_of(s + j, k) != 0)
			break;
		j += k;
	}
	return j;
}

/* The start of the code point that ends at i (> 0). */
static size_t
prev_cp(const struct editline *e, size_t i)
{
	const char *s = e->text.ptr;
	size_t j = i - 1;

	while (j > 0 && i - j < 4 && ((unsigned char)s[j] & 0xc0) == 0x80)
		j--;
	return cp_len(s + j, e->text.len - j) == i - j ? j : i - 1;
}

/* The start of the character that ends at i (> 0): next_char() backwards. */
static size_t
prev_char(const struct editline *e, size_t i)
{
	const char *s = e->text.ptr;
	size_t j = prev_cp(e, i);

	while (j > 0 && width_of(s + j, i - j) == 0)
		j = prev_cp(e, j);
	return j;
}

/* Delete text[from..to); the cursor goes to `from`. A kill keeps it. */
static void
cut(struct editline *e, size_t from, size_t to, struct buf *kill)
{
	if (from >= to)
		return;
	if (kill) {
		buf_clear(kill);
		buf_add(kill, e->text.ptr + from, to - from);
	}
	memmove(e->text.ptr + from, e->text.ptr + to, e->text.len - to + 1); /* the NUL too */
	e->text.len -= to - from;
	e->cur = from;
}

void
editline_init(struct editline *e)
{
	buf_init(&e->text);
	e->cur = e->view = 0;
}

void
editline_fini(struct editline *e)
{
	buf_fini(&e->text);
	e->cur = e->view = 0;
}

void
editline_clear(struct editline *e)
{
	buf_clear(&e->text);
	e->cur = e->view = 0;
}

void
editline_set(struct editline *e, const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	buf_add(&b, s, n); /* s may be a part of the line itself */
	buf_fini(&e->text);
	e->text = b;
	e->cur = b.len;
	e->view = 0;
}

void
editline_insert(struct editline *e, const char *s, size_t n)
{
	size_t tail = e->text.len - e->cur;

	if (!n)
		return;
	if (e->view > e->cur) /* the bytes after the cursor move */
		e->view = e->cur;
	buf_grow(&e->text, n);
	memmove(e->text.ptr + e->cur + n, e->text.ptr + e->cur, tail);
	memcpy(e->text.ptr + e->cur, s, n);
	e->text.len += n;
	e->text.ptr[e->text.len] = '\0';
	e->cur += n;
}

void
editline_replace(struct editline *e, size_t from, const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	buf_add(&b, s, n);
	cut(e, from < e->cur ? from : e->cur, e->cur, NULL);
	editline_insert(e, b.ptr, b.len);
	buf_fini(&b);
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* True when the character at i (< len) is part of a word: its code point
 * is a letter or a digit (readline's rl_alphabetic). */
static bool
is_word(const struct editline *e, size_t i)
{
	uint32_t cp;

	if (!utf8_decode(e->text.ptr + i, e->text.len - i, &cp))
		return false;
	return cp < 128 ? isalnum((int)cp) != 0 : iswalnum((wint_t)cp) != 0;
}

/* The start of the word that ends at or before i: what is not a word
 * first, then the word (readline's backward-word). */
static size_t
word_left(const struct editline *e, size_t i)
{
	while (i > 0 && !is_word(e, prev_char(e, i)))
		i = prev_char(e, i);
	while (i > 0 && is_word(e, prev_char(e, i)))
		i = prev_char(e, i);
	return i;
}

/* The end of the word that starts at or after i (forward-word). */
static size_t
word_right(const struct editline *e, size_t i)
{
	while (i < e->text.len && !is_word(e, i))
		i = next_char(e, i);
	while (i < e->text.len && is_word(e, i))
		i = next_char(e, i);
	return i;
}

bool
editline_apply(struct editline *e, enum editline_op op, struct buf *kill)
{
	size_t len = e->text.len, was = len, p;

	switch (op) {
	case EDITLINE_NONE:
		break;
	case EDITLINE_LEFT:
		if (e->cur > 0)
			e->cur = prev_char(e, e->cur);
		break;
	case EDITLINE_RIGHT:
		if (e->cur < len)
			e->cur = next_char(e, e->cur);
		break;
	case EDITLINE_START:
		e->cur = 0;
		break;
	case EDITLINE_END:
		e->cur = len;
		break;
	case EDITLINE_BACKSPACE:
		if (e->cur > 0)
			cut(e, prev_char(e, e->cur), e->cur, NULL);
		break;
	case EDITLINE_DELETE:
		if (e->cur < len)
			cut(e, e->cur, next_char(e, e->cur), NULL);
		break;
	case EDITLINE_KILL_END:
		cut(e, e->cur, len, kill);
		break;
	case EDITLINE_KILL_START:
		cut(e, 0, e->cur, kill);
		break;
	case EDITLINE_KILL_WORD:
		p = e->cur;
		while (p > 0 && is_blank(e->text.ptr[p - 1]))
			p--;
		while (p > 0 && !is_blank(e->text.ptr[p - 1]))
			p--;
		cut(e, p, e->cur, kill);
		break;
	case EDITLINE_WORD_LEFT:
		e->cur = word_left(e, e->cur);
		break;
	case EDITLINE_WORD_RIGHT:
		e->cur = word_right(e, e->cur);
		break;
	case EDITLINE_KILL_WORD_LEFT:
		cut(e, word_left(e, e->cur), e->cur, kill);
		break;
	case EDITLINE_KILL_WORD_RIGHT:
		cut(e, e->cur, word_right(e, e->cur), kill);
		break;
	case EDITLINE_YANK:
		if (kill && kill->len) {
			editline_insert(e, kill->ptr, kill->len);
			return true;
		}
		break;
	}
	if (e->view > e->cur)
		e->view = e->cur;
	return e->text.len != was;
}

const char *
editline_text(struct editline *e)
{
	return buf_cstr(&e->text);
}

bool
editline_is_empty(const struct editline *e)
{
	return e->text.len == 0;
}

void
editline_view(struct editline *e, int cols, struct editline_shown *out)
{
	const char *s = editline_text(e);
	size_t len = e->text.len;

	if (cols < 1)
		cols = 1;
	if (e->cur > len)
		e->cur = len;
	if (e->view > e->cur)
		e->view = e->cur;
	bool marks = cols >= 4;
	int end_cell = e->cur == len ? 1 : 0; /* the cursor's own column at the end */
	int need = e->cur < len ? width_of(s + e->cur, next_char(e, e->cur) - e->cur) : 1;
	if (need < 1)
		need = 1;
	/* Columns from the view to the cursor and to the end; a mark on
	 * the left once the view is past the start, on the right while the
	 * rest does not fit. */
	int w = width_of(s + e->view, e->cur - e->view);
	int all = width_of(s + e->view, len - e->view);
	bool before, after;
	for (;;) {
		before = marks && e->view > 0;
		after = marks && all + end_cell > cols - before;
		/* Forward until the cursor's character fits. */
		if (e->view >= e->cur || w + need <= cols - before - after)
			break;
		size_t n = next_char(e, e->view);
		int cw = width_of(s + e->view, n - e->view);
		w -= cw;
		all -= cw;
		e->view = n;
	}
	/* Back while what is hidden before would fit with the rest. */
	while (e->view > 0) {
		size_t p = prev_char(e, e->view);
		int pw = width_of(s + p, e->view - p);
		if (all + end_cell + pw > cols - (marks && p > 0))
			break;
		w += pw;
		all += pw;
		e->view = p;
	}
	before = marks && e->view > 0;
	after = marks && all + end_cell > cols - before;
	/* As much of the rest as fits, in whole characters. */
	int room = cols - before - after, used = 0;
	size_t end = e->view;
	while (end < len) {
		size_t n = next_char(e, end);
		int cw = width_of(s + end, n - end);
		if (used + cw > room)
			break;
		used += cw;
		end = n;
	}
	*out = (struct editline_shown){ .start = e->view, .end = end, .more_before = before,
					.more_after = after, .cursor = before + w };
}
