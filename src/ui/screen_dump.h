/* SPDX-License-Identifier: MIT */
#ifndef DH_UI_SCREEN_DUMP_H
#define DH_UI_SCREEN_DUMP_H

#include <stdbool.h>

#include "core/err.h"

struct buf;

/*
 * :save-screen (STYLE.md §3.19): the composited screen read back from
 * curscr, for tests. Text rows have their trailing blanks trimmed. With
 * `elements`, a line "--" follows, then one row per screen row with one
 * letter per cell naming the UI element whose attribute the cell carries
 * (matched exactly against draw_attr(); the first in the table below wins
 * when two elements share an attribute), trimmed like the text. A cell
 * that matches no element is an intra-line highlight (DRAW_HL) when it
 * carries draw_hl_attr() of diff-add ('*') or diff-del ('#'), or another
 * element's attribute with A_REVERSE toggled ('^'). '?' = nothing matches, e.g. bold or
 * code markers inside a line. Then a line "==" and one line per element,
 * then per highlight: "LETTER NAME fg=F bg=B attrs=LIST".
 *
 * Letters:  . normal  s status  T title-focus  t title-blur  c cursor
 *           u user  a assistant  h heading  k code  C tool-call
 *           O tool-output  + diff-add  - diff-del  @ diff-hunk  f diff-file
 *           D plan-done  p plan-todo  P plan-current  E error  i input
 *           H help  > prompt  m dim  / search  | border
 *           * diff-add-hl  # diff-del-hl  ^ another element highlighted
 *
 * In mono a highlight can equal another element's attribute (diff-add's
 * bold plus reverse is title-focus's); that element's letter wins.
 */

/* Append the current screen (curscr) to out. Loop thread, after doupdate(). */
void screen_dump(struct buf *out, bool elements);
/* Write screen_dump() to `path`; DH_EFAIL with a message on failure. */
int screen_dump_write(const char *path, bool elements) DH_MUST_CHECK;
/* The number of screen rows. */
int screen_dump_rows(void);
/* The text of screen row y (trimmed) into out (replacing its content). */
void screen_dump_row(struct buf *out, int y);

#endif
