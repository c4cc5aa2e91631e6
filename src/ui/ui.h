/* SPDX-License-Identifier: MIT */
#ifndef DH_UI_UI_H
#define DH_UI_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "core/err.h"

/*
 * The workbench: a full-screen view over the engine's events that sends
 * only engine commands (approve, deny, steer, interrupt) and review jobs.
 * Owns the terminal between ui_new() and ui_free(). Loop thread only.
 *
 * Terminal: newterm() on /dev/tty (stdin may be a pipe); with
 * DH_NO_DISPLAY=1 on /dev/null (tests without a tty). SIGWINCH arrives
 * through the loop's signalfd and resizes; SIGINT/SIGTERM/SIGHUP quit.
 */

struct ev_loop;
struct engine;
struct ui;

struct ui_opts {
	const char *task;  /* start this task at once, or NULL: wait in the input line */
	const char *theme; /* theme name or path, or NULL for the default */
	bool resumed;	   /* the engine resumed a session: show its transcript */
	bool no_mouse;	   /* leave the mouse to the terminal (no click or wheel) */
	size_t script_pos; /* DH_SCRIPT: start at this step (after an :open) */
	/* Config `bind CONTEXT KEY ACTION` lines (text after "bind", and
	 * "FILE:LINE"), applied over the defaults; a bad one fails ui_new()
	 * with DH_EPARSE "FILE:LINE: bind: …". Borrowed for the call. */
	const struct config_line *binds;
	size_t nbinds;
};

/* Take over the terminal, draw the first frame and start `task` if given.
 * The engine and loop are borrowed and must outlive the UI. On failure
 * the terminal is restored; DH_EFAIL with a message. */
int ui_new(struct ui **out, struct ev_loop *loop, struct engine *e, const struct ui_opts *o)
	DH_MUST_CHECK;
/* Wait for the engine's worker, restore the terminal, free. NULL-safe. */
void ui_free(struct ui *u);
/* The exit status once the loop stopped: 0, or 130 after an interrupt. */
int ui_exit_status(const struct ui *u);
/* After the loop stopped: the session id `:open` asked for (heap, the caller
 * frees it), or NULL when the workbench simply quit. The caller then opens a
 * new engine on it (resume) and a new UI with ui_opts.resumed and
 * ui_opts.script_pos = ui_script_pos(). */
char *ui_take_reopen(struct ui *u);
/* The DH_SCRIPT step reached (0 without a script). */
size_t ui_script_pos(const struct ui *u);

/*
 * For panes
 */

struct engine *ui_engine(const struct ui *u);
/* Show a one-line message in the status line until the next key. */
void ui_message(struct ui *u, bool error, const char *fmt, ...) DH_PRINTF(3, 4);
/* Count work in flight (review jobs) for the spinner: +1 on post, -1 on done. */
void ui_busy(struct ui *u, int delta);
/* Open `path` (absolute; copied) in $VISUAL, else $EDITOR, else vi: the
 * terminal is handed to the editor (endwin) while the loop keeps running
 * (engine events, streamed tokens, timers), keys are not read until it
 * exits, then the screen is restored and redrawn. `done` (may be NULL) is
 * called on the loop with the editor's wait status, or -1 when it could not
 * start (the message is shown). Refused with a message while another editor
 * runs. With DH_NO_DISPLAY the editor runs with /dev/null as its terminal. */
void ui_edit_file(struct ui *u, const char *path, void (*done)(int status, void *ctx), void *ctx);

#endif
