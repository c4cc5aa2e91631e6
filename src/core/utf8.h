/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_UTF8_H
#define DH_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/*
 * Display safety for text from the model, tools and files (STYLE.md §3.10):
 * nothing that reaches the screen may carry a control sequence.
 */

#define UTF8_ASCII   0x1u /* the locale is not UTF-8: non-ASCII becomes '?', or a dash,
                             * quote or bullet its one-column ASCII look-alike */
#define UTF8_KEEP_NL 0x2u /* keep '\n' (callers that split lines themselves) */
#define UTF8_NAME    0x4u /* a name: a tab is "^I" too (spaces would show another name),
                             * a character that shows nothing (U+200B–200F, U+2060–2064,
                             * U+FEFF, U+00AD, U+061C, U+180E) "<U+200B>" */

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
/* utf8_sanitize(UTF8_NAME) of the string s (NULL: "") into `out`, emptied first, for
 * one field of a line a command prints (a path, a label, a task: what the
 * agent or a file name made cannot forge a line, clear the screen or hide
 * itself); returns its text, valid until `out` changes. */
const char *utf8_sanitized(struct buf *out, const char *s);
/* As utf8_sanitized() for text of several lines that a command prints whole
 * (a report, a diff, an error message): utf8_sanitize(UTF8_KEEP_NL), its
 * newlines kept, a tab as four spaces. Returns its text, valid until `out`
 * changes. */
const char *utf8_sanitized_text(struct buf *out, const char *s);

/*
 * Validity for text entering deskhand (model text, commands, tool output):
 * everything stored or sent as JSON must be valid UTF-8 (RFC 8259 §8.1).
 */

/* The largest k <= n such that s[0..k) does not end inside a UTF-8
 * sequence: where to cut s to at most n bytes without splitting a character
 * (s may run on past n). Bytes are only looked at, not validated. */
size_t utf8_end(const char *s, size_t n);

/* True when s[0..n) is valid UTF-8 (utf8_decode's rules) with no NUL byte. */
bool utf8_valid(const char *s, size_t n);

/* Append s[0..n) to `out` as valid UTF-8: each byte that does not start a
 * valid sequence (utf8_decode) and each NUL byte becomes U+FFFD (the Unicode
 * replacement character, as the WHATWG decoder does: one per bad byte);
 * everything else, controls included, is kept. Never fails. */
void utf8_scrub(struct buf *out, const char *s, size_t n);

/*
 * File names that are not UTF-8 (POSIX names are bytes) in an escaped form
 * that round-trips, for the model and for JSON output: each byte that does
 * not start a valid sequence is written "\xHH" (two lowercase hex digits),
 * and a literal backslash that is followed by 'x' and two hex digits is
 * written "\x5c" so that the real name "a\x41" is not read back as "aA".
 * A name that is valid UTF-8 and holds no such backslash is unchanged.
 */

/* Append the escaped form of the name s[0..n) to `out`. Never fails. */
void utf8_name_escape(struct buf *out, const char *s, size_t n);
/* The name a tool was given, escapes ("\xHH", either case) decoded back to
 * bytes; anything else is kept. *out is heap (free()). Returns 0, or
 * DH_EPARSE ("\x00" would put a NUL in the name) with *out NULL. */
int utf8_name_unescape(const char *s, char **out);

#endif
