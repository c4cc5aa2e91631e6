/* SPDX-License-Identifier: MIT */
/*
 * Drawing helpers: element attributes, sanitizing, width and clipping. The
 * fallback palette here is used until a theme is applied (ui/theme.c).
 */
#include "ui/draw.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "ui/theme.h"

static bool utf8_locale = true;
static attr_t attrs[UI__COUNT];
static const struct theme *theme;

/* Our elements in the theme's terms. */
static const enum theme_element theme_of[UI__COUNT] = {
	[UI_NORMAL] = THEME_NORMAL,	      [UI_STATUS] = THEME_STATUS,
	[UI_TITLE_FOCUS] = THEME_TITLE_FOCUS, [UI_TITLE_BLUR] = THEME_TITLE_BLUR,
	[UI_CURSOR] = THEME_CURSOR,	      [UI_USER] = THEME_USER,
	[UI_ASSISTANT] = THEME_ASSISTANT,     [UI_HEADING] = THEME_HEADING,
	[UI_CODE] = THEME_CODE,		      [UI_TOOL_CALL] = THEME_TOOL_CALL,
	[UI_TOOL_OUTPUT] = THEME_TOOL_OUTPUT, [UI_DIFF_ADD] = THEME_DIFF_ADD,
	[UI_DIFF_DEL] = THEME_DIFF_DEL,	      [UI_DIFF_HUNK] = THEME_DIFF_HUNK,
	[UI_DIFF_FILE] = THEME_DIFF_FILE,     [UI_PLAN_DONE] = THEME_PLAN_DONE,
	[UI_PLAN_TODO] = THEME_PLAN_TODO,     [UI_PLAN_CURRENT] = THEME_PLAN_CURRENT,
	[UI_ERROR] = THEME_ERROR,	      [UI_INPUT] = THEME_INPUT,
	[UI_HELP] = THEME_HELP,		      [UI_PROMPT] = THEME_PROMPT,
	[UI_DIM] = THEME_MUTED,		      [UI_SEARCH] = THEME_SEARCH_MATCH,
	[UI_BORDER] = THEME_BORDER,	      [UI_LINK] = THEME_INFO,
};

/* Attributes an element always has on top of its theme's (a link is
 * underlined whatever the theme says of `info`). */
static const attr_t extra_of[UI__COUNT] = {
	[UI_LINK] = A_UNDERLINE,
};

/* The markers, in draw_markers_after()'s bit order. */
static const char markers[] = { DRAW_BOLD, DRAW_EM, DRAW_CODE, DRAW_HL, DRAW_LINK };

void
draw_setup(const struct theme *t, bool mono, bool utf8)
{
	static const struct {
		enum ui_elem e;
		short fg;
		attr_t extra;
		attr_t mono;
	} palette[] = {
		{ UI_STATUS, COLOR_WHITE, A_REVERSE, A_REVERSE },
		{ UI_TITLE_FOCUS, COLOR_CYAN, A_BOLD | A_REVERSE, A_BOLD | A_REVERSE },
		{ UI_TITLE_BLUR, -1, A_UNDERLINE, A_UNDERLINE },
		{ UI_CURSOR, -1, A_REVERSE, A_REVERSE },
		{ UI_USER, COLOR_GREEN, A_BOLD, A_BOLD },
		{ UI_ASSISTANT, -1, 0, 0 },
		{ UI_HEADING, COLOR_YELLOW, A_BOLD, A_BOLD | A_UNDERLINE },
		{ UI_CODE, COLOR_CYAN, 0, A_DIM },
		{ UI_TOOL_CALL, COLOR_BLUE, A_BOLD, A_BOLD },
		{ UI_TOOL_OUTPUT, -1, A_DIM, A_DIM },
		{ UI_DIFF_ADD, COLOR_GREEN, 0, A_BOLD },
		{ UI_DIFF_DEL, COLOR_RED, 0, A_UNDERLINE },
		{ UI_DIFF_HUNK, COLOR_MAGENTA, 0, A_DIM },
		{ UI_DIFF_FILE, COLOR_YELLOW, A_BOLD, A_BOLD },
		{ UI_PLAN_DONE, COLOR_GREEN, 0, A_DIM },
		{ UI_PLAN_TODO, -1, 0, 0 },
		{ UI_PLAN_CURRENT, COLOR_YELLOW, A_BOLD, A_BOLD | A_UNDERLINE },
		{ UI_ERROR, COLOR_RED, A_BOLD, A_BOLD | A_UNDERLINE },
		{ UI_INPUT, -1, 0, 0 },
		{ UI_HELP, -1, 0, 0 },
		{ UI_PROMPT, COLOR_YELLOW, A_BOLD, A_BOLD | A_REVERSE },
		{ UI_DIM, -1, A_DIM, A_DIM },
		{ UI_SEARCH, COLOR_YELLOW, A_REVERSE, A_REVERSE | A_UNDERLINE },
		{ UI_BORDER, -1, A_DIM, 0 },
		{ UI_LINK, COLOR_CYAN, A_UNDERLINE, A_UNDERLINE },
	};

	utf8_locale = utf8;
	theme = t;
	memset(attrs, 0, sizeof attrs);
	if (t)
		return;
	for (size_t i = 0; i < sizeof palette / sizeof *palette; i++) {
		attr_t a = mono ? palette[i].mono : palette[i].extra;

		if (!mono && palette[i].fg >= 0 && COLOR_PAIRS > (int)i + 1 &&
		    init_pair((short)(i + 1), palette[i].fg, -1) != ERR)
			a |= COLOR_PAIR((int)i + 1);
		attrs[palette[i].e] = a;
	}
}

attr_t
draw_attr(enum ui_elem e)
{
	if (e >= UI__COUNT)
		return 0;
	return (theme ? (attr_t)theme_attr(theme, theme_of[e]) : attrs[e]) | extra_of[e];
}

attr_t
draw_hl_attr(enum ui_elem e)
{
	if (theme && e == UI_DIFF_ADD)
		return (attr_t)theme_attr(theme, THEME_DIFF_ADD_WORD);
	if (theme && e == UI_DIFF_DEL)
		return (attr_t)theme_attr(theme, THEME_DIFF_DEL_WORD);
	return draw_attr(e) ^ A_REVERSE;
}

bool
draw_is_utf8(void)
{
	return utf8_locale;
}

const char *
draw_mark(const char *utf8, const char *ascii)
{
	return utf8_locale ? utf8 : ascii;
}

void
draw_sanitize(struct buf *out, const char *s, size_t n, bool keep_nl)
{
	utf8_sanitize(out, s, n, (utf8_locale ? 0 : UTF8_ASCII) | (keep_nl ? UTF8_KEEP_NL : 0));
}

void
draw_sanitize_name(struct buf *out, const char *s)
{
	utf8_sanitize(out, s, strlen(s), (utf8_locale ? 0 : UTF8_ASCII) | UTF8_NAME);
}

bool
draw_is_marker(char c)
{
	return c && memchr(markers, c, sizeof markers) != NULL;
}

unsigned
draw_markers_after(const char *s, size_t n, unsigned st)
{
	for (size_t i = 0; i < n; i++) {
		const char *m = draw_is_marker(s[i]) ? memchr(markers, s[i], sizeof markers) : NULL;

		if (m)
			st ^= 1u << (m - markers);
	}
	return st;
}

void
draw_put_markers(struct buf *b, unsigned st)
{
	for (size_t k = 0; k < sizeof markers; k++)
		if (st & (1u << k))
			buf_putc(b, markers[k]);
}

/* Decode one character of sanitized text; its byte length and width. */
static size_t
next_char(const char *s, wchar_t *wc, int *w)
{
	mbstate_t st = { 0 };
	size_t len = mbrtowc(wc, s, strnlen(s, MB_CUR_MAX), &st);

	if (len == 0 || len == (size_t)-1 || len == (size_t)-2) {
		*wc = L'?';
		*w = 1;
		return 1;
	}
	*w = wcwidth(*wc);
	if (*w < 0)
		*w = 1;
	return len;
}

size_t
draw_fit(const char *s, int cols, int *used)
{
	size_t i = 0;
	int w = 0;

	while (s[i]) {
		wchar_t wc;
		int cw;

		if (draw_is_marker(s[i])) {
			i++;
			continue;
		}
		size_t len = next_char(s + i, &wc, &cw);
		if (w + cw > cols)
			break;
		w += cw;
		i += len;
	}
	if (used)
		*used = w;
	return i;
}

int
draw_width(const char *s)
{
	int w;

	draw_fit(s, 1 << 30, &w);
	return w;
}

int
draw_elide(struct buf *out, const char *s, int cols)
{
	const char *mark = draw_mark("…", "...");
	int w = draw_width(s), mw = draw_width(mark);

	if (w <= cols) {
		buf_puts(out, s);
		return w;
	}
	if (cols <= mw) { /* no room for both ends: the start, cut */
		int used;
		buf_add(out, s, draw_fit(s, cols > 0 ? cols : 0, &used));
		return used;
	}
	int head_w, room, left;
	size_t head = draw_fit(s, (cols - mw) / 3, &head_w), tail = head;

	/* The end: the longest part after the start that fits in the rest
	 * (whole characters: a combining mark stays with its base). */
	room = cols - mw - head_w;
	left = w - head_w;
	while (s[tail]) {
		wchar_t wc;
		int cw;
		size_t len = next_char(s + tail, &wc, &cw);

		if (left <= room && cw > 0)
			break;
		left -= cw;
		tail += len;
	}
	buf_add(out, s, head);
	buf_puts(out, mark);
	buf_puts(out, s + tail);
	return head_w + mw + left;
}

int
draw_text(WINDOW *win, int y, int x, int cols, const char *s, attr_t attr)
{
	attr_t cur = attr, em = utf8_locale ? A_ITALIC : A_UNDERLINE, before_link = attr;
	bool link = false;
	int w = 0;

	if (cols <= 0)
		return 0;
	wmove(win, y, x);
	for (size_t i = 0; s[i];) {
		wchar_t wc[2] = { 0, 0 };
		int cw;

		if (s[i] == DRAW_HL) {
			/* The theme's word style on an added or removed line;
			 * elsewhere (the cursor line) reverse toggled, so it
			 * still shows. */
			attr_t hl = attr == draw_attr(UI_DIFF_ADD)   ? draw_hl_attr(UI_DIFF_ADD)
				    : attr == draw_attr(UI_DIFF_DEL) ? draw_hl_attr(UI_DIFF_DEL)
								     : attr ^ A_REVERSE;
			cur = cur == hl ? attr : hl;
			i++;
			continue;
		}
		if (s[i] == DRAW_LINK) {
			/* Markers nest: what was on before the link comes back. */
			link = !link;
			if (link)
				before_link = cur;
			cur = link ? draw_attr(UI_LINK) | (cur & (A_BOLD | A_ITALIC)) : before_link;
			i++;
			continue;
		}
		if (draw_is_marker(s[i])) {
			attr_t bit = s[i] == DRAW_BOLD ? A_BOLD
				     : s[i] == DRAW_EM ? em
						       : draw_attr(UI_CODE) | A_BOLD;
			cur = (cur & bit) == bit && s[i] != DRAW_CODE ? cur & ~bit
			      : s[i] == DRAW_CODE && cur != attr       ? attr
								       : cur | bit;
			i++;
			continue;
		}
		size_t len = next_char(s + i, &wc[0], &cw);
		if (w + cw > cols)
			break;
		if (cw == 0 && w == 0) {
			/* A combining mark with no base: show it on a space. */
			wc[1] = wc[0];
			wc[0] = L' ';
			cw = 1;
		}
		wattrset(win, (int)cur);
		waddnwstr(win, wc, wc[1] ? 2 : 1);
		w += cw;
		i += len;
	}
	wattrset(win, A_NORMAL);
	return w;
}

void
draw_fill(WINDOW *win, int y, int x, int cols, attr_t attr)
{
	if (cols <= 0)
		return;
	mvwhline(win, y, x, ' ' | (chtype)attr, cols);
}
