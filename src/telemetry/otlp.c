/* SPDX-License-Identifier: MIT */
/*
 * OTLP data and its two encodings. Field numbers follow opentelemetry-proto
 * v1 (common/v1/common.proto, resource/v1/resource.proto, trace/v1/trace.proto,
 * logs/v1/logs.proto, metrics/v1/metrics.proto and the collector's
 * *_service.proto); the JSON names are the same fields in lowerCamelCase as
 * the OTLP specification's "JSON Protobuf Encoding" says. A test collector
 * decodes both with the official definitions (tests/otel/collector.js).
 */
#include "telemetry/otlp.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "telemetry/pb.h"

/*
 * Attributes
 */

static struct otlp_attr *
attr_new(struct otlp_attrs *a, const char *key, enum otlp_type t)
{
	struct otlp_attr *x = ARRAY_ADD(a);

	memset(x, 0, sizeof *x);
	x->key = xstrdup(key);
	x->type = t;
	return x;
}

void
otlp_attr_str(struct otlp_attrs *a, const char *key, const char *v)
{
	if (v)
		attr_new(a, key, OTLP_STR)->s = xstrdup(v);
}

void
otlp_attr_int(struct otlp_attrs *a, const char *key, long long v)
{
	attr_new(a, key, OTLP_INT)->i = v;
}

void
otlp_attr_double(struct otlp_attrs *a, const char *key, double v)
{
	attr_new(a, key, OTLP_DOUBLE)->d = v;
}

void
otlp_attr_bool(struct otlp_attrs *a, const char *key, bool v)
{
	attr_new(a, key, OTLP_BOOL)->b = v;
}

void
otlp_attr_strv(struct otlp_attrs *a, const char *key, const char *const *v, size_t n)
{
	struct otlp_attr *x = attr_new(a, key, OTLP_STRV);

	x->sv = xcalloc(n ? n : 1, sizeof *x->sv);
	for (size_t i = 0; i < n; i++)
		x->sv[i] = xstrdup(v[i] ? v[i] : "");
	x->nsv = n;
}

const struct otlp_attr *
otlp_attr_get(const struct otlp_attrs *a, const char *key)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].key, key))
			return &a->v[i];
	return NULL;
}

void
otlp_attrs_copy(struct otlp_attrs *dst, const struct otlp_attrs *src)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct otlp_attr *s = &src->v[i];

		switch (s->type) {
		case OTLP_STR:
			otlp_attr_str(dst, s->key, s->s);
			break;
		case OTLP_INT:
			otlp_attr_int(dst, s->key, s->i);
			break;
		case OTLP_DOUBLE:
			otlp_attr_double(dst, s->key, s->d);
			break;
		case OTLP_BOOL:
			otlp_attr_bool(dst, s->key, s->b);
			break;
		case OTLP_STRV:
			otlp_attr_strv(dst, s->key, (const char *const *)s->sv, s->nsv);
			break;
		}
	}
}

void
otlp_attrs_fini(struct otlp_attrs *a)
{
	for (size_t i = 0; i < a->n; i++) {
		struct otlp_attr *x = &a->v[i];

		free(x->key);
		free(x->s);
		for (size_t k = 0; k < x->nsv; k++)
			free(x->sv[k]);
		free(x->sv);
	}
	ARRAY_FREE(a);
}

static bool
attrs_equal(const struct otlp_attrs *a, const struct otlp_attrs *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct otlp_attr *x = &a->v[i], *y = &b->v[i];

		if (x->type != y->type || strcmp(x->key, y->key))
			return false;
		switch (x->type) {
		case OTLP_STR:
			if (strcmp(x->s, y->s))
				return false;
			break;
		case OTLP_INT:
			if (x->i != y->i)
				return false;
			break;
		case OTLP_DOUBLE:
			if (x->d != y->d)
				return false;
			break;
		case OTLP_BOOL:
			if (x->b != y->b)
				return false;
			break;
		case OTLP_STRV:
			if (x->nsv != y->nsv)
				return false;
			for (size_t k = 0; k < x->nsv; k++)
				if (strcmp(x->sv[k], y->sv[k]))
					return false;
			break;
		}
	}
	return true;
}

/*
 * Settings text
 */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* [p, e) trimmed and percent-decoded; heap. */
static char *
decoded(const char *p, const char *e)
{
	struct buf b = BUF_INIT;

	while (p < e && isspace((unsigned char)*p))
		p++;
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	for (; p < e; p++) {
		int h, l;

		if (*p == '%' && e - p >= 3 && (h = hexval(p[1])) >= 0 && (l = hexval(p[2])) >= 0) {
			buf_putc(&b, (char)(h * 16 + l));
			p += 2;
		} else {
			buf_putc(&b, *p);
		}
	}
	return buf_detach(&b);
}

int
otlp_parse_pairs(struct otlp_attrs *out, const char *text, const char *what)
{
	const char *p = text ? text : "";

	while (*p) {
		const char *end = p + strcspn(p, ",");
		const char *eq = memchr(p, '=', (size_t)(end - p));
		char *k = eq ? decoded(p, eq) : NULL;

		if (!eq || !*k) {
			char *m = xstrndup(p, (size_t)(end - p));
			int rc;

			free(k);
			/* a blank member (a trailing comma) is harmless */
			bool blank = strspn(m, " \t") == strlen(m);

			rc = blank ? 0
				   : err_setc(DH_EPARSE, "%s: '%s' is not key=value (a comma-separated "
							  "list of key=value)", what, m);
			free(m);
			if (rc < 0)
				return rc;
		} else {
			char *v = decoded(eq + 1, end);

			otlp_attr_str(out, k, v);
			free(v);
			free(k);
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

int
otlp_parse_protocol(enum otlp_protocol *out, const char *text, const char *what)
{
	if (!text || !*text || !strcmp(text, "http/protobuf")) {
		*out = OTLP_PROTOBUF;
		return 0;
	}
	if (!strcmp(text, "http/json")) {
		*out = OTLP_JSON;
		return 0;
	}
	return err_setc(DH_EPARSE, "%s: '%s' is not a protocol deskhand sends (http/protobuf or "
				   "http/json; grpc is not supported)", what, text);
}

/*
 * Spans, logs, ids, clocks
 */

void
otlp_span_fini(struct otlp_span *s)
{
	free(s->name);
	free(s->status_message);
	otlp_attrs_fini(&s->attrs);
	memset(s, 0, sizeof *s);
}

void
otlp_log_fini(struct otlp_log *l)
{
	free(l->body);
	otlp_attrs_fini(&l->attrs);
	memset(l, 0, sizeof *l);
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

void
otlp_random_id(uint8_t *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom(p + got, n - got, GRND_NONBLOCK);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got < n) {
		/* no entropy yet: the clock, the pid and the address keep ids apart */
		uint64_t x = otlp_now_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)p;

		for (size_t i = got; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			p[i] = (uint8_t)x;
		}
	}
	if (all_zero(p, n))
		p[n - 1] = 1;
}

uint64_t
otlp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Metrics
 */

static struct otlp_metric *
metric_get(struct otlp_metrics *m, const char *name, const char *unit, const char *desc,
	   enum otlp_metric_kind kind, const double *bounds, size_t nbounds)
{
	for (size_t i = 0; i < m->m.n; i++)
		if (!strcmp(m->m.v[i].name, name))
			return m->m.v[i].kind == kind ? &m->m.v[i] : NULL;
	struct otlp_metric *x = ARRAY_ADD(&m->m);

	memset(x, 0, sizeof *x);
	x->name = xstrdup(name);
	x->unit = xstrdup(unit ? unit : "");
	x->description = xstrdup(desc ? desc : "");
	x->kind = kind;
	if (nbounds) {
		x->bounds = xcalloc(nbounds, sizeof *x->bounds);
		memcpy(x->bounds, bounds, nbounds * sizeof *bounds);
		x->nbounds = nbounds;
	}
	return x;
}

static struct otlp_point *
point_get(struct otlp_metrics *m, struct otlp_metric *x, const struct otlp_attrs *attrs)
{
	for (size_t i = 0; i < x->points.n; i++)
		if (attrs_equal(&x->points.v[i].attrs, attrs))
			return &x->points.v[i];
	if (m->npoints >= OTLP_MAX_POINTS) {
		m->dropped++;
		return NULL;
	}
	struct otlp_point *p = ARRAY_ADD(&x->points);

	memset(p, 0, sizeof *p);
	otlp_attrs_copy(&p->attrs, attrs);
	if (x->kind == OTLP_HISTOGRAM)
		p->buckets = xcalloc(x->nbounds + 1, sizeof *p->buckets);
	m->npoints++;
	return p;
}

void
otlp_metrics_add(struct otlp_metrics *m, const char *name, const char *unit,
		 const char *description, const struct otlp_attrs *attrs, double v)
{
	struct otlp_metric *x = metric_get(m, name, unit, description, OTLP_SUM, NULL, 0);
	struct otlp_point *p = x ? point_get(m, x, attrs) : NULL;

	if (p)
		p->value += v;
}

void
otlp_metrics_record(struct otlp_metrics *m, const char *name, const char *unit,
		    const char *description, const double *bounds, size_t nbounds,
		    const struct otlp_attrs *attrs, double v)
{
	struct otlp_metric *x =
		metric_get(m, name, unit, description, OTLP_HISTOGRAM, bounds, nbounds);
	struct otlp_point *p = x ? point_get(m, x, attrs) : NULL;
	size_t b = 0;

	if (!p)
		return;
	while (b < x->nbounds && v > x->bounds[b])
		b++;
	p->buckets[b]++;
	p->min = p->count && p->min < v ? p->min : v;
	p->max = p->count && p->max > v ? p->max : v;
	p->sum += v;
	p->count++;
}

void
otlp_metrics_copy(struct otlp_metrics *dst, const struct otlp_metrics *src)
{
	memset(dst, 0, sizeof *dst);
	dst->start_ns = src->start_ns;
	dst->dropped = src->dropped;
	dst->npoints = src->npoints;
	for (size_t i = 0; i < src->m.n; i++) {
		const struct otlp_metric *s = &src->m.v[i];
		struct otlp_metric *d = ARRAY_ADD(&dst->m);

		memset(d, 0, sizeof *d);
		d->name = xstrdup(s->name);
		d->unit = xstrdup(s->unit);
		d->description = xstrdup(s->description);
		d->kind = s->kind;
		d->nbounds = s->nbounds;
		if (s->nbounds) {
			d->bounds = xcalloc(s->nbounds, sizeof *d->bounds);
			memcpy(d->bounds, s->bounds, s->nbounds * sizeof *d->bounds);
		}
		for (size_t k = 0; k < s->points.n; k++) {
			const struct otlp_point *sp = &s->points.v[k];
			struct otlp_point *dp = ARRAY_ADD(&d->points);

			*dp = *sp;
			memset(&dp->attrs, 0, sizeof dp->attrs);
			otlp_attrs_copy(&dp->attrs, &sp->attrs);
			if (sp->buckets) {
				dp->buckets = xcalloc(s->nbounds + 1, sizeof *dp->buckets);
				memcpy(dp->buckets, sp->buckets,
				       (s->nbounds + 1) * sizeof *dp->buckets);
			}
		}
	}
}

void
otlp_metrics_fini(struct otlp_metrics *m)
{
	for (size_t i = 0; i < m->m.n; i++) {
		struct otlp_metric *x = &m->m.v[i];

		for (size_t k = 0; k < x->points.n; k++) {
			otlp_attrs_fini(&x->points.v[k].attrs);
			free(x->points.v[k].buckets);
		}
		ARRAY_FREE(&x->points);
		free(x->name);
		free(x->unit);
		free(x->description);
		free(x->bounds);
	}
	ARRAY_FREE(&m->m);
	m->npoints = 0;
}

const struct otlp_point *
otlp_metrics_find(const struct otlp_metrics *m, const char *name, const char *key,
		  const char *value)
{
	for (size_t i = 0; i < m->m.n; i++) {
		if (strcmp(m->m.v[i].name, name))
			continue;
		for (size_t k = 0; k < m->m.v[i].points.n; k++) {
			const struct otlp_attr *a = otlp_attr_get(&m->m.v[i].points.v[k].attrs, key);

			if (a && a->type == OTLP_STR && !strcmp(a->s, value))
				return &m->m.v[i].points.v[k];
		}
	}
	return NULL;
}

void
otlp_resource_fini(struct otlp_resource *r)
{
	otlp_attrs_fini(&r->attrs);
	free(r->scope_name);
	free(r->scope_version);
	memset(r, 0, sizeof *r);
}

/*
 * Protobuf
 */

/* AnyValue { string_value = 1; bool_value = 2; int_value = 3; double_value = 4;
 * array_value = 5 (ArrayValue { values = 1 }) } */
static void
pb_anyvalue_str(struct buf *b, const char *s)
{
	pb_str(b, 1, s);
}

static void
pb_keyvalue(struct buf *out, unsigned field, const struct otlp_attr *a)
{
	struct buf kv = BUF_INIT, v = BUF_INIT;

	pb_str(&kv, 1, a->key); /* KeyValue.key */
	switch (a->type) {
	case OTLP_STR:
		pb_anyvalue_str(&v, a->s);
		break;
	case OTLP_BOOL:
		pb_uint(&v, 2, a->b);
		break;
	case OTLP_INT:
		pb_uint(&v, 3, (uint64_t)a->i);
		break;
	case OTLP_DOUBLE:
		pb_double(&v, 4, a->d);
		break;
	case OTLP_STRV: {
		struct buf arr = BUF_INIT, one = BUF_INIT;

		for (size_t i = 0; i < a->nsv; i++) {
			buf_clear(&one);
			pb_anyvalue_str(&one, a->sv[i]);
			pb_msg(&arr, 1, &one); /* ArrayValue.values */
		}
		pb_msg(&v, 5, &arr);
		buf_fini(&arr);
		buf_fini(&one);
		break;
	}
	}
	pb_msg(&kv, 2, &v); /* KeyValue.value */
	pb_msg(out, field, &kv);
	buf_fini(&kv);
	buf_fini(&v);
}

static void
pb_attrs(struct buf *out, unsigned field, const struct otlp_attrs *a)
{
	for (size_t i = 0; i < a->n; i++)
		pb_keyvalue(out, field, &a->v[i]);
}

/* Resource { attributes = 1 } as field 1 of ResourceX, InstrumentationScope
 * { name = 1; version = 2 } as field 1 of ScopeX. */
static void
pb_resource(struct buf *out, const struct otlp_resource *r)
{
	struct buf res = BUF_INIT;

	pb_attrs(&res, 1, &r->attrs);
	pb_msg(out, 1, &res);
	buf_fini(&res);
}

static void
pb_scope(struct buf *out, const struct otlp_resource *r)
{
	struct buf sc = BUF_INIT;

	pb_str(&sc, 1, r->scope_name);
	pb_str(&sc, 2, r->scope_version);
	pb_msg(out, 1, &sc);
	buf_fini(&sc);
}

/* Span { trace_id = 1; span_id = 2; parent_span_id = 4; name = 5; kind = 6;
 * start_time_unix_nano = 7 (fixed64); end_time_unix_nano = 8; attributes = 9;
 * status = 15 (Status { message = 2; code = 3 }) } */
static void
pb_span(struct buf *out, const struct otlp_span *s)
{
	struct buf sp = BUF_INIT, st = BUF_INIT;

	pb_bytes(&sp, 1, s->trace_id, sizeof s->trace_id);
	pb_bytes(&sp, 2, s->span_id, sizeof s->span_id);
	if (!all_zero(s->parent_id, sizeof s->parent_id))
		pb_bytes(&sp, 4, s->parent_id, sizeof s->parent_id);
	pb_str(&sp, 5, s->name);
	pb_uint(&sp, 6, (uint64_t)s->kind);
	pb_fixed64(&sp, 7, s->start_ns);
	pb_fixed64(&sp, 8, s->end_ns);
	pb_attrs(&sp, 9, &s->attrs);
	if (s->status != OTLP_STATUS_UNSET) {
		pb_str(&st, 2, s->status_message);
		pb_uint(&st, 3, (uint64_t)s->status);
		pb_msg(&sp, 15, &st);
	}
	pb_msg(out, 2, &sp); /* ScopeSpans.spans */
	buf_fini(&sp);
	buf_fini(&st);
}

/* LogRecord { time_unix_nano = 1 (fixed64); severity_number = 2;
 * severity_text = 3; body = 5 (AnyValue); attributes = 6; trace_id = 9;
 * span_id = 10; observed_time_unix_nano = 11 (fixed64) } */
static const char *
severity_text(enum otlp_severity s)
{
	return s >= OTLP_SEV_ERROR ? "ERROR" : s >= OTLP_SEV_WARN ? "WARN" : "INFO";
}

static void
pb_log(struct buf *out, const struct otlp_log *l)
{
	struct buf lr = BUF_INIT, body = BUF_INIT;

	pb_fixed64(&lr, 1, l->time_ns);
	pb_uint(&lr, 2, (uint64_t)l->severity);
	pb_str(&lr, 3, severity_text(l->severity));
	pb_anyvalue_str(&body, l->body ? l->body : "");
	pb_msg(&lr, 5, &body);
	pb_attrs(&lr, 6, &l->attrs);
	if (!all_zero(l->span_id, sizeof l->span_id)) {
		pb_bytes(&lr, 9, l->trace_id, sizeof l->trace_id);
		pb_bytes(&lr, 10, l->span_id, sizeof l->span_id);
	}
	pb_fixed64(&lr, 11, l->time_ns);
	pb_msg(out, 2, &lr); /* ScopeLogs.log_records */
	buf_fini(&lr);
	buf_fini(&body);
}

/* Metric { name = 1; description = 2; unit = 3; sum = 7 (Sum { data_points = 1;
 * aggregation_temporality = 2; is_monotonic = 3 }); histogram = 9 (Histogram
 * { data_points = 1; aggregation_temporality = 2 }) }.
 * NumberDataPoint { start_time_unix_nano = 2; time_unix_nano = 3; as_double = 4;
 * attributes = 7 }. HistogramDataPoint { start_time_unix_nano = 2;
 * time_unix_nano = 3; count = 4 (fixed64); sum = 5 (double); bucket_counts = 6
 * (packed fixed64); explicit_bounds = 7 (packed double); attributes = 9;
 * min = 11; max = 12 }. */
#define CUMULATIVE 2

static void
pb_metric(struct buf *out, const struct otlp_metric *x, uint64_t start, uint64_t now)
{
	struct buf me = BUF_INIT, data = BUF_INIT, dp = BUF_INIT, packed = BUF_INIT;

	pb_str(&me, 1, x->name);
	pb_str(&me, 2, x->description);
	pb_str(&me, 3, x->unit);
	for (size_t i = 0; i < x->points.n; i++) {
		const struct otlp_point *p = &x->points.v[i];

		buf_clear(&dp);
		pb_fixed64(&dp, 2, start);
		pb_fixed64(&dp, 3, now);
		if (x->kind == OTLP_SUM) {
			pb_double(&dp, 4, p->value);
			pb_attrs(&dp, 7, &p->attrs);
		} else {
			pb_fixed64(&dp, 4, p->count);
			pb_double(&dp, 5, p->sum);
			buf_clear(&packed);
			for (size_t k = 0; k <= x->nbounds; k++) {
				unsigned char t[8];

				for (size_t j = 0; j < 8; j++)
					t[j] = (unsigned char)(p->buckets[k] >> (8 * j));
				buf_add(&packed, t, 8);
			}
			pb_msg(&dp, 6, &packed);
			buf_clear(&packed);
			for (size_t k = 0; k < x->nbounds; k++) {
				uint64_t u;
				unsigned char t[8];

				memcpy(&u, &x->bounds[k], sizeof u);
				for (size_t j = 0; j < 8; j++)
					t[j] = (unsigned char)(u >> (8 * j));
				buf_add(&packed, t, 8);
			}
			pb_msg(&dp, 7, &packed);
			pb_attrs(&dp, 9, &p->attrs);
			if (p->count) {
				pb_double(&dp, 11, p->min);
				pb_double(&dp, 12, p->max);
			}
		}
		pb_msg(&data, 1, &dp);
	}
	pb_uint(&data, 2, CUMULATIVE);
	if (x->kind == OTLP_SUM) {
		pb_uint(&data, 3, 1); /* is_monotonic */
		pb_msg(&me, 7, &data);
	} else {
		pb_msg(&me, 9, &data);
	}
	pb_msg(out, 2, &me); /* ScopeMetrics.metrics */
	buf_fini(&me);
	buf_fini(&data);
	buf_fini(&dp);
	buf_fini(&packed);
}

/* Export*ServiceRequest { resource_* = 1 } ⊃ Resource* { resource = 1;
 * scope_* = 2 } ⊃ Scope* { scope = 1; items = 2 }: `items` holds the encoded
 * field-2 entries of the scope message. */
static void
pb_request(struct buf *out, const struct otlp_resource *r, const struct buf *items)
{
	struct buf scope = BUF_INIT, res = BUF_INIT;

	pb_scope(&scope, r);
	buf_add(&scope, items->ptr, items->len);
	pb_resource(&res, r);
	pb_msg(&res, 2, &scope);
	pb_msg(out, 1, &res);
	buf_fini(&scope);
	buf_fini(&res);
}

/*
 * JSON
 */

static cJSON *
js_u64(uint64_t v)
{
	char t[24];

	snprintf(t, sizeof t, "%llu", (unsigned long long)v);
	return cJSON_CreateString(t);
}

static cJSON *
js_hex(const uint8_t *p, size_t n)
{
	char t[33];

	for (size_t i = 0; i < n && i < 16; i++)
		snprintf(t + 2 * i, 3, "%02x", p[i]);
	t[2 * n] = 0;
	return cJSON_CreateString(t);
}

static cJSON *
js_anyvalue_str(const char *s)
{
	cJSON *v = json_new_obj();

	json_add_str(v, "stringValue", s);
	return v;
}

static cJSON *
js_attrs(const struct otlp_attrs *a)
{
	cJSON *arr = json_new_arr();

	for (size_t i = 0; i < a->n; i++) {
		const struct otlp_attr *x = &a->v[i];
		cJSON *kv = json_new_obj(), *v = NULL;

		json_add_str(kv, "key", x->key);
		switch (x->type) {
		case OTLP_STR:
			v = js_anyvalue_str(x->s);
			break;
		case OTLP_BOOL:
			v = json_new_obj();
			json_add_bool(v, "boolValue", x->b);
			break;
		case OTLP_INT: {
			char t[24];

			snprintf(t, sizeof t, "%lld", x->i);
			v = json_new_obj();
			json_add_str(v, "intValue", t);
			break;
		}
		case OTLP_DOUBLE:
			v = json_new_obj();
			json_add_num(v, "doubleValue", x->d);
			break;
		case OTLP_STRV: {
			cJSON *vals = json_new_arr(), *av = json_new_obj();

			for (size_t k = 0; k < x->nsv; k++)
				json_add(vals, NULL, js_anyvalue_str(x->sv[k]));
			json_add(av, "values", vals);
			v = json_new_obj();
			json_add(v, "arrayValue", av);
			break;
		}
		}
		json_add(kv, "value", v);
		json_add(arr, NULL, kv);
	}
	return arr;
}

/* {"resourceX": [{"resource": {...}, "scopeX": [{"scope": {...}, ITEMS: items}]}]} */
static void
js_request(struct buf *out, const struct otlp_resource *r, const char *res_key,
	   const char *scope_key, const char *items_key, cJSON *items)
{
	cJSON *root = json_new_obj(), *rs = json_new_obj(), *ss = json_new_obj();
	cJSON *res = json_new_obj(), *scope = json_new_obj();

	json_add(res, "attributes", js_attrs(&r->attrs));
	json_add_str(scope, "name", r->scope_name);
	if (r->scope_version)
		json_add_str(scope, "version", r->scope_version);
	json_add(ss, "scope", scope);
	json_add(ss, items_key, items);
	json_add(rs, "resource", res);
	json_add(rs, scope_key, cJSON_CreateArray());
	json_add(cJSON_GetObjectItemCaseSensitive(rs, scope_key), NULL, ss);
	json_add(root, res_key, cJSON_CreateArray());
	json_add(cJSON_GetObjectItemCaseSensitive(root, res_key), NULL, rs);
	char *t = json_print(root);

	buf_puts(out, t);
	free(t);
	cJSON_Delete(root);
}

static cJSON *
js_span(const struct otlp_span *s)
{
	cJSON *o = json_new_obj();

	json_add(o, "traceId", js_hex(s->trace_id, sizeof s->trace_id));
	json_add(o, "spanId", js_hex(s->span_id, sizeof s->span_id));
	if (!all_zero(s->parent_id, sizeof s->parent_id))
		json_add(o, "parentSpanId", js_hex(s->parent_id, sizeof s->parent_id));
	json_add_str(o, "name", s->name);
	json_add_num(o, "kind", s->kind);
	json_add(o, "startTimeUnixNano", js_u64(s->start_ns));
	json_add(o, "endTimeUnixNano", js_u64(s->end_ns));
	json_add(o, "attributes", js_attrs(&s->attrs));
	if (s->status != OTLP_STATUS_UNSET) {
		cJSON *st = json_new_obj();

		if (s->status_message)
			json_add_str(st, "message", s->status_message);
		json_add_num(st, "code", s->status);
		json_add(o, "status", st);
	}
	return o;
}

static cJSON *
js_log(const struct otlp_log *l)
{
	cJSON *o = json_new_obj();

	json_add(o, "timeUnixNano", js_u64(l->time_ns));
	json_add(o, "observedTimeUnixNano", js_u64(l->time_ns));
	json_add_num(o, "severityNumber", l->severity);
	json_add_str(o, "severityText", severity_text(l->severity));
	json_add(o, "body", js_anyvalue_str(l->body ? l->body : ""));
	json_add(o, "attributes", js_attrs(&l->attrs));
	if (!all_zero(l->span_id, sizeof l->span_id)) {
		json_add(o, "traceId", js_hex(l->trace_id, sizeof l->trace_id));
		json_add(o, "spanId", js_hex(l->span_id, sizeof l->span_id));
	}
	return o;
}

static cJSON *
js_metric(const struct otlp_metric *x, uint64_t start, uint64_t now)
{
	cJSON *o = json_new_obj(), *data = json_new_obj(), *dps = json_new_arr();

	json_add_str(o, "name", x->name);
	json_add_str(o, "description", x->description);
	json_add_str(o, "unit", x->unit);
	for (size_t i = 0; i < x->points.n; i++) {
		const struct otlp_point *p = &x->points.v[i];
		cJSON *dp = json_new_obj();

		json_add(dp, "attributes", js_attrs(&p->attrs));
		json_add(dp, "startTimeUnixNano", js_u64(start));
		json_add(dp, "timeUnixNano", js_u64(now));
		if (x->kind == OTLP_SUM) {
			json_add_num(dp, "asDouble", p->value);
		} else {
			cJSON *bc = json_new_arr(), *eb = json_new_arr();

			json_add(dp, "count", js_u64(p->count));
			json_add_num(dp, "sum", p->sum);
			for (size_t k = 0; k <= x->nbounds; k++)
				json_add(bc, NULL, js_u64(p->buckets[k]));
			for (size_t k = 0; k < x->nbounds; k++)
				json_add(eb, NULL, cJSON_CreateNumber(x->bounds[k]));
			json_add(dp, "bucketCounts", bc);
			json_add(dp, "explicitBounds", eb);
			if (p->count) {
				json_add_num(dp, "min", p->min);
				json_add_num(dp, "max", p->max);
			}
		}
		json_add(dps, NULL, dp);
	}
	json_add(data, "dataPoints", dps);
	json_add_num(data, "aggregationTemporality", CUMULATIVE);
	if (x->kind == OTLP_SUM) {
		json_add_bool(data, "isMonotonic", true);
		json_add(o, "sum", data);
	} else {
		json_add(o, "histogram", data);
	}
	return o;
}

/*
 * Requests
 */

void
otlp_encode_traces(struct buf *out, enum otlp_protocol p, const struct otlp_resource *r,
		   const struct otlp_span *spans, size_t n)
{
	if (p == OTLP_JSON) {
		cJSON *a = json_new_arr();

		for (size_t i = 0; i < n; i++)
			json_add(a, NULL, js_span(&spans[i]));
		js_request(out, r, "resourceSpans", "scopeSpans", "spans", a);
		return;
	}
	struct buf items = BUF_INIT;

	for (size_t i = 0; i < n; i++)
		pb_span(&items, &spans[i]);
	pb_request(out, r, &items);
	buf_fini(&items);
}

void
otlp_encode_logs(struct buf *out, enum otlp_protocol p, const struct otlp_resource *r,
		 const struct otlp_log *logs, size_t n)
{
	if (p == OTLP_JSON) {
		cJSON *a = json_new_arr();

		for (size_t i = 0; i < n; i++)
			json_add(a, NULL, js_log(&logs[i]));
		js_request(out, r, "resourceLogs", "scopeLogs", "logRecords", a);
		return;
	}
	struct buf items = BUF_INIT;

	for (size_t i = 0; i < n; i++)
		pb_log(&items, &logs[i]);
	pb_request(out, r, &items);
	buf_fini(&items);
}

void
otlp_encode_metrics(struct buf *out, enum otlp_protocol p, const struct otlp_resource *r,
		    const struct otlp_metrics *m, uint64_t now_ns)
{
	if (p == OTLP_JSON) {
		cJSON *a = json_new_arr();

		for (size_t i = 0; i < m->m.n; i++)
			json_add(a, NULL, js_metric(&m->m.v[i], m->start_ns, now_ns));
		js_request(out, r, "resourceMetrics", "scopeMetrics", "metrics", a);
		return;
	}
	struct buf items = BUF_INIT;

	for (size_t i = 0; i < m->m.n; i++)
		pb_metric(&items, &m->m.v[i], m->start_ns, now_ns);
	pb_request(out, r, &items);
	buf_fini(&items);
}
