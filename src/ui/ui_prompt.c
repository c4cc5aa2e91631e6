/* SPDX-License-Identifier: MIT */
/*
 * The workbench's input: which mode keys belong to (one stack of modes, its
 * top the current one), the mode table that routes keys and says what the
 * input line shows, and the keys of the task, `:`, `/`, message and form
 * lines (the edits themselves are editline.c's). What an approval or a
 * command does is ui_approval.c's and ui_cmd.c's.
 */
#include <ctype.h>
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


/*
 * The mode stack
 */

static bool
is_line(enum input_mode m)
{
	return m == IN_TASK || m == IN_COMMAND || m == IN_SEARCH || m == IN_DENY ||
	       m == IN_REJECT || m == IN_FORM;
}

void
ui_mode_push(struct ui *u, enum input_mode m, bool below)
{
	if (u->nunder == UI_MODE_DEPTH) { /* full: the oldest suspended mode goes */
		memmove(u->under, u->under + 1, (UI_MODE_DEPTH - 1) * sizeof *u->under);
		u->nunder--;
	}
	if (below && u->mode != IN_NONE) {
		u->under[u->nunder++] = m;
	} else {
		if (u->mode != IN_NONE)
			u->under[u->nunder++] = u->mode;
		u->mode = m;
	}
	u->input_dirty = u->frame_all = true;
}

void
ui_mode_pop(struct ui *u)
{
	u->mode = u->nunder ? u->under[--u->nunder] : IN_NONE;
	u->input_dirty = u->frame_all = true;
}

void
ui_mode_drop(struct ui *u, enum input_mode m)
{
	size_t j = 0;

	for (size_t i = 0; i < u->nunder; i++)
		if (u->under[i] != m)
			u->under[j++] = u->under[i];
	u->nunder = j;
	if (u->mode == m)
		ui_mode_pop(u);
	u->input_dirty = u->frame_all = true;
}

void
ui_mode_reset(struct ui *u)
{
	u->mode = IN_NONE;
	u->nunder = 0;
	u->input_dirty = u->frame_all = true;
}

void
ui_mode_approval_begin(struct ui *u, bool plan)
{
	ui_mode_approval_end(u);
	/* Under a question, and under a line being typed: the keys already on
	 * their way are the line's, not answers ("stay" would allow a call). */
	ui_mode_push(u, plan ? IN_PLAN : IN_APPROVAL, u->mode == IN_ASK || ui_mode_prompt(u));
}

void
ui_mode_approval_end(struct ui *u)
{
	static const enum input_mode ms[] = { IN_DENY, IN_REJECT, IN_APPROVAL, IN_PLAN };

	for (size_t i = 0; i < sizeof ms / sizeof *ms; i++)
		ui_mode_drop(u, ms[i]);
}

bool
ui_overlay_shown(const struct ui *u)
{
	enum input_mode m = u->mode;
	size_t i = u->nunder;

	while (is_line(m) || m == IN_ASK) {
		if (i == 0)
			return false;
		m = u->under[--i];
	}
	return m == IN_OVERLAY;
}

bool
ui_mode_is_line(const struct ui *u)
{
	return is_line(u->mode);
}

struct editline *
ui_cur_input(struct ui *u)
{
	if (u->mode == IN_FORM)
		return ui_form_line(u);
	return u->mode == IN_TASK ? &u->in_task : &u->in_line;
}

void
ui_task_shown(struct ui *u, const char *text)
{
	struct event ev = { .type = EVENT_USER_MESSAGE, .text = text };
	u->panes[LAYOUT_TRANSCRIPT].ops->on_event(&u->panes[LAYOUT_TRANSCRIPT], &ev);
	free(u->shown_task);
	u->shown_task = xstrdup(text);
	u->task_start = ev_now_ms();
	u->task_end = 0;
	u->interrupted = false;
	buf_clear(&u->msg);
	ui_set_phase(u, "starting", NULL);
}

void
ui_start_task(struct ui *u, const char *text)
{
	if (ui_task_busy(u)) {
		struct command c = { .type = COMMAND_STEER, .text = (char *)text };
		if (ui_send(u, &c, "ui-cmd") == 0)
			ui_message(u, false, "steer queued: the agent reads it at its next turn");
		return;
	}
	ui_task_shown(u, text);
	struct command c = { .type = COMMAND_START, .text = (char *)text };
	u->starting = ui_send(u, &c, "ui-start") == 0;
	ui_spin_maybe(u);
}

/* Enter: the line leaves its mode first (what it runs may enter another). */
static void
submit(struct ui *u)
{
	enum input_mode m = u->mode;
	struct editline *in = ui_cur_input(u);
	char *text = xstrdup(editline_text(in));

	editline_clear(in);
	ui_mode_pop(u);
	switch (m) {
	case IN_TASK:
		if (*text)
			ui_start_task(u, text);
		break;
	case IN_COMMAND:
		if (*text && u->nhistory < sizeof u->history / sizeof *u->history)
			u->history[u->nhistory++] = xstrdup(text);
		ui_cmd_run(u, text);
		break;
	case IN_SEARCH:
		if (*text) {
			free(u->search);
			u->search = xstrdup(text);
		}
		if (u->search && !pane_search(ui_focused(u), u->search, 1))
			ui_message(u, true, "not found: %s", u->search);
		break;
	case IN_DENY:
	case IN_REJECT:
		ui_approval_send(u, false, *text ? text : NULL);
		break;
	default:
		break;
	}
	free(text);
}

/* Esc: interrupt a running task, or leave the line (a task's text stays). */
static void
line_escape(struct ui *u)
{
	if (u->mode == IN_TASK && ui_task_busy(u))
		ui_interrupt(u);
	if (u->mode != IN_TASK)
		editline_clear(ui_cur_input(u));
	ui_mode_pop(u);
}

/* C-c: interrupt a running task, else empty the line. */
static void
line_cancel(struct ui *u)
{
	if (ui_task_busy(u))
		ui_interrupt(u);
	else
		editline_clear(ui_cur_input(u));
}

/* Up/Down on the `:` line: the commands run before, oldest first. */
static void
history_move(struct ui *u, long dir)
{
	struct editline *in = ui_cur_input(u);
	long n = (long)u->nhistory;

	u->hist_pos += dir;
	if (u->hist_pos < 0)
		u->hist_pos = 0;
	if (u->hist_pos > n)
		u->hist_pos = n;
	if (u->hist_pos < n)
		editline_set(in, u->history[u->hist_pos], strlen(u->history[u->hist_pos]));
	else
		editline_clear(in);
}

static void
history_prev(struct ui *u)
{
	history_move(u, -1);
}

static void
history_next(struct ui *u)
{
	history_move(u, 1);
}

/* `:` on an empty task line is the command line, as it is from the panes
 * (the task line is where the cursor waits at the start). */
static void
task_command(struct ui *u)
{
	ui_begin_input(u, IN_COMMAND);
}

/* The line modes' own keys, looked at before the keymap's line context:
 * what they do depends on the mode. */
static const struct line_key {
	int key;
	enum input_mode mode; /* only in this mode; IN_NONE: in every line mode */
	bool empty;	      /* only when the line is empty */
	bool completing;      /* Tab's candidates stay (the next Tab cycles them) */
	void (*fn)(struct ui *u);
} line_keys[] = {
	{ .key = 27, .mode = IN_NONE, .fn = line_escape },
	{ .key = 3, .mode = IN_NONE, .fn = line_cancel },
	{ .key = '\t', .mode = IN_COMMAND, .completing = true, .fn = ui_cmd_complete },
	{ .key = KEYMAP_FKEY | KEY_UP, .mode = IN_COMMAND, .fn = history_prev },
	{ .key = KEYMAP_FKEY | KEY_DOWN, .mode = IN_COMMAND, .fn = history_next },
	{ .key = ':', .mode = IN_TASK, .empty = true, .fn = task_command },
};

/* The keymap's line actions (KEYMAP_LINE) as edits. Home and End on an
 * empty line go on to the panes: with nothing typed they scroll as they do
 * outside the line. */
static const struct {
	enum editline_op op;
	bool pane_if_empty;
} line_ops[ACTION__COUNT] = {
	[ACTION_LINE_LEFT] = { EDITLINE_LEFT, false },
	[ACTION_LINE_RIGHT] = { EDITLINE_RIGHT, false },
	[ACTION_LINE_START] = { EDITLINE_START, true },
	[ACTION_LINE_END] = { EDITLINE_END, true },
	[ACTION_LINE_BACKSPACE] = { EDITLINE_BACKSPACE, false },
	[ACTION_LINE_DELETE] = { EDITLINE_DELETE, false },
	[ACTION_LINE_KILL_END] = { EDITLINE_KILL_END, false },
	[ACTION_LINE_KILL_START] = { EDITLINE_KILL_START, false },
	[ACTION_LINE_KILL_WORD] = { EDITLINE_KILL_WORD, false },
	[ACTION_LINE_YANK] = { EDITLINE_YANK, false },
	[ACTION_LINE_WORD_LEFT] = { EDITLINE_WORD_LEFT, false },
	[ACTION_LINE_WORD_RIGHT] = { EDITLINE_WORD_RIGHT, false },
	[ACTION_LINE_KILL_WORD_LEFT] = { EDITLINE_KILL_WORD_LEFT, false },
	[ACTION_LINE_KILL_WORD_RIGHT] = { EDITLINE_KILL_WORD_RIGHT, false },
};

/* A key on a line mode. Returns true when the line took it; false sends it
 * on to the panes (function keys the line has no use for, Tab). */
static bool
edit_key(struct ui *u, int key)
{
	struct editline *in = ui_cur_input(u);

	for (size_t i = 0; i < sizeof line_keys / sizeof *line_keys; i++) {
		const struct line_key *k = &line_keys[i];

		if (k->key != key || (k->mode != IN_NONE && k->mode != u->mode) ||
		    (k->empty && !editline_is_empty(in)))
			continue;
		k->fn(u);
		if (!k->completing)
			ui_cmd_complete_reset(u);
		u->input_dirty = true;
		return true;
	}
	enum action a = keymap_lookup(KEYMAP_LINE, key);
	if (a == ACTION_SEND) {
		submit(u);
		return true;
	}
	if (line_ops[a].op != EDITLINE_NONE) {
		if (line_ops[a].pane_if_empty && editline_is_empty(in) && (key & KEYMAP_FKEY))
			return false;
		editline_apply(in, line_ops[a].op, &u->kill);
	} else if (a != ACTION_NONE) { /* `bind line KEY ACTION` of another action */
		ui_global_action(u, a);
		return true;
	} else if (key & (KEYMAP_FKEY | KEYMAP_ALT) || key == '\t') {
		return false; /* movement and focus keys still work */
	} else if (key >= 32) {
		char mb[8];
		mbstate_t st = { 0 };
		size_t n = wcrtomb(mb, (wchar_t)key, &st);
		if (n != (size_t)-1)
			editline_insert(in, mb, n);
	}
	ui_cmd_complete_reset(u);
	u->input_dirty = true;
	return true;
}

void
ui_begin_input(struct ui *u, enum input_mode m)
{
	if (is_line(u->mode) && is_line(m) && u->mode != IN_DENY && u->mode != IN_REJECT &&
	    u->mode != IN_FORM && m != IN_FORM)
		u->mode = m; /* one line replaces another */
	else if (u->mode != m)
		ui_mode_push(u, m, false);
	if (m != IN_TASK)
		editline_clear(&u->in_line);
	u->hist_pos = (long)u->nhistory;
	ui_cmd_complete_reset(u);
	u->input_dirty = true;
}

void
ui_global_action(struct ui *u, enum action a)
{
	struct pane *p = ui_focused(u);
	enum pane_result r;

	switch (a) {
	case ACTION_FOCUS_NEXT:
	case ACTION_FOCUS_PREV:
		u->focus = (u->focus + (a == ACTION_FOCUS_NEXT ? 1 : LAYOUT__COUNT - 1)) %
			   LAYOUT__COUNT;
		if (u->lay.kind == LAYOUT_SINGLE) {
			ui_relayout(u);
		} else {
			for (int i = 0; i < LAYOUT__COUNT; i++) {
				u->panes[i].focused = i == (int)u->focus;
				u->panes[i].dirty = true;
			}
		}
		break;
	case ACTION_MAXIMIZE:
		u->maximized = !u->maximized;
		ui_relayout(u);
		break;
	case ACTION_COPY:
		ui_copy_selection(u, p);
		break;
	case ACTION_REDRAW:
		clearok(curscr, TRUE);
		u->frame_all = true;
		break;
	case ACTION_HELP: {
		struct buf b = BUF_INIT;
		keymap_help(&b);
		ui_show_overlay(u, "keys", buf_cstr(&b));
		pane_help_set_table(&u->help);
		buf_fini(&b);
		break;
	}
	case ACTION_COMMAND:
		ui_begin_input(u, IN_COMMAND);
		break;
	case ACTION_QUIT:
		ui_request_quit(u);
		break;
	case ACTION_DETACH:
		ui_detach(u);
		break;
	case ACTION_SEARCH:
		ui_begin_input(u, IN_SEARCH);
		break;
	case ACTION_SEARCH_NEXT:
	case ACTION_SEARCH_PREV:
		if (!u->search)
			ui_message(u, true, "no search yet: / searches");
		else if (!pane_search(p, u->search, a == ACTION_SEARCH_NEXT ? 1 : -1))
			ui_message(u, true, "not found: %s", u->search);
		break;
	case ACTION_INPUT:
		ui_begin_input(u, IN_TASK);
		break;
	case ACTION_INTERRUPT:
		ui_interrupt(u);
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
		if (r & PANE_QUIT)
			ui_mode_drop(u, IN_OVERLAY);
		break;
	}
}

/* The question is answered: the mode before it comes back, then the
 * answer goes to whoever asked (who may ask again). */
static void
answer(struct ui *u, int key)
{
	ui_answer_fn *fn = u->ask_fn;
	void *ctx = u->ask_ctx;

	u->ask_fn = NULL;
	u->ask_ctx = NULL;
	free(u->ask_keys);
	u->ask_keys = NULL;
	buf_clear(&u->ask_text);
	ui_mode_drop(u, IN_ASK);
	if (fn)
		fn(u, key, ctx);
}

void
ui_ask_dismiss(struct ui *u, ui_answer_fn *fn)
{
	if (u->ask_fn == fn)
		answer(u, 0);
}

void
ui_ask(struct ui *u, const char *question, const char *keys, int enter, ui_answer_fn *fn,
       void *ctx)
{
	if (u->ask_fn || u->mode == IN_ASK)
		answer(u, 0);
	buf_clear(&u->ask_text);
	draw_sanitize(&u->ask_text, question, strlen(question), false);
	u->ask_keys = xstrdup(keys);
	for (char *k = u->ask_keys; *k; k++)
		*k = (char)tolower((unsigned char)*k);
	u->ask_enter = enter;
	u->ask_keys_first = strstr(question, " · ") != NULL;
	u->ask_fn = fn;
	u->ask_ctx = ctx;
	ui_mode_push(u, IN_ASK, false);
}

/*
 * The mode table: each mode's key handler and what the input line shows.
 */

static void
clear_message(struct ui *u)
{
	if (u->msg.len) {
		buf_clear(&u->msg);
		u->input_dirty = true;
	}
}

/* IN_NONE: the focused pane's keys, then the global ones. */
static void
normal_key(struct ui *u, int key)
{
	clear_message(u);
	enum action a = keymap_lookup(ui_focused(u)->ops->ctx, key);
	if (a != ACTION_NONE)
		ui_global_action(u, a);
}

/* Of the global keys, those that make sense in an overlay: every movement
 * the help lists (C-d, Home…, and what `bind global` gives them), search,
 * copy, the command line and detach. */
static const enum action overlay_globals[] = {
	ACTION_UP, ACTION_DOWN, ACTION_PAGE_UP, ACTION_PAGE_DOWN, ACTION_HALF_UP,
	ACTION_HALF_DOWN, ACTION_TOP, ACTION_BOTTOM, ACTION_SEARCH, ACTION_SEARCH_NEXT,
	ACTION_SEARCH_PREV, ACTION_COPY, ACTION_COMMAND, ACTION_DETACH,
};

static void
overlay_key(struct ui *u, int key)
{
	clear_message(u);
	enum action a = keymap_lookup(KEYMAP_HELP, key);
	if (a == ACTION_NONE) {
		enum action g = keymap_lookup(KEYMAP_GLOBAL, key);
		for (size_t i = 0; i < sizeof overlay_globals / sizeof *overlay_globals; i++)
			if (g == overlay_globals[i])
				a = g;
	}
	if (a == ACTION_QUIT) /* q, Esc, ? close the overlay, not the workbench */
		ui_mode_drop(u, IN_OVERLAY);
	else if (a == ACTION_EXPAND)
		ui_cmd_open_selected(u);
	else if (a != ACTION_NONE)
		ui_global_action(u, a);
}

/* IN_APPROVAL, IN_PLAN: the approval keys; the others move and search as
 * in IN_NONE (to read the call before answering). */
static void
approval_key(struct ui *u, int key)
{
	clear_message(u);
	enum action a = keymap_lookup(KEYMAP_APPROVAL, key);
	if (a != ACTION_NONE)
		ui_approval_action(u, a);
	else
		normal_key(u, key);
}

static void
line_key(struct ui *u, int key)
{
	if (edit_key(u, key))
		return;
	if (key == '\t' && u->mode == IN_TASK) {
		ui_mode_pop(u); /* Tab leaves the line; the text stays */
		u->input_dirty = true;
	}
	normal_key(u, key);
}

static void
ask_key(struct ui *u, int key)
{
	int k = key > 0 && key < 128 ? tolower(key) : 0;

	if (key == 27)
		answer(u, 0);
	else if (key == '\n' && u->ask_enter)
		answer(u, u->ask_enter);
	else if (k && k != '\n' && strchr(u->ask_keys, k))
		answer(u, k);
	else if (keymap_lookup(KEYMAP_GLOBAL, key) == ACTION_DETACH)
		ui_detach(u);
	/* other keys: the question stays */
}

/* IN_FORM: the form's keys; the rest edits the field's line. */
static void
form_key(struct ui *u, int key)
{
	static const struct {
		int key;
		enum ui_form_op op;
	} keys[] = {
		{ '\t', UI_FORM_NEXT },
		{ KEYMAP_FKEY | KEY_BTAB, UI_FORM_PREV },
		{ KEYMAP_FKEY | KEY_UP, UI_FORM_UP },
		{ KEYMAP_FKEY | KEY_DOWN, UI_FORM_DOWN },
		{ '\n', UI_FORM_SUBMIT }, /* and keypad Enter (ui_handle_key) */
		{ 27, UI_FORM_DECLINE },
	};

	clear_message(u);
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		if (keys[i].key == key) {
			ui_form_op(u, keys[i].op);
			return;
		}
	}
	if (keymap_lookup(KEYMAP_GLOBAL, key) == ACTION_DETACH)
		ui_detach(u);
	else if (edit_key(u, key))
		ui_form_edited(u);
}

static void
hint_normal(struct ui *u, struct buf *out, enum ui_elem *elem)
{
	*elem = UI_DIM;
	if (ui_task_busy(u))
		buf_puts(out, "i: steer  Esc: interrupt  Tab: focus  ?: help  q: quit");
	else if (client_state(u->c)->ngrants == 0)
		buf_puts(out, ":grant DIR: let the agent work in a folder  i: type a task  "
			      "?: help  q: quit");
	else
		buf_puts(out, "i: type a task  Tab: focus  ?: help  :: command  q: quit");
}

static void
hint_overlay(struct ui *u, struct buf *out, enum ui_elem *elem)
{
	*elem = UI_DIM;
	buf_puts(out, u->sessions_shown ? "j/k: move  Enter: open the session  q: close"
					: "j/k: move  /: search  q: close");
}

/* "Allow TOOL ARG? KEYS": ARG (a path or command) shortened in its middle,
 * by whole characters, so that the keys stay on the line; `out` may hold a
 * message already. */
static void
hint_approval(struct ui *u, struct buf *out, enum ui_elem *elem)
{
	static const char keys[] = "? y allow, A always, n deny, d deny with a message";
	const char *what = u->pending_what ? u->pending_what : "Allow";
	const char *arg = u->pending_arg ? u->pending_arg : "";
	struct buf clean = BUF_INIT;

	*elem = UI_PROMPT;
	draw_sanitize(&clean, what, strlen(what), false);
	buf_puts(out, buf_cstr(&clean));
	if (*arg) {
		buf_clear(&clean);
		draw_sanitize(&clean, arg, strlen(arg), false);
		int room = COLS - 2 - draw_width(buf_cstr(out)) - draw_width(keys);
		buf_putc(out, ' ');
		draw_elide(out, buf_cstr(&clean), room > 8 ? room : 8);
	}
	buf_puts(out, keys);
	buf_fini(&clean);
}

static void
hint_plan(struct ui *u, struct buf *out, enum ui_elem *elem)
{
	(void)u;
	*elem = UI_PROMPT;
	buf_puts(out, "Approve the plan? a approve, r reject with a comment, e edit");
}

/* The question on one line. Too wide (a long file name), its middle gives
 * way so that its end, the keys that answer it, stays in sight; one that
 * says its keys first ("KEYS · WHAT") is cut at its end, as the line is. */
static void
hint_ask(struct ui *u, struct buf *out, enum ui_elem *elem)
{
	const char *q = buf_cstr(&u->ask_text);
	int room = COLS - 1 - draw_width(buf_cstr(out));

	*elem = UI_PROMPT;
	if (u->ask_keys_first)
		buf_puts(out, q);
	else
		draw_elide(out, q, room > 20 ? room : 20);
}

static const struct mode_entry {
	const char *prompt; /* a line mode's prompt; NULL: the line is hint() */
	const char *(*prompt_fn)(const struct ui *u); /* a prompt that changes */
	void (*key)(struct ui *u, int key);
	void (*hint)(struct ui *u, struct buf *out, enum ui_elem *elem);
	bool message_first; /* a message replaces the hint (else it precedes it) */
} mode_table[IN__COUNT] = {
	[IN_NONE] = { .key = normal_key, .hint = hint_normal, .message_first = true },
	[IN_OVERLAY] = { .key = overlay_key, .hint = hint_overlay, .message_first = true },
	[IN_APPROVAL] = { .key = approval_key, .hint = hint_approval },
	[IN_PLAN] = { .key = approval_key, .hint = hint_plan },
	[IN_TASK] = { .prompt = "> ", .key = line_key },
	[IN_COMMAND] = { .prompt = ":", .key = line_key },
	[IN_SEARCH] = { .prompt = "/", .key = line_key },
	[IN_DENY] = { .prompt = "deny, message to the agent: ", .key = line_key },
	[IN_REJECT] = { .prompt = "reject the plan, comment: ", .key = line_key },
	[IN_ASK] = { .key = ask_key, .hint = hint_ask },
	[IN_FORM] = { .prompt_fn = ui_form_prompt, .key = form_key },
};

const char *
ui_mode_prompt(const struct ui *u)
{
	const struct mode_entry *m = &mode_table[u->mode];

	return m->prompt_fn ? m->prompt_fn(u) : m->prompt;
}

void
ui_mode_line(struct ui *u, struct buf *out, enum ui_elem *elem)
{
	const struct mode_entry *m = &mode_table[u->mode];

	if (u->msg.len && m->message_first) {
		buf_puts(out, buf_cstr(&u->msg));
		*elem = u->msg_err ? UI_ERROR : UI_NORMAL;
		return;
	}
	if (u->msg.len) {
		buf_puts(out, buf_cstr(&u->msg));
		buf_puts(out, " · ");
	}
	if (m->hint)
		m->hint(u, out, elem);
}

void
ui_handle_key(struct ui *u, int key)
{
	mode_table[u->mode].key(u, keymap_key_canon(key));
}
