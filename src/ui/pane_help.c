/* SPDX-License-Identifier: MIT */
/*
 * The overlay pane: read-only text over the whole body (the `?` key help,
 * generated from the keymap table, and the `:sessions` list).
 */
#include "ui/pane.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "ui/draw.h"

struct help {
	char *title;
	char *keys; /* what the title says closes it; NULL: q or Esc */
	bool table; /* tabs end fields (pane_help_set_table) */
	struct buf text;
};

static int
help_init(struct pane *p)
{
	p->priv = xcalloc(1, sizeof(struct help));
	return 0;
}

static void
help_fini(struct pane *p)
{
	struct help *h = p->priv;

	if (h) {
		free(h->title);
		free(h->keys);
		buf_fini(&h->text);
	}
	free(h);
	p->priv = NULL;
}

/* A table row (`line`, raw, fields ended by tabs): see pane_help_set_table(). */
static void
add_row(struct pane *p, const char *line)
{
	int width = p->cols > 0 ? p->cols : 80;
	int at = width / 2 < 4 ? width / 2 : 4, last = 0;
	struct buf head = BUF_INIT, desc = BUF_INIT, pad = BUF_INIT;
	const char *s = line;

	for (const char *tab; (tab = strchr(s, '\t')); s = tab + 1) {
		draw_sanitize(&head, s, (size_t)(tab - s), false);
		last = draw_width(buf_cstr(&head));
		if (width - last >= PANE_HELP_DESC_MIN)
			at = last;
	}
	draw_sanitize(&desc, s, strlen(s), false);
	for (int i = 0; i < at; i++)
		buf_putc(&pad, ' ');
	if (at == last) {
		pane_add_wrapped(p, UI_HELP, -1, buf_cstr(&head), buf_cstr(&pad), buf_cstr(&desc));
	} else { /* the fields before on a row (or more) of their own */
		while (head.len && head.ptr[head.len - 1] == ' ')
			head.ptr[--head.len] = '\0';
		pane_add_line(p, UI_HELP, -1, 4, NULL, buf_cstr(&head));
		pane_add_wrapped(p, UI_HELP, -1, buf_cstr(&pad), buf_cstr(&pad), buf_cstr(&desc));
	}
	buf_fini(&head);
	buf_fini(&desc);
	buf_fini(&pad);
}

static void
help_rebuild(struct pane *p)
{
	struct help *h = p->priv;
	const char *s = buf_cstr(&h->text);

	if (!h->table) {
		pane_add_text(p, UI_HELP, -1, 4, NULL, s);
		return;
	}
	while (*s) {
		size_t n = strcspn(s, "\n");
		char *line = xstrndup(s, n);

		if (strchr(line, '\t'))
			add_row(p, line);
		else
			pane_add_text(p, UI_HELP, -1, 4, NULL, line);
		free(line);
		s += n + (s[n] == '\n');
	}
}

static void
help_title(struct pane *p, struct buf *out)
{
	struct help *h = p->priv;

	buf_printf(out, ": %s  (%s)", h->title ? h->title : "",
		   h->keys ? h->keys : "q or Esc closes");
}

static enum pane_result
help_action(struct pane *p, enum action a)
{
	if (a == ACTION_QUIT)
		return PANE_HANDLED | PANE_QUIT;
	return pane_move(p, a);
}

void
pane_help_set(struct pane *p, const char *title, const char *text)
{
	struct help *h = p->priv;

	free(h->title);
	h->title = xstrdup(title);
	free(h->keys);
	h->keys = NULL;
	h->table = false;
	buf_clear(&h->text);
	buf_puts(&h->text, text);
	p->top = 0;
	p->cursor = -1;
	pane_invalidate(p);
}

void
pane_help_set_keys(struct pane *p, const char *keys)
{
	struct help *h = p->priv;

	free(h->keys);
	h->keys = keys ? xstrdup(keys) : NULL;
	pane_invalidate(p);
}

void
pane_help_set_table(struct pane *p)
{
	struct help *h = p->priv;

	h->table = true;
	pane_invalidate(p);
}

const struct pane_ops pane_help_ops = {
	.name = "help",
	.flags = 0,
	.ctx = KEYMAP_HELP,
	.init = help_init,
	.fini = help_fini,
	.rebuild = help_rebuild,
	.title = help_title,
	.action = help_action,
};
