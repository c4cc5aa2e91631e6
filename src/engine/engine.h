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
};

/* Assemble everything but the agent on `loop` (created first by the caller:
 * ev_new() blocks the signals before any thread exists). `cfg` is borrowed
 * and must outlive the engine; a resumed session may set cfg->mode. *out is
 * set even on failure (free it with engine_close()). Errors: DH_EDENIED (a
 * refused grant), DH_ENOTFOUND (no such session or folder), DH_EFAIL; the
 * message is ready for "deskhand: %s". */
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
 * continues the same session with `task` as the next user message. While a
 * task runs this is a steer instead. DH_EFAIL with a message otherwise. */
int engine_start(struct engine *e, const char *task) DH_MUST_CHECK;
/* Apply a command (agent/event.h). approve, deny, steer, interrupt and
 * status go to the running agent (ignored when no task was started); accept,
 * reject, undo and restore act on the session's review (snap/review.h) on
 * the worker, at any time, and are answered by a "review" event {op, ok,
 * message, conflict_dir}. */
void engine_command(struct engine *e, const struct command *c);

/* Grant another folder (the check of engine_open; `force` lifts it). Only
 * between tasks: DH_EFAIL ("a task is running") while one runs. The next task
 * sees it. */
int engine_grant_add(struct engine *e, const char *path, bool force) DH_MUST_CHECK;
/* Stop granting folder `path` (as granted, or any spelling realpath() maps to
 * it): its store is closed (its checkpoints stay on disk, so a later :grant of
 * it finds them), the watcher and the LLM client's redaction are rebuilt over
 * the remaining grants and grant indexes above it shift down. Only between
 * tasks and with no review job in flight: DH_EFAIL ("a task is running",
 * "snapshot jobs are still running") then; DH_ENOTFOUND when `path` is not
 * granted. The next task sees the new set. */
int engine_grant_remove(struct engine *e, const char *path) DH_MUST_CHECK;

/* True while a task was started and has not finished. */
bool engine_is_busy(const struct engine *e);
/* True once a started task finished and no snapshot job is pending. */
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

#endif
