/* SPDX-License-Identifier: MIT */
#ifndef DH_UI_KEYMAP_H
#define DH_UI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct buf;

/*
 * Actions and key bindings (STYLE.md §3.16). ACTION_INFO generates the enum,
 * the names used in config (`bind CONTEXT KEY ACTION`) and the `?` help.
 */

#define ACTION_INFO(GROUP, A)                                                         \
	GROUP("Panes")                                                                \
	A(FOCUS_NEXT, "focus-next", "Move focus to the next pane")                    \
	A(FOCUS_PREV, "focus-prev", "Move focus to the previous pane")                \
	A(MAXIMIZE, "maximize", "Maximize the focused pane (again: restore)")         \
	A(REDRAW, "redraw", "Redraw the whole screen")                                \
	A(HELP, "help", "Show the key bindings")                                      \
	A(COMMAND, "command", "Command line (:grant, :ungrant, :sessions, :detach, :q)") \
	A(QUIT, "quit", "Quit (asks while a task runs: detach or stop it)")           \
	A(DETACH, "detach", "Detach: leave the workbench, the task goes on")          \
	GROUP("Movement")                                                             \
	A(UP, "up", "Move up one line")                                               \
	A(DOWN, "down", "Move down one line")                                         \
	A(PAGE_UP, "page-up", "Move up one page")                                     \
	A(PAGE_DOWN, "page-down", "Move down one page")                               \
	A(HALF_UP, "half-page-up", "Move up half a page")                             \
	A(HALF_DOWN, "half-page-down", "Move down half a page")                       \
	A(TOP, "top", "Go to the first line (Home: not while text is typed)")         \
	A(BOTTOM, "bottom", "Go to the last line and follow (End: as Home)")          \
	A(SEARCH, "search", "Search in the pane")                                     \
	A(SEARCH_NEXT, "search-next", "Next match")                                   \
	A(SEARCH_PREV, "search-prev", "Previous match")                               \
	A(EXPAND, "expand", "Expand or fold a tool call; open a session in :sessions") \
	A(COPY, "copy", "Copy the selected block (OSC 52, works over SSH)")          \
	GROUP("Task")                                                                 \
	A(INPUT, "input", "Type a task, or a steer while the agent works")            \
	A(SEND, "send", "Send the input line")                                        \
	A(INTERRUPT, "interrupt", "Interrupt the running turn or command now")        \
	GROUP("Input line (Esc or Tab leaves a task line, keeping its text)")         \
	A(LINE_LEFT, "line-left", "Cursor one character left")                        \
	A(LINE_RIGHT, "line-right", "Cursor one character right")                     \
	A(LINE_WORD_LEFT, "line-word-left", "Cursor to a word's start (letters, digits)") \
	A(LINE_WORD_RIGHT, "line-word-right", "Cursor to a word's end (letters, digits)") \
	A(LINE_START, "line-start", "Cursor to the start (empty line: pane's top)")   \
	A(LINE_END, "line-end", "Cursor to the end (empty line: pane's bottom)")      \
	A(LINE_BACKSPACE, "line-backspace", "Delete the character before the cursor") \
	A(LINE_DELETE, "line-delete", "Delete the character under the cursor")        \
	A(LINE_KILL_END, "line-kill-end", "Delete from the cursor to the end")        \
	A(LINE_KILL_START, "line-kill-start", "Delete from the start to the cursor")  \
	A(LINE_KILL_WORD, "line-kill-word", "Delete the word before the cursor, to a blank") \
	A(LINE_KILL_WORD_LEFT, "line-kill-word-left", "Delete back to a word's start") \
	A(LINE_KILL_WORD_RIGHT, "line-kill-word-right", "Delete on to a word's end")    \
	A(LINE_YANK, "line-yank", "Insert the text deleted last")                     \
	GROUP("Plan")                                                                 \
	A(PLAN_APPROVE, "plan-approve", "Approve the proposed plan")                  \
	A(PLAN_REJECT, "plan-reject", "Reject the plan with a comment")               \
	A(PLAN_EDIT, "plan-edit", "Edit the plan")                                    \
	GROUP("Approval")                                                             \
	A(ALLOW, "allow", "Allow the tool call once")                                 \
	A(ALLOW_ALWAYS, "allow-always", "Allow this kind of call for the session")    \
	A(DENY, "deny", "Deny the tool call")                                         \
	A(DENY_MSG, "deny-message", "Deny with a message to the agent")               \
	GROUP("Review")                                                               \
	A(NEXT_HUNK, "next-hunk", "Next hunk")                                        \
	A(PREV_HUNK, "prev-hunk", "Previous hunk")                                    \
	A(NEXT_FILE, "next-file", "Next file")                                        \
	A(PREV_FILE, "prev-file", "Previous file")                                    \
	A(ACCEPT, "accept", "Accept the selected hunk, or file")                               \
	A(REJECT, "reject", "Reject the selected hunk, or file")                      \
	A(ACCEPT_ALL, "accept-all", "Accept every pending change")                    \
	A(REJECT_ALL, "reject-all", "Reject every pending change")                    \
	A(WHITESPACE, "whitespace", "Show or hide whitespace-only changes")           \
	A(SPLIT, "side-by-side", "Unified or side-by-side diff")                      \
	A(OPEN, "open", "Open the selected file in $EDITOR")                          \
	A(CHECKPOINTS, "checkpoints", "Checkpoint list (Enter restores one; again: back)") \
	A(UNDO, "undo", "Undo your last review action here, else the last agent step") \
	A(REDO, "redo", "Redo what the last undo undid")                              \
	A(CLOSE, "close", "Close the checkpoint list (in the review: quit)")          \
	A(REFRESH, "refresh", "Reload the review")

enum action {
	ACTION_NONE = 0,
#define GROUP_(g)
#define A_(e, n, d) ACTION_##e,
	ACTION_INFO(GROUP_, A_)
#undef A_
#undef GROUP_
		ACTION__COUNT
};

/* Where a binding applies; lookup goes from the most specific to global. */
enum keymap_ctx {
	KEYMAP_GLOBAL,
	KEYMAP_APPROVAL, /* a tool call or plan waits for an answer */
	KEYMAP_PLAN,
	KEYMAP_TRANSCRIPT,
	KEYMAP_DIFF,
	KEYMAP_HELP,
	KEYMAP_LINE, /* the input line while a line is typed (no fallback to global) */
	KEYMAP__COUNT
};

/* A key: a Unicode character, or KEYMAP_FKEY | a curses KEY_* code; either
 * with KEYMAP_ALT for Alt (Meta) held, which terminals send as Esc and then
 * the key, or in a single-byte locale as the key's byte with the 8th bit set
 * (ui_term.c makes both one key). */
#define KEYMAP_FKEY 0x1000000
#define KEYMAP_ALT  0x2000000

/* The config name of an action ("focus-next"), NULL for ACTION_NONE. */
const char *keymap_action_name(enum action a);
/* By name; ACTION_NONE when unknown. */
enum action keymap_action_by_name(const char *name);
/* By name ("global", "diff"…); -1 when unknown. */
int keymap_ctx_by_name(const char *name);

/* Parse a key name: "j", "G", "<Tab>", "<S-Tab>", "<C-d>", "<Esc>",
 * "<Enter>", "<Space>", "<PgUp>", "<PgDn>", "<Up>", "<Down>", "<Left>",
 * "<Right>", "<Home>", "<End>", "<Backspace>", "<F1>".."<F12>", and any of
 * them with Alt as "<M-b>", "<M-Backspace>", "<M-C-h>" (KEYMAP_ALT).
 * DH_EPARSE ("unknown key '<Foo>'") otherwise. */
int keymap_parse_key(int *out, const char *name) DH_MUST_CHECK;
/* The key's name in the same syntax, into out (at least 16 bytes). */
void keymap_key_name(int key, char *out, size_t n);
/* One code per key, whatever the terminal sent for it: CR and keypad Enter
 * are '\n', DEL (the Backspace key of most terminals) is <Backspace>; the
 * Alt bit is kept. */
int keymap_key_canon(int key);

/* Load the default bindings (a fresh table). DH_EPARSE naming the entry
 * when a default key does not parse or the table is full (a defect of the
 * defaults: the test suite calls it, so it is never silently dropped). */
int keymap_init_defaults(void) DH_MUST_CHECK;
/* Bind `key` to `a` in `ctx` (replacing an earlier binding there). */
int keymap_bind(enum keymap_ctx ctx, int key, enum action a) DH_MUST_CHECK;
/* Parse and apply one "bind CONTEXT KEY ACTION" line (without "bind "). */
int keymap_bind_line(const char *line) DH_MUST_CHECK;
/* The action for `key` in `ctx`, falling back to global (unless ctx is
 * KEYMAP_APPROVAL, KEYMAP_HELP or KEYMAP_LINE, which do not fall back). */
enum action keymap_lookup(enum keymap_ctx ctx, int key);
/* True when `key` is bound in some context (an Alt key that is not is
 * taken as Esc and then the key, as before Alt keys had names). */
bool keymap_has_key(int key);

/* The help text, one line per binding, grouped as ACTION_INFO groups them:
 * "Panes" headings, then "  <Tab>, <C-n>    \tfocus-next   \tMove focus…":
 * a tab before each column, a table for pane_help_set_table(). */
void keymap_help(struct buf *out);

#endif
