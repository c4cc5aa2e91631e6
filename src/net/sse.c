/* SPDX-License-Identifier: MIT */
/*
 * SSE framing (PROTOCOLS.md §0): bytes in, events out. Knows nothing about
 * what the events mean; providers interpret them.
 */
#include "net/sse.h"

#include <string.h>

#include "core/xalloc.h"

static const unsigned char bom_bytes[3] = { 0xef, 0xbb, 0xbf };

void
sse_init(struct sse_decoder *d, sse_event_fn *fn, void *ctx)
{
	memset(d, 0, sizeof *d);
	d->retry = -1;
	d->fn = fn;
	d->ctx = ctx;
}

void
sse_fini(struct sse_decoder *d)
{
	buf_fini(&d->line);
	buf_fini(&d->event);
	buf_fini(&d->data);
	free(d->id);
	d->id = NULL;
}

void
sse_reset(struct sse_decoder *d)
{
	sse_event_fn *fn = d->fn;
	void *ctx = d->ctx;

	sse_fini(d);
	sse_init(d, fn, ctx);
}

static void
clear_pending(struct sse_decoder *d)
{
	buf_clear(&d->event);
	buf_clear(&d->data);
	d->has_event = d->has_data = d->has_id = false;
	d->retry = -1;
}

static int
dispatch(struct sse_decoder *d)
{
	/* A blank line with nothing pending is a no-op (SDK behaviour). */
	if (!d->has_event && !d->has_data && !d->has_id && d->retry < 0)
		return 0;

	struct sse_event ev = {
		.event = d->has_event ? buf_cstr(&d->event) : NULL,
		.data = buf_cstr(&d->data),
		.data_len = d->data.len,
		.id = d->id,
		.retry = d->retry,
	};
	int rc = d->fn ? d->fn(&ev, d->ctx) : 0;

	clear_pending(d);
	return rc;
}

static bool
all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Interpret one complete line (without its terminator). */
static int
process_line(struct sse_decoder *d, const char *s, size_t n)
{
	if (n == 0)
		return dispatch(d);
	if (s[0] == ':')
		return 0; /* comment / keep-alive */

	const char *colon = memchr(s, ':', n);
	size_t nlen = colon ? (size_t)(colon - s) : n;
	const char *v = colon ? colon + 1 : s + n;
	size_t vlen = colon ? n - nlen - 1 : 0;

	if (vlen > 0 && v[0] == ' ') {
		v++;
		vlen--;
	}
	if (nlen == 5 && memcmp(s, "event", 5) == 0) {
		buf_clear(&d->event);
		buf_add(&d->event, v, vlen);
		d->has_event = true;
	} else if (nlen == 4 && memcmp(s, "data", 4) == 0) {
		if (d->data.len + vlen + 1 > SSE_MAX_BYTES)
			return err_setc(DH_EPARSE, "sse: event data longer than %zu bytes",
			                SSE_MAX_BYTES);
		if (d->has_data)
			buf_putc(&d->data, '\n');
		buf_add(&d->data, v, vlen);
		d->has_data = true;
	} else if (nlen == 2 && memcmp(s, "id", 2) == 0) {
		if (!memchr(v, '\0', vlen)) {
			free(d->id);
			d->id = xstrndup(v, vlen);
			d->has_id = true;
		}
	} else if (nlen == 5 && memcmp(s, "retry", 5) == 0) {
		/* Integers only; a value too long to be sane is ignored too. */
		if (all_digits(v, vlen) && vlen < 10) {
			long ms = 0;

			for (size_t i = 0; i < vlen; i++)
				ms = ms * 10 + (v[i] - '0');
			d->retry = ms;
		}
	}
	/* Any other field name is ignored. */
	return 0;
}

static int
end_line(struct sse_decoder *d)
{
	int rc = process_line(d, d->line.ptr ? d->line.ptr : "", d->line.len);

	buf_clear(&d->line);
	return rc;
}

static int
add_to_line(struct sse_decoder *d, const char *p, size_t n)
{
	if (d->line.len + n > SSE_MAX_BYTES)
		return err_setc(DH_EPARSE, "sse: line longer than %zu bytes", SSE_MAX_BYTES);
	buf_add(&d->line, p, n);
	return 0;
}

int
sse_feed(struct sse_decoder *d, const void *buf, size_t n)
{
	const char *p = buf, *end = p + n;
	int rc;

	/* Strip one leading UTF-8 BOM, even when it arrives a byte at a time. */
	while (!d->bom_done && p < end) {
		if ((unsigned char)*p == bom_bytes[d->bom]) {
			p++;
			if (++d->bom == sizeof bom_bytes)
				d->bom_done = true;
			continue;
		}
		d->bom_done = true;
		if (d->bom && (rc = add_to_line(d, (const char *)bom_bytes, d->bom)) != 0)
			return rc;
	}

	while (p < end) {
		if (*p == '\n' && d->skip_lf) {
			/* second half of a \r\n split by the previous chunk or line */
			d->skip_lf = false;
			p++;
			continue;
		}
		d->skip_lf = false;
		if (*p == '\r' || *p == '\n') {
			d->skip_lf = *p == '\r';
			p++;
			if ((rc = end_line(d)) != 0)
				return rc;
			continue;
		}
		const char *q = p;
		while (q < end && *q != '\r' && *q != '\n')
			q++;
		if ((rc = add_to_line(d, p, (size_t)(q - p))) != 0)
			return rc;
		p = q;
	}
	return 0;
}
