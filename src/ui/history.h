/* SPDX-License-Identifier: MIT */
/*
 * A past session's transcript.jsonl replayed as events, so the workbench
 * shows a resumed or opened session's conversation and plan.
 */
#ifndef DH_UI_HISTORY_H
#define DH_UI_HISTORY_H

#include "agent/event.h"
#include "core/err.h"

/*
 * Read STATE_DIR/sessions/ID/transcript.jsonl and call fn for each record a
 * view shows: the user's messages (from "history" user text blocks),
 * assistant messages, tool calls and results, plan and approval decisions,
 * checkpoints, errors and the session's end. Deltas, usage and prompts are
 * skipped; unparsable lines are skipped. Returns 0 or a DH_E* error.
 */
int history_replay(const char *state_dir, const char *id, event_sink_fn *fn, void *ctx)
	DH_MUST_CHECK;

#endif
