/* SPDX-License-Identifier: MIT */
/*
 * What the model reads of an MCP result: CallToolResult (content blocks,
 * structuredContent), ReadResourceResult (contents) and GetPromptResult
 * (messages) as one bounded text (specification 2025-11-25 and 2026-07-28,
 * server/tools#tool-result, server/resources, server/prompts).
 */
#include "mcp/mcp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"

#define CUT_NOTE "\n[… cut: the result is longer than deskhand passes to the model]"

struct out {
	struct buf b;
	size_t cap;
	bool cut;
	cJSON **content;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->cut)
		return;
	o->cut = buf_add_capped(&o->b, s, n, o->cap, CUT_NOTE);
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
sep(struct out *o)
{
	if (o->b.len > 0)
		puts_(o, "\n");
}

/* Bytes that base64 text stands for. */
static size_t
b64_bytes(const char *d)
{
	size_t n = strlen(d);
	size_t pad = n >= 1 && d[n - 1] == '=' ? (n >= 2 && d[n - 2] == '=' ? 2 : 1) : 0;
	return n / 4 * 3 - (n % 4 == 0 ? pad : 0);
}

static void
media_note(struct out *o, const char *kind, const char *mime, const char *data)
{
	char tmp[160];

	snprintf(tmp, sizeof tmp, "[%s %s, %zu bytes]", kind, mime ? mime : "?",
		 data ? b64_bytes(data) : 0);
	sep(o);
	puts_(o, tmp);
}

static void
image(struct out *o, const cJSON *blk)
{
	const char *data = json_str(blk, "data");
	const char *mime = json_str(blk, "mimeType");
	static const char *const ok[] = { "image/png", "image/jpeg", "image/gif", "image/webp" };
	bool known = false;

	for (size_t i = 0; mime && i < sizeof ok / sizeof *ok; i++)
		known |= strcmp(mime, ok[i]) == 0;
	if (o->content && data && known) {
		if (!*o->content)
			*o->content = json_new_arr();
		cJSON *img = json_new_obj();
		json_add_str(img, "type", "image");
		cJSON *src = json_add(img, "source", json_new_obj());
		json_add_str(src, "type", "base64");
		json_add_str(src, "media_type", mime);
		json_add_str(src, "data", data);
		cJSON_AddItemToArray(*o->content, img);
		return;
	}
	media_note(o, "image", mime, data);
}

/* An embedded resource or one entry of ReadResourceResult.contents. */
static void
resource(struct out *o, const cJSON *r)
{
	const char *uri = json_str(r, "uri");
	const char *text = json_str(r, "text");

	sep(o);
	if (uri) {
		puts_(o, "[resource ");
		puts_(o, uri);
		puts_(o, "]\n");
	}
	if (text)
		puts_(o, text);
	else if (json_str(r, "blob"))
		media_note(o, "blob", json_str(r, "mimeType"), json_str(r, "blob"));
}

static void
block(struct out *o, const cJSON *blk)
{
	const char *type = json_str(blk, "type");

	if (!type)
		return;
	if (strcmp(type, "text") == 0) {
		sep(o);
		puts_(o, json_str(blk, "text") ? json_str(blk, "text") : "");
	} else if (strcmp(type, "image") == 0) {
		image(o, blk);
	} else if (strcmp(type, "audio") == 0) {
		media_note(o, "audio", json_str(blk, "mimeType"), json_str(blk, "data"));
	} else if (strcmp(type, "resource") == 0) {
		resource(o, json_obj(blk, "resource"));
	} else if (strcmp(type, "resource_link") == 0) {
		sep(o);
		puts_(o, "[link ");
		puts_(o, json_str(blk, "uri") ? json_str(blk, "uri") : "?");
		if (json_str(blk, "name")) {
			puts_(o, " ");
			puts_(o, json_str(blk, "name"));
		}
		puts_(o, "]");
	} else {
		sep(o);
		puts_(o, "[a ");
		puts_(o, type);
		puts_(o, " block]");
	}
}

char *
mcp_result_text(const cJSON *result, size_t cap, cJSON **content)
{
	struct out o = { .b = BUF_INIT, .cap = cap, .content = content };
	const cJSON *it;
	bool text_seen = false;

	cJSON_ArrayForEach(it, json_arr(result, "content")) {
		text_seen |= json_str(it, "type") && strcmp(json_str(it, "type"), "text") == 0;
		block(&o, it);
	}
	const cJSON *sc = json_obj(result, "structuredContent");
	if (sc && !text_seen) {
		char *t = json_print(sc);
		sep(&o);
		puts_(&o, t);
		free(t);
	}
	cJSON_ArrayForEach(it, json_arr(result, "contents"))
		resource(&o, it);
	const char *desc = json_str(result, "description");
	const cJSON *msgs = json_arr(result, "messages");
	if (msgs && desc) {
		sep(&o);
		puts_(&o, desc);
	}
	cJSON_ArrayForEach(it, msgs) {
		const char *role = json_str(it, "role");
		sep(&o);
		puts_(&o, "[");
		puts_(&o, role ? role : "?");
		puts_(&o, "]");
		block(&o, json_obj(it, "content"));
	}
	return buf_detach(&o.b);
}
