/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_AUDIT_SINK_H
#define DH_ENGINE_AUDIT_SINK_H

#include <stdbool.h>

#include "agent/event.h"
#include "audit/audit.h"
#include "core/err.h"

/*
 * The engine's audit sink (docs/audit.md): turns the session's events into
 * audit records (audit/audit.h) as they pass the engine's fan-out, before any
 * other sink sees them. The agent emits a decision before it acts on it (a
 * denied call's decision before its result, a refused egress before the
 * proxy answers), and this sink writes each record synchronously, so the log
 * holds a decision before its action. Its fdatasync and keyed heads run on
 * the worker: the loop never waits for the disk. Loop thread only.
 */

struct config;
struct worker;
struct audit_sink;

/* Open the audit log of the session in `dir` (id `session`) with the key of
 * cfg->audit_key; with cfg->audit_journal on, records also go to the system
 * journal. `cfg` and `w` are borrowed and must outlive the sink. Errors as
 * audit_open() (the message names the file). */
int audit_sink_open(struct audit_sink **out, struct worker *w, const struct config *cfg,
		    const char *dir, const char *session) DH_MUST_CHECK;
/* Wait for the syncs in flight (worker_drain), write the keyed head, close.
 * Teardown only (blocks on the disk). NULL-safe. */
void audit_sink_close(struct audit_sink *s);

/* Record what `ev` tells, if anything (deltas, usage, status are not audit
 * facts). A failed write is said once on the debug log and as the returned
 * DH_EFAIL; the caller decides what to show (the engine: an error event, and
 * the tool call being decided is not run, agent_audit_failed). */
int audit_sink_event(struct audit_sink *s, const struct event *ev);
/* While set, decisions are the person's (an approve/deny command is being
 * applied); cleared, they come from rules, the mode or nobody. */
void audit_sink_set_person(struct audit_sink *s, bool person);
/* Record an event of the engine itself: `rec` (an object with "type") is
 * borrowed; see docs/audit.md for the types (mcp_start, mcp_trust, …). */
int audit_sink_record(struct audit_sink *s, cJSON *rec) DH_MUST_CHECK;
/* The log, for other sinks to add a listener (audit_add_listener): the one
 * place a finished record is handed on, e.g. as an OTLP log record. */
struct audit_log *audit_sink_log(struct audit_sink *s);

#endif
