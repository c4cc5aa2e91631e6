/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the SSE decoder (net/sse.c, PROTOCOLS.md §0). The input is a
 * response body. Properties checked (sse.h): the events dispatched do not
 * depend on how the body is cut into chunks (whole, one byte at a time,
 * random cuts), sse_reset() starts a fresh stream, and each event's data is
 * NUL-terminated at data_len.
 */
#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "net/sse.h"
#include "fuzz.h"

/* Where on_event writes; the decoder's ctx (its members are private). */
struct sink {
	struct buf *out;
};

/* Appends a canonical dump of each event to the sink's buf. */
static int
on_event(const struct sse_event *ev, void *ctx)
{
	struct buf *out = ((struct sink *)ctx)->out;

	FUZZ_CHECK(ev->data != NULL && ev->data[ev->data_len] == '\0',
	           "event data is NUL-terminated at data_len");
	buf_printf(out, "event %d:", ev->event != NULL);
	if (ev->event)
		buf_puts(out, ev->event);
	buf_printf(out, "\nid %d:", ev->id != NULL);
	if (ev->id)
		buf_puts(out, ev->id);
	buf_printf(out, "\nretry %ld\ndata %zu:", ev->retry, ev->data_len);
	buf_add(out, ev->data, ev->data_len);
	buf_putc(out, '\n');
	return 0;
}

/* Decode data in chunks (max 0: whole) into a dump in out. */
static void
decode(struct sse_decoder *d, struct sink *sink, struct buf *out, const uint8_t *data,
       size_t size, size_t max, uint64_t seed)
{
	int rc = 0;

	sink->out = out;
	for (size_t off = 0; off < size && rc == 0;) {
		size_t k = max ? fuzz_chunk(&seed, max) : size;

		if (k > size - off)
			k = size - off;
		rc = sse_feed(d, data + off, k);
		off += k;
	}
	if (rc == 0)
		rc = sse_feed(d, data, 0);
	/* The only failure is an overlong line, impossible at fuzzing sizes. */
	FUZZ_CHECK(rc == 0, "sse_feed succeeds below SSE_MAX_BYTES");
}

static bool
same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf whole = BUF_INIT, other = BUF_INIT;
	struct sse_decoder d;
	struct sink sink = { NULL };
	uint64_t seed = fuzz_seed(data, size);

	sse_init(&d, on_event, &sink);
	decode(&d, &sink, &whole, data, size, 0, 0);

	sse_reset(&d);
	decode(&d, &sink, &other, data, size, 1, 0);
	FUZZ_CHECK(same(&other, &whole),
	           "after sse_reset(), byte-at-a-time decoding gives the same events");

	buf_clear(&other);
	sse_reset(&d);
	decode(&d, &sink, &other, data, size, 16, seed);
	FUZZ_CHECK(same(&other, &whole), "randomly chunked decoding gives the same events");
	sse_fini(&d);
	buf_fini(&whole);
	buf_fini(&other);
	return 0;
}
