/* SPDX-License-Identifier: MIT */
/*
 * What the terminfo entry says of the terminal, before curses takes it
 * (ui_term_check()). Apart from the other files: <term.h> defines a macro
 * for every capability name (lines, columns, ...).
 */
#include <curses.h>
#include <unistd.h>

#include "ui/ui.h"
#include "ui/ui_int.h"

/* Last: its capability macros would rename fields of the headers above. */
#include <term.h>

/* A string capability of the current entry ((char *)-1: the name is not a
 * string capability). */
static bool
has_str_cap(const char *name)
{
	const char *v = tigetstr(name);

	return v && v != (const char *)-1 && *v;
}

int
ui_term_check(void)
{
	const char *term = ui_term_name();
	TERMINAL *prev = cur_term, *t;
	int found = 0;
	bool moves;

	if (ui_no_display())
		return 0;
	/* setupterm() rather than newterm(): it reads the entry only, and
	 * one that is not found leaves nothing allocated behind. */
	if (setupterm(term, STDERR_FILENO, &found) != OK || found != 1) {
		set_curterm(prev);
		return err_setc(DH_ENOTFOUND,
				"the workbench does not know the terminal TERM=%.64s (no usable "
				"terminfo entry): set TERM to your terminal's type (xterm-256color, "
				"tmux-256color, ...), or run the task without the workbench: "
				"deskhand run",
				term);
	}
	/* tmux asks the same of a terminal: without both, curses can only
	 * print lines one below the other. */
	moves = has_str_cap("cup") && has_str_cap("clear");
	t = set_curterm(prev);
	del_curterm(t);
	if (!moves)
		return err_setc(DH_EFAIL,
				"the workbench needs a terminal that can move the cursor, and "
				"TERM=%.64s cannot: set TERM to your terminal's type "
				"(xterm-256color, tmux-256color, ...), or run the task without the "
				"workbench: deskhand run",
				term);
	return 0;
}
