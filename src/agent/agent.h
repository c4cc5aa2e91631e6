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
 */

struct ev_loop;
struct worker;
struct llm;
struct grant_set;
struct snap_store;
struct session;
struct agent;

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
	int max_turns;		     /* 0 = 100 */
	int command_timeout_s;	     /* run_command default timeout; 0 = the tool's default */
	const char *instructions;    /* AGENTS.md text to add to the system prompt, or NULL */
};

/* Create an agent. The config's pointers are borrowed and must outlive it. */
int agent_new(struct agent **out, const struct agent_config *cfg) DH_MUST_CHECK;
/* Free. Pending worker jobs must have been drained (worker_drain) first. */
void agent_free(struct agent *a);

/* Add a receiver of events (at most 8). Called in the order added. */
void agent_add_sink(struct agent *a, event_sink_fn *fn, void *ctx);

/* Start (history == NULL) or resume (history = the conversation so far, taken
 * over by the agent) with the user's `task` text. Emits session_started, takes
 * the baseline (or a "resume") checkpoint of every grant, then runs turns. */
int agent_start(struct agent *a, const char *task, cJSON *history) DH_MUST_CHECK;

/* Apply a command (approve, deny, steer, interrupt). Unknown ids are ignored
 * with an error event. Safe to call at any time, from any loop callback. */
void agent_command(struct agent *a, const struct command *c);

/* True once session_finished was emitted. */
bool agent_is_finished(const struct agent *a);
/* "done", "failed" or "interrupted" once finished; NULL before. */
const char *agent_status(const struct agent *a);
/* The system prompt the agent sends (borrowed; for tests and --dump). */
const char *agent_system_prompt(const struct agent *a);

#endif
