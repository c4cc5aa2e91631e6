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

/*
 * The status line: segments in a table, shown left to right; when the line
 * is too narrow the least important go first (prio: 0 is kept longest).
 */

static const char *const spin_utf8[] = { "⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧" };
static const char *const spin_ascii[] = { "|", "/", "-", "\\" };

/* What happens now (the spinner while busy), and for how long. */
static void
seg_phase(struct ui *u, const struct client_state *st, struct buf *b)
{
	(void)st;
	if (ui_task_busy(u) || u->jobs > 0)
		buf_printf(b, "%s ", draw_is_utf8() ? spin_utf8[u->spin % 8] : spin_ascii[u->spin % 4]);
	buf_puts(b, u->phase ? u->phase : "idle");
	if (u->call_start) /* "running run_command 4s": that call's own time */
		buf_printf(b, " %llus", (unsigned long long)((ev_now_ms() - u->call_start) / 1000));
	if (u->task_start) {
		uint64_t end = ui_task_busy(u) || !u->task_end ? ev_now_ms() : u->task_end;
		buf_printf(b, "%s %llus", u->call_start ? ", task" : "",
			   (unsigned long long)((end - u->task_start) / 1000));
	}
}

static void
seg_pending(struct ui *u, const struct client_state *st, struct buf *b)
{
	(void)st;
	if (u->review_pending > 0)
		buf_printf(b, "%ld pending", u->review_pending);
}

static void
seg_inbox(struct ui *u, const struct client_state *st, struct buf *b)
{
	(void)st;
	if (u->inbox_count > 0)
		buf_printf(b, "inbox %d", u->inbox_count);
}

static void
seg_session(struct ui *u, const struct client_state *st, struct buf *b)
{
	(void)u;
	buf_puts(b, st->session ? st->session : "-");
}

static void
seg_model(struct ui *u, const struct client_state *st, struct buf *b)
{
	(void)u;
	buf_puts(b, st->model ? st->model : "?");
}

static void
seg_mode(struct ui *u, const struct client_state *st, struct buf *b)
{
	(void)u;
	buf_puts(b, st->mode ? st->mode : "?");
}

static void
seg_grants(struct ui *u, const struct client_state *st, struct buf *b)
{
	(void)u;
	buf_printf(b, "%zu grant%s", st->ngrants, st->ngrants == 1 ? "" : "s");
}

static void
human_count(struct buf *b, long v)
{
	if (v >= 1000000)
		buf_printf(b, "%.1fM", (double)v / 1e6);
	else if (v >= 1000)
		buf_printf(b, "%.1fk", (double)v / 1e3);
	else
		buf_printf(b, "%ld", v);
}

static void
seg_tokens(struct ui *u, const struct client_state *st, struct buf *b)
{
	(void)u;
	buf_puts(b, "tok ");
	human_count(b, st->input_tokens);
	buf_putc(b, '/');
	human_count(b, st->output_tokens);
	if (st->cache_read_tokens > 0) {
		buf_puts(b, " cache ");
		human_count(b, st->cache_read_tokens);
	}
}

static void
seg_cost(struct ui *u, const struct client_state *st, struct buf *b)
{
	(void)u;
	if (st->cost_usd < 0)
		buf_puts(b, "$?"); /* a request the registry has no price for */
	else
		buf_printf(b, "$%.4f", st->cost_usd);
}

static void
seg_sandbox(struct ui *u, const struct client_state *st, struct buf *b)
{
	(void)u;
	buf_printf(b, "sandbox %s", st->sandbox ? st->sandbox : "?");
}

static void
seg_watch(struct ui *u, const struct client_state *st, struct buf *b)
{
	(void)u;
	buf_printf(b, "watch %s", st->watcher ? st->watcher : "?");
}

static void
seg_name(struct ui *u, const struct client_state *st, struct buf *b)
{
	(void)u;
	(void)st;
	buf_puts(b, "deskhand");
}

static const struct status_seg {
	int prio;
	void (*fmt)(struct ui *u, const struct client_state *st, struct buf *out);
} status_segs[] = {
	{ .prio = 0, .fmt = seg_phase },    { .prio = 1, .fmt = seg_pending },
	{ .prio = 1, .fmt = seg_inbox },
	{ .prio = 2, .fmt = seg_session },  { .prio = 6, .fmt = seg_model },
	{ .prio = 3, .fmt = seg_mode },	    { .prio = 5, .fmt = seg_grants },
	{ .prio = 7, .fmt = seg_tokens },   { .prio = 4, .fmt = seg_cost },
	{ .prio = 8, .fmt = seg_sandbox },  { .prio = 9, .fmt = seg_watch },
	{ .prio = 10, .fmt = seg_name },
};
#define NSEGS (sizeof status_segs / sizeof *status_segs)

static void
draw_status(struct ui *u)
{
	const struct client_state *st = client_state(u->c);
	const char *sep = draw_mark(" │ ", " | ");
	struct buf seg[NSEGS], line = BUF_INIT;
	bool shown[NSEGS] = { false };
	int width[NSEGS], room = COLS - 1; /* a space before the first */

	if (!u->status_w)
		return;
	werase(u->status_w);
	/* A line being typed holds the input line: a message raised meanwhile
	 * (a reply, the task's end, a connector's failure) takes this row, as
	 * vim shows one above its command line, until the line closes; then
	 * the input line says it until the next key (ui_mode_line). */
	if (ui_mode_prompt(u) && u->msg.len) {
		attr_t a = draw_attr(u->msg_err ? UI_ERROR : UI_NORMAL);
		draw_fill(u->status_w, 0, 0, COLS, a);
		draw_text(u->status_w, 0, 0, COLS, buf_cstr(&u->msg), a);
		wnoutrefresh(u->status_w);
		u->status_dirty = false;
		return;
	}
	for (size_t i = 0; i < NSEGS; i++) {
		struct buf raw = BUF_INIT;
		buf_init(&seg[i]);
		status_segs[i].fmt(u, st, &raw);
		draw_sanitize(&seg[i], raw.ptr ? raw.ptr : "", raw.len, false);
		buf_fini(&raw);
		width[i] = draw_width(buf_cstr(&seg[i]));
	}
	/* Most important first, while they fit (a separator each but the first). */
	for (int prio = 0; prio <= 10; prio++) {
		for (size_t i = 0; i < NSEGS; i++) {
			if (status_segs[i].prio != prio || !seg[i].len)
				continue;
			int w = width[i] + (room < COLS - 1 ? draw_width(sep) : 0);
			if (w <= room || prio == 0) {
				shown[i] = true;
				room -= w;
			}
		}
	}
	buf_putc(&line, ' ');
	for (size_t i = 0, n = 0; i < NSEGS; i++) {
		if (!shown[i])
			continue;
		if (n++)
			buf_puts(&line, sep);
		buf_puts(&line, buf_cstr(&seg[i]));
	}
	attr_t a = draw_attr(UI_STATUS);
	draw_fill(u->status_w, 0, 0, COLS, a);
	draw_text(u->status_w, 0, 0, COLS, buf_cstr(&line), a);
	for (size_t i = 0; i < NSEGS; i++)
		buf_fini(&seg[i]);
	buf_fini(&line);
	wnoutrefresh(u->status_w);
	u->status_dirty = false;
}

/* The input line: what the current mode shows (ui_prompt.c's mode table),
 * a line being typed with its prompt, or the mode's own line. */
static void
draw_input(struct ui *u)
{
	WINDOW *w = u->input_w;
	const char *p = ui_mode_prompt(u);

	if (!w)
		return;
	werase(w);
	if (p) {
		struct editline *in = ui_cur_input(u);
		struct buf clean = BUF_INIT;
		int pw = draw_text(w, 0, 0, COLS, p, draw_attr(UI_PROMPT));
		/* The last column stays blank (no write to the screen's last
		 * cell); a long line scrolls sideways to keep the cursor shown,
		 * with a mark at each edge where text is hidden. */
		int avail = COLS - pw - 1 > 0 ? COLS - pw - 1 : 1;
		struct editline_shown v;
		editline_view(in, avail, &v);
		if (v.more_before)
			draw_text(w, 0, pw, 1, draw_mark("…", "<"), draw_attr(UI_DIM));
		draw_sanitize(&clean, editline_text(in) + v.start, v.end - v.start, false);
		int tw = v.more_before + draw_text(w, 0, pw + v.more_before, avail - v.more_before,
						   buf_cstr(&clean), draw_attr(UI_INPUT));
		if (v.more_after) {
			draw_text(w, 0, pw + avail - 1, 1, draw_mark("…", ">"), draw_attr(UI_DIM));
			tw = avail;
		}
		struct buf cand = BUF_INIT;
		if (u->mode == IN_COMMAND)
			ui_cmd_candidates(u, &cand);
		if (cand.len && pw + tw + 3 < COLS) { /* Tab's candidates, after the text */
			buf_clear(&clean);
			draw_sanitize(&clean, cand.ptr, cand.len, false);
			draw_text(w, 0, pw + tw + 2, COLS - pw - tw - 2, buf_cstr(&clean),
				  draw_attr(UI_DIM));
		}
		buf_fini(&cand);
		wmove(w, 0, pw + v.cursor < COLS ? pw + v.cursor : COLS - 1);
		buf_fini(&clean);
	} else {
		struct buf b = BUF_INIT, clean = BUF_INIT;
		enum ui_elem e = UI_DIM;

		ui_mode_line(u, &b, &e);
		draw_sanitize(&clean, b.ptr ? b.ptr : "", b.len, false);
		draw_text(w, 0, 0, COLS, buf_cstr(&clean), draw_attr(e));
		buf_fini(&clean);
		buf_fini(&b);
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
	if (ui_overlay_shown(u)) {
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
	/* A running clock ("running run_command 4s") is drawn with every frame,
	 * not only at the spinner's tick: a frame never shows a stale second.
	 * ncurses sends only the cells that changed. What dirties the input
	 * line may change the status line too: a message while a line is
	 * typed is drawn there. */
	if (u->frame_all || u->status_dirty || u->input_dirty || u->call_start ||
	    ui_task_busy(u))
		draw_status(u);
	/* The input line last: the terminal's cursor ends where it left it. */
	draw_input(u);
	curs_set(ui_mode_is_line(u) ? 1 : 0);
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
