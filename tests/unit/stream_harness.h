/* SPDX-License-Identifier: MIT */
#ifndef DH_TESTS_UNIT_STREAM_HARNESS_H
#define DH_TESTS_UNIT_STREAM_HARNESS_H

#include <stddef.h>

#include "core/json.h"

#include "core/buf.h"
#include "llm/llm.h"
#include "llm/provider.h"

/*
 * A provider's stream without network, for the provider tests
 * (test_anthropic.c, test_openai.c): SSE text → net/sse.c → the provider's
 * stream_event, then its stream_finish, as llm.c drives them.
 */

struct stream_run {
	const struct llm_provider_ops *ops;
	struct llm_stream st;
	struct buf text; /* on_text concatenated */
	int ntext;       /* on_text calls */
	int event_rc;    /* the first failing stream_event return, 0 none */
	int finish_rc;   /* stream_finish's return (stream_harness_run) */
};

/* Zero r and start a stream of `ops` in it (r->st.on_text appends to
 * r->text); set r->st's limits after this. */
void stream_harness_init(struct stream_run *r, const struct llm_provider_ops *ops);
/* Feed `sse` through an SSE decoder in chunks of `chunk` bytes (0: whole),
 * stopping at the first chunk the decoder refuses; returns that refusal
 * (sse_feed's nonzero return), 0 when all went in. Does not finish. */
int stream_harness_feed(struct stream_run *r, const char *sse, size_t chunk);
/* init, feed, then the provider's stream_finish into r->finish_rc. */
void stream_harness_run(struct stream_run *r, const struct llm_provider_ops *ops, const char *sse,
                        size_t chunk);
/* Free what the stream and r hold (r itself is the caller's). */
void stream_harness_free(struct stream_run *r);

/* Assert that `got` equals the JSON text `want_text` (criterion; both
 * printed when not). */
void stream_harness_json_eq(const cJSON *got, const char *want_text);

#endif
