/* SPDX-License-Identifier: MIT */
/*
 * The workbench: terminal setup and teardown, layout, the render step, key
 * dispatch, the status and input lines, approvals and the command line. A
 * client of the engine (engine/client.h): a view over its events that sends
 * it commands; no agent logic and none of the engine's stores here.
 */
#include "ui/ui.h"

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

#define FRAME_MS 33  /* at most ~30 frames a second while streaming */
#define SPIN_MS	 250 /* the spinner ticks 4 times a second, only while busy */
#define QUIT_GRACE_MS 5000

enum input_mode {
	IN_NONE,
	IN_TASK,    /* a task, or a steer while the agent works */
	IN_COMMAND, /* ":" */
	IN_SEARCH,  /* "/" */
	IN_DENY,    /* deny message for the pending call */
	IN_REJECT,  /* comment rejecting the plan */
	IN_CONFIRM, /* quit while a task runs: detach, stop or cancel? */
};

struct ui {
	struct ev_loop *loop;
	struct client *c;
	struct theme *theme;		 /* NULL: draw.c's fallback palette */
	SCREEN *scr;
	FILE *in, *out;
	bool display;			 /* a real terminal (not DH_NO_DISPLAY) */
	bool sync;			 /* the terminal has mode 2026 (DECRQM said so) */
	bool sync_known;		 /* its DECRQM reply came */
	int rq[24];			 /* keys that may begin that reply */
	size_t nrq;
	struct pane panes[LAYOUT__COUNT];
	struct pane help;
	bool help_on;
	enum layout_pane focus;
	bool maximized;
	struct layout lay;
	WINDOW *status_w, *input_w, *sep_w[2];
	bool frame_all, status_dirty, input_dirty;
	bool throttle;			 /* a text delta arrived: wait for the frame slot */
	uint64_t last_frame;
	struct ev_timer frame_timer;

	enum input_mode mode;
	enum input_mode saved_mode;	 /* suspended by an approval prompt */
	struct buf in_task, in_line;	 /* the task being typed; the other lines */
	char *search;
	char *history[32];		 /* ":" history, oldest first */
	size_t nhistory;
	long hist_pos;

	char *pending_id, *pending_name; /* the call or plan awaiting an answer */
	char *pending_what;
	bool pending_plan;

	char *phase;
	uint64_t task_start, task_end;
	int spin, jobs;
	struct ev_timer spin_timer;
	struct buf msg;
	bool msg_err;

	bool quitting;
	bool detached;			 /* the client leaves, the task goes on */
	bool interrupted;
	bool starting;			 /* a start was sent, its reply has not come */
	bool in_history;		 /* between "hello" and "history_end" */
	char *seen_status;		 /* how the last task this client saw live ended */
	unsigned long seq;		 /* request ids: TAG-N */
	char *ungrant_path;		 /* the :ungrant waiting for its reply */
	char *open_spec;		 /* the :open waiting for the session list */
	struct ev_timer quit_timer;
	struct script *script;		 /* DH_SCRIPT, or NULL */

	pid_t editor;			 /* $EDITOR holds the terminal, or 0 */
	void (*editor_done)(int status, void *ctx);
	void *editor_ctx;
	char *plan_file;		 /* the plan being edited there */
	cJSON *pending_input;		 /* the pending call's input (a plan's steps) */
	bool sessions_loading;		 /* a :sessions request is in flight */
	bool sessions_shown;		 /* the overlay is the :sessions list */
	char *reopen;			 /* :open: the session the workbench shows next */
};

static void render(struct ui *u);
static void on_tty(struct ev_loop *l, int fd, unsigned revents, void *ctx);

/*
 * Small helpers
 */

static struct pane *
focused(struct ui *u)
{
	return u->help_on ? &u->help : &u->panes[u->focus];
}

static bool
task_busy(struct ui *u)
{
	return client_state(u->c)->busy || u->starting;
}

const struct client_state *
ui_state(const struct ui *u)
{
	return client_state(u->c);
}

int
ui_send(struct ui *u, struct command *c, const char *tag)
{
	int rc;

	c->req = xasprintf("%s-%lu", tag, ++u->seq);
	rc = client_send(u->c, c);
	free(c->req);
	c->req = NULL;
	if (rc < 0)
		ui_message(u, true, "engine: %s", client_error(u->c) ? client_error(u->c)
								   : "the connection is gone");
	return rc;
}

bool
ui_is_reply(const struct event *ev, const char *tag)
{
	size_t n = strlen(tag);

	return ev->re && !strncmp(ev->re, tag, n) && ev->re[n] == '-';
}

/* Fire and forget: a failure was shown by ui_send(). */
static void
send_cmd(struct ui *u, struct command *c)
{
	if (ui_send(u, c, "ui-cmd") < 0)
		return;
}

void
ui_message(struct ui *u, bool error, const char *fmt, ...)
{
	va_list ap;
	char tmp[1024];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	buf_clear(&u->msg);
	draw_sanitize(&u->msg, tmp, strlen(tmp), false);
	u->msg_err = error;
	u->input_dirty = true;
}

/* What the agent does now, for the status line: `what` then `arg`. */
static void
set_phase(struct ui *u, const char *what, const char *arg)
{
	free(u->phase);
	u->phase = xasprintf("%s%s%s", what, arg ? " " : "", arg ? arg : "");
	u->status_dirty = true;
}

static void
spin_tick(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct ui *u = ctx;

	(void)t;
	u->spin++;
	u->status_dirty = true;
	if (task_busy(u) || u->jobs > 0)
		ev_timer_arm(l, &u->spin_timer, SPIN_MS);
}

/* Arm the spinner when something is in flight; it stops by itself. */
static void
spin_maybe(struct ui *u)
{
	if ((task_busy(u) || u->jobs > 0) && !ev_timer_is_armed(&u->spin_timer))
		ev_timer_arm(u->loop, &u->spin_timer, SPIN_MS);
}

void
ui_busy(struct ui *u, int delta)
{
	u->jobs += delta;
	if (u->jobs < 0)
		u->jobs = 0;
	u->status_dirty = true;
	spin_maybe(u);
}

/*
 * Layout
 */

static void
replace_win(WINDOW **w, const struct layout_rect *r)
{
	if (*w)
		delwin(*w);
	*w = r->rows > 0 ? newwin(r->rows, r->cols, r->y, r->x) : NULL;
}

static void
relayout(struct ui *u)
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

static void
on_winch(struct ev_loop *l, int signo, void *ctx)
{
	struct ui *u = ctx;
	struct winsize ws;

	(void)l;
	(void)signo;
	if (u->display && ioctl(fileno(u->out), TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	relayout(u);
	clearok(curscr, TRUE);
}

/*
 * Status and input lines
 */

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
	bool busy = task_busy(u) || u->jobs > 0;
	buf_putc(&b, ' ');
	if (busy)
		buf_printf(&b, "%s ", draw_is_utf8() ? spin_utf8[u->spin % 8] : spin_ascii[u->spin % 4]);
	buf_puts(&b, u->phase ? u->phase : "idle");
	if (u->task_start) {
		uint64_t end = task_busy(u) || !u->task_end ? ev_now_ms() : u->task_end;
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

static struct buf *
cur_input(struct ui *u)
{
	return u->mode == IN_TASK ? &u->in_task : &u->in_line;
}

static void
draw_input(struct ui *u)
{
	WINDOW *w = u->input_w;

	if (!w)
		return;
	werase(w);
	if (u->mode == IN_CONFIRM) {
		draw_text(w, 0, 0, COLS,
			  "The agent is working: d detach (it goes on), s stop the task, Esc cancel",
			  draw_attr(UI_PROMPT));
	} else if (u->mode != IN_NONE) {
		const char *p = mode_prompt(u->mode);
		struct buf *in = cur_input(u);
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
			  task_busy(u) ? "i: steer  Esc: interrupt  Tab: focus  ?: help  q: quit"
				       : "i: type a task  Tab: focus  ?: help  :: command  q: quit",
			  draw_attr(UI_DIM));
	}
	wnoutrefresh(w);
	u->input_dirty = false;
}

/*
 * Rendering: one doupdate() per frame, only dirty parts repainted
 */

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

static void
write_tty(struct ui *u, const char *s)
{
	size_t n = strlen(s);

	if (u->display && write(fileno(u->out), s, n) != (ssize_t)n)
		log_debug("tty write: %s", strerror(errno));
}

static void
render(struct ui *u)
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
	bool typing = u->mode != IN_NONE && u->mode != IN_CONFIRM;
	curs_set(typing ? 1 : 0);
	/* Synchronized output: the terminal shows the frame whole. doupdate()
	 * flushes its own buffer, so the two marks go around it. */
	if (u->sync) {
		fflush(u->out);
		write_tty(u, "\033[?2026h");
	}
	doupdate();
	if (u->sync)
		write_tty(u, "\033[?2026l");
	u->frame_all = false;
	u->throttle = false;
	u->last_frame = ev_now_ms();
}

static void
frame_due(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct ui *u = ctx;

	(void)l;
	(void)t;
	u->throttle = false;
}

static void
quit_now(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	(void)t;
	(void)ctx;
	ev_quit(l);
}

/* Quit now: detached, or asked to quit and no task runs (the engine is
 * another process: nothing of it is waited for). */
static bool
quit_due(struct ui *u)
{
	return u->detached || (u->quitting && !task_busy(u));
}

static void
detach(struct ui *u)
{
	u->detached = true;
	u->quitting = true;
	u->mode = IN_NONE;
	ev_quit(u->loop);
}

static void
on_prepare(struct ev_loop *l, void *ctx)
{
	struct ui *u = ctx;

	if (!u->detached && client_closed(u->c)) {
		log_info("workbench: the engine connection is gone (%s): detaching",
			 client_error(u->c) ? client_error(u->c) : "closed");
		detach(u);
	}
	if (quit_due(u)) {
		ev_quit(l);
		return;
	}
	/* The history arrives in many reads: one frame once it is all in, not a
	 * frame of each part of it (a 1,000-turn session drew ten). */
	if (u->in_history)
		return;
	if (u->throttle) {
		uint64_t since = ev_now_ms() - u->last_frame;
		if (since < FRAME_MS) {
			if (!ev_timer_is_armed(&u->frame_timer))
				ev_timer_arm(l, &u->frame_timer, FRAME_MS - since);
			return;
		}
	}
	render(u);
	script_pump(u->script);
	/* The script may have just quit: do not sleep until the grace timer. */
	if (quit_due(u))
		ev_quit(l);
}

/*
 * Engine events
 */

static void
clear_pending(struct ui *u)
{
	free(u->pending_id);
	free(u->pending_name);
	free(u->pending_what);
	u->pending_id = u->pending_name = u->pending_what = NULL;
	cJSON_Delete(u->pending_input);
	u->pending_input = NULL;
	u->pending_plan = false;
	if (u->mode == IN_NONE && u->saved_mode != IN_NONE)
		u->mode = u->saved_mode;
	u->saved_mode = IN_NONE;
	u->input_dirty = true;
}

static void
send_decision_steps(struct ui *u, bool approve, const char *text, cJSON *steps, bool always)
{
	struct command c = { .type = approve ? COMMAND_APPROVE : COMMAND_DENY,
			     .id = u->pending_id, .text = (char *)text, .steps = steps,
			     .always = always };

	if (!u->pending_id)
		return;
	u->pending_id = NULL; /* before the call: the decided event may come back at once */
	send_cmd(u, &c);
	free(c.id);
	clear_pending(u);
}

static void
send_decision(struct ui *u, bool approve, const char *text)
{
	send_decision_steps(u, approve, text, NULL, false);
}

/* A past record (the history between "hello" and "history_end") goes to
 * the plan and transcript panes only: it asks nothing of the user, starts
 * no animation and no auto-approval; the diff pane loads the review once
 * the history ends. */
static void
replay_to_panes(struct ui *u, const struct event *ev)
{
	for (int i = 0; i < LAYOUT__COUNT; i++)
		if (i != LAYOUT_DIFF && u->panes[i].ops->on_event)
			u->panes[i].ops->on_event(&u->panes[i], ev);
}

static void on_live_event(struct ui *u, const struct event *ev);

/* The approval waiting when we attached (the snapshot's "pending": an
 * approval_needed event as JSON) shows as the prompt. */
static void
show_pending(struct ui *u, const cJSON *pending)
{
	struct event ev;

	if (!pending || !cJSON_IsObject(pending))
		return;
	if (event_from_json(&ev, pending) < 0 || ev.type != EVENT_APPROVAL_NEEDED || !ev.id) {
		log_info("workbench: the pending approval in the snapshot is not one: %s",
			 err_msg());
		return;
	}
	if (u->pending_id && !strcmp(u->pending_id, ev.id))
		return; /* shown already */
	on_live_event(u, &ev);
}

/* What the snapshot says that the history does not: the plan's current
 * statuses, the pending approval, whether a task runs now. */
static void
apply_state(struct ui *u)
{
	const struct client_state *st = client_state(u->c);

	if (st->plan && cJSON_IsArray(st->plan)) {
		struct event ev = { .type = EVENT_PLAN_UPDATED, .steps = st->plan };
		replay_to_panes(u, &ev);
		if (u->lay.kind == LAYOUT_STACKED)
			relayout(u);
	}
	if (st->busy && !u->task_start) {
		u->task_start = ev_now_ms();
		set_phase(u, st->activity ? st->activity : "working", NULL);
	} else if (!st->busy && st->activity && !u->phase) {
		set_phase(u, st->activity, NULL);
	}
	show_pending(u, st->pending);
	u->frame_all = u->status_dirty = u->input_dirty = true;
	spin_maybe(u);
}

/* Replies to what the UI itself sent (ui_send(…, "ui-…")). */
static void on_start_reply(struct ui *u, const struct event *ev);
static void on_grant_reply(struct ui *u, const struct event *ev);
static void on_ungrant_reply(struct ui *u, const struct event *ev);
static void on_sessions_reply(struct ui *u, const struct event *ev);
static void on_cmd_reply(struct ui *u, const struct event *ev);
static void on_open_reply(struct ui *u, const struct event *ev);

static const struct {
	const char *tag;
	void (*fn)(struct ui *u, const struct event *ev);
} reply_handlers[] = {
	{ "ui-start", on_start_reply },	      { "ui-grant", on_grant_reply },
	{ "ui-ungrant", on_ungrant_reply },   { "ui-sessions", on_sessions_reply },
	{ "ui-cmd", on_cmd_reply },	      { "ui-open", on_open_reply },
};

static bool
reply_dispatch(struct ui *u, const struct event *ev)
{
	for (size_t i = 0; i < sizeof reply_handlers / sizeof *reply_handlers; i++) {
		if (ui_is_reply(ev, reply_handlers[i].tag)) {
			reply_handlers[i].fn(u, ev);
			return true;
		}
	}
	return false;
}

static void
on_event(const struct event *ev, void *ctx)
{
	struct ui *u = ctx;

	switch (ev->type) {
	case EVENT_HELLO:
		u->in_history = true;
		u->status_dirty = true;
		return;
	case EVENT_HISTORY_END:
		u->in_history = false;
		apply_state(u);
		u->panes[LAYOUT_DIFF].ops->action(&u->panes[LAYOUT_DIFF], ACTION_REFRESH);
		return;
	case EVENT_DETACHED:
		ui_message(u, true, "the engine dropped this client: %s",
			   ev->text ? ev->text : "?");
		detach(u);
		return;
	default:
		break;
	}
	/* A reply is never history, even when it comes before history_end. */
	if ((ev->type == EVENT_REPLY || ev->type == EVENT_ERROR) && ev->re) {
		if (reply_dispatch(u, ev))
			return;
		/* A pane's: its tags start with the pane's name ("diff-get"). */
		for (int i = 0; i < LAYOUT__COUNT; i++) {
			const struct pane_ops *ops = u->panes[i].ops;
			size_t n = strlen(ops->name);

			if (ops->on_event && !strncmp(ev->re, ops->name, n) && ev->re[n] == '-')
				ops->on_event(&u->panes[i], ev);
		}
		return;
	}
	if (u->in_history) {
		replay_to_panes(u, ev);
		return;
	}
	on_live_event(u, ev);
}

static void
on_live_event(struct ui *u, const struct event *ev)
{
	script_event(u->script, ev);
	for (int i = 0; i < LAYOUT__COUNT; i++)
		if (u->panes[i].ops->on_event)
			u->panes[i].ops->on_event(&u->panes[i], ev);
	switch (ev->type) {
	case EVENT_PLAN_PROPOSED:
	case EVENT_PLAN_UPDATED:
		if (u->lay.kind == LAYOUT_STACKED)
			relayout(u); /* the plan pane is as tall as its steps */
		break;
	case EVENT_TURN_STARTED:
		set_phase(u, "thinking", NULL);
		break;
	case EVENT_TEXT_DELTA:
		if (!u->phase || strcmp(u->phase, "writing"))
			set_phase(u, "writing", NULL);
		/* Deltas only mark the transcript dirty; the frame timer paints. */
		u->throttle = ev_now_ms() - u->last_frame < FRAME_MS;
		return;
	case EVENT_TOOL_CALL:
		set_phase(u, "running", ev->name);
		break;
	case EVENT_USAGE: /* the totals are the client state's */
	case EVENT_SESSION_STARTED:
		u->status_dirty = true;
		break;
	case EVENT_STATUS:
		set_phase(u, ev->phase ? ev->phase : "?", NULL);
		break;
	case EVENT_APPROVAL_NEEDED: {
		clear_pending(u);
		u->pending_id = xstrdup(ev->id ? ev->id : "");
		u->pending_name = xstrdup(ev->name ? ev->name : "");
		u->pending_plan = ev->name && !strcmp(ev->name, "propose_plan");
		u->pending_input = ev->input ? cJSON_Duplicate(ev->input, true) : NULL;
		const char *arg = json_str(ev->input, "path");
		if (!arg)
			arg = json_str(ev->input, "command");
		if (ev->name && !strcmp(ev->name, "network"))
			u->pending_what = xasprintf("Network: %s", ev->text ? ev->text : "");
		else
			u->pending_what = xasprintf("Allow %s %.60s", ev->name ? ev->name : "?",
						    arg ? arg : "");
		if (u->mode != IN_NONE && u->mode != IN_CONFIRM) {
			u->saved_mode = u->mode;
			u->mode = IN_NONE;
		}
		set_phase(u, u->pending_plan ? "awaiting plan approval" : "awaiting approval", NULL);
		break;
	}
	case EVENT_APPROVAL_DECIDED:
	case EVENT_PLAN_DECIDED:
		if (u->pending_id && ev->id && !strcmp(u->pending_id, ev->id))
			clear_pending(u);
		break;
	case EVENT_SESSION_FINISHED:
		u->task_end = ev_now_ms();
		u->starting = false;
		free(u->seen_status);
		u->seen_status = xstrdup(ev->status ? ev->status : "?");
		set_phase(u, ev->status ? ev->status : "finished", NULL);
		clear_pending(u);
		if (!u->quitting)
			ui_message(u, !ev->status || strcmp(ev->status, "done") != 0,
				   "task %s. i: type a follow-up task, q: quit",
				   ev->status ? ev->status : "ended");
		break;
	default:
		break;
	}
	u->input_dirty = true;
	spin_maybe(u);
}

/*
 * $EDITOR: the terminal is the editor's until it exits; the loop runs on
 * (events, streamed tokens, timers update the models) but draws nothing and
 * reads no keys.
 */

static void
on_editor_exit(struct ev_loop *l, pid_t pid, int wstatus, void *ctx)
{
	struct ui *u = ctx;
	void (*done)(int, void *) = u->editor_done;
	void *dctx = u->editor_ctx;

	(void)pid;
	u->editor = 0;
	u->editor_done = NULL;
	u->editor_ctx = NULL;
	if (u->display) {
		reset_prog_mode();
		if (ev_io_set(l, fileno(u->in), POLLIN, on_tty, u) < 0)
			ui_message(u, true, "terminal: %s", err_msg());
		on_winch(l, SIGWINCH, u); /* the size may have changed meanwhile */
	}
	u->frame_all = true;
	if (done)
		done(wstatus, dctx);
}

void
ui_edit_file(struct ui *u, const char *path, void (*done)(int status, void *ctx), void *ctx)
{
	const char *ed = getenv("VISUAL");
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	pid_t pid = 0;
	int fd, rc;

	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	if (u->editor) {
		ui_message(u, true, "an editor is already open");
		if (done)
			done(-1, ctx);
		return;
	}
	fd = u->display ? fileno(u->out) : open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ui_message(u, true, "editor: /dev/null: %s", strerror(errno));
		if (done)
			done(-1, ctx);
		return;
	}
	/* As git runs it: the value is shell words, the file is "$1". */
	char *cmd = xasprintf("%s \"$1\"", ed);
	char sh[] = "/bin/sh", dash_c[] = "-c", arg0[] = "sh";
	char *const argv[] = { sh, dash_c, cmd, arg0, (char *)path, NULL };
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGQUIT);
	sigaddset(&def, SIGWINCH);
	sigaddset(&def, SIGCHLD);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGTSTP);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, fd, 0);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	posix_spawn_file_actions_adddup2(&fa, fd, 2);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	if (u->display) {
		/* Hand the terminal over: its modes as the shell had them. */
		ev_io_del(u->loop, fileno(u->in));
		def_prog_mode();
		endwin();
		fflush(u->out);
	}
	extern char **environ;
	rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(cmd);
	if (!u->display)
		close(fd);
	if (rc == 0 && ev_child_watch(u->loop, pid, on_editor_exit, u) == 0) {
		u->editor = pid;
		u->editor_done = done;
		u->editor_ctx = ctx;
		return;
	}
	if (rc == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	u->editor = 1; /* on_editor_exit restores the screen */
	u->editor_done = NULL;
	on_editor_exit(u->loop, 0, 0, u);
	ui_message(u, true, "editor '%s': %s", ed, rc ? strerror(rc) : err_msg());
	if (done)
		done(-1, ctx);
}

/* The plan as lines "N. title" in a temp file for $EDITOR. */
static void
plan_edited(int status, void *ctx)
{
	struct ui *u = ctx;
	char *path = u->plan_file;
	struct buf b = BUF_INIT;

	u->plan_file = NULL;
	if (status == -1)
		goto out;
	if (!u->pending_plan || !u->pending_id) {
		ui_message(u, true, "the plan is no longer waiting for approval: edit not sent");
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		ui_message(u, true, "the editor failed (status %d): the plan is unchanged; "
				    "a approves, r rejects, e edits again",
			   WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		goto out;
	}
	if (fsutil_read_file(path, 1 << 20, &b) < 0) {
		ui_message(u, true, "plan: %s", err_msg());
		goto out;
	}
	cJSON *steps = json_new_arr();
	bool same = true;
	int i = 0;
	cJSON *old = json_arr(u->pending_input, "steps");
	for (char *line = b.ptr ? b.ptr : (char *)""; *line;) {
		char *nl = strchr(line, '\n');
		char *next = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = '\0';
		char *t = line + strspn(line, " \t");
		size_t len = strlen(t);
		while (len && (t[len - 1] == ' ' || t[len - 1] == '\t' || t[len - 1] == '\r'))
			t[--len] = '\0';
		line = next;
		if (!*t || *t == '#')
			continue;
		/* Drop a leading "3." "3)" "-" "*" mark. */
		char *m = t + strspn(t, "0123456789");
		if (m > t && (*m == '.' || *m == ')'))
			t = m + 1;
		else if (*t == '-' || *t == '*')
			t++;
		t += strspn(t, " \t");
		if (!*t)
			continue;
		cJSON *o = json_new_obj();
		json_add_str(o, "title", t);
		json_add(steps, NULL, o);
		const char *ot = json_str(cJSON_GetArrayItem(old, i++), "title");
		same = same && ot && !strcmp(ot, t);
	}
	same = same && i == cJSON_GetArraySize(old);
	if (i == 0)
		ui_message(u, true, "the edited plan has no steps: nothing sent "
				    "(a approves the proposed plan, r rejects it)");
	else if (same)
		send_decision(u, true, NULL);
	else
		send_decision_steps(u, true, NULL, steps, false);
	cJSON_Delete(steps);
out:
	buf_fini(&b);
	if (path)
		unlink(path);
	free(path);
}

static void
edit_plan(struct ui *u)
{
	const char *tmp = getenv("TMPDIR");
	struct buf b = BUF_INIT;
	cJSON *s;
	int i = 0, fd;

	if (u->plan_file)
		return;
	u->plan_file = xasprintf("%s/deskhand-plan-XXXXXX.md", tmp && *tmp ? tmp : "/tmp");
	if ((fd = mkstemps(u->plan_file, 3)) < 0) {
		ui_message(u, true, "plan: %s: %s", u->plan_file, strerror(errno));
		free(u->plan_file);
		u->plan_file = NULL;
		return;
	}
	buf_puts(&b, "# The agent's plan: one step a line. Change, add, remove or reorder\n"
		     "# steps, then save and quit: the plan as saved is approved and the\n"
		     "# agent carries it out. Lines starting with '#' are ignored; save an\n"
		     "# empty plan to cancel.\n");
	cJSON_ArrayForEach(s, json_arr(u->pending_input, "steps"))
	{
		const char *t = json_str(s, "title");
		buf_printf(&b, "%d. %s\n", ++i, t ? t : "");
	}
	bool ok = write(fd, b.ptr, b.len) == (ssize_t)b.len;
	close(fd);
	buf_fini(&b);
	if (!ok) {
		ui_message(u, true, "plan: %s: %s", u->plan_file, strerror(errno));
		unlink(u->plan_file);
		free(u->plan_file);
		u->plan_file = NULL;
		return;
	}
	ui_edit_file(u, u->plan_file, plan_edited, u);
}

/*
 * Commands typed after ":"
 */

static void
show_overlay(struct ui *u, const char *title, const char *text)
{
	u->sessions_shown = !strcmp(title, "sessions");
	pane_help_set(&u->help, title, text);
	u->help_on = true;
	u->frame_all = true;
}

/*
 * :sessions lists past sessions with their task, date, state and pending
 * review count (the engine's "sessions" reply); :open ID shows one.
 */

#define SESSIONS_MAX 50 /* newest first */

static void
cmd_sessions(struct ui *u)
{
	struct command c = { .type = COMMAND_SESSIONS };

	if (u->sessions_loading)
		return;
	if (ui_send(u, &c, "ui-sessions") < 0)
		return;
	u->sessions_loading = true;
	ui_busy(u, 1);
	ui_message(u, false, "listing sessions…");
}

/* One row of the list: "* ID DATE STATE PENDING TASK". */
static void
session_row(struct buf *out, const cJSON *row)
{
	const char *id = json_str(row, "id"), *task = json_str(row, "task");
	const char *st = json_str(row, "status");
	const cJSON *pend = cJSON_GetObjectItemCaseSensitive(row, "pending");
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(row, "started_ns");
	char when[32] = "-", count[24] = "?";
	struct tm tm;

	if (cJSON_IsNumber(ns) && ns->valuedouble > 0) {
		time_t t = (time_t)(ns->valuedouble / 1e9);
		if (localtime_r(&t, &tm))
			strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	}
	if (cJSON_IsNumber(pend) && pend->valuedouble >= 0)
		snprintf(count, sizeof count, "%ld", (long)pend->valuedouble);
	buf_printf(out, "%s %-22s %-16s %-11s %7s  ", json_bool(row, "current", false) ? "*" : " ",
		   id ? id : "?", when, st ? st : "new", count);
	/* The task's first line; the overlay sanitizes what it shows. */
	size_t tl = task ? strcspn(task, "\n") : 0;
	buf_add(out, task ? task : "", tl > 200 ? 200 : tl);
	buf_putc(out, '\n');
}

static void
on_sessions_reply(struct ui *u, const struct event *ev)
{
	struct buf out = BUF_INIT;
	const cJSON *rows = ev->data, *row;
	int n = cJSON_IsArray(rows) ? cJSON_GetArraySize(rows) : 0, i = 0;

	u->sessions_loading = false;
	ui_busy(u, -1);
	if (ev->type == EVENT_ERROR || !ev->approved || !cJSON_IsArray(rows)) {
		ui_message(u, true, "sessions: %s", ev->text ? ev->text : "no list came back");
		return;
	}
	if (u->quitting)
		return;
	buf_printf(&out, "  %-22s %-16s %-11s %7s  %s\n", "SESSION", "DATE", "STATE", "PENDING",
		   "TASK");
	if (!client_state(u->c)->session) /* no task yet: the session begins with the first */
		buf_printf(&out, "* %-22s %-16s %-11s %7s  \n", "(new)", "-", "new", "0");
	cJSON_ArrayForEach(row, rows)
	{
		if (i++ >= SESSIONS_MAX)
			break;
		session_row(&out, row);
	}
	if (n == 0)
		buf_puts(&out, "  (no sessions yet)\n");
	else if (n > SESSIONS_MAX)
		buf_printf(&out, "  … and %d older (deskhand sessions lists them all)\n",
			   n - SESSIONS_MAX);
	buf_puts(&out, "\n* this session.  PENDING: files not yet accepted in the review "
		       "(? a grant is gone).\nEnter on a row, or :open ID (or a unique prefix), "
		       "shows a session: its transcript and pending review.\n");
	buf_clear(&u->msg);
	show_overlay(u, "sessions", buf_cstr(&out));
	pane_refresh_lines(&u->help);
	pane_set_cursor(&u->help, u->help.nlines > 1 ? 1 : 0); /* the newest */
	buf_fini(&out);
}

static void
cmd_open(struct ui *u, const char *spec)
{
	const char *cur = client_state(u->c)->session;
	struct command c = { .type = COMMAND_SESSIONS };

	if (!*spec) {
		ui_message(u, true, "usage: :open ID (:sessions lists them)");
		return;
	}
	if (task_busy(u)) {
		ui_message(u, true, "a task is running: open another session when it ends");
		return;
	}
	if (cur && !strcmp(cur, spec)) {
		ui_message(u, false, "%s is this session", cur);
		return;
	}
	/* Resolved against the engine's session list (its reply). */
	if (ui_send(u, &c, "ui-open") < 0)
		return;
	free(u->open_spec);
	u->open_spec = xstrdup(spec);
	ui_busy(u, 1);
}

/* The id `spec` names among the rows: itself, a unique prefix, or "latest"
 * (the first row: the list is newest first). NULL with a message. */
static const char *
resolve_session(struct ui *u, const cJSON *rows, const char *spec)
{
	const cJSON *row;
	const char *found = NULL;
	size_t n = strlen(spec), matches = 0;

	if (!strcmp(spec, "latest"))
		return json_str(cJSON_GetArrayItem(rows, 0), "id");
	cJSON_ArrayForEach(row, rows)
	{
		const char *id = json_str(row, "id");

		if (id && !strcmp(id, spec))
			return id;
		if (id && !strncmp(id, spec, n)) {
			found = id;
			matches++;
		}
	}
	if (matches == 1)
		return found;
	ui_message(u, true, "open: %s '%s' (:sessions lists them)",
		   matches ? "more than one session starts with" : "no session", spec);
	return NULL;
}

static void
on_open_reply(struct ui *u, const struct event *ev)
{
	char *spec = u->open_spec;
	const char *cur = client_state(u->c)->session, *id = NULL;

	u->open_spec = NULL;
	ui_busy(u, -1);
	if (ev->type == EVENT_ERROR || !ev->approved || !cJSON_IsArray(ev->data))
		ui_message(u, true, "open: %s", ev->text ? ev->text : "no session list came back");
	else if (spec)
		id = resolve_session(u, ev->data, spec);
	if (!id) {
		free(spec);
		return;
	}
	if (cur && !strcmp(cur, id)) {
		ui_message(u, false, "%s is this session", id);
	} else if (task_busy(u)) {
		ui_message(u, true, "a task is running: open another session when it ends");
	} else {
		free(u->reopen);
		u->reopen = xstrdup(id);
		u->quitting = true; /* the loop ends; cli/workbench.c attaches to `id` */
		ev_timer_arm(u->loop, &u->quit_timer, QUIT_GRACE_MS);
	}
	free(spec);
}

/* Enter in the :sessions list: the session on the cursor's row. */
static void
open_selected_session(struct ui *u)
{
	struct pane *p = &u->help;
	char id[64];

	if (!u->sessions_shown || p->cursor < 0 || (size_t)p->cursor >= p->nlines)
		return;
	const char *s = p->lines[p->cursor].text;
	s += strspn(s, " *");
	size_t n = strspn(s, "0123456789abcdef-");
	if (n < 8 || n >= sizeof id) {
		ui_message(u, true, "not a session row: move to one (j/k) and press Enter");
		return;
	}
	memcpy(id, s, n);
	id[n] = '\0';
	u->help_on = false;
	u->frame_all = true;
	cmd_open(u, id);
}

static void
cmd_save(struct ui *u, const char *path)
{
	struct buf b = BUF_INIT;

	if (!*path) {
		ui_message(u, true, ":save needs a FILE");
		return;
	}
	u->panes[LAYOUT_TRANSCRIPT].ops->save(&u->panes[LAYOUT_TRANSCRIPT], &b);
	if (fsutil_write_atomic(path, b.ptr ? b.ptr : "", b.len) < 0)
		ui_message(u, true, "save: %s", err_msg());
	else
		ui_message(u, false, "transcript saved to %s", path);
	buf_fini(&b);
}

static void request_quit(struct ui *u);

/* Interrupt the task, then quit once it ended (or after a grace time). */
static void
stop_and_quit(struct ui *u)
{
	struct command c = { .type = COMMAND_INTERRUPT };

	u->mode = IN_NONE;
	u->quitting = true;
	if (task_busy(u)) {
		send_cmd(u, &c);
		u->interrupted = true;
	}
	ev_timer_arm(u->loop, &u->quit_timer, QUIT_GRACE_MS);
}

/* The last element of a grants reply: the folder just granted. */
static void
on_grant_reply(struct ui *u, const struct event *ev)
{
	const cJSON *last = cJSON_IsArray(ev->data) ? cJSON_GetArrayItem(
							     ev->data, cJSON_GetArraySize(ev->data) - 1)
						   : NULL;

	if (ev->type == EVENT_ERROR || !ev->approved)
		ui_message(u, true, "%s", ev->text ? ev->text : "grant refused");
	else
		ui_message(u, false, "granted %s",
			   cJSON_IsString(last) ? last->valuestring : "(the folder)");
	u->status_dirty = true;
}

static void
on_ungrant_reply(struct ui *u, const struct event *ev)
{
	if (ev->type == EVENT_ERROR || !ev->approved) {
		ui_message(u, true, "%s", ev->text ? ev->text : "ungrant refused");
	} else {
		ui_message(u, false, "no longer granted: %s",
			   u->ungrant_path ? u->ungrant_path : "(the folder)");
		u->panes[LAYOUT_DIFF].ops->action(&u->panes[LAYOUT_DIFF], ACTION_REFRESH);
	}
	free(u->ungrant_path);
	u->ungrant_path = NULL;
	u->status_dirty = true;
}

static void
on_start_reply(struct ui *u, const struct event *ev)
{
	u->starting = false;
	if (ev->type == EVENT_ERROR || !ev->approved) {
		ui_message(u, true, "%s", ev->text ? ev->text : "the task did not start");
		if (!client_state(u->c)->busy)
			set_phase(u, "idle", NULL);
	}
	u->status_dirty = u->input_dirty = true;
	spin_maybe(u);
}

/* approve, deny, steer, interrupt: only a refusal is news. */
static void
on_cmd_reply(struct ui *u, const struct event *ev)
{
	if (ev->type == EVENT_ERROR || (ev->type == EVENT_REPLY && !ev->approved))
		ui_message(u, true, "%s", ev->text ? ev->text : "refused");
}

static void
run_command(struct ui *u, char *line)
{
	char *cmd = line + strspn(line, " ");
	char *arg = cmd + strcspn(cmd, " ");

	if (*arg)
		*arg++ = '\0';
	arg += strspn(arg, " ");
	if (!*cmd)
		return;
	if (!strcmp(cmd, "q") || !strcmp(cmd, "quit")) {
		request_quit(u);
	} else if (!strcmp(cmd, "q!")) {
		stop_and_quit(u);
	} else if (!strcmp(cmd, "detach")) {
		detach(u);
	} else if (!strcmp(cmd, "grant")) {
		struct command c = { .type = COMMAND_GRANT };
		if (!strncmp(arg, "--force ", 8)) {
			c.force = true;
			arg += 8;
		}
		c.path = arg;
		if (!*arg)
			ui_message(u, true, "usage: :grant [--force] PATH");
		else if (ui_send(u, &c, "ui-grant") == 0)
			ui_message(u, false, "granting %s…", arg);
	} else if (!strcmp(cmd, "ungrant")) {
		struct command c = { .type = COMMAND_UNGRANT, .path = arg };
		if (!*arg) {
			ui_message(u, true, "usage: :ungrant PATH (:grants lists them)");
		} else if (ui_send(u, &c, "ui-ungrant") == 0) {
			free(u->ungrant_path);
			u->ungrant_path = xstrdup(arg);
		}
	} else if (!strcmp(cmd, "open")) {
		cmd_open(u, arg);
	} else if (!strcmp(cmd, "grants")) {
		const struct client_state *st = client_state(u->c);
		struct buf b = BUF_INIT;
		for (size_t i = 0; i < st->ngrants; i++)
			buf_printf(&b, "%s\n", st->grants[i]);
		show_overlay(u, "grants", b.len ? buf_cstr(&b) : "(none)\n");
		buf_fini(&b);
	} else if (!strcmp(cmd, "sessions")) {
		cmd_sessions(u);
	} else if (!strcmp(cmd, "save-screen")) {
		char *el = arg + strcspn(arg, " ");
		bool elements = *el != '\0';
		*el = '\0';
		if (!*arg || screen_dump_write(arg, elements) < 0)
			ui_message(u, true, "usage: :save-screen FILE [elements]");
	} else if (!strcmp(cmd, "save")) {
		cmd_save(u, arg);
	} else if (!strcmp(cmd, "help")) {
		struct buf b = BUF_INIT;
		keymap_help(&b);
		show_overlay(u, "keys", buf_cstr(&b));
		buf_fini(&b);
	} else {
		ui_message(u, true,
			   "unknown command ':%s' (grant, ungrant, grants, sessions, open, save, "
			   "detach, q)",
			   cmd);
	}
	u->status_dirty = true;
}

/*
 * Keys
 */

static void
request_quit(struct ui *u)
{
	if (task_busy(u)) { /* detach (the default), stop it, or cancel */
		u->mode = IN_CONFIRM;
		u->input_dirty = true;
		return;
	}
	u->quitting = true;
	ev_timer_arm(u->loop, &u->quit_timer, QUIT_GRACE_MS);
}

static void
interrupt(struct ui *u)
{
	struct command c = { .type = COMMAND_INTERRUPT };

	if (!task_busy(u))
		return;
	send_cmd(u, &c);
	u->interrupted = true;
	ui_message(u, false, "interrupting");
}

static void
start_task(struct ui *u, const char *text)
{
	if (task_busy(u)) {
		struct command c = { .type = COMMAND_STEER, .text = (char *)text };
		if (ui_send(u, &c, "ui-cmd") == 0)
			ui_message(u, false, "steer queued: the agent reads it at its next turn");
		return;
	}
	struct event ev = { .type = EVENT_USER_MESSAGE, .text = text };
	u->panes[LAYOUT_TRANSCRIPT].ops->on_event(&u->panes[LAYOUT_TRANSCRIPT], &ev);
	u->task_start = ev_now_ms();
	u->task_end = 0;
	u->interrupted = false;
	buf_clear(&u->msg);
	set_phase(u, "starting", NULL);
	struct command c = { .type = COMMAND_START, .text = (char *)text };
	u->starting = ui_send(u, &c, "ui-start") == 0;
	spin_maybe(u);
}

static void
submit(struct ui *u)
{
	enum input_mode m = u->mode;
	struct buf *in = cur_input(u);
	char *text = xstrdup(in->ptr ? in->ptr : "");

	buf_clear(in);
	u->mode = IN_NONE;
	u->input_dirty = true;
	switch (m) {
	case IN_TASK:
		if (*text)
			start_task(u, text);
		break;
	case IN_COMMAND:
		if (*text && u->nhistory < sizeof u->history / sizeof *u->history)
			u->history[u->nhistory++] = xstrdup(text);
		run_command(u, text);
		break;
	case IN_SEARCH:
		if (*text) {
			free(u->search);
			u->search = xstrdup(text);
		}
		if (u->search && !pane_search(focused(u), u->search, 1))
			ui_message(u, true, "not found: %s", u->search);
		break;
	case IN_DENY:
	case IN_REJECT:
		send_decision(u, false, *text ? text : NULL);
		break;
	default:
		break;
	}
	free(text);
}

/* Complete a command name after ":". */
static void
complete(struct ui *u)
{
	static const char *const names[] = { "grant ", "grants", "ungrant ", "sessions", "open ",
					     "save ", "save-screen ", "quit", "help", "detach" };
	const char *s = buf_cstr(&u->in_line);

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		if (*s && !strncmp(names[i], s, strlen(s))) {
			buf_clear(&u->in_line);
			buf_puts(&u->in_line, names[i]);
			return;
		}
	}
}

/* Returns true when the key was consumed by the input line. */
static bool
edit_key(struct ui *u, int key)
{
	struct buf *in = cur_input(u);

	if (key == '\n' || key == '\r' || key == (KEYMAP_FKEY | KEY_ENTER)) {
		submit(u);
		return true;
	}
	if (key == 27) { /* Esc: interrupt a running task, or leave the line */
		if (u->mode == IN_TASK && task_busy(u))
			interrupt(u);
		if (u->mode != IN_TASK)
			buf_clear(in);
		u->mode = IN_NONE;
		u->input_dirty = true;
		return true;
	}
	if (key == 127 || key == 8 || key == (KEYMAP_FKEY | KEY_BACKSPACE)) {
		while (in->len > 0 && ((unsigned char)in->ptr[in->len - 1] & 0xc0) == 0x80)
			in->len--;
		if (in->len > 0)
			in->len--;
		if (in->ptr)
			in->ptr[in->len] = '\0';
	} else if (key == 21) { /* C-u */
		buf_clear(in);
	} else if (key == 23) { /* C-w */
		while (in->len > 0 && in->ptr[in->len - 1] == ' ')
			in->len--;
		while (in->len > 0 && in->ptr[in->len - 1] != ' ')
			in->len--;
		if (in->ptr)
			in->ptr[in->len] = '\0';
	} else if (key == 3) { /* C-c */
		if (task_busy(u))
			interrupt(u);
		else
			buf_clear(in);
	} else if (key == '\t' && u->mode == IN_COMMAND) {
		complete(u);
	} else if (u->mode == IN_COMMAND &&
		   (key == (KEYMAP_FKEY | KEY_UP) || key == (KEYMAP_FKEY | KEY_DOWN))) {
		long n = (long)u->nhistory;
		u->hist_pos += key == (KEYMAP_FKEY | KEY_UP) ? -1 : 1;
		if (u->hist_pos < 0)
			u->hist_pos = 0;
		if (u->hist_pos > n)
			u->hist_pos = n;
		buf_clear(in);
		if (u->hist_pos < n)
			buf_puts(in, u->history[u->hist_pos]);
	} else if (key & KEYMAP_FKEY || key == '\t') {
		return false; /* movement and focus keys still work */
	} else if (key >= 32) {
		char mb[8];
		mbstate_t st = { 0 };
		size_t n = wcrtomb(mb, (wchar_t)key, &st);
		if (n != (size_t)-1)
			buf_add(in, mb, n);
	}
	u->input_dirty = true;
	return true;
}

static void
begin_input(struct ui *u, enum input_mode m)
{
	u->mode = m;
	if (m != IN_TASK)
		buf_clear(&u->in_line);
	u->hist_pos = (long)u->nhistory;
	u->input_dirty = true;
}

/*
 * Copy through OSC 52: the terminal (or tmux, or the SSH client's terminal)
 * puts the base64 payload on the clipboard.
 */

static void
base64_encode(struct buf *out, const unsigned char *s, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		size_t k = n - i < 3 ? n - i : 3;

		if (k > 1)
			v |= (unsigned)s[i + 1] << 8;
		if (k > 2)
			v |= s[i + 2];
		buf_putc(out, tab[(v >> 18) & 63]);
		buf_putc(out, tab[(v >> 12) & 63]);
		buf_putc(out, k > 1 ? tab[(v >> 6) & 63] : '=');
		buf_putc(out, k > 2 ? tab[v & 63] : '=');
	}
}

/* The lines of the selected block (the cursor's model item: a message, a
 * tool call, a hunk) without style markers, to the clipboard. */
static void
copy_selection(struct ui *u, struct pane *p)
{
	struct buf text = BUF_INIT, seq = BUF_INIT;
	long c;

	pane_refresh_lines(p);
	c = p->cursor < 0 || p->follow ? (long)p->nlines - 1 : p->cursor;
	if (c < 0 || (size_t)c >= p->nlines) {
		ui_message(u, true, "nothing to copy");
		return;
	}
	int item = p->lines[c].item;
	long a = c, b = c;
	while (item >= 0 && a > 0 && p->lines[a - 1].item == item)
		a--;
	while (item >= 0 && (size_t)b + 1 < p->nlines && p->lines[b + 1].item == item)
		b++;
	for (long i = a; i <= b; i++) {
		for (const char *s = p->lines[i].text; *s; s++)
			if (*s != DRAW_BOLD && *s != DRAW_EM && *s != DRAW_CODE && *s != DRAW_HL)
				buf_putc(&text, *s);
		buf_putc(&text, '\n');
	}
	buf_puts(&seq, "\033]52;c;");
	base64_encode(&seq, (const unsigned char *)text.ptr, text.len);
	buf_puts(&seq, "\033\\");
	if (u->display) {
		fflush(u->out);
		if (write(fileno(u->out), seq.ptr, seq.len) != (ssize_t)seq.len)
			ui_message(u, true, "copy: %s", strerror(errno));
		else
			ui_message(u, false, "copied %ld line(s), %zu bytes", b - a + 1, text.len);
	}
	buf_fini(&text);
	buf_fini(&seq);
}

static void
global_action(struct ui *u, enum action a)
{
	struct pane *p = focused(u);
	enum pane_result r;

	switch (a) {
	case ACTION_FOCUS_NEXT:
	case ACTION_FOCUS_PREV:
		u->focus = (u->focus + (a == ACTION_FOCUS_NEXT ? 1 : LAYOUT__COUNT - 1)) %
			   LAYOUT__COUNT;
		if (u->lay.kind == LAYOUT_SINGLE) {
			relayout(u);
		} else {
			for (int i = 0; i < LAYOUT__COUNT; i++) {
				u->panes[i].focused = i == (int)u->focus;
				u->panes[i].dirty = true;
			}
		}
		break;
	case ACTION_MAXIMIZE:
		u->maximized = !u->maximized;
		relayout(u);
		break;
	case ACTION_COPY:
		copy_selection(u, p);
		break;
	case ACTION_REDRAW:
		clearok(curscr, TRUE);
		u->frame_all = true;
		break;
	case ACTION_HELP: {
		struct buf b = BUF_INIT;
		keymap_help(&b);
		show_overlay(u, "keys", buf_cstr(&b));
		buf_fini(&b);
		break;
	}
	case ACTION_COMMAND:
		begin_input(u, IN_COMMAND);
		break;
	case ACTION_QUIT:
		request_quit(u);
		break;
	case ACTION_DETACH:
		detach(u);
		break;
	case ACTION_SEARCH:
		begin_input(u, IN_SEARCH);
		break;
	case ACTION_SEARCH_NEXT:
	case ACTION_SEARCH_PREV:
		if (!u->search)
			ui_message(u, true, "no search yet: / searches");
		else if (!pane_search(p, u->search, a == ACTION_SEARCH_NEXT ? 1 : -1))
			ui_message(u, true, "not found: %s", u->search);
		break;
	case ACTION_INPUT:
		begin_input(u, IN_TASK);
		break;
	case ACTION_INTERRUPT:
		interrupt(u);
		break;
	case ACTION_PLAN_APPROVE:
	case ACTION_PLAN_REJECT:
	case ACTION_PLAN_EDIT:
	case ACTION_ALLOW:
	case ACTION_ALLOW_ALWAYS:
	case ACTION_DENY:
	case ACTION_DENY_MSG:
		ui_message(u, true, "nothing awaits approval");
		break;
	default:
		r = p->ops->action ? p->ops->action(p, a) : PANE_IGNORED;
		if (r & PANE_QUIT) {
			u->help_on = false;
			u->frame_all = true;
		}
		break;
	}
}

static void
approval_action(struct ui *u, enum action a)
{
	switch (a) {
	case ACTION_PLAN_APPROVE:
	case ACTION_ALLOW:
		send_decision(u, true, NULL);
		break;
	case ACTION_ALLOW_ALWAYS: /* the engine keeps it: the session's permission state */
		send_decision_steps(u, true, NULL, NULL, !u->pending_plan);
		break;
	case ACTION_DENY:
		send_decision(u, false, NULL);
		break;
	case ACTION_DENY_MSG:
	case ACTION_PLAN_REJECT:
		begin_input(u, u->pending_plan ? IN_REJECT : IN_DENY);
		break;
	case ACTION_PLAN_EDIT:
		if (u->pending_plan)
			edit_plan(u);
		else
			ui_message(u, true, "e edits a plan; this is a tool call (y, A, n, d)");
		break;
	case ACTION_INTERRUPT:
		interrupt(u);
		break;
	default:
		break;
	}
}

static void
handle_key(struct ui *u, int key)
{
	if (key == '\r')
		key = '\n';
	if (u->mode == IN_CONFIRM) {
		u->input_dirty = true;
		if (key == 'd' || key == 'D' || key == '\n')
			detach(u);
		else if (key == 's' || key == 'S')
			stop_and_quit(u);
		else if (key == 27)
			u->mode = IN_NONE;
		else if (keymap_lookup(KEYMAP_GLOBAL, key) == ACTION_DETACH)
			detach(u);
		return; /* other keys: the question stays */
	}
	if (u->mode != IN_NONE) {
		if (edit_key(u, key))
			return;
		if (key == '\t' && u->mode == IN_TASK)
			u->mode = IN_NONE; /* Tab leaves the line; the text stays */
	}
	if (u->msg.len) {
		buf_clear(&u->msg);
		u->input_dirty = true;
	}
	if (u->pending_id && u->mode == IN_NONE) {
		enum action a = keymap_lookup(KEYMAP_APPROVAL, key);
		if (a != ACTION_NONE) {
			approval_action(u, a);
			return;
		}
	}
	if (u->help_on) {
		enum action a = keymap_lookup(KEYMAP_HELP, key);
		if (a == ACTION_QUIT) { /* q, Esc, ? close the overlay, not the workbench */
			u->help_on = false;
			u->frame_all = true;
		} else if (a == ACTION_EXPAND) {
			open_selected_session(u);
		} else if (a != ACTION_NONE) {
			global_action(u, a);
		}
		return;
	}
	enum action a = keymap_lookup(focused(u)->ops->ctx, key);
	if (a != ACTION_NONE)
		global_action(u, a);
}

/* The mouse is optional: a click focuses a pane, the wheel scrolls the
 * pane under the pointer. */
static void
on_mouse(struct ui *u)
{
	MEVENT me;

	if (getmouse(&me) != OK || u->help_on)
		return;
	for (int i = 0; i < LAYOUT__COUNT; i++) {
		struct pane *p = &u->panes[i];

		if (!p->win || !wenclose(p->win, me.y, me.x))
			continue;
		if (me.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
			for (int k = 0; k < 3; k++)
				pane_move(p, me.bstate & BUTTON4_PRESSED ? ACTION_UP : ACTION_DOWN);
			p->dirty = true;
		} else if ((me.bstate & BUTTON1_PRESSED) && i != (int)u->focus) {
			u->focus = (enum layout_pane)i;
			for (int k = 0; k < LAYOUT__COUNT; k++) {
				u->panes[k].focused = k == i;
				u->panes[k].dirty = true;
			}
			u->input_dirty = true;
		}
		return;
	}
}

/*
 * The reply to the DECRQM query for mode 2026 sent at start, CSI ? 2026 ; Ps
 * $ y, arrives as keys; it is taken out of the key stream, never waited for.
 * Ps 1 or 2: supported; 0 or 4: not.
 */
static bool
rq_take(struct ui *u, int key)
{
	static const char head[] = "\033[?2026;";
	size_t hn = sizeof head - 1;
	bool ok;

	if (u->nrq < hn)
		ok = key == head[u->nrq];
	else if (u->nrq == hn)
		ok = key >= '0' && key <= '9';
	else if (u->rq[u->nrq - 1] == '$')
		ok = key == 'y';
	else
		ok = (key >= '0' && key <= '9') || key == '$';
	if (!ok || u->nrq >= sizeof u->rq / sizeof u->rq[0])
		return false;
	u->rq[u->nrq++] = key;
	if (key == 'y') {
		int ps = u->rq[hn] - '0';

		u->sync = u->nrq == hn + 3 && (ps == 1 || ps == 2);
		u->sync_known = true;
		u->nrq = 0;
	}
	return true;
}

/* The held keys were not the reply after all: they are keys. */
static void
rq_flush(struct ui *u)
{
	size_t n = u->nrq;

	u->nrq = 0;
	for (size_t i = 0; i < n; i++)
		handle_key(u, u->rq[i]);
}

static void
on_tty(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct ui *u = ctx;
	wint_t wc;
	int r;

	(void)fd;
	if (revents & (POLLHUP | POLLERR)) {
		/* The terminal went away (SSH dropped): stop reading it and
		 * detach; the task goes on. */
		ev_io_del(l, fileno(u->in));
		detach(u);
		return;
	}
	while ((r = wget_wch(stdscr, &wc)) != ERR) {
		int key = r == KEY_CODE_YES ? (int)(KEYMAP_FKEY | (int)wc) : (int)wc;

		if (key == (KEYMAP_FKEY | KEY_RESIZE))
			continue; /* SIGWINCH comes through the signalfd */
		if (key == (KEYMAP_FKEY | KEY_MOUSE)) {
			on_mouse(u);
			continue;
		}
		if (!u->sync_known) {
			if (rq_take(u, key))
				continue;
			if (u->nrq > 0) {
				rq_flush(u);
				if (rq_take(u, key))
					continue;
			}
		}
		handle_key(u, key);
	}
	if (u->nrq > 0)
		rq_flush(u); /* a lone Esc is a key */
}

/* SIGHUP (the terminal closed, SSH dropped) and SIGTERM (the client
 * killed) detach: the task goes on. SIGINT (kill -INT; Ctrl-C in the
 * workbench is a key) stops the task and quits. */
static void
on_signal(struct ev_loop *l, int signo, void *ctx)
{
	struct ui *u = ctx;

	(void)l;
	if (signo == SIGINT && u->editor)
		return; /* Ctrl-C typed in the editor is the editor's */
	if (signo == SIGINT)
		stop_and_quit(u);
	else
		detach(u);
}

/*
 * DH_SCRIPT hooks (ui/script.h)
 */

static void
script_key(void *ctx, int key)
{
	handle_key(ctx, key);
}

static void
script_resize(void *ctx, int cols, int rows)
{
	struct ui *u = ctx;

	resizeterm(rows, cols);
	relayout(u);
	clearok(curscr, TRUE);
}

static void
script_quit(void *ctx)
{
	stop_and_quit(ctx);
}

static bool
script_approval(void *ctx)
{
	return ((struct ui *)ctx)->pending_id != NULL;
}

static const struct script_hooks script_hooks = {
	.key = script_key,
	.resize = script_resize,
	.quit = script_quit,
	.approval = script_approval,
};

/*
 * Lifecycle
 */

static struct ui *dying; /* for the die callback only */

static void
die_endwin(void)
{
	if (dying)
		endwin();
}

int
ui_new(struct ui **out, struct ev_loop *loop, struct client *c, const struct ui_opts *o)
{
	struct ui *u = xcalloc(1, sizeof *u);
	const char *term = getenv("TERM");
	const char *nd = getenv("DH_NO_DISPLAY");
	const char *nc = getenv("NO_COLOR");

	*out = NULL;
	/* The key table first: a bad `bind` line fails before the terminal is
	 * touched. */
	keymap_init_defaults();
	for (size_t i = 0; i < o->nbinds; i++) {
		if (keymap_bind_line(o->binds[i].text) < 0) {
			char *m = xstrdup(err_msg());
			int rc = err_setc(DH_EPARSE, "%s: %s", o->binds[i].where, m);
			free(m);
			free(u);
			return rc;
		}
	}
	u->loop = loop;
	u->c = c;
	u->display = !(nd && *nd && strcmp(nd, "0"));
	if (!term || !*term)
		term = "vt100";
	if (u->display) {
		int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			free(u);
			return err_set("workbench: cannot open /dev/tty: %m (run it in a terminal, "
				       "or use 'deskhand run')");
		}
		u->in = fdopen(fd, "r");
		u->out = fdopen(fcntl(fd, F_DUPFD_CLOEXEC, 3), "w");
	} else {
		u->in = fopen("/dev/null", "re");
		u->out = fopen("/dev/null", "we");
	}
	if (!u->in || !u->out || !(u->scr = newterm(term, u->out, u->in))) {
		if (u->in)
			fclose(u->in);
		if (u->out)
			fclose(u->out);
		free(u);
		return err_set("workbench: cannot initialize the terminal (TERM=%s)", term);
	}
	set_term(u->scr);
	dying = u;
	err_set_die_callback(die_endwin);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	if (!o->no_mouse) {
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(0);
	}
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	write_tty(u, "\033[?2026$p"); /* DECRQM: synchronized output? */
	bool bad_theme = theme_load(&u->theme, o->theme) < 0;
	char *theme_err = bad_theme ? xstrdup(err_msg()) : NULL;
	if (bad_theme && theme_load(&u->theme, "default") < 0)
		u->theme = NULL;
	bool mono = theme_is_mono_terminal(nc, term, has_colors()) ||
		    (u->theme && theme_is_mono(u->theme));
	if (!mono)
		start_color();
	if (u->theme && theme_apply(u->theme, mono ? 0 : COLORS, mono) < 0 && !theme_err)
		theme_err = xstrdup(err_msg());
	draw_setup(u->theme, mono, MB_CUR_MAX > 1);
	if (theme_err)
		ui_message(u, true, "theme: %s", theme_err);
	else if (u->theme && theme_warnings(u->theme))
		ui_message(u, true, "theme: %.200s", theme_warnings(u->theme));
	free(theme_err);
	ev_timer_init(&u->frame_timer, frame_due, u);
	ev_timer_init(&u->spin_timer, spin_tick, u);
	ev_timer_init(&u->quit_timer, quit_now, u);
	const struct pane_ops *ops[LAYOUT__COUNT] = { &pane_plan_ops, &pane_transcript_ops,
						      &pane_diff_ops };
	u->focus = LAYOUT_TRANSCRIPT;
	for (int i = 0; i < LAYOUT__COUNT; i++)
		if (pane_init(&u->panes[i], ops[i], u) < 0)
			goto fail;
	if (pane_init(&u->help, &pane_help_ops, u) < 0)
		goto fail;
	relayout(u);
	client_set_handler(c, on_event, u);
	if (u->display && ev_io_set(loop, fileno(u->in), POLLIN, on_tty, u) < 0)
		goto fail;
	if (ev_signal_on(loop, SIGWINCH, on_winch, u) < 0 ||
	    ev_signal_on(loop, SIGINT, on_signal, u) < 0 ||
	    ev_signal_on(loop, SIGTERM, on_signal, u) < 0 ||
	    ev_signal_on(loop, SIGHUP, on_signal, u) < 0)
		goto fail;
	ev_prepare_add(loop, on_prepare, u);
	const char *script = getenv("DH_SCRIPT");
	if (script && *script && script_open(&u->script, script, loop, &script_hooks, u) < 0)
		goto fail;
	script_seek(u->script, o->script_pos);
	/* The session's conversation comes as history events after "hello";
	 * what the client knows already (an attach that said hello before
	 * us) shows at once. */
	apply_state(u);
	u->panes[LAYOUT_DIFF].ops->action(&u->panes[LAYOUT_DIFF], ACTION_REFRESH);
	render(u);
	*out = u;
	if (o->task && *o->task)
		start_task(u, o->task);
	else if (u->pending_id)
		u->saved_mode = IN_TASK; /* the question first, then the input line */
	else
		begin_input(u, IN_TASK);
	return 0;
fail:
	*out = u;
	ui_free(u);
	*out = NULL;
	return DH_EFAIL;
}

char *
ui_take_reopen(struct ui *u)
{
	char *id = u->reopen;

	u->reopen = NULL;
	return id;
}

size_t
ui_script_pos(const struct ui *u)
{
	return script_pos(u->script);
}

int
ui_exit_status(const struct ui *u)
{
	const char *st = u->seen_status;

	if (script_failed(u->script))
		return 1;
	if (u->detached)
		return 0;
	if (st && !strcmp(st, "interrupted"))
		return 130;
	return 0;
}

bool
ui_detached(const struct ui *u)
{
	return u->detached;
}

void
ui_free(struct ui *u)
{
	if (!u)
		return;
	if (u->editor > 1) {
		/* Quitting with the editor open (SIGTERM, SIGHUP): it goes too. */
		ev_child_forget(u->loop, u->editor);
		kill(u->editor, SIGHUP);
		waitpid(u->editor, NULL, 0);
		if (u->display)
			reset_prog_mode();
	}
	if (u->plan_file)
		unlink(u->plan_file);
	free(u->plan_file);
	free(u->reopen);
	cJSON_Delete(u->pending_input);
	client_set_handler(u->c, NULL, NULL);
	if (u->display && u->in)
		ev_io_del(u->loop, fileno(u->in));
	script_free(u->script);
	ev_timer_disarm(u->loop, &u->frame_timer);
	ev_timer_disarm(u->loop, &u->spin_timer);
	ev_timer_disarm(u->loop, &u->quit_timer);
	for (int i = 0; i < LAYOUT__COUNT; i++)
		pane_fini(&u->panes[i]);
	pane_fini(&u->help);
	for (int i = 0; i < 2; i++)
		if (u->sep_w[i])
			delwin(u->sep_w[i]);
	if (u->status_w)
		delwin(u->status_w);
	if (u->input_w)
		delwin(u->input_w);
	endwin();
	delscreen(u->scr);
	dying = NULL;
	err_set_die_callback(NULL);
	fclose(u->in);
	fclose(u->out);
	buf_fini(&u->in_task);
	buf_fini(&u->in_line);
	buf_fini(&u->msg);
	free(u->search);
	for (size_t i = 0; i < u->nhistory; i++)
		free(u->history[i]);
	free(u->pending_id);
	free(u->pending_name);
	free(u->pending_what);
	free(u->phase);
	free(u->seen_status);
	free(u->ungrant_path);
	free(u->open_spec);
	theme_free(u->theme);
	free(u);
}
