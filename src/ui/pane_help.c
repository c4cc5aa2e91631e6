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

struct help {
	char *title;
	char *keys; /* what the title says closes it; NULL: q or Esc */
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

static void
help_rebuild(struct pane *p)
{
	struct help *h = p->priv;

	pane_add_text(p, UI_HELP, -1, 4, NULL, buf_cstr(&h->text));
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
