/* SPDX-License-Identifier: MIT */
/*
 * Token estimates of request bodies, erring high (tokens.h). Counting only:
 * nothing here knows prices, caps or which provider the body is for.
 */
#include "llm/tokens.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/utf8.h"
#include "core/xalloc.h"

/* A PDF whose page objects are hidden in compressed object streams: pages
 * assumed per this many bytes of file, at most PDF_PAGES_MAX (the API's
 * limit of pages per request). */
#define PDF_BYTES_PER_PAGE 2048
#define PDF_PAGES_MAX      100

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static size_t
run_len(const char *s, size_t len, size_t i, bool (*in)(unsigned char))
{
	size_t j = i;

	while (j < len && in((unsigned char)s[j]))
		j++;
	return j - i;
}

size_t
llm_tokens_text(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		size_t k;

		if (is_alpha(c)) {
			k = run_len(s, len, i, is_alpha);
			n += (k + 3) / 4;
		} else if (is_digit(c)) {
			k = run_len(s, len, i, is_digit);
			n += (k + 2) / 3;
		} else if (c == ' ' || c == '\t') {
			k = 0;
			while (i + k < len && (s[i + k] == ' ' || s[i + k] == '\t'))
				k++;
			/* " word": the space is part of the word's token. */
			bool joins = k == 1 && i + 1 < len && (is_alpha((unsigned char)s[i + 1]) ||
			                                      is_digit((unsigned char)s[i + 1]));
			if (!joins)
				n += (k + 3) / 4;
		} else if (c < 0x80) {
			k = 1; /* newline, punctuation, control: one each */
			n++;
		} else {
			uint32_t cp;

			k = utf8_decode(s + i, len - i, &cp);
			if (k == 0) {
				k = 1; /* an invalid byte: a byte token */
				n++;
			} else {
				n += cp > 0xFFFF ? 2 : 1;
			}
		}
		i += k;
	}
	return n;
}

/* Page objects in a PDF file: "/Type /Page" (any whitespace between, not
 * "/Pages"). 0 when they are all inside compressed object streams. */
static size_t
pdf_pages(const unsigned char *p, size_t n)
{
	static const char type[] = "/Type", page[] = "/Page";
	size_t pages = 0;

	for (size_t i = 0; i + sizeof type - 1 < n; i++) {
		if (memcmp(p + i, type, sizeof type - 1) != 0)
			continue;
		size_t j = i + sizeof type - 1;

		while (j < n && (p[j] == ' ' || p[j] == '\r' || p[j] == '\n' || p[j] == '\t'))
			j++;
		if (j + sizeof page - 1 > n || memcmp(p + j, page, sizeof page - 1) != 0)
			continue;
		j += sizeof page - 1;
		if (j < n && (is_alpha(p[j]) || is_digit(p[j])))
			continue; /* /Pages, /PageLabel… */
		pages++;
	}
	return pages;
}

/* Tokens of a base64 PDF: LLM_TOKENS_PDF_PAGE per page. */
static size_t
pdf_tokens(const char *b64)
{
	size_t len = strlen(b64);

	/* The decoder wants a length that is a multiple of 4 and no
	 * whitespace; the file tools and connectors send exactly that. */
	len -= len % 4;
	unsigned char *bin = xmalloc(len / 4 * 3 + 1);
	int got = crypto_base64_decode(bin, b64, len);
	size_t pages = got > 0 ? pdf_pages(bin, (size_t)got) : 0;

	if (pages == 0) {
		pages = got > 0 ? (size_t)got / PDF_BYTES_PER_PAGE + 1 : 1;
		if (pages > PDF_PAGES_MAX)
			pages = PDF_PAGES_MAX;
	}
	free(bin);
	return pages * LLM_TOKENS_PDF_PAGE;
}

static size_t
str_tokens(const char *s)
{
	return s ? llm_tokens_text(s, strlen(s)) : 0;
}

static size_t walk(const cJSON *v);

/* A content block whose cost is not its text: an image or a PDF. Sets *out
 * and returns true; false for every other object. */
static bool
media_tokens(const cJSON *o, size_t *out)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");

	if (!cJSON_IsString(t))
		return false;
	const char *type = t->valuestring;

	if (!strcmp(type, "image") || !strcmp(type, "image_url") || !strcmp(type, "input_image")) {
		*out = LLM_TOKENS_IMAGE;
		return true;
	}
	if (strcmp(type, "document") != 0)
		return false;
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(o, "source");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(src, "type");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(src, "data");

	if (!cJSON_IsString(st) || strcmp(st->valuestring, "base64") != 0 ||
	    !cJSON_IsString(data))
		return false; /* a text document: its strings count as text */
	*out = pdf_tokens(data->valuestring);
	const cJSON *title = cJSON_GetObjectItemCaseSensitive(o, "title");

	if (cJSON_IsString(title))
		*out += str_tokens(title->valuestring);
	return true;
}

static size_t
walk(const cJSON *v)
{
	size_t n = 0, media;

	if (cJSON_IsString(v))
		return str_tokens(v->valuestring);
	if (cJSON_IsNumber(v)) {
		char num[64];
		int k = snprintf(num, sizeof num, "%g", v->valuedouble);

		return llm_tokens_text(num, k > 0 ? (size_t)k : 0);
	}
	if (cJSON_IsBool(v) || cJSON_IsNull(v))
		return 1;
	if (cJSON_IsObject(v) && media_tokens(v, &media))
		return media;
	for (const cJSON *c = v ? v->child : NULL; c; c = c->next) {
		if (c->string)
			n += str_tokens(c->string);
		n += walk(c);
	}
	return n;
}

size_t
llm_tokens_estimate(const cJSON *request_body)
{
	if (!request_body)
		return 0;
	size_t n = walk(request_body);
	const cJSON *tools = cJSON_GetObjectItemCaseSensitive(request_body, "tools");

	if (cJSON_IsArray(tools) && cJSON_GetArraySize(tools) > 0)
		n += LLM_TOKENS_TOOL_PREAMBLE;
	return n;
}

size_t
llm_tokens_value(const cJSON *v)
{
	return v ? walk(v) : 0;
}
