/* SPDX-License-Identifier: MIT */
/* Themes: parsing, warnings, search path and colour resolution at 256, 16 and 8
 * colours and in mono, for every shipped theme, without a terminal. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/xalloc.h"
#include "ui/theme.h"

static const char *const shipped[] = {
	"default", "light", "solarized-dark", "high-contrast", "mono",
};
#define NSHIPPED (sizeof shipped / sizeof *shipped)

/* The source tree's themes/ (tests/run.sh sets DH_TESTS; make runs from the root). */
static char *
themes_dir(void)
{
	const char *tests = getenv("DH_TESTS");

	return tests ? xasprintf("%s/../themes", tests) : xstrdup("themes");
}

static char *
theme_path(const char *name)
{
	char *dir = themes_dir();
	char *p = xasprintf("%s/%s.theme", dir, name);

	free(dir);
	return p;
}

static char *
read_text(const char *path)
{
	struct buf b = BUF_INIT;

	cr_assert_eq(fsutil_read_file(path, 1 << 20, &b), 0, "%s: %s", path, err_msg());
	return buf_detach(&b);
}

static struct theme *
load_shipped(const char *name)
{
	struct theme *t = NULL;
	char *p = theme_path(name);

	cr_assert_eq(theme_load(&t, p), 0, "%s: %s", p, err_msg());
	free(p);
	return t;
}

static struct theme *
parse(const char *text)
{
	struct theme *t = NULL;

	cr_assert_eq(theme_parse(&t, "t.theme", text), 0);
	cr_assert_not_null(t);
	return t;
}

static struct theme_style
style(const struct theme *t, int colors, bool mono, enum theme_element e)
{
	struct theme_resolved r;

	theme_resolve(t, colors, mono, &r);
	return r.el[e];
}

#define assert_style(st, f, b, a)                                                                  \
	do {                                                                                       \
		struct theme_style s_ = (st);                                                      \
		cr_assert(s_.fg == (f) && s_.bg == (b) && s_.attrs == (unsigned)(a),               \
		          "got fg %d bg %d attrs %#x, want %d %d %#x", s_.fg, s_.bg, s_.attrs,     \
		          (f), (b), (unsigned)(a));                                                \
	} while (0)

/*
 * Elements
 */

Test(theme, element_names_roundtrip)
{
	static const char *const required[] = {
		"status",       "status-busy", "title-focus",   "title-blur",    "border",
		"cursor",       "selection",   "user",          "assistant",     "heading",
		"emphasis",     "code",        "tool-call",     "tool-output",   "tool-error",
		"diff-add",     "diff-del",    "diff-add-word", "diff-del-word", "diff-hunk",
		"diff-file",    "plan-done",   "plan-todo",     "plan-current",  "plan-skipped",
		"error",        "warning",     "input",         "prompt",        "help",
		"search-match", "spinner",
	};

	for (int e = 0; e < THEME__COUNT; e++) {
		const char *n = theme_element_name((enum theme_element)e);

		cr_assert_not_null(n);
		cr_assert_eq(theme_element_lookup(n), e, "%s", n);
	}
	for (size_t i = 0; i < sizeof required / sizeof *required; i++)
		cr_assert_geq(theme_element_lookup(required[i]), 0, "%s", required[i]);
	cr_assert_str_eq(theme_element_name(THEME_DIFF_ADD), "diff-add");
	cr_assert_null(theme_element_name(THEME__COUNT));
	cr_assert_eq(theme_element_lookup("nope"), -1);
}

/*
 * Shipped themes
 */

Test(theme, shipped_parse_clean_and_complete)
{
	for (size_t i = 0; i < NSHIPPED; i++) {
		struct theme *t = load_shipped(shipped[i]);
		char *p = theme_path(shipped[i]);
		char *text = read_text(p);
		bool seen[THEME__COUNT] = { false };

		cr_assert_null(theme_warnings(t), "%s: %s", shipped[i], theme_warnings(t));
		cr_assert_str_eq(theme_name(t), shipped[i]);
		/* Complete: every element has its own line (no reliance on defaults). */
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
			char name[64];

			if (line[0] == '#' || sscanf(line, "%63s", name) != 1)
				continue;
			int e = theme_element_lookup(name);
			cr_assert_geq(e, 0, "%s: %s", shipped[i], name);
			cr_assert_not(seen[e], "%s: %s twice", shipped[i], name);
			seen[e] = true;
		}
		for (int e = 0; e < THEME__COUNT; e++)
			cr_assert(seen[e], "%s: no line for %s", shipped[i],
			          theme_element_name((enum theme_element)e));
		free(text);
		free(p);
		theme_free(t);
	}
}

Test(theme, shipped_stay_in_range_and_readable)
{
	static const int depths[] = { 256, 16, 8 };

	for (size_t i = 0; i < NSHIPPED; i++) {
		struct theme *t = load_shipped(shipped[i]);

		for (size_t d = 0; d < 3; d++) {
			struct theme_resolved r;

			theme_resolve(t, depths[d], false, &r);
			for (int e = 0; e < THEME__COUNT; e++) {
				struct theme_style s = r.el[e];
				const char *n = theme_element_name((enum theme_element)e);

				cr_assert(s.fg >= -1 && s.fg < depths[d], "%s %s", shipped[i], n);
				cr_assert(s.bg >= -1 && s.bg < depths[d], "%s %s", shipped[i], n);
				cr_assert(s.fg < 0 || s.fg != s.bg, "%s@%d %s: fg == bg %d",
				          shipped[i], depths[d], n, s.fg);
			}
		}
		theme_free(t);
	}
}

Test(theme, mono_distinguishable_by_attributes)
{
	const enum theme_element must[] = { THEME_SELECTION, THEME_DIFF_ADD, THEME_DIFF_DEL,
		                            THEME_ERROR };
	const unsigned allowed = THEME_A_BOLD | THEME_A_REVERSE | THEME_A_UNDERLINE;

	for (size_t i = 0; i < NSHIPPED; i++) {
		struct theme *t = load_shipped(shipped[i]);
		struct theme_resolved r;

		theme_resolve(t, 256, true, &r);
		cr_assert(r.mono);
		cr_assert_eq(r.depth, 0);
		for (int e = 0; e < THEME__COUNT; e++) {
			cr_assert(r.el[e].fg == -1 && r.el[e].bg == -1);
			cr_assert_eq(r.el[e].attrs & ~allowed, 0u,
			             "%s %s: mono uses more than "
			             "bold/reverse/underline",
			             shipped[i], theme_element_name((enum theme_element)e));
		}
		for (size_t a = 0; a < 4; a++) {
			cr_assert_neq(r.el[must[a]].attrs, 0u, "%s", shipped[i]);
			for (size_t b = a + 1; b < 4; b++)
				cr_assert_neq(r.el[must[a]].attrs, r.el[must[b]].attrs,
				              "%s: %s and %s look the same in mono", shipped[i],
				              theme_element_name(must[a]),
				              theme_element_name(must[b]));
		}
		/* theme_apply in mono calls no curses colour function. */
		cr_assert_eq(theme_apply(t, 256, true), 0);
		cr_assert_neq(theme_attr(t, THEME_SELECTION), theme_attr(t, THEME_ERROR));
		cr_assert_neq(theme_attr(t, THEME_DIFF_ADD), theme_attr(t, THEME_DIFF_DEL));
		theme_free(t);
	}
}

Test(theme, builtin_text_equals_files)
{
	const char *const names[] = { "default", "mono" };

	for (size_t i = 0; i < 2; i++) {
		char *p = theme_path(names[i]);
		char *text = read_text(p);

		cr_assert_not_null(theme_builtin_text(names[i]));
		cr_assert_str_eq(theme_builtin_text(names[i]), text,
		                 "src/ui/theme.c's copy of %s differs; regenerate it (see the "
		                 "comment above builtin_default)",
		                 p);
		free(text);
		free(p);
	}
	cr_assert_null(theme_builtin_text("light"));
}

Test(theme, builtin_names_load_without_files)
{
	struct theme *t = NULL;

	setenv("DH_THEMES_DIR", "/nonexistent", 1);
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	cr_assert_eq(chdir("/"), 0);
	cr_assert_eq(theme_load(&t, "default"), 0, "%s", err_msg());
	cr_assert_null(theme_warnings(t));
	cr_assert_str_eq(theme_name(t), "default");
	cr_assert_not(theme_is_mono(t));
	theme_free(t);
	cr_assert_eq(theme_load(&t, NULL), 0);
	cr_assert_str_eq(theme_name(t), "default");
	theme_free(t);
	cr_assert_eq(theme_load(&t, "mono"), 0);
	cr_assert(theme_is_mono(t));
	/* The mono theme never uses colours, whatever the terminal has. */
	struct theme_resolved r;
	theme_resolve(t, 256, false, &r);
	cr_assert(r.mono);
	cr_assert_eq(r.el[THEME_SELECTION].attrs, THEME_A_REVERSE);
	theme_free(t);
}

/*
 * Per-theme resolution: exact 256 indices of known #rrggbb values (the
 * nearest of cube and grey ramp), the explicit fallback at 16, bright →
 * base + bold at 8.
 */

Test(theme, default_depths)
{
	struct theme *t = load_shipped("default");

	assert_style(style(t, 256, false, THEME_DIFF_ADD), 77, -1, 0);  /* #5fd75f */
	assert_style(style(t, 256, false, THEME_DIFF_DEL), 203, -1, 0); /* #ff5f5f */
	assert_style(style(t, 256, false, THEME_STATUS), 252, 237, 0);  /* greys */
	assert_style(style(t, 256, false, THEME_TITLE_FOCUS), 231, 24, THEME_A_BOLD);
	assert_style(style(t, 256, false, THEME_DIFF_ADD_WORD), 16, 77, 0);
	assert_style(style(t, 256, false, THEME_NORMAL), -1, -1, 0);

	assert_style(style(t, 16, false, THEME_DIFF_ADD), 2, -1, 0); /* |green */
	assert_style(style(t, 16, false, THEME_ERROR), 9, -1, THEME_A_BOLD);
	assert_style(style(t, 16, false, THEME_STATUS), 7, 4, 0);
	assert_style(style(t, 16, false, THEME_TITLE_FOCUS), 15, 4, THEME_A_BOLD);
	assert_style(style(t, 16, false, THEME_EMPHASIS), -1, -1, THEME_A_ITALIC);

	assert_style(style(t, 8, false, THEME_DIFF_ADD), 2, -1, 0);
	assert_style(style(t, 8, false, THEME_TOOL_ERROR), 1, -1, THEME_A_BOLD); /* bright-red */
	assert_style(style(t, 8, false, THEME_USER), 6, -1, THEME_A_BOLD);
	/* bright-black: the default colour, faint (not bold black) */
	assert_style(style(t, 8, false, THEME_BORDER), -1, -1, THEME_A_DIM);
	assert_style(style(t, 8, false, THEME_MUTED), -1, -1, THEME_A_DIM);

	assert_style(style(t, 256, true, THEME_SELECTION), -1, -1, THEME_A_REVERSE);
	assert_style(style(t, 8, true, THEME_DIFF_DEL), -1, -1, THEME_A_UNDERLINE);
	assert_style(style(t, 16, true, THEME_ERROR), -1, -1, THEME_A_BOLD | THEME_A_UNDERLINE);
	theme_free(t);
}

Test(theme, light_depths)
{
	struct theme *t = load_shipped("light");

	assert_style(style(t, 256, false, THEME_DIFF_ADD), 28, -1, 0);  /* #008700 */
	assert_style(style(t, 256, false, THEME_DIFF_DEL), 160, -1, 0); /* #d70000 */
	assert_style(style(t, 256, false, THEME_SELECTION), 16, 153, 0);
	assert_style(style(t, 16, false, THEME_DIFF_ADD), 2, -1, 0);
	assert_style(style(t, 16, false, THEME_CURSOR), 7, 4, 0);
	assert_style(style(t, 16, false, THEME_BORDER), 8, -1, 0);
	assert_style(style(t, 8, false, THEME_BORDER), -1, -1, THEME_A_DIM);
	assert_style(style(t, 8, false, THEME_TITLE_FOCUS), 7, 4, THEME_A_BOLD);
	assert_style(style(t, 256, true, THEME_DIFF_ADD), -1, -1, THEME_A_BOLD);
	theme_free(t);
}

Test(theme, solarized_depths)
{
	struct theme *t = load_shipped("solarized-dark");

	assert_style(style(t, 256, false, THEME_DIFF_ADD), 100, -1, 0);           /* #859900 */
	assert_style(style(t, 256, false, THEME_USER), 32, -1, THEME_A_BOLD);     /* #268bd2 */
	assert_style(style(t, 256, false, THEME_SELECTION), 234, 36, 0);          /* #002b36 grey */
	assert_style(style(t, 256, false, THEME_HEADING), 166, -1, THEME_A_BOLD); /* #cb4b16 */
	assert_style(style(t, 16, false, THEME_USER), 12, -1, THEME_A_BOLD);
	assert_style(style(t, 16, false, THEME_ASSISTANT), -1, -1, 0); /* #839496|default */
	assert_style(style(t, 8, false, THEME_USER), 4, -1, THEME_A_BOLD);
	assert_style(style(t, 8, false, THEME_PLAN_CURRENT), 3, -1, THEME_A_BOLD);
	assert_style(style(t, 8, false, THEME_DIFF_DEL), 1, -1, 0);
	assert_style(style(t, 8, true, THEME_PLAN_CURRENT), -1, -1, THEME_A_REVERSE);
	theme_free(t);
}

Test(theme, high_contrast_depths)
{
	struct theme *t = load_shipped("high-contrast");

	assert_style(style(t, 256, false, THEME_TITLE_FOCUS), 15, 21, THEME_A_BOLD); /* color21 */
	assert_style(style(t, 16, false, THEME_TITLE_FOCUS), 15, 4, THEME_A_BOLD);   /* |blue */
	assert_style(style(t, 8, false, THEME_TITLE_FOCUS), 7, 4, THEME_A_BOLD);
	assert_style(style(t, 16, false, THEME_ERROR), 15, 1, THEME_A_BOLD);
	assert_style(style(t, 8, false, THEME_ERROR), 7, 1, THEME_A_BOLD);
	assert_style(style(t, 8, false, THEME_MUTED), 7, -1, 0);
	/* A bright background at 8 is its base colour; bold cannot brighten it. */
	assert_style(style(t, 8, false, THEME_STATUS), 0, 7, THEME_A_BOLD);
	assert_style(style(t, 16, false, THEME_STATUS), 0, 15, THEME_A_BOLD);
	theme_free(t);
}

/* Grey (bright black) below 16 colours: black is the background of most
 * terminals and bold black is invisible on it where bold does not brighten,
 * so grey text is the default colour drawn faint, in every shipped theme,
 * as a foreground or a background (which then is the terminal's own). */
Test(theme, grey_at_8_is_faint_default)
{
	for (size_t i = 0; i < NSHIPPED; i++) {
		struct theme *t = load_shipped(shipped[i]);
		struct theme_resolved r16, r8;

		theme_resolve(t, 16, false, &r16);
		theme_resolve(t, 8, false, &r8);
		for (int e = 0; e < THEME__COUNT; e++) {
			const char *n = theme_element_name((enum theme_element)e);

			if (r16.el[e].fg == 8) {
				cr_assert_eq(r8.el[e].fg, -1, "%s %s", shipped[i], n);
				cr_assert(r8.el[e].attrs & THEME_A_DIM, "%s %s", shipped[i], n);
				cr_assert_eq(r8.el[e].attrs & THEME_A_BOLD, r16.el[e].attrs & THEME_A_BOLD,
				             "%s %s: grey made bold", shipped[i], n);
			}
			if (r16.el[e].bg == 8)
				cr_assert_eq(r8.el[e].bg, -1, "%s %s", shipped[i], n);
			cr_assert(!(r8.el[e].fg == 0 && r8.el[e].bg < 0 &&
			            (r8.el[e].attrs & THEME_A_BOLD) && !(r16.el[e].fg == 0)),
			          "%s %s: bold black on the default background", shipped[i], n);
		}
		theme_free(t);
	}
	/* A synthetic grey: #808080 (244) with no fallback, and color8. */
	struct theme *t = parse("muted #808080 default - -\nborder color8 color8 bold -\n");

	assert_style(style(t, 8, false, THEME_MUTED), -1, -1, THEME_A_DIM);
	assert_style(style(t, 16, false, THEME_MUTED), 8, -1, 0);
	assert_style(style(t, 8, false, THEME_BORDER), -1, -1, THEME_A_BOLD | THEME_A_DIM);
	theme_free(t);
}

Test(theme, mono_theme_depths)
{
	struct theme *t = load_shipped("mono");

	cr_assert(theme_is_mono(t));
	for (int colors = 0; colors <= 256; colors += 128) {
		assert_style(style(t, colors, false, THEME_STATUS), -1, -1, THEME_A_REVERSE);
		assert_style(style(t, colors, false, THEME_ERROR), -1, -1,
		             THEME_A_BOLD | THEME_A_UNDERLINE);
	}
	theme_free(t);
}

/*
 * The resolver on synthetic themes
 */

Test(theme, rgb_to_256_known_values)
{
	/* Cross-checked against tmux's colour_find_rgb. */
	static const struct {
		const char *rgb;
		int idx;
	} known[] = {
		{ "#000000", 16 },  { "#ffffff", 231 }, { "#5fd75f", 77 },  { "#ff5f5f", 203 },
		{ "#d0d0d0", 252 }, { "#3a3a3a", 237 }, { "#002b36", 234 }, { "#073642", 235 },
		{ "#859900", 100 }, { "#268bd2", 32 },  { "#2aa198", 36 },  { "#dc322f", 166 },
		{ "#b58900", 136 }, { "#6c71c4", 62 },  { "#fdf6e3", 230 }, { "#eeeeee", 255 },
		{ "#808080", 244 }, { "#010101", 16 },  { "#fefefe", 231 }, { "#123456", 23 },
	};

	for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
		char *text = xasprintf("user %s default - -\n", known[i].rgb);
		struct theme *t = parse(text);

		cr_assert_null(theme_warnings(t));
		cr_assert_eq(style(t, 256, false, THEME_USER).fg, known[i].idx, "%s → %d, want %d",
		             known[i].rgb, style(t, 256, false, THEME_USER).fg, known[i].idx);
		theme_free(t);
		free(text);
	}
}

Test(theme, fallback_choice)
{
	struct theme *t = parse("# alternatives, best first\n"
	                        "user     #ff0000|color160|red  default  -  -\n"
	                        "error    #ff5f5f|bright-red    default  -  -\n"
	                        "warning  #ffffff               default  -  -\n"
	                        "info     color196              default  -  -\n"
	                        "help     default|blue          color33  -  -\n"
	                        "prompt   COLOUR7               Bright-Blue  bold,dim  -\n");

	cr_assert_null(theme_warnings(t));
	/* 256: the first alternative. */
	assert_style(style(t, 256, false, THEME_USER), 196, -1, 0);
	assert_style(style(t, 256, false, THEME_ERROR), 203, -1, 0);
	/* 16: skip what cannot be shown (#rrggbb, color160) for the first that can. */
	assert_style(style(t, 16, false, THEME_USER), 1, -1, 0);
	assert_style(style(t, 16, false, THEME_ERROR), 9, -1, 0);
	/* No explicit fallback: 256 → 16 keeps the hue. */
	assert_style(style(t, 16, false, THEME_WARNING), 15, -1, 0);
	assert_style(style(t, 16, false, THEME_INFO), 9, -1, 0);
	assert_style(style(t, 16, false, THEME_HELP), -1, 12, 0);
	/* 8: nothing fits → the last alternative, bright → base + bold (fg only). */
	assert_style(style(t, 8, false, THEME_ERROR), 1, -1, THEME_A_BOLD);
	assert_style(style(t, 8, false, THEME_WARNING), 7, -1, THEME_A_BOLD);
	assert_style(style(t, 8, false, THEME_INFO), 1, -1, THEME_A_BOLD);
	assert_style(style(t, 8, false, THEME_HELP), -1, 4, 0);
	assert_style(style(t, 8, false, THEME_PROMPT), 7, 4, THEME_A_BOLD | THEME_A_DIM);
	theme_free(t);
}

Test(theme, odd_depths)
{
	struct theme *t = parse("user #5fd75f|bright-green default - bold\n");
	struct theme_resolved r;

	theme_resolve(t, 88, false, &r); /* between 16 and 256: counts as 16 */
	cr_assert_eq(r.depth, 16);
	assert_style(r.el[THEME_USER], 10, -1, 0);
	theme_resolve(t, 0x1000000, false, &r); /* direct colour: 8 safe indices */
	cr_assert_eq(r.depth, 8);
	assert_style(r.el[THEME_USER], 2, -1, THEME_A_BOLD);
	theme_resolve(t, 2, false, &r); /* too few: mono */
	cr_assert(r.mono);
	assert_style(r.el[THEME_USER], -1, -1, THEME_A_BOLD);
	theme_resolve(t, -1, false, &r); /* no colours (ERR from curses) */
	cr_assert(r.mono);
	theme_free(t);
}

Test(theme, bad_lines_warn_with_file_and_line)
{
	struct theme *t = parse("# a comment\n"
	                        "diff-add   #12345   default  -      bold\n"
	                        "nope       red      default  -      -\n"
	                        "error      red      default  blink  -\n"
	                        "status     red\n"
	                        "inherit default\n"
	                        "cursor     color256 default  -      -\n"
	                        "user       red|green|blue|cyan|white  default  -  -\n"
	                        "warning    red      default  -      bold extra\n"
	                        "\r\n"
	                        "   \t\n"
	                        "selection  red|blue default  -      reverse,,bold\n"
	                        "diff-del   red      default  -      underline\n");
	const char *w = theme_warnings(t);

	cr_assert_not_null(w);
	cr_assert(strstr(w, "t.theme:2: fg: bad colour '#12345'"), "%s", w);
	cr_assert(strstr(w, "t.theme:3: unknown element 'nope'"), "%s", w);
	cr_assert(strstr(w, "t.theme:4: attrs: unknown attribute 'blink'"), "%s", w);
	cr_assert(strstr(w, "t.theme:5: status: expected ELEMENT FG BG ATTRS MONO"), "%s", w);
	cr_assert(strstr(w, "t.theme:6: 'inherit' must come before"), "%s", w);
	cr_assert(strstr(w, "t.theme:7: fg: bad colour 'color256'"), "%s", w);
	cr_assert(strstr(w, "t.theme:8: fg: more than 4 alternatives"), "%s", w);
	cr_assert(strstr(w, "t.theme:9: warning: expected"), "%s", w);
	cr_assert(strstr(w, "t.theme:12: mono: unknown attribute ''"), "%s", w);
	int n = 0;
	for (const char *s = w; (s = strchr(s, '\n')); s++)
		n++;
	cr_assert_eq(n, 9, "%s", w);
	/* Bad lines change nothing; good ones still apply. */
	assert_style(style(t, 256, false, THEME_DIFF_ADD), -1, -1, 0);
	assert_style(style(t, 256, true, THEME_ERROR), -1, -1, 0);
	assert_style(style(t, 8, false, THEME_DIFF_DEL), 1, -1, 0);
	assert_style(style(t, 8, true, THEME_DIFF_DEL), -1, -1, THEME_A_UNDERLINE);
	theme_free(t);
}

Test(theme, warnings_are_capped)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < 500; i++)
		buf_puts(&b, "bogus x y z w\n");
	struct theme *t = parse(buf_cstr(&b));
	const char *w = theme_warnings(t);
	cr_assert(strstr(w, "t.theme:50: unknown element"));
	cr_assert_null(strstr(w, "t.theme:51:"));
	cr_assert(strstr(w, "too many warnings"));
	theme_free(t);
	buf_fini(&b);
}

/*
 * inherit and the search path
 */

static char *
mktmpdir(void)
{
	char *d = xstrdup("/tmp/dh-theme-XXXXXX");

	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);

	cr_assert_eq(fsutil_write_atomic(p, text, strlen(text)), 0, "%s", err_msg());
	free(p);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_rf(const char *dir)
{
	cr_assert_eq(nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS), 0);
}

Test(theme, inherit_overrides)
{
	struct theme *t = parse("# user theme\n"
	                        "inherit mono\n"
	                        "error  #ff5f5f|red  default  bold  bold,underline\n");

	cr_assert_null(theme_warnings(t), "%s", theme_warnings(t));
	cr_assert_not(theme_is_mono(t)); /* only the mono theme itself forces mono */
	assert_style(style(t, 16, false, THEME_ERROR), 1, -1, THEME_A_BOLD);
	assert_style(style(t, 16, false, THEME_SELECTION), -1, -1, THEME_A_REVERSE);
	theme_free(t);

	t = parse("inherit no-such-theme\nuser red default - -\n");
	cr_assert(strstr(theme_warnings(t), "t.theme:1: inherit no-such-theme: theme "
	                                    "'no-such-theme' not found"),
	          "%s", theme_warnings(t));
	assert_style(style(t, 8, false, THEME_USER), 1, -1, 0);
	theme_free(t);
}

Test(theme, inherit_cycle_and_nested_warnings)
{
	char *dir = mktmpdir();
	struct theme *t = NULL;

	setenv("DH_THEMES_DIR", dir, 1);
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	write_file(dir, "a.theme", "inherit b\nuser red default - -\n");
	write_file(dir, "b.theme", "inherit a\nuser blue default - -\nbogus 1 2 3 4\n");
	cr_assert_eq(theme_load(&t, "a"), 0, "%s", err_msg());
	const char *w = theme_warnings(t);
	cr_assert(strstr(w, "nested more than 4 deep"), "%s", w);
	/* Warnings in an inherited file name that file. */
	char *where = xasprintf("%s/b.theme:3: unknown element 'bogus'", dir);
	cr_assert(strstr(w, where), "%s", w);
	free(where);
	assert_style(style(t, 8, false, THEME_USER), 1, -1, 0); /* a's own line wins */
	theme_free(t);
	rm_rf(dir);
	free(dir);
}

Test(theme, inherit_relative_path_and_long_tokens)
{
	char *dir = mktmpdir();
	char *sub = xasprintf("%s/sub", dir);
	char *path = xasprintf("%s/c.theme", sub);
	struct theme *t = NULL;
	struct buf text = BUF_INIT;

	cr_assert_eq(fsutil_mkdir_p(sub, 0700), 0);
	write_file(dir, "base.theme", "user green default - -\nerror red default - -\n");
	/* A relative inherit path is taken from the inheriting file's directory. */
	buf_puts(&text, "inherit ../base.theme\nerror blue default - -\nx");
	for (int i = 0; i < 1000; i++)
		buf_putc(&text, 'y');
	buf_puts(&text, " 1 2 3 4\n");
	write_file(sub, "c.theme", buf_cstr(&text));
	cr_assert_eq(chdir("/"), 0);
	cr_assert_eq(theme_load(&t, path), 0, "%s", err_msg());
	assert_style(style(t, 8, false, THEME_USER), 2, -1, 0);
	assert_style(style(t, 8, false, THEME_ERROR), 4, -1, 0);
	/* Warnings quote long tokens whole. */
	const char *w = theme_warnings(t);
	cr_assert_not_null(w);
	cr_assert(strstr(w, ":3: unknown element 'xyyy"), "%s", w);
	cr_assert(strstr(w, "yyyy'\n"), "%s", w);
	cr_assert_gt(strlen(w), 1000);
	theme_free(t);
	buf_fini(&text);
	rm_rf(dir);
	free(path);
	free(sub);
	free(dir);
}

Test(theme, search_path_order)
{
	char *data = mktmpdir(), *xdg = mktmpdir();
	char *udir = xasprintf("%s/deskhand/themes", xdg);
	struct theme *t = NULL;

	cr_assert_eq(fsutil_mkdir_p(udir, 0700), 0);
	setenv("DH_THEMES_DIR", data, 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	write_file(data, "x.theme", "user red default - -\n");
	write_file(data, "y.theme", "user green default - -\n");
	write_file(udir, "x.theme", "user blue default - -\n");

	cr_assert_eq(theme_load(&t, "x"), 0, "%s", err_msg()); /* the user's copy first */
	assert_style(style(t, 8, false, THEME_USER), 4, -1, 0);
	cr_assert_str_eq(theme_name(t), "x");
	theme_free(t);
	cr_assert_eq(theme_load(&t, "y"), 0, "%s", err_msg());
	assert_style(style(t, 8, false, THEME_USER), 2, -1, 0);
	theme_free(t);

	/* A path is a path; its base name is the theme's name. */
	char *p = xasprintf("%s/y.theme", data);
	cr_assert_eq(theme_load(&t, p), 0);
	cr_assert_str_eq(theme_name(t), "y");
	theme_free(t);
	free(p);

	/* Built-in names are never shadowed. */
	write_file(udir, "default.theme", "user red default - -\n");
	cr_assert_eq(theme_load(&t, "default"), 0);
	assert_style(style(t, 8, false, THEME_USER), 6, -1, THEME_A_BOLD);
	theme_free(t);

	t = (struct theme *)1;
	cr_assert_eq(theme_load(&t, "nope"), DH_ENOTFOUND);
	cr_assert_null(t);
	cr_assert(strstr(err_msg(), "theme 'nope' not found"), "%s", err_msg());
	cr_assert(strstr(err_msg(), data), "%s", err_msg());
	cr_assert_eq(theme_load(&t, "/nonexistent/q.theme"), DH_ENOTFOUND);
	cr_assert_eq(theme_load(&t, "bad name"), DH_EFAIL);
	cr_assert_eq(theme_load(&t, ".hidden"), DH_EFAIL);
	rm_rf(data);
	rm_rf(xdg);
	free(udir);
	free(data);
	free(xdg);
}

Test(theme, shipped_by_name_from_themes_dir)
{
	char *dir = themes_dir();
	char *abs = realpath(dir, NULL);

	cr_assert_not_null(abs);
	setenv("DH_THEMES_DIR", abs, 1);
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	for (size_t i = 0; i < NSHIPPED; i++) {
		struct theme *t = NULL;

		cr_assert_eq(theme_load(&t, shipped[i]), 0, "%s: %s", shipped[i], err_msg());
		cr_assert_null(theme_warnings(t));
		theme_free(t);
	}
	free(abs);
	free(dir);
}

/*
 * Environment and API edges
 */

Test(theme, mono_terminal_detection)
{
	cr_assert(theme_is_mono_terminal("1", "xterm-256color", true));
	cr_assert_not(theme_is_mono_terminal("", "xterm-256color", true)); /* set but empty */
	cr_assert_not(theme_is_mono_terminal(NULL, "xterm-256color", true));
	cr_assert(theme_is_mono_terminal(NULL, "dumb", true));
	cr_assert(theme_is_mono_terminal(NULL, NULL, true));
	cr_assert(theme_is_mono_terminal(NULL, "vt100", false));
}

Test(theme, attr_before_apply_and_out_of_range)
{
	struct theme *t = parse("user red default bold bold\n");

	cr_assert_eq(theme_attr(t, THEME_USER), 0ul);
	cr_assert_eq(theme_attr(t, THEME__COUNT), 0ul);
	cr_assert_eq(theme_attr(NULL, THEME_USER), 0ul);
	struct theme *u = t;
	cr_assert_eq(theme_parse(&u, "x", NULL), DH_EFAIL);
	cr_assert_null(u);
	theme_free(NULL);
	theme_free(t);
}
