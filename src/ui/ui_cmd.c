/* SPDX-License-Identifier: MIT */
/*
 * The commands typed after `:` and the replies they wait for. The commands
 * are one table (cmd_table, in the manner of tmux's cmd_entry): it runs
 * them, and it makes `:help`, the Tab completion and the "unknown command"
 * list, so these cannot drift from what runs.
 */
#include <curses.h>
#include <errno.h>
#include <glob.h>
#include <pwd.h>
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
	u->sessions_shown = !strcmp(title, "sessions") || !strcmp(title, "inbox");
	pane_help_set(&u->help, title, text);
	if (u->mode != IN_OVERLAY)
		ui_mode_push(u, IN_OVERLAY, false);
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

/* The columns before TASK in a row of the list. */
#define SESSIONS_TASK_COL 63

/* One row of the list: "* ID DATE STATE PENDING TASK", the task's first line
 * sanitized and cut by whole characters to `room` columns (an ellipsis
 * ends a cut one), so that each session is one screen row. */
static void
session_row(struct buf *out, const cJSON *row, int room)
{
	const char *id = json_str(row, "id"), *task = json_str(row, "task");
	const char *st = json_str(row, "state") ? json_str(row, "state") : json_str(row, "status");
	const cJSON *pend = cJSON_GetObjectItemCaseSensitive(row, "pending");
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(row, "started_ns");
	char when[32] = "-", count[24] = "?";
	struct tm tm;

	if (json_num_int(ns, 0) > 0) {
		time_t t = (time_t)(json_num_int(ns, 0) / 1000000000LL);
		if (localtime_r(&t, &tm))
			strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	}
	if (json_num_int(pend, -1) >= 0)
		snprintf(count, sizeof count, "%lld", json_num_int(pend, -1));
	buf_printf(out, "%s %-22s %-16s %-11s %7s  ", json_bool(row, "current", false) ? "*" : " ",
		   id ? id : "?", when, st ? st : "new", count);
	struct buf clean = BUF_INIT;
	const char *mark = draw_mark("…", "...");
	int used;

	draw_sanitize(&clean, task ? task : "", task ? strcspn(task, "\n") : 0, false);
	if (draw_width(buf_cstr(&clean)) <= room) {
		buf_puts(out, buf_cstr(&clean));
	} else {
		buf_add(out, clean.ptr, draw_fit(buf_cstr(&clean), room - draw_width(mark), &used));
		buf_puts(out, mark);
	}
	buf_fini(&clean);
	buf_putc(out, '\n');
}

/* The ids of a sessions reply, for :open's completion. */
static void
cache_session_ids(struct ui *u, const cJSON *rows)
{
	const cJSON *row;

	if (!cJSON_IsArray(rows))
		return;
	strv_free(&u->session_ids);
	cJSON_ArrayForEach(row, rows)
	{
		const char *id = json_str(row, "id");
		if (id)
			strv_add(&u->session_ids, id);
	}
}

static void
on_sessions_reply(struct ui *u, const struct event *ev)
{
	struct buf out = BUF_INIT;
	const cJSON *rows = ev->data, *row;
	int n = cJSON_IsArray(rows) ? cJSON_GetArraySize(rows) : 0, i = 0;

	u->sessions_loading = false;
	ui_busy(u, -1);
	cache_session_ids(u, rows);
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
		session_row(&out, row, COLS - 1 - SESSIONS_TASK_COL > 4
					       ? COLS - 1 - SESSIONS_TASK_COL : 4);
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
	cache_session_ids(u, ev->data);
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
	ui_mode_drop(u, IN_OVERLAY);
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

	if (ev->type == EVENT_ERROR || !ev->approved) {
		ui_message(u, true, "%s", ev->text ? ev->text : "grant refused");
	} else {
		ui_message(u, false, "granted %s",
			   cJSON_IsString(last) ? last->valuestring : "(the folder)");
		/* a folder granted again has its pending changes, as ungrant's go */
		u->panes[LAYOUT_DIFF].ops->action(&u->panes[LAYOUT_DIFF], ACTION_REFRESH);
	}
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

/*
 * The command table
 */

/* What a command's argument is, for completion. */
enum cmd_arg {
	CMD_ARG_NONE,
	CMD_ARG_PATH,	 /* a file or folder; ~ expands */
	CMD_ARG_GRANT,	 /* a granted folder */
	CMD_ARG_SESSION, /* a session id (the engine's sessions reply) */
	CMD_ARG_PROMPT,	 /* a connector's prompt SERVER/NAME (the prompts reply) */
};

struct cmd_entry {
	const char *name;
	const char *alias;		      /* another name, or NULL */
	const char *usage;		      /* the arguments, "" for none */
	enum cmd_arg arg;
	void (*run)(struct ui *u, char *arg); /* arg: the rest of the line, trimmed */
	const char *help;		      /* one line */
};

static void run_help(struct ui *u, char *arg);

/* `~` and `~/…` are the home folder, `~user/…` that user's. Heap string. */
static char *
expand_tilde(const char *path)
{
	if (path[0] != '~')
		return xstrdup(path);
	const char *rest = path + 1 + strcspn(path + 1, "/");
	const char *home = NULL;
	size_t ulen = (size_t)(rest - path - 1);

	if (ulen == 0) {
		home = getenv("HOME");
		if (!home || !*home) {
			struct passwd *pw = getpwuid(getuid());
			home = pw ? pw->pw_dir : NULL;
		}
	} else {
		char *user = xstrndup(path + 1, ulen);
		struct passwd *pw = getpwnam(user);
		free(user);
		home = pw ? pw->pw_dir : NULL;
	}
	return home ? xasprintf("%s%s", home, rest) : xstrdup(path);
}

static void
run_quit(struct ui *u, char *arg)
{
	(void)arg;
	ui_request_quit(u);
}

static void
run_quit_now(struct ui *u, char *arg)
{
	(void)arg;
	ui_stop_and_quit(u);
}

static void
run_detach(struct ui *u, char *arg)
{
	(void)arg;
	ui_detach(u);
}

static void
run_grant(struct ui *u, char *arg)
{
	struct command c = { .type = COMMAND_GRANT };

	if (!strncmp(arg, "--force", 7) && (arg[7] == ' ' || !arg[7])) {
		c.force = true;
		arg += 7;
		arg += strspn(arg, " ");
	}
	if (!*arg) {
		ui_message(u, true, "usage: :grant [--force] DIR");
		return;
	}
	char *path = expand_tilde(arg);
	c.path = path;
	if (ui_send(u, &c, "ui-grant") == 0)
		ui_message(u, false, "granting %s…", path);
	free(path);
}

static void
run_ungrant(struct ui *u, char *arg)
{
	if (!*arg) {
		ui_message(u, true, "usage: :ungrant DIR (:grants lists them)");
		return;
	}
	char *path = expand_tilde(arg);
	struct command c = { .type = COMMAND_UNGRANT, .path = path };
	if (ui_send(u, &c, "ui-ungrant") == 0) {
		free(u->ungrant_path);
		u->ungrant_path = path;
		return;
	}
	free(path);
}

static void
run_grants(struct ui *u, char *arg)
{
	const struct client_state *st = client_state(u->c);
	struct buf b = BUF_INIT;

	(void)arg;
	for (size_t i = 0; i < st->ngrants; i++)
		buf_printf(&b, "%s\n", st->grants[i]);
	ui_show_overlay(u, "grants", b.len ? buf_cstr(&b) : "(none: :grant DIR adds one)\n");
	buf_fini(&b);
}

static void
run_sessions(struct ui *u, char *arg)
{
	(void)arg;
	cmd_sessions(u);
}

static void
run_instructions(struct ui *u, char *arg)
{
	struct command c = { .type = COMMAND_INSTRUCTIONS };

	(void)arg;
	if (ui_send(u, &c, "ui-instr") == 0)
		ui_message(u, false, "reading the instructions…");
}

/* o[key] as a string, "" when absent. */
static const char *
str_of(const cJSON *o, const char *key)
{
	const char *v = json_str(o, key);

	return v ? v : "";
}

/* The instructions reply: {files: [{path, kind, size, cut, text}],
 * skills: [{name, description, source, dir}], warnings: ["…"]}. */
static void
on_instructions_reply(struct ui *u, const struct event *ev)
{
	const cJSON *files = json_arr(ev->data, "files"), *skills = json_arr(ev->data, "skills");
	const cJSON *warns = json_arr(ev->data, "warnings"), *f;
	struct buf b = BUF_INIT;

	if (ev->type == EVENT_ERROR || !ev->approved) {
		ui_message(u, true, "instructions: %s", ev->text ? ev->text : "no answer");
		return;
	}
	buf_clear(&u->msg);
	if (!cJSON_GetArraySize(files))
		buf_puts(&b, "No instructions: put them in ~/.config/deskhand/AGENTS.md (for "
			     "every task) or a granted folder's AGENTS.md.\n");
	cJSON_ArrayForEach(f, files)
	{
		const char *kind = json_str(f, "kind");

		buf_printf(&b, "== %s (%s%s, %lld bytes%s)\n", str_of(f, "path"),
			   kind ? kind : "?",
			   kind && !strcmp(kind, "nested") ? ": loaded when first worked in" : "",
			   json_int(f, "size", 0), json_bool(f, "cut", false) ? ", CUT at the cap" : "");
		buf_printf(&b, "%s\n", str_of(f, "text"));
	}
	buf_printf(&b, "\n== Skills (%d: only names and descriptions are in the prompt)\n",
		   cJSON_GetArraySize(skills));
	cJSON_ArrayForEach(f, skills)
	buf_printf(&b, "%s (%s, %s)\n    %s\n", str_of(f, "name"), str_of(f, "source"),
		   str_of(f, "dir"), str_of(f, "description"));
	if (cJSON_GetArraySize(warns)) {
		buf_puts(&b, "\n== Warnings\n");
		cJSON_ArrayForEach(f, warns)
		buf_printf(&b, "%s\n", cJSON_IsString(f) ? f->valuestring : "?");
	}
	ui_show_overlay(u, "instructions", buf_cstr(&b));
	buf_fini(&b);
}

static void
on_trust_reply(struct ui *u, const struct event *ev)
{
	bool ok = ev->type == EVENT_REPLY && ev->approved;

	ui_message(u, !ok, "%s", ev->text ? ev->text : ok ? "trusted" : "refused");
}

static void
run_trust_skills(struct ui *u, char *arg)
{
	if (!*arg) {
		ui_message(u, true, "usage: :trust-skills DIR (a granted folder with .agents/skills)");
		return;
	}
	char *path = expand_tilde(arg);
	struct command c = { .type = COMMAND_SKILLS_TRUST, .path = path };

	if (ui_send(u, &c, "ui-trust") == 0)
		ui_message(u, false, "trusting the skills of %s…", path);
	free(path);
}

static void
run_inbox(struct ui *u, char *arg)
{
	(void)arg;
	ui_inbox_show(u);
}

static void
run_open(struct ui *u, char *arg)
{
	cmd_open(u, arg);
}

static void
run_save(struct ui *u, char *arg)
{
	char *path = expand_tilde(arg);

	cmd_save(u, path);
	free(path);
}

static void
run_save_screen(struct ui *u, char *arg)
{
	char *el = arg + strcspn(arg, " ");

	if (*el)
		*el++ = '\0';
	el += strspn(el, " ");
	if (!*arg || (*el && strcmp(el, "elements"))) {
		ui_message(u, true, "usage: :save-screen FILE [elements]");
		return;
	}
	char *path = expand_tilde(arg);
	if (screen_dump_write(path, *el) < 0)
		ui_message(u, true, "save-screen: %s", err_msg());
	else
		ui_message(u, false, "screen saved to %s", path);
	free(path);
}

/* :undo and :redo act as u and C-r in the diff pane. */
static void
diff_action(struct ui *u, enum action a, const char *what)
{
	struct pane *p = &u->panes[LAYOUT_DIFF];

	if (!p->ops->action || p->ops->action(p, a) == PANE_IGNORED)
		ui_message(u, true, "%s: nothing the review can %s now", what, what);
}

static void
run_undo(struct ui *u, char *arg)
{
	(void)arg;
	diff_action(u, ACTION_UNDO, "undo");
}

static void
run_redo(struct ui *u, char *arg)
{
	(void)arg;
	diff_action(u, ACTION_REDO, "redo");
}

/* :authorize SERVER URL: the URL the browser ended on after authorizing a
 * connector, pasted (the browser may be on another machine). */
static void
run_authorize(struct ui *u, char *arg)
{
	char *url = arg + strcspn(arg, " \t");

	if (*url)
		*url++ = '\0';
	url += strspn(url, " \t");
	url[strcspn(url, " \t")] = '\0';
	if (!*arg || !*url) {
		ui_message(u, true, "usage: :authorize SERVER URL (the URL your browser ended on "
				    "after authorizing the connector)");
		return;
	}
	struct command c = { .type = COMMAND_AUTHORIZE, .text = arg, .path = url };

	if (ui_send(u, &c, "ui-trust") == 0)
		ui_message(u, false, "authorizing %s…", arg);
}

/* :compact: summarise the older turns before the next request. */
static void
run_compact(struct ui *u, char *arg)
{
	struct command c = { .type = COMMAND_COMPACT };

	(void)arg;
	if (ui_send(u, &c, "ui-compact") == 0)
		ui_message(u, false, "compacting the conversation before the next request…");
}

static void
run_prompts(struct ui *u, char *arg)
{
	(void)arg;
	ui_prompts_list(u);
}

static const struct cmd_entry cmd_table[] = {
	{ .name = "grant", .usage = "[--force] DIR", .arg = CMD_ARG_PATH, .run = run_grant,
	  .help = "let the agent work in folder DIR (~ is your home)" },
	{ .name = "ungrant", .usage = "DIR", .arg = CMD_ARG_GRANT, .run = run_ungrant,
	  .help = "take a granted folder back" },
	{ .name = "grants", .usage = "", .run = run_grants, .help = "list the granted folders" },
	{ .name = "instructions", .usage = "", .run = run_instructions,
	  .help = "the AGENTS.md files and skills the agent is given" },
	{ .name = "trust-skills", .usage = "DIR", .arg = CMD_ARG_GRANT, .run = run_trust_skills,
	  .help = "offer DIR/.agents/skills to the agent from the next task" },
	{ .name = "sessions", .usage = "", .run = run_sessions,
	  .help = "list the sessions (Enter on a row opens it)" },
	{ .name = "inbox", .usage = "", .run = run_inbox,
	  .help = "unattended runs that wait or have changes to review (Enter opens one)" },
	{ .name = "open", .usage = "ID", .arg = CMD_ARG_SESSION, .run = run_open,
	  .help = "show session ID (or a unique prefix, or latest)" },
	{ .name = "prompts", .usage = "", .run = run_prompts,
	  .help = "list the connectors' prompts" },
	{ .name = "prompt", .usage = "SERVER/NAME [ARG=VALUE …]", .arg = CMD_ARG_PROMPT,
	  .run = ui_prompt_run, .help = "run a connector's prompt as a task" },
	{ .name = "authorize", .usage = "SERVER URL", .run = run_authorize,
	  .help = "finish a connector's authorization with the URL the browser ended on" },
	{ .name = "compact", .usage = "", .run = run_compact,
	  .help = "summarise the older turns to free the model's context window" },
	{ .name = "undo", .usage = "", .run = run_undo, .help = "undo the last review step (u)" },
	{ .name = "redo", .usage = "", .run = run_redo, .help = "redo what undo undid (C-r)" },
	{ .name = "save", .usage = "FILE", .arg = CMD_ARG_PATH, .run = run_save,
	  .help = "save the transcript as text" },
	{ .name = "save-screen", .usage = "FILE [elements]", .arg = CMD_ARG_PATH,
	  .run = run_save_screen, .help = "save the screen (and its element layer)" },
	{ .name = "help", .usage = "", .run = run_help, .help = "this list, then the keys" },
	{ .name = "detach", .usage = "", .run = run_detach,
	  .help = "leave; the task goes on (deskhand attach comes back)" },
	{ .name = "quit", .alias = "q", .usage = "", .run = run_quit,
	  .help = "quit (while the agent works: detach or stop)" },
	{ .name = "quit!", .alias = "q!", .usage = "", .run = run_quit_now,
	  .help = "stop the task and quit" },
};
static const size_t cmd_count = sizeof cmd_table / sizeof *cmd_table;

static void
run_help(struct ui *u, char *arg)
{
	struct buf b = BUF_INIT;

	(void)arg;
	buf_puts(&b, "Commands (type : then the command; Tab completes):\n\n");
	for (size_t i = 0; i < cmd_count; i++) {
		const struct cmd_entry *e = &cmd_table[i];
		char *head = xasprintf(":%s%s%s%s%s", e->name, *e->usage ? " " : "", e->usage,
				       e->alias ? ", :" : "", e->alias ? e->alias : "");
		buf_printf(&b, "  %-30s \t%s\n", head, e->help);
		free(head);
	}
	buf_puts(&b, "\nKeys:\n\n");
	keymap_help(&b);
	ui_show_overlay(u, "help", buf_cstr(&b));
	pane_help_set_table(&u->help);
	buf_fini(&b);
}

static const struct cmd_entry *
cmd_find(const char *name)
{
	for (size_t i = 0; i < cmd_count; i++)
		if (!strcmp(cmd_table[i].name, name) ||
		    (cmd_table[i].alias && !strcmp(cmd_table[i].alias, name)))
			return &cmd_table[i];
	return NULL;
}

void
ui_cmd_run(struct ui *u, char *line)
{
	char *cmd = line + strspn(line, " ");
	char *arg = cmd + strcspn(cmd, " ");

	if (*arg)
		*arg++ = '\0';
	arg += strspn(arg, " ");
	for (size_t n = strlen(arg); n > 0 && arg[n - 1] == ' ';)
		arg[--n] = '\0';
	if (!*cmd)
		return;
	const struct cmd_entry *e = cmd_find(cmd);
	if (e && !*e->usage && *arg) {
		/* `:undo 5` would undo one step: a command that takes nothing
		 * says so rather than drop what was typed. */
		ui_message(u, true, ":%s takes no argument (not '%s')", e->name, arg);
	} else if (e) {
		e->run(u, arg);
	} else {
		struct buf b = BUF_INIT;
		for (size_t i = 0; i < cmd_count; i++)
			buf_printf(&b, " %s", cmd_table[i].name);
		ui_message(u, true, "no command ':%s'; the commands:%s", cmd, buf_cstr(&b));
		buf_fini(&b);
	}
	u->status_dirty = true;
}

/*
 * Completion
 */

void
ui_cmd_complete_reset(struct ui *u)
{
	strv_free(&u->compl);
	u->compl_i = -1;
}

/* Files and folders starting with `word` (~ expands; folders end in '/';
 * shown with the ~ the person typed). One directory read, on Tab only. */
static void
complete_path(struct ui *u, const char *word)
{
	char *full = expand_tilde(word);
	struct buf pat = BUF_INIT;
	size_t wl = word[0] == '~' ? strcspn(word, "/") : 0; /* "~" or "~user" */
	size_t hl = strlen(full) - (strlen(word) - wl);      /* what it became */
	glob_t g;

	for (const char *c = full; *c; c++) { /* the typed part matches as itself */
		if (strchr("*?[\\", *c))
			buf_putc(&pat, '\\');
		buf_putc(&pat, *c);
	}
	buf_putc(&pat, '*');
	if (glob(buf_cstr(&pat), GLOB_MARK, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char *t = xasprintf("%.*s%s", (int)wl, word, g.gl_pathv[i] + (wl ? hl : 0));
			strv_add(&u->compl, t);
			free(t);
		}
		globfree(&g);
	}
	buf_fini(&pat);
	free(full);
}

static void
complete_args(struct ui *u, const struct cmd_entry *e, const char *word)
{
	switch (e->arg) {
	case CMD_ARG_PATH:
		complete_path(u, word);
		break;
	case CMD_ARG_GRANT: {
		const struct client_state *st = client_state(u->c);
		char *full = expand_tilde(word);
		for (size_t i = 0; i < st->ngrants; i++)
			if (!strncmp(st->grants[i], full, strlen(full)))
				strv_add(&u->compl, st->grants[i]);
		free(full);
		break;
	}
	case CMD_ARG_SESSION:
		if (!u->session_ids.n) { /* asked once; the reply completes */
			struct command c = { .type = COMMAND_SESSIONS };
			if (!u->compl_waiting && ui_send(u, &c, "ui-compl") == 0)
				u->compl_waiting = true;
			return;
		}
		for (size_t i = 0; i < u->session_ids.n; i++)
			if (!strncmp(u->session_ids.v[i], word, strlen(word)))
				strv_add(&u->compl, u->session_ids.v[i]);
		break;
	case CMD_ARG_PROMPT:
		ui_prompts_complete(u, word);
		break;
	case CMD_ARG_NONE:
		break;
	}
}

/* Replace the word from compl_at to the cursor with `s`, the cursor after
 * it and the text after the cursor kept; then, when `space`, a space (or
 * the cursor over the one already there). */
static void
put_word(struct ui *u, const char *s, bool space)
{
	struct editline *in = &u->in_line;

	editline_replace(in, u->compl_at, s, strlen(s));
	if (space && editline_text(in)[in->cur] == ' ')
		editline_apply(in, EDITLINE_RIGHT, NULL);
	else if (space)
		editline_insert(in, " ", 1);
}

void
ui_cmd_complete(struct ui *u)
{
	if (u->compl.n > 1 && u->compl_i >= 0) { /* a repeated Tab: the next one */
		u->compl_i = (u->compl_i + 1) % (long)u->compl.n;
		put_word(u, u->compl.v[u->compl_i], false);
		return;
	}
	if (u->compl.n > 1) { /* the second Tab: the first candidate */
		u->compl_i = 0;
		put_word(u, u->compl.v[0], false);
		return;
	}
	ui_cmd_complete_reset(u);
	/* The word that ends at the cursor: what follows the cursor stays. */
	char *line = xstrndup(editline_text(&u->in_line), u->in_line.cur);
	const char *sp = strchr(line, ' ');
	bool name = sp == NULL;
	if (name) {
		u->compl_at = 0;
		for (size_t i = 0; i < cmd_count; i++)
			if (!strncmp(cmd_table[i].name, line, strlen(line)))
				strv_add(&u->compl, cmd_table[i].name);
	} else {
		char *cmd = xstrndup(line, (size_t)(sp - line));
		const struct cmd_entry *e = cmd_find(cmd);
		free(cmd);
		const char *word = sp + strspn(sp, " ");
		if (e && e->run == run_grant && !strncmp(word, "--force ", 8))
			word += 8 + strspn(word + 8, " ");
		u->compl_at = (size_t)(word - line);
		if (e)
			complete_args(u, e, word);
	}
	free(line);
	if (u->compl.n == 0)
		return;
	if (u->compl.n == 1) {
		const struct cmd_entry *one = name ? cmd_find(u->compl.v[0]) : NULL;
		put_word(u, u->compl.v[0], one && *one->usage);
		ui_cmd_complete_reset(u);
		return;
	}
	/* Several: their common prefix now (they show after the line); the
	 * next Tabs cycle them. */
	size_t cp = strlen(u->compl.v[0]);
	for (size_t i = 1; i < u->compl.n; i++) {
		size_t k = 0;
		while (k < cp && u->compl.v[i][k] == u->compl.v[0][k])
			k++;
		cp = k;
	}
	char *pre = xstrndup(u->compl.v[0], cp);
	put_word(u, pre, false);
	free(pre);
}

/* The candidates, when there are several: shown after the line typed (a
 * path by its last part), the one put in the line marked. */
void
ui_cmd_candidates(const struct ui *u, struct buf *out)
{
	for (size_t i = 0; u->compl.n > 1 && i < u->compl.n; i++) {
		const char *c = u->compl.v[i];
		size_t n = strlen(c);
		size_t end = n > 1 && c[n - 1] == '/' ? n - 1 : n;
		size_t start = end;

		while (start > 0 && c[start - 1] != '/')
			start--;
		buf_printf(out, "%s%s%.*s%s", i ? "  " : "", (long)i == u->compl_i ? "[" : "",
			   (int)(n - start), c + start, (long)i == u->compl_i ? "]" : "");
	}
}

/* The sessions asked for :open's completion came: complete now. */
static void
on_compl_reply(struct ui *u, const struct event *ev)
{
	u->compl_waiting = false;
	cache_session_ids(u, ev->data);
	if (u->mode == IN_COMMAND && u->session_ids.n)
		ui_cmd_complete(u);
	u->input_dirty = true;
}

/* Replies to what the UI itself sent (ui_send(…, "ui-…")). */
static const struct {
	const char *tag;
	void (*fn)(struct ui *u, const struct event *ev);
} reply_handlers[] = {
	{ "ui-start", on_start_reply },    { "ui-grant", on_grant_reply },
	{ "ui-ungrant", on_ungrant_reply },   { "ui-sessions", on_sessions_reply },
	{ "ui-cmd", on_cmd_reply },	      { "ui-open", on_open_reply },
	{ "ui-compl", on_compl_reply },	      { "ui-plist", ui_prompts_on_list },
	{ "ui-pcompl", ui_prompts_on_compl }, { "ui-prompt", ui_prompt_on_reply },
	{ "ui-compl", on_compl_reply },	      { "ui-instr", on_instructions_reply },
	{ "ui-trust", on_trust_reply },
};

bool
ui_cmd_reply(struct ui *u, const struct event *ev)
{
	if (ui_inbox_reply(u, ev))
		return true;
	for (size_t i = 0; i < sizeof reply_handlers / sizeof *reply_handlers; i++) {
		if (ui_is_reply(ev, reply_handlers[i].tag)) {
			reply_handlers[i].fn(u, ev);
			return true;
		}
	}
	return false;
}
