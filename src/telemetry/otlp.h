/* SPDX-License-Identifier: MIT */
#ifndef DH_TELEMETRY_OTLP_H
#define DH_TELEMETRY_OTLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/array.h"
#include "core/err.h"

/*
 * OpenTelemetry data as OTLP/HTTP bodies (docs/telemetry.md): spans, log
 * records and metric streams, and their encoding as protobuf (the
 * ExportTraceServiceRequest, ExportLogsServiceRequest and
 * ExportMetricsServiceRequest messages of opentelemetry-proto v1, field
 * numbers as in its .proto files) or as OTLP/JSON (the same messages in
 * proto3's JSON mapping with OTLP's exceptions: trace and span ids as hex,
 * enums as integers, 64-bit integers as decimal strings; OTLP specification
 * "OTLP/HTTP" and "JSON Protobuf Encoding"). Pure data, no I/O: the exporter
 * (telemetry/otlp_export.h) batches and sends them. Not thread-safe; a value
 * is used by one thread at a time.
 */

struct buf;
struct strv;

enum otlp_protocol {
	OTLP_PROTOBUF, /* "http/protobuf": Content-Type application/x-protobuf */
	OTLP_JSON,     /* "http/json": Content-Type application/json */
};

/* An attribute value's type (AnyValue's oneof, the kinds we send). */
enum otlp_type {
	OTLP_STR,
	OTLP_INT,
	OTLP_DOUBLE,
	OTLP_BOOL,
	OTLP_STRV, /* an array of strings (gen_ai.response.finish_reasons) */
};

/* One attribute. `key` and the strings are heap, owned by the set. */
struct otlp_attr {
	char *key;
	enum otlp_type type;
	char *s;	 /* OTLP_STR */
	long long i;	 /* OTLP_INT */
	double d;	 /* OTLP_DOUBLE */
	bool b;		 /* OTLP_BOOL */
	char **sv;	 /* OTLP_STRV: nsv strings */
	size_t nsv;
};
ARRAY_HEAD(otlp_attrs, struct otlp_attr);

/* Add an attribute (key and value copied; a later one with the same key is
 * sent as well: callers set each key once). otlp_attr_str with v NULL adds
 * nothing. */
void otlp_attr_str(struct otlp_attrs *a, const char *key, const char *v);
void otlp_attr_int(struct otlp_attrs *a, const char *key, long long v);
void otlp_attr_double(struct otlp_attrs *a, const char *key, double v);
void otlp_attr_bool(struct otlp_attrs *a, const char *key, bool v);
void otlp_attr_strv(struct otlp_attrs *a, const char *key, const char *const *v, size_t n);
/* The value of attribute `key`, or NULL. Borrowed. */
const struct otlp_attr *otlp_attr_get(const struct otlp_attrs *a, const char *key);
/* Deep copy of `src` appended to `dst`. */
void otlp_attrs_copy(struct otlp_attrs *dst, const struct otlp_attrs *src);
/* Free every attribute and the array; *a is empty afterwards. */
void otlp_attrs_fini(struct otlp_attrs *a);

/* Parse OTEL_RESOURCE_ATTRIBUTES / OTEL_EXPORTER_OTLP_HEADERS text: a comma
 * separated list of key=value, blanks around each trimmed, values
 * percent-decoded (W3C Baggage's syntax, as the OpenTelemetry environment
 * variable specification says). Each pair is appended to `out` as a string
 * attribute. DH_EPARSE naming `what` (the variable or setting) and the bad
 * member when a member has no '=' or an empty key; `out` may hold the pairs
 * before it then. NULL or "" is an empty list. */
int otlp_parse_pairs(struct otlp_attrs *out, const char *text, const char *what) DH_MUST_CHECK;
/* "http/protobuf" → OTLP_PROTOBUF, "http/json" → OTLP_JSON; DH_EPARSE naming
 * `what` and the value for anything else ("grpc" is not supported). */
int otlp_parse_protocol(enum otlp_protocol *out, const char *text, const char *what) DH_MUST_CHECK;

/* Span kinds and status codes as opentelemetry-proto numbers them. */
enum otlp_span_kind {
	OTLP_SPAN_INTERNAL = 1,
	OTLP_SPAN_SERVER = 2,
	OTLP_SPAN_CLIENT = 3,
};
enum otlp_status {
	OTLP_STATUS_UNSET = 0,
	OTLP_STATUS_OK = 1,
	OTLP_STATUS_ERROR = 2,
};

/* One finished span. Times are UNIX nanoseconds; a zero parent_id is a root. */
struct otlp_span {
	uint8_t trace_id[16];
	uint8_t span_id[8];
	uint8_t parent_id[8];
	char *name; /* heap */
	enum otlp_span_kind kind;
	uint64_t start_ns, end_ns;
	struct otlp_attrs attrs;
	enum otlp_status status;
	char *status_message; /* heap or NULL */
};
void otlp_span_fini(struct otlp_span *s);

/* Fill `n` bytes with random ids (getrandom(2); the clock and pid if it
 * fails, so ids stay distinct). Never all zero. */
void otlp_random_id(uint8_t *p, size_t n);
/* CLOCK_REALTIME in nanoseconds since the UNIX epoch. */
uint64_t otlp_now_ns(void);

/* Severity numbers of the logs data model. */
enum otlp_severity {
	OTLP_SEV_INFO = 9,
	OTLP_SEV_WARN = 13,
	OTLP_SEV_ERROR = 17,
};

/* One log record: a string body and attributes, tied to a span when
 * span_id is not zero. */
struct otlp_log {
	uint64_t time_ns;
	enum otlp_severity severity;
	char *body; /* heap */
	struct otlp_attrs attrs;
	uint8_t trace_id[16];
	uint8_t span_id[8];
};
void otlp_log_fini(struct otlp_log *l);

/* Metric streams, aggregated in place: a monotonic sum or an explicit-bucket
 * histogram per (metric, attribute set), cumulative from the set's start
 * time (AGGREGATION_TEMPORALITY_CUMULATIVE). */
enum otlp_metric_kind {
	OTLP_SUM,
	OTLP_HISTOGRAM,
};

struct otlp_point {
	struct otlp_attrs attrs;
	double value;	   /* OTLP_SUM */
	uint64_t count;	   /* OTLP_HISTOGRAM: values recorded */
	double sum, min, max;
	uint64_t *buckets; /* nbounds + 1 counts: value <= bounds[i] (and > bounds[i-1]) */
};

struct otlp_metric {
	char *name, *unit, *description;
	enum otlp_metric_kind kind;
	double *bounds; /* OTLP_HISTOGRAM: ascending upper bounds */
	size_t nbounds;
	ARRAY(struct otlp_point) points;
};

#define OTLP_MAX_POINTS 256 /* streams over all metrics; more are dropped */

struct otlp_metrics {
	ARRAY(struct otlp_metric) m;
	size_t npoints;
	unsigned long dropped; /* values of new streams refused by OTLP_MAX_POINTS */
	uint64_t start_ns;     /* the cumulative streams' start time */
};

/* Add `v` to the sum `name` (unit as UCUM, e.g. "{call}", "USD") for the
 * attribute set `attrs` (borrowed; copied for a new stream). The first use
 * of a name fixes its kind, unit and description. */
void otlp_metrics_add(struct otlp_metrics *m, const char *name, const char *unit,
		      const char *description, const struct otlp_attrs *attrs, double v);
/* Record `v` in the histogram `name` with `nbounds` ascending bucket bounds
 * (copied at the first use of the name). */
void otlp_metrics_record(struct otlp_metrics *m, const char *name, const char *unit,
			 const char *description, const double *bounds, size_t nbounds,
			 const struct otlp_attrs *attrs, double v);
/* Deep copy (for an export running elsewhere). */
void otlp_metrics_copy(struct otlp_metrics *dst, const struct otlp_metrics *src);
void otlp_metrics_fini(struct otlp_metrics *m);
/* The stream of `name` with attribute `key` = string `value`, or NULL
 * (tests). Borrowed. */
const struct otlp_point *otlp_metrics_find(const struct otlp_metrics *m, const char *name,
					   const char *key, const char *value);

/* What every request carries: the Resource's attributes and the
 * InstrumentationScope. */
struct otlp_resource {
	struct otlp_attrs attrs;
	char *scope_name;    /* heap */
	char *scope_version; /* heap */
};
void otlp_resource_fini(struct otlp_resource *r);

/* Append one request body to `out`: ExportTraceServiceRequest with `n`
 * spans; ExportLogsServiceRequest with `n` records; ExportMetricsServiceRequest
 * with every stream of `m` as of `now_ns`. One ResourceX and one ScopeX. */
void otlp_encode_traces(struct buf *out, enum otlp_protocol p, const struct otlp_resource *r,
			const struct otlp_span *spans, size_t n);
void otlp_encode_logs(struct buf *out, enum otlp_protocol p, const struct otlp_resource *r,
		      const struct otlp_log *logs, size_t n);
void otlp_encode_metrics(struct buf *out, enum otlp_protocol p, const struct otlp_resource *r,
			 const struct otlp_metrics *m, uint64_t now_ns);

#endif
