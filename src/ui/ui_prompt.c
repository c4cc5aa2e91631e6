/* SPDX-License-Identifier: MIT */
/*
 * The workbench's input: which mode keys belong to, the key dispatcher,
 * the line editor of the task, `:`, `/` and message lines.
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

struct buf *
ui_cur_input(struct ui *u)
{
	return u->mode == IN_TASK ? &u->in_task : &u->in_line;
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
	struct event ev = { .type = EVENT_USER_MESSAGE, .text = text };
	u->panes[LAYOUT_TRANSCRIPT].ops->on_event(&u->panes[LAYOUT_TRANSCRIPT], &ev);
	u->task_start = ev_now_ms();
	u->task_end = 0;
	u->interrupted = false;
	buf_clear(&u->msg);
	ui_set_phase(u, "starting", NULL);
	struct command c = { .type = COMMAND_START, .text = (char *)text };
	u->starting = ui_send(u, &c, "ui-start") == 0;
	ui_spin_maybe(u);
}

static void
submit(struct ui *u)
{
	enum input_mode m = u->mode;
	struct buf *in = ui_cur_input(u);
	char *text = xstrdup(in->ptr ? in->ptr : "");

	buf_clear(in);
	u->mode = IN_NONE;
	u->input_dirty = true;
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

/* Returns true when the key was consumed by the input line. */
static bool
edit_key(struct ui *u, int key)
{
	struct buf *in = ui_cur_input(u);

	if (key == '\n' || key == '\r' || key == (KEYMAP_FKEY | KEY_ENTER)) {
		submit(u);
		return true;
	}
	if (key == 27) { /* Esc: interrupt a running task, or leave the line */
		if (u->mode == IN_TASK && ui_task_busy(u))
			ui_interrupt(u);
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
		if (ui_task_busy(u))
			ui_interrupt(u);
		else
			buf_clear(in);
	} else if (key == '\t' && u->mode == IN_COMMAND) {
		ui_cmd_complete(u);
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

void
ui_begin_input(struct ui *u, enum input_mode m)
{
	u->mode = m;
	if (m != IN_TASK)
		buf_clear(&u->in_line);
	u->hist_pos = (long)u->nhistory;
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
		if (r & PANE_QUIT) {
			u->help_on = false;
			u->frame_all = true;
		}
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
	u->mode = IN_NONE;
	u->input_dirty = true;
	if (fn)
		fn(u, key, ctx);
}

void
ui_ask(struct ui *u, const char *question, const char *keys, int enter, ui_answer_fn *fn,
       void *ctx)
{
	if (u->mode == IN_ASK)
		answer(u, 0);
	buf_clear(&u->ask_text);
	draw_sanitize(&u->ask_text, question, strlen(question), false);
	u->ask_keys = xstrdup(keys);
	for (char *k = u->ask_keys; *k; k++)
		*k = (char)tolower((unsigned char)*k);
	u->ask_enter = enter;
	u->ask_fn = fn;
	u->ask_ctx = ctx;
	u->mode = IN_ASK;
	u->input_dirty = true;
}

void
ui_handle_key(struct ui *u, int key)
{
	if (key == '\r')
		key = '\n';
	if (u->mode == IN_ASK) {
		int k = key > 0 && key < 128 ? tolower(key) : 0;

		if (key == 27)
			answer(u, 0);
		else if (key == '\n' && u->ask_enter)
			answer(u, u->ask_enter);
		else if (k && k != '\n' && strchr(u->ask_keys, k))
			answer(u, k);
		else if (keymap_lookup(KEYMAP_GLOBAL, key) == ACTION_DETACH)
			ui_detach(u);
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
			ui_approval_action(u, a);
			return;
		}
	}
	if (u->help_on) {
		enum action a = keymap_lookup(KEYMAP_HELP, key);
		if (a == ACTION_QUIT) { /* q, Esc, ? close the overlay, not the workbench */
			u->help_on = false;
			u->frame_all = true;
		} else if (a == ACTION_EXPAND) {
			ui_cmd_open_selected(u);
		} else if (a != ACTION_NONE) {
			ui_global_action(u, a);
		}
		return;
	}
	enum action a = keymap_lookup(ui_focused(u)->ops->ctx, key);
	if (a != ACTION_NONE)
		ui_global_action(u, a);
}
