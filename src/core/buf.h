/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_BUF_H
#define DH_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/*
 * Growable byte/string buffer (libgit2's git_buf, tig's struct buffer). All
 * unbounded text goes through it. `ptr` is always NUL-terminated when len > 0
 * or after buf_cstr(); `ptr` may be NULL for an empty, never-grown buffer.
 */
struct buf {
	char *ptr;  /* heap, owned */
	size_t len; /* bytes used, excluding the NUL */
	size_t cap; /* bytes allocated */
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
/* Free the storage; the buffer is empty and reusable afterwards. */
void buf_fini(struct buf *b);
void buf_clear(struct buf *b); /* len = 0, keeps the storage */
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) DH_PRINTF(2, 3);
/* Drop the first n bytes (n > len drops all). */
void buf_consume(struct buf *b, size_t n);
/* Borrowed NUL-terminated view; "" for an empty buffer. */
const char *buf_cstr(struct buf *b);
/* Hand the heap string to the caller (free() it); the buffer is reset. Never NULL. */
char *buf_detach(struct buf *b);
/* Append a table of nrows rows of ncols cells (cells[row * ncols + col], row
 * 0 the heading; borrowed) to `b`, a line each ending in '\n': each column as
 * wide as its widest cell (in bytes, as ps does), a blank between columns; a
 * column whose bit is set in `right` (1u << col) is aligned right. The last
 * column is not padded, and no line ends in a blank. */
void buf_table(struct buf *b, const char *const *cells, size_t nrows, size_t ncols,
               unsigned right);
/* Append at most `cap` bytes in total; once the limit is hit, append `marker`
 * once and return true (the text was truncated). Keeps tool output bounded. */
bool buf_add_capped(struct buf *b, const void *p, size_t n, size_t cap, const char *marker);

/* Standard base64 (RFC 4648 §4, with padding) of n bytes, appended to b. */
void buf_add_base64(struct buf *b, const void *data, size_t n);
/* Feed `n` bytes of a byte stream read in pieces (a child's stderr) to
 * `line`, the line being read: at each '\n' (not kept) emit(ctx) is called,
 * `line` holding the line's first `max` bytes (the rest is dropped), and
 * `line` is cleared after it. What follows the last '\n' stays in `line`
 * for the next call; at the stream's end the caller emits it if not empty. */
void buf_feed_lines(struct buf *line, const char *p, size_t n, size_t max,
                    void (*emit)(void *ctx), void *ctx);

#endif
