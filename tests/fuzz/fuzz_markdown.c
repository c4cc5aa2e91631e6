/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the Markdown renderer (ui/markdown.c) on model text. The
 * input's first byte picks the width (1..64 columns); the rest is the text.
 * Properties checked (markdown.h): md_render never fails and no line is
 * wider than the width nor holds a control byte other than the markers
 * (escape codes never reach the screen); fed in chunks of deterministic
 * random sizes, as a stream arrives, md_stream_update gives exactly
 * md_render's lines for each prefix, and the lines before the index it
 * returns are the ones it had.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/xalloc.h"
#include "ui/draw.h"
#include "ui/markdown.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setlocale(LC_CTYPE, "C.UTF-8");
	draw_setup(NULL, true, true);
	return 0;
}

static void
check_lines(const struct md_lines *l, int cols)
{
	for (size_t i = 0; i < l->n; i++) {
		FUZZ_CHECK(draw_width(l->v[i].text) <= cols, "no line is wider than the width");
		for (const char *s = l->v[i].text; *s; s++)
			FUZZ_CHECK((unsigned char)*s >= 0x20 || draw_markers_after(s, 1, 0),
				   "no control byte but the markers");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct md_stream st = { 0 };
	struct md_lines whole = { 0 }, before = { 0 };
	uint64_t seed = fuzz_seed(data, size);
	const char *text;
	int cols;

	if (size < 1)
		return 0;
	cols = 1 + data[0] % 64;
	text = (const char *)data + 1;
	size--;
	for (size_t n = 0;;) {
		n += fuzz_chunk(&seed, 64);
		if (n > size)
			n = size;
		md_lines_clear(&before);
		for (size_t i = 0; i < st.lines.n; i++)
			ARRAY_PUSH(&before, (struct md_line){ xstrdup(st.lines.v[i].text), st.lines.v[i].elem });
		size_t from = md_stream_update(&st, text, n, cols);
		md_lines_clear(&whole);
		md_render(&whole, text, n, cols);
		check_lines(&whole, cols);
		FUZZ_CHECK(st.lines.n == whole.n, "a stream has the whole text's lines");
		for (size_t i = 0; i < whole.n; i++)
			FUZZ_CHECK(!strcmp(st.lines.v[i].text, whole.v[i].text) &&
					   st.lines.v[i].elem == whole.v[i].elem,
				   "a stream has the whole text's lines");
		for (size_t i = 0; i < from && i < before.n; i++)
			FUZZ_CHECK(!strcmp(before.v[i].text, st.lines.v[i].text),
				   "lines before the index returned are unchanged");
		if (n == size)
			break;
	}
	md_lines_fini(&whole);
	md_lines_fini(&before);
	md_stream_fini(&st);
	return 0;
}
