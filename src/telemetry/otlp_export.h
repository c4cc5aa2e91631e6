/* SPDX-License-Identifier: MIT */
#ifndef DH_TELEMETRY_OTLP_EXPORT_H
#define DH_TELEMETRY_OTLP_EXPORT_H

#include <stddef.h>

#include "core/err.h"
#include "telemetry/otlp.h"

/*
 * The OTLP/HTTP exporter (docs/telemetry.md): spans, log records and metric
 * values are queued on the loop thread, encoded in batches on a thread of
 * its own (core/worker.h) and POSTed with the shared HTTP client (net/http.h)
 * to ENDPOINT/v1/traces, /v1/logs and /v1/metrics. Nothing here waits: one
 * request per signal is in flight at a time, each queue holds at most
 * queue_max items, and what does not fit (the collector is down, slow or
 * refuses) is dropped and counted. The loop never waits for telemetry; only
 * otlp_export_close() may, for at most its `wait_ms`, and only while the
 * collector has been answering. Loop thread only.
 */

struct ev_loop;
struct otlp_export;

struct otlp_export_opts {
	const char *endpoint;	       /* base URL: "http://host:4318" (the /v1/… paths are added) */
	enum otlp_protocol protocol;
	const struct otlp_attrs *headers; /* extra request headers (name → value), borrowed */
	const struct otlp_resource *resource; /* copied */
	long timeout_ms;	       /* per request (OTEL_EXPORTER_OTLP_TIMEOUT); 0: 10000 */
	long interval_ms;	       /* between exports (OTEL_BSP_SCHEDULE_DELAY); 0: 5000 */
	size_t queue_max;	       /* spans, and logs, waiting (OTEL_BSP_MAX_QUEUE_SIZE); 0: 2048 */
	size_t batch_max;	       /* items in one request (OTEL_BSP_MAX_EXPORT_BATCH_SIZE); 0: 512 */
};

/* The exporter's settings, from deskhand's settings and the environment
 * variables of the OpenTelemetry specification (docs/telemetry.md). */
struct otlp_settings {
	char *endpoint;		   /* heap; NULL: telemetry is off */
	const char *endpoint_from; /* "otel_endpoint" or "OTEL_EXPORTER_OTLP_ENDPOINT" */
	const char *why_off;	   /* static: why endpoint is NULL */
	enum otlp_protocol protocol;
	struct otlp_attrs headers;
	struct otlp_resource resource;
	long timeout_ms, interval_ms;
	size_t queue_max, batch_max;
};

/* deskhand's own settings, as strings ("" or NULL: not set). */
struct otlp_settings_in {
	const char *endpoint;	/* otel_endpoint */
	const char *endpoint_from; /* what named it, for messages; NULL: "otel_endpoint" */
	const char *protocol;	/* otel_protocol; NULL when left at its default */
	const char *protocol_from; /* NULL: "otel_protocol" */
	const char *headers;	/* otel_headers: key=value,… */
	bool locked;		/* the managed policy locks otel_endpoint: the
				 * environment cannot turn telemetry off */
	const char *version;	/* service.version and the scope's version */
};

/* Resolve the settings: otel_endpoint (the engine passes the value in
 * effect: $OTEL_EXPORTER_OTLP_ENDPOINT over the config, see settings_value()),
 * else OTEL_EXPORTER_OTLP_ENDPOINT;
 * OTEL_SDK_DISABLED=true turns telemetry off (unless locked);
 * otel_protocol, else OTEL_EXPORTER_OTLP_PROTOCOL; otel_headers then
 * OTEL_EXPORTER_OTLP_HEADERS; OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME
 * (service.name, default "deskhand"); OTEL_EXPORTER_OTLP_TIMEOUT,
 * OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_MAX_QUEUE_SIZE,
 * OTEL_BSP_MAX_EXPORT_BATCH_SIZE (whole numbers). DH_EPARSE naming the
 * setting or variable and its bad value. Always otlp_export_settings_fini(). */
int otlp_export_settings(struct otlp_settings *out, const struct otlp_settings_in *in)
	DH_MUST_CHECK;
void otlp_export_settings_fini(struct otlp_settings *s);

/* What was sent and what was lost, since otlp_export_new. */
struct otlp_export_stats {
	unsigned long spans_sent, logs_sent, metric_exports;
	unsigned long spans_dropped, logs_dropped, points_dropped;
	unsigned long requests, failures;
};

/* Start the exporter (its thread and HTTP client) on loop `l`. DH_EFAIL (no
 * thread, no curl handle) or DH_EPARSE (the endpoint is not an http(s) URL,
 * naming it). The caller owns *out: otlp_export_close(). */
int otlp_export_new(struct otlp_export **out, struct ev_loop *l,
		    const struct otlp_export_opts *o) DH_MUST_CHECK;
/* Queue a finished span; *s is moved into the exporter (zeroed here). */
void otlp_export_span(struct otlp_export *x, struct otlp_span *s);
/* Queue a log record; *r is moved (zeroed here). */
void otlp_export_log(struct otlp_export *x, struct otlp_log *r);
/* Add to a monotonic sum / record in a histogram (otlp_metrics_add/record;
 * attrs borrowed). Sent with the next export. */
void otlp_export_count(struct otlp_export *x, const char *name, const char *unit,
		       const char *description, const struct otlp_attrs *attrs, double v);
void otlp_export_record(struct otlp_export *x, const char *name, const char *unit,
			const char *description, const double *bounds, size_t nbounds,
			const struct otlp_attrs *attrs, double v);
/* Export what is queued now, without waiting for the interval (each signal
 * whose previous request is still out goes at its end). */
void otlp_export_flush(struct otlp_export *x);
void otlp_export_stats(const struct otlp_export *x, struct otlp_export_stats *out);
/* The metric values aggregated so far (tests). Borrowed. */
const struct otlp_metrics *otlp_export_metrics(const struct otlp_export *x);
/* Send what is left and free. A request still out is cancelled (its items
 * count as dropped). While no request has failed, what is queued is sent on
 * a private loop and waited for, at most `wait_ms`; after a failure it is
 * dropped at once. Teardown only (may block up to wait_ms). *stats (if not
 * NULL) gets the final counts. NULL-safe. */
void otlp_export_close(struct otlp_export *x, long wait_ms, struct otlp_export_stats *stats);

#endif
