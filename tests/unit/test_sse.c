/* SPDX-License-Identifier: MIT */
/* SSE decoder: PROTOCOLS.md §0.3 vectors, fed whole, byte at a time and split at every offset. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "net/sse.h"

struct got {
	struct buf log; /* one "event|data|id|retry\n" line per dispatched event */
	int n;
	int stop_after; /* return 1 after this many events; 0 = never */
};

static int
collect(const struct sse_event *ev, void *ctx)
{
	struct got *g = ctx;

	buf_printf(&g->log, "%s|", ev->event ? ev->event : "(null)");
	buf_add(&g->log, ev->data, ev->data_len);
	buf_printf(&g->log, "|%s|%ld\n", ev->id ? ev->id : "(null)", ev->retry);
	g->n++;
	return g->stop_after && g->n >= g->stop_after ? 1 : 0;
}

/* Decode `in` with the given chunk size (0 = whole); returns the event log (caller frees). */
static char *
decode(const char *in, size_t len, size_t chunk)
{
	struct got g = { BUF_INIT, 0, 0 };
	struct sse_decoder d;

	sse_init(&d, collect, &g);
	if (chunk == 0)
		chunk = len ? len : 1;
	for (size_t off = 0; off < len; off += chunk) {
		size_t k = len - off < chunk ? len - off : chunk;
		cr_assert_eq(sse_feed(&d, in + off, k), 0);
	}
	sse_fini(&d);
	return buf_detach(&g.log);
}

/* Same, but split once at `at`. */
static char *
decode_split(const char *in, size_t len, size_t at)
{
	struct got g = { BUF_INIT, 0, 0 };
	struct sse_decoder d;

	sse_init(&d, collect, &g);
	cr_assert_eq(sse_feed(&d, in, at), 0);
	cr_assert_eq(sse_feed(&d, in + at, len - at), 0);
	sse_fini(&d);
	return buf_detach(&g.log);
}

/* Every feeding pattern must give `want`. */
static void
check(const char *in, const char *want)
{
	size_t len = strlen(in);
	size_t chunks[] = { 0, 1, 2, 3, 7 };

	for (size_t i = 0; i < sizeof chunks / sizeof *chunks; i++) {
		char *got = decode(in, len, chunks[i]);
		cr_expect_str_eq(got, want, "chunk %zu of %s", chunks[i], in);
		free(got);
	}
	for (size_t at = 0; at <= len; at++) {
		char *got = decode_split(in, len, at);
		cr_expect_str_eq(got, want, "split at %zu of %s", at, in);
		free(got);
	}
}

Test(sse, vector_event_and_data)
{
	check("event: a\ndata: 1\n\n", "a|1|(null)|-1\n");
}

Test(sse, vector_multiline_data_joined_with_newline)
{
	check("data: {\"x\":\ndata: 2}\n\n", "(null)|{\"x\":\n2}|(null)|-1\n");
}

Test(sse, vector_comment_only_dispatches_nothing)
{
	check(": keep-alive\n\n", "");
}

Test(sse, vector_crlf_and_no_space)
{
	check("data:x\r\n\r\n", "(null)|x|(null)|-1\n");
}

Test(sse, vector_id_retry_empty_data)
{
	check("id: 7\nretry: 3000\ndata: \n\n", "(null)||7|3000\n");
}

Test(sse, vector_unterminated_event_not_dispatched)
{
	check("event: a\ndata: 1", "");
	check("event: a\ndata: 1\n", "");
}

Test(sse, lone_cr_terminators)
{
	check("event: a\rdata: 1\r\rdata: 2\r\r", "a|1|(null)|-1\n(null)|2|(null)|-1\n");
}

Test(sse, mixed_terminators_and_crlf_split_across_chunks)
{
	/* "\r" then "\n" in the next chunk must count as one terminator, not an empty line. */
	char *got = decode_split("data: a\r\ndata: b\r\n\r\n", 20, 8);
	cr_assert_str_eq(got, "(null)|a\nb|(null)|-1\n");
	free(got);
	check("data: a\r\ndata: b\n\r\n", "(null)|a\nb|(null)|-1\n");
}

Test(sse, only_one_leading_space_is_dropped)
{
	check("data:  x\n\n", "(null)| x|(null)|-1\n");
	check("data\n\n", "(null)||(null)|-1\n");
}

Test(sse, unknown_fields_and_bad_retry_ignored)
{
	check("foo: bar\nretry: 12a\ndata: z\n\n", "(null)|z|(null)|-1\n");
	check("foo: bar\n\n", "");
}

Test(sse, id_persists_and_event_name_resets)
{
	check("id: 1\nevent: a\ndata: x\n\ndata: y\n\n", "a|x|1|-1\n(null)|y|1|-1\n");
}

Test(sse, empty_event_name_kept)
{
	check("event:\ndata: q\n\n", "|q|(null)|-1\n");
}

Test(sse, leading_bom_stripped_partial_bom_kept)
{
	check("\xef\xbb\xbf"
	      "data: x\n\n",
	      "(null)|x|(null)|-1\n");
	/* Two BOM bytes then something else: the bytes belong to the field name. */
	check("\xef\xbb"
	      "data: x\n\ndata: y\n\n",
	      "(null)|y|(null)|-1\n");
}

Test(sse, multibyte_utf8_split_everywhere)
{
	check("event: content_block_delta\ndata: {\"t\":\"caf\xc3\xa9 \xe2\x9c\x93\"}\n\n",
	      "content_block_delta|{\"t\":\"caf\xc3\xa9 \xe2\x9c\x93\"}|(null)|-1\n");
}

Test(sse, anthropic_fixture_sequence)
{
	const char *in = "event: message_start\n"
			 "data: {\"type\":\"message_start\"}\n\n"
			 "event: ping\n"
			 "data: {\"type\": \"ping\"}\n\n"
			 "event: message_stop\n"
			 "data: {\"type\":\"message_stop\"}          \n\n";
	check(in, "message_start|{\"type\":\"message_start\"}|(null)|-1\n"
	          "ping|{\"type\": \"ping\"}|(null)|-1\n"
	          "message_stop|{\"type\":\"message_stop\"}          |(null)|-1\n");
}

Test(sse, callback_stop_value_returned)
{
	struct got g = { BUF_INIT, 0, 1 };
	struct sse_decoder d;

	sse_init(&d, collect, &g);
	cr_assert_eq(sse_feed(&d, "data: 1\n\ndata: 2\n\n", 18), 1);
	cr_assert_eq(g.n, 1);
	sse_reset(&d);
	g.stop_after = 0;
	cr_assert_eq(sse_feed(&d, "data: 3\n\n", 9), 0);
	cr_assert_eq(g.n, 2);
	cr_assert_str_eq(buf_cstr(&g.log), "(null)|1|(null)|-1\n(null)|3|(null)|-1\n");
	sse_fini(&d);
	buf_fini(&g.log);
}

Test(sse, embedded_nul_in_data_kept_with_length)
{
	struct got g = { BUF_INIT, 0, 0 };
	struct sse_decoder d;
	const char in[] = "data: a\0b\n\n";

	sse_init(&d, collect, &g);
	cr_assert_eq(sse_feed(&d, in, sizeof in - 1), 0);
	cr_assert_eq(g.n, 1);
	cr_assert_eq(g.log.len, strlen("(null)|") + 3 + strlen("|(null)|-1\n"));
	sse_fini(&d);
	buf_fini(&g.log);
}

Test(sse, overlong_line_is_an_error)
{
	struct got g = { BUF_INIT, 0, 0 };
	struct sse_decoder d;
	size_t n = 1 << 20;
	char *chunk = xmalloc(n);
	int rc = 0;

	memset(chunk, 'x', n);
	sse_init(&d, collect, &g);
	for (size_t i = 0; i < 20 && rc == 0; i++)
		rc = sse_feed(&d, chunk, n);
	cr_assert_eq(rc, DH_EPARSE);
	cr_assert(strstr(err_msg(), "longer than") != NULL);
	sse_fini(&d);
	free(chunk);
	buf_fini(&g.log);
}
