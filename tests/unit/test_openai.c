/* SPDX-License-Identifier: MIT */
/* OpenAI-compatible provider without network: chunk text -> sse.c ->
 * llm_openai_ops (PROTOCOLS.md §2.3), its request translation (§2.1) and its
 * error shapes (§2.4). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "llm/llm.h"
#include "llm/provider.h"
#include "stream_harness.h"

#define D(json) "data: " json "\n\n"
#define CH(delta, finish)                                                                         \
	D("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":" \
	  "\"m\",\"choices\":[{\"index\":0,\"delta\":" delta ",\"logprobs\":null,"               \
	  "\"finish_reason\":" finish "}]}")

/* §2.3's text example, with a cached-token usage chunk. */
static const char text_stream[] =
	CH("{\"role\":\"assistant\",\"content\":\"\"}", "null") CH("{\"content\":\"Hel\"}", "null")
		CH("{\"content\":\"lo ça\"}", "null") CH("{}", "\"stop\"")
			D("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
			  "\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":90,"
			  "\"completion_tokens\":2,\"total_tokens\":92,\"prompt_tokens_details\":{"
			  "\"cached_tokens\":40}}}") D("[DONE]");

/* §2.3's tool-call example: two calls, the first's arguments fragmented, the
 * fragments of both interleaved. */
static const char tools_stream[] =
	CH("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":"
	   "\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
	   "\"\"}}]}",
	   "null")
		CH("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"loca\"}}]}",
		   "null")
			CH("{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\","
			   "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":"
			   "\\\"Oslo\\\"}\"}}]}",
			   "null")
				CH("{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"function\":{"
				   "\"arguments\":\"tion\\\":\\\"Paris\\\"}\"}}]}",
				   "null") CH("{}", "\"tool_calls\"") D("[DONE]");

Test(openai, text_and_usage)
{
	struct stream_run r;

	for (size_t chunk = 0; chunk <= 7; chunk += 7) {
		stream_harness_run(&r, &llm_openai_ops, text_stream, chunk);
		cr_assert_eq(r.finish_rc, 0, "%s", r.st.error);
		cr_assert_str_eq(buf_cstr(&r.text), "Hello ça");
		cr_assert_str_eq(r.st.stop_reason, "end_turn");
		stream_harness_json_eq(
			r.st.message,
			"{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":"
			"\"Hello ça\"}]}");
		/* prompt_tokens counts the cached ones: 50 uncached, 40 read */
		cr_assert_eq(r.st.usage.input_tokens, 50);
		cr_assert_eq(r.st.usage.cache_read_tokens, 40);
		cr_assert_eq(r.st.usage.output_tokens, 2);
		stream_harness_free(&r);
	}
}

Test(openai, tool_calls_assembled_by_index)
{
	struct stream_run r;

	stream_harness_run(&r, &llm_openai_ops, tools_stream, 5);
	cr_assert_eq(r.finish_rc, 0, "%s", r.st.error);
	cr_assert_str_eq(r.st.stop_reason, "tool_use");
	cr_assert_eq(r.st.nmalformed, 0);
	stream_harness_json_eq(r.st.message,
	                       "{\"role\":\"assistant\",\"content\":["
	                       "{\"type\":\"tool_use\",\"id\":\"call_a\",\"name\":\"get_weather\","
	                       "\"input\":{\"location\":\"Paris\"}},"
	                       "{\"type\":\"tool_use\",\"id\":\"call_b\",\"name\":\"get_weather\","
	                       "\"input\":{\"location\":\"Oslo\"}}]}");
	/* no usage chunk: nothing counted */
	cr_assert_eq(r.st.usage.input_tokens, 0);
	cr_assert_eq(r.st.usage.output_tokens, 0);
	stream_harness_free(&r);
}

Test(openai, ollama_whole_call_with_stop_and_no_id)
{
	static const char s[] = CH("{\"role\":\"assistant\",\"content\":\"\"}", "null") CH(
		"{\"tool_calls\":[{\"function\":{\"name\":\"read_file\",\"arguments\":{\"path\":"
		"\"a.txt\"}}}]}",
		"null") CH("{}", "\"stop\"") D("[DONE]");
	struct stream_run r, r2;

	stream_harness_run(&r, &llm_openai_ops, s, 0);
	cr_assert_eq(r.finish_rc, 0, "%s", r.st.error);
	/* "stop" after a tool call is a tool_use turn */
	cr_assert_str_eq(r.st.stop_reason, "tool_use");
	const cJSON *u = cJSON_GetArrayItem(json_arr(r.st.message, "content"), 0);
	stream_harness_json_eq(json_obj(u, "input"), "{\"path\":\"a.txt\"}");
	/* an id derived from the response: the same on a replay */
	cr_assert(strncmp(json_str(u, "id"), "call_0_", 7) == 0, "%s", json_str(u, "id"));
	stream_harness_run(&r2, &llm_openai_ops, s, 3);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(json_arr(r2.st.message, "content"), 0), "id"),
	                 json_str(u, "id"));
	stream_harness_free(&r);
	stream_harness_free(&r2);
}

Test(openai, length_inside_a_call_is_malformed)
{
	static const char s[] = CH("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
	                           "\"index\":0,\"id\":\"call_x\",\"type\":\"function\","
	                           "\"function\":{\"name\":\"write_file\",\"arguments\":"
	                           "\"{\\\"path\\\":\\\"a\"}}]}",
	                           "null") CH("{}", "\"length\"") D("[DONE]");
	struct stream_run r;

	stream_harness_run(&r, &llm_openai_ops, s, 0);
	cr_assert_eq(r.finish_rc, 0);
	cr_assert_str_eq(r.st.stop_reason, "max_tokens");
	cr_assert_eq(r.st.nmalformed, 1);
	cr_assert_str_eq(r.st.malformed[0], "call_x");
	stream_harness_free(&r);
}

Test(openai, cut_before_the_finish_is_incomplete)
{
	static const char s[] = CH("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
	                           "\"index\":0,\"id\":\"call_x\",\"type\":\"function\","
	                           "\"function\":{\"name\":\"t\",\"arguments\":\"{}\"}}]}",
	                           "null");
	struct stream_run r;

	stream_harness_run(&r, &llm_openai_ops, s, 0);
	cr_assert_lt(r.finish_rc, 0);
	cr_assert_not_null(strstr(r.st.error, "no finish_reason"), "%s", r.st.error);
	/* the partial message lists the call as not to be run */
	cr_assert_eq(r.st.nmalformed, 1);
	stream_harness_free(&r);

	/* [DONE] with no finish_reason */
	stream_harness_run(&r, &llm_openai_ops, CH("{\"content\":\"x\"}", "null") D("[DONE]"), 0);
	cr_assert_lt(r.finish_rc, 0);
	cr_assert_not_null(strstr(r.st.error, "without a finish_reason"), "%s", r.st.error);
	stream_harness_free(&r);
}

Test(openai, error_object_mid_stream)
{
	static const char s[] = CH("{\"content\":\"Part\"}", "null")
		D("{\"error\":{\"code\":500,\"message\":\"model\\ncrashed\",\"type\":\"server_error\"}}")
			D("[DONE]");
	struct stream_run r;

	stream_harness_run(&r, &llm_openai_ops, s, 0);
	cr_assert_lt(r.event_rc, 0);
	cr_assert_lt(r.finish_rc, 0);
	cr_assert_str_eq(r.st.error, "stream error server_error: model crashed (after 2 events)");
	cr_assert(r.st.transient, "a failing server's error is retried");
	stream_harness_free(&r);

	/* the flat shape, and an event: error line (OpenRouter-like) */
	stream_harness_run(
		&r, &llm_openai_ops,
		"event: error\ndata: {\"object\":\"error\",\"message\":\"bad\",\"code\":400}\n\n",
		0);
	cr_assert_str_eq(r.st.error, "stream error 400: bad (after 1 events)");
	cr_assert_not(r.st.transient, "a bad request's error is not retried");
	stream_harness_free(&r);
	/* a named event that is not an error is an extension: skipped */
	stream_harness_run(&r, &llm_openai_ops,
	                   "event: ping\ndata: {}\n\n" CH("{\"content\":\"ok\"}", "\"stop\""), 0);
	cr_assert_eq(r.finish_rc, 0, "%s", r.st.error);
	stream_harness_free(&r);
}

/* Which error objects mid-stream are the server's passing trouble: by type,
 * by a string code, by a numeric code read as an HTTP status. */
Test(openai, error_object_mid_stream_transient)
{
	static const struct {
		const char *chunk;
		bool transient;
	} cases[] = {
		{ D("{\"error\":{\"message\":\"m\",\"type\":\"server_error\"}}"), true },
		{ D("{\"error\":{\"message\":\"m\",\"type\":\"requests\",\"code\":"
		    "\"rate_limit_exceeded\"}}"),
		  true },
		{ D("{\"error\":{\"message\":\"m\",\"type\":\"InternalServerError\"}}"),
		  true },
		{ D("{\"error\":{\"message\":\"m\",\"code\":503}}"), true },
		{ D("{\"error\":{\"message\":\"m\",\"type\":\"insufficient_quota\","
		    "\"code\":\"insufficient_quota\"}}"),
		  false },
		{ D("{\"error\":{\"message\":\"m\",\"type\":\"BadRequestError\",\"code\":"
		    "400}}"),
		  false },
		{ D("{\"error\":\"something broke\"}"), false },
	};
	struct stream_run r;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *s = xasprintf("%s%s", CH("{\"content\":\"Part\"}", "null"), cases[i].chunk);

		stream_harness_run(&r, &llm_openai_ops, s, 0);
		cr_assert_lt(r.event_rc, 0, "case %zu", i);
		cr_assert_eq(r.st.transient, cases[i].transient, "case %zu: %s", i, r.st.error);
		stream_harness_free(&r);
		free(s);
	}
}

Test(openai, message_limit)
{
	struct stream_run r;

	stream_harness_init(&r, &llm_openai_ops);
	r.st.max_bytes = 4;
	cr_assert_neq(stream_harness_feed(&r, text_stream, 0), 0);
	cr_assert_not_null(strstr(r.st.error, "over the limit of 4 bytes"), "%s", r.st.error);
	stream_harness_free(&r);
}

/* A server that ignored "stream": true: §2.2's body gives what §2.3's
 * stream of the same response gives. */
Test(openai, whole_completion_as_its_stream)
{
	static const char body[] =
		"{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
		"\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
		"\"assistant\",\"content\":\"Hello ça\",\"tool_calls\":[{\"id\":\"call_a\","
		"\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
		"\"{\\\"location\\\":\\\"Paris\\\"}\"}},{\"id\":\"call_b\",\"type\":"
		"\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
		"\"{\\\"location\\\":\\\"Oslo\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],"
		"\"usage\":{\"prompt_tokens\":90,\"completion_tokens\":17,\"total_tokens\":107,"
		"\"prompt_tokens_details\":{\"cached_tokens\":40}}}";
	struct stream_run r, t;

	stream_harness_init(&r, &llm_openai_ops);
	cr_assert_eq(llm_openai_ops.stream_whole(&r.st, body, strlen(body)), 0, "%s", r.st.error);
	cr_assert_eq(llm_openai_ops.stream_finish(&r.st), 0, "%s", r.st.error);
	cr_assert_str_eq(buf_cstr(&r.text), "Hello ça");
	cr_assert_str_eq(r.st.stop_reason, "tool_use");
	cr_assert_eq(r.st.nmalformed, 0);
	stream_harness_run(&t, &llm_openai_ops, tools_stream, 0);
	cr_assert_eq(cJSON_GetArraySize(json_arr(r.st.message, "content")), 3);
	/* the calls as the stream assembles them, after the text */
	for (int i = 0; i < 2; i++)
		cr_assert(cJSON_Compare(cJSON_GetArrayItem(json_arr(r.st.message, "content"), i + 1),
		                        cJSON_GetArrayItem(json_arr(t.st.message, "content"), i),
		                        true));
	cr_assert_eq(r.st.usage.input_tokens, 50);
	cr_assert_eq(r.st.usage.cache_read_tokens, 40);
	cr_assert_eq(r.st.usage.output_tokens, 17);
	stream_harness_free(&r);
	stream_harness_free(&t);
}

/* What is no chat.completion is left to error_text (1); one without a
 * finish_reason, or over the message limit, fails. */
Test(openai, whole_body_refusals)
{
	static const char *const others[] = {
		"<html>hi</html>",
		"{\"object\":\"list\",\"data\":[]}",
		"{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[]}",
		"{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}",
		"{\"object\":\"chat.completion.chunk\",\"choices\":[{\"message\":{}}]}",
	};
	static const char no_finish[] = "{\"object\":\"chat.completion\",\"choices\":[{"
	                                "\"message\":{\"content\":\"Hi\"}}]}";
	static const char big[] = "{\"choices\":[{\"message\":{\"content\":\"Hello\"},"
	                          "\"finish_reason\":\"stop\"}]}";
	struct stream_run r;

	for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
		stream_harness_init(&r, &llm_openai_ops);
		cr_assert_eq(llm_openai_ops.stream_whole(&r.st, others[i], strlen(others[i])), 1,
		             "%s", others[i]);
		cr_assert_null(r.st.error);
		stream_harness_free(&r);
	}
	stream_harness_init(&r, &llm_openai_ops);
	cr_assert_lt(llm_openai_ops.stream_whole(&r.st, no_finish, strlen(no_finish)), 0);
	cr_assert_str_eq(r.st.error,
	                 "server sent a chat.completion without a finish_reason (HTTP 200)");
	stream_harness_free(&r);
	stream_harness_init(&r, &llm_openai_ops);
	r.st.max_bytes = 4;
	cr_assert_lt(llm_openai_ops.stream_whole(&r.st, big, strlen(big)), 0);
	cr_assert_not_null(strstr(r.st.error, "over the limit of 4 bytes"), "%s", r.st.error);
	stream_harness_free(&r);
}

Test(openai, error_text_shapes)
{
	static const struct {
		long status;
		const char *body, *want;
	} cases[] = {
		{ 429,
		  "{\"error\":{\"message\":\"Rate limit\",\"type\":\"rate_limit_exceeded\",\"param\":"
		  "null,\"code\":null}}",
		  "HTTP 429 rate_limit_exceeded: Rate limit" },
		{ 400,
		  "{\"object\":\"error\",\"message\":\"too long\",\"type\":\"BadRequestError\","
		  "\"param\":null,\"code\":400}",
		  "HTTP 400 BadRequestError: too long" },
		{ 503, "{\"error\":{\"code\":503,\"message\":\"Loading model\"}}",
		  "HTTP 503 503: Loading model" },
		{ 404, "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"no such\"}}",
		  "HTTP 404 DeploymentNotFound: no such" },
		{ 401, "{\"error\":\"invalid key\"}", "HTTP 401 error: invalid key" },
		{ 502, "<html>bad gateway</html>", "HTTP 502: <html>bad gateway</html>" },
		{ 500, "", "HTTP 500 with an empty body" },
		{ 200, "{\"id\":\"x\",\"choices\":[]}",
		  "server sent a JSON body that is neither an event stream nor a chat.completion "
		  "(HTTP 200): {\"id\":\"x\",\"choices\":[]}" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *t = llm_openai_ops.error_text(cases[i].status, "application/json",
		                                    cases[i].body, strlen(cases[i].body));
		cr_assert_str_eq(t, cases[i].want);
		free(t);
	}
}

static cJSON *
parse(const char *text)
{
	cJSON *v = NULL;

	cr_assert_eq(json_parse(&v, text, strlen(text), "test"), 0, "%s", text);
	return v;
}

Test(openai, request_translation)
{
	cJSON *tools = parse("[{\"name\":\"read_file\",\"description\":\"Read\",\"input_schema\":{"
	                     "\"type\":\"object\"}}]");
	cJSON *msgs = parse(
		"[{\"role\":\"user\",\"content\":\"hi\"},"
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Reading.\"},"
		"{\"type\":\"tool_use\",\"id\":\"c1\",\"name\":\"read_file\",\"input\":{\"path\":"
		"\"a.png\"}},{\"type\":\"tool_use\",\"id\":\"c2\",\"name\":\"read_file\",\"input\":{"
		"\"path\":\"b.pdf\"}}]},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"c1\","
		"\"content\":[{\"type\":\"text\",\"text\":\"a.png: image/png\"},{\"type\":\"image\","
		"\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBO\"}}]},"
		"{\"type\":\"tool_result\",\"tool_use_id\":\"c2\",\"is_error\":true,\"content\":\"no\"},"
		"{\"type\":\"document\",\"title\":\"r.pdf\",\"source\":{\"type\":\"base64\","
		"\"media_type\":\"application/pdf\",\"data\":\"JVBE\"}},"
		"{\"type\":\"text\",\"text\":\"go on\"}]}]");
	struct llm_config cfg = { .provider = "openai",
		                  .base_url = "http://127.0.0.1:1/v1/",
		                  .api_key = "k1",
		                  .model = "qwen3:8b",
		                  .max_tokens = 100 };
	struct llm_request req = { .system = "sys", .tools = tools, .messages = msgs };
	struct llm_http_spec spec;

	cr_assert_eq(llm_openai_ops.build_request(&spec, &cfg, &req), 0);
	cr_assert_str_eq(spec.url, "http://127.0.0.1:1/v1/chat/completions");
	cr_assert_str_eq(spec.headers[1], "authorization: Bearer k1");
	const cJSON *b = spec.body;
	cr_assert_eq(json_int(b, "max_tokens", 0), 100);
	cr_assert_null(json_obj(b, "max_completion_tokens"));
	stream_harness_json_eq(json_obj(b, "stream_options"), "{\"include_usage\":true}");
	stream_harness_json_eq(json_arr(b, "tools"),
	                       "[{\"type\":\"function\",\"function\":{\"name\":\"read_file\","
	                       "\"description\":\"Read\",\"parameters\":{\"type\":\"object\"}}}]");
	const cJSON *m = json_arr(b, "messages");
	cr_assert_eq(cJSON_GetArraySize(m), 6);
	stream_harness_json_eq(cJSON_GetArrayItem(m, 0),
	                       "{\"role\":\"system\",\"content\":\"sys\"}");
	stream_harness_json_eq(cJSON_GetArrayItem(m, 1), "{\"role\":\"user\",\"content\":\"hi\"}");
	stream_harness_json_eq(
		cJSON_GetArrayItem(m, 2),
		"{\"role\":\"assistant\",\"content\":\"Reading.\",\"tool_calls\":["
		"{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"read_file\","
		"\"arguments\":\"{\\\"path\\\":\\\"a.png\\\"}\"}},"
		"{\"id\":\"c2\",\"type\":\"function\",\"function\":{\"name\":\"read_file\","
		"\"arguments\":\"{\\\"path\\\":\\\"b.pdf\\\"}\"}}]}");
	/* the tool messages first, in order; the image goes to a user message */
	stream_harness_json_eq(cJSON_GetArrayItem(m, 3),
	                       "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":"
	                       "\"a.png: image/png\\n[image attached in the next message]\"}");
	stream_harness_json_eq(
		cJSON_GetArrayItem(m, 4),
		"{\"role\":\"tool\",\"tool_call_id\":\"c2\",\"content\":\"Error: no\"}");
	const cJSON *u = cJSON_GetArrayItem(m, 5);
	cr_assert_str_eq(json_str(u, "role"), "user");
	const cJSON *parts = json_arr(u, "content");
	cr_assert_eq(cJSON_GetArraySize(parts), 4);
	stream_harness_json_eq(cJSON_GetArrayItem(parts, 1),
	                       "{\"type\":\"image_url\",\"image_url\":{\"url\":"
	                       "\"data:image/png;base64,iVBO\"}}");
	/* qwen3:8b is not known to take PDFs: a note instead of the document */
	const char *note = json_str(cJSON_GetArrayItem(parts, 2), "text");
	cr_assert_not_null(strstr(note, "r.pdf: a PDF document that was not sent: the model "
	                                "qwen3:8b does not take PDF input"),
	                   "%s", note);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(parts, 3), "text"), "go on");
	llm_http_spec_fini(&spec);

	/* gpt-4o takes PDFs (a file part); Azure: deployment URL, api-key, extra header,
	 * max_completion_tokens */
	const char *hdr[] = { "X-Team: docs" };
	struct llm_config az = { .provider = "azure",
		                 .base_url = "https://co.openai.azure.com",
		                 .api_key = "k2",
		                 .model = "gpt-4o",
		                 .max_tokens = 50,
		                 .api_version = "2024-10-21",
		                 .headers = hdr,
		                 .nheaders = 1 };
	cr_assert_eq(llm_openai_ops.build_request(&spec, &az, &req), 0);
	cr_assert_str_eq(spec.url, "https://co.openai.azure.com/openai/deployments/gpt-4o/chat/"
	                           "completions?api-version=2024-10-21");
	cr_assert_eq(spec.nheaders, 3);
	cr_assert_str_eq(spec.headers[1], "api-key: k2");
	cr_assert_str_eq(spec.headers[2], "X-Team: docs");
	cr_assert_eq(json_int(spec.body, "max_completion_tokens", 0), 50);
	const cJSON *file = cJSON_GetArrayItem(
		json_arr(cJSON_GetArrayItem(json_arr(spec.body, "messages"), 5), "content"), 2);
	stream_harness_json_eq(file,
	                       "{\"type\":\"file\",\"file\":{\"filename\":\"r.pdf\",\"file_data\":"
	                       "\"data:application/pdf;base64,JVBE\"}}");
	llm_http_spec_fini(&spec);

	/* the same messages kept as their text only (Raw items) translate the same */
	cJSON *raw = json_new_arr();
	const cJSON *it;

	cJSON_ArrayForEach(it, msgs)
		json_add(raw, NULL, json_raw_take(json_print(it)));
	struct llm_request rreq = { .system = "sys", .tools = tools, .messages = raw };
	struct llm_http_spec rspec;

	cr_assert_eq(llm_openai_ops.build_request(&spec, &cfg, &req), 0);
	cr_assert_eq(llm_openai_ops.build_request(&rspec, &cfg, &rreq), 0);
	char *want = json_print(spec.body), *got = json_print(rspec.body);

	cr_assert_str_eq(got, want);
	free(want);
	free(got);
	llm_http_spec_fini(&spec);
	llm_http_spec_fini(&rspec);
	cJSON_Delete(raw);

	/* a deployment name that would change the path is refused, naming it */
	az.model = "a/../b";
	cr_assert_lt(llm_openai_ops.build_request(&spec, &az, &req), 0);
	cr_assert_not_null(strstr(err_msg(), "'a/../b'"));
	cJSON_Delete(tools);
	cJSON_Delete(msgs);
}

Test(openai, record_body_merges_and_replays_the_same_message)
{
	struct buf out = BUF_INIT;
	struct stream_run a, b;

	llm_openai_ops.record_body(&out, tools_stream, strlen(tools_stream));
	/* call 0's fragments are interleaved with call 1: they merge only when
	 * consecutive, so the text is as long as before but replays the same */
	stream_harness_run(&a, &llm_openai_ops, tools_stream, 0);
	stream_harness_run(&b, &llm_openai_ops, buf_cstr(&out), 0);
	cr_assert_eq(b.finish_rc, 0, "%s", b.st.error);
	cr_assert(cJSON_Compare(a.st.message, b.st.message, true));
	stream_harness_free(&a);
	stream_harness_free(&b);
	buf_fini(&out);

	llm_openai_ops.record_body(&out, text_stream, strlen(text_stream));
	cr_assert_not_null(strstr(buf_cstr(&out), "\"content\":\"Hello ça\""), "%s",
	                   buf_cstr(&out));
	cr_assert_not_null(strstr(buf_cstr(&out), "data: [DONE]\n\n"));
	stream_harness_run(&a, &llm_openai_ops, buf_cstr(&out), 0);
	cr_assert_eq(a.finish_rc, 0);
	cr_assert_eq(a.ntext, 1);
	cr_assert_eq(a.st.usage.cache_read_tokens, 40);
	stream_harness_free(&a);
	buf_fini(&out);
}
