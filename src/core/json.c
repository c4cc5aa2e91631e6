/* SPDX-License-Identifier: MIT */
/* cJSON helpers: typed getters, parse errors with offsets, allocation via xalloc. */
#include "core/json.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/utf8.h"
#include "core/xalloc.h"

/* The code unit of the "\uXXXX" escape at p (6 bytes, none past end), or -1. */
static long
escape_unit(const char *p, const char *end)
{
	char hex[5] = { 0 };

	if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
		return -1;
	for (int i = 0; i < 4; i++)
		if (!isxdigit((unsigned char)(hex[i] = p[2 + i])))
			return -1;
	return strtol(hex, NULL, 16);
}

/* Copy of text[0..*len) with the escapes cJSON cannot take rewritten (*len
 * updated): every "\u0000" becomes JSON_NUL, and a lone surrogate escape
 * (a "\uD800".."\uDFFF" not part of a high-low pair, which JSON's grammar
 * allows and JavaScript's JSON.stringify writes, but cJSON refuses) becomes
 * "\uFFFD", as lenient parsers and browsers decode it. NULL when there is
 * nothing to rewrite (the common case: nothing is copied). Backslash pairs
 * are skipped whole, so "\\u0000" (a backslash, then "u0000") is kept. */
static char *
fix_escapes(const char *text, size_t *lenp)
{
	const char *end = text + *lenp;
	struct buf b = BUF_INIT;
	size_t from = 0;
	bool any = false;

	if (!memmem(text, *lenp, "\\u", 2))
		return NULL;
	for (const char *p = text; p + 1 < end; p++) {
		if (*p != '\\')
			continue;
		long u = escape_unit(p, end);
		long lo = u >= 0xD800 && u <= 0xDBFF ? escape_unit(p + 6, end) : -1;
		const char *put = u == 0 ? JSON_NUL : u >= 0xD800 && u <= 0xDFFF ? "\\ufffd" : NULL;

		if (lo >= 0xDC00 && lo <= 0xDFFF) {
			p += 11; /* a pair: cJSON decodes it */
			continue;
		}
		if (!put) {
			p++;
			continue;
		}
		buf_add(&b, text + from, (size_t)(p - text) - from);
		buf_puts(&b, put);
		from = (size_t)(p - text) + 6;
		p += 5;
		any = true;
	}
	if (!any)
		return NULL;
	buf_add(&b, text + from, *lenp - from);
	*lenp = b.len;
	return buf_detach(&b);
}

int
json_parse(cJSON **out, const char *text, size_t len, const char *what)
{
	const char *end = NULL;
	char *copy;

	*out = NULL;
	if (!text || len == 0)
		return err_setc(DH_EPARSE, "%s: empty JSON", what);
	if ((copy = fix_escapes(text, &len)))
		text = copy;
	cJSON *v = cJSON_ParseWithLengthOpts(text, len, &end, false);
	int rc = 0;
	if (!v) {
		const char *at = cJSON_GetErrorPtr();
		size_t off = (at && at >= text && at <= text + len) ? (size_t)(at - text) : 0;

		rc = err_setc(DH_EPARSE, "%s: invalid JSON at byte %zu", what, off);
	}
	/* Anything but whitespace after the value is an error (cJSON stops early). */
	for (const char *p = end; v && p && p < text + len; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '\0') {
			cJSON_Delete(v);
			v = NULL;
			rc = err_setc(DH_EPARSE, "%s: trailing data at byte %zu", what,
					(size_t)(p - text));
		}
	}
	free(copy);
	*out = v;
	return rc;
}

/* A key of an object being scanned (dup_key): its text as decoded, its line. */
struct seen_key {
	char *key;
	size_t line;
};

/* The end of the string token that opens at p (a '"'): the byte after its
 * closing quote. The text is valid JSON (json_parse accepted it). */
static const char *
string_end(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\')
			p++;
	return p < end ? p + 1 : end;
}

/* Scan valid JSON text for a key given twice in one object (compared as
 * decoded: "a" and "\u0061" are the same key). 0 if none, else DH_EPARSE
 * naming `what`, the line of the second one, the key as written and the
 * line of the first. */
static int
dup_key(const char *text, size_t len, const char *what)
{
	const char *end = text + len;
	ARRAY(struct seen_key) keys = ARRAY_INIT;
	/* per open object or array: where its keys start in `keys`, or
	 * SIZE_MAX for an array; whether the next string is a key */
	ARRAY(size_t) open = ARRAY_INIT;
	bool want_key = false;
	size_t line = 1;
	int rc = 0;

	for (const char *p = text; p < end && rc == 0; p++) {
		switch (*p) {
		case '\n':
			line++;
			break;
		case '{':
			ARRAY_PUSH(&open, keys.n);
			want_key = true;
			break;
		case '[':
			ARRAY_PUSH(&open, SIZE_MAX);
			want_key = false;
			break;
		case '}':
		case ']':
			if (open.n > 0 && open.v[--open.n] != SIZE_MAX) {
				for (size_t i = open.v[open.n]; i < keys.n; i++)
					free(keys.v[i].key);
				keys.n = open.v[open.n];
			}
			break;
		case ',':
			want_key = open.n > 0 && open.v[open.n - 1] != SIZE_MAX;
			break;
		case '"': {
			const char *q = string_end(p, end);
			cJSON *k = NULL;

			if (!want_key) {
				p = q - 1;
				break;
			}
			want_key = false;
			if (json_parse(&k, p, (size_t)(q - p), what) < 0 || !cJSON_IsString(k)) {
				cJSON_Delete(k); /* cannot happen in valid JSON: skip the key */
				p = q - 1;
				break;
			}
			size_t from = open.v[open.n - 1];
			for (size_t i = from; i < keys.n; i++) {
				if (strcmp(keys.v[i].key, k->valuestring) != 0)
					continue;
				struct buf b = BUF_INIT;

				utf8_scrub(&b, p + 1, (size_t)(q - p) - 2);
				rc = err_setc(DH_EPARSE,
				              "%s:%zu: key \"%s\" given twice in one object (first at "
				              "line %zu)",
				              what, line, buf_cstr(&b), keys.v[i].line);
				buf_fini(&b);
				break;
			}
			ARRAY_PUSH(&keys, ((struct seen_key){ xstrdup(k->valuestring), line }));
			cJSON_Delete(k);
			p = q - 1;
			break;
		}
		default:
			break;
		}
	}
	for (size_t i = 0; i < keys.n; i++)
		free(keys.v[i].key);
	ARRAY_FREE(&keys);
	ARRAY_FREE(&open);
	return rc;
}

int
json_parse_config(cJSON **out, const char *text, size_t len, const char *file)
{
	int rc = json_parse(out, text, len, file);

	if (rc == 0 && (rc = dup_key(text, len, file)) < 0) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

char *
json_print(const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);

	if (!s)
		die("out of memory (cJSON_Print)");
	size_t n = strlen(s);

	/* cJSON allocates with malloc (the program sets no cJSON_InitHooks), so
	 * its string is the caller's to free(): no copy of a long record. */
	if (utf8_valid(s, n))
		return s;
	/* cJSON writes bytes >= 0x80 only inside strings, as they are. */
	struct buf b = BUF_INIT;

	for (const char *p = s, *nul; p < s + n; p = nul + 2) {
		nul = memmem(p, (size_t)(s + n - p), JSON_NUL, 2);
		utf8_scrub(&b, p, nul ? (size_t)(nul - p) : (size_t)(s + n - p));
		if (!nul)
			break;
		buf_puts(&b, "\\u0000");
	}
	cJSON_free(s);
	return buf_detach(&b);
}

const char *
json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

long long
json_int(const cJSON *o, const char *key, long long def)
{
	return json_num_int(cJSON_GetObjectItemCaseSensitive(o, key), def);
}

long long
json_num_int(const cJSON *v, long long def)
{
	/* Converting a double outside long long's range is undefined (C11
	 * 6.3.1.4); -2^63 and 2^63 are exact doubles. */
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= -0x1p63 && v->valuedouble < 0x1p63))
		return def;
	return (long long)v->valuedouble;
}

long long
json_int_clamp(const cJSON *o, const char *key, long long lo, long long hi, long long def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	long long n = json_num_int(v, def);

	/* json_num_int() gives def for a number beyond long long's range,
	 * which is beyond the end on its side. */
	if (cJSON_IsNumber(v) && v->valuedouble >= 0x1p63)
		return hi;
	if (cJSON_IsNumber(v) && v->valuedouble < -0x1p63)
		return lo;
	return n < lo ? lo : n > hi ? hi : n;
}

bool
json_bool(const cJSON *o, const char *key, bool def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

cJSON *
json_obj(const cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsObject(v) ? v : NULL;
}

cJSON *
json_arr(const cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsArray(v) ? v : NULL;
}

static cJSON *
check(cJSON *v)
{
	if (!v)
		die("out of memory (cJSON)");
	return v;
}

cJSON *
json_add_str(cJSON *o, const char *key, const char *s)
{
	return check(cJSON_AddStringToObject(o, key, s ? s : ""));
}

cJSON *
json_add_strn(cJSON *o, const char *key, const char *s, size_t n)
{
	char *t = xstrndup(s, n);
	cJSON *v = json_add_str(o, key, t);

	free(t);
	return v;
}

cJSON *
json_add_name(cJSON *o, const char *key, const char *name)
{
	struct buf b = BUF_INIT;

	if (!name)
		return json_add(o, key, cJSON_CreateNull());
	utf8_name_escape(&b, name, strlen(name));
	cJSON *v = json_add(o, key, check(cJSON_CreateString(buf_cstr(&b))));

	buf_fini(&b);
	return v;
}

cJSON *
json_add_num(cJSON *o, const char *key, double n)
{
	return check(cJSON_AddNumberToObject(o, key, n));
}

cJSON *
json_add_bool(cJSON *o, const char *key, bool v)
{
	return check(cJSON_AddBoolToObject(o, key, v));
}

cJSON *
json_add(cJSON *o, const char *key, cJSON *v)
{
	if (cJSON_IsArray(o))
		cJSON_AddItemToArray(o, v);
	else
		cJSON_AddItemToObject(o, key, v);
	return v;
}

cJSON *
json_dup(const cJSON *v)
{
	return v ? check(cJSON_Duplicate(v, true)) : NULL;
}

cJSON *
json_new_obj(void)
{
	return check(cJSON_CreateObject());
}

cJSON *
json_new_arr(void)
{
	return check(cJSON_CreateArray());
}

cJSON *
json_message_blocks(cJSON *msg)
{
	cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");

	if (cJSON_IsString(content)) {
		cJSON *arr = json_new_arr(), *t = json_new_obj();

		json_add_str(t, "type", "text");
		json_add_str(t, "text", content->valuestring);
		json_add(arr, NULL, t);
		cJSON_ReplaceItemInObjectCaseSensitive(msg, "content", arr);
		return arr;
	}
	return cJSON_IsArray(content) ? content : NULL;
}

cJSON *
json_raw_take(char *text)
{
	cJSON *v = check(cJSON_CreateNull());

	v->type = cJSON_Raw;
	v->valuestring = text;
	return v;
}

cJSON *
json_raw_ref(const cJSON *raw)
{
	cJSON *v = check(cJSON_CreateNull());

	v->type = cJSON_Raw | cJSON_IsReference;
	v->valuestring = raw->valuestring;
	return v;
}

const cJSON *
json_open(const cJSON *v, cJSON **own)
{
	*own = NULL;
	if (!cJSON_IsRaw(v))
		return v;
	if (json_parse(own, v->valuestring, strlen(v->valuestring), "a value kept as text") < 0)
		die("%s", err_msg());
	return *own;
}

void
json_open_items(cJSON *arr)
{
	for (cJSON *v = arr ? arr->child : NULL; v; v = v->next) {
		cJSON *tree;

		if (!cJSON_IsRaw(v))
			continue;
		json_open(v, &tree);
		cJSON_ReplaceItemViaPointer(arr, v, tree);
		v = tree;
	}
}
