/* SPDX-License-Identifier: MIT */
#ifndef DH_AGENT_EVENT_H
#define DH_AGENT_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/err.h"

/*
 * The engine's typed event/command interface (DESIGN.md "The whole in one
 * picture"). Every event serializes to one JSON object with a "type" field;
 * the same lines are the `deskhand run --json` output, the session transcript
 * and, later, the wire to an attached TUI. The README documents each type;
 * fields are only ever added, never renamed.
 */

#define EVENT_TYPES(X)                                                   \
	X(EVENT_SESSION_STARTED, "session_started")   /* session, grants, task, model, mode, watcher */ \
	X(EVENT_PLAN_PROPOSED, "plan_proposed")       /* id, steps */                          \
	X(EVENT_PLAN_DECIDED, "plan_decided")         /* id, approved, text (comment) */       \
	X(EVENT_PLAN_UPDATED, "plan_updated")         /* steps */                              \
	X(EVENT_TURN_STARTED, "turn_started")         /* turn */                               \
	X(EVENT_TEXT_DELTA, "text_delta")             /* text */                               \
	X(EVENT_ASSISTANT_MESSAGE, "assistant_message") /* turn, text, stop_reason */          \
	X(EVENT_USER_MESSAGE, "user_message")         /* text (a steer delivered) */           \
	X(EVENT_TOOL_CALL, "tool_call")               /* id, name, input */                    \
	X(EVENT_APPROVAL_NEEDED, "approval_needed")   /* id, name, input, text (why) */        \
	X(EVENT_APPROVAL_DECIDED, "approval_decided") /* id, approved, text */                 \
	X(EVENT_TOOL_RESULT, "tool_result")           /* id, name, is_error, output, duration_ms */ \
	X(EVENT_CHECKPOINT, "checkpoint")             /* id, short_id, grant, tool_call, turn, files_changed, duration_ms, text (diffstat), paths_read, ckpt_mode, external */ \
	X(EVENT_STATUS, "status")                     /* phase, turn, pending_jobs, watcher */ \
	X(EVENT_USAGE, "usage")                       /* usage, cost_usd, total_cost_usd */   \
	X(EVENT_RETRY, "retry")                       /* attempt, delay_ms, text (reason) */   \
	X(EVENT_AUDIT, "audit")                       /* id, name, text (what was refused) */  \
	X(EVENT_EGRESS, "egress")                     /* host, port, allowed, text (reason), address, name (source) */ \
	X(EVENT_ERROR, "error")                       /* text (message) */                     \
	X(EVENT_REVIEW, "review")                     /* name (op), approved (ok), text (report or error), output (conflict dir) */ \
	X(EVENT_SESSION_FINISHED, "session_finished") /* status, text (final answer/reason) */ \
	X(EVENT_HELLO, "hello")                       /* protocol, session, data (state snapshot) */ \
	X(EVENT_HISTORY_END, "history_end")           /* turn (records replayed) */            \
	X(EVENT_REPLY, "reply")                       /* re, name (op), approved (ok), text (message), data */ \
	X(EVENT_DETACHED, "detached")                 /* session, text (reason) */

enum event_type {
#define X(e, s) e,
	EVENT_TYPES(X)
#undef X
	EVENT__COUNT
};

struct event_usage {
	long input_tokens;
	long output_tokens;
	long cache_read_tokens;
	long cache_creation_tokens;
};

/* One event. Only the fields listed for its type in EVENT_TYPES are
 * serialized; every pointer is borrowed for the duration of the emit. */
struct event {
	enum event_type type;
	const char *session;	     /* session_started */
	const char *const *grants;   /* session_started */
	size_t ngrants;
	const char *task;	     /* session_started */
	const char *model;	     /* session_started */
	const char *mode;	     /* session_started: "ask" | "auto" */
	int turn;		     /* turn_started, assistant_message, checkpoint */
	const char *id;		     /* tool call id, or checkpoint commit id */
	const char *short_id;	     /* checkpoint */
	const char *name;	     /* tool name */
	const cJSON *input;	     /* tool_call, approval_needed */
	const cJSON *steps;	     /* plan_*: [{title, status}] */
	const char *text;	     /* see EVENT_TYPES */
	const char *output;	     /* tool_result */
	bool is_error;		     /* tool_result */
	bool approved;		     /* *_decided */
	const char *grant;	     /* checkpoint: the grant's path */
	const char *tool_call;	     /* checkpoint: tool call id, NULL for baseline */
	long files_changed;	     /* checkpoint */
	long duration_ms;	     /* checkpoint, tool_result, retry (delay) */
	int attempt;		     /* retry */
	const char *stop_reason;     /* assistant_message */
	struct event_usage usage;    /* usage */
	double cost_usd;	     /* usage: this request; < 0 = unknown model */
	double total_cost_usd;	     /* usage: the session so far */
	const char *status;	     /* session_finished: "done" | "failed" | "interrupted" */
	const char *watcher;	     /* session_started, status: "inotify, …" or "off (why)" */
	long paths_read;	     /* checkpoint: paths whose stat data was checked */
	const char *ckpt_mode;	     /* checkpoint: "incremental" | "full" */
	bool external;		     /* checkpoint: changes the agent did not make */
	const char *phase;	     /* status: idle, checkpoint, stream, tools, done */
	long pending_jobs;	     /* status: snapshot jobs queued or running */
	const char *host;	     /* egress */
	int port;		     /* egress */
	bool allowed;		     /* egress */
	const char *address;	     /* egress: the pinned address when allowed */
	const char *re;		     /* any reply: the "id" of the command it answers, or NULL */
	const cJSON *data;	     /* hello (snapshot), reply (the answer's payload) */
	int protocol;		     /* hello: PROTOCOL_VERSION */
};

/* The wire protocol's version, carried by both sides' "hello". */
#define PROTOCOL_VERSION 1

/* The wire name of a type ("tool_call"); NULL for an invalid value. */
const char *event_type_name(enum event_type t);

/* Serialize to a new cJSON object {"type": …, fields…}; caller owns it
 * (cJSON_Delete). Never NULL. */
cJSON *event_to_json(const struct event *ev);

/* Receivers of events: the transcript writer, the --json printer, the human
 * printer, tests. Called synchronously on the loop thread; must not block. */
typedef void event_sink_fn(const struct event *ev, void *ctx);

/*
 * Commands (client → engine), one JSON object per line:
 *   {"type":"approve","id":"toolu_…"}          allow a pending tool call or plan
 *   {"type":"approve","id":"toolu_…","steps":[{"title":"…"},…]}
 *                                               approve a plan as edited by the person
 *   {"type":"deny","id":"toolu_…","message":"…"} refuse it, with a note to the agent
 *   {"type":"steer","text":"…"}                 a user message for the next turn
 *   {"type":"interrupt"}                        stop the stream / kill the command now
 *   {"type":"status"}                           reply at once with a status event
 * Review (snap/review.h), answered by a "review" event once done on the
 * worker; PATH is absolute or relative to the first grant:
 *   {"type":"accept"}                           accept every pending change
 *   {"type":"accept","path":P[,"hunk":N]}       accept a file, or one of its hunks
 *   {"type":"reject","path":P[,"hunk":N]}       restore a file (or revert a hunk)
 *   {"type":"reject"}                           reject every pending change
 *   {"type":"undo"}                             undo the newest agent step
 *   {"type":"restore","checkpoint":"SPEC"}      the folder back to a checkpoint
 *   each may carry "force":true (overwrite conflicting edits)
 */
enum command_type {
	COMMAND_APPROVE,
	COMMAND_DENY,
	COMMAND_STEER,
	COMMAND_INTERRUPT,
	COMMAND_STATUS,
	COMMAND_ACCEPT,
	COMMAND_REJECT,
	COMMAND_UNDO,
	COMMAND_RESTORE,
	COMMAND_REDO,       /* redo the newest undone step; answered by "review" */
	COMMAND_HELLO,      /* protocol, client (name); answered by "hello" */
	COMMAND_START,      /* text: the task (a steer while one runs); answered by "reply" */
	COMMAND_GRANT,      /* path, force; answered by "reply" {data: grants} */
	COMMAND_UNGRANT,    /* path; answered by "reply" {data: grants} */
	COMMAND_SESSIONS,   /* answered by "reply" {data: [session rows]} */
	COMMAND_REVIEW_GET, /* answered by "reply" {data: {files: [...]}} */
	COMMAND_LOG,        /* answered by "reply" {data: [checkpoints]} */
};

struct command {
	enum command_type type;
	char *id;   /* approve/deny: the tool call id; NULL = the pending one */
	char *text; /* deny: message; steer: text */
	cJSON *steps; /* approve of a plan: the person's edited steps [{"title"}], or NULL */
	char *path;   /* accept/reject: the file, NULL = everything pending;
			 restore: the checkpoint spec */
	int hunk;     /* accept/reject: hunk number from 1, 0 = the whole file */
	bool force;   /* reject/undo/restore: overwrite conflicting edits */
	char *req;    /* wire "id": the request id a reply carries back as "re", or NULL.
			 For approve/deny the tool call is wire "call"; a command
			 without "call" names it with "id" (the older form). */
	int protocol; /* hello */
};

/* Parse one command line. Invalid UTF-8 in it becomes U+FFFD (utf8_scrub);
 * "\u0000" is JSON_NUL (core/json.h). DH_EPARSE with a message naming the
 * problem ("command: unknown type 'foo'") on bad input. On success the caller
 * owns the strings: command_fini(). */
int command_parse(struct command *out, const char *line, size_t len) DH_MUST_CHECK;
void command_fini(struct command *c);

#endif
