/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_ENGINE_H
#define DH_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "agent/event.h"
#include "core/err.h"

/*
 * The engine assembled for one session: grants, the session record, one
 * snapshot store per grant, the worker thread, the watcher, the egress policy,
 * the LLM client and the agent. Shared by `deskhand run` and the workbench so
 * neither duplicates the wiring. Front ends see only events (sinks) and send
 * only commands. Loop thread only.
 *
 * One engine can run several tasks in a row: engine_start() on a finished
 * agent replaces it by a new one that resumes the same session's history.
 */

struct ev_loop;
struct config;
struct worker;
struct snap_store;
struct engine;
struct review_set;
struct grant_set;
struct buf;

struct engine_opts {
	const char *const *grants;  /* folders to grant (realpath()ed) */
	size_t ngrants;
	const char *resume;	    /* session id or "latest" to continue, or NULL */
	bool force;		    /* allow granting $HOME itself or a system dir */
	bool approve_plan;	    /* --approve-plan */
	bool can_ask;		    /* someone answers approval_needed */
	bool unsandboxed;	    /* --dangerously-run-commands-unsandboxed */
	bool mode_given;	    /* --mode given: a resumed session's mode is not reused */
	const char *record_path;    /* --record FILE or NULL */
	const char *replay_path;    /* --replay FILE or NULL */
	const char *origin;	    /* --origin: "run", "detach", "workbench", "schedule:NAME"
				     * (kept as meta.json "origin"), or NULL */
	bool foreground;	    /* in the process of a foreground deskhand run: no
				     * client can attach (its locks say so: SNAP_LOCK_RUN) */
};

/* Assemble everything but the agent on `loop` (created first by the caller:
 * ev_new() blocks the signals before any thread exists). `cfg` is borrowed
 * and must outlive the engine; a resumed session may set cfg->mode. *out is
 * set even on failure (free it with engine_close()). One writer per shadow
 * repository: each grant's store is locked (snap_lock) for as long as the
 * engine has it, so a second engine on the same session or on a folder a live
 * engine has granted is refused with DH_EDENIED naming the live one ("folder
 * ~/x is in use by live session ID (pid N); attach with: deskhand attach
 * ID"). Errors: DH_EDENIED (a refused grant, a folder in use), DH_ENOTFOUND
 * (no such session or folder), DH_EFAIL; the message is ready for
 * "deskhand: %s". */
int engine_open(struct engine **out, struct ev_loop *loop, struct config *cfg,
		const struct engine_opts *o) DH_MUST_CHECK;
/* Drain the worker, then free the agent, LLM client, stores, session and
 * grants in reverse order. The loop stays the caller's. NULL-safe. */
void engine_close(struct engine *e);

/* Add a receiver of every event of every task (at most 8). */
void engine_add_sink(struct engine *e, event_sink_fn *fn, void *ctx);
/* Remove a receiver added with the same fn and ctx; no-op when absent. */
void engine_remove_sink(struct engine *e, event_sink_fn *fn, void *ctx);

/* Start a task: the first one creates the agent (resuming the history when
 * opened with `resume`); a later one, once the previous task finished,
 * continues the same session with `task` as the next user message. Returns
 * 0 with the session created (engine_session_id()); the agent is made and
 * started later, from the loop, once a worker has read the instructions
 * and skills (skills_load() hashes every file of a folder's skills) and,
 * for a follow-up, the last task's snapshot jobs are done and the session's
 * history is read again on the snapshot worker (and a resumed session's
 * recovery is done). A task on a session that exists already has its text
 * in the transcript (session_append_task()) before this returns, so a
 * process killed meanwhile loses nothing of it.
 * Meanwhile the engine is busy; a steer (or another engine_start()) is the
 * new agent's first, an interrupt or engine_stop() ends the task before its
 * first request ("interrupted": a steer sent before it goes into the
 * history with the task's message, a compact sent before it is answered
 * with an error, and a steer or start after it is refused: it would be
 * dropped), and status answers phase "starting" (the snapshot's activity
 * too). A failure then is an error event and a
 * session_finished "failed", and the session's meta.json says "failed"
 * with why (as it does when a new session's first task fails here: not a
 * "running" that a dead engine turns into "interrupted"). While a task
 * runs this is a steer instead (refused too once the task was interrupted
 * or is ending). DH_EFAIL with a message otherwise: a session's first task
 * refused before the reply (a rule every session refuses: no session is
 * left; an audit log that cannot be opened: the session is recorded
 * "failed"). */
int engine_start(struct engine *e, const char *task) DH_MUST_CHECK;
/*
 * Requests and replies. Every command may carry a request id (c->req, wire
 * "id"); what answers it carries the id back as ev->re:
 *   - a reply ("reply" {op, ok, message, data}, an "error" {message}, or for
 *     status the "status" event) goes ONLY to the requester: to the reply
 *     function with `to` = the `from` of engine_request(); when no reply
 *     function is set, to the sinks;
 *   - what everyone must see goes to every sink: the agent's events
 *     (approval_decided, …) and the "review" event that ends accept, reject,
 *     undo, redo and restore (which carries re too).
 * Replies of worker jobs come later, from the loop: the engine keeps only
 * `from` (an id, never a pointer), so a requester that went away meanwhile
 * is the reply function's to forget (the server drops replies to ids it no
 * longer knows).
 *
 * Commands and their answers (agent/event.h):
 *   approve, deny, steer, interrupt  to the running agent (its events
 *       answer); an "error" reply when no task was started (an interrupt
 *       without a request id is ignored then; approve, deny and steer are
 *       answered with or without one); while a task starts, steer
 *       (and compact) wait for its agent, interrupt ends it, and approve
 *       and deny are an "error" (nothing waits yet); a steer once the task
 *       was interrupted (or is ending) is an "error" too;
 *   status      the "status" event (with re): the agent's, or the engine's
 *               own {phase "idle" ("starting" while a task starts),
 *               pending_jobs, watcher} before a task;
 *   start       {text}: engine_start(); reply ok, or an error (a steer while
 *               a task runs);
 *   grant       {path, force}, ungrant {path}: engine_grant_add/remove();
 *               reply data = the grants [real paths];
 *   sessions    reply data = [{id, task, status, started_ns, grants, pending
 *               (files not yet accepted, null when a grant is gone), current}],
 *               most recent activity first (worker);
 *   review_get  reply data = {"head": H, "grants": [{"path": P, "accepted",
 *               "head", "files"}]}: each grant's object is
 *               core/review_model.h's JSON plus "path" (accepted/head "" and
 *               no files for a grant the session has no checkpoint in); H is
 *               the grants' heads joined by ',' (changes whenever one does)
 *               (worker);
 *   inbox       reply data = the inbox (client_inbox()) (worker);
 *   notice      {session, status, summary, origin}: another engine's
 *               unattended run ended or waits; a "notice" event to the
 *               sinks, no reply (notify.h);
 *   log         reply data = {"grants": [{"path": P, "checkpoints": [{id,
 *               short_id, label, tool_call, turn, time, external, files,
 *               files_changed, changes: [{status, path, old_path?}]}]}]},
 *               oldest first as snap_log() (worker);
 *   accept, reject, undo, redo, restore  on the worker; the "review" event
 *               {op, ok, message, conflict_dir} to every sink, with re;
 *   prompts     reply data = the ready connectors' prompts (mcp_host_prompts);
 *   prompt      {name: SERVER/NAME, arguments}: prompts/get (a connector still
 *               starting is waited for), then its text is engine_start()ed;
 *               reply ok with data {text}, or an error naming what is wrong;
 *   elicit      {elicitation, action, content}: a connector's question
 *               (engine/elicit.h, posted by the connector host); an
 *               "error" reply when none such waits or the content does not
 *               fit its schema (the message names the field);
 *   hello       an "error" reply: the server answers hello, not the engine.
 * Loop thread only.
 */
typedef void engine_reply_fn(const struct event *ev, unsigned long to, void *ctx);
/* Where replies go from now on (NULL: to the sinks). */
void engine_set_reply(struct engine *e, engine_reply_fn *fn, void *ctx);
/* Apply command `c` from requester `from` (0: the sinks' owner). `c` is
 * borrowed for the call only. */
void engine_request(struct engine *e, const struct command *c, unsigned long from);
/* engine_request(e, c, 0). */
void engine_command(struct engine *e, const struct command *c);
/* Interrupt the running task as COMMAND_INTERRUPT does, for another reason
 * than the person's: `why` ("the engine was stopped by SIGTERM") is the
 * session_finished message and the result of the call it cut short, so the
 * transcript says why. The status is "interrupted". No task: a no-op. */
void engine_stop(struct engine *e, const char *why);

/* The state an attaching client starts from (the "hello" state): a new
 * object {session, state_dir, task, model, mode, watcher, sandbox, grants[],
 * activity ("idle" before a task, "starting" while a task's agent is not
 * made yet (status's phase "starting"), "working", "waiting" while an approval is
 * pending, then the last task's "done" | "failed" | "interrupted"), status,
 * busy, settled, input_tokens, output_tokens, cost_usd, plan (latest steps
 * [{title, status}] or null), pending (the approval_needed event waiting, or
 * null), elicitations (the elicitation_needed events waiting, oldest first), started_ns (CLOCK_REALTIME ns, 0 before the session exists), pid}.
 * Caller owns it. */
cJSON *engine_snapshot(const struct engine *e);

/* The session's transcript replayed as events, in order: the user's messages
 * (from "history" user text blocks), assistant messages, tool calls and
 * results, plan and approval decisions, checkpoints, errors and the end.
 * Deltas, usage and prompts are skipped, and so are unparsable lines. A tool
 * call that ended with an engine before its result (a kill) is given an
 * "interrupted" result (engine_history_replay). Returns
 * how many events were given (0 before the session exists) or a DH_E* error.
 * While the model answers, its text so far follows as one text_delta event,
 * and while a command runs, its output so far as one tool_output event
 * (neither is in the transcript: engine_live_output).
 * Reads the file on the calling thread. */
int engine_history(const struct engine *e, event_sink_fn *fn, void *ctx) DH_MUST_CHECK;
/* What is live now and in no transcript, to fn: the model's answer so far
 * as one text_delta (agent_live_text), the running call's output as one
 * tool_output (agent_live_output). Returns how many events were given (0:
 * nothing streams or runs, or it has no text yet). */
int engine_live_output(const struct engine *e, event_sink_fn *fn, void *ctx);
/* The same as engine_history for any session ID under STATE_DIR (e.g. one being opened).
 * A tool call with no result in the transcript is given one, an error whose
 * output is REVIEW_INTERRUPTED_RESULT (snap/review_set.h), when it cannot be
 * running: before a later session_started (a later run), or anywhere unless
 * `running` (the transcript's last run goes on in this engine). Unless
 * `running`, a last run with no session_finished (its engine was killed)
 * ends with an error event naming the session's engine.log and a
 * session_finished "interrupted", both with the same text. */
int engine_history_replay(const char *state_dir, const char *id, bool running, event_sink_fn *fn,
			  void *ctx)
	DH_MUST_CHECK;
/* engine_history_replay over the first `upto` bytes of the transcript (its
 * size when a client said hello: what came after reaches it live). Touches
 * no engine: safe on another thread. */
int engine_history_replay_upto(const char *state_dir, const char *id, bool running, size_t upto,
			       event_sink_fn *fn, void *ctx) DH_MUST_CHECK;
/* Every record of session ID's transcript.jsonl under STATE_DIR, in order,
 * parsed (borrowed for the call); lines that do not parse are skipped.
 * Returns 0, or DH_ENOTFOUND / DH_EFAIL (unreadable) with err_msg(). Reads
 * the file on the calling thread. */
typedef void engine_record_fn(const cJSON *rec, void *ctx);
int engine_transcript_each(const char *state_dir, const char *id, engine_record_fn *fn, void *ctx)
	DH_MUST_CHECK;

/* Grant another folder (the check of engine_open; `force` lifts it; its
 * store is locked as engine_open's: DH_EDENIED when another live engine has
 * it). Only between tasks: DH_EFAIL ("a task is running") while one runs. The
 * next task sees it. */
int engine_grant_add(struct engine *e, const char *path, bool force) DH_MUST_CHECK;
/* Stop granting folder `path` (as granted, or any spelling realpath() maps to
 * it): its store is closed (its checkpoints stay on disk, so a later :grant of
 * it finds them), the watcher and the LLM client's redaction are rebuilt over
 * the remaining grants and grant indexes above it shift down. Only between
 * tasks and with no review job in flight: DH_EFAIL ("a task is running",
 * "snapshot jobs are still running") then; DH_ENOTFOUND when `path` is not
 * granted. The next task sees the new set. */
int engine_grant_remove(struct engine *e, const char *path) DH_MUST_CHECK;

/* The engine of a foreground run (opts.foreground) is an engine clients
 * attach to from now on (its run's terminal went away: serve_adopt()): its
 * stores' locks say so (SNAP_LOCK_ENGINE), so that a refused engine is told
 * to attach. 0, or DH_EFAIL naming a lock file that could not be rewritten
 * (the others are rewritten all the same). */
int engine_clear_foreground(struct engine *e) DH_MUST_CHECK;

/* True while a task starts or runs (was started and has not finished). */
bool engine_is_busy(const struct engine *e);
/* Notification children still running (notify.h): the engine process
 * stays until they end. */
size_t engine_notify_pending(const struct engine *e);
/* True once a started task finished (or failed before its agent was made)
 * and no snapshot job is pending. */
bool engine_is_settled(const struct engine *e);
/* "done", "failed", "interrupted" for the last task; NULL before the end. */
const char *engine_status(const struct engine *e);

/* Borrowed views, valid until engine_close() (grant paths until the next
 * engine_grant_add()). */
const char *engine_session_id(const struct engine *e);
const char *engine_state_dir(const struct engine *e);
const char *engine_model(const struct engine *e);
const char *engine_mode(const struct engine *e);
const char *engine_watcher(const struct engine *e); /* "on" or "off (why)" */
/* The sandbox for run_command, for the status line: "UNSANDBOXED"
 * (--dangerously-run-commands-unsandboxed), "no bwrap" (not installed),
 * "FAILED" (this task's trial failed: commands are refused), "ok" (the trial
 * passed), "bwrap" (not tried yet). Static strings. */
const char *engine_sandbox(const struct engine *e);
size_t engine_grant_count(const struct engine *e);
const char *engine_grant_path(const struct engine *e, size_t i);
struct snap_store *engine_store(const struct engine *e, size_t i);
struct worker *engine_worker(const struct engine *e);

/* The refusal rule for grants, exposed for tests: 0 when `real` (a realpath)
 * may be granted, else DH_EDENIED with a message naming it: "/", $HOME itself
 * and system directories (/etc, /usr, /bin, /var, …) are refused. */
int engine_check_grant(const char *real, const char *home) DH_MUST_CHECK;
/* Would engine_open() grant the folders `paths` (n of them, `force` as
 * --force)? The same rules, with nothing opened or locked: 0, or the error
 * engine_open() would give (DH_EDENIED for a refused folder, DH_ENOTFOUND
 * for a missing one), naming the folder. */
int engine_grants_check(const char *const *paths, size_t n, bool force) DH_MUST_CHECK;

/* The recovery of a session whose engine was killed, after its checkpoint
 * (review_set_recover): put back the protected files that an unsandboxed
 * command it ran changed or removed (tool_shell_put_back: from the copies
 * kept in session_dir, when `history` leaves their call without a result),
 * each grant's of `rs` recorded in a checkpoint of deskhand's own
 * (snap_review_put_back), its lines kept for the model until a task is
 * told them (review_set_read_untold) and appended to `report` ("GRANT: put
 * back .bashrc ...\n"). `grants` are rs's folders (matched by path). Run by
 * the recovery of a resume and by the review verbs' (no engine); nothing
 * when grants, session_dir or history is NULL. A failure is logged: the
 * recovery goes on. Worker-safe: reads and writes the grants and stores. */
void engine_recover_put_back(const struct review_set *rs, const struct grant_set *grants,
                             const char *session_dir, const cJSON *history,
                             struct buf *report);

#endif
