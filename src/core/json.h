/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_JSON_H
#define DH_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/err.h"

/*
 * Thin helpers over cJSON (libcjson-dev), the project's only JSON library.
 * Callers may use cJSON's API directly for building objects; these helpers
 * cover the repetitive and error-prone parts: typed getters, parsing with an
 * error message, printing into our allocator.
 */

/*
 * A cJSON string ends at its first NUL, so a "\u0000" escape would silently
 * cut the string ("f12.txt\u0000.bak" read as "f12.txt"). json_parse holds
 * U+0000 as the two bytes JSON_NUL instead (Java's "modified UTF-8": an
 * overlong NUL, never valid UTF-8, so it cannot stand for anything else in
 * valid input), and json_print writes JSON_NUL back as "\u0000": a string
 * keeps all its bytes through a parse and a print, and a consumer that must
 * refuse a NUL (tool_validate) can see it.
 */
#define JSON_NUL "\xc0\x80"

/* Parse `len` bytes (need not be NUL-terminated); "\u0000" in a string
 * becomes JSON_NUL, and a lone surrogate escape ("\ud800" not followed by a
 * low one, or a low one alone: valid JSON text, not valid Unicode) becomes
 * U+FFFD, as lenient parsers decode it. On failure returns DH_EPARSE with a
 * message naming `what` and the byte offset; *out is NULL. On success *out
 * is owned by the caller (cJSON_Delete). Surrounding whitespace is fine. */
int json_parse(cJSON **out, const char *text, size_t len, const char *what) DH_MUST_CHECK;

/* Parse a file the person writes (a configuration: mcp.json, a folder's
 * .mcp.json) as json_parse() does, `file` naming it in errors; a key given
 * twice in one object (compared as decoded), which a reader would otherwise
 * take one of silently, is refused too: DH_EPARSE with
 * "FILE:LINE: key "KEY" given twice in one object (first at line N)",
 * LINE that of the second one, KEY as written. *out as for json_parse. */
int json_parse_config(cJSON **out, const char *text, size_t len, const char *file) DH_MUST_CHECK;

/* Compact JSON text of `v`, allocated with xmalloc (free()). Never NULL.
 * Always valid UTF-8 (RFC 8259 §8.1), whatever bytes v's strings hold:
 * JSON_NUL is written "\u0000" and any other invalid byte U+FFFD (utf8_scrub). */
char *json_print(const cJSON *v);

/* Borrowed string value of o[key]; NULL if absent or not a string. */
const char *json_str(const cJSON *o, const char *key);
/* o[key] as an integer (truncated toward zero); `def` if absent, not a
 * number, or beyond the range of long long. */
long long json_int(const cJSON *o, const char *key, long long def);
/* The number `v` itself as json_int reads o[key]: truncated toward zero,
 * `def` if v is NULL, not a number, NaN or beyond long long's range. */
long long json_num_int(const cJSON *v, long long def);
/* o[key] as json_int() reads it, then brought into [lo, hi]: a number
 * beyond either end reads as that end (`def` too). For a figure from input
 * that arithmetic follows: a count summed, a time subtracted. */
long long json_int_clamp(const cJSON *o, const char *key, long long lo, long long hi,
                         long long def);
/* o[key] as a bool; `def` if absent or not a boolean. */
bool json_bool(const cJSON *o, const char *key, bool def);
/* Borrowed o[key] if it is an object/array, else NULL. */
cJSON *json_obj(const cJSON *o, const char *key);
cJSON *json_arr(const cJSON *o, const char *key);

/* Add helpers that never fail (OOM dies). Return the added item (borrowed). */
cJSON *json_add_str(cJSON *o, const char *key, const char *s);
cJSON *json_add_strn(cJSON *o, const char *key, const char *s, size_t n);
/* A file name or path (bytes, maybe not UTF-8) in the escaped form that
 * round-trips (utf8_name_escape: "\\xff" for the byte 0xff); null when
 * `name` is NULL. Added to an array when `o` is one (key unused). */
cJSON *json_add_name(cJSON *o, const char *key, const char *name);
cJSON *json_add_num(cJSON *o, const char *key, double n);
cJSON *json_add_bool(cJSON *o, const char *key, bool v);
/* Take ownership of `v` and add it under `key`; returns v. */
cJSON *json_add(cJSON *o, const char *key, cJSON *v);
/* Deep copy; never NULL for non-NULL input. */
cJSON *json_dup(const cJSON *v);
/* New object/array (never NULL). */
cJSON *json_new_obj(void);
cJSON *json_new_arr(void);

/*
 * A value kept as its text only: a cJSON Raw item, which cJSON prints as its
 * text verbatim, in place of the tree (a tree holds its text several times
 * over in nodes, keys and strings). Whoever reads one as a tree opens it.
 */
/* A Raw item that takes `text` (json_print() of a value, malloc'd) as its
 * own: it is freed with the item. Never NULL. */
cJSON *json_raw_take(char *text);
/* A Raw item that shares raw's text (a cJSON reference): valid while raw
 * is, and cJSON_Delete() leaves the text alone. Never NULL. */
cJSON *json_raw_ref(const cJSON *raw);
/* v as a tree: v itself when it is not a Raw item (*own NULL); else its
 * text parsed into *own, which the caller cJSON_Delete()s, and returned.
 * Dies when the text does not parse (a Raw item holds json_print() text). */
const cJSON *json_open(const cJSON *v, cJSON **own);
/* Every Raw item of array `arr` replaced in place by its text parsed (the
 * Raw item and, unless it was a reference, its text freed). */
void json_open_items(cJSON *arr);

/* The content of a Messages API message `msg` ({role, content}) as an array
 * of blocks (PROTOCOLS.md §1.3): a string content is replaced in place by
 * one {type:"text", text} block first. Borrowed; NULL when content is
 * neither a string nor an array. */
cJSON *json_message_blocks(cJSON *msg);

#endif
