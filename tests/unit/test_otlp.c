/* SPDX-License-Identifier: MIT */
/* The OTLP encoders (telemetry/pb.c, telemetry/otlp.c): protobuf wire bytes
 * against the examples of the protobuf encoding guide, the shape of each
 * request walked field by field, OTLP/JSON's exceptions (hex ids, 64-bit
 * numbers as strings), the settings' text and histogram buckets. The
 * integration test (otel_export) decodes the same bodies with the official
 * opentelemetry-proto definitions. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "telemetry/otlp.h"
#include "telemetry/pb.h"

static void
expect_bytes(const struct buf *b, const unsigned char *want, size_t n)
{
	cr_assert_eq(b->len, n, "length %zu, want %zu", b->len, n);
	cr_assert(memcmp(b->ptr, want, n) == 0);
}

Test(pb, varints_and_fields_as_the_encoding_guide)
{
	struct buf b = BUF_INIT;

	pb_varint(&b, 1);
	expect_bytes(&b, (const unsigned char *)"\x01", 1);
	buf_clear(&b);
	pb_varint(&b, 150);
	expect_bytes(&b, (const unsigned char *)"\x96\x01", 2);
	buf_clear(&b);
	/* message Test1 { int32 a = 1; } a = 150 → 08 96 01 */
	pb_uint(&b, 1, 150);
	expect_bytes(&b, (const unsigned char *)"\x08\x96\x01", 3);
	buf_clear(&b);
	/* message Test2 { string b = 2; } b = "testing" → 12 07 74 65 73 74 69 6e 67 */
	pb_str(&b, 2, "testing");
	expect_bytes(&b, (const unsigned char *)"\x12\x07testing", 9);
	buf_clear(&b);
	/* a negative int64 takes ten bytes */
	pb_varint(&b, (uint64_t)-1LL);
	cr_assert_eq(b.len, 10);
	buf_clear(&b);
	pb_fixed64(&b, 7, 0x0102030405060708ull);
	expect_bytes(&b, (const unsigned char *)"\x39\x08\x07\x06\x05\x04\x03\x02\x01", 9);
	buf_clear(&b);
	pb_double(&b, 4, 1.0); /* 0x3ff0000000000000 little-endian */
	expect_bytes(&b, (const unsigned char *)"\x21\x00\x00\x00\x00\x00\x00\xf0\x3f", 9);
	buf_fini(&b);
}

/* A string field must be valid UTF-8 (a strict decoder refuses the whole
 * message otherwise): a bad byte goes as U+FFFD, as the JSON encoding writes
 * it; valid text, multibyte included, is unchanged. */
Test(pb, strings_are_valid_utf8)
{
	struct buf b = BUF_INIT;

	pb_str(&b, 2, "\xc3\xa9t\xc3\xa9");
	expect_bytes(&b, (const unsigned char *)"\x12\x05\xc3\xa9t\xc3\xa9", 7);
	buf_clear(&b);
	/* "é" cut in two, then "…" */
	pb_str(&b, 2, "a\xc3\xe2\x80\xa6");
	expect_bytes(&b, (const unsigned char *)"\x12\x07"
						  "a\xef\xbf\xbd\xe2\x80\xa6", 9);
	buf_fini(&b);
}

/* A minimal reader for the tests: the field `field` of the message in
 * [p, p+n), its LEN payload in *out / *outn; the `nth` occurrence. */
static bool
pb_find(const unsigned char *p, size_t n, unsigned field, int nth, const unsigned char **out,
	size_t *outn)
{
	size_t i = 0;

	while (i < n) {
		uint64_t key = 0;
		int sh = 0;

		while (i < n) {
			key |= (uint64_t)(p[i] & 0x7f) << sh;
			sh += 7;
			if (!(p[i++] & 0x80))
				break;
		}
		unsigned f = (unsigned)(key >> 3), w = key & 7;
		size_t len = 0;

		switch (w) {
		case 0:
			for (sh = 0; i < n; sh += 7)
				if (!(p[i++] & 0x80))
					break;
			break;
		case 1:
			i += 8;
			break;
		case 5:
			i += 4;
			break;
		case 2:
			for (sh = 0; i < n; sh += 7) {
				len |= (size_t)(p[i] & 0x7f) << sh;
				if (!(p[i++] & 0x80))
					break;
			}
			if (f == field && nth-- == 0) {
				*out = p + i;
				*outn = len;
				return true;
			}
			i += len;
			break;
		default:
			return false;
		}
	}
	return false;
}

static struct otlp_resource
resource(void)
{
	struct otlp_resource r = { 0 };

	otlp_attr_str(&r.attrs, "service.name", "deskhand");
	r.scope_name = strdup("deskhand");
	r.scope_version = strdup("0.1.0");
	return r;
}

static struct otlp_span
span(void)
{
	struct otlp_span s = { 0 };

	memset(s.trace_id, 0xab, sizeof s.trace_id);
	memset(s.span_id, 0x11, sizeof s.span_id);
	memset(s.parent_id, 0x22, sizeof s.parent_id);
	s.name = strdup("chat claude");
	s.kind = OTLP_SPAN_CLIENT;
	s.start_ns = 1700000000000000000ull;
	s.end_ns = 1700000000500000000ull;
	otlp_attr_str(&s.attrs, "gen_ai.operation.name", "chat");
	otlp_attr_int(&s.attrs, "gen_ai.usage.input_tokens", 1200);
	const char *fr[] = { "end_turn" };

	otlp_attr_strv(&s.attrs, "gen_ai.response.finish_reasons", fr, 1);
	s.status = OTLP_STATUS_ERROR;
	s.status_message = strdup("boom");
	return s;
}

Test(otlp, traces_protobuf_nesting_and_span_fields)
{
	struct otlp_resource r = resource();
	struct otlp_span s = span();
	struct buf b = BUF_INIT;
	const unsigned char *rs, *ss, *sp, *x, *kv;
	size_t nrs, nss, nsp, nx, nkv;

	otlp_encode_traces(&b, OTLP_PROTOBUF, &r, &s, 1);
	const unsigned char *p = (const unsigned char *)b.ptr;

	/* ExportTraceServiceRequest.resource_spans(1) → ResourceSpans.scope_spans(2)
	 * → ScopeSpans.spans(2) */
	cr_assert(pb_find(p, b.len, 1, 0, &rs, &nrs));
	cr_assert(pb_find(rs, nrs, 2, 0, &ss, &nss));
	cr_assert(pb_find(ss, nss, 2, 0, &sp, &nsp));
	cr_assert(pb_find(sp, nsp, 1, 0, &x, &nx)); /* trace_id */
	cr_assert_eq(nx, 16);
	cr_assert_eq(x[0], 0xab);
	cr_assert(pb_find(sp, nsp, 4, 0, &x, &nx)); /* parent_span_id */
	cr_assert_eq(nx, 8);
	cr_assert_eq(x[0], 0x22);
	cr_assert(pb_find(sp, nsp, 5, 0, &x, &nx)); /* name */
	cr_assert_eq(nx, strlen("chat claude"));
	cr_assert(memcmp(x, "chat claude", nx) == 0);
	cr_assert(pb_find(sp, nsp, 9, 1, &kv, &nkv)); /* the second attribute */
	cr_assert(pb_find(kv, nkv, 1, 0, &x, &nx));
	cr_assert(memcmp(x, "gen_ai.usage.input_tokens", nx) == 0);
	cr_assert(pb_find(kv, nkv, 2, 0, &x, &nx)); /* AnyValue */
	cr_assert_eq(nx, 3);			   /* int_value(3) = 1200: 18 b0 09 */
	cr_assert(memcmp(x, "\x18\xb0\x09", 3) == 0);
	cr_assert(pb_find(sp, nsp, 15, 0, &x, &nx)); /* status */
	cr_assert(memcmp(x, "\x12\x04" "boom" "\x18\x02", nx) == 0);
	/* ScopeSpans.scope(1).name(1) */
	cr_assert(pb_find(ss, nss, 1, 0, &x, &nx));
	cr_assert(pb_find(x, nx, 1, 0, &kv, &nkv));
	cr_assert(memcmp(kv, "deskhand", nkv) == 0);
	buf_fini(&b);
	otlp_span_fini(&s);
	otlp_resource_fini(&r);
}

Test(otlp, traces_json_hex_ids_and_string_numbers)
{
	struct otlp_resource r = resource();
	struct otlp_span s = span();
	struct buf b = BUF_INIT;
	cJSON *j = NULL;

	otlp_encode_traces(&b, OTLP_JSON, &r, &s, 1);
	cr_assert_eq(json_parse(&j, b.ptr, b.len, "body"), 0);
	cJSON *sp = cJSON_GetArrayItem(
		json_arr(cJSON_GetArrayItem(json_arr(cJSON_GetArrayItem(json_arr(j, "resourceSpans"), 0),
						      "scopeSpans"),
					    0),
			 "spans"),
		0);
	cr_assert_not_null(sp);
	cr_assert_str_eq(json_str(sp, "traceId"), "abababababababababababababababab");
	cr_assert_str_eq(json_str(sp, "parentSpanId"), "2222222222222222");
	cr_assert_str_eq(json_str(sp, "startTimeUnixNano"), "1700000000000000000");
	cr_assert_eq(json_int(sp, "kind", 0), 3);
	cJSON *a1 = cJSON_GetArrayItem(json_arr(sp, "attributes"), 1);
	cr_assert_str_eq(json_str(json_obj(a1, "value"), "intValue"), "1200");
	cJSON *a2 = cJSON_GetArrayItem(json_arr(sp, "attributes"), 2);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(json_arr(json_obj(json_obj(a2, "value"),
									 "arrayValue"),
								 "values"),
						     0),
				  "stringValue"),
			 "end_turn");
	cr_assert_eq(json_int(json_obj(sp, "status"), "code", 0), 2);
	cJSON_Delete(j);
	buf_fini(&b);
	otlp_span_fini(&s);
	otlp_resource_fini(&r);
}

Test(otlp, histogram_buckets_min_max_and_cumulative_sum)
{
	struct otlp_metrics m = { 0 };
	struct otlp_attrs a = { 0 }, b = { 0 };
	const double bounds[] = { 1, 4, 16 };

	otlp_attr_str(&a, "gen_ai.token.type", "input");
	otlp_attr_str(&b, "gen_ai.token.type", "output");
	otlp_metrics_record(&m, "tok", "{token}", "", bounds, 3, &a, 1);
	otlp_metrics_record(&m, "tok", "{token}", "", bounds, 3, &a, 5);
	otlp_metrics_record(&m, "tok", "{token}", "", bounds, 3, &a, 100);
	otlp_metrics_record(&m, "tok", "{token}", "", bounds, 3, &b, 2);
	otlp_metrics_add(&m, "calls", "{call}", "", &a, 1);
	otlp_metrics_add(&m, "calls", "{call}", "", &a, 2);
	const struct otlp_point *p = otlp_metrics_find(&m, "tok", "gen_ai.token.type", "input");

	cr_assert_not_null(p);
	cr_assert_eq(p->count, 3);
	cr_assert_eq(p->buckets[0], 1); /* 1 <= 1 */
	cr_assert_eq(p->buckets[1], 0);
	cr_assert_eq(p->buckets[2], 1); /* 4 < 5 <= 16 */
	cr_assert_eq(p->buckets[3], 1); /* > 16 */
	cr_assert_eq(p->min, 1);
	cr_assert_eq(p->max, 100);
	cr_assert_eq(p->sum, 106);
	cr_assert_eq(otlp_metrics_find(&m, "tok", "gen_ai.token.type", "output")->count, 1);
	cr_assert_eq(otlp_metrics_find(&m, "calls", "gen_ai.token.type", "input")->value, 3);
	/* a copy encodes the same as the original */
	struct otlp_metrics c;
	struct otlp_resource r = resource();
	struct buf e1 = BUF_INIT, e2 = BUF_INIT;

	otlp_metrics_copy(&c, &m);
	otlp_encode_metrics(&e1, OTLP_PROTOBUF, &r, &m, 42);
	otlp_encode_metrics(&e2, OTLP_PROTOBUF, &r, &c, 42);
	cr_assert_eq(e1.len, e2.len);
	cr_assert(memcmp(e1.ptr, e2.ptr, e1.len) == 0);
	buf_fini(&e1);
	buf_fini(&e2);
	otlp_resource_fini(&r);
	otlp_metrics_fini(&c);
	otlp_metrics_fini(&m);
	otlp_attrs_fini(&a);
	otlp_attrs_fini(&b);
}

Test(otlp, metric_streams_are_bounded)
{
	struct otlp_metrics m = { 0 };

	for (int i = 0; i < OTLP_MAX_POINTS + 10; i++) {
		struct otlp_attrs a = { 0 };

		otlp_attr_int(&a, "n", i);
		otlp_metrics_add(&m, "calls", "{call}", "", &a, 1);
		otlp_attrs_fini(&a);
	}
	cr_assert_eq(m.npoints, OTLP_MAX_POINTS);
	cr_assert_eq(m.dropped, 10);
	otlp_metrics_fini(&m);
}

Test(otlp, settings_text)
{
	struct otlp_attrs a = { 0 };
	enum otlp_protocol p;

	cr_assert_eq(otlp_parse_pairs(&a, " a=1 , b = x%2Cy%20z,", "OTEL_RESOURCE_ATTRIBUTES"), 0);
	cr_assert_eq(a.n, 2);
	cr_assert_str_eq(otlp_attr_get(&a, "a")->s, "1");
	cr_assert_str_eq(otlp_attr_get(&a, "b")->s, "x,y z");
	cr_assert_eq(otlp_parse_pairs(&a, "c=3,novalue", "OTEL_EXPORTER_OTLP_HEADERS"), DH_EPARSE);
	cr_assert(strstr(err_msg(), "OTEL_EXPORTER_OTLP_HEADERS: 'novalue' is not key=value"));
	otlp_attrs_fini(&a);
	cr_assert_eq(otlp_parse_protocol(&p, "http/json", "x"), 0);
	cr_assert_eq(p, OTLP_JSON);
	cr_assert_eq(otlp_parse_protocol(&p, NULL, "x"), 0);
	cr_assert_eq(p, OTLP_PROTOBUF);
	cr_assert_eq(otlp_parse_protocol(&p, "grpc", "otel_protocol"), DH_EPARSE);
	cr_assert(strstr(err_msg(), "otel_protocol: 'grpc'"));
}

Test(otlp, random_ids_differ_and_are_never_zero)
{
	uint8_t a[16], b[16], z[16] = { 0 };

	otlp_random_id(a, sizeof a);
	otlp_random_id(b, sizeof b);
	cr_assert(memcmp(a, b, sizeof a) != 0);
	cr_assert(memcmp(a, z, sizeof a) != 0);
}
