/* SPDX-License-Identifier: MIT */
#ifndef DH_UI_UI_INT_H
#define DH_UI_UI_INT_H

/*
 * The workbench's insides, shared by its files (never included outside
 * src/ui/). Loop thread only. The files, as tig and tmux split theirs:
 *   ui.c           lifecycle, loop hooks, engine events, quitting
 *   ui_display.c   layout, status and input lines, the frame throttle
 *   ui_prompt.c    input modes, the key dispatcher, the line editor's keys
 *   ui_approval.c  the pending approval: prompt state and decisions
 *   ui_editor.c    handing the terminal to $EDITOR; the plan editor
 *   ui_term.c      terminal I/O: keys, OSC 52 copy, mouse, DECRQM
 *   ui_cmd.c       the `:` commands and the replies they wait for
 *   ui_form.c      a connector's request for input: a form or a page to open
 *   ui_connect.c   the connectors' prompts: :prompts, :prompt
 *   ui_inbox.c     :inbox, the inbox count, notices from other engines
 */

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "agent/event.h"
#include "core/buf.h"
#include "core/strv.h"
#include "core/ev.h"
#include "ui/editline.h"
#include "ui/keymap.h"
#include "ui/layout.h"
#include "ui/pane.h"
#include "ui/ui.h"

#define FRAME_MS      33   /* at most ~30 frames a second while streaming */
#define SPIN_MS	      250  /* the spinner ticks 4 times a second, only while busy */
#define QUIT_GRACE_MS 5000

/*
 * The mode an input belongs to: one state, one dispatcher (ui_prompt.c).
 * The modes form a small stack: a question or an approval that comes while a
 * line is typed (or the overlay is shown) goes on top, and the mode under it
 * comes back once it is answered. The top alone says where keys go and what
 * the input line shows (ui_prompt.c's mode table), so a prompt is never on
 * screen while keys go elsewhere.
 */
enum input_mode {
	IN_NONE,     /* keys go to the panes; the input line shows a hint */
	IN_OVERLAY,  /* the full-screen overlay: ?, :help, :sessions, :grants */
	IN_APPROVAL, /* a tool call (or a network host) awaits y A n d */
	IN_PLAN,     /* the plan awaits a r e */
	IN_TASK,     /* a task, or a steer while the agent works */
	IN_COMMAND,  /* ":" */
	IN_SEARCH,   /* "/" */
	IN_DENY,     /* deny message for the pending call */
	IN_REJECT,   /* comment rejecting the plan */
	IN_ASK,      /* a question answered by one key (ui_ask) */
	IN_FORM,     /* a connector's form: a field in the line, the form in the overlay */
	IN__COUNT
};

#define UI_MODE_DEPTH 6

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
	bool esc_held;			 /* an Esc read: Alt with the next key, or Esc */
	bool meta8;			 /* a single-byte locale: the 8th bit may be Alt */
	struct pane panes[LAYOUT__COUNT];
	struct pane help;		 /* the overlay (shown in IN_OVERLAY) */
	enum layout_pane focus;
	bool maximized;
	struct layout lay;
	WINDOW *status_w, *input_w, *sep_w[2];
	bool frame_all, status_dirty, input_dirty;
	bool throttle;			 /* a text delta arrived: wait for the frame slot */
	uint64_t last_frame;
	struct ev_timer frame_timer;

	enum input_mode mode;		 /* where keys go now (the stack's top) */
	enum input_mode under[UI_MODE_DEPTH]; /* the modes it suspended, oldest first */
	size_t nunder;
	struct editline in_task, in_line; /* the task being typed; the other lines */
	struct buf kill;		 /* what the input line's last kill deleted (C-y) */
	char *search;
	char *history[32];		 /* ":" history, oldest first */
	size_t nhistory;
	long hist_pos;

	char *pending_id, *pending_name; /* the call or plan awaiting an answer */
	char *pending_what, *pending_arg; /* "Allow TOOL", and its path or command */
	char *pending_rule;		 /* "asked by rule '…' (FILE:LINE)", or NULL */
	bool pending_plan;

	char *phase;
	uint64_t task_start, task_end;
	char *call_id;			 /* the tool call last announced (tool_call) */
	char *call_name;
	uint64_t call_start;		 /* when it started running; 0: none runs */
	int spin, jobs;
	struct ev_timer spin_timer;
	struct buf msg;
	bool msg_err;

	bool quitting;
	bool detached;			 /* the client leaves, the task goes on */
	bool hung_up;			 /* the terminal went away (SIGHUP, POLLHUP) */
	bool interrupted;
	bool starting;			 /* a start was sent, its reply has not come */
	bool prompting;			 /* a prompt was asked for, its reply has not come */
	char *shown_task;		 /* the task text this client showed, until its
					  * session_started (ui_task_shown) */
	bool in_history;		 /* between "hello" and "history_end" */
	bool history_done;		 /* a "history_end" came: prompts may show (apply_state) */
	bool first_note;		 /* the first run's note on granting was shown */
	char *seen_status;		 /* how the last task this client saw live ended */
	char *mcp_trust_path;		 /* the .mcp.json the trust question is about */
	unsigned long seq;		 /* request ids: TAG-N */
	char *ungrant_path;		 /* the :ungrant waiting for its reply */
	char *open_spec;		 /* the :open waiting for the session list */
	struct ev_timer quit_timer;
	struct script *script;		 /* DH_SCRIPT, or NULL */

	pid_t editor;			 /* $EDITOR holds the terminal, or 0 */
	void (*editor_done)(int status, void *ctx);
	void *editor_ctx;
	char *editor_prog;		 /* its command, for a report of its failure */
	char *page_path, *page_title;	 /* what the pager shows (ui_page_file) */
	char *plan_file;		 /* the plan being edited there */
	struct buf plan_text;		 /* what it held when the editor started */
	struct timespec plan_mtime;	 /* and its mtime then */
	cJSON *pending_input;		 /* the pending call's input (a plan's steps) */
	bool sessions_loading;		 /* a :sessions request is in flight */
	bool sessions_shown;		 /* the overlay is a list of sessions: :sessions, :inbox */
	int inbox_count;		 /* entries in the inbox (the status line), 0 unknown */
	bool inbox_loading;		 /* an inbox count request is in flight */
	bool inbox_again;		 /* and another is due once it is back */
	char *reopen;			 /* :open: the session the workbench shows next */

	struct strv compl;		 /* `:` Tab: the candidates of the word at compl_at */
	size_t compl_at;		 /* where that word starts in in_line (to the cursor) */
	long compl_i;			 /* the candidate shown, -1 before the first cycle */
	struct strv session_ids;	 /* the last sessions reply's ids (completion) */
	bool compl_waiting;		 /* a sessions request for completion is in flight */

	long review_pending;		 /* files pending review, -1 unknown (ui_review_pending) */

	struct buf ask_text;		 /* IN_ASK: the question, */
	char *ask_keys;			 /* the keys that answer it, */
	int ask_enter;			 /* the key Enter stands for (0: none), */
	bool ask_keys_first;		 /* it says its keys first: "KEYS · WHAT", */
	ui_answer_fn *ask_fn;		 /* and who gets the answer */
	void *ask_ctx;

	struct ui_form *form;		 /* connectors' requests for input (ui_form.c) */
	struct strv prompt_names;	 /* the last prompts reply as SERVER/NAME (completion) */
	struct strv prompt_args;	 /* and each one's argument names, "a b " */
};

/*
 * ui.c
 */

/* The terminal type the workbench drives: $TERM, or vt100 when it is unset
 * or empty (every terminal emulator understands vt100). */
const char *ui_term_name(void);
/* True when DH_NO_DISPLAY asks for a workbench on /dev/null (no tty). */
bool ui_no_display(void);
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
/* The terminal went away: detach, and nobody is left to wait for. */
void ui_hang_up(struct ui *u);
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

/* The line being edited in the current mode (borrowed: the UI's, or the
 * form's field). */
struct editline *ui_cur_input(struct ui *u);
/* A task starts with `text`: the transcript shows it, the clock starts; the
 * text is kept (shown_task) so that the task's session_started, when it comes,
 * does not show it again. */
void ui_task_shown(struct ui *u, const char *text);
/* Start `text` as a task, or steer the running one with it. */
void ui_start_task(struct ui *u, const char *text);
/* Enter input mode `m`: a line mode replaces a line being typed, any other
 * mode is suspended under it (the line is cleared except for a task). */
void ui_begin_input(struct ui *u, enum input_mode m);
/* Put mode `m` on top of the stack (the current mode is suspended under it),
 * or just under the top when `below` (a question stays on top). */
void ui_mode_push(struct ui *u, enum input_mode m, bool below);
/* Leave the current mode: the one it suspended comes back (IN_NONE last). */
void ui_mode_pop(struct ui *u);
/* Take mode `m` out of the stack wherever it is (an approval answered
 * elsewhere, the overlay closed by a pane). */
void ui_mode_drop(struct ui *u, enum input_mode m);
/* An approval comes (its prompt goes on top, under a question being asked
 * or a line being typed) or is gone (answered here or elsewhere: its modes
 * leave the stack). */
void ui_mode_approval_begin(struct ui *u, bool plan);
void ui_mode_approval_end(struct ui *u);
/* Back to IN_NONE with nothing suspended (detach, quit). */
void ui_mode_reset(struct ui *u);
/* The overlay is on screen: it is the current mode, or under a line or a
 * question typed over it. */
bool ui_overlay_shown(const struct ui *u);
/* The current mode edits a line (its prompt precedes the text). */
bool ui_mode_is_line(const struct ui *u);
/* What the input line shows in the current mode: the prompt of a line mode
 * (its text follows, ui_cur_input), else the whole line (a hint, a question,
 * the approval prompt, a message) in *out with its element in *elem. */
const char *ui_mode_prompt(const struct ui *u);
void ui_mode_line(struct ui *u, struct buf *out, enum ui_elem *elem);
/* Take back question `fn` asked, if it is still open: fn runs with 0. */
void ui_ask_dismiss(struct ui *u, ui_answer_fn *fn);
/* Run an action that is not the input line's. */
void ui_global_action(struct ui *u, enum action a);
/* One key (ncurses key code, KEYMAP_FKEY | KEY_x for function keys, either
 * with KEYMAP_ALT), routed by the current mode's entry in the mode table. */
void ui_handle_key(struct ui *u, int key);

/*
 * ui_approval.c
 */

/* Forget the pending approval (and A's questions about it); the input mode
 * it suspended comes back. */
void ui_approval_clear(struct ui *u);
/* Answer the pending approval: approve or deny, `text` a message (or
 * NULL), `steps` an edited plan (or NULL), `always` for the session. */
void ui_approval_send_steps(struct ui *u, bool approve, const char *text, cJSON *steps,
			    bool always);
void ui_approval_send(struct ui *u, bool approve, const char *text);
/* An approval_decided or plan_decided event for the pending approval that
 * this workbench did not send (another client's answer, or the question
 * withdrawn): the prompt goes; a deny or reject message being typed is kept
 * for C-y, and a message says it, or A's unanswered question, was not sent. */
void ui_approval_decided_elsewhere(struct ui *u, const struct event *ev);
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
/* The workbench leaves (ui_free) with a program still on the terminal
 * (detached, hung up, killed): it is told as a hangup tells it, SIGHUP and
 * SIGCONT (one stopped would not see it), to the shell that runs it and to
 * that shell's children (the program: dash does not exec it), and given
 * EDITOR_HUP_MS to save its text and exit, then SIGTERM and EDITOR_TERM_MS
 * more. One still running then is left to end on its own and not SIGKILLed:
 * that would take from an editor still saving the person's text (vim and
 * nano write a recovery file on SIGHUP) its chance, and after a hangup it has
 * no terminal to be used from anyway. Blocks up to 3 s: ui_free only. The
 * plan file being edited is kept: an editor's recovery files are named after
 * it, and it may hold what was saved. Returns what to tell on stderr once the
 * screen is given back, lines or "" (free() it). */
char *ui_editor_abandon(struct ui *u);

/*
 * ui_term.c
 */

/* `text` to the clipboard (OSC 52). 0, or DH_EFAIL without a terminal or
 * when the write failed (the message is shown). */
int ui_copy_text(struct ui *u, const char *text, size_t n);
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
/* Tab on the `:` line: complete the command name, then its argument by the
 * command's argument kind, up to the cursor (the text after it stays); a
 * repeated Tab cycles the candidates. */
void ui_cmd_complete(struct ui *u);
/* The line changed otherwise: the next Tab completes afresh. */
void ui_cmd_complete_reset(struct ui *u);
/* The completion candidates when there are several, for the input line. */
void ui_cmd_candidates(const struct ui *u, struct buf *out);
/* Enter in the :sessions overlay: open the session on the cursor's row. */
void ui_cmd_open_selected(struct ui *u);
/* A reply to one of the UI's own commands (tags "ui-…"): handled, true. */
bool ui_cmd_reply(struct ui *u, const struct event *ev);

/*
 * ui_form.c
 */

/* An elicitation_needed event: shown now, or after the one shown. */
void ui_form_needed(struct ui *u, const struct event *ev);
/* An elicitation_decided event: the request leaves (answered elsewhere). */
void ui_form_decided(struct ui *u, const struct event *ev);
/* The snapshot's waiting elicitations (an array of elicitation_needed). */
void ui_form_show_pending(struct ui *u, const cJSON *pending);
/* IN_FORM: the field being typed (borrowed), and the input line's prompt
 * for it. */
struct editline *ui_form_line(struct ui *u);
const char *ui_form_prompt(const struct ui *u);
/* The field's text changed (a key the line editor took). */
void ui_form_edited(struct ui *u);
/* The form's own keys (ui_prompt.c's mode table routes them). */
enum ui_form_op {
	UI_FORM_NEXT,	 /* Tab */
	UI_FORM_PREV,	 /* Shift-Tab */
	UI_FORM_UP,	 /* Up: the previous option, or field */
	UI_FORM_DOWN,	 /* Down */
	UI_FORM_SUBMIT,	 /* Enter: check against the schema, send */
	UI_FORM_DECLINE, /* Esc */
};
void ui_form_op(struct ui *u, enum ui_form_op op);
/* Free what ui_form.c holds (the workbench closes). */
void ui_form_fini(struct ui *u);

/*
 * ui_connect.c
 */

/* :prompts: ask the engine; the reply (tag ui-plist) fills the overlay. */
void ui_prompts_list(struct ui *u);
void ui_prompts_on_list(struct ui *u, const struct event *ev);
/* Tab on :prompt's arguments (`word`, which starts at u->compl_at): the
 * first, SERVER/NAME candidates (asked once: ui-pcompl); a later one, the
 * prompt's argument names not given yet, each as "NAME=" (u->compl_at moved
 * to that word). Nothing inside an open "…". */
void ui_prompts_complete(struct ui *u, const char *word);
void ui_prompts_on_compl(struct ui *u, const struct event *ev);
/* :prompt SERVER/NAME [ARG=VALUE …] (ARG="a b" quotes); its reply
 * (ui-prompt) shows the task started, or why not. */
void ui_prompt_run(struct ui *u, char *arg);
void ui_prompt_on_reply(struct ui *u, const struct event *ev);

/*
 * ui_inbox.c
 */

/* Ask the engine for the inbox's count (the status line) again. */
void ui_inbox_refresh(struct ui *u);
/* :inbox: ask for the list and show it in the overlay once it came. */
void ui_inbox_show(struct ui *u);
/* A reply to ui_inbox_refresh() or ui_inbox_show(): handled, true. */
bool ui_inbox_reply(struct ui *u, const struct event *ev);
/* A "notice" event: the message line says it; the count is asked again. */
void ui_inbox_notice(struct ui *u, const struct event *ev);

#endif
