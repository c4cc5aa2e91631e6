/* SPDX-License-Identifier: MIT */
#ifndef DH_UI_UI_H
#define DH_UI_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "agent/event.h"
#include "config/config.h"
#include "core/err.h"

/*
 * The workbench: a full-screen view over a session's events, a client of
 * its engine (engine/client.h): state from client_state(), events through
 * the client's handler, everything it asks (tasks, approvals, steers, the
 * review, checkpoints, the session list, grants) as commands. The engine
 * is another process (or, for tests, one in this process): quitting or
 * detaching never waits for it. Owns the terminal between ui_new() and
 * ui_free(). Loop thread only.
 *
 * Terminal: newterm() on /dev/tty (stdin may be a pipe); with
 * DH_NO_DISPLAY=1 on /dev/null (tests without a tty). SIGWINCH arrives
 * through the loop's signalfd and resizes; SIGHUP and SIGTERM (terminal
 * closed, client killed) and a lost connection detach (the task goes on);
 * SIGINT interrupts the task and quits.
 */

struct ev_loop;
struct client;
struct client_state;
struct command;
struct ui;

struct ui_opts {
	const char *task;  /* start this task at once, or NULL: wait in the input line */
	const char *theme; /* theme name or path, or NULL for the default */
	bool no_mouse;	   /* leave the mouse to the terminal (no click or wheel) */
	size_t script_pos; /* DH_SCRIPT: start at this step (after an :open) */
	/* Config `bind CONTEXT KEY ACTION` lines (text after "bind", and
	 * "FILE:LINE"), applied over the defaults; a bad one fails ui_new()
	 * with DH_EPARSE "FILE:LINE: bind: …". Borrowed for the call. */
	const struct config_line *binds;
	size_t nbinds;
};

/* The key table: the defaults, then each of the config's `bind` lines
 * (NBINDS of BINDS, borrowed). 0, or DH_EPARSE "FILE:LINE: bind: …" for
 * the first bad one. For ui_new() and `deskhand --dump-config`. */
int ui_binds_apply(const struct config_line *binds, size_t nbinds) DH_MUST_CHECK;

/* Whether the workbench can run on this terminal, before anything is
 * started: $TERM (vt100 when unset) must have a terminfo entry that moves
 * the cursor and clears the screen (not TERM=dumb, a hardcopy or a generic
 * entry). Reads terminfo only (ui_terminfo.c), touches no tty. 0 (also
 * with DH_NO_DISPLAY); DH_ENOTFOUND for a TERM with no usable entry,
 * DH_EFAIL for one that cannot move the cursor, each with a message that
 * names TERM and what to do instead (deskhand run). */
int ui_term_check(void) DH_MUST_CHECK;

/* Take over the terminal, draw the first frame and start `task` if given.
 * The client and loop are borrowed and must outlive the UI; the UI sets the
 * client's event handler (ui_free() removes it). The session's history,
 * plan and pending approval arrive as the client's "hello" and history
 * events. On failure the terminal is restored; DH_EFAIL with a message. */
int ui_new(struct ui **out, struct ev_loop *loop, struct client *c, const struct ui_opts *o)
	DH_MUST_CHECK;
/* Restore the terminal, free. Waits for nothing of the engine. NULL-safe. */
void ui_free(struct ui *u);
/* The exit status once the loop stopped: 0 (also after a detach), 1 when a
 * DH_SCRIPT failed, 130 when the task this client saw ended interrupted. */
int ui_exit_status(const struct ui *u);
/* After the loop stopped: true when the workbench detached (C-\, :detach,
 * `q` then `d`, SIGHUP or SIGTERM, a lost connection): the engine was left
 * as it was (a running task goes on); the caller prints `deskhand attach
 * ID`. */
bool ui_detached(const struct ui *u);
/* After the loop stopped: true when it detached because its terminal went
 * away (SIGHUP, the tty hung up): nobody is there to type a next command,
 * so the caller need not wait for the engine (client_no_exit_wait). */
bool ui_hung_up(const struct ui *u);
/* After the loop stopped: the session id `:open` asked for (heap, the caller
 * frees it), or NULL when the workbench simply quit. The caller then
 * attaches a new client to that session (connect, or start an engine with
 * --resume ID) and a new UI with ui_opts.script_pos = ui_script_pos(). */
char *ui_take_reopen(struct ui *u);
/* The DH_SCRIPT step reached (0 without a script). */
size_t ui_script_pos(const struct ui *u);

/*
 * For panes
 */

/* The session's state as the client last saw it. Never NULL. */
const struct client_state *ui_state(const struct ui *u);
/* Send a command to the engine; `c` stays the caller's (its strings are
 * borrowed for the call). `tag` (a static string, e.g. "diff-get") prefixes
 * the request id set in c->req, so that the pane recognizes the reply:
 * ev->re starts with "TAG-". c->req is NULL again on return. Returns 0, or
 * DH_EFAIL when the connection is gone (the message is shown). */
int ui_send(struct ui *u, struct command *c, const char *tag) DH_MUST_CHECK;
/* True when ev->re answers a command this workbench sent with ui_send() and
 * `tag` (ids are TAG-PID-N: another client's answers are not ours). */
bool ui_is_reply(const struct event *ev, const char *tag);
/* Show a one-line message on the input line until the next key; while a
 * line is being typed, on the row above it (the status line's) until that
 * line closes, then on the input line (control characters, a tab among
 * them, as ^X: draw_sanitize_name()). */
void ui_message(struct ui *u, bool error, const char *fmt, ...) DH_PRINTF(3, 4);
/* Ask a question answered by one key, in the input line: `question` (copied)
 * should name the keys ("Reject all 6 files? y/n"). `keys` (copied) are the
 * answers, matched without case; Enter means `enter` (0: Enter does
 * nothing); Esc answers 0. Any other key leaves the question on screen
 * (the detach key still detaches). `fn(u, key, ctx)` runs once with the
 * key (lower case) or 0. A second question while one is open answers the
 * first 0. An approval arriving meanwhile waits until this is answered. */
typedef void ui_answer_fn(struct ui *u, int key, void *ctx);
void ui_ask(struct ui *u, const char *question, const char *keys, int enter, ui_answer_fn *fn,
	    void *ctx);
/* The diff pane tells how many files wait for review (-1: not known yet);
 * the status line shows it. */
void ui_review_pending(struct ui *u, long files);
/* Count work in flight (requests awaiting their reply) for the spinner: +1
 * on send, -1 on the reply. */
void ui_busy(struct ui *u, int delta);
/* Open `path` (absolute; copied) in $VISUAL, else $EDITOR, else vi: the
 * terminal is handed to the editor (endwin) while the loop keeps running
 * (engine events, streamed tokens, timers), keys are not read until it
 * exits, then the screen is restored and redrawn. `done` (may be NULL) is
 * called on the loop with the editor's wait status, or -1 when it could not
 * start (the message is shown). Refused with a message while another editor
 * runs. With DH_NO_DISPLAY the editor runs with /dev/null as its terminal. */
void ui_edit_file(struct ui *u, const char *path, void (*done)(int status, void *ctx), void *ctx);
/* The same hand-over for any program: `prog` is shell words (as $EDITOR's
 * value), run as `sh -c 'PROG "$1"' sh PATH`; the message on failure names
 * it. ui_edit_file is this with the editor. */
void ui_run_on_tty(struct ui *u, const char *prog, const char *path,
		   void (*done)(int status, void *ctx), void *ctx);
/* Page through the file `path` (a command's whole output): in $PAGER, else
 * `less` when on $PATH, through ui_run_on_tty; with neither (or when the
 * pager cannot be found: status 127) in the full-screen overlay titled
 * `title`, which shows its first 4 MB. */
void ui_page_file(struct ui *u, const char *path, const char *title);

#endif
