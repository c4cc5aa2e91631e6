/* SPDX-License-Identifier: MIT */
/*
 * Key names, the action table and the bindings per context. The bindings
 * are this module's state (one table per process, like tig's keymaps).
 */
#include "ui/keymap.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/xalloc.h"

struct binding {
	unsigned char ctx;
	int key;
	enum action action;
};

static const char *const action_names[ACTION__COUNT] = {
#define GROUP_(g)
#define A_(e, n, d) [ACTION_##e] = n,
	ACTION_INFO(GROUP_, A_)
#undef A_
#undef GROUP_
};

static const char *const action_docs[ACTION__COUNT] = {
#define GROUP_(g)
#define A_(e, n, d) [ACTION_##e] = d,
	ACTION_INFO(GROUP_, A_)
#undef A_
#undef GROUP_
};

static const char *const ctx_names[KEYMAP__COUNT] = {
	[KEYMAP_GLOBAL] = "global",	    [KEYMAP_APPROVAL] = "approval", [KEYMAP_PLAN] = "plan",
	[KEYMAP_TRANSCRIPT] = "transcript", [KEYMAP_DIFF] = "diff",	    [KEYMAP_HELP] = "help",
	[KEYMAP_LINE] = "line",
};

static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{ "Tab", '\t' },
	{ "S-Tab", KEYMAP_FKEY | KEY_BTAB },
	{ "Esc", 27 },
	{ "Enter", '\n' },
	{ "Space", ' ' },
	{ "PgUp", KEYMAP_FKEY | KEY_PPAGE },
	{ "PgDn", KEYMAP_FKEY | KEY_NPAGE },
	{ "Up", KEYMAP_FKEY | KEY_UP },
	{ "Down", KEYMAP_FKEY | KEY_DOWN },
	{ "Left", KEYMAP_FKEY | KEY_LEFT },
	{ "Right", KEYMAP_FKEY | KEY_RIGHT },
	{ "Home", KEYMAP_FKEY | KEY_HOME },
	{ "End", KEYMAP_FKEY | KEY_END },
	{ "Backspace", KEYMAP_FKEY | KEY_BACKSPACE },
	{ "Del", KEYMAP_FKEY | KEY_DC },
	{ "C-\\", 28 }, /* FS: the detach key of dtach and abduco */
};

/* The defaults (the issue's list); config `bind` lines replace entries. */
static const struct {
	enum keymap_ctx ctx;
	const char *key;
	enum action action;
} defaults[] = {
	{ KEYMAP_GLOBAL, "<Tab>", ACTION_FOCUS_NEXT },
	{ KEYMAP_GLOBAL, "<S-Tab>", ACTION_FOCUS_PREV },
	{ KEYMAP_GLOBAL, "z", ACTION_MAXIMIZE },
	{ KEYMAP_GLOBAL, "<C-l>", ACTION_REDRAW },
	{ KEYMAP_GLOBAL, "?", ACTION_HELP },
	{ KEYMAP_GLOBAL, ":", ACTION_COMMAND },
	{ KEYMAP_GLOBAL, "q", ACTION_QUIT },
	{ KEYMAP_GLOBAL, "<C-\\>", ACTION_DETACH },
	{ KEYMAP_GLOBAL, "k", ACTION_UP },
	{ KEYMAP_GLOBAL, "<Up>", ACTION_UP },
	{ KEYMAP_GLOBAL, "j", ACTION_DOWN },
	{ KEYMAP_GLOBAL, "<Down>", ACTION_DOWN },
	{ KEYMAP_GLOBAL, "<PgUp>", ACTION_PAGE_UP },
	{ KEYMAP_GLOBAL, "<PgDn>", ACTION_PAGE_DOWN },
	{ KEYMAP_GLOBAL, "<C-u>", ACTION_HALF_UP },
	{ KEYMAP_GLOBAL, "<C-d>", ACTION_HALF_DOWN },
	{ KEYMAP_GLOBAL, "g", ACTION_TOP },
	{ KEYMAP_GLOBAL, "<Home>", ACTION_TOP },
	{ KEYMAP_GLOBAL, "G", ACTION_BOTTOM },
	{ KEYMAP_GLOBAL, "<End>", ACTION_BOTTOM },
	{ KEYMAP_GLOBAL, "/", ACTION_SEARCH },
	{ KEYMAP_GLOBAL, "n", ACTION_SEARCH_NEXT },
	{ KEYMAP_GLOBAL, "N", ACTION_SEARCH_PREV },
	{ KEYMAP_GLOBAL, "y", ACTION_COPY },
	{ KEYMAP_GLOBAL, "i", ACTION_INPUT },
	{ KEYMAP_GLOBAL, "<Enter>", ACTION_INPUT },
	{ KEYMAP_GLOBAL, "<Esc>", ACTION_INTERRUPT },
	{ KEYMAP_GLOBAL, "<C-c>", ACTION_INTERRUPT },
	{ KEYMAP_GLOBAL, "a", ACTION_PLAN_APPROVE },
	{ KEYMAP_GLOBAL, "r", ACTION_PLAN_REJECT },
	{ KEYMAP_GLOBAL, "e", ACTION_PLAN_EDIT },
	{ KEYMAP_TRANSCRIPT, "<Enter>", ACTION_EXPAND },
	{ KEYMAP_TRANSCRIPT, "<Space>", ACTION_EXPAND },
	{ KEYMAP_APPROVAL, "a", ACTION_PLAN_APPROVE },
	{ KEYMAP_APPROVAL, "r", ACTION_PLAN_REJECT },
	{ KEYMAP_APPROVAL, "e", ACTION_PLAN_EDIT },
	{ KEYMAP_APPROVAL, "y", ACTION_ALLOW },
	{ KEYMAP_APPROVAL, "A", ACTION_ALLOW_ALWAYS },
	{ KEYMAP_APPROVAL, "n", ACTION_DENY },
	{ KEYMAP_APPROVAL, "d", ACTION_DENY_MSG },
	{ KEYMAP_APPROVAL, "<Esc>", ACTION_INTERRUPT },
	{ KEYMAP_DIFF, "]", ACTION_NEXT_HUNK },
	{ KEYMAP_DIFF, "[", ACTION_PREV_HUNK },
	{ KEYMAP_DIFF, "}", ACTION_NEXT_FILE },
	{ KEYMAP_DIFF, "{", ACTION_PREV_FILE },
	{ KEYMAP_DIFF, "s", ACTION_ACCEPT },
	{ KEYMAP_DIFF, "x", ACTION_REJECT },
	{ KEYMAP_DIFF, "S", ACTION_ACCEPT_ALL },
	{ KEYMAP_DIFF, "X", ACTION_REJECT_ALL },
	{ KEYMAP_DIFF, "w", ACTION_WHITESPACE },
	{ KEYMAP_DIFF, "v", ACTION_SPLIT },
	{ KEYMAP_DIFF, "o", ACTION_OPEN },
	{ KEYMAP_DIFF, "U", ACTION_CHECKPOINTS },
	{ KEYMAP_DIFF, "u", ACTION_UNDO },
	{ KEYMAP_DIFF, "<C-r>", ACTION_REDO },
	{ KEYMAP_DIFF, "q", ACTION_CLOSE },
	{ KEYMAP_DIFF, "R", ACTION_REFRESH },
	{ KEYMAP_DIFF, "<Enter>", ACTION_EXPAND },
	{ KEYMAP_HELP, "q", ACTION_QUIT },
	{ KEYMAP_HELP, "<Esc>", ACTION_QUIT },
	{ KEYMAP_HELP, "?", ACTION_QUIT },
	{ KEYMAP_HELP, "j", ACTION_DOWN },
	{ KEYMAP_HELP, "<Down>", ACTION_DOWN },
	{ KEYMAP_HELP, "k", ACTION_UP },
	{ KEYMAP_HELP, "<Up>", ACTION_UP },
	{ KEYMAP_HELP, "<PgDn>", ACTION_PAGE_DOWN },
	{ KEYMAP_HELP, "<Space>", ACTION_PAGE_DOWN },
	{ KEYMAP_HELP, "<PgUp>", ACTION_PAGE_UP },
	{ KEYMAP_HELP, "<Enter>", ACTION_EXPAND },
	{ KEYMAP_HELP, "g", ACTION_TOP },
	{ KEYMAP_HELP, "G", ACTION_BOTTOM },
	/* The input line, as readline's emacs mode has them. Keys not bound
	 * here insert themselves (printable ones) or go on to the panes
	 * (function keys: PgUp, Up…, and Alt keys); Esc, C-c and the `:`
	 * line's Tab and Up/Down are the line modes' own (ui_prompt.c). */
	{ KEYMAP_LINE, "<Enter>", ACTION_SEND },
	{ KEYMAP_LINE, "<Left>", ACTION_LINE_LEFT },
	{ KEYMAP_LINE, "<C-b>", ACTION_LINE_LEFT },
	{ KEYMAP_LINE, "<Right>", ACTION_LINE_RIGHT },
	{ KEYMAP_LINE, "<C-f>", ACTION_LINE_RIGHT },
	{ KEYMAP_LINE, "<Home>", ACTION_LINE_START },
	{ KEYMAP_LINE, "<C-a>", ACTION_LINE_START },
	{ KEYMAP_LINE, "<End>", ACTION_LINE_END },
	{ KEYMAP_LINE, "<C-e>", ACTION_LINE_END },
	{ KEYMAP_LINE, "<Backspace>", ACTION_LINE_BACKSPACE },
	{ KEYMAP_LINE, "<C-h>", ACTION_LINE_BACKSPACE },
	{ KEYMAP_LINE, "<Del>", ACTION_LINE_DELETE },
	{ KEYMAP_LINE, "<C-d>", ACTION_LINE_DELETE },
	{ KEYMAP_LINE, "<C-k>", ACTION_LINE_KILL_END },
	{ KEYMAP_LINE, "<C-u>", ACTION_LINE_KILL_START },
	{ KEYMAP_LINE, "<C-w>", ACTION_LINE_KILL_WORD },
	{ KEYMAP_LINE, "<M-b>", ACTION_LINE_WORD_LEFT },
	{ KEYMAP_LINE, "<M-f>", ACTION_LINE_WORD_RIGHT },
	{ KEYMAP_LINE, "<M-Backspace>", ACTION_LINE_KILL_WORD_LEFT },
	{ KEYMAP_LINE, "<M-C-h>", ACTION_LINE_KILL_WORD_LEFT },
	{ KEYMAP_LINE, "<M-d>", ACTION_LINE_KILL_WORD_RIGHT },
	{ KEYMAP_LINE, "<C-y>", ACTION_LINE_YANK },
};

#define MAX_BINDINGS 256
static struct binding bindings[MAX_BINDINGS];
static size_t nbindings;

const char *
keymap_action_name(enum action a)
{
	return a > ACTION_NONE && a < ACTION__COUNT ? action_names[a] : NULL;
}

enum action
keymap_action_by_name(const char *name)
{
	for (int a = ACTION_NONE + 1; a < ACTION__COUNT; a++)
		if (strcmp(action_names[a], name) == 0)
			return (enum action)a;
	return ACTION_NONE;
}

int
keymap_ctx_by_name(const char *name)
{
	for (int c = 0; c < KEYMAP__COUNT; c++)
		if (strcmp(ctx_names[c], name) == 0)
			return c;
	return -1;
}

int
keymap_parse_key(int *out, const char *name)
{
	size_t n = strlen(name);

	if (n == 0)
		return err_setc(DH_EPARSE, "empty key name");
	if (name[0] != '<' || n == 1) {
		wchar_t wc;
		mbstate_t st = { 0 };
		size_t len = mbrtowc(&wc, name, n, &st);

		if (len != n)
			return err_setc(DH_EPARSE, "unknown key '%s'", name);
		*out = (int)wc;
		return 0;
	}
	if (name[n - 1] != '>')
		return err_setc(DH_EPARSE, "unknown key '%s'", name);
	char inner[32];
	if (n - 2 >= sizeof inner)
		return err_setc(DH_EPARSE, "unknown key '%s'", name);
	memcpy(inner, name + 1, n - 2);
	inner[n - 2] = '\0';
	if ((inner[0] == 'M' || inner[0] == 'm') && inner[1] == '-' && inner[2]) {
		/* Alt and another key: "<M-b>" is "b", "<M-C-h>" is "<C-h>". */
		char base[sizeof inner + 2];
		int k;

		snprintf(base, sizeof base, "<%s>", inner + 2);
		if (keymap_parse_key(&k, base) < 0 && keymap_parse_key(&k, inner + 2) < 0)
			return err_setc(DH_EPARSE, "unknown key '%s'", name);
		if (k & KEYMAP_ALT)
			return err_setc(DH_EPARSE, "unknown key '%s'", name);
		*out = k | KEYMAP_ALT;
		return 0;
	}
	for (size_t i = 0; i < sizeof named_keys / sizeof *named_keys; i++) {
		if (strcasecmp(inner, named_keys[i].name) == 0) {
			*out = named_keys[i].key;
			return 0;
		}
	}
	if ((inner[0] == 'C' || inner[0] == 'c') && inner[1] == '-' && inner[2] && !inner[3]) {
		char c = inner[2];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c >= 'a' && c <= 'z') {
			*out = c - 'a' + 1;
			return 0;
		}
	}
	if ((inner[0] == 'F' || inner[0] == 'f') && inner[1] >= '1' && inner[1] <= '9') {
		int f = inner[1] - '0';

		if (inner[2] >= '0' && inner[2] <= '2' && !inner[3] && f == 1)
			f = 10 + inner[2] - '0';
		else if (inner[2])
			f = 0;
		if (f >= 1 && f <= 12) {
			*out = KEYMAP_FKEY | KEY_F(f);
			return 0;
		}
	}
	return err_setc(DH_EPARSE, "unknown key '%s'", name);
}

void
keymap_key_name(int key, char *out, size_t n)
{
	if (key & KEYMAP_ALT) { /* "<M-" and the key's own name */
		char base[16];
		size_t b;

		keymap_key_name(key & ~KEYMAP_ALT, base, sizeof base);
		b = strlen(base);
		if (b > 1 && base[0] == '<' && base[b - 1] == '>')
			snprintf(out, n, "<M-%.*s>", (int)(b - 2), base + 1);
		else
			snprintf(out, n, "<M-%s>", base);
		return;
	}
	for (size_t i = 0; i < sizeof named_keys / sizeof *named_keys; i++) {
		if (named_keys[i].key == key) {
			snprintf(out, n, "<%s>", named_keys[i].name);
			return;
		}
	}
	if (key & KEYMAP_FKEY) {
		int k = key & ~KEYMAP_FKEY;

		if (k >= KEY_F(1) && k <= KEY_F(12))
			snprintf(out, n, "<F%d>", k - KEY_F0);
		else
			snprintf(out, n, "<key%d>", k);
		return;
	}
	if (key >= 1 && key <= 26) {
		snprintf(out, n, "<C-%c>", 'a' + key - 1);
		return;
	}
	char mb[MB_LEN_MAX + 1];
	mbstate_t st = { 0 };
	size_t len = wcrtomb(mb, (wchar_t)key, &st);

	if (len == (size_t)-1)
		len = 0;
	mb[len] = '\0';
	snprintf(out, n, "%s", mb);
}

int
keymap_key_canon(int key)
{
	int alt = key & KEYMAP_ALT;

	key &= ~KEYMAP_ALT;
	if (key == '\r' || key == (KEYMAP_FKEY | KEY_ENTER))
		key = '\n';
	else if (key == 127)
		key = KEYMAP_FKEY | KEY_BACKSPACE;
	return key | alt;
}

int
keymap_bind(enum keymap_ctx ctx, int key, enum action a)
{
	for (size_t i = 0; i < nbindings; i++) {
		if (bindings[i].ctx == ctx && bindings[i].key == key) {
			bindings[i].action = a;
			return 0;
		}
	}
	if (nbindings == MAX_BINDINGS)
		return err_set("too many key bindings (at most %d)", MAX_BINDINGS);
	bindings[nbindings++] = (struct binding){ .ctx = (unsigned char)ctx, .key = key,
						  .action = a };
	return 0;
}

int
keymap_init_defaults(void)
{
	nbindings = 0;
	for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++) {
		int key;

		if (keymap_parse_key(&key, defaults[i].key) < 0 ||
		    keymap_bind(defaults[i].ctx, key, defaults[i].action) < 0) {
			char *m = xstrdup(err_msg()); /* err_setc() writes where it is */
			int rc = err_setc(DH_EPARSE, "default binding '%s' %s: %s", defaults[i].key,
					  keymap_action_name(defaults[i].action), m);
			free(m);
			return rc;
		}
	}
	return 0;
}

int
keymap_bind_line(const char *line)
{
	/* Whole words, however long: a long key name is that key's error, not
	 * its tail read as the action; a fourth word is an error, not dropped. */
	char *copy = xstrdup(line), *save = NULL, *w[3];
	size_t n = 0;
	int rc = 0;

	for (char *tok = strtok_r(copy, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == 3) {
			rc = err_setc(DH_EPARSE, "bind: '%s' after the action (expected CONTEXT KEY "
						 "ACTION)", tok);
			goto out;
		}
		w[n++] = tok;
	}
	if (n != 3) {
		rc = err_setc(DH_EPARSE, "bind: expected CONTEXT KEY ACTION");
		goto out;
	}
	int c = keymap_ctx_by_name(w[0]), k;
	enum action a = keymap_action_by_name(w[2]);

	if (c < 0) {
		rc = err_setc(DH_EPARSE, "bind: unknown context '%s' (global, approval, plan, "
					 "transcript, diff, help, line)", w[0]);
	} else if (a == ACTION_NONE) {
		rc = err_setc(DH_EPARSE, "bind: unknown action '%s' (the names '?' shows)", w[2]);
	} else if (keymap_parse_key(&k, w[1]) < 0) {
		char *m = xstrdup(err_msg());
		rc = err_setc(DH_EPARSE, "bind: %s", m);
		free(m);
	} else {
		rc = keymap_bind((enum keymap_ctx)c, k, a);
	}
out:
	free(copy);
	return rc;
}

enum action
keymap_lookup(enum keymap_ctx ctx, int key)
{
	for (size_t i = 0; i < nbindings; i++)
		if (bindings[i].ctx == ctx && bindings[i].key == key)
			return bindings[i].action;
	if (ctx == KEYMAP_GLOBAL || ctx == KEYMAP_APPROVAL || ctx == KEYMAP_HELP ||
	    ctx == KEYMAP_LINE)
		return ACTION_NONE;
	return keymap_lookup(KEYMAP_GLOBAL, key);
}

bool
keymap_has_key(int key)
{
	for (size_t i = 0; i < nbindings; i++)
		if (bindings[i].key == key)
			return true;
	return false;
}

/* Every key bound to `a` (any context), comma-separated. */
static void
keys_of(struct buf *out, enum action a)
{
	size_t start = out->len;

	for (size_t i = 0; i < nbindings; i++) {
		char name[32];

		if (bindings[i].action != a || bindings[i].ctx == KEYMAP_HELP)
			continue;
		keymap_key_name(bindings[i].key, name, sizeof name);
		/* The same key in two contexts is listed once. */
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			if (bindings[j].action == a && bindings[j].key == bindings[i].key &&
			    bindings[j].ctx != KEYMAP_HELP)
				dup = true;
		if (dup)
			continue;
		if (out->len > start)
			buf_puts(out, ", ");
		buf_puts(out, name);
	}
}

void
keymap_help(struct buf *out)
{
#define GROUP_(g) buf_printf(out, "%s\n", g);
#define A_(e, n, d) help_line(out, ACTION_##e);
	struct buf k = BUF_INIT;
	int nw = 0; /* the names' column: as wide as the longest */

	for (int a = ACTION_NONE + 1; a < ACTION__COUNT; a++)
		if ((int)strlen(action_names[a]) > nw)
			nw = (int)strlen(action_names[a]);
#define help_line(out, a)                                                                 \
	do {                                                                              \
		buf_clear(&k);                                                            \
		keys_of(&k, a);                                                           \
		buf_printf(out, "  %-18s \t%-*s \t%s\n", k.len ? buf_cstr(&k) : "-", nw,  \
			   action_names[a], action_docs[a]);                              \
	} while (0)
	ACTION_INFO(GROUP_, A_)
#undef help_line
#undef A_
#undef GROUP_
	buf_fini(&k);
}
