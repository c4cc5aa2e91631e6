/* SPDX-License-Identifier: MIT */
/*
 * OTLP/HTTP export: bounded queues on the loop, encoding on the exporter's
 * own thread, one POST per signal in flight through net/http (the OTLP
 * specification's "OTLP/HTTP" binding: POST /v1/traces, /v1/metrics,
 * /v1/logs; a 2xx is a success, anything else a failure that is not
 * retried: telemetry is dropped rather than ever holding the agent up).
 */
#include "telemetry/otlp_export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/ev.h"
#include "core/log.h"
#include "core/strv.h"
#include "core/worker.h"
#include "core/xalloc.h"
#include "net/http.h"

enum sig {
	SIG_TRACES,
	SIG_METRICS,
	SIG_LOGS,
	SIG__COUNT
};

static const char *const sig_path[SIG__COUNT] = {
	[SIG_TRACES] = "/v1/traces",
	[SIG_METRICS] = "/v1/metrics",
	[SIG_LOGS] = "/v1/logs",
};

/* A request out this long when the exporter closes: the collector is taken
 * as not answering, and nothing more is sent or waited for. */
#define STUCK_MS 1000

/* One batch on its way: items moved out of a queue, encoded on the worker,
 * then POSTed. */
struct job {
	struct otlp_export *x;
	enum sig s;
	struct otlp_span *spans; /* SIG_TRACES: items of them */
	struct otlp_log *logs;	 /* SIG_LOGS */
	struct otlp_metrics metrics; /* SIG_METRICS: a copy */
	size_t items;
	struct buf body;
	struct http_request *req; /* while POSTed */
	uint64_t sent_ms;	  /* when it was POSTed (ev_now_ms) */
	struct job *next;	  /* the close's list */
};

struct otlp_export {
	struct ev_loop *loop;
	struct worker *worker;
	struct http_client *http;
	char *url[SIG__COUNT];
	struct strv headers; /* "Name: value", the Content-Type first */
	enum otlp_protocol proto;
	struct otlp_resource res; /* read by the worker: never changed after new */
	long timeout_ms, interval_ms;
	size_t queue_max, batch_max;
	ARRAY(struct otlp_span) spans;
	ARRAY(struct otlp_log) logs;
	struct otlp_metrics metrics;
	bool metrics_dirty;
	struct job *out[SIG__COUNT]; /* the batch being encoded or POSTed, or NULL */
	struct ev_timer timer;
	bool closing;
	struct job *final; /* batches encoded while closing */
	bool answered;	   /* the last request that ended got a 2xx */
	bool failed_said;  /* a failure was logged */
	struct otlp_export_stats st;
};

static void
job_free(struct job *j)
{
	if (!j)
		return;
	for (size_t i = 0; j->spans && i < j->items; i++)
		otlp_span_fini(&j->spans[i]);
	for (size_t i = 0; j->logs && i < j->items; i++)
		otlp_log_fini(&j->logs[i]);
	free(j->spans);
	free(j->logs);
	otlp_metrics_fini(&j->metrics);
	buf_fini(&j->body);
	free(j);
}

/* Encode and free the items (on the worker; or on the loop while closing). */
static int
encode_run(void *ctx)
{
	struct job *j = ctx;
	const struct otlp_export *x = j->x;

	switch (j->s) {
	case SIG_TRACES:
		otlp_encode_traces(&j->body, x->proto, &x->res, j->spans, j->items);
		for (size_t i = 0; i < j->items; i++)
			otlp_span_fini(&j->spans[i]);
		free(j->spans);
		j->spans = NULL;
		break;
	case SIG_LOGS:
		otlp_encode_logs(&j->body, x->proto, &x->res, j->logs, j->items);
		for (size_t i = 0; i < j->items; i++)
			otlp_log_fini(&j->logs[i]);
		free(j->logs);
		j->logs = NULL;
		break;
	case SIG_METRICS:
		otlp_encode_metrics(&j->body, x->proto, &x->res, &j->metrics, otlp_now_ns());
		otlp_metrics_fini(&j->metrics);
		break;
	case SIG__COUNT:
		break;
	}
	return 0;
}

static void
count_sent(struct otlp_export *x, const struct job *j, bool ok)
{
	x->st.requests++;
	if (!ok)
		x->st.failures++;
	switch (j->s) {
	case SIG_TRACES:
		*(ok ? &x->st.spans_sent : &x->st.spans_dropped) += j->items;
		break;
	case SIG_LOGS:
		*(ok ? &x->st.logs_sent : &x->st.logs_dropped) += j->items;
		break;
	case SIG_METRICS:
		if (ok)
			x->st.metric_exports++;
		break;
	case SIG__COUNT:
		break;
	}
}

static void
count_dropped(struct otlp_export *x, const struct job *j)
{
	if (j->s == SIG_TRACES)
		x->st.spans_dropped += j->items;
	else if (j->s == SIG_LOGS)
		x->st.logs_dropped += j->items;
}

static void start_batch(struct otlp_export *x, enum sig s);

static void
post_done(const struct http_result *res, void *ctx)
{
	struct job *j = ctx;
	struct otlp_export *x = j->x;
	bool ok = res->rc == 0 && res->status >= 200 && res->status < 300;

	count_sent(x, j, ok);
	x->answered = ok;
	if (!ok && !x->failed_said) {
		x->failed_said = true;
		if (res->rc < 0)
			log_warn("otel: %s: %s (telemetry is dropped while the collector does "
				 "not answer)", x->url[j->s], res->error ? res->error : "failed");
		else
			log_warn("otel: %s: HTTP %ld (telemetry is dropped while the collector "
				 "refuses it)", x->url[j->s], res->status);
	}
	x->out[j->s] = NULL;
	j->req = NULL;
	if (x->closing) /* one of the last sends: no longer waited for */
		for (struct job **p = &x->final; *p; p = &(*p)->next)
			if (*p == j) {
				*p = j->next;
				break;
			}
	job_free(j);
	if (!x->closing)
		start_batch(x, SIG_TRACES), start_batch(x, SIG_LOGS);
}

static const struct http_callbacks post_cb = { .on_done = post_done };

/* POST j's body on `c`; false when curl refused it (counted as a failure). */
static bool
post(struct otlp_export *x, struct http_client *c, struct job *j, long timeout_ms)
{
	struct http_spec spec = {
		.method = "POST",
		.url = x->url[j->s],
		.headers = (const char *const *)x->headers.v,
		.nheaders = x->headers.n,
		.body = j->body.ptr ? j->body.ptr : "",
		.body_len = j->body.len,
		.connect_timeout_ms = timeout_ms,
		.idle_timeout_ms = timeout_ms,
	};

	j->sent_ms = ev_now_ms();
	if (http_start(&j->req, c, &spec, &post_cb, j) < 0) {
		count_sent(x, j, false);
		return false;
	}
	return true;
}

static void
encode_done(int rc, const char *msg, void *ctx)
{
	struct job *j = ctx;
	struct otlp_export *x = j->x;

	(void)rc;
	(void)msg;
	if (x->closing) {
		/* sent (or not) by otlp_export_close */
		j->next = x->final;
		x->final = j;
		x->out[j->s] = NULL;
		return;
	}
	if (!post(x, x->http, j, x->timeout_ms)) {
		x->out[j->s] = NULL;
		job_free(j);
	}
}

/* Take up to batch_max items of signal s into a new job (NULL: nothing). */
static struct job *
take(struct otlp_export *x, enum sig s)
{
	struct job *j = NULL;

	if (s == SIG_TRACES && x->spans.n) {
		size_t n = x->spans.n < x->batch_max ? x->spans.n : x->batch_max;

		j = xcalloc(1, sizeof *j);
		j->spans = xcalloc(n, sizeof *j->spans);
		memcpy(j->spans, x->spans.v, n * sizeof *j->spans);
		memmove(x->spans.v, x->spans.v + n, (x->spans.n - n) * sizeof *x->spans.v);
		x->spans.n -= n;
		j->items = n;
	} else if (s == SIG_LOGS && x->logs.n) {
		size_t n = x->logs.n < x->batch_max ? x->logs.n : x->batch_max;

		j = xcalloc(1, sizeof *j);
		j->logs = xcalloc(n, sizeof *j->logs);
		memcpy(j->logs, x->logs.v, n * sizeof *j->logs);
		memmove(x->logs.v, x->logs.v + n, (x->logs.n - n) * sizeof *x->logs.v);
		x->logs.n -= n;
		j->items = n;
	} else if (s == SIG_METRICS && x->metrics_dirty) {
		j = xcalloc(1, sizeof *j);
		otlp_metrics_copy(&j->metrics, &x->metrics);
		x->metrics_dirty = false;
	}
	if (j) {
		j->x = x;
		j->s = s;
	}
	return j;
}

/* Hand the next batch of s to the worker unless one is already out. */
static void
start_batch(struct otlp_export *x, enum sig s)
{
	if (x->out[s])
		return;
	struct job *j = take(x, s);

	if (!j)
		return;
	x->out[s] = j;
	worker_post(x->worker, encode_run, encode_done, j);
}

static void
on_timer(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct otlp_export *x = ctx;

	otlp_export_flush(x);
	ev_timer_arm(l, t, (uint64_t)x->interval_ms);
}

int
otlp_export_new(struct otlp_export **out, struct ev_loop *l, const struct otlp_export_opts *o)
{
	struct http_url u;

	*out = NULL;
	if (!o->endpoint || http_url_parse(&u, o->endpoint) < 0)
		return err_setc(DH_EPARSE, "OpenTelemetry endpoint '%s' is not a URL",
				o->endpoint ? o->endpoint : "");
	bool web = !strcmp(u.scheme, "http") || !strcmp(u.scheme, "https");

	http_url_fini(&u);
	if (!web)
		return err_setc(DH_EPARSE, "OpenTelemetry endpoint '%s' is not an http(s) URL "
					   "(OTLP over HTTP only)", o->endpoint);

	struct otlp_export *x = xcalloc(1, sizeof *x);

	x->loop = l;
	x->proto = o->protocol;
	x->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000;
	x->interval_ms = o->interval_ms > 0 ? o->interval_ms : 5000;
	x->queue_max = o->queue_max ? o->queue_max : 2048;
	x->batch_max = o->batch_max ? o->batch_max : 512;
	x->answered = true; /* nothing has failed yet */
	size_t el = strlen(o->endpoint);

	while (el && o->endpoint[el - 1] == '/')
		el--;
	for (int s = 0; s < SIG__COUNT; s++)
		x->url[s] = xasprintf("%.*s%s", (int)el, o->endpoint, sig_path[s]);
	strv_add(&x->headers, x->proto == OTLP_JSON ? "Content-Type: application/json"
						     : "Content-Type: application/x-protobuf");
	for (size_t i = 0; o->headers && i < o->headers->n; i++) {
		char *h = xasprintf("%s: %s", o->headers->v[i].key,
				    o->headers->v[i].s ? o->headers->v[i].s : "");

		strv_add(&x->headers, h);
		free(h);
	}
	otlp_attrs_copy(&x->res.attrs, &o->resource->attrs);
	x->res.scope_name = xstrdup(o->resource->scope_name ? o->resource->scope_name : "");
	x->res.scope_version = o->resource->scope_version ? xstrdup(o->resource->scope_version)
							  : NULL;
	x->metrics.start_ns = otlp_now_ns();
	if (worker_new(&x->worker, l) < 0 || http_client_new(&x->http, l) < 0) {
		int rc = err_set("OpenTelemetry exporter: %s", err_msg());

		otlp_export_close(x, 0, NULL);
		return rc;
	}
	ev_timer_init(&x->timer, on_timer, x);
	ev_timer_arm(l, &x->timer, (uint64_t)x->interval_ms);
	*out = x;
	return 0;
}

void
otlp_export_span(struct otlp_export *x, struct otlp_span *s)
{
	if (x->spans.n >= x->queue_max) {
		x->st.spans_dropped++;
		otlp_span_fini(s);
		return;
	}
	ARRAY_PUSH(&x->spans, *s);
	memset(s, 0, sizeof *s);
	if (x->spans.n >= x->batch_max)
		start_batch(x, SIG_TRACES);
}

void
otlp_export_log(struct otlp_export *x, struct otlp_log *r)
{
	if (x->logs.n >= x->queue_max) {
		x->st.logs_dropped++;
		otlp_log_fini(r);
		return;
	}
	ARRAY_PUSH(&x->logs, *r);
	memset(r, 0, sizeof *r);
	if (x->logs.n >= x->batch_max)
		start_batch(x, SIG_LOGS);
}

void
otlp_export_count(struct otlp_export *x, const char *name, const char *unit,
		  const char *description, const struct otlp_attrs *attrs, double v)
{
	otlp_metrics_add(&x->metrics, name, unit, description, attrs, v);
	x->metrics_dirty = true;
}

void
otlp_export_record(struct otlp_export *x, const char *name, const char *unit,
		   const char *description, const double *bounds, size_t nbounds,
		   const struct otlp_attrs *attrs, double v)
{
	otlp_metrics_record(&x->metrics, name, unit, description, bounds, nbounds, attrs, v);
	x->metrics_dirty = true;
}

void
otlp_export_flush(struct otlp_export *x)
{
	for (int s = 0; s < SIG__COUNT; s++)
		start_batch(x, (enum sig)s);
}

void
otlp_export_stats(const struct otlp_export *x, struct otlp_export_stats *out)
{
	*out = x->st;
	out->points_dropped = x->metrics.dropped;
}

const struct otlp_metrics *
otlp_export_metrics(const struct otlp_export *x)
{
	return &x->metrics;
}

/* The close's last sends, on a loop of their own for at most wait_ms. */
static void
send_final(struct otlp_export *x, long wait_ms)
{
	struct ev_loop *l = NULL;
	struct http_client *c = NULL;
	size_t out = 0;

	if (ev_new(&l) < 0 || http_client_new(&c, l) < 0) {
		log_warn("otel: the last export could not start: %s", err_msg());
		goto drop;
	}
	for (struct job *j = x->final; j; j = j->next)
		if (post(x, c, j, wait_ms))
			out++;
		else
			j->items = 0; /* counted as a failure already */
	/* What curl refused is gone; the rest stay on x->final until
	 * post_done takes each that ends. */
	for (struct job **p = &x->final; *p;) {
		struct job *j = *p;

		if (j->req) {
			p = &j->next;
		} else {
			*p = j->next;
			job_free(j);
		}
	}
	uint64_t deadline = ev_now_ms() + (uint64_t)wait_ms;

	while (out) {
		uint64_t now = ev_now_ms();
		unsigned long before = x->st.requests;

		if (now >= deadline)
			break;
		if (ev_run_once(l, (int)(deadline - now)) < 0)
			break;
		out -= x->st.requests - before;
	}
	if (out)
		log_warn("otel: %zu last export(s) unanswered after %ld ms: dropped", out, wait_ms);
	/* The unanswered: cancelled here, counted as dropped by the caller. */
	for (struct job *j = x->final; j; j = j->next) {
		http_cancel(j->req);
		j->req = NULL;
	}
	http_client_free(c);
	ev_free(l);
	return;
drop:
	http_client_free(c);
	ev_free(l);
}

void
otlp_export_close(struct otlp_export *x, long wait_ms, struct otlp_export_stats *stats)
{
	if (!x)
		return;
	x->closing = true;
	if (x->loop)
		ev_timer_disarm(x->loop, &x->timer);
	if (x->worker)
		worker_drain(x->worker); /* encode_done puts each batch on x->final */
	/* A request still out: cancelled; resent below while the collector answers. */
	for (int s = 0; s < SIG__COUNT; s++) {
		struct job *j = x->out[s];

		if (!j)
			continue;
		x->out[s] = NULL;
		http_cancel(j->req);
		j->req = NULL;
		if (x->answered && ev_now_ms() - j->sent_ms < STUCK_MS) {
			/* a collector that has not failed yet: sent again below */
			j->next = x->final;
			x->final = j;
		} else {
			x->answered = false;
			count_dropped(x, j);
			job_free(j);
		}
	}
	/* Everything still queued, encoded here (teardown: the loop is done). */
	for (int s = 0; s < SIG__COUNT; s++) {
		struct job *j;

		while ((j = take(x, (enum sig)s))) {
			encode_run(j);
			j->next = x->final;
			x->final = j;
		}
	}
	if (x->final && x->answered && wait_ms > 0)
		send_final(x, wait_ms);
	for (struct job *j = x->final, *next; j; j = next) {
		next = j->next;
		count_dropped(x, j);
		job_free(j);
	}
	x->final = NULL;
	if (stats)
		otlp_export_stats(x, stats);
	http_client_free(x->http);
	worker_free(x->worker);
	for (size_t i = 0; i < x->spans.n; i++)
		otlp_span_fini(&x->spans.v[i]);
	ARRAY_FREE(&x->spans);
	for (size_t i = 0; i < x->logs.n; i++)
		otlp_log_fini(&x->logs.v[i]);
	ARRAY_FREE(&x->logs);
	otlp_metrics_fini(&x->metrics);
	otlp_resource_fini(&x->res);
	for (int s = 0; s < SIG__COUNT; s++)
		free(x->url[s]);
	strv_free(&x->headers);
	free(x);
}

/*
 * Settings
 */

static int
env_num(long *out, const char *name, long def, long max)
{
	const char *v = getenv(name);
	char *end;

	*out = def;
	if (!v || !*v)
		return 0;
	errno = 0;
	long n = strtol(v, &end, 10);

	if (errno || *end || n < 0 || n > max)
		return err_setc(DH_EPARSE, "%s: '%s' is not a whole number from 0 to %ld", name, v,
				max);
	if (n > 0)
		*out = n;
	return 0;
}

static bool
env_true(const char *name)
{
	const char *v = getenv(name);

	return v && !strcasecmp(v, "true");
}

int
otlp_export_settings(struct otlp_settings *out, const struct otlp_settings_in *in)
{
	const char *env_ep = getenv("OTEL_EXPORTER_OTLP_ENDPOINT");
	long q, b;

	memset(out, 0, sizeof *out);
	if (in->endpoint && *in->endpoint) {
		out->endpoint = xstrdup(in->endpoint);
		out->endpoint_from = in->endpoint_from ? in->endpoint_from : "otel_endpoint";
	} else if (env_ep && *env_ep) {
		out->endpoint = xstrdup(env_ep);
		out->endpoint_from = "OTEL_EXPORTER_OTLP_ENDPOINT";
	} else {
		out->why_off = "no endpoint (set otel_endpoint or OTEL_EXPORTER_OTLP_ENDPOINT)";
	}
	if (out->endpoint && env_true("OTEL_SDK_DISABLED") && !in->locked) {
		free(out->endpoint);
		out->endpoint = NULL;
		out->why_off = "OTEL_SDK_DISABLED=true";
	}
	if (in->protocol && *in->protocol) {
		if (otlp_parse_protocol(&out->protocol, in->protocol,
					in->protocol_from ? in->protocol_from : "otel_protocol") < 0)
			return DH_EPARSE;
	} else if (otlp_parse_protocol(&out->protocol, getenv("OTEL_EXPORTER_OTLP_PROTOCOL"),
				       "OTEL_EXPORTER_OTLP_PROTOCOL") < 0) {
		return DH_EPARSE;
	}
	if (otlp_parse_pairs(&out->headers, in->headers, "otel_headers") < 0 ||
	    otlp_parse_pairs(&out->headers, getenv("OTEL_EXPORTER_OTLP_HEADERS"),
			     "OTEL_EXPORTER_OTLP_HEADERS") < 0)
		return DH_EPARSE;
	struct otlp_attrs ra = ARRAY_INIT;

	if (otlp_parse_pairs(&ra, getenv("OTEL_RESOURCE_ATTRIBUTES"), "OTEL_RESOURCE_ATTRIBUTES") <
	    0) {
		otlp_attrs_fini(&ra);
		return DH_EPARSE;
	}
	const char *svc = getenv("OTEL_SERVICE_NAME");
	const struct otlp_attr *ra_svc = otlp_attr_get(&ra, "service.name");

	otlp_attr_str(&out->resource.attrs, "service.name",
		      svc && *svc ? svc : ra_svc ? ra_svc->s : "deskhand");
	otlp_attr_str(&out->resource.attrs, "service.version", in->version);
	otlp_attr_str(&out->resource.attrs, "telemetry.sdk.name", "deskhand");
	otlp_attr_str(&out->resource.attrs, "telemetry.sdk.language", "c");
	for (size_t i = 0; i < ra.n; i++)
		if (strcmp(ra.v[i].key, "service.name") && strcmp(ra.v[i].key, "service.version"))
			otlp_attr_str(&out->resource.attrs, ra.v[i].key, ra.v[i].s);
	otlp_attrs_fini(&ra);
	out->resource.scope_name = xstrdup("deskhand");
	out->resource.scope_version = in->version ? xstrdup(in->version) : NULL;
	if (env_num(&out->timeout_ms, "OTEL_EXPORTER_OTLP_TIMEOUT", 10000, 600000) < 0 ||
	    env_num(&out->interval_ms, "OTEL_BSP_SCHEDULE_DELAY", 5000, 3600000) < 0 ||
	    env_num(&q, "OTEL_BSP_MAX_QUEUE_SIZE", 2048, 1000000) < 0 ||
	    env_num(&b, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512, 1000000) < 0)
		return DH_EPARSE;
	out->queue_max = (size_t)q;
	out->batch_max = (size_t)b;
	return 0;
}

void
otlp_export_settings_fini(struct otlp_settings *s)
{
	free(s->endpoint);
	otlp_attrs_fini(&s->headers);
	otlp_resource_fini(&s->resource);
	memset(s, 0, sizeof *s);
}
