/* SPDX-License-Identifier: MIT */
/*
 * The plan pane: the agent's plan steps with status marks, the current step
 * highlighted, and whether the plan still waits for approval.
 */
#include "ui/pane.h"

#include <stdlib.h>
#include <string.h>

#include "agent/event.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"

struct plan {
	cJSON *steps;  /* [{title, status}], ours */
	bool awaiting; /* proposed, not decided */
	bool rejected;
};

static int
plan_init(struct pane *p)
{
	p->priv = xcalloc(1, sizeof(struct plan));
	return 0;
}

static void
plan_fini(struct pane *p)
{
	struct plan *pl = p->priv;

	if (pl)
		cJSON_Delete(pl->steps);
	free(pl);
	p->priv = NULL;
}

static void
plan_event(struct pane *p, const struct event *ev)
{
	struct plan *pl = p->priv;

	switch (ev->type) {
	case EVENT_PLAN_PROPOSED:
	case EVENT_PLAN_UPDATED:
		cJSON_Delete(pl->steps);
		pl->steps = ev->steps ? cJSON_Duplicate(ev->steps, true) : NULL;
		if (ev->type == EVENT_PLAN_PROPOSED) {
			pl->awaiting = true;
			pl->rejected = false;
		}
		break;
	case EVENT_PLAN_DECIDED:
		pl->awaiting = false;
		pl->rejected = !ev->approved;
		break;
	default:
		return;
	}
	pane_invalidate(p);
}

static void
plan_rebuild(struct pane *p)
{
	struct plan *pl = p->priv;
	const cJSON *s;
	int i = 0;

	if (!pl->steps) {
		pane_add_line(p, UI_DIM, -1, 2, " ", "(no plan yet)");
		return;
	}
	cJSON_ArrayForEach(s, pl->steps)
	{
		const char *st = json_str(s, "status");
		const char *title = json_str(s, "title");
		bool done = st && !strcmp(st, "done");
		bool cur = st && !strcmp(st, "in_progress");
		bool skipped = st && !done && !cur && strcmp(st, "pending");
		char prefix[32];

		snprintf(prefix, sizeof prefix, " %s %d. ",
			 done	   ? draw_mark("✓", "[x]")
			 : cur	   ? draw_mark("▶", "[>]")
			 : skipped ? draw_mark("–", "[-]")
				   : draw_mark("·", "[ ]"),
			 ++i);
		struct buf b = BUF_INIT;
		draw_sanitize(&b, title ? title : "", title ? strlen(title) : 0, false);
		pane_add_line(p, done ? UI_PLAN_DONE : cur ? UI_PLAN_CURRENT : UI_PLAN_TODO, i - 1,
			      draw_width(prefix), prefix, buf_cstr(&b));
		buf_fini(&b);
	}
	if (pl->awaiting)
		pane_add_line(p, UI_PROMPT, -1, 2, " ", "a approve, r reject");
	else if (pl->rejected)
		pane_add_line(p, UI_ERROR, -1, 2, " ", "plan rejected");
}

static void
plan_title(struct pane *p, struct buf *out)
{
	struct plan *pl = p->priv;
	int n = pl->steps ? cJSON_GetArraySize(pl->steps) : 0, done = 0;
	const cJSON *s;

	cJSON_ArrayForEach(s, pl->steps)
	{
		const char *st = json_str(s, "status");
		done += st && !strcmp(st, "done");
	}
	if (n)
		buf_printf(out, " %d/%d", done, n);
	if (pl->awaiting)
		buf_puts(out, " (awaiting approval)");
	else if (pl->rejected)
		buf_puts(out, " rejected"); /* the title stays when the pane is short */
}

static enum pane_result
plan_action(struct pane *p, enum action a)
{
	return pane_move(p, a);
}

const struct pane_ops pane_plan_ops = {
	.name = "plan",
	.flags = PANE_F_FOCUSABLE,
	.ctx = KEYMAP_PLAN,
	.init = plan_init,
	.fini = plan_fini,
	.rebuild = plan_rebuild,
	.title = plan_title,
	.action = plan_action,
	.on_event = plan_event,
};
