/* SPDX-License-Identifier: MIT */
#ifndef DH_NET_SSE_H
#define DH_NET_SSE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * Incremental Server-Sent Events decoder (PROTOCOLS.md §0, the WHATWG
 * algorithm as the official SDKs implement it). Feed it arbitrary byte chunks;
 * it splits lines on raw bytes (\n, \r\n or a lone \r; a \r at the end of a
 * chunk is remembered so that a \n starting the next chunk is not a second
 * terminator) and dispatches one event per blank line. No UTF-8 decoding is
 * done, so multibyte characters split across chunks stay intact. An event not
 * terminated by a blank line before the stream ends is never dispatched.
 */

/* One dispatched event; every pointer is borrowed for the callback only. */
struct sse_event {
	const char *event; /* "event:" value; NULL when the event had no event line */
	const char *data;  /* "data:" values joined with '\n'; "" if none; NUL-terminated */
	size_t data_len;   /* bytes in data (data may contain NUL bytes) */
	const char *id;    /* last event id (it persists across events); NULL if never set */
	long retry;        /* "retry:" milliseconds given in this event; -1 if absent */
};

/* Called once per event. Return 0 to continue; any other value stops sse_feed(),
 * which returns that value (the rest of the chunk is dropped). */
typedef int sse_event_fn(const struct sse_event *ev, void *ctx);

/* Decoder state; embed it and use sse_init()/sse_fini(). Members are private. */
struct sse_decoder {
	struct buf line;  /* the current, not yet terminated line */
	struct buf event; /* pending event name */
	struct buf data;  /* pending data (lines joined with '\n') */
	char *id;         /* last event id */
	long retry;       /* pending retry, -1 if none */
	bool has_event;   /* an event line was seen since the last dispatch */
	bool has_data;    /* at least one data line */
	bool has_id;      /* an id line */
	bool skip_lf;     /* the previous byte was '\r' */
	unsigned bom;     /* UTF-8 BOM bytes matched at the start */
	bool bom_done;    /* past the optional leading BOM */
	sse_event_fn *fn;
	void *ctx;
};

/* Lines and event data longer than this fail with DH_EPARSE (memory bound). */
#define SSE_MAX_BYTES ((size_t)16 << 20)

void sse_init(struct sse_decoder *d, sse_event_fn *fn, void *ctx);
/* Free the decoder's buffers; a pending, unterminated event is dropped. */
void sse_fini(struct sse_decoder *d);
/* Forget all state (new stream); keeps the callback. */
void sse_reset(struct sse_decoder *d);

/* Decode `n` bytes of the stream, dispatching complete events to the callback
 * in order. Returns 0, the callback's non-zero return value (feeding stopped),
 * or DH_EPARSE when a line or event exceeds SSE_MAX_BYTES (err_msg() says so).
 * After a non-zero return the decoder must be reset or discarded. May be
 * called with n == 0. */
int sse_feed(struct sse_decoder *d, const void *p, size_t n) DH_MUST_CHECK;

#endif
