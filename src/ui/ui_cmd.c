/* SPDX-License-Identifier: MIT */
/*
 * The commands typed after `:` and the replies they wait for.
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

#define SESSIONS_MAX 50 /* :sessions shows the newest */

void
ui_show_overlay(struct ui *u, const char *title, const char *text)
{
	u->sessions_shown = !strcmp(title, "sessions");
	pane_help_set(&u->help, title, text);
	u->help_on = true;
	u->frame_all = true;
}

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
	ui_show_overlay(u, "sessions", buf_cstr(&out));
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
	if (ui_task_busy(u)) {
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
	} else if (ui_task_busy(u)) {
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
void
ui_cmd_open_selected(struct ui *u)
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
			ui_set_phase(u, "idle", NULL);
	}
	u->status_dirty = u->input_dirty = true;
	ui_spin_maybe(u);
}

/* approve, deny, steer, interrupt: only a refusal is news. */
static void
on_cmd_reply(struct ui *u, const struct event *ev)
{
	if (ev->type == EVENT_ERROR || (ev->type == EVENT_REPLY && !ev->approved))
		ui_message(u, true, "%s", ev->text ? ev->text : "refused");
}

void
ui_cmd_run(struct ui *u, char *line)
{
	char *cmd = line + strspn(line, " ");
	char *arg = cmd + strcspn(cmd, " ");

	if (*arg)
		*arg++ = '\0';
	arg += strspn(arg, " ");
	if (!*cmd)
		return;
	if (!strcmp(cmd, "q") || !strcmp(cmd, "quit")) {
		ui_request_quit(u);
	} else if (!strcmp(cmd, "q!")) {
		ui_stop_and_quit(u);
	} else if (!strcmp(cmd, "detach")) {
		ui_detach(u);
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
		ui_show_overlay(u, "grants", b.len ? buf_cstr(&b) : "(none)\n");
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
		ui_show_overlay(u, "keys", buf_cstr(&b));
		buf_fini(&b);
	} else {
		ui_message(u, true,
			   "unknown command ':%s' (grant, ungrant, grants, sessions, open, save, "
			   "detach, q)",
			   cmd);
	}
	u->status_dirty = true;
}

/* Complete a command name after ":". */
void
ui_cmd_complete(struct ui *u)
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

/* Replies to what the UI itself sent (ui_send(…, "ui-…")). */
static const struct {
	const char *tag;
	void (*fn)(struct ui *u, const struct event *ev);
} reply_handlers[] = {
	{ "ui-start", on_start_reply },    { "ui-grant", on_grant_reply },
	{ "ui-ungrant", on_ungrant_reply },   { "ui-sessions", on_sessions_reply },
	{ "ui-cmd", on_cmd_reply },	      { "ui-open", on_open_reply },
};

bool
ui_cmd_reply(struct ui *u, const struct event *ev)
{
	for (size_t i = 0; i < sizeof reply_handlers / sizeof *reply_handlers; i++) {
		if (ui_is_reply(ev, reply_handlers[i].tag)) {
			reply_handlers[i].fn(u, ev);
			return true;
		}
	}
	return false;
}
