/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_UTF8_H
#define DH_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/*
 * Display safety for text from the model, tools and files (STYLE.md §3.10):
 * nothing that reaches the screen may carry a control sequence.
 */

#define UTF8_ASCII   0x1u /* the locale is not UTF-8: non-ASCII becomes '?' */
#define UTF8_KEEP_NL 0x2u /* keep '\n' (callers that split lines themselves) */

/* Decode one UTF-8 sequence at s (n bytes available). Returns its length
 * (1–4) with *cp set, or 0 when the bytes are not valid UTF-8 (overlong,
 * surrogate, truncated, > U+10FFFF). */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Append to `out` a printable copy of s[0..n): C0 controls and DEL as caret
 * notation ("^[" for ESC), a tab as four spaces, C1 controls and bidi
 * overrides/isolates (U+202A–202E, U+2066–2069) as "<U+202E>", each invalid
 * byte as "\xNN". The result is valid UTF-8 (pure ASCII with UTF8_ASCII).
 * Never fails. */
void utf8_sanitize(struct buf *out, const char *s, size_t n, unsigned flags);

#endif
