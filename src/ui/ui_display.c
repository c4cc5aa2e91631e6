/* SPDX-License-Identifier: MIT */
/*
 * The workbench's display: layout, the status and input lines, and the
 * render step (one doupdate() a frame, only dirty parts repainted,
 * synchronized output where the terminal has it).
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "agent/event.h"
#include "engine/client.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "ui/draw.h"
#include "ui/keymap.h"
#include "ui/layout.h"
#include "ui/pane.h"
#include "ui/screen_dump.h"
#include "ui/script.h"
#include "ui/theme.h"
#include "ui/ui_int.h"

static void
replace_win(WINDOW **w, const struct layout_rect *r)
{
	if (*w)
		delwin(*w);
	*w = r->rows > 0 ? newwin(r->rows, r->cols, r->y, r->x) : NULL;
}

void
ui_relayout(struct ui *u)
{
	pane_refresh_lines(&u->panes[LAYOUT_PLAN]);
	int plan_rows = (int)u->panes[LAYOUT_PLAN].nlines + 1;

	layout_compute(&u->lay, LINES, COLS, u->focus, u->maximized, plan_rows);
	for (int i = 0; i < LAYOUT__COUNT; i++) {
		struct layout_rect *r = &u->lay.pane[i];
		pane_place(&u->panes[i], r->y, r->x, r->rows, r->cols);
		u->panes[i].focused = i == (int)u->focus;
	}
	pane_place(&u->help, 0, 0, LINES > 2 ? LINES - 2 : 0, COLS);
	u->help.focused = true;
	replace_win(&u->status_w, &u->lay.status);
	replace_win(&u->input_w, &u->lay.input);
	for (int i = 0; i < 2; i++)
		replace_win(&u->sep_w[i], &u->lay.vsep[i]);
	u->frame_all = u->status_dirty = u->input_dirty = true;
}

void
ui_on_winch(struct ev_loop *l, int signo, void *ctx)
{
	struct ui *u = ctx;
	struct winsize ws;

	(void)l;
	(void)signo;
	if (u->display && ioctl(fileno(u->out), TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	ui_relayout(u);
	clearok(curscr, TRUE);
}

static void
human_count(char *out, size_t n, long v)
{
	if (v >= 1000000)
		snprintf(out, n, "%.1fM", (double)v / 1e6);
	else if (v >= 1000)
		snprintf(out, n, "%.1fk", (double)v / 1e3);
	else
		snprintf(out, n, "%ld", v);
}

static void
draw_status(struct ui *u)
{
	static const char *const spin_utf8[] = { "⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧" };
	static const char *const spin_ascii[] = { "|", "/", "-", "\\" };
	struct buf b = BUF_INIT;
	const char *sep = draw_mark(" │ ", " | ");
	const struct client_state *st = client_state(u->c);
	const char *sid = st->session;
	char in[24], out[24]; /* "%ld" of a long: at most 20 bytes + NUL */

	if (!u->status_w)
		return;
	human_count(in, sizeof in, st->input_tokens);
	human_count(out, sizeof out, st->output_tokens);
	/* What happens now first: it is what a narrow terminal must not lose. */
	bool busy = ui_task_busy(u) || u->jobs > 0;
	buf_putc(&b, ' ');
	if (busy)
		buf_printf(&b, "%s ", draw_is_utf8() ? spin_utf8[u->spin % 8] : spin_ascii[u->spin % 4]);
	buf_puts(&b, u->phase ? u->phase : "idle");
	if (u->task_start) {
		uint64_t end = ui_task_busy(u) || !u->task_end ? ev_now_ms() : u->task_end;
		buf_printf(&b, " %llus", (unsigned long long)((end - u->task_start) / 1000));
	}
	buf_printf(&b, "%s%s%s%s%s%s%s%zu grant%s%stok %s/%s%s$%.4f%ssandbox %s%swatch %s%sdeskhand",
		   sep, sid ? sid : "-", sep, st->model ? st->model : "?", sep,
		   st->mode ? st->mode : "?", sep, st->ngrants, st->ngrants == 1 ? "" : "s", sep, in,
		   out, sep, st->cost_usd, sep, st->sandbox ? st->sandbox : "?", sep,
		   st->watcher ? st->watcher : "?", sep);
	werase(u->status_w);
	attr_t a = draw_attr(UI_STATUS);
	draw_fill(u->status_w, 0, 0, COLS, a);
	struct buf clean = BUF_INIT;
	draw_sanitize(&clean, b.ptr, b.len, false);
	draw_text(u->status_w, 0, 0, COLS, buf_cstr(&clean), a);
	buf_fini(&clean);
	buf_fini(&b);
	wnoutrefresh(u->status_w);
	u->status_dirty = false;
}

static const char *
mode_prompt(enum input_mode m)
{
	switch (m) {
	case IN_TASK: return "> ";
	case IN_COMMAND: return ":";
	case IN_SEARCH: return "/";
	case IN_DENY: return "deny, message to the agent: ";
	case IN_REJECT: return "reject the plan, comment: ";
	default: return "";
	}
}

static void
draw_input(struct ui *u)
{
	WINDOW *w = u->input_w;

	if (!w)
		return;
	werase(w);
	if (u->mode == IN_ASK) {
		draw_text(w, 0, 0, COLS, buf_cstr(&u->ask_text), draw_attr(UI_PROMPT));
	} else if (u->mode != IN_NONE) {
		const char *p = mode_prompt(u->mode);
		struct buf *in = ui_cur_input(u);
		struct buf clean = BUF_INIT;
		int pw = draw_text(w, 0, 0, COLS, p, draw_attr(UI_PROMPT));

		draw_sanitize(&clean, in->ptr ? in->ptr : "", in->len, false);
		/* Show the end of a long line. */
		const char *s = buf_cstr(&clean);
		int avail = COLS - pw - 1;
		while (draw_width(s) > avail && *s)
			s++;
		int tw = draw_text(w, 0, pw, avail, s, draw_attr(UI_INPUT));
		wmove(w, 0, pw + tw < COLS ? pw + tw : COLS - 1);
		buf_fini(&clean);
	} else if (u->pending_id) {
		struct buf b = BUF_INIT;

		if (u->pending_plan)
			buf_printf(&b, "Approve the plan? a approve, r reject with a comment");
		else
			buf_printf(&b, "%s? y allow, A always, n deny, d deny with a message",
				   u->pending_what ? u->pending_what : "Allow");
		struct buf clean = BUF_INIT;
		draw_sanitize(&clean, b.ptr, b.len, false);
		draw_text(w, 0, 0, COLS, buf_cstr(&clean), draw_attr(UI_PROMPT));
		buf_fini(&clean);
		buf_fini(&b);
	} else if (u->msg.len) {
		draw_text(w, 0, 0, COLS, buf_cstr(&u->msg),
			  draw_attr(u->msg_err ? UI_ERROR : UI_NORMAL));
	} else {
		draw_text(w, 0, 0, COLS,
			  ui_task_busy(u) ? "i: steer  Esc: interrupt  Tab: focus  ?: help  q: quit"
				       : "i: type a task  Tab: focus  ?: help  :: command  q: quit",
			  draw_attr(UI_DIM));
	}
	wnoutrefresh(w);
	u->input_dirty = false;
}

static void
draw_separators(struct ui *u)
{
	for (int i = 0; i < 2; i++) {
		WINDOW *w = u->sep_w[i];

		if (!w)
			continue;
		werase(w);
		for (int y = 0; y < u->lay.vsep[i].rows; y++)
			draw_text(w, y, 0, 1, draw_mark("│", "|"), draw_attr(UI_BORDER));
		wnoutrefresh(w);
	}
}

void
ui_render(struct ui *u)
{
	bool any = u->frame_all || u->status_dirty || u->input_dirty;

	if (u->editor)
		return; /* the editor has the terminal; the models still update */

	/* Nothing draws on stdscr, but wget_wch(stdscr) refreshes it when it is
	 * touched (before the first key, after resizeterm) and would blank the
	 * panes: put it out first, the panes then paint over it. */
	if (u->frame_all)
		wnoutrefresh(stdscr);
	if (u->help_on) {
		if (u->frame_all || u->help.dirty) {
			pane_draw(&u->help);
			any = true;
		}
	} else {
		for (int i = 0; i < LAYOUT__COUNT; i++) {
			struct pane *p = &u->panes[i];
			if (p->win && (p->dirty || u->frame_all)) {
				pane_draw(p);
				any = true;
			}
		}
		if (u->frame_all)
			draw_separators(u);
	}
	if (!any)
		return;
	if (u->frame_all || u->status_dirty)
		draw_status(u);
	/* The input line last: the terminal's cursor ends where it left it. */
	draw_input(u);
	bool typing = u->mode != IN_NONE && u->mode != IN_ASK;
	curs_set(typing ? 1 : 0);
	/* Synchronized output: the terminal shows the frame whole. doupdate()
	 * flushes its own buffer, so the two marks go around it. */
	if (u->sync) {
		fflush(u->out);
		ui_write_tty(u, "\033[?2026h");
	}
	doupdate();
	if (u->sync)
		ui_write_tty(u, "\033[?2026l");
	u->frame_all = false;
	u->throttle = false;
	u->last_frame = ev_now_ms();
}

void
ui_frame_due(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct ui *u = ctx;

	(void)l;
	(void)t;
	u->throttle = false;
}
