/* SPDX-License-Identifier: MIT */
/*
 * Layout arithmetic for the workbench; the only place that decides sizes.
 */
#include "ui/layout.h"

#include <string.h>

static struct layout_rect
rect(int y, int x, int rows, int cols)
{
	struct layout_rect r = { y, x, rows > 0 ? rows : 0, cols > 0 ? cols : 0 };

	if (!r.rows || !r.cols)
		r.rows = r.cols = 0;
	return r;
}

void
layout_compute(struct layout *out, int rows, int cols, enum layout_pane focus,
	       bool maximized, int plan_rows)
{
	memset(out, 0, sizeof *out);
	if (rows < 3 || cols < 1) {
		out->kind = LAYOUT_SINGLE;
		if (rows >= 1)
			out->input = rect(rows - 1, 0, 1, cols);
		if (rows >= 2)
			out->status = rect(rows - 2, 0, 1, cols);
		return;
	}
	int body = rows - 2;

	out->status = rect(body, 0, 1, cols);
	out->input = rect(body + 1, 0, 1, cols);
	if (maximized || cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS) {
		out->kind = LAYOUT_SINGLE;
		out->pane[focus] = rect(0, 0, body, cols);
		return;
	}
	if (cols >= LAYOUT_WIDE_COLS) {
		int plan = cols / 6 < 24 ? 24 : cols / 6;
		int rest = cols - plan - 2;
		int tr = rest * 55 / 100;

		out->kind = LAYOUT_WIDE;
		out->pane[LAYOUT_PLAN] = rect(0, 0, body, plan);
		out->vsep[0] = rect(0, plan, body, 1);
		out->pane[LAYOUT_TRANSCRIPT] = rect(0, plan + 1, body, tr);
		out->vsep[1] = rect(0, plan + 1 + tr, body, 1);
		out->pane[LAYOUT_DIFF] = rect(0, plan + 2 + tr, body, rest - tr);
		return;
	}
	/* Stacked: the plan as tall as its steps (at most a fifth), the diff a
	 * third, the transcript the rest. */
	int plan = plan_rows < 2 ? 2 : plan_rows;
	if (plan > body / 5)
		plan = body / 5 < 2 ? 2 : body / 5;
	int diff = body / 3;
	int tr = body - plan - diff;

	out->kind = LAYOUT_STACKED;
	out->pane[LAYOUT_PLAN] = rect(0, 0, plan, cols);
	out->pane[LAYOUT_TRANSCRIPT] = rect(plan, 0, tr, cols);
	out->pane[LAYOUT_DIFF] = rect(plan + tr, 0, diff, cols);
}
