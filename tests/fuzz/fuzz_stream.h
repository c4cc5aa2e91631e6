/* SPDX-License-Identifier: MIT */
#ifndef DH_TESTS_FUZZ_STREAM_H
#define DH_TESTS_FUZZ_STREAM_H
/*
 * The property every provider's stream keeps (llm/provider.h), for the fuzz
 * targets of the providers (fuzz_anthropic.c, fuzz_openai.c). The input is a
 * response body, decoded by the real SSE decoder and handed event by event
 * to ops->stream_event as llm.c does, then stream_finish. Checked: a stream
 * that finished cleanly gives the same message when its record_body()
 * rewrite (--record) is replayed, a failed event or stream always leaves
 * its error set, and every token count is in [0, LLM_TOKENS_MAX] (what the
 * sums of many requests' counts rely on).
 */
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "llm/provider.h"
#include "net/sse.h"
#include "fuzz.h"

struct fuzz_stream_run {
	const struct llm_provider_ops *ops;
	struct llm_stream st;
	struct buf text; /* on_text concatenated */
	int finish_rc;
};

static void
fuzz_stream_on_text(const char *t, size_t n, void *ctx)
{
	struct fuzz_stream_run *r = ctx;

	buf_add(&r->text, t, n);
}

/* As llm.c's on_sse_event: count, hand over, stop on failure. */
static int
fuzz_stream_on_event(const struct sse_event *ev, void *ctx)
{
	struct fuzz_stream_run *r = ctx;

	r->st.nevents++;
	int rc = r->ops->stream_event(&r->st, ev);
	FUZZ_CHECK(rc == 0 || r->st.error != NULL, "a failed event records the error");
	return rc < 0 ? DH_EFAIL : 0;
}

/* Feed `body` in chunks of random size up to `max` (0: whole), then finish. */
static void
fuzz_stream_run(struct fuzz_stream_run *r, const struct llm_provider_ops *ops, const char *body,
                size_t len, size_t max, uint64_t seed)
{
	struct sse_decoder d;

	memset(r, 0, sizeof *r);
	r->ops = ops;
	llm_stream_init(&r->st, ops);
	r->st.on_text = fuzz_stream_on_text;
	r->st.ctx = r;
	sse_init(&d, fuzz_stream_on_event, r);
	for (size_t off = 0; off < len;) {
		size_t k = max ? fuzz_chunk(&seed, max) : len;

		if (k > len - off)
			k = len - off;
		if (sse_feed(&d, body + off, k) != 0)
			break;
		off += k;
	}
	sse_fini(&d);
	r->finish_rc = ops->stream_finish(&r->st);
	FUZZ_CHECK(r->finish_rc == 0 || r->st.error != NULL, "a failed stream records the error");
	const long n[] = { r->st.usage.input_tokens, r->st.usage.output_tokens,
		           r->st.usage.cache_read_tokens, r->st.usage.cache_creation_tokens };
	for (size_t i = 0; i < sizeof n / sizeof *n; i++)
		FUZZ_CHECK(n[i] >= 0 && n[i] <= LLM_TOKENS_MAX,
		           "a token count is in [0, LLM_TOKENS_MAX]");
}

static void
fuzz_stream_free(struct fuzz_stream_run *r)
{
	llm_stream_fini(&r->st, r->ops);
	buf_fini(&r->text);
}

/* One input through `ops`, and its recording replayed. */
static inline int
fuzz_stream_one(const struct llm_provider_ops *ops, const uint8_t *data, size_t size)
{
	struct fuzz_stream_run a, b;
	struct buf rec = BUF_INIT;

	fuzz_stream_run(&a, ops, (const char *)data, size, 24, fuzz_seed(data, size));
	if (a.finish_rc == 0) {
		ops->record_body(&rec, (const char *)data, size);
		fuzz_stream_run(&b, ops, rec.ptr ? rec.ptr : "", rec.len, 0, 0);
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
		fuzz_stream_free(&b);
	}
	buf_fini(&rec);
	fuzz_stream_free(&a);
	return 0;
}

#endif
