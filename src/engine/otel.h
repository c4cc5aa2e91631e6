/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_OTEL_H
#define DH_ENGINE_OTEL_H

#include <cJSON.h>

#include "agent/event.h"
#include "core/err.h"

/*
 * The engine's OpenTelemetry sink (docs/telemetry.md): turns the session's
 * events into spans after the GenAI semantic conventions (invoke_agent for a
 * task, chat for each model request, execute_tool for each tool call, an MCP
 * tools/call span under a connector's call), metrics (token usage, cost, tool
 * calls by name and decision, checkpoint durations, sandbox refusals) and the
 * audit records into log records, and hands them to the OTLP exporter
 * (telemetry/otlp_export.h), which batches and sends them off the loop.
 * Prompts, file contents and tool output are exported only with
 * otel_log_content = on. Loop thread only.
 */

struct config;
struct ev_loop;
struct otel;

/* Start telemetry when an endpoint is set (otel_endpoint or
 * OTEL_EXPORTER_OTLP_ENDPOINT; docs/telemetry.md for every variable).
 * 0 with *out NULL when it is off; DH_EPARSE naming the setting or variable
 * at fault; DH_EFAIL when the exporter cannot start. `cfg` is borrowed and
 * must outlive the sink. Free with otel_close(). */
int otel_open(struct otel **out, struct ev_loop *l, const struct config *cfg) DH_MUST_CHECK;
/* One event of the engine's fan-out. NULL-safe (telemetry off). */
void otel_event(struct otel *o, const struct event *ev);
/* An audit_record_fn (audit/audit.h): the audit record as a log record.
 * `ctx` is the struct otel. */
void otel_audit_record(const cJSON *rec, const char *line, void *ctx);
/* End the spans still open, send what is left (waiting at most 2 s, and only
 * while the collector answers), write the counts (dropped ones too) to the
 * debug log, free. Teardown only. NULL-safe. */
void otel_close(struct otel *o);
#endif
