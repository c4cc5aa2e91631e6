/* SPDX-License-Identifier: MIT */
/* The workbench's pure parts: key names and bindings, layout arithmetic,
 * display sanitizing, the input line's editor, and the grant refusal rule. */
#include <criterion/criterion.h>
#include <curses.h>
#include <locale.h>
#include <string.h>

#include "engine/engine.h"
#include "core/buf.h"
#include "core/utf8.h"
#include "ui/draw.h"
#include "ui/editline.h"
#include "ui/keymap.h"
#include "ui/layout.h"

static char *
sanitize(const char *s, unsigned flags)
{
	struct buf b = BUF_INIT;

	utf8_sanitize(&b, s, strlen(s), flags);
	return buf_detach(&b);
}

Test(ui_keymap, parses_key_names)
{
	int k;

	setlocale(LC_CTYPE, "C.UTF-8");
	cr_assert_eq(keymap_parse_key(&k, "j"), 0);
	cr_assert_eq(k, 'j');
	cr_assert_eq(keymap_parse_key(&k, "<Tab>"), 0);
	cr_assert_eq(k, '\t');
	cr_assert_eq(keymap_parse_key(&k, "<C-d>"), 0);
	cr_assert_eq(k, 4);
	cr_assert_eq(keymap_parse_key(&k, "<S-Tab>"), 0);
	cr_assert_eq(k, KEYMAP_FKEY | KEY_BTAB);
	cr_assert_eq(keymap_parse_key(&k, "<PgDn>"), 0);
	cr_assert_eq(k, KEYMAP_FKEY | KEY_NPAGE);
	cr_assert_eq(keymap_parse_key(&k, "<F12>"), 0);
	cr_assert_eq(k, KEYMAP_FKEY | KEY_F(12));
	cr_assert_eq(keymap_parse_key(&k, "é"), 0);
	cr_assert_eq(k, 0xe9);
	cr_assert_eq(keymap_parse_key(&k, "<Nope>"), DH_EPARSE);
	cr_assert_eq(keymap_parse_key(&k, "ab"), DH_EPARSE);
	char name[32];
	keymap_key_name(4, name, sizeof name);
	cr_assert_str_eq(name, "<C-d>");
	keymap_key_name(KEYMAP_FKEY | KEY_BTAB, name, sizeof name);
	cr_assert_str_eq(name, "<S-Tab>");
	/* C-\ (FS, 28): the detach key; named as config writes it. */
	cr_assert_eq(keymap_parse_key(&k, "<C-\\>"), 0);
	cr_assert_eq(k, 28);
	keymap_key_name(28, name, sizeof name);
	cr_assert_str_eq(name, "<C-\\>");
}

/* Alt keys: "<M-" and any other key's name; the name printed parses back. */
Test(ui_keymap, alt_key_names)
{
	static const struct {
		const char *name;
		int key;
	} keys[] = {
		{ "<M-b>", KEYMAP_ALT | 'b' },
		{ "<M-B>", KEYMAP_ALT | 'B' },
		{ "<M-Backspace>", KEYMAP_ALT | KEYMAP_FKEY | KEY_BACKSPACE },
		{ "<M-C-h>", KEYMAP_ALT | 8 },
		{ "<M-Enter>", KEYMAP_ALT | '\n' },
		{ "<M->>", KEYMAP_ALT | '>' },
		{ "<M-\xc3\xa9>", KEYMAP_ALT | 0xe9 },
		{ "<M-F2>", KEYMAP_ALT | KEYMAP_FKEY | KEY_F(2) },
	};
	int k;
	char name[32];

	setlocale(LC_CTYPE, "C.UTF-8");
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		cr_assert_eq(keymap_parse_key(&k, keys[i].name), 0, "%s: %s", keys[i].name,
			     err_msg());
		cr_assert_eq(k, keys[i].key, "%s: %#x", keys[i].name, (unsigned)k);
		keymap_key_name(k, name, 16);
		cr_assert_str_eq(name, keys[i].name);
	}
	cr_assert_eq(keymap_parse_key(&k, "<m-backspace>"), 0);
	cr_assert_eq(k, KEYMAP_ALT | KEYMAP_FKEY | KEY_BACKSPACE);
	cr_assert_eq(keymap_parse_key(&k, "<M->"), DH_EPARSE);
	cr_assert_eq(keymap_parse_key(&k, "<M-ab>"), DH_EPARSE);
	cr_assert_eq(keymap_parse_key(&k, "<M-M-b>"), DH_EPARSE);
	cr_assert_eq(keymap_parse_key(&k, "<M-Nope>"), DH_EPARSE);
	cr_assert(strstr(err_msg(), "'<M-Nope>'"), "%s", err_msg());
	/* What the terminal sends, one code: DEL and CR, with Alt or not. */
	cr_assert_eq(keymap_key_canon(127), KEYMAP_FKEY | KEY_BACKSPACE);
	cr_assert_eq(keymap_key_canon(KEYMAP_ALT | 127), KEYMAP_ALT | KEYMAP_FKEY | KEY_BACKSPACE);
	cr_assert_eq(keymap_key_canon(KEYMAP_ALT | '\r'), KEYMAP_ALT | '\n');
	cr_assert_eq(keymap_key_canon(KEYMAP_FKEY | KEY_ENTER), '\n');
	cr_assert_eq(keymap_key_canon('b'), 'b');
}

/* The line's word keys are bound by default and can be bound again; an
 * Alt key bound nowhere is not a key of its own (keymap_has_key). */
Test(ui_keymap, alt_bindings)
{
	int k;

	cr_assert_eq(keymap_init_defaults(), 0, "%s", err_msg());
	cr_assert_eq(keymap_lookup(KEYMAP_LINE, KEYMAP_ALT | 'b'), ACTION_LINE_WORD_LEFT);
	cr_assert_eq(keymap_lookup(KEYMAP_LINE, KEYMAP_ALT | 'f'), ACTION_LINE_WORD_RIGHT);
	cr_assert_eq(keymap_lookup(KEYMAP_LINE, KEYMAP_ALT | 'd'), ACTION_LINE_KILL_WORD_RIGHT);
	cr_assert_eq(keymap_lookup(KEYMAP_LINE, KEYMAP_ALT | KEYMAP_FKEY | KEY_BACKSPACE),
		     ACTION_LINE_KILL_WORD_LEFT);
	cr_assert_eq(keymap_lookup(KEYMAP_LINE, KEYMAP_ALT | 8), ACTION_LINE_KILL_WORD_LEFT);
	cr_assert_eq(keymap_lookup(KEYMAP_GLOBAL, KEYMAP_ALT | 'b'), ACTION_NONE);
	cr_assert(keymap_has_key(KEYMAP_ALT | 'b'));
	cr_assert(!keymap_has_key(KEYMAP_ALT | 'q'));
	cr_assert_eq(keymap_bind_line("line <M-q> line-start"), 0);
	cr_assert(keymap_has_key(KEYMAP_ALT | 'q'));
	cr_assert_eq(keymap_lookup(KEYMAP_LINE, KEYMAP_ALT | 'q'), ACTION_LINE_START);
	cr_assert_eq(keymap_bind_line("line <M-b> line-end"), 0);
	cr_assert_eq(keymap_lookup(KEYMAP_LINE, KEYMAP_ALT | 'b'), ACTION_LINE_END);
	cr_assert_eq(keymap_parse_key(&k, "<M-d>"), 0);
	struct buf b = BUF_INIT;
	keymap_help(&b);
	cr_assert(strstr(buf_cstr(&b), "<M-Backspace>, <M-C-h>"), "%s", buf_cstr(&b));
	cr_assert(strstr(buf_cstr(&b), "<End>, <C-e>, <M-b>"), "%s", buf_cstr(&b));
	buf_fini(&b);
	cr_assert_eq(keymap_init_defaults(), 0, "%s", err_msg());
}

Test(ui_keymap, detach_is_an_action_bound_to_ctrl_backslash)
{
	int k;

	cr_assert_eq(keymap_init_defaults(), 0, "%s", err_msg());
	cr_assert_str_eq(keymap_action_name(ACTION_DETACH), "detach");
	cr_assert_eq(keymap_lookup(KEYMAP_GLOBAL, 28), ACTION_DETACH);
	cr_assert_eq(keymap_lookup(KEYMAP_DIFF, 28), ACTION_DETACH); /* from every pane */
	/* Rebindable: another key detaches, C-\ may do something else. */
	cr_assert_eq(keymap_bind_line("global <C-b> detach"), 0);
	cr_assert_eq(keymap_parse_key(&k, "<C-b>"), 0);
	cr_assert_eq(keymap_lookup(KEYMAP_GLOBAL, k), ACTION_DETACH);
	cr_assert_eq(keymap_bind_line("global <C-\\> redraw"), 0);
	cr_assert_eq(keymap_lookup(KEYMAP_GLOBAL, 28), ACTION_REDRAW);
	struct buf b = BUF_INIT;
	keymap_help(&b);
	cr_assert(strstr(buf_cstr(&b), "detach"));
	buf_fini(&b);
	cr_assert_eq(keymap_init_defaults(), 0, "%s", err_msg());
}

Test(ui_keymap, defaults_and_rebinding)
{
	int k;

	cr_assert_eq(keymap_init_defaults(), 0, "%s", err_msg());
	cr_assert_eq(keymap_lookup(KEYMAP_DIFF, ']'), ACTION_NEXT_HUNK);
	cr_assert_eq(keymap_lookup(KEYMAP_DIFF, 'j'), ACTION_DOWN); /* falls back to global */
	cr_assert_eq(keymap_lookup(KEYMAP_APPROVAL, 'y'), ACTION_ALLOW);
	cr_assert_eq(keymap_lookup(KEYMAP_APPROVAL, 'j'), ACTION_NONE);
	cr_assert_eq(keymap_lookup(KEYMAP_GLOBAL, '\t'), ACTION_FOCUS_NEXT);
	/* The input line's context: its own keys, no fallback to global. */
	cr_assert_eq(keymap_lookup(KEYMAP_LINE, KEYMAP_FKEY | KEY_HOME), ACTION_LINE_START);
	cr_assert_eq(keymap_lookup(KEYMAP_GLOBAL, KEYMAP_FKEY | KEY_HOME), ACTION_TOP);
	cr_assert_eq(keymap_lookup(KEYMAP_LINE, 21), ACTION_LINE_KILL_START); /* C-u */
	cr_assert_eq(keymap_lookup(KEYMAP_LINE, 'j'), ACTION_NONE);
	cr_assert_eq(keymap_bind_line("line <C-j> send"), 0);
	cr_assert_eq(keymap_lookup(KEYMAP_LINE, 10), ACTION_SEND);
	cr_assert_eq(keymap_bind_line("diff <C-n> next-file"), 0);
	cr_assert_eq(keymap_parse_key(&k, "<C-n>"), 0);
	cr_assert_eq(keymap_lookup(KEYMAP_DIFF, k), ACTION_NEXT_FILE);
	cr_assert_eq(keymap_bind_line("nowhere j down"), DH_EPARSE);
	cr_assert_eq(keymap_bind_line("diff j no-such-action"), DH_EPARSE);
	/* A fourth word is an error naming it, not dropped. */
	cr_assert_eq(keymap_bind_line("global K help extra"), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "bind: 'extra' after the action (expected CONTEXT KEY ACTION)");
	cr_assert_eq(keymap_lookup(KEYMAP_GLOBAL, 'K'), ACTION_NONE);
	/* A long key name is that key's error, not its tail taken for the action. */
	cr_assert_eq(keymap_bind_line("global <ThisKeyNameIsLongerThanThirtyTwo> help"),
		     DH_EPARSE);
	cr_assert_str_eq(err_msg(), "bind: unknown key '<ThisKeyNameIsLongerThanThirtyTwo>'");
	cr_assert_eq(keymap_bind_line("global\tK\thelp"), 0, "%s", err_msg());
	cr_assert_eq(keymap_lookup(KEYMAP_GLOBAL, 'K'), ACTION_HELP);
	cr_assert_eq(keymap_bind_line("global K"), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "bind: expected CONTEXT KEY ACTION");
	cr_assert_str_eq(keymap_action_name(ACTION_UNDO), "undo");
	cr_assert_eq(keymap_action_by_name("focus-next"), ACTION_FOCUS_NEXT);
	struct buf b = BUF_INIT;
	keymap_help(&b);
	cr_assert(strstr(buf_cstr(&b), "Review\n"));
	cr_assert(strstr(buf_cstr(&b), "next-hunk"));
	cr_assert(strstr(buf_cstr(&b), "<Tab>"));
	buf_fini(&b);
}

Test(ui_layout, wide_stacked_single)
{
	struct layout l;

	layout_compute(&l, 60, 200, LAYOUT_TRANSCRIPT, false, 5);
	cr_assert_eq(l.kind, LAYOUT_WIDE);
	cr_assert_eq(l.status.y, 58);
	cr_assert_eq(l.input.y, 59);
	int total = l.pane[0].cols + l.pane[1].cols + l.pane[2].cols + 2;
	cr_assert_eq(total, 200);
	cr_assert_eq(l.pane[1].x, l.pane[0].cols + 1);
	cr_assert_eq(l.pane[0].rows, 58);

	layout_compute(&l, 24, 80, LAYOUT_DIFF, false, 3);
	cr_assert_eq(l.kind, LAYOUT_STACKED);
	cr_assert_eq(l.pane[0].rows + l.pane[1].rows + l.pane[2].rows, 22);
	cr_assert_eq(l.pane[1].y, l.pane[0].rows);
	cr_assert_eq(l.pane[2].y, l.pane[0].rows + l.pane[1].rows);
	cr_assert(l.pane[0].rows <= 22 / 5);

	layout_compute(&l, 20, 60, LAYOUT_DIFF, false, 3);
	cr_assert_eq(l.kind, LAYOUT_SINGLE);
	cr_assert_eq(l.pane[LAYOUT_DIFF].rows, 18);
	cr_assert_eq(l.pane[LAYOUT_TRANSCRIPT].rows, 0);

	layout_compute(&l, 60, 200, LAYOUT_PLAN, true, 3);
	cr_assert_eq(l.kind, LAYOUT_SINGLE);
	cr_assert_eq(l.pane[LAYOUT_PLAN].cols, 200);

	layout_compute(&l, 2, 10, LAYOUT_PLAN, false, 3);
	cr_assert_eq(l.pane[LAYOUT_PLAN].rows, 0);
}

Test(ui_sanitize, escapes_controls_bidi_and_bad_bytes)
{
	char *s = sanitize("a\033[31mred\x07\tb\n", 0);
	cr_assert_str_eq(s, "a^[[31mred^G    b^J");
	free(s);
	s = sanitize("x\n", UTF8_KEEP_NL);
	cr_assert_str_eq(s, "x\n");
	free(s);
	/* a name: its tab is shown as what it is, not as spaces */
	s = sanitize("tab\tname\nM  x", UTF8_NAME);
	cr_assert_str_eq(s, "tab^Iname^JM  x");
	free(s);
	struct buf b = BUF_INIT;
	cr_assert_str_eq(utf8_sanitized(&b, "a\tb"), "a^Ib");
	cr_assert_str_eq(utf8_sanitized(&b, NULL), "", "NULL reads as empty, the last text gone");
	buf_fini(&b);
	s = sanitize("\xc2\x9b" "2J", 0); /* C1 CSI */
	cr_assert_str_eq(s, "<U+009B>2J");
	free(s);
	s = sanitize("abc\xe2\x80\xae" "evil", 0); /* RLO */
	cr_assert_str_eq(s, "abc<U+202E>evil");
	free(s);
	/* a name shows what shows nothing: "a<ZWSP>.txt" is not "a.txt" */
	s = sanitize("a\xe2\x80\x8b.txt \xef\xbb\xbf\xe2\x80\x8f\xe2\x81\xa0\xc2\xad", UTF8_NAME);
	cr_assert_str_eq(s, "a<U+200B>.txt <U+FEFF><U+200F><U+2060><U+00AD>");
	free(s);
	/* text keeps them: a joiner makes one emoji of three */
	s = sanitize("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", 0);
	cr_assert_str_eq(s, "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9");
	free(s);
	s = sanitize("bad\xff\xc3" "(", 0);
	cr_assert_str_eq(s, "bad\\xff\\xc3(");
	free(s);
	s = sanitize("caf\xc3\xa9 \xe4\xb8\xad", 0);
	cr_assert_str_eq(s, "caf\xc3\xa9 \xe4\xb8\xad");
	free(s);
	s = sanitize("caf\xc3\xa9", UTF8_ASCII);
	cr_assert_str_eq(s, "caf?");
	free(s);
	/* a dash, quotes and a bullet have a one-column ASCII look-alike */
	s = sanitize("a \xe2\x80\x94 u \xe2\x80\x9cq\xe2\x80\x9d \xe2\x80\x99 \xe2\x80\xa2 \xe2\x9c\x93",
		     UTF8_ASCII);
	cr_assert_str_eq(s, "a - u \"q\" ' * v");
	free(s);
	/* an ellipsis is no question mark; arrows point */
	s = sanitize("listing\xe2\x80\xa6 a \xe2\x86\x92 b \xe2\x86\x90 c", UTF8_ASCII);
	cr_assert_str_eq(s, "listing. a > b < c");
	free(s);
	s = sanitize("\xed\xa0\x80", 0); /* a surrogate is invalid */
	cr_assert_str_eq(s, "\\xed\\xa0\\x80");
	free(s);
	s = sanitize("", 0);
	cr_assert_str_eq(s, "");
	free(s);
}

/* Inline markers, DRAW_HL (intra-line diff highlight) among them, take no
 * columns; fitting counts whole characters, wide ones as two. */
Test(ui_draw, markers_have_no_width)
{
	int used;

	setlocale(LC_CTYPE, "C.UTF-8");
	cr_assert_eq(draw_width("a" "\004" "b" "\004" "c"), 3);
	cr_assert_eq(draw_width("\001" "\002" "\003" "\004"), 0);
	cr_assert_eq(draw_width("\004" "\xe4\xb8\xad" "\004" "x"), 3);
	cr_assert_eq(draw_fit("ab" "\004" "cd" "\004", 3, &used), 4);
	cr_assert_eq(used, 3);
	cr_assert_eq(draw_fit("a" "\004" "\xe4\xb8\xad" "\004", 2, &used), 2);
	cr_assert_eq(used, 1);
}

/* A long name keeps its start and its end around one ellipsis ("..." in
 * ASCII); what fits is kept whole. */
Test(ui_draw, elide_keeps_both_ends)
{
	struct buf b = BUF_INIT;

	setlocale(LC_CTYPE, "C.UTF-8");
	cr_assert_eq(draw_elide(&b, "short.txt", 20), 9);
	cr_assert_str_eq(buf_cstr(&b), "short.txt");
	buf_clear(&b);
	cr_assert_eq(draw_elide(&b, "abcdefghijklmnopqrstuvwxyz", 10), 10);
	cr_assert_str_eq(buf_cstr(&b), "abc\xe2\x80\xa6uvwxyz");
	buf_clear(&b);
	/* wide characters are kept or dropped whole */
	cr_assert_eq(draw_elide(&b, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e-report.txt", 12), 12);
	cr_assert_str_eq(buf_cstr(&b), "\xe6\x97\xa5\xe2\x80\xa6" "eport.txt");
	buf_clear(&b);
	draw_setup(NULL, true, false);
	cr_assert_eq(draw_elide(&b, "abcdefghijklmnopqrstuvwxyz", 12), 12);
	cr_assert_str_eq(buf_cstr(&b), "abc...uvwxyz");
	buf_fini(&b);
	draw_setup(NULL, true, true);
}

static void
line_is(struct editline *e, const char *text, size_t cur)
{
	cr_assert_str_eq(editline_text(e), text);
	cr_assert_eq(e->cur, cur, "cursor at %zu, expected %zu in '%s'", e->cur, cur, text);
}

/* The cursor steps over a character whole: a wide one, an accent that
 * follows its letter; edits happen at the cursor. */
Test(ui_editline, moves_by_character_and_edits_at_the_cursor)
{
	struct editline e;

	setlocale(LC_CTYPE, "C.UTF-8");
	editline_init(&e);
	line_is(&e, "", 0);
	cr_assert(!editline_apply(&e, EDITLINE_BACKSPACE, NULL));
	cr_assert(!editline_apply(&e, EDITLINE_LEFT, NULL));
	editline_insert(&e, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" "abc", 12); /* 日本語abc */
	line_is(&e, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" "abc", 12);
	for (int i = 0; i < 4; i++)
		cr_assert(!editline_apply(&e, EDITLINE_LEFT, NULL));
	line_is(&e, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" "abc", 6);
	editline_insert(&e, "Z", 1);
	line_is(&e, "\xe6\x97\xa5\xe6\x9c\xac" "Z\xe8\xaa\x9e" "abc", 7);
	cr_assert(editline_apply(&e, EDITLINE_BACKSPACE, NULL));
	cr_assert(!editline_apply(&e, EDITLINE_LEFT, NULL));
	cr_assert(editline_apply(&e, EDITLINE_DELETE, NULL));
	line_is(&e, "\xe6\x97\xa5\xe8\xaa\x9e" "abc", 3);
	editline_apply(&e, EDITLINE_END, NULL);
	cr_assert(!editline_apply(&e, EDITLINE_DELETE, NULL));
	editline_apply(&e, EDITLINE_START, NULL);
	cr_assert_eq(e.cur, 0);
	editline_apply(&e, EDITLINE_RIGHT, NULL);
	cr_assert_eq(e.cur, 3);

	/* e + COMBINING ACUTE ACCENT is one character */
	editline_set(&e, "e\xcc\x81x", 4);
	line_is(&e, "e\xcc\x81x", 4);
	editline_apply(&e, EDITLINE_LEFT, NULL);
	cr_assert_eq(e.cur, 3);
	editline_apply(&e, EDITLINE_LEFT, NULL);
	cr_assert_eq(e.cur, 0);
	editline_apply(&e, EDITLINE_RIGHT, NULL);
	cr_assert_eq(e.cur, 3);
	editline_apply(&e, EDITLINE_BACKSPACE, NULL);
	line_is(&e, "x", 0);

	/* an invalid byte is a character of its own */
	editline_set(&e, "a\xff" "b", 3);
	editline_apply(&e, EDITLINE_LEFT, NULL);
	editline_apply(&e, EDITLINE_BACKSPACE, NULL);
	line_is(&e, "ab", 1);
	editline_fini(&e);
}

/* C-k, C-u, C-w keep what they deleted; C-y puts it back at the cursor. */
Test(ui_editline, kills_and_yank)
{
	struct editline e;
	struct buf kill = BUF_INIT;

	editline_init(&e);
	editline_set(&e, "one two  three", 14);
	cr_assert(editline_apply(&e, EDITLINE_KILL_WORD, &kill));
	line_is(&e, "one two  ", 9);
	cr_assert_str_eq(buf_cstr(&kill), "three");
	editline_apply(&e, EDITLINE_KILL_WORD, &kill);
	line_is(&e, "one ", 4);
	cr_assert_str_eq(buf_cstr(&kill), "two  ");
	cr_assert(editline_apply(&e, EDITLINE_YANK, &kill));
	cr_assert(editline_apply(&e, EDITLINE_YANK, &kill));
	line_is(&e, "one two  two  ", 14);
	editline_apply(&e, EDITLINE_START, &kill);
	editline_apply(&e, EDITLINE_RIGHT, &kill);
	editline_apply(&e, EDITLINE_RIGHT, &kill);
	cr_assert(editline_apply(&e, EDITLINE_KILL_END, &kill));
	line_is(&e, "on", 2);
	cr_assert_str_eq(buf_cstr(&kill), "e two  two  ");
	editline_apply(&e, EDITLINE_LEFT, &kill);
	cr_assert(editline_apply(&e, EDITLINE_KILL_START, &kill));
	line_is(&e, "n", 0);
	cr_assert_str_eq(buf_cstr(&kill), "o");
	/* a kill that deletes nothing keeps the last one */
	cr_assert(!editline_apply(&e, EDITLINE_KILL_START, &kill));
	cr_assert_str_eq(buf_cstr(&kill), "o");
	editline_apply(&e, EDITLINE_END, &kill);
	editline_apply(&e, EDITLINE_YANK, &kill);
	line_is(&e, "no", 2);
	editline_clear(&e);
	line_is(&e, "", 0);
	editline_fini(&e);
	buf_fini(&kill);
}

/* M-b, M-f, M-d and M-Backspace: words are letters and digits, as in
 * readline's emacs mode; the kills keep what they deleted. */
Test(ui_editline, word_moves_and_kills)
{
	struct editline e;
	struct buf kill = BUF_INIT;
	/* "fix-the_bug  caf" "é" " (x)" */
	const char *t = "fix-the_bug  caf\xc3\xa9 (x)";

	setlocale(LC_CTYPE, "C.UTF-8");
	editline_init(&e);
	editline_set(&e, t, strlen(t));
	cr_assert(!editline_apply(&e, EDITLINE_WORD_LEFT, &kill)); /* ")" then "x" */
	line_is(&e, t, 20);
	editline_apply(&e, EDITLINE_WORD_LEFT, &kill); /* " (" then "café" */
	line_is(&e, t, 13);
	editline_apply(&e, EDITLINE_WORD_LEFT, &kill);
	line_is(&e, t, 8);
	editline_apply(&e, EDITLINE_WORD_LEFT, &kill);
	editline_apply(&e, EDITLINE_WORD_LEFT, &kill);
	line_is(&e, t, 0);
	cr_assert(!editline_apply(&e, EDITLINE_WORD_LEFT, &kill));
	line_is(&e, t, 0);
	editline_apply(&e, EDITLINE_WORD_RIGHT, &kill);
	line_is(&e, t, 3);
	editline_apply(&e, EDITLINE_WORD_RIGHT, &kill);
	editline_apply(&e, EDITLINE_WORD_RIGHT, &kill);
	line_is(&e, t, 11);
	editline_apply(&e, EDITLINE_WORD_RIGHT, &kill); /* the é is a letter */
	line_is(&e, t, 18);
	editline_apply(&e, EDITLINE_WORD_RIGHT, &kill);
	line_is(&e, t, 21);
	editline_apply(&e, EDITLINE_WORD_RIGHT, &kill); /* no word after: the end */
	line_is(&e, t, 22);
	cr_assert(buf_cstr(&kill)[0] == '\0');

	/* M-d from inside a word: its rest; between words: the next one */
	editline_set(&e, "one two, three", 14);
	editline_apply(&e, EDITLINE_START, &kill);
	editline_apply(&e, EDITLINE_RIGHT, &kill);
	cr_assert(editline_apply(&e, EDITLINE_KILL_WORD_RIGHT, &kill));
	line_is(&e, "o two, three", 1);
	cr_assert_str_eq(buf_cstr(&kill), "ne");
	cr_assert(editline_apply(&e, EDITLINE_KILL_WORD_RIGHT, &kill));
	line_is(&e, "o, three", 1);
	cr_assert_str_eq(buf_cstr(&kill), " two");
	cr_assert(editline_apply(&e, EDITLINE_YANK, &kill));
	line_is(&e, "o two, three", 5);
	/* M-Backspace stops at punctuation, C-w only at a blank */
	editline_set(&e, "cd ~/src/deskhand", 17);
	cr_assert(editline_apply(&e, EDITLINE_KILL_WORD_LEFT, &kill));
	line_is(&e, "cd ~/src/", 9);
	cr_assert_str_eq(buf_cstr(&kill), "deskhand");
	cr_assert(editline_apply(&e, EDITLINE_KILL_WORD_LEFT, &kill));
	line_is(&e, "cd ~/", 5);
	cr_assert_str_eq(buf_cstr(&kill), "src/");
	cr_assert(editline_apply(&e, EDITLINE_KILL_WORD, &kill));
	line_is(&e, "cd ", 3);
	cr_assert_str_eq(buf_cstr(&kill), "~/");
	cr_assert(editline_apply(&e, EDITLINE_KILL_WORD_LEFT, &kill));
	line_is(&e, "", 0);
	cr_assert_str_eq(buf_cstr(&kill), "cd ");
	cr_assert(!editline_apply(&e, EDITLINE_KILL_WORD_LEFT, &kill));
	cr_assert(!editline_apply(&e, EDITLINE_KILL_WORD_RIGHT, &kill));
	cr_assert_str_eq(buf_cstr(&kill), "cd ");
	/* a letter with its combining accent is one character of a word */
	editline_set(&e, "a-e\xcc\x81x", 6);
	editline_apply(&e, EDITLINE_WORD_LEFT, &kill);
	line_is(&e, "a-e\xcc\x81x", 2);
	editline_apply(&e, EDITLINE_WORD_RIGHT, &kill);
	line_is(&e, "a-e\xcc\x81x", 6);
	editline_fini(&e);
	buf_fini(&kill);
}

/* Tab's completion: the word before the cursor replaced, the rest kept. */
Test(ui_editline, replace_before_the_cursor)
{
	struct editline e;

	editline_init(&e);
	editline_set(&e, ":grant ~/pr other", 17);
	for (int i = 0; i < 6; i++)
		editline_apply(&e, EDITLINE_LEFT, NULL);
	editline_replace(&e, 7, "~/projects/", 11);
	line_is(&e, ":grant ~/projects/ other", 18);
	editline_replace(&e, 7, "~/p", 3); /* shorter again */
	line_is(&e, ":grant ~/p other", 10);
	editline_replace(&e, 99, "x", 1); /* from past the cursor: at it */
	line_is(&e, ":grant ~/px other", 11);
	editline_replace(&e, 0, editline_text(&e) + 12, 5); /* a part of the line itself */
	line_is(&e, "other other", 5);
	editline_apply(&e, EDITLINE_END, NULL);
	editline_replace(&e, 6, "", 0);
	line_is(&e, "other ", 6);
	editline_fini(&e);
}

/* view_is V START END BEFORE AFTER CURSOR: what editline_view() said. */
#define view_is(v, s, e_, b, a, c)                                                         \
	do {                                                                               \
		cr_assert_eq((v).start, (s), "start %zu, expected %zu", (v).start, (size_t)(s)); \
		cr_assert_eq((v).end, (e_), "end %zu, expected %zu", (v).end, (size_t)(e_));     \
		cr_assert_eq((v).more_before, (b), "more_before");                          \
		cr_assert_eq((v).more_after, (a), "more_after");                            \
		cr_assert_eq((v).cursor, (c), "cursor %d, expected %d", (v).cursor, (c));   \
	} while (0)

/* A line wider than its room scrolls as little as it can to show the
 * cursor, and back when what is hidden would fit; where text is hidden a
 * mark takes the edge's column. */
Test(ui_editline, view_keeps_the_cursor_shown)
{
	struct editline e;
	struct editline_shown v;

	setlocale(LC_CTYPE, "C.UTF-8");
	editline_init(&e);
	editline_set(&e, "abcdefghijklmnopqrst", 20);
	editline_view(&e, 10, &v); /* a mark, the end, and a cell for the cursor */
	view_is(v, 12, 20, true, false, 9);
	editline_apply(&e, EDITLINE_START, NULL);
	editline_view(&e, 10, &v); /* "abcdefghi" and a mark */
	view_is(v, 0, 9, false, true, 0);
	for (int i = 0; i < 8; i++)
		editline_apply(&e, EDITLINE_RIGHT, NULL);
	editline_view(&e, 10, &v); /* still no scroll */
	view_is(v, 0, 9, false, true, 8);
	editline_apply(&e, EDITLINE_RIGHT, NULL);
	editline_view(&e, 10, &v); /* two steps: one for the left mark */
	view_is(v, 2, 10, true, true, 8);
	editline_apply(&e, EDITLINE_LEFT, NULL);
	editline_view(&e, 10, &v); /* moving back does not scroll */
	view_is(v, 2, 10, true, true, 7);
	editline_apply(&e, EDITLINE_KILL_END, NULL);
	editline_view(&e, 10, &v); /* "abcdefgh" and the cursor fit: no marks */
	view_is(v, 0, 8, false, false, 8);
	/* wide characters: two columns each, never cut */
	editline_set(&e, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 18);
	editline_view(&e, 5, &v);
	view_is(v, 15, 18, true, false, 3);
	editline_apply(&e, EDITLINE_LEFT, NULL);
	editline_apply(&e, EDITLINE_LEFT, NULL);
	editline_apply(&e, EDITLINE_LEFT, NULL);
	editline_view(&e, 5, &v); /* a mark, one of them, a mark */
	view_is(v, 9, 12, true, true, 1);
	/* too narrow for marks: the line is only cut */
	editline_set(&e, "abcdef", 6);
	editline_view(&e, 3, &v);
	view_is(v, 4, 6, false, false, 2);
	editline_apply(&e, EDITLINE_START, NULL);
	editline_view(&e, 3, &v);
	view_is(v, 0, 3, false, false, 0);
	editline_fini(&e);
}

Test(ui_grants, refuses_root_home_and_system_dirs)
{
	cr_assert_eq(engine_check_grant("/", "/root"), DH_EDENIED);
	cr_assert_eq(engine_check_grant("/etc", NULL), DH_EDENIED);
	cr_assert_eq(engine_check_grant("/usr", NULL), DH_EDENIED);
	cr_assert_eq(engine_check_grant("/var", NULL), DH_EDENIED);
	cr_assert_eq(engine_check_grant("/tmp", "/nonexistent-home"), 0);
	cr_assert_eq(engine_check_grant("/usr/share/doc", NULL), 0);
	cr_assert_eq(engine_check_grant("/tmp", "/tmp"), DH_EDENIED);
	cr_assert(strstr(err_msg(), "home directory"));
}
