/* SPDX-License-Identifier: MIT */
#ifndef DH_UI_LAYOUT_H
#define DH_UI_LAYOUT_H

#include <stdbool.h>

/*
 * Layout arithmetic (STYLE.md §3.10 "computed in one place"): where the three
 * panes, their separators, the status line and the input line go for a given
 * terminal size. Pure: no curses, so it is unit-tested.
 */

enum layout_pane { LAYOUT_PLAN, LAYOUT_TRANSCRIPT, LAYOUT_DIFF, LAYOUT__COUNT };

enum layout_kind {
	LAYOUT_WIDE,	/* plan | transcript | diff, side by side (>= 160 columns) */
	LAYOUT_STACKED, /* plan over transcript over diff */
	LAYOUT_SINGLE,	/* one pane at a time (below 80x24, or maximized) */
};

#define LAYOUT_WIDE_COLS 160
#define LAYOUT_MIN_COLS	 80
#define LAYOUT_MIN_ROWS	 24

struct layout_rect {
	int y, x, rows, cols; /* rows == 0: hidden */
};

struct layout {
	enum layout_kind kind;
	struct layout_rect pane[LAYOUT__COUNT]; /* each includes its title row */
	struct layout_rect vsep[2];		 /* vertical separators (WIDE only) */
	struct layout_rect status, input;	 /* one row each, at the bottom */
};

/* Compute the layout of a rows x cols screen. `focus` is the focused pane
 * (shown alone in SINGLE), `plan_rows` the plan's wanted height when stacked
 * (its steps + title; clamped). Sizes below 1x3 give every pane 0 rows. */
void layout_compute(struct layout *out, int rows, int cols, enum layout_pane focus,
		    bool maximized, int plan_rows);

#endif
