/* SPDX-License-Identifier: MIT */
/*
 * :save-screen: the composited screen from curscr as text, an element layer
 * (one letter per cell) and the resolved style of every element.
 */
#include "ui/screen_dump.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "ui/draw.h"

static const struct {
	enum ui_elem e;
	char letter;
	const char *name;
} elems[] = {
	{ UI_NORMAL, '.', "normal" },	       { UI_STATUS, 's', "status" },
	{ UI_TITLE_FOCUS, 'T', "title-focus" }, { UI_TITLE_BLUR, 't', "title-blur" },
	{ UI_CURSOR, 'c', "cursor" },	       { UI_USER, 'u', "user" },
	{ UI_ASSISTANT, 'a', "assistant" },     { UI_HEADING, 'h', "heading" },
	{ UI_CODE, 'k', "code" },	       { UI_TOOL_CALL, 'C', "tool-call" },
	{ UI_TOOL_OUTPUT, 'O', "tool-output" }, { UI_DIFF_ADD, '+', "diff-add" },
	{ UI_DIFF_DEL, '-', "diff-del" },       { UI_DIFF_HUNK, '@', "diff-hunk" },
	{ UI_DIFF_FILE, 'f', "diff-file" },     { UI_PLAN_DONE, 'D', "plan-done" },
	{ UI_PLAN_TODO, 'p', "plan-todo" },     { UI_PLAN_CURRENT, 'P', "plan-current" },
	{ UI_ERROR, 'E', "error" },	       { UI_INPUT, 'i', "input" },
	{ UI_HELP, 'H', "help" },	       { UI_PROMPT, '>', "prompt" },
	{ UI_DIM, 'm', "dim" },		       { UI_SEARCH, '/', "search" },
	{ UI_BORDER, '|', "border" },	       { UI_LINK, 'L', "link" },
};

/* Intra-line highlights (DRAW_HL): draw_hl_attr() of the element. */
static const struct {
	enum ui_elem e;
	char letter;
	const char *name;
} hls[] = {
	{ UI_DIFF_ADD, '*', "diff-add-hl" },
	{ UI_DIFF_DEL, '#', "diff-del-hl" },
};

#define NELEMS (sizeof elems / sizeof *elems)
#define NHLS   (sizeof hls / sizeof *hls)
#define STYLE_BITS (A_BOLD | A_DIM | A_UNDERLINE | A_REVERSE | A_ITALIC | A_STANDOUT | A_BLINK)

/* The attribute of one cell in draw_attr()'s form; *wc gets its character. */
static attr_t
cell_attr(int y, int x, wchar_t *wc)
{
	cchar_t cc;
	wchar_t ws[CCHARW_MAX + 1] = { 0 };
	attr_t a = 0;
	short pair = 0;

	*wc = L' ';
	if (mvwin_wch(curscr, y, x, &cc) == ERR)
		return 0;
	if (getcchar(&cc, ws, &a, &pair, NULL) == ERR)
		return 0;
	if (ws[0])
		*wc = ws[0];
	return (a & STYLE_BITS) | (pair > 0 ? COLOR_PAIR(pair) : 0);
}

static bool
same_attr(attr_t d, attr_t a)
{
	return ((d & STYLE_BITS) | (d & A_COLOR)) == a;
}

static char
cell_letter(attr_t a)
{
	for (size_t i = 0; i < NELEMS; i++)
		if (same_attr(draw_attr(elems[i].e), a))
			return elems[i].letter;
	for (size_t i = 0; i < NHLS; i++)
		if (same_attr(draw_hl_attr(hls[i].e), a))
			return hls[i].letter;
	for (size_t i = 0; i < NELEMS; i++)
		if (same_attr(draw_attr(elems[i].e) ^ A_REVERSE, a))
			return '^';
	return '?';
}

static void
trim(struct buf *b, size_t from, char blank)
{
	while (b->len > from && (b->ptr[b->len - 1] == ' ' || b->ptr[b->len - 1] == blank))
		b->len--;
	buf_putc(b, '\n');
}

/* One row: text (letters == false) or element letters. */
static void
dump_row(struct buf *out, int y, bool letters)
{
	size_t from = out->len;
	int cols = getmaxx(curscr);

	for (int x = 0; x < cols; x++) {
		wchar_t wc;
		attr_t a = cell_attr(y, x, &wc);
		int w = wcwidth(wc);

		if (w < 1)
			w = 1;
		if (letters) {
			char l = cell_letter(a);
			for (int i = 0; i < w; i++)
				buf_putc(out, l);
		} else {
			char mb[MB_LEN_MAX];
			mbstate_t st = { 0 };
			size_t n = wcrtomb(mb, wc, &st);
			if (n == (size_t)-1)
				buf_putc(out, '?');
			else
				buf_add(out, mb, n);
		}
		x += w - 1;
	}
	/* A blank cell in the normal element trims like a space. */
	trim(out, from, letters ? '.' : ' ');
}

int
screen_dump_rows(void)
{
	return getmaxy(curscr);
}

void
screen_dump_row(struct buf *out, int y)
{
	buf_clear(out);
	dump_row(out, y, false);
	if (out->len)
		out->ptr[--out->len] = '\0';
}

static void
dump_styles(struct buf *out)
{
	static const struct {
		attr_t a;
		const char *name;
	} bits[] = { { A_BOLD, "bold" },	   { A_DIM, "dim" },	     { A_UNDERLINE, "underline" },
		     { A_REVERSE, "reverse" }, { A_ITALIC, "italic" }, { A_STANDOUT, "standout" },
		     { A_BLINK, "blink" } };

	for (size_t i = 0; i < NELEMS + NHLS; i++) {
		bool hl = i >= NELEMS;
		attr_t a = hl ? draw_hl_attr(hls[i - NELEMS].e) : draw_attr(elems[i].e);
		short fg = -1, bg = -1;
		int pair = PAIR_NUMBER(a);
		bool any = false;

		if (pair > 0 && has_colors())
			pair_content((short)pair, &fg, &bg);
		buf_printf(out, "%c %s fg=%d bg=%d attrs=", hl ? hls[i - NELEMS].letter : elems[i].letter,
			   hl ? hls[i - NELEMS].name : elems[i].name, fg, bg);
		for (size_t j = 0; j < sizeof bits / sizeof *bits; j++) {
			if (a & bits[j].a) {
				buf_printf(out, "%s%s", any ? "," : "", bits[j].name);
				any = true;
			}
		}
		buf_puts(out, any ? "\n" : "-\n");
	}
}

void
screen_dump(struct buf *out, bool elements)
{
	int rows = getmaxy(curscr);

	for (int y = 0; y < rows; y++)
		dump_row(out, y, false);
	if (!elements)
		return;
	buf_puts(out, "--\n");
	for (int y = 0; y < rows; y++)
		dump_row(out, y, true);
	buf_puts(out, "==\n");
	dump_styles(out);
}

int
screen_dump_write(const char *path, bool elements)
{
	struct buf b = BUF_INIT;
	int rc;

	screen_dump(&b, elements);
	rc = fsutil_write_atomic(path, b.ptr ? b.ptr : "", b.len);
	buf_fini(&b);
	return rc < 0 ? DH_EFAIL : 0;
}
