/* SPDX-License-Identifier: MIT */
#ifndef DH_AGENT_AGENT_H
#define DH_AGENT_AGENT_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "agent/event.h"
#include "core/err.h"

/*
 * The agent turn loop (DESIGN.md "The agent turn loop"): baseline checkpoints
 * → model turns streamed from the provider → tool calls checked by policy,
 * approved, run, checkpointed → tool results → next turn, until the model
 * ends its turn, an error stops it, or the user interrupts. Plan first: the
 * model must have a plan approved (propose_plan) before any tool that can
 * change a grant runs. Everything observable is emitted as events; the agent
 * never prints or reads the terminal. Loop thread only.
 *
 * Attribution (with a watcher): what changes in a grant while an agent tool
 * call runs is that call's checkpoint; what changes at other times (the
 * person, another program) is checkpointed as "external" (no tool call,
 * Deskhand-External trailer) right before the next tool call that can change
 * a grant and at the end of the session, so it is never mixed into, nor
 * reverted with, the agent's steps. The boundaries use watch_sync() on the
 * worker thread, so a change made before a call started is never counted as
 * the call's.
 */

struct ev_loop;
struct worker;
struct llm;
struct grant_set;
struct snap_store;
struct session;
struct watch;
struct egress;
struct tool_extra;
struct instructions;
struct skill_set;
struct agent;
struct config_rules;
struct config_lines;

enum agent_mode {
	AGENT_MODE_ASK,	 /* tools that can change a grant need approval */
	AGENT_MODE_AUTO, /* every tool call is allowed (the plan still needs approval) */
};

struct agent_config {
	struct ev_loop *loop;
	struct worker *worker;	     /* runs every snap_* call; owns the stores while it runs */
	struct llm *llm;
	struct grant_set *grants;
	struct snap_store **stores;  /* one per grant, same order; borrowed */
	struct session *session;     /* transcript and meta.json; borrowed */
	const char *model;	     /* for cost and the session record */
	enum agent_mode mode;
	bool approve_plan;	     /* approve the plan without asking (--approve-plan) */
	bool can_ask;		     /* someone can answer approval_needed (a tty or a control stream) */
	const char *sandbox_path;    /* deskhand-sandbox for run_command */
	const char *bwrap_path;      /* bwrap for it; NULL: probe_bwrap_path() per command */
	const struct strv *host_paths; /* probe_host_paths() (borrowed); NULL: asked per use */
	bool unsandboxed;	     /* --dangerously-run-commands-unsandboxed */
	int max_turns;		     /* 0 = 100 */
	int command_timeout_s;	     /* run_command default timeout; 0 = the tool's default */
	struct instructions *instructions; /* AGENTS.md files (skills/instructions.h), or NULL:
				      * the global and grant-root ones go in the system prompt,
				      * a subdirectory's join the request after the first tool
				      * call that names a path in it. Borrowed; the agent adds
				      * the nested files it visits. */
	const struct skill_set *skills; /* installed skills (skills/skills.h), or NULL: listed
				      * in the system prompt, loaded by load_skill, their
				      * directories readable by read_file. Borrowed. */
	struct watch *watch;	     /* the grants' watcher (grant i = watch grant i), or NULL:
				      * then every checkpoint is a full scan */
	const char *watch_off;	     /* why there is no watcher ("disabled by config", the
				      * inotify error), for session_started; NULL = none given */
	long long large_file_limit;  /* bytes; the file tools refuse bigger files (0 = no limit) */
	double max_cost_usd;	     /* the spend cap of this run (USD, as the usage events
				      * count it); no request starts once the session's cost
				      * reached it: a "budget" event, then status "budget".
				      * 0 = no cap. Checked before each request too: one
				      * that could cross it (policy/spend.h) is not sent */
	double max_cost_session_usd; /* max_cost_per_session: the same over the whole
				      * session, earlier runs included; 0 = no cap */
	double max_cost_day_usd;     /* max_cost_per_day: the same over the local day,
				      * other sessions included: the day's ledger is read
				      * again before each request; 0 = no cap */
	double day_spent_usd;	     /* what every session spent today when this run
				      * started (spend_ledger_day) */
	const char *ledger_dir;	     /* $XDG_STATE_HOME/deskhand: each priced request's
				      * cost goes to its day's ledger (spend_ledger_add,
				      * on the worker); NULL = none */
	long max_tokens_session;     /* max_tokens_per_session (--max-tokens): input,
				      * output and cache tokens of the session; 0 = no cap */
	struct egress *egress;	     /* network policy (borrowed): run_command's proxy and
				      * web_fetch; each decision is an `egress` event and, in
				      * ask mode with someone to ask, a host not on the list an
				      * approval_needed (id "egress-N", name "network"). NULL =
				      * no network at all. The agent sets its hooks. */
	const struct tool_extra *tools_extra; /* tools defined at run time (the connectors'),
				      * borrowed; each request lists the current ones, the
				      * first waits for them within their bound; NULL = none */
	const struct config_rules *rules; /* the person's permission rules
				      * (config/config.h); NULL = none. Copied. */
	const struct config_rules *folder_rules; /* the granted folders' own (ask
				      * and deny only: config_load_folder_rules); NULL = none */
	long context_window;	     /* the model's window, tokens (input and output);
				      * 0 = 200000 */
	double compact_at;	     /* a request estimated past this fraction of the
				      * window, or past what the window leaves beside
				      * the output it asks (llm_output_tokens), is
				      * compacted first (docs/context.md); 0 = 0.8 */
	const struct config_lines *rule_warnings; /* what was refused in a folder's
				      * config: each an `audit` event (name "rules") at
				      * start; NULL = none */
};

/* Create an agent. The config's pointers are borrowed and must outlive it.
 * DH_EPARSE "FILE:LINE: …" for a rule whose pattern the tool cannot take. */
int agent_new(struct agent **out, const struct agent_config *cfg) DH_MUST_CHECK;
/* Free. Pending worker jobs must have been drained (worker_drain) first. */
void agent_free(struct agent *a);

/* Add a receiver of events (at most 8). Called in the order added. */
void agent_add_sink(struct agent *a, event_sink_fn *fn, void *ctx);

/* Notes for the model that came from outside the turn loop (what a resumed
 * session's recovery took back), "\n[deskhand: ...]" each as the
 * checkpoints' own: sent with the next message to the model, the first
 * one of agent_start() when added before it. `text` is copied. */
void agent_add_notes(struct agent *a, const char *text);

/* Start (history == NULL) or resume (history = the conversation so far, taken
 * over by the agent) with the user's `task` text. Emits session_started, takes
 * the baseline (or a "resume") checkpoint of every grant, then runs turns.
 * The steers taken before it (agent_command()) join the task's message in
 * the history (a user_message event each). A resumed history's trailing
 * "task_pending" message (session_history_load(): tasks whose engine died
 * before their agent was made, the task's own records not among them) is
 * put back as the person's, before the task's message. Interrupted before
 * it, it ends with no request. */
int agent_start(struct agent *a, const char *task, cJSON *history) DH_MUST_CHECK;

/* Apply a command (approve, deny, steer, interrupt, status); status is
 * answered at once with a status event. A command refused (nothing to
 * approve, an unknown call id, a steer after the end or once the task was
 * interrupted or is ending: no request would carry it, ...) changes nothing
 * and emits nothing: DH_EFAIL with err_msg() saying why, for the one who
 * sent it (the engine replies to that client only, with its "re"); 0 else.
 * A steer taken is sent with the next request; an interrupt (or
 * agent_stop()) that ends the task before one carried it puts it into the
 * history as the person's message (a user_message event), where a resume
 * or the session's next task sends it. One taken after agent_start() is
 * written to the transcript at once, as a "task" record (one write(2)),
 * which the message that carries it answers: a resume of an engine killed
 * before that message sends it (session_history_load()). Safe to call at
 * any time, from any loop callback. */
int agent_command(struct agent *a, const struct command *c);

/* The watcher reported a change (its watch_change_fn): when its state moved
 * (e.g. degraded to full scans) a status event says so. Loop thread. */
void agent_watch_changed(struct agent *a);

/* An event's audit record could not be written (docs/audit.md): called by an
 * event sink, from inside the emit, with `why` (copied) saying which file and
 * what error. The tool call being decided is not run: its result is "not run:
 * WHY", whether the record was its own tool_call, a decision on it or any
 * other since it was asked (the first reason is kept). The next call starts
 * afresh. NULL-safe. Loop thread. */
void agent_audit_failed(struct agent *a, const char *why);

/* True once session_finished was emitted. */
bool agent_is_finished(const struct agent *a);
/* False once a history record could not be written to the transcript (a
 * resume would not have that message, nor any after it). */
bool agent_history_kept(const struct agent *a);
/* "done", "failed", "blocked", "interrupted", "expired" or "budget" once
 * finished; NULL before. */
const char *agent_status(const struct agent *a);
/* The session's "always allow" rules, [{tool, pattern?}] (agent/approval.h;
 * not the config's rules); the caller owns the array. */
/* Stop the task as an interrupt does (a pending approval is denied with
 * `msg`, a running command killed, the stream cancelled; the transcript and
 * checkpoints stay, so it is resumable), but end it with `status` (static
 * string, e.g. "expired") and `msg` (copied). No-op once finished or already
 * stopping. */
void agent_stop(struct agent *a, const char *status, const char *msg);
/* The session's "always allow" rules, [{tool, pattern?}] (agent/approval.h);
 * the caller owns the array. */
cJSON *agent_rules_json(const struct agent *a);
/* run_command's sandbox trial this session: 1 passed, -1 failed (commands are
 * refused), 0 not run yet. */
int agent_sandbox_trial(const struct agent *a);
/* The output of the call running now, as its tool_output events carried it
 * (the latest 8 KB or so, from a line start): what a client attaching now
 * has missed, since tool_output events are not in the transcript. false when
 * no call runs or it printed nothing yet; *id and *text are borrowed until
 * the next event. */
bool agent_live_output(const struct agent *a, const char **id, const char **text);
/* The model's answer streaming now, as far as it came (its text_deltas
 * joined): what a client attaching before the answer ends has missed, since
 * text_delta events are not in the transcript (assistant_message, at the
 * end, is). false when no answer streams or it has no text yet; *text is
 * borrowed until the next event. */
bool agent_live_text(const struct agent *a, const char **text);
/* The name of the tool call running now that may change the granted folders
 * (run_command, a connector's tool: one that runs beside the loop), or NULL.
 * Until it ends and its checkpoint is taken, what it changed is on the disk
 * but not recorded: a review action would take it for someone else's edit.
 * Borrowed until the next event. */
const char *agent_mutating_call(const struct agent *a);
/* The system prompt the agent sends (borrowed; for tests and --dump). */
const char *agent_system_prompt(const struct agent *a);

#endif
