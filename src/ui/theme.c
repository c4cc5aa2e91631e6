/* SPDX-License-Identifier: MIT */
/*
 * Themes: the theme file parser and search path, the pure colour resolver
 * (depth fallback, mono) and the thin curses glue that turns a resolved
 * theme into colour pairs. It does not draw anything and knows nothing of
 * panes: callers ask theme_attr() for an element's attributes.
 */
#include "ui/theme.h"

#include <curses.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/strv.h"
#include "core/utf8.h"
#include "core/xalloc.h"

#ifndef DH_THEMES_DATADIR
#define DH_THEMES_DATADIR "/usr/local/share/deskhand/themes"
#endif

#define MAX_ALTS     4 /* A|B|C|D */
#define MAX_INHERIT  4 /* inherit chain depth (also stops cycles) */
#define MAX_WARNINGS 50
#define MAX_FILE     ((size_t)256 * 1024)

enum colour_kind {
	COLOUR_DEFAULT, /* the terminal's own fg/bg (-1) */
	COLOUR_INDEX,   /* palette index 0..255 (named colours are 0..15) */
	COLOUR_RGB,     /* 0xrrggbb */
};

struct colour_alt {
	enum colour_kind kind;
	unsigned v; /* index or 0xrrggbb */
};

/* One FG or BG field: alternatives, best first. n == 0 means "default". */
struct colour_spec {
	unsigned n;
	struct colour_alt alt[MAX_ALTS];
};

struct element_spec {
	struct colour_spec fg, bg;
	unsigned attrs; /* THEME_A_* with colours */
	unsigned mono;  /* THEME_A_* without */
	bool set;       /* some file gave this element */
};

struct theme {
	char *name; /* base name, heap */
	bool mono;  /* the mono theme: never colours */
	struct element_spec el[THEME__COUNT];
	struct buf warnings; /* "file:line: msg\n"... */
	unsigned nwarn;
	unsigned long attr[THEME__COUNT]; /* cached by theme_apply() */
};

/* Where a parse is: for warnings and the inherit chain. */
struct parse_ctx {
	struct theme *t;
	const char *file;
	int line;
	int depth;
};

static const char *builtin_text(const char *name);
static void warn(struct parse_ctx *p, const char *fmt, ...) DH_PRINTF(2, 3);

static const char *const element_names[THEME__COUNT] = {
#define THEME_NAME_(id, name) [THEME_##id] = (name),
	THEME_ELEMENTS(THEME_NAME_)
#undef THEME_NAME_
};

static const char *const colour_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "bold", THEME_A_BOLD },           { "dim", THEME_A_DIM },
	{ "underline", THEME_A_UNDERLINE }, { "reverse", THEME_A_REVERSE },
	{ "italic", THEME_A_ITALIC },       { "standout", THEME_A_STANDOUT },
};

/*
 * Warnings
 */

static void
warn(struct parse_ctx *p, const char *fmt, ...)
{
	struct theme *t = p->t;
	va_list ap;
	char *msg;
	int n;

	if (++t->nwarn > MAX_WARNINGS) {
		if (t->nwarn == MAX_WARNINGS + 1)
			buf_printf(&t->warnings, "%s: too many warnings, the rest not shown\n",
			           p->file);
		return;
	}
	/* Messages quote the file's tokens, so they are unbounded: size first. */
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	msg = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	/* made printable: the file's words, as whoever wrote it wrote them */
	struct buf shown = BUF_INIT;

	buf_printf(&t->warnings, "%s:%d: %s\n", p->file, p->line, utf8_sanitized(&shown, msg));
	buf_fini(&shown);
	free(msg);
}

/*
 * Parsing
 */

static bool
parse_uint(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (!*s || strlen(s) > 3)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One alternative: default, a name, bright-NAME, colorN or #rrggbb. */
static bool
parse_alt(struct colour_alt *out, const char *s)
{
	if (!strcasecmp(s, "default")) {
		*out = (struct colour_alt){ COLOUR_DEFAULT, 0 };
		return true;
	}
	if (s[0] == '#') {
		unsigned v = 0;

		if (strlen(s) != 7)
			return false;
		for (int i = 1; i < 7; i++) {
			int h = hexval(s[i]);

			if (h < 0)
				return false;
			v = v << 4 | (unsigned)h;
		}
		*out = (struct colour_alt){ COLOUR_RGB, v };
		return true;
	}
	if (!strncasecmp(s, "colour", 6) || !strncasecmp(s, "color", 5)) {
		unsigned v;

		if (!parse_uint(s + (s[5] == 'r' || s[5] == 'R' ? 6 : 5), 255, &v))
			return false;
		*out = (struct colour_alt){ COLOUR_INDEX, v };
		return true;
	}
	unsigned base = 0;
	if (!strncasecmp(s, "bright-", 7)) {
		base = 8;
		s += 7;
	}
	for (unsigned i = 0; i < 8; i++) {
		if (!strcasecmp(s, colour_names[i])) {
			*out = (struct colour_alt){ COLOUR_INDEX, base + i };
			return true;
		}
	}
	return false;
}

/* A FG/BG field: alternatives separated by '|'. `tok` is modified. */
static bool
parse_colour(struct parse_ctx *p, struct colour_spec *out, char *tok, const char *what)
{
	struct colour_spec c = { 0 };
	char *s = tok;

	for (;;) {
		char *bar = strchr(s, '|');

		if (bar)
			*bar = '\0';
		if (c.n == MAX_ALTS) {
			warn(p, "%s: more than %d alternatives", what, MAX_ALTS);
			return false;
		}
		if (!parse_alt(&c.alt[c.n], s)) {
			warn(p,
			     "%s: bad colour '%s' (want default, a colour name, "
			     "bright-NAME, colorN or #rrggbb)",
			     what, s);
			return false;
		}
		c.n++;
		if (!bar)
			break;
		s = bar + 1;
	}
	/* A lone "default" is the same as no colour at all. */
	if (c.n == 1 && c.alt[0].kind == COLOUR_DEFAULT)
		c.n = 0;
	*out = c;
	return true;
}

/* "-" or a comma list of attribute names. `tok` is modified. */
static bool
parse_attrs(struct parse_ctx *p, unsigned *out, char *tok, const char *what)
{
	unsigned bits = 0;
	char *s = tok;

	if (!strcmp(tok, "-")) {
		*out = 0;
		return true;
	}
	for (;;) {
		char *comma = strchr(s, ',');
		size_t i;

		if (comma)
			*comma = '\0';
		for (i = 0; i < sizeof attr_names / sizeof *attr_names; i++)
			if (!strcasecmp(s, attr_names[i].name))
				break;
		if (i == sizeof attr_names / sizeof *attr_names) {
			warn(p,
			     "%s: unknown attribute '%s' (want -, bold, dim, underline, "
			     "reverse, italic or standout)",
			     what, s);
			return false;
		}
		bits |= attr_names[i].bit;
		if (!comma)
			break;
		s = comma + 1;
	}
	*out = bits;
	return true;
}

static int read_theme(struct buf *text, char **file, char **name, const char *name_or_path);

static void parse_text(struct parse_ctx *p, const char *text);

/* `inherit NAME`: parse NAME into the same theme; its lines are then
 * overridden by the rest of this file. */
static void
inherit(struct parse_ctx *p, const char *name)
{
	struct buf text = BUF_INIT;
	char *file = NULL;
	int rc;

	if (p->depth >= MAX_INHERIT) {
		warn(p, "inherit %s: nested more than %d deep (a cycle?)", name, MAX_INHERIT);
		return;
	}
	/* A relative path is relative to the file that inherits it. */
	const char *slash = strrchr(p->file, '/');
	char *rel = NULL;
	if (strchr(name, '/') && name[0] != '/' && slash)
		rel = xasprintf("%.*s/%s", (int)(slash - p->file), p->file, name);
	rc = read_theme(&text, &file, NULL, rel ? rel : name);
	free(rel);
	if (rc < 0) {
		warn(p, "inherit %s: %s", name, err_msg());
	} else {
		struct parse_ctx sub = { p->t, file, 0, p->depth + 1 };

		parse_text(&sub, buf_cstr(&text));
	}
	free(file);
	buf_fini(&text);
}

static void
parse_line(struct parse_ctx *p, char *line, bool *content)
{
	char *tok[6];
	int n = 0;

	for (char *s = line; *s && n < 6;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
	if (n == 0 || tok[0][0] == '#')
		return;

	bool first = !*content;
	*content = true;
	if (!strcmp(tok[0], "inherit")) {
		if (n != 2)
			warn(p, "expected 'inherit NAME'");
		else if (!first)
			warn(p, "'inherit' must come before any element line");
		else
			inherit(p, tok[1]);
		return;
	}

	int e = theme_element_lookup(tok[0]);
	if (e < 0) {
		warn(p, "unknown element '%s'", tok[0]);
		return;
	}
	if (n != 5) {
		warn(p, "%s: expected ELEMENT FG BG ATTRS MONO (5 fields), got %s", tok[0],
		     n > 5    ? "more"
		     : n == 4 ? "4"
		     : n == 3 ? "3"
		              : "2");
		return;
	}

	struct element_spec s = { .set = true };
	bool ok = parse_colour(p, &s.fg, tok[1], "fg");
	ok = parse_colour(p, &s.bg, tok[2], "bg") && ok;
	ok = parse_attrs(p, &s.attrs, tok[3], "attrs") && ok;
	ok = parse_attrs(p, &s.mono, tok[4], "mono") && ok;
	if (ok)
		p->t->el[e] = s;
}

/* Parse a whole file's text into p->t; problems become warnings. */
static void
parse_text(struct parse_ctx *p, const char *text)
{
	char *copy = xstrdup(text);
	bool content = false;
	char *s = copy;

	while (*s) {
		char *nl = strchr(s, '\n');

		if (nl)
			*nl = '\0';
		p->line++;
		size_t len = strlen(s);
		if (len && s[len - 1] == '\r')
			s[len - 1] = '\0';
		parse_line(p, s, &content);
		if (!nl)
			break;
		s = nl + 1;
	}
	free(copy);
}

/*
 * Finding theme files
 */

static bool
is_path(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, '/') || (n > 6 && !strcmp(s + n - 6, ".theme"));
}

static bool
is_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
		            *s))
			return false;
	return true;
}

/* The base name without ".theme", heap. */
static char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 6 && !strcmp(b + n - 6, ".theme"))
		n -= 6;
	return xstrndup(b, n);
}

/* The directories searched for NAME.theme, in order; heap strings, *n set. */
static void
search_dirs(char *dirs[4], int *n)
{
	const char *env = getenv("DH_THEMES_DIR");
	char *config;

	*n = 0;
	if (fsutil_config_dir(&config) == 0) {
		dirs[(*n)++] = xasprintf("%s/themes", config);
		free(config);
	}
	if (env && *env) {
		dirs[(*n)++] = xstrdup(env);
	} else {
		char exe[PATH_MAX];
		ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);

		dirs[(*n)++] = xstrdup(DH_THEMES_DATADIR);
		/* An install under another PREFIX: BIN/../share/deskhand/themes. */
		if (len > 0) {
			exe[len] = '\0';
			char *slash = strrchr(exe, '/');
			if (slash) {
				*slash = '\0';
				dirs[(*n)++] = xasprintf("%s/../share/deskhand/themes", exe);
			}
		}
	}
	/* dirs has room for 4: xdg, datadir, exe-relative, ./themes. */
	dirs[(*n)++] = xstrdup("themes");
}

void
theme_names(struct strv *out)
{
	char *dirs[4];
	int ndirs;

	strv_add(out, "default");
	strv_add(out, "mono");
	search_dirs(dirs, &ndirs);
	for (int i = 0; i < ndirs; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			size_t n = strlen(e->d_name);

			if (n > 6 && strcmp(e->d_name + n - 6, ".theme") == 0) {
				char *name = xstrndup(e->d_name, n - 6);
				if (is_name(name))
					strv_add(out, name);
				free(name);
			}
		}
		if (d)
			closedir(d);
		free(dirs[i]);
	}
	strv_uniq(out);
}

/* Read a theme's text by name or path. *file (for warnings) and *name (if
 * name != NULL) are heap strings. DH_ENOTFOUND, DH_EFAIL. */
static int
read_theme(struct buf *text, char **file, char **name, const char *name_or_path)
{
	const char *bi;
	struct buf shown = BUF_INIT; /* name_or_path in a message: the config's value */
	int rc;

	if (is_path(name_or_path)) {
		rc = fsutil_read_file(name_or_path, MAX_FILE, text);
		if (rc == DH_ENOTFOUND)
			err_setc(rc, "theme file %s not found", utf8_sanitized(&shown, name_or_path));
		buf_fini(&shown);
		if (rc < 0)
			return rc;
		*file = xstrdup(name_or_path);
		if (name)
			*name = base_name(name_or_path);
		return 0;
	}
	if (!is_name(name_or_path)) {
		rc = err_set("bad theme name '%s' (letters, digits, '.', '_', '-')",
		             utf8_sanitized(&shown, name_or_path));
		buf_fini(&shown);
		return rc;
	}
	if ((bi = builtin_text(name_or_path))) {
		buf_puts(text, bi);
		*file = xasprintf("%s.theme", name_or_path);
		if (name)
			*name = xstrdup(name_or_path);
		return 0;
	}

	char *dirs[4];
	int ndirs;
	struct buf tried = BUF_INIT;

	search_dirs(dirs, &ndirs);
	rc = DH_ENOTFOUND;
	for (int i = 0; i < ndirs && rc == DH_ENOTFOUND; i++) {
		char *path = xasprintf("%s/%s.theme", dirs[i], name_or_path);

		buf_clear(text);
		rc = fsutil_read_file(path, MAX_FILE, text);
		if (rc == 0) {
			*file = path;
			if (name)
				*name = xstrdup(name_or_path);
			path = NULL;
		}
		buf_printf(&tried, "%s%s", i ? ", " : "", dirs[i]);
		free(path);
	}
	if (rc == DH_ENOTFOUND)
		err_setc(rc, "theme '%s' not found (looked in %s; built in: default, mono)",
		         name_or_path, buf_cstr(&tried));
	for (int i = 0; i < ndirs; i++)
		free(dirs[i]);
	buf_fini(&tried);
	return rc;
}

static struct theme *
alloc_theme(const char *name)
{
	struct theme *t = xcalloc(1, sizeof *t);

	t->name = xstrdup(name);
	t->mono = !strcmp(name, "mono");
	buf_init(&t->warnings);
	return t;
}

/*
 * Colour arithmetic (pure)
 */

static const unsigned char cube_levels[6] = { 0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff };

static int
dist_sq(int r1, int g1, int b1, int r2, int g2, int b2)
{
	return (r1 - r2) * (r1 - r2) + (g1 - g2) * (g1 - g2) + (b1 - b2) * (b1 - b2);
}

static int
nearest_level(int v)
{
	int best = 0;

	for (int i = 1; i < 6; i++)
		if (abs(v - cube_levels[i]) < abs(v - cube_levels[best]))
			best = i;
	return best;
}

/* #rrggbb → nearest xterm-256 index: the nearest point of the 6x6x6 cube
 * (16..231) or of the grey ramp (232..255, 8 + 10*i), whichever is closer
 * (tmux's colour_find_rgb approach). Never returns 0..15: their RGB values
 * belong to the user's palette. */
static int
rgb_to_256(unsigned rgb)
{
	int r = (int)(rgb >> 16 & 0xff), g = (int)(rgb >> 8 & 0xff), b = (int)(rgb & 0xff);
	int qr = nearest_level(r), qg = nearest_level(g), qb = nearest_level(b);
	int cube = 16 + 36 * qr + 6 * qg + qb;
	int cd = dist_sq(cube_levels[qr], cube_levels[qg], cube_levels[qb], r, g, b);
	int gi = ((r + g + b) / 3 - 8 + 5) / 10;

	if (cd == 0)
		return cube;
	if (gi < 0)
		gi = 0;
	if (gi > 23)
		gi = 23;
	int grey = 8 + 10 * gi;
	return dist_sq(grey, grey, grey, r, g, b) < cd ? 232 + gi : cube;
}

/* An xterm-256 index ≥ 16 → its RGB value. */
static unsigned
index_to_rgb(int idx)
{
	if (idx >= 232) {
		unsigned v = (unsigned)(8 + 10 * (idx - 232));

		return v << 16 | v << 8 | v;
	}
	idx -= 16;
	return (unsigned)cube_levels[idx / 36] << 16 | (unsigned)cube_levels[idx / 6 % 6] << 8 |
	       cube_levels[idx % 6];
}

/* An xterm-256 index → one of the 16 ANSI colours (tmux's colour_256to16).
 * Keeps the hue rather than the nearest RGB point, so a dark blue stays
 * blue instead of becoming black: greys by lightness; colours by which
 * channels are within 2/3 of the strongest, bright when that is near full. */
static int
colour_256to16(int idx)
{
	if (idx < 16)
		return idx;

	unsigned rgb = index_to_rgb(idx);
	int r = (int)(rgb >> 16 & 0xff), g = (int)(rgb >> 8 & 0xff), b = (int)(rgb & 0xff);
	int max = r > g ? (r > b ? r : b) : (g > b ? g : b);
	int min = r < g ? (r < b ? r : b) : (g < b ? g : b);

	if (max - min < 0x30) {
		int lum = (r + g + b) / 3;

		return lum < 0x40 ? 0 : lum < 0xb0 ? 8 : lum < 0xf0 ? 7 : 15;
	}
	int c = (r * 3 >= max * 2) | (g * 3 >= max * 2) << 1 | (b * 3 >= max * 2) << 2;
	return c + (max >= 0xe0 ? 8 : 0);
}

static bool
alt_fits(const struct colour_alt *a, int depth)
{
	switch (a->kind) {
	case COLOUR_DEFAULT:
		return true;
	case COLOUR_INDEX:
		return (int)a->v < depth;
	case COLOUR_RGB:
		return depth >= 256;
	}
	return false;
}

/* Map one alternative into 0..depth-1 (or -1). A bright colour below 16
 * becomes its base colour and adds THEME_A_BOLD to *attrs. Bright black
 * (grey) is the exception: its base, black, is the background of most
 * terminals, where bold black shows as nothing unless the terminal
 * brightens bold (and, where it does, makes muted text stand out); it
 * becomes the default colour and adds THEME_A_DIM instead, which a
 * terminal without faint text shows as normal text. */
static short
alt_index(const struct colour_alt *a, int depth, unsigned *attrs)
{
	int idx;

	if (a->kind == COLOUR_DEFAULT)
		return -1;
	idx = a->kind == COLOUR_RGB ? rgb_to_256(a->v) : (int)a->v;
	if (depth < 256)
		idx = colour_256to16(idx);
	if (depth < 16 && idx == 8) {
		*attrs |= THEME_A_DIM;
		return -1;
	}
	if (depth < 16 && idx > 8) {
		idx -= 8;
		*attrs |= THEME_A_BOLD;
	}
	return (short)idx;
}

/* The first alternative the depth can show as written; if none, the last
 * (the author's most conservative choice), downgraded. */
static short
resolve_colour(const struct colour_spec *c, int depth, unsigned *attrs)
{
	if (c->n == 0)
		return -1;
	for (unsigned i = 0; i < c->n; i++)
		if (alt_fits(&c->alt[i], depth))
			return alt_index(&c->alt[i], depth, attrs);
	return alt_index(&c->alt[c->n - 1], depth, attrs);
}

/*
 * Exported: elements, loading
 */

const char *
theme_element_name(enum theme_element e)
{
	if ((int)e < 0 || e >= THEME__COUNT)
		return NULL;
	return element_names[e];
}

int
theme_element_lookup(const char *name)
{
	for (int i = 0; i < THEME__COUNT; i++)
		if (!strcmp(element_names[i], name))
			return i;
	return -1;
}

const char *
theme_builtin_text(const char *name)
{
	return name ? builtin_text(name) : NULL;
}

int
theme_parse(struct theme **out, const char *file, const char *text)
{
	*out = NULL;
	if (!text)
		return err_set("theme: no text");
	if (!file)
		file = "(theme)";

	char *name = base_name(file);
	struct theme *t = alloc_theme(name);
	struct parse_ctx p = { t, file, 0, 0 };

	free(name);
	parse_text(&p, text);
	*out = t;
	return 0;
}

int
theme_load(struct theme **out, const char *name_or_path)
{
	struct buf text = BUF_INIT;
	char *file = NULL, *name = NULL;
	int rc;

	*out = NULL;
	if (!name_or_path || !*name_or_path)
		name_or_path = "default";
	rc = read_theme(&text, &file, &name, name_or_path);
	if (rc == 0 && name && file) {
		struct theme *t = alloc_theme(name);
		struct parse_ctx p = { t, file, 0, 0 };

		parse_text(&p, buf_cstr(&text));
		*out = t;
	}
	free(name);
	free(file);
	buf_fini(&text);
	return rc;
}

const char *
theme_warnings(const struct theme *t)
{
	return t && t->warnings.len ? t->warnings.ptr : NULL;
}

const char *
theme_name(const struct theme *t)
{
	return t->name;
}

bool
theme_is_mono(const struct theme *t)
{
	return t->mono;
}

bool
theme_is_mono_terminal(const char *no_color, const char *term, bool has_colors)
{
	if (no_color && *no_color)
		return true;
	if (!term || !*term || !strcmp(term, "dumb"))
		return true;
	return !has_colors;
}

void
theme_free(struct theme *t)
{
	if (!t)
		return;
	buf_fini(&t->warnings);
	free(t->name);
	free(t);
}

/*
 * Exported: resolution (pure)
 */

void
theme_resolve(const struct theme *t, int colors, bool mono, struct theme_resolved *out)
{
	int depth;

	/* Depths in between count as the next lower one we know the palette of;
	 * above 256 is direct colour, whose terminfo reads indices >= 8 as RGB,
	 * so only the 8 ANSI colours are safe there. */
	if (colors == 256)
		depth = 256;
	else if (colors >= 16 && colors < 256)
		depth = 16;
	else if (colors >= 8)
		depth = 8;
	else
		depth = 0;
	if (mono || t->mono || depth == 0)
		depth = 0;

	out->mono = depth == 0;
	out->depth = depth;
	for (int e = 0; e < THEME__COUNT; e++) {
		const struct element_spec *s = &t->el[e];
		struct theme_style *st = &out->el[e];
		unsigned fg_attrs = 0, bg_attrs = 0;

		if (out->mono) {
			*st = (struct theme_style){ -1, -1, s->mono };
			continue;
		}
		st->fg = resolve_colour(&s->fg, depth, &fg_attrs);
		/* Bold cannot brighten a background, nor faint dim one. */
		st->bg = resolve_colour(&s->bg, depth, &bg_attrs);
		st->attrs = s->attrs | fg_attrs;
	}
}

/*
 * Exported: curses glue
 */

static unsigned long
curses_attrs(unsigned bits)
{
	unsigned long a = A_NORMAL;

	if (bits & THEME_A_BOLD)
		a |= A_BOLD;
	if (bits & THEME_A_DIM)
		a |= A_DIM;
	if (bits & THEME_A_UNDERLINE)
		a |= A_UNDERLINE;
	if (bits & THEME_A_REVERSE)
		a |= A_REVERSE;
	if (bits & THEME_A_ITALIC)
		a |= A_ITALIC;
	if (bits & THEME_A_STANDOUT)
		a |= A_STANDOUT;
	return a;
}

static void
apply_mono(struct theme *t)
{
	for (int e = 0; e < THEME__COUNT; e++)
		t->attr[e] = curses_attrs(t->el[e].mono);
}

int
theme_apply(struct theme *t, int colors, bool mono)
{
	struct theme_resolved r;
	short pair_fg[THEME__COUNT + 1], pair_bg[THEME__COUNT + 1];
	int npairs = 0;

	theme_resolve(t, colors, mono, &r);
	if (r.mono) {
		apply_mono(t);
		return 0;
	}
	/* Without default-colour support, -1 is not a colour: use white on black
	 * (what pair 0 shows on such terminals anyway). */
	bool dflt = use_default_colors() == OK;

	for (int e = 0; e < THEME__COUNT; e++) {
		short fg = r.el[e].fg, bg = r.el[e].bg;
		int pair = 0;

		/* theme_resolve() stays below `colors`; guard against a caller
		 * passing more than curses has. */
		if (fg >= COLORS)
			fg = -1;
		if (bg >= COLORS)
			bg = -1;
		if (!dflt) {
			if (fg < 0)
				fg = COLOR_WHITE;
			if (bg < 0)
				bg = COLOR_BLACK;
		}
		if (fg >= 0 || bg >= 0) {
			for (pair = 1; pair <= npairs; pair++)
				if (pair_fg[pair] == fg && pair_bg[pair] == bg)
					break;
			if (pair > npairs) {
				if (pair >= COLOR_PAIRS) {
					/* No pair left: keep the element distinct without colour.
					 */
					t->attr[e] = curses_attrs(t->el[e].mono);
					continue;
				}
				if (init_pair((short)pair, fg, bg) == ERR) {
					apply_mono(t);
					return err_set("theme %s: init_pair(%d, %d, %d) failed "
					               "(COLORS=%d)",
					               t->name, pair, fg, bg, COLORS);
				}
				pair_fg[pair] = fg;
				pair_bg[pair] = bg;
				npairs = pair;
			}
		}
		t->attr[e] = curses_attrs(r.el[e].attrs) | (unsigned long)COLOR_PAIR(pair);
	}
	return 0;
}

unsigned long
theme_attr(const struct theme *t, enum theme_element e)
{
	if (!t || (int)e < 0 || e >= THEME__COUNT)
		return 0;
	return t->attr[e];
}

/*
 * Compiled-in themes: copies of themes/default.theme and themes/mono.theme
 * (STYLE.md §3.17), so the workbench works with nothing installed. A unit
 * test fails when they drift from the files; regenerate each body with
 *   sed 's/\\/\\\\/g; s/"/\\"/g; s/^/\t"/; s/$/\\n"/' themes/NAME.theme
 */

static const char builtin_default[] =
	"# deskhand default theme: dark terminal background.\n"
	"# Compiled in (src/ui/theme.c keeps a copy; a unit test checks they match).\n"
	"#\n"
	"# Format: ELEMENT FG BG ATTRS MONO\n"
	"#   colours: default, black red green yellow blue magenta cyan white,\n"
	"#            bright-<name>, colorN (0-255), #rrggbb; A|B = fallback B when\n"
	"#            the terminal cannot show A (256 -> 16 -> 8 colours).\n"
	"#   attrs:   - or a comma list of bold dim underline reverse italic standout.\n"
	"#   mono:    attributes used without colour (NO_COLOR, TERM=dumb, vt100).\n"
	"#\n"
	"# element      fg                     bg              attrs   mono\n"
	"normal         default                default         -       -\n"
	"status         #d0d0d0|white          #3a3a3a|blue    -       reverse\n"
	"status-busy    #ffd75f|bright-yellow  #3a3a3a|blue    bold    reverse,bold\n"
	"title-focus    #ffffff|bright-white   #005f87|blue    bold    reverse,bold\n"
	"title-blur     #9e9e9e|white          #262626|black   -       underline\n"
	"border         #4e4e4e|bright-black   default         -       -\n"
	"cursor         default                #303030|blue    -       reverse,bold\n"
	"selection      #ffffff|black          #005f87|cyan    -       reverse\n"
	"muted          #808080|bright-black   default         -       -\n"
	"user           #87d7ff|bright-cyan    default         bold    bold\n"
	"assistant      default                default         -       -\n"
	"heading        #ffaf5f|bright-yellow  default         bold    bold,underline\n"
	"emphasis       default                default         italic  underline\n"
	"code           #d7af87|yellow         default         -       -\n"
	"list-marker    #5fafd7|cyan           default         bold    bold\n"
	"tool-call      #af87ff|magenta        default         -       bold\n"
	"tool-output    #a8a8a8|white          default         -       -\n"
	"tool-error     #ff5f5f|bright-red     default         -       bold,underline\n"
	"diff-add       #5fd75f|green          default         -       bold\n"
	"diff-del       #ff5f5f|red            default         -       underline\n"
	"diff-add-word  #000000|black          #5fd75f|green   -       bold,reverse\n"
	"diff-del-word  #000000|black          #ff5f5f|red     -       underline,reverse\n"
	"diff-context   default                default         -       -\n"
	"diff-hunk      #5fafff|cyan           default         -       -\n"
	"diff-file      #ffffff|bright-white   default         bold    bold\n"
	"plan-done      #5fd75f|green          default         -       -\n"
	"plan-todo      default                default         -       -\n"
	"plan-current   #ffd75f|bright-yellow  default         bold    reverse\n"
	"plan-skipped   #808080|bright-black   default         -       -\n"
	"plan-failed    #ff5f5f|red            default         bold    bold,underline\n"
	"error          #ff5f5f|bright-red     default         bold    bold,underline\n"
	"warning        #ffd75f|yellow         default         -       bold\n"
	"info           #87afd7|cyan           default         -       -\n"
	"input          default                default         -       -\n"
	"prompt         #87d7ff|bright-cyan    default         bold    bold\n"
	"help           #d0d0d0|white          #262626|black   -       -\n"
	"search-match   #000000|black          #ffd75f|yellow  -       reverse,underline\n"
	"spinner        #5fafff|cyan           default         bold    bold\n";

static const char builtin_mono[] =
	"# deskhand mono theme: attributes only, no colours (compiled in).\n"
	"# Used automatically when NO_COLOR is set, TERM=dumb or the terminal has no\n"
	"# colours; any theme's MONO column is what shows then. Only bold, reverse and\n"
	"# underline are used, which every terminal (vt100 included) can show.\n"
	"# Selection, diff-add, diff-del and error stay distinct (a unit test checks).\n"
	"#\n"
	"# element      fg       bg       attrs              mono\n"
	"normal         default  default  -                  -\n"
	"status         default  default  reverse            reverse\n"
	"status-busy    default  default  reverse,bold       reverse,bold\n"
	"title-focus    default  default  reverse,bold       reverse,bold\n"
	"title-blur     default  default  underline          underline\n"
	"border         default  default  -                  -\n"
	"cursor         default  default  reverse,bold       reverse,bold\n"
	"selection      default  default  reverse            reverse\n"
	"muted          default  default  -                  -\n"
	"user           default  default  bold               bold\n"
	"assistant      default  default  -                  -\n"
	"heading        default  default  bold,underline     bold,underline\n"
	"emphasis       default  default  underline          underline\n"
	"code           default  default  -                  -\n"
	"list-marker    default  default  bold               bold\n"
	"tool-call      default  default  bold               bold\n"
	"tool-output    default  default  -                  -\n"
	"tool-error     default  default  bold,underline     bold,underline\n"
	"diff-add       default  default  bold               bold\n"
	"diff-del       default  default  underline          underline\n"
	"diff-add-word  default  default  bold,reverse       bold,reverse\n"
	"diff-del-word  default  default  underline,reverse  underline,reverse\n"
	"diff-context   default  default  -                  -\n"
	"diff-hunk      default  default  -                  -\n"
	"diff-file      default  default  bold               bold\n"
	"plan-done      default  default  -                  -\n"
	"plan-todo      default  default  -                  -\n"
	"plan-current   default  default  reverse            reverse\n"
	"plan-skipped   default  default  -                  -\n"
	"plan-failed    default  default  bold,underline     bold,underline\n"
	"error          default  default  bold,underline     bold,underline\n"
	"warning        default  default  bold               bold\n"
	"info           default  default  -                  -\n"
	"input          default  default  -                  -\n"
	"prompt         default  default  bold               bold\n"
	"help           default  default  -                  -\n"
	"search-match   default  default  reverse,underline  reverse,underline\n"
	"spinner        default  default  bold               bold\n";

static const char *
builtin_text(const char *name)
{
	if (!strcmp(name, "default"))
		return builtin_default;
	if (!strcmp(name, "mono"))
		return builtin_mono;
	return NULL;
}
