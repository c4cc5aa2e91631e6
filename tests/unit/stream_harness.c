/* SPDX-License-Identifier: MIT */
/* The provider tests' stream harness: see stream_harness.h. */
#include "stream_harness.h"

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core/json.h"
#include "net/sse.h"

static void
on_text(const char *t, size_t n, void *ctx)
{
	struct stream_run *r = ctx;

	buf_add(&r->text, t, n);
	r->ntext++;
}

static int
on_event(const struct sse_event *ev, void *ctx)
{
	struct stream_run *r = ctx;

	r->st.nevents++;
	int rc = r->ops->stream_event(&r->st, ev);
	if (rc < 0 && r->event_rc == 0)
		r->event_rc = rc;
	return rc < 0 ? rc : 0;
}

void
stream_harness_init(struct stream_run *r, const struct llm_provider_ops *ops)
{
	memset(r, 0, sizeof *r);
	r->ops = ops;
	llm_stream_init(&r->st, ops);
	r->st.on_text = on_text;
	r->st.ctx = r;
}

int
stream_harness_feed(struct stream_run *r, const char *sse, size_t chunk)
{
	struct sse_decoder d;
	size_t len = strlen(sse);
	int rc = 0;

	sse_init(&d, on_event, r);
	if (chunk == 0)
		chunk = len;
	for (size_t off = 0; off < len; off += chunk) {
		size_t k = len - off < chunk ? len - off : chunk;

		if ((rc = sse_feed(&d, sse + off, k)) != 0)
			break;
	}
	sse_fini(&d);
	return rc;
}

void
stream_harness_run(struct stream_run *r, const struct llm_provider_ops *ops, const char *sse,
                   size_t chunk)
{
	stream_harness_init(r, ops);
	(void)stream_harness_feed(r, sse, chunk);
	r->finish_rc = ops->stream_finish(&r->st);
}

void
stream_harness_free(struct stream_run *r)
{
	llm_stream_fini(&r->st, r->ops);
	buf_fini(&r->text);
}

void
stream_harness_json_eq(const cJSON *got, const char *want_text)
{
	cJSON *want = NULL;

	cr_assert_eq(json_parse(&want, want_text, strlen(want_text), "want"), 0, "%s", want_text);
	char *g = json_print(got), *w = json_print(want);
	cr_assert(cJSON_Compare(got, want, true), "got %s\nwant %s", g, w);
	free(g);
	free(w);
	cJSON_Delete(want);
}
