/* SPDX-License-Identifier: MIT */
/*
 * The workbench: its lifecycle (terminal setup and teardown), the loop
 * hooks, the engine's events and quitting. A client of the engine
 * (engine/client.h): a view over its events that sends it commands; no
 * agent logic and none of the engine's stores here. ui_int.h lists the
 * other files.
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
#include "core/strv.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "ui/draw.h"
#include "ui/keymap.h"
#include "ui/layout.h"
#include "ui/pane.h"
#include "ui/screen_dump.h"
#include "ui/script.h"
#include "ui/theme.h"
#include "ui/ui_int.h"

struct pane *
ui_focused(struct ui *u)
{
	return ui_overlay_shown(u) ? &u->help : &u->panes[u->focus];
}

bool
ui_task_busy(struct ui *u)
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

	/* The pid too: the engine sends a review event to every client with
	 * the asker's id, and another workbench counts from 1 as well. */
	c->req = xasprintf("%s-%ld-%lu", tag, (long)getpid(), ++u->seq);
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
	char mine[96];
	int n = snprintf(mine, sizeof mine, "%s-%ld-", tag, (long)getpid());

	return ev->re && n > 0 && (size_t)n < sizeof mine && !strncmp(ev->re, mine, (size_t)n);
}

/* Fire and forget: a failure was shown by ui_send(). */
void
ui_send_cmd(struct ui *u, struct command *c)
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
	/* One line: a tab is "^I" (a name in it reads as the list shows it). */
	draw_sanitize_name(&u->msg, tmp);
	u->msg_err = error;
	u->input_dirty = true;
}

/* What the agent does now, for the status line: `what` then `arg`. */
void
ui_set_phase(struct ui *u, const char *what, const char *arg)
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
	if (ui_task_busy(u) || u->jobs > 0)
		ev_timer_arm(l, &u->spin_timer, SPIN_MS);
}

/* Arm the spinner when something is in flight; it stops by itself. */
void
ui_spin_maybe(struct ui *u)
{
	if ((ui_task_busy(u) || u->jobs > 0) && !ev_timer_is_armed(&u->spin_timer))
		ev_timer_arm(u->loop, &u->spin_timer, SPIN_MS);
}

void
ui_review_pending(struct ui *u, long files)
{
	if (u->review_pending != files)
		u->status_dirty = true;
	u->review_pending = files;
}

void
ui_busy(struct ui *u, int delta)
{
	u->jobs += delta;
	if (u->jobs < 0)
		u->jobs = 0;
	u->status_dirty = true;
	ui_spin_maybe(u);
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
	return u->detached || (u->quitting && !ui_task_busy(u));
}

void
ui_detach(struct ui *u)
{
	u->detached = true;
	u->quitting = true;
	ui_mode_reset(u);
	ev_quit(u->loop);
}

void
ui_hang_up(struct ui *u)
{
	u->hung_up = true;
	ui_detach(u);
}

static void
on_prepare(struct ev_loop *l, void *ctx)
{
	struct ui *u = ctx;

	if (!u->detached && client_closed(u->c)) {
		log_info("workbench: the engine connection is gone (%s): detaching",
			 client_error(u->c) ? client_error(u->c) : "closed");
		ui_detach(u);
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
	ui_render(u);
	script_pump(u->script);
	/* The script may have just quit: do not sleep until the grace timer. */
	if (quit_due(u))
		ev_quit(l);
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

/* What the snapshot says that the history does not: the plan's current
 * statuses, the pending approval, whether a task runs now. */
static void
apply_state(struct ui *u)
{
	const struct client_state *st = client_state(u->c);

	if (st->plan && cJSON_IsArray(st->plan)) {
		struct event ev = { .type = EVENT_PLAN_UPDATED, .steps = st->plan };
		replay_to_panes(u, &ev);
	}
	/* The history (or the snapshot) brought the plan: the plan pane is as
	 * tall as its steps, laid out now rather than at the next resize. */
	ui_relayout(u);
	if (st->busy && !u->task_start) {
		/* the task's own start (attaching late: "task 40s", not "task 0s") */
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		long long ago_ms = st->task_started_ns > 0
		                           ? ((long long)now.tv_sec * 1000000000LL + now.tv_nsec -
		                              st->task_started_ns) / 1000000
		                           : 0;
		uint64_t mono = ev_now_ms();

		u->task_start = ago_ms > 0 && (uint64_t)ago_ms < mono ? mono - (uint64_t)ago_ms : mono;
		ui_set_phase(u, st->activity ? st->activity : "working", NULL);
	} else if (!st->busy && st->activity && !u->phase) {
		ui_set_phase(u, st->activity, NULL);
	}
	/* A waiting approval or form goes after the history it is about: not at
	 * the first call (ui_open), before the history came. */
	if (u->history_done) {
		ui_approval_show_pending(u, st->pending);
		ui_form_show_pending(u, st->elicitations);
	}
	if (st->state_dir && !u->in_history && !u->first_note && !st->session && !st->ngrants) {
		/* A first run: nothing granted yet; say how, where the work shows. */
		struct event ev = {
			.type = EVENT_STATUS,
			.text = "No folder is granted yet: the agent works only in folders you "
				"grant. Type :grant DIR (Tab completes it), or start with "
				"deskhand --grant DIR.",
		};
		u->panes[LAYOUT_TRANSCRIPT].ops->on_event(&u->panes[LAYOUT_TRANSCRIPT], &ev);
		u->first_note = true;
		/* The hint line (:grant) rather than an empty task line. */
		if (u->mode == IN_TASK && editline_is_empty(&u->in_task))
			ui_mode_drop(u, IN_TASK);
	}
	u->frame_all = u->status_dirty = u->input_dirty = true;
	ui_spin_maybe(u);
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
		u->history_done = true;
		apply_state(u);
		ui_inbox_refresh(u);
		u->panes[LAYOUT_DIFF].ops->action(&u->panes[LAYOUT_DIFF], ACTION_REFRESH);
		return;
	case EVENT_DETACHED:
		ui_message(u, true, "the engine dropped this client: %s",
			   ev->text ? ev->text : "?");
		ui_detach(u);
		return;
	case EVENT_NOTICE: /* never history: the engine does not record it */
		ui_inbox_notice(u, ev);
		return;
	default:
		break;
	}
	/* A reply is never history, even when it comes before history_end. */
	if ((ev->type == EVENT_REPLY || ev->type == EVENT_ERROR) && ev->re) {
		if (ui_cmd_reply(u, ev))
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
	ui_live_event(u, ev);
}

static void
trust_answered(struct ui *u, int key, void *ctx)
{
	struct command c = { .type = COMMAND_MCP_TRUST, .path = u->mcp_trust_path };

	(void)ctx;
	if (key == 'y' && ui_send(u, &c, "ui-cmd") == 0)
		ui_message(u, false, "trusted %s: its connectors are starting",
			   u->mcp_trust_path);
	else if (key != 'y')
		ui_message(u, false, "not trusted: its connectors stay off");
	free(u->mcp_trust_path);
	u->mcp_trust_path = NULL;
}

/* A granted folder's .mcp.json started nothing: offer, once, to trust it,
 * saying what it would run. */
static void
offer_trust(struct ui *u, const struct event *ev)
{
	const char *what = ev->text ? strstr(ev->text, "It would run: ") : NULL;
	const char *end = what ? strstr(what, ". To allow it") : NULL;
	char *q;

	if (!ev->name)
		return;
	free(u->mcp_trust_path);
	u->mcp_trust_path = xstrdup(ev->name);
	if (what && end)
		q = xasprintf("Trust %s? y/n · it would run %.*s", ev->name,
			      (int)(end - what - 14), what + 14);
	else
		q = xasprintf("Trust %s and start its connectors? y/n", ev->name);
	ui_ask(u, q, "yn", 0, trust_answered, NULL);
	free(q);
}

/* A task started live. One this client started is on the screen already
 * (ui_task_shown; a prompt's text comes with its reply); one another client
 * attached to the session started is shown the same way, so every workbench
 * shows what was asked and that a task runs, not the last one's end. */
static void
task_started(struct ui *u, const struct event *ev)
{
	bool ours = u->prompting ||
		    (u->shown_task && ev->task && strcmp(u->shown_task, ev->task) == 0);

	free(u->shown_task);
	u->shown_task = NULL;
	if (ours || !ev->task)
		return;
	ui_task_shown(u, ev->task);
	free(u->shown_task);
	u->shown_task = NULL;
}

void
ui_live_event(struct ui *u, const struct event *ev)
{
	script_event(u->script, ev);
	for (int i = 0; i < LAYOUT__COUNT; i++)
		if (u->panes[i].ops->on_event)
			u->panes[i].ops->on_event(&u->panes[i], ev);
	switch (ev->type) {
	case EVENT_PLAN_PROPOSED:
	case EVENT_PLAN_UPDATED:
		if (u->lay.kind == LAYOUT_STACKED)
			ui_relayout(u); /* the plan pane is as tall as its steps */
		break;
	case EVENT_TURN_STARTED:
		ui_set_phase(u, "thinking", NULL);
		break;
	case EVENT_TEXT_DELTA:
		if (!u->phase || strcmp(u->phase, "writing"))
			ui_set_phase(u, "writing", NULL);
		/* Deltas only mark the transcript dirty; the frame timer paints. */
		u->throttle = ev_now_ms() - u->last_frame < FRAME_MS;
		return;
	case EVENT_TOOL_OUTPUT:
		/* Like deltas: the transcript is dirty, the frame timer paints. */
		u->throttle = ev_now_ms() - u->last_frame < FRAME_MS;
		return;
	case EVENT_TOOL_CALL:
		free(u->call_id);
		free(u->call_name);
		u->call_id = xstrdup(ev->id ? ev->id : "");
		u->call_name = xstrdup(ev->name ? ev->name : "?");
		u->call_start = ev_now_ms(); /* until an approval_needed says it waits */
		ui_set_phase(u, "running", ev->name);
		break;
	case EVENT_TOOL_RESULT:
		u->call_start = 0;
		ui_set_phase(u, "working", NULL);
		break;
	case EVENT_USAGE: /* the totals are the client state's */
		u->status_dirty = true;
		break;
	case EVENT_SESSION_STARTED:
		u->status_dirty = true;
		if (!u->in_history)
			task_started(u, ev);
		break;
	case EVENT_STATUS:
		ui_set_phase(u, ev->phase ? ev->phase : "?", NULL);
		break;
	case EVENT_APPROVAL_NEEDED:
		if (u->call_id && ev->id && !strcmp(u->call_id, ev->id))
			u->call_start = 0; /* it waits: it has not started */
		ui_approval_needed(u, ev);
		break;
	case EVENT_APPROVAL_DECIDED:
	case EVENT_PLAN_DECIDED:
		if (u->pending_id && ev->id && !strcmp(u->pending_id, ev->id))
			ui_approval_decided_elsewhere(u, ev); /* not by us: decide() forgot it */
		/* Not "awaiting approval" any more: the call runs from now (a
		 * network approval lets the call that asked go on). */
		if (ev->type == EVENT_APPROVAL_DECIDED && u->call_name) {
			bool this_call = ev->id && u->call_id && !strcmp(ev->id, u->call_id);

			if (this_call && !ev->approved) {
				u->call_start = 0;
				ui_set_phase(u, "working", NULL);
			} else {
				if (this_call || !u->call_start)
					u->call_start = ev_now_ms();
				ui_set_phase(u, "running", u->call_name);
			}
		} else if (ev->type == EVENT_APPROVAL_DECIDED) {
			/* attached at the prompt: the call's start came before us */
			ui_set_phase(u, "working", NULL);
		}
		if (ev->type == EVENT_PLAN_DECIDED && u->lay.kind == LAYOUT_STACKED)
			ui_relayout(u); /* its last line changed */
		break;
	case EVENT_ELICITATION_NEEDED:
		ui_form_needed(u, ev);
		break;
	case EVENT_ELICITATION_DECIDED:
		ui_form_decided(u, ev);
		break;
	case EVENT_MCP_UNTRUSTED:
		offer_trust(u, ev);
		break;
	case EVENT_AUTHORIZATION_NEEDED: /* the URL may be for a browser elsewhere: copied */
		if (!u->in_history && ev->url)
			ui_message(u, true, "connector %s needs authorization: open the URL%s; then "
					    ":authorize %s URL-THE-BROWSER-ENDED-ON if it is not on this machine",
				   ev->name ? ev->name : "?",
				   ui_copy_text(u, ev->url, strlen(ev->url)) == 0 ? " (copied)" : "",
				   ev->name ? ev->name : "SERVER");
		break;
	case EVENT_SESSION_FINISHED:
		u->task_end = ev_now_ms();
		u->call_start = 0;
		u->starting = false;
		free(u->seen_status);
		u->seen_status = xstrdup(ev->status ? ev->status : "?");
		ui_set_phase(u, ev->status ? ev->status : "finished", NULL);
		ui_approval_clear(u);
		if (!u->quitting)
			ui_message(u, !ev->status || strcmp(ev->status, "done") != 0,
				   "task %s. i: type a follow-up task, q: quit",
				   ev->status ? ev->status : "ended");
		ui_inbox_refresh(u);
		break;
	case EVENT_REVIEW: /* an accept may empty an entry */
		ui_inbox_refresh(u);
		break;
	default:
		break;
	}
	u->input_dirty = true;
	ui_spin_maybe(u);
}

static void
quit_answer(struct ui *u, int key, void *ctx)
{
	(void)ctx;
	if (key == 'd')
		ui_detach(u);
	else if (key == 's')
		ui_stop_and_quit(u);
}

void
ui_request_quit(struct ui *u)
{
	if (ui_task_busy(u)) { /* detach (the default), stop it, or cancel */
		ui_ask(u, "The agent is working: d detach (it goes on), s stop the task, Esc cancel",
		       "ds", 'd', quit_answer, NULL);
		return;
	}
	u->quitting = true;
	ev_timer_arm(u->loop, &u->quit_timer, QUIT_GRACE_MS);
}

void
ui_interrupt(struct ui *u)
{
	struct command c = { .type = COMMAND_INTERRUPT };

	if (!ui_task_busy(u))
		return;
	ui_send_cmd(u, &c);
	u->interrupted = true;
	ui_message(u, false, "interrupting");
}

/* Interrupt the task, then quit once it ended (or after a grace time). */
void
ui_stop_and_quit(struct ui *u)
{
	struct command c = { .type = COMMAND_INTERRUPT };

	ui_mode_reset(u);
	u->quitting = true;
	if (ui_task_busy(u)) {
		ui_send_cmd(u, &c);
		u->interrupted = true;
	}
	ev_timer_arm(u->loop, &u->quit_timer, QUIT_GRACE_MS);
}

/* SIGHUP (the terminal closed, SSH dropped) and SIGTERM (the client
 * killed) detach: the task goes on; after a hangup the workbench leaves
 * without waiting for an idle engine to exit. SIGINT (kill -INT; Ctrl-C in the
 * workbench is a key) stops the task and quits. */
static void
on_signal(struct ev_loop *l, int signo, void *ctx)
{
	struct ui *u = ctx;

	(void)l;
	if (signo == SIGINT && u->editor)
		return; /* Ctrl-C typed in the editor is the editor's */
	if (signo == SIGINT)
		ui_stop_and_quit(u);
	else if (signo == SIGHUP)
		ui_hang_up(u);
	else
		ui_detach(u);
}

static void
script_key(void *ctx, int key)
{
	ui_handle_key(ctx, key);
}

static void
script_resize(void *ctx, int cols, int rows)
{
	struct ui *u = ctx;

	resizeterm(rows, cols);
	ui_relayout(u);
	clearok(curscr, TRUE);
}

static void
script_quit(void *ctx)
{
	ui_stop_and_quit(ctx);
}

static bool
script_approval(void *ctx)
{
	enum input_mode m = ((struct ui *)ctx)->mode;

	return m == IN_APPROVAL || m == IN_PLAN;
}

static bool
script_busy(void *ctx)
{
	return ((struct ui *)ctx)->jobs > 0;
}

static struct ui *dying; /* for the die callback only */

static void
die_endwin(void)
{
	if (dying)
		endwin();
}

static const struct script_hooks script_hooks = {
	.key = script_key,
	.resize = script_resize,
	.quit = script_quit,
	.approval = script_approval,
	.busy = script_busy,
};

/* A theme that failed (`err`, else NULL) or its file's warnings, one line
 * each, as errors in the transcript: the message line would be hidden under
 * the task line and cleared by the first task. */
static void
theme_report(struct ui *u, const char *err)
{
	const char *w = err ? err : theme_warnings(u->theme);
	struct pane *p = &u->panes[LAYOUT_TRANSCRIPT];

	while (w && *w) {
		size_t n = strcspn(w, "\n");
		char *line = xasprintf("theme: %.*s", (int)n, w);
		struct event ev = { .type = EVENT_ERROR, .text = line };

		p->ops->on_event(p, &ev);
		free(line);
		w += n + (w[n] == '\n');
	}
}

int
ui_binds_apply(const struct config_line *binds, size_t nbinds)
{
	if (keymap_init_defaults() < 0)
		return DH_EFAIL;
	for (size_t i = 0; i < nbinds; i++) {
		if (keymap_bind_line(binds[i].text) < 0) {
			/* it quotes the line's words: made printable */
			char *m = xstrdup(err_msg());
			struct buf shown = BUF_INIT;
			int rc = err_setc(DH_EPARSE, "%s: %s", binds[i].where,
			                  utf8_sanitized(&shown, m));

			buf_fini(&shown);
			free(m);
			return rc;
		}
	}
	return 0;
}

const char *
ui_term_name(void)
{
	const char *term = getenv("TERM");

	return term && *term ? term : "vt100";
}

bool
ui_no_display(void)
{
	const char *nd = getenv("DH_NO_DISPLAY");

	return nd && *nd && strcmp(nd, "0");
}

int
ui_new(struct ui **out, struct ev_loop *loop, struct client *c, const struct ui_opts *o)
{
	struct ui *u = xcalloc(1, sizeof *u);
	const char *term = ui_term_name();
	const char *nc = getenv("NO_COLOR");

	*out = NULL;
	/* The key table first: a bad `bind` line fails before the terminal is
	 * touched. */
	int rc = ui_binds_apply(o->binds, o->nbinds);
	if (rc < 0) {
		free(u);
		return rc;
	}
	u->loop = loop;
	u->c = c;
	u->review_pending = -1;
	u->compl_i = -1;
	u->display = !ui_no_display();
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
	ui_write_tty(u, "\033[?2026$p"); /* DECRQM: synchronized output? */
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
	u->meta8 = MB_CUR_MAX == 1;
	ev_timer_init(&u->frame_timer, ui_frame_due, u);
	ev_timer_init(&u->spin_timer, spin_tick, u);
	ev_timer_init(&u->quit_timer, quit_now, u);
	const struct pane_ops *ops[LAYOUT__COUNT] = { &pane_plan_ops, &pane_transcript_ops,
						      &pane_diff_ops };
	u->focus = LAYOUT_TRANSCRIPT;
	for (int i = 0; i < LAYOUT__COUNT; i++) {
		if (pane_init(&u->panes[i], ops[i], u) < 0) {
			free(theme_err);
			goto fail;
		}
	}
	if (pane_init(&u->help, &pane_help_ops, u) < 0) {
		free(theme_err);
		goto fail;
	}
	theme_report(u, theme_err);
	free(theme_err);
	ui_relayout(u);
	client_set_handler(c, on_event, u);
	if (u->display && ev_io_set(loop, fileno(u->in), POLLIN, ui_on_tty, u) < 0)
		goto fail;
	if (ev_signal_on(loop, SIGWINCH, ui_on_winch, u) < 0 ||
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
	ui_render(u);
	*out = u;
	/* Attached to a task that runs, keys go to the panes (i steers), as in
	 * the workbench that started it: no input line is opened. */
	if (o->task && *o->task)
		ui_start_task(u, o->task);
	else if (!ui_task_busy(u) && u->pending_id)
		ui_mode_push(u, IN_TASK, true); /* the question first, then the input line */
	else if (!ui_task_busy(u) && !u->first_note)
		ui_begin_input(u, IN_TASK);
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

bool
ui_hung_up(const struct ui *u)
{
	return u->hung_up;
}

void
ui_free(struct ui *u)
{
	char *note = NULL;

	if (!u)
		return;
	if (u->editor > 1) {
		/* Quitting with the editor open (SIGTERM, SIGHUP): it is told to
		 * go too, and waited for 3 s at most. */
		note = ui_editor_abandon(u);
		if (u->display)
			reset_prog_mode();
	}
	if (u->plan_file)
		unlink(u->plan_file);
	free(u->plan_file);
	free(u->page_path);
	free(u->page_title);
	free(u->editor_prog);
	buf_fini(&u->plan_text);
	free(u->reopen);
	cJSON_Delete(u->pending_input);
	ui_form_fini(u);
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
	if (note)
		fputs(note, stderr); /* the shell's screen again; after a hangup, nowhere */
	free(note);
	fclose(u->in);
	fclose(u->out);
	editline_fini(&u->in_task);
	editline_fini(&u->in_line);
	buf_fini(&u->kill);
	buf_fini(&u->msg);
	buf_fini(&u->ask_text);
	free(u->ask_keys);
	free(u->search);
	for (size_t i = 0; i < u->nhistory; i++)
		free(u->history[i]);
	free(u->pending_id);
	free(u->pending_name);
	free(u->pending_what);
	free(u->pending_arg);
	free(u->phase);
	free(u->call_id);
	free(u->call_name);
	free(u->seen_status);
	free(u->shown_task);
	free(u->mcp_trust_path);
	free(u->ungrant_path);
	free(u->open_spec);
	strv_free(&u->compl);
	strv_free(&u->session_ids);
	strv_free(&u->prompt_names);
	strv_free(&u->prompt_args);
	theme_free(u->theme);
	free(u);
}
