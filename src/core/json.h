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

/* Parse `len` bytes (need not be NUL-terminated). On failure returns DH_EPARSE
 * with a message naming `what` and the byte offset; *out is NULL. On success
 * *out is owned by the caller (cJSON_Delete). Surrounding whitespace is fine. */
int json_parse(cJSON **out, const char *text, size_t len, const char *what) DH_MUST_CHECK;

/* Compact JSON text of `v`, allocated with xmalloc (free()). Never NULL. */
char *json_print(const cJSON *v);

/* Borrowed string value of o[key]; NULL if absent or not a string. */
const char *json_str(const cJSON *o, const char *key);
/* o[key] as an integer (truncated toward zero); `def` if absent, not a
 * number, or beyond the range of long long. */
long long json_int(const cJSON *o, const char *key, long long def);
/* o[key] as a bool; `def` if absent or not a boolean. */
bool json_bool(const cJSON *o, const char *key, bool def);
/* Borrowed o[key] if it is an object/array, else NULL. */
cJSON *json_obj(const cJSON *o, const char *key);
cJSON *json_arr(const cJSON *o, const char *key);

/* Add helpers that never fail (OOM dies). Return the added item (borrowed). */
cJSON *json_add_str(cJSON *o, const char *key, const char *s);
cJSON *json_add_strn(cJSON *o, const char *key, const char *s, size_t n);
cJSON *json_add_num(cJSON *o, const char *key, double n);
cJSON *json_add_bool(cJSON *o, const char *key, bool v);
/* Take ownership of `v` and add it under `key`; returns v. */
cJSON *json_add(cJSON *o, const char *key, cJSON *v);
/* Deep copy; never NULL for non-NULL input. */
cJSON *json_dup(const cJSON *v);
/* New object/array (never NULL). */
cJSON *json_new_obj(void);
cJSON *json_new_arr(void);

#endif
