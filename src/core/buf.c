/* SPDX-License-Identifier: MIT */
/* Growable buffers. Allocation failure is fatal (xalloc), so nothing here fails. */
#include "core/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/xalloc.h"

void
buf_init(struct buf *b)
{
	b->ptr = NULL;
	b->len = b->cap = 0;
}

void
buf_fini(struct buf *b)
{
	free(b->ptr);
	buf_init(b);
}

void
buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void
buf_grow(struct buf *b, size_t extra)
{
	ARRAY_GROW(b->ptr, b->len + 1, b->cap, extra); /* + 1: the NUL */
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap, ap2;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap2);
		b->len += (size_t)n;
	}
	va_end(ap2);
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_clear(b);
		return;
	}
	memmove(b->ptr, b->ptr + n, b->len - n);
	b->len -= n;
	b->ptr[b->len] = '\0';
}

const char *
buf_cstr(struct buf *b)
{
	return b->ptr ? b->ptr : "";
}

char *
buf_detach(struct buf *b)
{
	char *p = b->ptr ? b->ptr : xstrdup("");

	buf_init(b);
	return p;
}

bool
buf_add_capped(struct buf *b, const void *p, size_t n, size_t cap, const char *marker)
{
	if (b->len >= cap)
		return true;
	size_t room = cap - b->len;

	if (n <= room) {
		buf_add(b, p, n);
		return false;
	}
	buf_add(b, p, room);
	buf_puts(b, marker);
	return true;
}

void
buf_add_base64(struct buf *out, const void *data, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;

	buf_grow(out, (n + 2) / 3 * 4 + 1);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		buf_add(out, q, 4);
	}
}

void
buf_table(struct buf *b, const char *const *cells, size_t nrows, size_t ncols, unsigned right)
{
	size_t *w = xcalloc(ncols ? ncols : 1, sizeof *w);

	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++)
			if (strlen(cells[r * ncols + c]) > w[c])
				w[c] = strlen(cells[r * ncols + c]);
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			const char *cell = cells[r * ncols + c];
			int width = c + 1 == ncols ? 0 : (int)w[c];

			if (c < 32 && (right >> c & 1u))
				width = (int)w[c];
			else
				width = -width;
			buf_printf(b, "%*s%s", width, cell, c + 1 == ncols ? "" : " ");
		}
		while (b->len && b->ptr[b->len - 1] == ' ')
			b->ptr[--b->len] = '\0';
		buf_putc(b, '\n');
	}
	free(w);
}

void
buf_feed_lines(struct buf *line, const char *p, size_t n, size_t max, void (*emit)(void *ctx),
               void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			emit(ctx);
			buf_clear(line);
		} else if (line->len < max) {
			buf_add(line, &p[i], 1);
		}
	}
}
