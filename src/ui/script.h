/* SPDX-License-Identifier: MIT */
#ifndef DH_UI_SCRIPT_H
#define DH_UI_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/*
 * Scripted input for tests (STYLE.md §3.19): DH_SCRIPT=FILE feeds the
 * workbench one step at a time, only when the loop is idle (ev_is_idle())
 * and any ":wait" is satisfied. One step a line; blank lines and lines
 * starting with '#' are skipped:
 *
 *   KEY                   a key name as in bindings: a  y  <Enter>  <Esc>  <C-l>
 *   :type TEXT            each character of TEXT as a key (the input line)
 *   :wait idle            the idle gate, and no job the workbench shows as
 *                         running (a diff loading, a reply from the engine)
 *   :wait turn-done       an assistant turn or the session finished since the
 *                         last turn-done wait (events are counted, not lost)
 *   :wait text REGEX      an extended regex matches a row of the screen
 *   :wait ms N            N milliseconds passed
 *   :wait approval        an approval prompt (plan or tool) is open
 *   :resize COLS ROWS     resizeterm + relayout, as SIGWINCH would
 *   :save-screen FILE [elements]   screen_dump_write()
 *   :quit                 quit now (interrupting a running task)
 *
 * A wait gives up after DH_SCRIPT_TIMEOUT_MS (default 15000): the script
 * prints "script:LINE: timed out" and the screen to stderr and quits. The
 * end of the script quits too.
 */

struct ev_loop;
struct event;
struct script;

/* What the script drives; ctx is the UI. */
struct script_hooks {
	void (*key)(void *ctx, int key);
	void (*resize)(void *ctx, int cols, int rows);
	void (*quit)(void *ctx);
	bool (*approval)(void *ctx); /* an approval prompt is open */
	bool (*busy)(void *ctx);     /* a job is in flight (the spinner turns) */
};

/* Read and parse the script at `path`; DH_EPARSE with "file:line: message"
 * for a bad line. The loop, hooks and ctx are borrowed. */
int script_open(struct script **out, const char *path, struct ev_loop *l,
		const struct script_hooks *h, void *ctx) DH_MUST_CHECK;
/* Count the events a ":wait turn-done" waits for. NULL-safe. */
void script_event(struct script *s, const struct event *ev);
/* Run the next step if its gate is open; call after each frame. NULL-safe. */
void script_pump(struct script *s);
/* The index of the next step to run; script_seek() goes on from there in a
 * new script (the workbench reopened on another session). NULL-safe. */
size_t script_pos(const struct script *s);
void script_seek(struct script *s, size_t pos);
/* True once the script failed (a wait timed out). */
bool script_failed(const struct script *s);
/* Free; NULL-safe. */
void script_free(struct script *s);

#endif
