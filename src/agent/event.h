/* SPDX-License-Identifier: MIT */
#ifndef DH_AGENT_EVENT_H
#define DH_AGENT_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/err.h"

/*
 * The engine's typed event/command protocol (DESIGN.md "Engine and clients";
 * README "Event stream" and "Protocol"). The same lines are the `deskhand run
 * --json` output, the session transcript and the wire between an engine and
 * its clients: one JSON object per line, each with a "type".
 *
 * Every event and every command is declared ONCE below: EVENT_TYPES and
 * COMMAND_TYPES list, per type, its fields in wire order as
 * F(KIND, member, "wire key"); EVENT_MEMBERS and COMMAND_MEMBERS list each
 * struct member once. event.c generates the struct, the type names,
 * event_to_json/event_from_json and command_to_json/command_from_json from
 * them; tests/integ/readme_events.sh checks the README tables against them.
 * Fields are only ever added, never renamed.
 */

/* The wire protocol's version, carried by both sides' "hello". */
#define PROTOCOL_VERSION 1

/*
 * Events (engine → clients)
 *
 * Field kinds (the member's C type; how it goes on the wire):
 *   STR   const char *          a string; null when NULL
 *   OPT   const char *          a string; left out when NULL (fields added later,
 *                               so that older records read back the same)
 *   STRV  const char *const *M  an array of strings (count in size_t nM)
 *   JSON  const cJSON *         any JSON value (a copy); null when NULL
 *   INT   int, LONG long        a number
 *   BOOL  bool                  true/false
 *   FLAG  bool                  true, or left out when false (fields added later)
 *   NUM   double                a number
 *   COST  double                a number; null when < 0 (unknown), read back as -1
 * Every event also carries "re" (member re) when it answers a command that
 * had an "id".
 */

#define EVENT_MEMBERS(M)                                                                           \
	M(STR, session)         /* session_started, hello, detached */                             \
	M(STRV, grants)         /* session_started: real paths (count: ngrants) */                 \
	M(STR, task)            /* session_started */                                              \
	M(STR, model)           /* session_started */                                              \
	M(STR, mode)            /* session_started: "ask" | "auto" */                              \
	M(INT, turn)            /* turn_started, assistant_message, checkpoint, status;            \
	                           history_end: the records replayed */                            \
	M(STR, id)              /* tool call id, plan id, or checkpoint commit id */               \
	M(STR, short_id)        /* checkpoint */                                                   \
	M(STR, name)            /* tool name; review/reply: op; egress: source */                  \
	M(JSON, input)          /* tool_call, approval_needed */                                   \
	M(JSON, steps)          /* plan_*: [{title, status}] */                                    \
	M(STR, text)            /* message, reason, stat, detail: see EVENT_TYPES */               \
	M(STR, output)          /* tool_result; review: conflict_dir */                            \
	M(BOOL, is_error)       /* tool_result */                                                  \
	M(BOOL, interrupted)    /* tool_result: no result came, its engine stopped */              \
	M(BOOL, approved)       /* *_decided; review/reply: ok */                                  \
	M(STR, grant)           /* checkpoint: the grant's path */                                 \
	M(STR, tool_call)       /* checkpoint: tool call id, NULL for baseline */                  \
	M(LONG, files_changed)  /* checkpoint */                                                   \
	M(LONG, duration_ms)    /* checkpoint, tool_result, retry (delay) */                       \
	M(INT, attempt)         /* retry */                                                        \
	M(STR, stop_reason)     /* assistant_message */                                            \
	M(USAGE, usage)         /* usage: struct event_usage, on the wire flat */                  \
	M(NUM, cost_usd)        /* usage: this request; < 0 = unknown model */                     \
	M(NUM, total_cost_usd)  /* usage: the session so far; < 0 = not known (one unpriced) */    \
	M(USAGE, total_usage)   /* usage: the session's tokens so far, on the wire "total_*" */    \
	M(STR, status)          /* session_finished: "done" | "failed" | "interrupted" |           \
	                           "blocked" | "expired" | "budget"; notice: the same */          \
	M(STR, watcher)         /* session_started, status: "inotify, …" or "off (why)" */         \
	M(LONG, paths_read)     /* checkpoint: paths whose stat data was checked */                \
	M(STR, ckpt_mode)       /* checkpoint: "incremental" | "full" */                           \
	M(BOOL, external)       /* checkpoint: changes the agent did not make */                   \
	M(STR, phase)           /* status: idle, checkpoint, stream, tools, done */                \
	M(LONG, pending_jobs)   /* status: snapshot jobs queued or running */                      \
	M(STR, host)            /* egress */                                                       \
	M(INT, port)            /* egress */                                                       \
	M(BOOL, allowed)        /* egress */                                                       \
	M(STR, address)         /* egress: the pinned address when allowed */                      \
	M(STR, re)              /* any event answering a command: that command's "id", or NULL */  \
	M(JSON, data)           /* hello: the state snapshot ("state"); reply: the payload */      \
	M(INT, protocol)        /* hello: PROTOCOL_VERSION */                                      \
	M(STR, diff)            /* approval_needed: unified diff of the change against the file    \
	                           on disk (write_file, edit_file, …), or NULL */                  \
	M(STR, output_file)     /* tool_result: the full output stored in the session directory,   \
	                           or NULL when the output was not cut */                          \
	M(STR, url)             /* elicitation_needed: the page a url-mode request opens */       \
	M(NUM, cap_usd)         /* budget: the cap (USD; tokens for max_tokens_per_session) */     \
	M(NUM, estimate)        /* budget: the refused request's estimate, cap's unit; 0: none */  \
	M(OPT, limit)           /* budget: the cap's setting ("max_cost", …) */                    \
	M(STR, origin)          /* notice: "detach", "run" or "schedule:NAME" */                   \
	M(LONG, compacted_messages) /* compacted: the messages the summary replaced */             \
	M(LONG, tokens_before)  /* compacted: the request's estimate before, tokens */             \
	M(LONG, tokens_after)   /* compacted: and after */                                         \
	M(BOOL, redacted)       /* thinking: the block is redacted_thinking (no text) */

#define EVENT_TYPES(X, F)                                                                          \
	X(EVENT_SESSION_STARTED, "session_started",                                                \
	  F(STRV, grants, "grants") F(STR, session, "session") F(STR, task, "task")                \
	  F(STR, model, "model") F(STR, mode, "mode") F(STR, watcher, "watcher"))                  \
	X(EVENT_PLAN_PROPOSED, "plan_proposed", F(STR, id, "id") F(JSON, steps, "steps"))          \
	X(EVENT_PLAN_DECIDED, "plan_decided",                                                      \
	  F(STR, id, "id") F(BOOL, approved, "approved") F(STR, text, "message"))                  \
	X(EVENT_PLAN_UPDATED, "plan_updated", F(JSON, steps, "steps"))                             \
	X(EVENT_TURN_STARTED, "turn_started", F(INT, turn, "turn"))                                \
	X(EVENT_TEXT_DELTA, "text_delta", F(STR, text, "text"))                                    \
	X(EVENT_ASSISTANT_MESSAGE, "assistant_message",                                            \
	  F(INT, turn, "turn") F(STR, text, "text") F(STR, stop_reason, "stop_reason"))            \
	X(EVENT_USER_MESSAGE, "user_message", F(STR, text, "text"))                                \
	X(EVENT_TOOL_CALL, "tool_call",                                                            \
	  F(STR, id, "id") F(STR, name, "name") F(JSON, input, "input"))                           \
	X(EVENT_APPROVAL_NEEDED, "approval_needed",                                                \
	  F(STR, id, "id") F(STR, name, "name") F(JSON, input, "input") F(STR, text, "reason")     \
	  F(OPT, diff, "diff"))                                                                    \
	X(EVENT_APPROVAL_DECIDED, "approval_decided",                                              \
	  F(STR, id, "id") F(BOOL, approved, "approved") F(STR, text, "message"))                  \
	X(EVENT_TOOL_RESULT, "tool_result",                                                        \
	  F(STR, id, "id") F(STR, name, "name") F(BOOL, is_error, "is_error")                      \
	  F(STR, output, "output") F(LONG, duration_ms, "duration_ms")                             \
	  F(OPT, output_file, "output_file") F(FLAG, interrupted, "interrupted"))                  \
	X(EVENT_TOOL_OUTPUT, "tool_output", F(STR, id, "id") F(STR, text, "text"))                 \
	X(EVENT_CHECKPOINT, "checkpoint",                                                          \
	  F(STR, id, "id") F(STR, short_id, "short_id") F(STR, grant, "grant")                     \
	  F(STR, tool_call, "tool_call") F(INT, turn, "turn")                                      \
	  F(LONG, files_changed, "files_changed") F(LONG, duration_ms, "duration_ms")              \
	  F(STR, text, "stat") F(LONG, paths_read, "paths_read") F(STR, ckpt_mode, "mode")         \
	  F(BOOL, external, "external"))                                                           \
	X(EVENT_STATUS, "status",                                                                  \
	  F(STR, phase, "phase") F(INT, turn, "turn") F(LONG, pending_jobs, "pending_jobs")        \
	  F(STR, watcher, "watcher"))                                                              \
	X(EVENT_USAGE, "usage",                                                                    \
	  F(LONG, usage.input_tokens, "input_tokens")                                              \
	  F(LONG, usage.output_tokens, "output_tokens")                                            \
	  F(LONG, usage.cache_read_tokens, "cache_read_tokens")                                    \
	  F(LONG, usage.cache_creation_tokens, "cache_creation_tokens")                            \
	  F(COST, cost_usd, "cost_usd") F(COST, total_cost_usd, "total_cost_usd")                  \
	  F(LONG, total_usage.input_tokens, "total_input_tokens")                                  \
	  F(LONG, total_usage.output_tokens, "total_output_tokens")                                \
	  F(LONG, total_usage.cache_read_tokens, "total_cache_read_tokens")                        \
	  F(LONG, total_usage.cache_creation_tokens, "total_cache_creation_tokens"))               \
	X(EVENT_RETRY, "retry",                                                                    \
	  F(INT, attempt, "attempt") F(LONG, duration_ms, "delay_ms") F(STR, text, "reason"))      \
	X(EVENT_AUDIT, "audit", F(STR, id, "id") F(STR, name, "name") F(STR, text, "detail"))      \
	X(EVENT_EGRESS, "egress",                                                                  \
	  F(STR, host, "host") F(INT, port, "port") F(BOOL, allowed, "allowed")                    \
	  F(STR, text, "reason") F(STR, address, "address") F(STR, name, "source"))                \
	X(EVENT_ERROR, "error", F(STR, text, "message"))                                           \
	X(EVENT_REVIEW, "review",                                                                  \
	  F(STR, name, "op") F(BOOL, approved, "ok") F(STR, text, "message")                       \
	  F(STR, output, "conflict_dir"))                                                          \
	X(EVENT_SESSION_FINISHED, "session_finished",                                              \
	  F(STR, status, "status") F(STR, text, "message"))                                        \
	X(EVENT_HELLO, "hello",                                                                    \
	  F(INT, protocol, "protocol") F(STR, session, "session") F(JSON, data, "state"))          \
	X(EVENT_HISTORY_END, "history_end", F(INT, turn, "records"))                               \
	X(EVENT_REPLY, "reply",                                                                    \
	  F(STR, name, "op") F(BOOL, approved, "ok") F(STR, text, "message")                       \
	  F(JSON, data, "data"))                                                                   \
	X(EVENT_DETACHED, "detached", F(STR, session, "session") F(STR, text, "reason"))         \
	X(EVENT_ELICITATION_NEEDED, "elicitation_needed",                                          \
	  F(STR, id, "id") F(STR, name, "server") F(STR, mode, "mode") F(STR, text, "message")    \
	  F(JSON, data, "schema") F(OPT, url, "url"))                                              \
	X(EVENT_ELICITATION_DECIDED, "elicitation_decided",                                        \
	  F(STR, id, "id") F(STR, name, "server") F(STR, status, "action"))                     \
	X(EVENT_MCP_UNTRUSTED, "mcp_untrusted", F(STR, name, "path") F(STR, text, "message"))      \
	X(EVENT_BUDGET, "budget",                                                                  \
	  F(NUM, total_cost_usd, "spent") F(NUM, cap_usd, "cap") F(NUM, estimate, "estimate")      \
	  F(OPT, limit, "limit"))                                                                  \
	X(EVENT_NOTICE, "notice",                                                                  \
	  F(STR, session, "session") F(STR, status, "status") F(STR, text, "summary")              \
	  F(OPT, origin, "origin"))                                                                \
	X(EVENT_AUTHORIZATION_NEEDED, "authorization_needed",                                      \
	  F(STR, name, "server") F(STR, url, "url") F(STR, text, "message"))                       \
	X(EVENT_RESOURCE_UPDATED, "resource_updated", F(STR, name, "server") F(STR, url, "uri"))  \
	X(EVENT_COMPACTED, "compacted",                                                            \
	  F(INT, turn, "turn") F(STR, name, "trigger") F(LONG, compacted_messages, "messages")     \
	  F(LONG, tokens_before, "tokens_before") F(LONG, tokens_after, "tokens_after")            \
	  F(STR, text, "summary"))                                                                 \
	X(EVENT_THINKING, "thinking",                                                              \
	  F(INT, turn, "turn") F(STR, text, "thinking") F(BOOL, redacted, "redacted"))

#define EVENT_ENUM_(e, s, fields) e,
enum event_type {
	EVENT_TYPES(EVENT_ENUM_, )
	EVENT__COUNT
};
#undef EVENT_ENUM_

struct event_usage {
	long input_tokens;
	long output_tokens;
	long cache_read_tokens;
	long cache_creation_tokens;
};

#define EVENT_DECL_STR(m)   const char *m;
#define EVENT_DECL_OPT(m)   const char *m;
#define EVENT_DECL_STRV(m)  const char *const *m; size_t n##m;
#define EVENT_DECL_JSON(m)  const cJSON *m;
#define EVENT_DECL_INT(m)   int m;
#define EVENT_DECL_LONG(m)  long m;
#define EVENT_DECL_BOOL(m)  bool m;
#define EVENT_DECL_NUM(m)   double m;
#define EVENT_DECL_USAGE(m) struct event_usage m;
#define EVENT_DECL_(kind, m) EVENT_DECL_##kind(m)

/* One event. Only the fields listed for its type in EVENT_TYPES (and "re")
 * are serialized; every pointer is borrowed for the duration of the emit. */
struct event {
	enum event_type type;
	EVENT_MEMBERS(EVENT_DECL_)
};

/* The wire name of a type ("tool_call"); NULL for an invalid value. */
const char *event_type_name(enum event_type t);

/* Serialize to a new cJSON object {"type": …, fields…[, "re"]}; caller owns
 * it (cJSON_Delete). Never NULL. */
cJSON *event_to_json(const struct event *ev);

/* Decode an event object (an event line, or a transcript record: extra keys
 * such as "ts" are ignored) into *out. Strings and JSON subtrees are borrowed
 * from `obj`, which must outlive *out. A field that is missing or of another
 * JSON type is zero/NULL (cost_usd: -1). String arrays (session_started's
 * grants) need storage and are left empty here: use event_msg_from_json to
 * get them. DH_EPARSE with a message ("event: unknown type 'foo'") when obj
 * is not an object with a known "type"; *out is zeroed then. */
int event_from_json(struct event *out, const cJSON *obj) DH_MUST_CHECK;

/* A decoded event with the storage its pointers need. */
struct event_msg {
	struct event ev;   /* the event; points into json (or the caller's tree) */
	cJSON *json;	   /* owned parse tree (event_msg_parse), or NULL */
	const char **strv; /* owned array behind ev.grants (strings in the tree) */
};

/* event_from_json plus the string arrays: `obj` is borrowed (must outlive
 * *out), the arrays are owned by *out. Errors as event_from_json. Always
 * release with event_msg_fini(), also after an error. */
int event_msg_from_json(struct event_msg *out, const cJSON *obj) DH_MUST_CHECK;
/* Parse one event line (`len` bytes, need not be NUL-terminated) into *out,
 * which then owns the tree too. DH_EPARSE with a message on bad JSON or a bad
 * event. Always release with event_msg_fini(). */
int event_msg_parse(struct event_msg *out, const char *line, size_t len) DH_MUST_CHECK;
/* Free what *m owns and zero it. NULL-safe, idempotent. */
void event_msg_fini(struct event_msg *m);

/* Receivers of events: the transcript writer, the --json printer, the human
 * printer, tests. Called synchronously on the loop thread; must not block. */
typedef void event_sink_fn(const struct event *ev, void *ctx);

/*
 * Commands (client → engine), one JSON object per line. README "Protocol"
 * has the table with each command's reply; in short: approve/deny answer
 * approval_needed; steer, interrupt, status act on the running task; accept,
 * reject, undo, redo and restore act on the review (snap/review.h) and are
 * answered by a "review" event; hello by a "hello" event; start, grant,
 * ungrant, sessions, review_get, log, prompts and prompt by a "reply" event;
 * elicit answers elicitation_needed (elicitation_decided follows). PATH is
 * absolute or relative to the first grant.
 *
 * Field kinds (the struct owns its strings and trees: command_fini()):
 *   STR    char *   an optional string
 *   PATH   char *   an optional string; "" is the same as absent
 *   NEED   char *   a non-empty string, required
 *   CALL   char *   approve/deny: the tool call, wire "call" (elicit: the
 *                   elicitation, wire "elicitation"). The older form names it
 *                   with "id" instead: without that key, "id" is the call (the
 *                   elicitation) and the command has no request id
 *   STEPS  cJSON *  a non-empty array of {"title": "…"} (a plan as edited)
 *   HUNK   int      a number from 1, only together with a path
 *   BOOL   bool     false when absent
 *   INT    int      a number
 *   OBJ    cJSON *  an optional JSON object (copied)
 * Every command may carry "id" (member req, a string): its reply carries it
 * back as "re". A key that another command type takes but this one does not
 * (say "steps" on deny) is an error rather than silently ignored.
 */

#define COMMAND_MEMBERS(M)                                                                         \
	M(STR, id)              /* approve/deny: the tool call id; NULL = the pending one */       \
	M(STR, text)            /* approve/deny: message; steer/start: text; hello: client name;   \
	                           prompt: SERVER/NAME; authorize: the connector */                \
	M(JSON, steps)          /* approve of a plan: the edited steps [{"title"}], or NULL */     \
	M(STR, path)            /* accept/reject: the file, NULL = everything pending;             \
	                           restore: the checkpoint spec; grant/ungrant, skills_trust:      \
	                           the folder; authorize: the redirect URL pasted */               \
	M(INT, hunk)            /* accept/reject: hunk number from 1, 0 = the whole file */        \
	M(STR, seen)            /* accept/reject: review_model_digest() of the file or hunk the    \
	                           client showed (no path: review_model_digest_all()); the engine  \
	                           refuses when it differs now */                                  \
	M(BOOL, force)          /* review: overwrite conflicting edits; grant: lift the check */   \
	M(BOOL, always)         /* approve: allow this tool without asking for the session */     \
	M(STR, pattern)         /* approve with always: narrow it (a command prefix, a path glob) */ \
	M(BOOL, save)           /* approve with always: also append it to the person's config */  \
	M(BOOL, state_only)     /* hello: the snapshot only, no history (deskhand ls) */          \
	M(STR, req)             /* wire "id": the request id its reply carries back as "re" */     \
	M(INT, protocol)        /* hello: the client's PROTOCOL_VERSION */                         \
	M(STR, action)          /* elicit: "accept" | "decline" | "cancel" */                      \
	M(JSON, content)        /* elicit: the answer to a form, {field: value}; prompt: its       \
	                           arguments {name: "value"} */                                    \
	M(STR, session)         /* notice: the session it is about */                              \
	M(STR, status)          /* notice: "done", "failed", "expired", "budget", "waiting", … */  \
	M(STR, origin)          /* notice: "detach", "schedule:NAME", … */

#define COMMAND_TYPES(X, F)                                                                        \
	X(COMMAND_APPROVE, "approve",                                                              \
	  F(CALL, id, "call") F(STR, text, "message") F(STEPS, steps, "steps")                     \
	  F(BOOL, always, "always") F(STR, pattern, "pattern") F(BOOL, save, "save"))              \
	X(COMMAND_DENY, "deny", F(CALL, id, "call") F(STR, text, "message"))                       \
	X(COMMAND_STEER, "steer", F(NEED, text, "text"))                                           \
	X(COMMAND_INTERRUPT, "interrupt", )                                                        \
	X(COMMAND_STATUS, "status", )                                                              \
	X(COMMAND_ACCEPT, "accept",                                                                \
	  F(PATH, path, "path") F(HUNK, hunk, "hunk") F(BOOL, force, "force") F(STR, seen, "seen")) \
	X(COMMAND_REJECT, "reject",                                                                \
	  F(PATH, path, "path") F(HUNK, hunk, "hunk") F(BOOL, force, "force") F(STR, seen, "seen")) \
	X(COMMAND_UNDO, "undo", F(BOOL, force, "force"))                                           \
	X(COMMAND_RESTORE, "restore", F(NEED, path, "checkpoint") F(BOOL, force, "force"))         \
	X(COMMAND_REDO, "redo", F(BOOL, force, "force"))                                           \
	X(COMMAND_HELLO, "hello",                                                                  \
	  F(INT, protocol, "protocol") F(STR, text, "client") F(BOOL, state_only, "state_only"))   \
	X(COMMAND_START, "start", F(NEED, text, "text"))                                           \
	X(COMMAND_GRANT, "grant", F(NPATH, path, "path") F(BOOL, force, "force"))                  \
	X(COMMAND_UNGRANT, "ungrant", F(NPATH, path, "path"))                                      \
	X(COMMAND_SESSIONS, "sessions", )                                                          \
	X(COMMAND_REVIEW_GET, "review_get", )                                                      \
	X(COMMAND_LOG, "log", )                                                                    \
	X(COMMAND_ELICIT, "elicit",                                                                \
	  F(CALL, id, "elicitation") F(NEED, action, "action") F(OBJ, content, "content"))       \
	X(COMMAND_PROMPTS, "prompts", )                                                            \
	X(COMMAND_PROMPT, "prompt", F(NEED, text, "name") F(OBJ, content, "arguments"))            \
	X(COMMAND_MCP_TRUST, "mcp_trust", F(NPATH, path, "path"))                                \
	X(COMMAND_INSTRUCTIONS, "instructions", )                                                  \
	X(COMMAND_SKILLS_TRUST, "skills_trust", F(NPATH, path, "path"))                            \
	X(COMMAND_INBOX, "inbox", )                                                                \
	X(COMMAND_NOTICE, "notice",                                                                \
	  F(NEED, session, "session") F(NEED, status, "status") F(STR, text, "summary")            \
	  F(STR, origin, "origin"))                                                                \
	X(COMMAND_AUTHORIZE, "authorize", F(NEED, text, "server") F(NEED, path, "url"))          \
	X(COMMAND_COMPACT, "compact", )

#define COMMAND_ENUM_(e, s, fields) e,
enum command_type {
	COMMAND_TYPES(COMMAND_ENUM_, )
};
#undef COMMAND_ENUM_
/* The number of command types. Not an enumerator, so that switches over
 * the type need no case for it. */
#define COMMAND_COUNT_(e, s, fields) +1
#define COMMAND__COUNT		     (0 COMMAND_TYPES(COMMAND_COUNT_, ))

#define COMMAND_DECL_STR(m)  char *m;
#define COMMAND_DECL_JSON(m) cJSON *m;
#define COMMAND_DECL_INT(m)  int m;
#define COMMAND_DECL_BOOL(m) bool m;
#define COMMAND_DECL_(kind, m) COMMAND_DECL_##kind(m)

struct command {
	enum command_type type;
	COMMAND_MEMBERS(COMMAND_DECL_)
};

/* The wire name of a command type ("approve"); NULL for an invalid value. */
const char *command_type_name(enum command_type t);

/* Serialize to a new cJSON object {"type": …[, "id": req], fields…}: only
 * the fields of its type, strings left out when NULL (an approve/deny with a
 * req but no call says "call": null, so "id" is not read as the call).
 * Caller owns it (cJSON_Delete). Never NULL. */
cJSON *command_to_json(const struct command *c);

/* Decode and validate a command object. On success the caller owns the
 * strings and trees: command_fini(). DH_EPARSE with a message naming the
 * problem ("command: unknown type 'foo' (approve, deny, …)", "command: steer
 * needs a non-empty \"text\"") on bad input; *out is zeroed then (nothing to
 * free; the caller may read the request id itself with json_str(obj, "id")
 * to answer the error). Strings are copied as they are (see command_parse). */
int command_from_json(struct command *out, const cJSON *obj) DH_MUST_CHECK;

/* Parse one command line (need not be NUL-terminated). Invalid UTF-8 in it
 * becomes U+FFFD (utf8_scrub); "\u0000" is JSON_NUL (core/json.h). Errors
 * and ownership as command_from_json; bad JSON is DH_EPARSE too. */
int command_parse(struct command *out, const char *line, size_t len) DH_MUST_CHECK;
/* Free the strings and trees of *c and NULL them. */
void command_fini(struct command *c);
/* The "id" of a command line that command_parse refused, so that the error
 * event can carry it back as "re" (for approve/deny without "call", that is
 * the tool call: harmless there). A heap copy (free()), or NULL when the line
 * is not JSON with a string "id" at its top. */
char *command_line_req(const char *line, size_t len);

/* The pattern a client proposes for "always allow" narrowed to a call of
 * `tool` with `input` (what approve's "pattern" takes): for run_command the
 * command's first two words ("git status"); for a call naming a path (path,
 * or source) its directory, a slash, a star and its extension (for
 * notes/a.md that makes every .md file in notes), "*.md" for a file at the
 * top, or the bare name of an extensionless file there. NULL when the
 * tool takes no pattern or the input gives nothing to narrow to. Heap. */
char *command_always_pattern(const char *tool, const cJSON *input);

#endif
