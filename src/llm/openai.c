/* SPDX-License-Identifier: MIT */
/*
 * OpenAI-compatible Chat Completions provider (PROTOCOLS.md §2): OpenAI,
 * Azure OpenAI, OpenRouter, and the local servers people run (llama.cpp's
 * llama-server, Ollama's /v1, vLLM). The conversation stays Anthropic-shaped
 * everywhere else in deskhand: the request is translated here (tool_use →
 * tool_calls, tool_result → "tool" messages, images → image_url data URLs),
 * and the streamed chat.completion.chunk deltas (§2.3), or the one
 * chat.completion of a server that ignored "stream": true (§2.2), are
 * assembled back into an Anthropic-shaped assistant message with text and
 * tool_use blocks and an Anthropic stop reason. Transport, retries and
 * framing live in llm.c, http.c and sse.c. The quirks handled are listed in
 * docs/providers.md "Servers".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "llm/provider.h"
#include "llm/registry.h"
#include "net/sse.h"

/* One tool call being assembled from its fragments (§2.3 "Rules"). */
struct call {
	long index;     /* tool_calls[].index */
	char *id;       /* the first non-empty id seen */
	char *name;     /* the first non-empty function.name seen */
	struct buf args; /* function.arguments fragments, concatenated */
};

struct oai {
	struct buf text;
	struct call *calls;
	size_t n, cap;
	char *chunk_id;  /* the first chunk's id: names calls a server sent without one */
	bool built;      /* s->message holds the blocks */
};

/* finish_reason → the Anthropic stop reason the agent knows. */
static const struct {
	const char *finish;
	const char *stop;
} stop_map[] = {
	{ "stop", "end_turn" },           { "length", "max_tokens" },
	{ "tool_calls", "tool_use" },     { "function_call", "tool_use" },
	{ "content_filter", "refusal" },  { "eos", "end_turn" }, /* older llama.cpp, vLLM */
};

/*
 * Request (§2.1)
 */

/* "data:MEDIA;base64,DATA" from an Anthropic base64 source; NULL if it is
 * not one. Heap. */
static char *
data_url(const cJSON *source)
{
	const char *type = json_str(source, "type");

	if (type && strcmp(type, "url") == 0 && json_str(source, "url"))
		return xstrdup(json_str(source, "url"));
	if (!type || strcmp(type, "base64") != 0 || !json_str(source, "data"))
		return NULL;
	const char *mt = json_str(source, "media_type");

	return xasprintf("data:%s;base64,%s", mt ? mt : "application/octet-stream",
	                 json_str(source, "data"));
}

static void
add_text_part(cJSON *parts, const char *text)
{
	cJSON *p = json_add(parts, NULL, json_new_obj());

	json_add_str(p, "type", "text");
	json_add_str(p, "text", text);
}

/* An Anthropic user content block as Chat Completions content parts. */
static void
user_part(cJSON *parts, const cJSON *b, const struct llm_config *cfg)
{
	const char *type = json_str(b, "type");

	if (!type)
		return;
	if (strcmp(type, "text") == 0 && json_str(b, "text")) {
		add_text_part(parts, json_str(b, "text"));
	} else if (strcmp(type, "image") == 0) {
		char *url = data_url(json_obj(b, "source"));

		if (url) {
			cJSON *p = json_add(parts, NULL, json_new_obj());

			json_add_str(p, "type", "image_url");
			json_add_str(json_add(p, "image_url", json_new_obj()), "url", url);
			free(url);
		}
	} else if (strcmp(type, "document") == 0) {
		const cJSON *src = json_obj(b, "source");
		const char *title = json_str(b, "title") ? json_str(b, "title") : "document.pdf";
		const struct llm_model_info *m = llm_registry_model(cfg->model);
		char *url = NULL;

		if (json_str(src, "type") && strcmp(json_str(src, "type"), "text") == 0 &&
		    json_str(src, "data")) {
			add_text_part(parts, json_str(src, "data"));
		} else if (m && m->pdf && (url = data_url(src))) {
			cJSON *p = json_add(parts, NULL, json_new_obj());
			cJSON *f = json_add(p, "file", json_new_obj());

			json_add_str(p, "type", "file");
			json_add_str(f, "filename", title);
			json_add_str(f, "file_data", url);
		} else {
			char *note = xasprintf("[%s: a PDF document that was not sent: the model %s "
			                       "does not take PDF input. Ask for its text another "
			                       "way (for instance a command that extracts it).]",
			                       title, cfg->model);
			add_text_part(parts, note);
			free(note);
		}
		free(url);
	}
	/* thinking, tool_use and other kinds have no user-side equivalent */
}

/* Parts that are all text become one string (what every server reads);
 * otherwise the array. Takes parts. */
static cJSON *
content_value(cJSON *parts)
{
	const cJSON *p;
	struct buf b = BUF_INIT;

	cJSON_ArrayForEach(p, parts)
	{
		if (!json_str(p, "type") || strcmp(json_str(p, "type"), "text") != 0) {
			buf_fini(&b);
			return parts;
		}
		if (b.len)
			buf_puts(&b, "\n\n");
		buf_puts(&b, json_str(p, "text"));
	}
	cJSON_Delete(parts);
	cJSON *v = cJSON_CreateString(buf_cstr(&b));
	buf_fini(&b);
	if (!v)
		die("out of memory (cJSON)");
	return v;
}

/* A tool_result block as a "tool" message; its images (a tool message holds
 * text only) go to `images`, the parts of a user message that follows. */
static void
tool_message(cJSON *msgs, const cJSON *b, cJSON *images, const struct llm_config *cfg)
{
	const char *id = json_str(b, "tool_use_id");
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(b, "content");
	struct buf text = BUF_INIT;
	const cJSON *c;

	if (json_bool(b, "is_error", false))
		buf_puts(&text, "Error: ");
	if (cJSON_IsString(content))
		buf_puts(&text, content->valuestring);
	const cJSON *arr = cJSON_IsArray(content) ? content : NULL;

	cJSON_ArrayForEach(c, arr)
	{
		const char *type = json_str(c, "type");

		if (type && strcmp(type, "text") == 0 && json_str(c, "text")) {
			if (text.len && text.ptr[text.len - 1] != ' ')
				buf_putc(&text, '\n');
			buf_puts(&text, json_str(c, "text"));
		} else if (type && (strcmp(type, "image") == 0 || strcmp(type, "document") == 0)) {
			if (cJSON_GetArraySize(images) == 0)
				add_text_part(images, "Attachments of the tool results above:");
			user_part(images, c, cfg);
			buf_printf(&text, "%s[%s attached in the next message]", text.len ? "\n" : "",
			           type);
		}
	}
	cJSON *m = json_add(msgs, NULL, json_new_obj());
	json_add_str(m, "role", "tool");
	json_add_str(m, "tool_call_id", id ? id : "");
	json_add_str(m, "content", buf_cstr(&text));
	buf_fini(&text);
}

static void
user_messages(cJSON *msgs, const cJSON *content, const struct llm_config *cfg)
{
	if (cJSON_IsString(content)) {
		cJSON *m = json_add(msgs, NULL, json_new_obj());

		json_add_str(m, "role", "user");
		json_add_str(m, "content", content->valuestring);
		return;
	}
	cJSON *parts = json_new_arr(), *images = json_new_arr();
	const cJSON *b;

	/* tool messages must follow the assistant's tool_calls at once */
	cJSON_ArrayForEach(b, content)
	{
		const char *type = json_str(b, "type");

		if (type && strcmp(type, "tool_result") == 0)
			tool_message(msgs, b, images, cfg);
		else
			user_part(parts, b, cfg);
	}
	cJSON_ArrayForEach(b, parts)
		json_add(images, NULL, json_dup(b));
	cJSON_Delete(parts);
	if (cJSON_GetArraySize(images) == 0) {
		cJSON_Delete(images);
		return;
	}
	cJSON *m = json_add(msgs, NULL, json_new_obj());
	json_add_str(m, "role", "user");
	json_add(m, "content", content_value(images));
}

static void
assistant_message(cJSON *msgs, const cJSON *content)
{
	cJSON *m = json_add(msgs, NULL, json_new_obj());
	struct buf text = BUF_INIT;
	cJSON *calls = NULL;
	const cJSON *b;

	json_add_str(m, "role", "assistant");
	if (cJSON_IsString(content))
		buf_puts(&text, content->valuestring);
	const cJSON *arr = cJSON_IsArray(content) ? content : NULL;

	cJSON_ArrayForEach(b, arr)
	{
		const char *type = json_str(b, "type");

		if (type && strcmp(type, "text") == 0 && json_str(b, "text")) {
			buf_puts(&text, json_str(b, "text"));
		} else if (type && strcmp(type, "tool_use") == 0) {
			const cJSON *in = json_obj(b, "input");
			char *args = in ? json_print(in) : xstrdup("{}");

			if (!calls)
				calls = json_new_arr();
			cJSON *c = json_add(calls, NULL, json_new_obj());
			json_add_str(c, "id", json_str(b, "id") ? json_str(b, "id") : "");
			json_add_str(c, "type", "function");
			cJSON *f = json_add(c, "function", json_new_obj());
			json_add_str(f, "name", json_str(b, "name") ? json_str(b, "name") : "");
			json_add_str(f, "arguments", args);
			free(args);
		}
	}
	if (text.len || !calls)
		json_add_str(m, "content", buf_cstr(&text));
	else
		json_add(m, "content", cJSON_CreateNull());
	if (calls)
		json_add(m, "tool_calls", calls);
	buf_fini(&text);
}

/* Base URL without trailing slashes: its length. */
static size_t
base_len(const char *base)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return n;
}

/* max_tokens alone: the thinking budget is anthropic's (llm_config). */
static long
output_tokens(const struct llm_config *cfg)
{
	return cfg->max_tokens;
}

static int
build_request(struct llm_http_spec *out, const struct llm_config *cfg,
              const struct llm_request *req)
{
	bool azure = cfg->provider && strcmp(cfg->provider, "azure") == 0;
	const char *base = cfg->base_url ? cfg->base_url : "https://api.openai.com/v1";
	size_t blen = base_len(base);

	memset(out, 0, sizeof *out);
	if (!cfg->model || !*cfg->model)
		return err_set("openai: no model configured");
	if (req->messages && !cJSON_IsArray(req->messages))
		return err_set("openai: messages must be an array");
	if (req->tools && !cJSON_IsArray(req->tools))
		return err_set("openai: tools must be an array");
	if (azure && cfg->api_version && *cfg->api_version) {
		/* the deployment is named by the model: it goes into the path */
		if (strspn(cfg->model, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                       "0123456789-_.") != strlen(cfg->model))
			return err_set("azure: the deployment name '%s' may hold only letters, "
			               "digits, '-', '_' and '.'",
			               cfg->model);
		if (strspn(cfg->api_version, "0123456789-abcdefghijklmnopqrstuvwxyz") !=
		    strlen(cfg->api_version))
			return err_set("azure: api_version '%s' is not a version such as 2024-10-21",
			               cfg->api_version);
		out->url = xasprintf("%.*s/openai/deployments/%s/chat/completions?api-version=%s",
		                     (int)blen, base, cfg->model, cfg->api_version);
	} else {
		out->url = xasprintf("%.*s/chat/completions", (int)blen, base);
	}
	out->headers = xcalloc(cfg->nheaders + 3, sizeof *out->headers);
	out->headers[out->nheaders++] = xstrdup("content-type: application/json");
	if (cfg->api_key && *cfg->api_key)
		out->headers[out->nheaders++] = azure ? xasprintf("api-key: %s", cfg->api_key)
		                                      : xasprintf("authorization: Bearer %s",
		                                                  cfg->api_key);
	for (size_t i = 0; i < cfg->nheaders; i++)
		out->headers[out->nheaders++] = xstrdup(cfg->headers[i]);

	cJSON *b = json_new_obj();
	cJSON *msgs = json_new_arr();
	const cJSON *m;

	json_add_str(b, "model", cfg->model);
	if (req->system && *req->system) {
		cJSON *sys = json_add(msgs, NULL, json_new_obj());

		json_add_str(sys, "role", "system");
		json_add_str(sys, "content", req->system);
	}
	cJSON_ArrayForEach(m, req->messages)
	{
		cJSON *own; /* a message the caller keeps as its text, read as a tree */
		const cJSON *t = json_open(m, &own);
		const char *role = json_str(t, "role");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(t, "content");

		if (role && strcmp(role, "assistant") == 0)
			assistant_message(msgs, content);
		else
			user_messages(msgs, content, cfg);
		cJSON_Delete(own);
	}
	json_add(b, "messages", msgs);
	if (req->tools && cJSON_GetArraySize(req->tools) > 0) {
		cJSON *tools = json_add(b, "tools", json_new_arr());
		const cJSON *t;

		cJSON_ArrayForEach(t, req->tools)
		{
			cJSON *o = json_add(tools, NULL, json_new_obj());
			cJSON *f;

			json_add_str(o, "type", "function");
			f = json_add(o, "function", json_new_obj());
			json_add_str(f, "name", json_str(t, "name") ? json_str(t, "name") : "");
			if (json_str(t, "description"))
				json_add_str(f, "description", json_str(t, "description"));
			f = json_add(f, "parameters",
			             json_obj(t, "input_schema") ? json_dup(json_obj(t, "input_schema"))
			                                         : json_new_obj());
		}
	}
	/* OpenAI's newer models (o-series, gpt-5) refuse max_tokens; local
	 * servers read only max_tokens. */
	bool official = azure || strstr(base, "://api.openai.com") != NULL;
	json_add_num(b, official ? "max_completion_tokens" : "max_tokens",
	             (double)output_tokens(cfg));
	json_add_bool(b, "stream", true);
	json_add_bool(json_add(b, "stream_options", json_new_obj()), "include_usage", true);
	out->body = b;
	return 0;
}

/*
 * Stream assembly (§2.3)
 */

static void
stream_init(struct llm_stream *s)
{
	s->priv = xcalloc(1, sizeof(struct oai));
}

static void
stream_fini(struct llm_stream *s)
{
	struct oai *o = s->priv;

	if (!o)
		return;
	buf_fini(&o->text);
	for (size_t i = 0; i < o->n; i++) {
		free(o->calls[i].id);
		free(o->calls[i].name);
		buf_fini(&o->calls[i].args);
	}
	free(o->calls);
	free(o->chunk_id);
	free(o);
	s->priv = NULL;
}

/* Count n more bytes against the message limit (llm_stream_count); past it
 * what was accumulated is dropped. */
static int
take_bytes(struct llm_stream *s, size_t n)
{
	struct oai *o = s->priv;

	if (!llm_stream_count(s, n))
		return 0;
	buf_fini(&o->text);
	for (size_t i = 0; i < o->n; i++)
		buf_fini(&o->calls[i].args);
	return DH_EFAIL;
}

/* An id for a call the server sent without one (some local servers do):
 * derived from the response, so a replay gives the same. Heap. */
static char *
synth_id(const struct oai *o, const struct call *c)
{
	uint32_t h = 2166136261u; /* FNV-1a over the response id, name and arguments */
	const char *parts[] = { o->chunk_id ? o->chunk_id : "", c->name ? c->name : "",
		                buf_cstr(&((struct call *)c)->args) };

	for (size_t k = 0; k < sizeof parts / sizeof *parts; k++)
		for (const char *p = parts[k]; *p; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
	return xasprintf("call_%ld_%08x", c->index, h);
}

/* Write the text and the calls into s->message once. `complete`: the
 * response ended properly; a call of a cut response is not run. */
static void
build_message(struct llm_stream *s, bool complete)
{
	struct oai *o = s->priv;
	cJSON *content = json_arr(s->message, "content");

	if (!o || o->built)
		return;
	o->built = true;
	if (o->text.len) {
		cJSON *t = json_add(content, NULL, json_new_obj());

		json_add_str(t, "type", "text");
		json_add_strn(t, "text", o->text.ptr, o->text.len);
	}
	buf_fini(&o->text);
	for (size_t i = 0; i < o->n; i++) {
		struct call *c = &o->calls[i];
		char *id = c->id ? xstrdup(c->id) : synth_id(o, c);
		cJSON *u = json_add(content, NULL, json_new_obj());
		cJSON *input = NULL;
		bool blank = true;

		for (size_t k = 0; k < c->args.len && blank; k++)
			blank = strchr(" \t\r\n", c->args.ptr[k]) != NULL;
		json_add_str(u, "type", "tool_use");
		json_add_str(u, "id", id);
		json_add_str(u, "name", c->name ? c->name : "");
		if (!complete || !c->name) {
			llm_stream_add_malformed(s, id);
		} else if (blank) {
			input = json_new_obj();
		} else if (json_parse(&input, c->args.ptr, c->args.len, "tool arguments") < 0 ||
		           !cJSON_IsObject(input)) {
			/* small local models write broken JSON: never run it */
			cJSON_Delete(input);
			input = NULL;
			llm_stream_add_malformed(s, id);
		}
		json_add(u, "input", input ? input : json_new_obj());
		buf_fini(&c->args);
		free(id);
	}
}

static struct call *
call_at(struct oai *o, long index)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->calls[i].index == index)
			return &o->calls[i];
	ARRAY_GROW(o->calls, o->n, o->cap, 1);
	struct call *c = &o->calls[o->n++];
	memset(c, 0, sizeof *c);
	c->index = index;
	return c;
}

static int
on_tool_calls(struct llm_stream *s, const cJSON *calls)
{
	struct oai *o = s->priv;
	const cJSON *tc;

	cJSON_ArrayForEach(tc, calls)
	{
		/* Without an index (some servers send whole calls): the next one. */
		long index = (long)json_int(tc, "index", (long long)o->n);
		const cJSON *f = json_obj(tc, "function");
		const char *id = json_str(tc, "id"), *name = json_str(f, "name");
		const char *args = json_str(f, "arguments");

		if (index < 0 || index > 1024)
			return llm_stream_fail(s, "stream protocol error: tool call index %ld", index);
		struct call *c = call_at(o, index);
		/* set once: some servers repeat the id and name in every fragment */
		if (id && *id && !c->id)
			c->id = xstrdup(id);
		if (name && *name && !c->name)
			c->name = xstrdup(name);
		if (args && *args) {
			size_t n = strlen(args);

			if (take_bytes(s, n) < 0)
				return DH_EFAIL;
			buf_add(&c->args, args, n);
		} else if (f && cJSON_IsObject(json_obj(f, "arguments"))) {
			/* a server that sends the arguments as an object, not a string */
			char *js = json_print(json_obj(f, "arguments"));

			if (take_bytes(s, strlen(js)) < 0) {
				free(js);
				return DH_EFAIL;
			}
			buf_puts(&c->args, js);
			free(js);
		}
	}
	return 0;
}

/* usage → input (uncached), output, cache reads (§2.2: prompt_tokens counts
 * the cached ones too). */
static void
take_usage(struct llm_usage *u, const cJSON *usage)
{
	if (!cJSON_IsObject(usage))
		return;
	long prompt = (long)json_int_clamp(usage, "prompt_tokens", 0, LLM_TOKENS_MAX, 0);
	long cached = (long)json_int_clamp(json_obj(usage, "prompt_tokens_details"),
	                                   "cached_tokens", 0, LLM_TOKENS_MAX, 0);

	if (cached > prompt)
		cached = 0;
	u->input_tokens = prompt - cached;
	u->cache_read_tokens = cached;
	u->output_tokens = (long)json_int_clamp(usage, "completion_tokens", 0, LLM_TOKENS_MAX, 0);
	u->cache_creation_tokens = 0;
}

/* The error object of a chunk or body: {"error":{…}}, or the flat
 * {"object":"error",…} itself; NULL for neither (§2.4). */
static const cJSON *
error_obj(const cJSON *j)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");

	if (cJSON_IsObject(e))
		return e;
	if (json_str(j, "object") && strcmp(json_str(j, "object"), "error") == 0)
		return j;
	return NULL;
}

/* An error object in the stream, or a non-stream body: "TYPE: message".
 * Accepts {"error":{message,type,code}} (code a string or a number), the
 * flat {"object":"error",message,type,code} and {"error":"text"} (§2.4). */
static bool
error_of(struct buf *out, const cJSON *j)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *obj = error_obj(j);

	if (cJSON_IsString(e)) {
		buf_puts(out, "error: ");
		llm_one_line(out, e->valuestring, strlen(e->valuestring), 300);
		return true;
	}
	if (!obj)
		return false;
	const char *type = json_str(obj, "type"), *msg = json_str(obj, "message");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(obj, "code");
	char num[32];

	if (!type && cJSON_IsString(code))
		type = code->valuestring;
	if (!type && cJSON_IsNumber(code)) {
		snprintf(num, sizeof num, "%d", code->valueint);
		type = num;
	}
	llm_one_line(out, type ? type : "error", strlen(type ? type : "error"), 80);
	buf_puts(out, ": ");
	llm_one_line(out, msg ? msg : "(no message)", strlen(msg ? msg : "(no message)"), 300);
	return true;
}

static int
on_chunk(struct llm_stream *s, const cJSON *d)
{
	struct oai *o = s->priv;
	struct buf e = BUF_INIT;

	if (error_of(&e, d)) {
		const cJSON *eo = error_obj(d);

		/* a failing, overloaded or rate-limited server: retried as a cut stream */
		if (eo && llm_error_transient(json_str(eo, "type"),
		                              cJSON_GetObjectItemCaseSensitive(eo, "code")))
			s->transient = !s->error;
		int rc = llm_stream_fail(s, "stream error %s (after %u events)", buf_cstr(&e),
		                         s->nevents);
		buf_fini(&e);
		return rc;
	}
	buf_fini(&e);
	s->started = true;
	if (!o->chunk_id && json_str(d, "id"))
		o->chunk_id = xstrdup(json_str(d, "id"));
	/* the usage chunk has "choices": []; others may carry "usage": null */
	take_usage(&s->usage, json_obj(d, "usage"));
	const cJSON *ch = cJSON_GetArrayItem(json_arr(d, "choices"), 0);
	if (!cJSON_IsObject(ch))
		return 0;
	const cJSON *delta = json_obj(ch, "delta");
	const char *text = json_str(delta, "content");
	const char *refusal = json_str(delta, "refusal");

	if (o->built)
		return 0; /* content after the finish: ignored like events after message_stop */
	if (text && *text) {
		size_t n = strlen(text);

		if (take_bytes(s, n) < 0)
			return DH_EFAIL;
		buf_add(&o->text, text, n);
		if (s->on_text)
			s->on_text(text, n, s->ctx);
	}
	if (refusal && *refusal) {
		size_t n = strlen(refusal);

		if (take_bytes(s, n) < 0)
			return DH_EFAIL;
		buf_add(&o->text, refusal, n);
		if (s->on_text)
			s->on_text(refusal, n, s->ctx);
	}
	/* reasoning text (reasoning_content, reasoning) is not kept: no provider
	 * could take it back, and it is not the answer */
	if (cJSON_IsArray(json_arr(delta, "tool_calls")) &&
	    on_tool_calls(s, json_arr(delta, "tool_calls")) < 0)
		return DH_EFAIL;
	const char *fr = json_str(ch, "finish_reason");
	if (fr && *fr) {
		const char *stop = NULL;

		for (size_t i = 0; i < sizeof stop_map / sizeof *stop_map && !stop; i++)
			if (strcmp(fr, stop_map[i].finish) == 0)
				stop = stop_map[i].stop;
		/* Ollama (and others) say "stop" after tool calls */
		if (stop && strcmp(stop, "end_turn") == 0 && o->n > 0)
			stop = "tool_use";
		free(s->stop_reason);
		s->stop_reason = xstrdup(stop ? stop : fr);
		/* The message is whole; the usage chunk and [DONE] may follow, but a
		 * connection cut after this point loses nothing of it. */
		build_message(s, true);
		s->finished = true;
	}
	return 0;
}

static int
stream_event(struct llm_stream *s, const struct sse_event *ev)
{
	cJSON *d = NULL;
	size_t n = ev->data_len;

	/* No event: lines in this protocol; a named event other than an error
	 * is a server's extension, skipped. */
	if (ev->event && strcmp(ev->event, "error") != 0 && strcmp(ev->event, "message") != 0)
		return 0;
	while (n > 0 && (ev->data[n - 1] == ' ' || ev->data[n - 1] == '\r'))
		n--;
	if (n == 0)
		return 0;
	if (n >= 6 && memcmp(ev->data, "[DONE]", 6) == 0) {
		if (s->started && !s->finished && !s->error)
			return llm_stream_fail(s, "stream ended without a finish_reason (after %u "
			                          "events, [DONE])",
			                       s->nevents);
		s->finished = s->finished || s->started;
		return 0;
	}
	if (llm_event_parse(&d, ev, "chunk") < 0)
		return llm_stream_fail(s, "server sent an invalid chunk (%s)", err_msg());
	if (!cJSON_IsObject(d)) {
		cJSON_Delete(d);
		return llm_stream_fail(s, "server sent an invalid chunk (not an object)");
	}
	int rc = on_chunk(s, d);
	cJSON_Delete(d);
	return rc;
}

/* The choice of a whole chat.completion body (§2.2); NULL if `j` is not one. */
static cJSON *
completion_choice(const cJSON *j)
{
	const char *obj = json_str(j, "object");
	cJSON *ch = cJSON_GetArrayItem(json_arr(j, "choices"), 0);

	if (!cJSON_IsObject(j) || error_obj(j) || (obj && strcmp(obj, "chat.completion") != 0) ||
	    !cJSON_IsObject(ch) || !cJSON_IsObject(json_obj(ch, "message")))
		return NULL;
	return ch;
}

/* A server that ignored "stream": true sent one chat.completion (§2.2): it
 * is the chunk its stream would have been, its message the delta, so the
 * text, calls, usage and stop reason come out as streamed. */
static int
stream_whole(struct llm_stream *s, const char *body, size_t len)
{
	struct sse_event ev = { .data = body, .data_len = len, .retry = -1 };
	cJSON *j = NULL;

	if (llm_event_parse(&j, &ev, "chat.completion") < 0) {
		cJSON_Delete(j);
		return 1;
	}
	cJSON *ch = completion_choice(j);
	if (!ch) {
		cJSON_Delete(j);
		return 1;
	}
	if (!json_str(ch, "finish_reason")) {
		cJSON_Delete(j);
		return llm_stream_fail(s, "server sent a chat.completion without a finish_reason "
		                          "(HTTP 200)");
	}
	llm_json_set(ch, "delta", cJSON_DetachItemFromObjectCaseSensitive(ch, "message"));
	int rc = on_chunk(s, j);
	cJSON_Delete(j);
	return rc;
}

static int
stream_finish(struct llm_stream *s)
{
	if (s->priv)
		build_message(s, s->finished && !s->error);
	if (s->error)
		return DH_EFAIL;
	if (!s->finished)
		return llm_stream_fail(s, "stream ended mid-response (after %u events, no "
		                          "finish_reason)",
		                       s->nevents);
	if (!s->stop_reason)
		return llm_stream_fail(s, "stream ended without a finish_reason");
	for (size_t i = 0; i < sizeof stop_map / sizeof *stop_map; i++)
		if (strcmp(s->stop_reason, stop_map[i].stop) == 0)
			return 0;
	struct buf b = BUF_INIT;
	llm_one_line(&b, s->stop_reason, strlen(s->stop_reason), 80);
	int rc = llm_stream_fail(s, "unknown finish_reason '%s'", buf_cstr(&b));
	buf_fini(&b);
	return rc;
}

/*
 * Errors (§2.4)
 */

static char *
error_text(long status, const char *content_type, const char *body, size_t len)
{
	struct buf b = BUF_INIT;
	cJSON *j = NULL;

	if (len > 0 && json_parse(&j, body, len, "error body") == 0) {
		struct buf e = BUF_INIT;

		if (error_of(&e, j)) {
			buf_printf(&b, "HTTP %ld %s", status, buf_cstr(&e));
		} else if (status == 200) {
			/* neither a stream nor a completion (stream_whole): what it is */
			buf_puts(&b, "server sent a JSON body that is neither an event stream nor a "
			             "chat.completion (HTTP 200): ");
			llm_one_line(&b, body, len, 200);
		}
		buf_fini(&e);
	}
	cJSON_Delete(j);
	if (b.len > 0)
		return buf_detach(&b);
	buf_fini(&b);
	return llm_error_text_raw(status, content_type, body, len);
}

/*
 * Recording: consecutive text chunks merged into one, and consecutive
 * argument fragments of one call, so that a grant path split across chunks
 * is redacted as plain text. Anything else is written as received.
 */

/* A chunk whose delta is only text ("content") or only one call's argument
 * fragment ("arguments", by the call's index). */
static bool
merge_classify(const struct sse_event *ev, const cJSON *d, const char **field, long *index,
               const char **v)
{
	const cJSON *choices = json_arr(d, "choices");
	const cJSON *ch = cJSON_GetArrayItem(choices, 0);
	const cJSON *delta = json_obj(ch, "delta");
	const cJSON *x;
	int keys = 0;

	/* A chunk without its response id does not merge: the run's first
	 * chunk stands for the rest in the recording, and the first id seen
	 * names the calls that came without one (synth_id), so a run must
	 * start at a chunk that has it. */
	if (ev->event || cJSON_GetArraySize(choices) != 1 || !delta || !json_str(d, "id") ||
	    json_str(ch, "finish_reason") || cJSON_IsObject(json_obj(d, "usage")) ||
	    cJSON_GetObjectItemCaseSensitive(d, "error"))
		return false;
	cJSON_ArrayForEach(x, delta)
		keys++;
	const cJSON *calls = json_arr(delta, "tool_calls");
	if (keys == 1 && json_str(delta, "content")) {
		*field = "content";
		*index = -1;
		*v = json_str(delta, "content");
		return true;
	}
	if (keys != 1 || cJSON_GetArraySize(calls) != 1)
		return false;
	const cJSON *tc = cJSON_GetArrayItem(calls, 0);
	const cJSON *f = json_obj(tc, "function");

	if (json_str(tc, "id") || json_str(f, "name") || !json_str(f, "arguments") ||
	    !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(tc, "index")))
		return false;
	*field = "arguments";
	*index = (long)json_int(tc, "index", 0);
	*v = json_str(f, "arguments");
	return true;
}

static void
merge_set(cJSON *first, const char *field, const char *v)
{
	cJSON *delta = json_obj(cJSON_GetArrayItem(json_arr(first, "choices"), 0), "delta");

	if (strcmp(field, "content") == 0)
		llm_json_set(delta, "content", cJSON_CreateString(v));
	else
		llm_json_set(json_obj(cJSON_GetArrayItem(json_arr(delta, "tool_calls"), 0),
		                      "function"),
		             "arguments", cJSON_CreateString(v));
}

static const struct llm_merge_ops merge_ops = {
	.classify = merge_classify,
	.set = merge_set,
};

static void
record_body(struct buf *out, const char *body, size_t len)
{
	llm_record_merged(out, body, len, &merge_ops);
}

const struct llm_provider_ops llm_openai_ops = {
	.name = "openai",
	.end_name = "finish_reason",
	.build_request = build_request,
	.output_tokens = output_tokens,
	.stream_init = stream_init,
	.stream_event = stream_event,
	.stream_finish = stream_finish,
	.stream_whole = stream_whole,
	.stream_fini = stream_fini,
	.error_text = error_text,
	.record_body = record_body,
};
