/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the Anthropic stream (llm/anthropic.c, PROTOCOLS.md §1.9).
 * The input is a response body, decoded by the real SSE decoder and handed
 * event by event to llm_anthropic_ops.stream_event as llm.c does, then
 * stream_finish. Properties checked (provider.h): a stream that finished
 * cleanly gives the same message when its record_body() rewrite (--record)
 * is replayed, and stream_event never leaves an error unset when it fails.
 */
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "llm/provider.h"
#include "net/sse.h"
#include "fuzz.h"

struct run {
	struct llm_stream st;
	struct buf text; /* on_text concatenated */
	int finish_rc;
};

static void
on_text(const char *t, size_t n, void *ctx)
{
	struct run *r = ctx;

	buf_add(&r->text, t, n);
}

/* As llm.c's on_sse_event: count, hand over, stop on failure. */
static int
on_event(const struct sse_event *ev, void *ctx)
{
	struct run *r = ctx;

	r->st.nevents++;
	int rc = llm_anthropic_ops.stream_event(&r->st, ev);
	FUZZ_CHECK(rc == 0 || r->st.error != NULL, "a failed event records the error");
	return rc < 0 ? DH_EFAIL : 0;
}

/* Feed `body` in chunks of random size up to `max` (0: whole), then finish. */
static void
run_stream(struct run *r, const char *body, size_t len, size_t max, uint64_t seed)
{
	struct sse_decoder d;

	memset(r, 0, sizeof *r);
	llm_stream_init(&r->st, &llm_anthropic_ops);
	r->st.on_text = on_text;
	r->st.ctx = r;
	sse_init(&d, on_event, r);
	for (size_t off = 0; off < len;) {
		size_t k = max ? fuzz_chunk(&seed, max) : len;

		if (k > len - off)
			k = len - off;
		if (sse_feed(&d, body + off, k) != 0)
			break;
		off += k;
	}
	sse_fini(&d);
	r->finish_rc = llm_anthropic_ops.stream_finish(&r->st);
	FUZZ_CHECK(r->finish_rc == 0 || r->st.error != NULL, "a failed stream records the error");
}

static void
run_free(struct run *r)
{
	llm_stream_fini(&r->st, &llm_anthropic_ops);
	buf_fini(&r->text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run a, b;
	struct buf rec = BUF_INIT;

	run_stream(&a, (const char *)data, size, 24, fuzz_seed(data, size));
	if (a.finish_rc == 0) {
		llm_anthropic_ops.record_body(&rec, (const char *)data, size);
		run_stream(&b, rec.ptr ? rec.ptr : "", rec.len, 0, 0);
		FUZZ_CHECK(b.finish_rc == 0, "the recorded body replays cleanly");
		char *ma = json_print(a.st.message), *mb = json_print(b.st.message);
		FUZZ_CHECK(strcmp(ma, mb) == 0, "the recorded body replays the same message");
		FUZZ_CHECK(a.text.len == b.text.len &&
		                   (a.text.len == 0 || memcmp(a.text.ptr, b.text.ptr, a.text.len) == 0),
		           "the recorded body replays the same text");
		FUZZ_CHECK(strcmp(a.st.stop_reason, b.st.stop_reason) == 0 &&
		                   a.st.nmalformed == b.st.nmalformed,
		           "the recorded body replays the same stop reason and malformed calls");
		free(ma);
		free(mb);
		run_free(&b);
	}
	buf_fini(&rec);
	run_free(&a);
	return 0;
}
