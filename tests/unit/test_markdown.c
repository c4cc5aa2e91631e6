/* SPDX-License-Identifier: MIT */
/* The Markdown renderer on its own (ui/markdown.c): widths, wrapping, wide
 * characters, tables (empty cells, wider than the pane), lists, links, code
 * and partial documents. Lines are compared with their markers removed;
 * the markers are checked where they matter. */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "ui/draw.h"
#include "ui/markdown.h"

static struct md_lines L;

static void
setup_utf8(void)
{
	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"));
	draw_setup(NULL, true, true);
}

static void
teardown(void)
{
	md_lines_fini(&L);
}

static void
render(const char *md, int cols)
{
	md_lines_clear(&L);
	md_render(&L, md, strlen(md), cols);
}

/* Line i without its markers (static storage, overwritten by each call). */
static const char *
plain(size_t i)
{
	static char out[4096];
	size_t k = 0;

	cr_assert_lt(i, L.n, "line %zu of %zu", i, L.n);
	for (const char *s = L.v[i].text; *s && k + 1 < sizeof out; s++)
		if (!draw_markers_after(s, 1, 0))
			out[k++] = *s;
	out[k] = '\0';
	return out;
}

/* The index of the first line whose plain text contains `needle`, or -1. */
static long
find(const char *needle)
{
	for (size_t i = 0; i < L.n; i++)
		if (strstr(plain(i), needle))
			return (long)i;
	return -1;
}

static void
dump(void)
{
	for (size_t i = 0; i < L.n; i++)
		fprintf(stderr, "%2zu [%d] |%s|\n", i, L.v[i].elem, plain(i));
}

/* Display column where `needle` starts on line i. */
static int
col_of(size_t i, const char *needle)
{
	const char *p = plain(i), *at = strstr(p, needle);
	char *head;
	int w;

	cr_assert_not_null(at, "line %zu '%s' has no '%s'", i, p, needle);
	head = xstrndup(p, (size_t)(at - p));
	w = draw_width(head);
	free(head);
	return w;
}

static void
assert_fits(int cols)
{
	for (size_t i = 0; i < L.n; i++)
		cr_assert_leq(draw_width(L.v[i].text), cols, "line %zu is %d columns wide: '%s'", i,
			      draw_width(L.v[i].text), plain(i));
}

TestSuite(markdown, .init = setup_utf8, .fini = teardown);

Test(markdown, paragraphs_wrap_by_display_width)
{
	render("one two three four five six seven eight nine ten eleven twelve", 20);
	assert_fits(20);
	cr_assert_str_eq(plain(0), "one two three four");
	cr_assert_str_eq(plain(1), "five six seven eight");
	cr_assert_eq(L.v[0].elem, UI_ASSISTANT);
	/* The model's line breaks stay. */
	render("line one\nline two", 40);
	cr_assert_eq(L.n, 2);
	cr_assert_str_eq(plain(1), "line two");
	/* CJK is two columns a character; emoji too: never more than the width. */
	render("漢字漢字漢字漢字漢字漢字 and 🙂🙂🙂🙂🙂🙂🙂", 10);
	assert_fits(10);
	cr_assert_str_eq(plain(0), "漢字漢字漢");
	cr_assert_eq(draw_width(L.v[0].text), 10);
	cr_assert_neq(find("🙂🙂"), -1);
	/* A word longer than the line is cut, nothing lost. */
	render("abcdefghijklmnopqrstuvwxyz", 10);
	cr_assert_str_eq(plain(0), "abcdefghij");
	cr_assert_str_eq(plain(2), "uvwxyz");
}

Test(markdown, styles_are_balanced_on_every_line)
{
	render("some **bold text that wraps over lines** and `code` end", 16);
	assert_fits(16);
	for (size_t i = 0; i < L.n; i++)
		cr_assert_eq(draw_markers_after(L.v[i].text, strlen(L.v[i].text), 0), 0,
			     "line %zu leaves a style on", i);
	cr_assert(strchr(L.v[1].text, DRAW_BOLD), "the wrapped bold line is bold again");
	long c = find("code");
	cr_assert_geq(c, 0);
	cr_assert(strchr(L.v[c].text, DRAW_CODE));
}

Test(markdown, headings_rules_quotes)
{
	render("# Title\n\ntext\n\n---\n\n> quoted words here\n", 20);
	dump();
	cr_assert_str_eq(plain(0), "Title");
	cr_assert_eq(L.v[0].elem, UI_HEADING);
	cr_assert_str_eq(plain(1), "");
	long r = find("────");
	cr_assert_geq(r, 0);
	cr_assert_eq(draw_width(L.v[r].text), 20, "the rule spans the width");
	cr_assert_eq(L.v[r].elem, UI_DIM);
	long q = find("quoted");
	cr_assert_str_eq(plain((size_t)q), "│ quoted words here");
	cr_assert_eq(L.v[q].elem, UI_DIM);
}

Test(markdown, nested_lists_keep_their_indentation)
{
	render("- first item that is long enough to wrap\n  - nested one\n    1. deep\n    2. "
	       "deeper\n- second\n",
	       24);
	dump();
	assert_fits(24);
	cr_assert_str_eq(plain(0), "• first item that is");
	cr_assert_str_eq(plain(1), "  long enough to wrap");
	cr_assert_str_eq(plain(2), "  ◦ nested one");
	cr_assert_str_eq(plain(3), "    1. deep");
	cr_assert_str_eq(plain(4), "    2. deeper");
	cr_assert_str_eq(plain(5), "• second");
	/* Ordered markers are aligned: 10 items, one or two digits. */
	render("8. a\n9. b\n10. c\n", 20);
	cr_assert_str_eq(plain(0), " 8. a");
	cr_assert_str_eq(plain(2), "10. c");
}

Test(markdown, task_lists)
{
	render("- [x] done thing\n- [ ] open thing\n", 30);
	cr_assert_str_eq(plain(0), "☑ done thing");
	cr_assert_str_eq(plain(1), "☐ open thing");
}

Test(markdown, links_show_the_url_once)
{
	render("see [the docs](https://example.org/docs) and https://a.example/x and "
	       "www.b.example",
	       200);
	cr_assert_eq(L.n, 1);
	cr_assert_str_eq(plain(0), "see the docs <https://example.org/docs> and "
				   "https://a.example/x and www.b.example");
	/* The link text is between link markers; the URL is not. */
	const char *s = L.v[0].text;
	const char *on = strchr(s, DRAW_LINK);
	cr_assert_not_null(on);
	cr_assert_eq(strncmp(on + 1, "the docs", 8), 0);
	cr_assert_eq(on[9], DRAW_LINK);
	/* The autolinks are link-styled, their URL is not repeated. */
	cr_assert_null(strstr(strstr(plain(0), "a.example/x") + 1, "a.example/x"));
	cr_assert_null(strstr(plain(0), "http://www"));
	size_t links = 0;
	for (; *s; s++)
		links += *s == DRAW_LINK;
	cr_assert_eq(links, 6);
}

Test(markdown, strikethrough_falls_back_to_tildes)
{
	render("it is ~~gone~~ now", 40);
	cr_assert_str_eq(plain(0), "it is ~gone~ now");
}

Test(markdown, fenced_code_is_labelled_and_verbatim)
{
	render("```python\ndef f(x):\n    return  x * 2   # spaces kept\n```\n", 40);
	dump();
	cr_assert_str_eq(plain(0), "── python");
	cr_assert_eq(L.v[0].elem, UI_DIM);
	cr_assert_str_eq(plain(1), "  def f(x):");
	cr_assert_str_eq(plain(2), "      return  x * 2   # spaces kept");
	cr_assert_eq(L.v[1].elem, UI_CODE);
	/* Long code lines are cut at the width, not word-wrapped. */
	render("```\naaaaaaaaaabbbbbbbbbb\n```", 12);
	cr_assert_str_eq(plain(0), "  aaaaaaaaaa");
	cr_assert_str_eq(plain(1), "  bbbbbbbbbb");
}

Test(markdown, tables_align_columns)
{
	render("| Name | Qty | Note |\n|:-----|----:|:----:|\n| apple | 3 | red |\n| kiwi | 12 "
	       "| |\n",
	       60);
	dump();
	cr_assert_eq(L.v[0].elem, UI_HEADING);
	cr_assert_str_eq(plain(0), "Name  │ Qty │ Note");
	cr_assert_str_eq(plain(1), "──────┼─────┼─────");
	cr_assert_eq(L.v[1].elem, UI_DIM);
	/* Right-aligned numbers, an empty cell keeps the columns. */
	cr_assert_str_eq(plain(2), "apple │   3 │ red");
	cr_assert_str_eq(plain(3), "kiwi  │  12 │");
	cr_assert_eq(col_of(0, "│"), col_of(2, "│"));
	cr_assert_eq(col_of(3, "│"), col_of(2, "│"));
}

Test(markdown, tables_with_wide_characters_align_by_columns)
{
	render("| k | v |\n|---|---|\n| 漢字 | x |\n| a | 🙂 |\n", 40);
	dump();
	cr_assert_eq(col_of(2, "│"), col_of(3, "│"));
	cr_assert_eq(col_of(0, "│"), col_of(2, "│"));
}

Test(markdown, tables_wider_than_the_pane_shrink_and_wrap)
{
	const char *md = "| Column one | Column two | Three |\n|---|---|---|\n"
			 "| a rather long cell of words | short | also quite a long cell |\n";

	render(md, 40);
	dump();
	assert_fits(40);
	/* Every row of the wrapped body has its separators in the header's columns. */
	int c1 = col_of(0, "│");
	for (size_t i = 2; i < L.n; i++)
		cr_assert_eq(col_of(i, "│"), c1, "line %zu: '%s'", i, plain(i));
	cr_assert_gt(L.n, 3, "the long cells wrapped");
	cr_assert_neq(find("a rather"), -1);
	cr_assert_neq(find("long cell"), -1);
	/* Narrower than three columns a column: one record per row. */
	render(md, 12);
	dump();
	assert_fits(12);
	cr_assert_neq(find("Column one:"), -1);
	cr_assert_neq(find("short"), -1);
}

Test(markdown, partial_and_malformed_documents)
{
	/* A message cut in an open fence: the rest is code. */
	render("intro\n\n```sh\nmake -j2\nmake che", 40);
	dump();
	cr_assert_str_eq(plain(2), "── sh");
	cr_assert_str_eq(plain(4), "  make che");
	cr_assert_eq(L.v[4].elem, UI_CODE);
	/* A table whose delimiter row has not come yet is a paragraph for now. */
	render("| a | b |\n|--", 40);
	cr_assert_geq(L.n, 1);
	/* Unbalanced emphasis, stray brackets, a NUL byte and bad UTF-8. */
	const char junk[] = "**bold *em [link](http://x `code\0 \xff\xfe ]] ** _";
	md_lines_clear(&L);
	md_render(&L, junk, sizeof junk - 1, 30);
	cr_assert_geq(L.n, 1);
	assert_fits(30);
	/* Empty input: no lines. */
	render("", 10);
	cr_assert_eq(L.n, 0);
	/* Width 1 still terminates and keeps every character. */
	render("ab 漢", 1);
	cr_assert_geq(L.n, 3);
}

Test(markdown, escape_codes_are_neutralised)
{
	render("evil \x1b[2J text and `\x1b]52;c;AAAA\x07`\n\n```\n\x1b[31mred\n```", 60);
	for (size_t i = 0; i < L.n; i++)
		for (const char *s = L.v[i].text; *s; s++)
			cr_assert(!(*s == '\x1b' || *s == '\x07'), "line %zu has a raw control", i);
	cr_assert_neq(find("^["), -1);
}

Test(markdown, ascii_fallbacks_without_utf8)
{
	draw_setup(NULL, true, false);
	render("- [x] done\n- item\n\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> q\n\n```c\nx\n```",
	       10);
	dump();
	for (size_t i = 0; i < L.n; i++)
		for (const char *s = L.v[i].text; *s; s++)
			cr_assert((unsigned char)*s < 0x80, "line %zu is not ASCII: '%s'", i, plain(i));
	cr_assert_neq(find("[x] done"), -1);
	cr_assert_neq(find("* item"), -1);
	cr_assert_neq(find("----------"), -1);
	cr_assert_neq(find("a | b"), -1);
	cr_assert_neq(find("--+--"), -1);
	cr_assert_neq(find("| q"), -1);
	cr_assert_neq(find("-- c"), -1);
}

/* Every prefix of `md`, `step` bytes longer each time, through a stream:
 * after each update its lines are md_render's for that prefix, and lines
 * before the index it returns did not change. */
static void
stream_matches(const char *md, size_t step, int cols)
{
	struct md_stream st = { 0 };
	size_t len = strlen(md);

	for (size_t n = 0;; n = n + step < len ? n + step : len) {
		struct md_lines before = { 0 };
		for (size_t i = 0; i < st.lines.n; i++)
			ARRAY_PUSH(&before, (struct md_line){ xstrdup(st.lines.v[i].text), st.lines.v[i].elem });
		size_t from = md_stream_update(&st, md, n, cols);
		md_lines_clear(&L);
		md_render(&L, md, n, cols);
		cr_assert_eq(st.lines.n, L.n, "prefix %zu: %zu lines, whole: %zu", n, st.lines.n, L.n);
		for (size_t i = 0; i < L.n; i++) {
			cr_assert_str_eq(st.lines.v[i].text, L.v[i].text, "prefix %zu, line %zu", n, i);
			cr_assert_eq(st.lines.v[i].elem, L.v[i].elem);
		}
		for (size_t i = 0; i < from && i < before.n; i++)
			cr_assert_str_eq(before.v[i].text, st.lines.v[i].text, "line %zu before %zu changed", i, from);
		md_lines_fini(&before);
		if (n == len)
			break;
	}
	md_stream_fini(&st);
}

Test(markdown, a_stream_lays_out_as_the_whole_text)
{
	const char *md = "# Report\n\nSome *text* that\ncontinues.\n\n| a | b |\n|---|--:|\n| 1 | "
			 "2 |\n| long cell here | x |\n\n- [x] one\n- two\n  - nested\n\n    indented "
			 "code\n\nTitle\n-----\n\n> quote\nlazy\n\n```py\nx = 1\n\n\ny = 2\n```\n\n1. a\n\n"
			 "2. b\n\n<div>\nhtml\n</div>\n\n---\nend [link](http://x) and www.y.example\n"
			 "para\n| h | i |\n|---|---|\n| j | k |\n\n- a\n\n  b\nc\n\n> q\n> r\n";

	for (size_t step = 1; step <= 13; step += 3)
		stream_matches(md, step, 30);
	stream_matches(md, 7, 80);
	/* Sections as bench_ui.py's markdown answer has them, in 48-byte deltas. */
	struct buf big = BUF_INIT;
	for (int k = 0; k < 6; k++) {
		buf_printf(&big, "## Section %d\n\nSome **bold** prose with `code`, a "
				 "[link](https://example.org/%d), ~~old~~ text.\n\n| Name | Qty |\n"
				 "|:-----|----:|\n",
			   k, k);
		for (int i = 0; i < 4; i++)
			buf_printf(&big, "| item %d-%d | %d |\n", k, i, i * 7);
		buf_printf(&big, "\n- [x] done %d\n- [ ] open\n  - nested\n    1. deeper\n\n"
				 "```c\nstatic int\nf(int x)\n{\n\treturn x * %d;\n}\n```\n\n",
			   k, k);
	}
	stream_matches(buf_cstr(&big), 48, 60);
	stream_matches(buf_cstr(&big), 5, 60);
	buf_fini(&big);
	/* Link reference definitions change what came before: laid out whole. */
	stream_matches("see [the ref] and [x][r]\n\nmore\n\n[r]: http://r.example\n[the ref]: "
		       "http://t.example\n\nafter [x][r]\n",
		       2, 40);
}
