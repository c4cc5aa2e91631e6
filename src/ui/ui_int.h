/* SPDX-License-Identifier: MIT */
#ifndef DH_UI_UI_INT_H
#define DH_UI_UI_INT_H

/*
 * The workbench's insides, shared by its files (never included outside
 * src/ui/). Loop thread only. The files, as tig and tmux split theirs:
 *   ui.c           lifecycle, loop hooks, engine events, quitting
 *   ui_display.c   layout, status and input lines, the frame throttle
 *   ui_prompt.c    input modes, the key dispatcher, the line editor
 *   ui_approval.c  the pending approval: prompt state and decisions
 *   ui_editor.c    handing the terminal to $EDITOR; the plan editor
 *   ui_term.c      terminal I/O: keys, OSC 52 copy, mouse, DECRQM
 *   ui_cmd.c       the `:` commands and the replies they wait for
 */

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "agent/event.h"
#include "core/buf.h"
#include "core/ev.h"
#include "ui/keymap.h"
#include "ui/layout.h"
#include "ui/pane.h"
#include "ui/ui.h"

#define FRAME_MS      33   /* at most ~30 frames a second while streaming */
#define SPIN_MS	      250  /* the spinner ticks 4 times a second, only while busy */
#define QUIT_GRACE_MS 5000

enum input_mode {
	IN_NONE,
	IN_TASK,    /* a task, or a steer while the agent works */
	IN_COMMAND, /* ":" */
	IN_SEARCH,  /* "/" */
	IN_DENY,    /* deny message for the pending call */
	IN_REJECT,  /* comment rejecting the plan */
	IN_ASK,     /* a question answered by one key (ui_ask) */
};

struct theme;
struct script;

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

	long review_pending;		 /* files pending review, -1 unknown (ui_review_pending) */

	struct buf ask_text;		 /* IN_ASK: the question, */
	char *ask_keys;			 /* the keys that answer it, */
	int ask_enter;			 /* the key Enter stands for (0: none), */
	ui_answer_fn *ask_fn;		 /* and who gets the answer */
	void *ask_ctx;
};

/*
 * ui.c
 */

/* The pane keys go to: the overlay when shown, else the focused pane. */
struct pane *ui_focused(struct ui *u);
/* A task runs (or its start was sent and not yet answered). */
bool ui_task_busy(struct ui *u);
/* Send a command whose reply only matters when it is a refusal (shown). */
void ui_send_cmd(struct ui *u, struct command *c);
/* What the agent does now, for the status line: `what` then `arg` (NULL). */
void ui_set_phase(struct ui *u, const char *what, const char *arg);
/* Arm the spinner when something is in flight; it stops by itself. */
void ui_spin_maybe(struct ui *u);
/* Leave: the task goes on; the loop ends. */
void ui_detach(struct ui *u);
/* q: quit when idle; while a task runs ask detach / stop / cancel. */
void ui_request_quit(struct ui *u);
/* Interrupt the task, then quit once it ended (or after a grace time). */
void ui_stop_and_quit(struct ui *u);
/* Interrupt the running task (nothing when idle). */
void ui_interrupt(struct ui *u);
/* A live event (not history): to the panes, the script, the status. */
void ui_live_event(struct ui *u, const struct event *ev);

/*
 * ui_display.c
 */

/* Lay the panes and lines out for the terminal's size; all redrawn. */
void ui_relayout(struct ui *u);
/* SIGWINCH (also called after the editor gave the terminal back). */
void ui_on_winch(struct ev_loop *l, int signo, void *ctx);
/* Draw what is dirty, one doupdate() (synchronized output when known). */
void ui_render(struct ui *u);
/* The frame timer: the throttled frame is due. */
void ui_frame_due(struct ev_loop *l, struct ev_timer *t, void *ctx);

/*
 * ui_prompt.c
 */

/* The line being edited in the current mode. */
struct buf *ui_cur_input(struct ui *u);
/* Start `text` as a task, or steer the running one with it. */
void ui_start_task(struct ui *u, const char *text);
/* Enter input mode `m` (the line is cleared except for a task). */
void ui_begin_input(struct ui *u, enum input_mode m);
/* Run an action that is not the input line's. */
void ui_global_action(struct ui *u, enum action a);
/* One key (ncurses key code, KEYMAP_FKEY | KEY_x for function keys). */
void ui_handle_key(struct ui *u, int key);

/*
 * ui_approval.c
 */

/* Forget the pending approval; the input mode it suspended comes back. */
void ui_approval_clear(struct ui *u);
/* Answer the pending approval: approve or deny, `text` a message (or
 * NULL), `steps` an edited plan (or NULL), `always` for the session. */
void ui_approval_send_steps(struct ui *u, bool approve, const char *text, cJSON *steps,
			    bool always);
void ui_approval_send(struct ui *u, bool approve, const char *text);
/* An approval_needed event: it becomes the prompt. */
void ui_approval_needed(struct ui *u, const struct event *ev);
/* The snapshot's pending approval (an approval_needed event as JSON). */
void ui_approval_show_pending(struct ui *u, const cJSON *pending);
/* An approval key (keymap KEYMAP_APPROVAL) while a call or plan waits. */
void ui_approval_action(struct ui *u, enum action a);

/*
 * ui_editor.c
 */

/* The pending plan in $EDITOR; what is saved is sent as the decision. */
void ui_edit_plan(struct ui *u);

/*
 * ui_term.c
 */

/* Write raw bytes to the terminal (a query, a mode); nothing without one. */
void ui_write_tty(struct ui *u, const char *s);
/* The selected block of pane `p` to the clipboard (OSC 52). */
void ui_copy_selection(struct ui *u, struct pane *p);
/* The terminal is readable: keys, mouse, the DECRQM reply. */
void ui_on_tty(struct ev_loop *l, int fd, unsigned revents, void *ctx);

/*
 * ui_cmd.c
 */

/* Show `text` in the full-screen overlay titled `title`. */
void ui_show_overlay(struct ui *u, const char *title, const char *text);
/* Run a `:` command line (modified in place). */
void ui_cmd_run(struct ui *u, char *line);
/* Tab on the `:` line: complete the command name. */
void ui_cmd_complete(struct ui *u);
/* Enter in the :sessions overlay: open the session on the cursor's row. */
void ui_cmd_open_selected(struct ui *u);
/* A reply to one of the UI's own commands (tags "ui-…"): handled, true. */
bool ui_cmd_reply(struct ui *u, const struct event *ev);

#endif
