/* SPDX-License-Identifier: MIT */
/*
 * The pending approval (a tool call or the plan): its prompt state and
 * the decision sent to the engine, "always allow" narrowed to a command
 * prefix or a path pattern included, and saved to the person's config as
 * an allow rule when they say so. The diff it shows is drawn by the
 * transcript pane; the keys reach it through ui_prompt.c's dispatcher.
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

static void always_answered(struct ui *u, int key, void *ctx);
static void save_answered(struct ui *u, int key, void *ctx);

void
ui_approval_clear(struct ui *u)
{
	/* A's questions ("always allow what?", "save it?") go with the call:
	 * their answer would go to whichever call waits next. */
	ui_ask_dismiss(u, always_answered);
	ui_ask_dismiss(u, save_answered);
	free(u->pending_id);
	free(u->pending_name);
	free(u->pending_what);
	free(u->pending_arg);
	free(u->pending_rule);
	u->pending_id = u->pending_name = u->pending_what = u->pending_arg = NULL;
	u->pending_rule = NULL;
	cJSON_Delete(u->pending_input);
	u->pending_input = NULL;
	u->pending_plan = false;
	ui_mode_approval_end(u);
	u->input_dirty = true;
}

void
ui_approval_decided_elsewhere(struct ui *u, const struct event *ev)
{
	bool typing = u->mode == IN_DENY || u->mode == IN_REJECT;
	bool asking = u->ask_fn == always_answered || u->ask_fn == save_answered;
	const char *what = u->pending_plan ? "plan" : "call";
	const char *how = ev->approved ? "approved" : "denied";

	if (typing && !u->in_history && !editline_is_empty(&u->in_line)) {
		/* The text would go with the prompt: C-y in a line types it again. */
		buf_clear(&u->kill);
		buf_puts(&u->kill, editline_text(&u->in_line));
		editline_clear(&u->in_line);
		ui_message(u, true, "%s %s elsewhere before your message went: not sent (C-y "
				    "types it again)", what, how);
	} else if (asking && !u->in_history) {
		ui_message(u, true, "%s %s elsewhere before your answer: no always rule was added",
			   what, how);
	}
	ui_approval_clear(u);
}

/* Send decision `c` about the pending call (c->id is set here). */
static void
decide(struct ui *u, struct command *c)
{
	if (!u->pending_id)
		return;
	/* Forget it before sending: the decided event, and the next call's
	 * approval_needed, may come back before ui_send_cmd() returns (an
	 * engine in this process answers inside it). */
	c->id = u->pending_id;
	u->pending_id = NULL;
	ui_approval_clear(u);
	ui_send_cmd(u, c);
	free(c->id);
	c->id = NULL;
}

void
ui_approval_send_steps(struct ui *u, bool approve, const char *text, cJSON *steps, bool always)
{
	struct command c = { .type = approve ? COMMAND_APPROVE : COMMAND_DENY,
			     .text = (char *)text, .steps = steps, .always = always };

	decide(u, &c);
}

void
ui_approval_send(struct ui *u, bool approve, const char *text)
{
	ui_approval_send_steps(u, approve, text, NULL, false);
}

/* The approval waiting when we attached (the snapshot's "pending": an
 * approval_needed event as JSON) shows as the prompt. */
void
ui_approval_show_pending(struct ui *u, const cJSON *pending)
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
	ui_live_event(u, &ev);
}

/* What "always allow" was narrowed to, while the save question is up. */
struct always_choice {
	char *pattern; /* NULL: the whole tool */
};

/* The answer to "save it for later sessions too?": y sends the always
 * rule with save (the engine appends it to the person's config and says
 * where), n for this session only, Esc nothing (the call still waits). */
static void
save_answered(struct ui *u, int key, void *ctx)
{
	struct always_choice *ch = ctx;

	if ((key == 'y' || key == 'n') && u->pending_id) {
		struct command c = { .type = COMMAND_APPROVE, .always = true,
				     .pattern = ch->pattern, .save = key == 'y' };

		decide(u, &c);
	}
	free(ch->pattern);
	free(ch);
}

/* Ask whether to save the rule `allow TOOL[(pattern)]` (pattern taken). */
static void
ask_save(struct ui *u, char *pattern)
{
	struct always_choice *ch = xcalloc(1, sizeof *ch);
	const char *name = u->pending_name ? u->pending_name : "?";
	char *q = pattern ? xasprintf("Save 'allow %s(%s)' to your config for later sessions "
				      "too? y save, n this session only, Esc cancel", name, pattern)
			  : xasprintf("Save 'allow %s' to your config for later sessions too? "
				      "y save, n this session only, Esc cancel", name);

	ch->pattern = pattern;
	ui_ask(u, q, "yn", 0, save_answered, ch);
	free(q);
}

/* The answer to "always allow what?": t the tool, p the pattern proposed
 * from the pending call, Esc nothing (the call still waits). */
static void
always_answered(struct ui *u, int key, void *ctx)
{
	(void)ctx;
	if ((key != 't' && key != 'p') || !u->pending_id)
		return;
	ask_save(u, key == 'p' ? command_always_pattern(u->pending_name, u->pending_input) : NULL);
}

/* A: always allow the whole tool, or only calls like this one (a command
 * prefix, a path pattern proposed from the call); asked with ui_ask, then
 * whether to save it. */
static void
ask_always(struct ui *u)
{
	const char *name = u->pending_name ? u->pending_name : "?";
	char *pattern = command_always_pattern(name, u->pending_input);

	if (!pattern) {
		ask_save(u, NULL);
		return;
	}
	/* A long pattern gives way in its middle, so that "p only" and what
	 * follows it stay on the line: cut in the middle of the whole question
	 * (hint_ask) the p key itself could go. */
	static const char tail[] = ", Esc cancel";
	char *head = xasprintf("Always allow: t every %s call, p only %s ", name, name);
	struct buf q = BUF_INIT, clean = BUF_INIT;
	int room;

	draw_sanitize(&q, head, strlen(head), false);
	draw_sanitize(&clean, pattern, strlen(pattern), false);
	room = COLS - 1 - draw_width(buf_cstr(&q)) - (int)strlen(tail);
	draw_elide(&q, buf_cstr(&clean), room > 8 ? room : 8);
	buf_puts(&q, tail);
	ui_ask(u, buf_cstr(&q), "tp", 0, always_answered, NULL);
	buf_fini(&q);
	buf_fini(&clean);
	free(head);
	free(pattern);
}

void
ui_approval_action(struct ui *u, enum action a)
{
	switch (a) {
	case ACTION_PLAN_APPROVE:
		if (u->pending_plan)
			ui_approval_send(u, true, NULL);
		else /* headless `a` means always: here that is A, so say so */
			ui_message(u, true, "a approves a plan; this is a tool call: y allow, "
					    "A always, n deny, d deny with a message");
		break;
	case ACTION_ALLOW:
		ui_approval_send(u, true, NULL);
		break;
	case ACTION_ALLOW_ALWAYS: /* the engine keeps it: the session's permission state */
		if (u->pending_plan)
			ui_message(u, true, "A always allows a tool; this is the plan: a approve, "
					    "r reject, e edit");
		else if (u->pending_rule) /* the engine would allow it once only */
			ui_message(u, true, "%s every time: A cannot override it (y allows this "
					    "call; edit the rule to change that)", u->pending_rule);
		else
			ask_always(u);
		break;
	case ACTION_DENY:
		ui_approval_send(u, false, NULL);
		break;
	case ACTION_DENY_MSG:
	case ACTION_PLAN_REJECT:
		ui_begin_input(u, u->pending_plan ? IN_REJECT : IN_DENY);
		break;
	case ACTION_PLAN_EDIT:
		if (u->pending_plan)
			ui_edit_plan(u);
		else
			ui_message(u, true, "e edits a plan; this is a tool call (y, A, n, d)");
		break;
	case ACTION_INTERRUPT:
		ui_interrupt(u);
		break;
	default:
		break;
	}
}

/* An approval_needed event: it becomes the prompt, once a line being typed
 * is sent or left (the status row says so meanwhile). */
void
ui_approval_needed(struct ui *u, const struct event *ev)
{
	ui_approval_clear(u);
	u->pending_id = xstrdup(ev->id ? ev->id : "");
	u->pending_name = xstrdup(ev->name ? ev->name : "");
	u->pending_plan = ev->name && !strcmp(ev->name, "propose_plan");
	u->pending_input = ev->input ? cJSON_Duplicate(ev->input, true) : NULL;
	if (ev->text && !strncmp(ev->text, "asked by rule ", 14))
		u->pending_rule = xstrdup(ev->text);
	const char *arg = json_str(ev->input, "path");
	if (!arg)
		arg = json_str(ev->input, "command");
	if (ev->name && !strcmp(ev->name, "network")) {
		u->pending_what = xstrdup("Network:");
		u->pending_arg = xstrdup(ev->text ? ev->text : "");
	} else {
		u->pending_what = xasprintf("Allow %s", ev->name ? ev->name : "?");
		u->pending_arg = xstrdup(arg ? arg : ""); /* hint_approval() fits it */
	}
	ui_mode_approval_begin(u, u->pending_plan);
	if (ui_mode_prompt(u) && u->pending_plan)
		ui_message(u, false, "the plan waits for approval once this line is sent or left");
	else if (ui_mode_prompt(u))
		ui_message(u, false, "an approval waits once this line is sent or left: %s%s%s",
			   u->pending_what, *u->pending_arg ? " " : "", u->pending_arg);
	ui_set_phase(u, u->pending_plan ? "awaiting plan approval" : "awaiting approval", NULL);
}
