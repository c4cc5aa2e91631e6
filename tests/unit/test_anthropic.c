/* SPDX-License-Identifier: MIT */
/* Anthropic provider without network: SSE text -> sse.c -> llm_anthropic_ops (PROTOCOLS §1.9). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "llm/llm.h"
#include "llm/provider.h"
#include "llm/tokens.h"
#include "stream_harness.h"

#define EV(name, data) "event: " name "\ndata: " data "\n\n"

/* PROTOCOLS.md §1.9 full example, including the SDK fixture's padded data lines. */
static const char tool_use_stream[] = EV(
	"message_start",
	"{\"type\":\"message_start\",\"message\":{\"id\":\"msg_019Q1hrJbZG26Fb9BQhrkHEr\","
	"\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-20250514\","
	"\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":"
	"377,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1,"
	"\"service_tier\":\"standard\"}}}") EV("content_block_start",
                                               "{\"type\":\"content_block_start\",\"index\":0,"
                                               "\"content_block\":{\"type\":\"text\","
                                               "\"text\":\"\"}}") EV("ping", "{\"type\": \"ping\"}")
	EV("content_block_delta",
           "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
           "\"text\":\"I\"}}") EV("content_block_delta",
                                  "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{"
                                  "\"type\":\"text_delta\","
                                  "\"text\":\"'ll check the current weather in Paris for you.\"}}")
		EV("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0 }") EV(
			"content_block_start",
			"{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":"
			"\"tool_use\","
			"\"id\":\"toolu_01NRLabsLyVHZPKxbKvkfSMn\",\"name\":\"get_weather\","
			"\"caller\":{\"type\":"
			"\"direct\"},\"input\":{}}}") EV("content_block_delta",
                                                         "{\"type\":\"content_block_delta\","
                                                         "\"index\":1,\"delta\":{\"type\":\"input_"
                                                         "json_delta\","
                                                         "\"partial_json\":\"\"}}")
			EV("content_block_delta",
                           "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":"
                           "\"input_json_delta\","
                           "\"partial_json\":\"{\\\"locati\"}}") EV("content_block_delta",
                                                                    "{\"type\":\"content_block_"
                                                                    "delta\",\"index\":1,\"delta\":"
                                                                    "{\"type\":\"input_json_"
                                                                    "delta\","
                                                                    "\"partial_json\":\"on\\\": "
                                                                    "\\\"P\"}}")
				EV("content_block_delta",
                                   "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{"
                                   "\"type\":\"input_json_delta\","
                                   "\"partial_json\":\"ar\"}}")
					EV("content_block_delta",
                                           "{\"type\":\"content_block_delta\",\"index\":1,"
                                           "\"delta\":{\"type\":\"input_json_delta\","
                                           "\"partial_json\":\"is\\\"}\"}}")
						EV("content_block_stop",
                                                   "{\"type\":\"content_block_stop\",\"index\":1}")
							EV("message_delta",
                                                           "{\"type\":\"message_delta\",\"delta\":{"
                                                           "\"stop_reason\":\"tool_use\","
                                                           "\"stop_sequence\":null},\"usage\":{"
                                                           "\"output_tokens\":65}}          ")
								EV("message_stop",
                                                                   "{\"type\":\"message_stop\"}");

Test(anthropic, text_and_tool_use_fragments_any_chunking)
{
	size_t chunks[] = { 0, 1, 5, 64 };

	for (size_t i = 0; i < sizeof chunks / sizeof *chunks; i++) {
		struct stream_run r;

		stream_harness_run(&r, &llm_anthropic_ops, tool_use_stream, chunks[i]);
		cr_assert_eq(r.finish_rc, 0, "chunk %zu: %s", chunks[i],
		             r.st.error ? r.st.error : "");
		cr_assert_str_eq(r.st.stop_reason, "tool_use");
		cr_assert_str_eq(buf_cstr(&r.text),
		                 "I'll check the current weather in Paris for you.");
		cr_assert_eq(r.ntext, 2);
		cr_assert_eq(r.st.nmalformed, 0);
		cr_assert_eq(r.st.usage.input_tokens, 377);
		cr_assert_eq(r.st.usage.output_tokens, 65);
		cr_assert_eq(r.st.nevents, 15);
		stream_harness_json_eq(
			r.st.message,
			"{\"role\":\"assistant\",\"content\":["
			"{\"type\":\"text\",\"text\":\"I'll check the current weather in Paris "
			"for you.\"},"
			"{\"type\":\"tool_use\",\"id\":\"toolu_01NRLabsLyVHZPKxbKvkfSMn\","
			"\"name\":\"get_weather\",\"caller\":{\"type\":\"direct\"},"
			"\"input\":{\"location\":\"Paris\"}}]}");
		stream_harness_free(&r);
	}
}

static const char truncated_stream[] = EV(
	"message_start",
	"{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"role\":\"assistant\","
	"\"content\":[],\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}")
	EV("content_block_start",
           "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\","
           "\"id\":\"toolu_cut\",\"name\":\"write_file\",\"input\":{}}}")
		EV("content_block_delta",
                   "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_"
                   "delta\","
                   "\"partial_json\":\"{\\\"path\\\": \\\"a.txt\\\", \\\"content\\\": \\\"hel\"}}")
			EV("message_delta",
                           "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},"
                           "\"usage\":{\"output_tokens\":4096}}")
				EV("message_stop", "{\"type\":\"message_stop\"}");

Test(anthropic, truncated_tool_json_at_max_tokens_is_malformed)
{
	struct stream_run r;

	stream_harness_run(&r, &llm_anthropic_ops, truncated_stream, 3);
	cr_assert_eq(r.finish_rc, 0);
	cr_assert_str_eq(r.st.stop_reason, "max_tokens");
	cr_assert_eq(r.st.nmalformed, 1);
	cr_assert_str_eq(r.st.malformed[0], "toolu_cut");
	stream_harness_json_eq(r.st.message,
	                       "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\","
	                       "\"id\":\"toolu_cut\",\"name\":\"write_file\",\"input\":{}}]}");
	cr_assert_eq(r.st.usage.output_tokens, 4096);
	stream_harness_free(&r);
}

Test(anthropic, closed_tool_with_invalid_or_empty_json)
{
	const char *s = EV("message_start",
	                   "{\"type\":\"message_start\",\"message\":{\"content\":["
	                   "]}}") EV("content_block_start",
	                             "{\"type\":\"content_block_start\",\"index\":0,\"content_"
	                             "block\":{\"type\":"
	                             "\"tool_use\",\"id\":\"t_bad\",\"name\":\"x\",\"input\":{}}"
	                             "}") EV("content_block_delta",
	                                     "{\"type\":\"content_block_delta\",\"index\":0,"
	                                     "\"delta\":{\"type\":"
	                                     "\"input_json_delta\",\"partial_json\":\"{\\\"a\\\":"
	                                     " tru\"}}")
		EV("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}") EV(
			"content_block_start",
			"{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":"
			"\"tool_use\",\"id\":\"t_empty\",\"name\":\"y\",\"input\":{}}}")
			EV("content_block_delta",
	                   "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":"
	                   "\"input_json_delta\",\"partial_json\":\"\"}}") EV("content_block_stop",
	                                                                      "{\"type\":\"content_"
	                                                                      "block_stop\","
	                                                                      "\"index\":1}")
				EV("content_block_start",
	                           "{\"type\":\"content_block_start\",\"index\":2,\"content_"
	                           "block\":{\"type\":"
	                           "\"tool_use\",\"id\":\"t_arr\",\"name\":\"z\",\"input\":{}}"
	                           "}") EV("content_block_delta",
	                                   "{\"type\":\"content_block_delta\",\"index\":2,"
	                                   "\"delta\":{\"type\":"
	                                   "\"input_json_delta\",\"partial_json\":\"[1]\"}}")
					EV("content_block_stop",
	                                   "{\"type\":\"content_block_stop\",\"index\":2}")
						EV("message_delta",
	                                           "{\"type\":\"message_delta\",\"delta\":{\"stop_"
	                                           "reason\":\"tool_use\"}}")
							EV("message_stop",
	                                                   "{\"type\":\"message_stop\"}");
	struct stream_run r;

	stream_harness_run(&r, &llm_anthropic_ops, s, 0);
	cr_assert_eq(r.finish_rc, 0);
	cr_assert_eq(r.st.nmalformed, 2);
	cr_assert_str_eq(r.st.malformed[0], "t_bad");
	cr_assert_str_eq(r.st.malformed[1], "t_arr");
	stream_harness_json_eq(
		r.st.message,
		"{\"role\":\"assistant\",\"content\":["
		"{\"type\":\"tool_use\",\"id\":\"t_bad\",\"name\":\"x\",\"input\":{}},"
		"{\"type\":\"tool_use\",\"id\":\"t_empty\",\"name\":\"y\",\"input\":{}},"
		"{\"type\":\"tool_use\",\"id\":\"t_arr\",\"name\":\"z\",\"input\":{}}]}");
	stream_harness_free(&r);
}

/* A tool_use whose whole input comes in content_block_start, with no
 * input_json_delta (a gateway may send it so), keeps that input: it ran
 * with {}. */
Test(anthropic, tool_input_given_at_block_start_is_kept)
{
	const char *s =
		EV("message_start", "{\"type\":\"message_start\",\"message\":{\"content\":[]}}")
		EV("content_block_start",
		   "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":"
		   "\"tool_use\",\"id\":\"t_whole\",\"name\":\"read_file\","
		   "\"input\":{\"path\":\"a.txt\"}}}")
		EV("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
		EV("message_delta",
		   "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"}}")
		EV("message_stop", "{\"type\":\"message_stop\"}");
	struct stream_run r;

	stream_harness_run(&r, &llm_anthropic_ops, s, 0);
	cr_assert_eq(r.finish_rc, 0);
	cr_assert_eq(r.st.nmalformed, 0);
	stream_harness_json_eq(r.st.message,
	                       "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\","
	                       "\"id\":\"t_whole\",\"name\":\"read_file\","
	                       "\"input\":{\"path\":\"a.txt\"}}]}");
	stream_harness_free(&r);
}

Test(anthropic, unknown_blocks_kept_thinking_signature_replaced)
{
	const char *s = EV("message_start",
	                   "{\"type\":\"message_start\",\"message\":{\"content\":["
	                   "]}}") EV("content_block_start",
	                             "{\"type\":\"content_block_start\",\"index\":0,"
	                             "\"content_block\":{\"type\":"
	                             "\"thinking\",\"thinking\":\"\",\"signature\":"
	                             "\"\"}}") EV("content_block_delta", "{\"type\":\"content_"
	                                                                 "block_delta\",\"index\":"
	                                                                 "0,\"delta\":{\"type\":"
	                                                                 "\"thinking_delta\","
	                                                                 "\"thinking\":\"Let me "
	                                                                 "\"}}")
		EV("content_block_delta",
	           "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
	           "\"thinking_delta\",\"thinking\":\"think.\"}}") EV("content_block_delta",
	                                                              "{\"type\":\"content_block_"
	                                                              "delta\",\"index\":0,"
	                                                              "\"delta\":{\"type\":"
	                                                              "\"signature_delta\","
	                                                              "\"signature\":\"OLD\"}}")
			EV("content_block_delta",
	                   "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
	                   "\"signature_delta\",\"signature\":\"EqQBCgIYAhIM\"}}")
				EV("content_block_stop",
	                           "{\"type\":\"content_block_stop\","
	                           "\"index\":0}") EV("content_block_start",
	                                              "{\"type\":\"content_block_start\",\"index\":"
	                                              "1,\"content_"
	                                              "block\":{\"type\":"
	                                              "\"redacted_thinking\",\"data\":\"EmwKAhgB\"}"
	                                              "}") EV("content_block_stop",
	                                                      "{\"type\":\"content_block_stop\","
	                                                      "\"index\":1}")
					EV("content_block_start",
	                                   "{\"type\":\"content_block_start\",\"index\":2,"
	                                   "\"content_block\":{\"type\":"
	                                   "\"web_search_tool_result\",\"tool_use_id\":"
	                                   "\"srvtoolu_1\",\"content\":"
	                                   "{\"type\":\"web_search_tool_result_error\","
	                                   "\"error_code\":\"unavailable\"}}}")
						EV("content_block_delta",
	                                           "{\"type\":\"content_block_delta\",\"index\":2,"
	                                           "\"delta\":{\"type\":"
	                                           "\"future_delta\",\"x\":1}}")
							EV("content_block_stop",
	                                                   "{\"type\":\"content_block_stop\","
	                                                   "\"index\":2}") EV("brand_new_event",
	                                                                      "{\"type\":\"brand_"
	                                                                      "new_event\"}")
								EV("message_delta",
	                                                           "{\"type\":\"message_delta\","
	                                                           "\"delta\":{\"stop_reason\":"
	                                                           "\"end_turn\"}}")
									EV("message_stop",
	                                                                   "{\"type\":\"message_"
	                                                                   "stop\"}");
	struct stream_run r;

	stream_harness_run(&r, &llm_anthropic_ops, s, 7);
	cr_assert_eq(r.finish_rc, 0, "%s", r.st.error ? r.st.error : "");
	cr_assert_eq(r.ntext, 0, "thinking is not streamed as text");
	stream_harness_json_eq(
		r.st.message, "{\"role\":\"assistant\",\"content\":["
			      "{\"type\":\"thinking\",\"thinking\":\"Let me think.\","
			      "\"signature\":\"EqQBCgIYAhIM\"},"
			      "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgB\"},"
			      "{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_1\","
			      "\"content\":{\"type\":\"web_search_tool_result_error\","
			      "\"error_code\":\"unavailable\"}}]}");
	stream_harness_free(&r);
}

Test(anthropic, usage_accumulates_cumulatively)
{
	const char *s = EV("message_start",
	                   "{\"type\":\"message_start\",\"message\":{\"content\":[],\"usage\":{"
	                   "\"input_tokens\":100,\"cache_read_input_tokens\":50,"
	                   "\"cache_creation_input_tokens\":20,\"output_tokens\":1}}}")
		EV("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":null},"
	                            "\"usage\":{\"output_tokens\":30}}")
			EV("message_delta",
	                   "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
	                   "\"usage\":{\"output_tokens\":65,\"input_tokens\":120,"
	                   "\"cache_read_input_tokens\":null}}")
				EV("message_stop", "{\"type\":\"message_stop\"}");
	struct stream_run r;

	stream_harness_run(&r, &llm_anthropic_ops, s, 0);
	cr_assert_eq(r.finish_rc, 0);
	cr_assert_eq(r.st.usage.input_tokens, 120);
	cr_assert_eq(r.st.usage.output_tokens, 65, "cumulative, not summed");
	cr_assert_eq(r.st.usage.cache_read_tokens, 50, "null does not overwrite");
	cr_assert_eq(r.st.usage.cache_creation_tokens, 20);
	cr_assert_str_eq(r.st.stop_reason, "end_turn");
	stream_harness_free(&r);
}

static const char start_and_text[] = EV("message_start",
                                        "{\"type\":\"message_start\",\"message\":{\"content\":[]}}")
	EV("content_block_start",
           "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
           "\"text\":\"\"}}")
		EV("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                                          "{\"type\":\"text_delta\","
                                          "\"text\":\"Hello\"}}");

Test(anthropic, error_event_fails_with_type_and_message)
{
	char *s = xasprintf("%s%s", start_and_text,
	                    EV("error", "{\"type\": \"error\", \"error\": {\"type\": "
	                                "\"overloaded_error\", \"message\": \"Overloaded\"}}"));
	struct stream_run r;

	stream_harness_run(&r, &llm_anthropic_ops, s, 0);
	cr_assert_lt(r.event_rc, 0);
	cr_assert_lt(r.finish_rc, 0);
	cr_assert_str_eq(r.st.error, "stream error overloaded_error: Overloaded (after 4 events)");
	cr_assert_str_eq(buf_cstr(&r.text), "Hello");
	stream_harness_free(&r);
	free(s);
}

Test(anthropic, eof_without_message_stop_fails)
{
	char *s = xasprintf(
		"%s%s", start_and_text,
		EV("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
	struct stream_run r;

	stream_harness_run(&r, &llm_anthropic_ops, s, 0);
	cr_assert_eq(r.event_rc, 0);
	cr_assert_lt(r.finish_rc, 0);
	cr_assert_str_eq(r.st.error, "stream ended mid-response (after 4 events, no message_stop)");
	stream_harness_free(&r);
	free(s);
}

Test(anthropic, unknown_stop_reason_is_terminal)
{
	char *s = xasprintf("%s%s%s", start_and_text,
	                    EV("message_delta", "{\"type\":\"message_delta\",\"delta\":"
	                                        "{\"stop_reason\":\"banana\"}}"),
	                    EV("message_stop", "{\"type\":\"message_stop\"}"));
	struct stream_run r;

	stream_harness_run(&r, &llm_anthropic_ops, s, 0);
	cr_assert_lt(r.finish_rc, 0);
	cr_assert_str_eq(r.st.error, "unknown stop reason 'banana'");
	/* the open text block was still finalized */
	stream_harness_json_eq(r.st.message,
	                       "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\","
	                       "\"text\":\"Hello\"}]}");
	stream_harness_free(&r);
	free(s);
}

Test(anthropic, invalid_event_json_and_protocol_errors)
{
	struct stream_run r;

	stream_harness_run(&r, &llm_anthropic_ops,
	                   EV("message_start", "{\"type\":\"message_start\",\"message\":{}}")
	                           EV("content_block_delta", "{not json"),
	                   0);
	cr_assert_lt(r.event_rc, 0);
	cr_assert(strstr(r.st.error, "server sent an invalid content_block_delta event") != NULL,
	          "%s", r.st.error);
	stream_harness_free(&r);

	stream_harness_run(&r, &llm_anthropic_ops,
	                   EV("content_block_start",
	                      "{\"type\":\"content_block_start\",\"index\":0,"
	                      "\"content_block\":{\"type\":\"text\"}}"),
	                   0);
	cr_assert_str_eq(r.st.error,
	                 "stream protocol error: content_block_start before message_start");
	stream_harness_free(&r);

	stream_harness_run(&r, &llm_anthropic_ops,
	                   EV("message_start", "{\"type\":\"message_start\",\"message\":{}}")
	                           EV("content_block_delta", "{\"type\":\"content_block_delta\","
	                                                     "\"index\":9,\"delta\":{}}"),
	                   0);
	cr_assert_str_eq(r.st.error, "stream protocol error: delta for unknown block 9");
	stream_harness_free(&r);

	/* Events without an event: line are ignored, as the SDKs do. */
	stream_harness_run(&r, &llm_anthropic_ops,
	                   "data: {\"type\":\"message_start\",\"message\":{}}\n\n", 0);
	cr_assert_eq(r.st.started, false);
	cr_assert_str_eq(r.st.error, "stream ended mid-response (after 1 events, no message_stop)");
	stream_harness_free(&r);
}

Test(anthropic, error_text_shapes)
{
	const char *j = "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
			"\"message\":\"invalid x-api-key\"},\"request_id\":\"req_1\"}";
	char *m = llm_anthropic_ops.error_text(401, "application/json", j, strlen(j));
	cr_assert_str_eq(m, "HTTP 401 authentication_error: invalid x-api-key");
	free(m);

	m = llm_anthropic_ops.error_text(200, "text/html; charset=utf-8", "<html>oops</html>\n",
	                                 18);
	cr_assert_str_eq(m, "server sent a non-JSON body (HTTP 200, text/html): <html>oops</html>");
	free(m);

	char big[600];
	memset(big, 'x', sizeof big);
	memcpy(big, "<html>\n", 7);
	m = llm_anthropic_ops.error_text(413, "text/html", big, sizeof big);
	cr_assert(strncmp(m, "HTTP 413: <html> xxx", 20) == 0, "%s", m);
	cr_assert_eq(strlen(m), strlen("HTTP 413: ") + 200 + strlen("…"), "%s", m);
	cr_assert_eq(strchr(m, '\n'), NULL);
	free(m);

	m = llm_anthropic_ops.error_text(200, "application/json", "{\"id\":1}", 8);
	cr_assert_str_eq(m, "server sent a JSON body instead of an event stream (HTTP 200)");
	free(m);

	m = llm_anthropic_ops.error_text(502, NULL, "", 0);
	cr_assert_str_eq(m, "HTTP 502 with an empty body");
	free(m);
}

Test(anthropic, request_shape)
{
	const char *tools_text = "[{\"name\":\"a\",\"description\":\"A\",\"input_schema\":"
				 "{\"type\":\"object\"}},{\"name\":\"b\",\"description\":\"B\","
				 "\"input_schema\":{\"type\":\"object\"}}]";
	const char *msgs_text = "[{\"role\":\"user\",\"content\":\"hi\"}]";
	cJSON *tools = NULL, *msgs = NULL;
	struct llm_http_spec spec;
	struct llm_config cfg = {
		.base_url = "http://127.0.0.1:9/",
		.api_key = "sk-test",
		.model = "claude-sonnet-4-5",
		.max_tokens = 1000,
	};

	cr_assert_eq(json_parse(&tools, tools_text, strlen(tools_text), "t"), 0);
	cr_assert_eq(json_parse(&msgs, msgs_text, strlen(msgs_text), "m"), 0);
	struct llm_request req = { .system = "Be careful.", .tools = tools, .messages = msgs };
	cr_assert_eq(llm_anthropic_ops.build_request(&spec, &cfg, &req), 0);
	cr_assert_str_eq(spec.url, "http://127.0.0.1:9/v1/messages");
	cr_assert_eq(spec.nheaders, 3);
	cr_assert_str_eq(spec.headers[0], "x-api-key: sk-test");
	cr_assert_str_eq(spec.headers[1], "anthropic-version: 2023-06-01");
	cr_assert_str_eq(spec.headers[2], "content-type: application/json");
	char *body = json_print(spec.body);
	cr_assert_str_eq(
		body,
		"{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1000,\"stream\":true,"
		"\"system\":[{\"type\":\"text\",\"text\":\"Be careful.\",\"cache_control\":"
		"{\"type\":\"ephemeral\"}}],"
		"\"tools\":[{\"name\":\"a\",\"description\":\"A\",\"input_schema\":{\"type\":"
		"\"object\"}},{\"name\":\"b\",\"description\":\"B\",\"input_schema\":{\"type\":"
		"\"object\"},\"cache_control\":{\"type\":\"ephemeral\"}}],"
		"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
		"\"text\":\"hi\",\"cache_control\":{\"type\":\"ephemeral\"}}]}]}");
	/* the caller's tools and messages are not modified */
	cr_assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(tools, 1), "cache_control"));
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0), "content")));
	free(body);
	llm_http_spec_fini(&spec);
	cJSON_Delete(tools);
	cJSON_Delete(msgs);
}

/* The conversation's breakpoints (§1.7): the last cacheable block of the
 * last message and of the user message before the last assistant one;
 * thinking and empty text blocks are passed over, a caller's own markers
 * dropped. */
Test(anthropic, cache_breakpoints_move)
{
	const char *msgs_text =
		"[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"task\","
		"\"cache_control\":{\"type\":\"ephemeral\"}}]},"
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\","
		"\"name\":\"x\",\"input\":{}}]},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":"
		"\"t1\",\"content\":\"r1\"},{\"type\":\"text\",\"text\":\"\"}]},"
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":"
		"\"hm\",\"signature\":\"S\"},{\"type\":\"tool_use\",\"id\":\"t2\",\"name\":"
		"\"x\",\"input\":{}}]},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":"
		"\"t2\",\"content\":\"r2\"}]}]";
	cJSON *msgs = NULL;
	struct llm_http_spec spec;
	struct llm_config cfg = { .model = "claude-sonnet-4-5", .max_tokens = 1000 };

	cr_assert_eq(json_parse(&msgs, msgs_text, strlen(msgs_text), "m"), 0);
	struct llm_request req = { .system = "S", .messages = msgs };
	cr_assert_eq(llm_anthropic_ops.build_request(&spec, &cfg, &req), 0);
	const cJSON *sent = json_arr(spec.body, "messages");
	int marks = 0;
	for (int i = 0; i < cJSON_GetArraySize(sent); i++) {
		const cJSON *c = json_arr(cJSON_GetArrayItem(sent, i), "content");

		for (int j = 0; j < cJSON_GetArraySize(c); j++) {
			bool has = cJSON_GetObjectItem(cJSON_GetArrayItem(c, j), "cache_control");
			bool want = (i == 4 && j == 0) || (i == 2 && j == 0);

			cr_assert_eq(has, want, "message %d block %d", i, j);
			marks += has;
		}
	}
	cr_assert_eq(marks, 2);
	/* the messages the breakpoints leave alone are the caller's own, shared
	 * (no copy of the conversation per request); the others are copies */
	for (int i = 0; i < cJSON_GetArraySize(sent); i++) {
		const cJSON *m = cJSON_GetArrayItem(sent, i);
		bool shared = i == 1 || i == 3;

		cr_assert_eq((m->type & cJSON_IsReference) != 0, shared, "message %d", i);
		cr_assert_eq(m->child == cJSON_GetArrayItem(msgs, i)->child, shared, "message %d", i);
	}
	/* the caller's marker stays on the caller's copy */
	cr_assert_not_null(cJSON_GetObjectItem(
		cJSON_GetArrayItem(json_arr(cJSON_GetArrayItem(msgs, 0), "content"), 0),
		"cache_control"));
	llm_http_spec_fini(&spec);
	cJSON_Delete(msgs);
}

/* A request's text made from the caller's memos is the body json_print()
 * writes, byte for byte, and its estimate llm_tokens_estimate()'s: with
 * moved breakpoints (copies), string content, thinking with its signature,
 * invalid UTF-8, U+0000 and a control byte in the system prompt; with every
 * message memoised, some, or none. The memo is what is copied: a shared
 * message is not printed again. */
Test(anthropic, memo_body_is_the_printed_body)
{
	const char *msgs_text =
		"[{\"role\":\"user\",\"content\":\"task \\u00e9\"},"
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":"
		"\"hm\",\"signature\":\"Sig/+=\"},{\"type\":\"tool_use\",\"id\":\"t1\","
		"\"name\":\"x\",\"input\":{\"n\":1.5,\"b\":true,\"z\":null}}]},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":"
		"\"t1\",\"content\":\"r1\"}]},"
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t2\",\"name\":"
		"\"x\",\"input\":{}}]},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":"
		"\"t2\",\"content\":\"r2\"}]}]";
	const char *tools_text = "[{\"name\":\"a\",\"description\":\"A\",\"input_schema\":"
				 "{\"type\":\"object\"}}]";
	cJSON *msgs = NULL, *tools = NULL;
	struct llm_config cfg = { .model = "claude-sonnet-4-5", .max_tokens = 1000 };
	struct llm_memo memo[5];

	cr_assert_eq(json_parse(&msgs, msgs_text, strlen(msgs_text), "m"), 0);
	cr_assert_eq(json_parse(&tools, tools_text, strlen(tools_text), "t"), 0);
	/* invalid UTF-8 and U+0000 inside a shared message */
	cJSON *r1 = cJSON_GetArrayItem(json_arr(cJSON_GetArrayItem(msgs, 2), "content"), 0);
	cJSON_DeleteItemFromObjectCaseSensitive(r1, "content");
	json_add_str(r1, "content", "bad \xff byte, nul " JSON_NUL " here");
	for (int i = 0; i < 5; i++) {
		memo[i].json = json_print(cJSON_GetArrayItem(msgs, i));
		memo[i].tokens = llm_tokens_value(cJSON_GetArrayItem(msgs, i));
	}
	for (size_t nmemo = 0; nmemo <= 5; nmemo++) {
		struct llm_request req = { .system = "Sys \x01 \"quoted\" \\",
					   .tools = tools,
					   .messages = msgs,
					   .memo = memo,
					   .nmemo = nmemo };
		struct llm_http_spec spec;
		size_t tokens = 0;

		cr_assert_eq(llm_anthropic_ops.build_request(&spec, &cfg, &req), 0);
		char *want = json_print(spec.body);
		struct buf got = BUF_INIT;

		buf_puts(&got, "kept:");
		llm_body_print(&got, spec.body, &req, &tokens);
		cr_assert_str_eq(buf_cstr(&got) + 5, want, "nmemo %zu", nmemo);
		cr_assert_eq(got.len, 5 + strlen(want), "nmemo %zu", nmemo);
		cr_assert_eq(tokens, llm_tokens_estimate(spec.body), "nmemo %zu", nmemo);
		cr_assert_not_null(strstr(want, "bad \xef\xbf\xbd byte, nul \\u0000 here"));
		/* the body is the provider's again, whole */
		char *again = json_print(spec.body);
		cr_assert_str_eq(again, want);
		free(again);
		free(want);
		buf_fini(&got);
		llm_http_spec_fini(&spec);
	}
	/* the shared messages (1 and 3: the breakpoints are on 2 and 4) come
	 * from their memos; the copies are printed */
	free(memo[1].json);
	memo[1].json = xstrdup("{\"memo\":1}");
	free(memo[2].json);
	memo[2].json = xstrdup("{\"memo\":2}");
	struct llm_request req = { .system = "S", .messages = msgs, .memo = memo, .nmemo = 5 };
	struct llm_http_spec spec;
	size_t tokens;

	cr_assert_eq(llm_anthropic_ops.build_request(&spec, &cfg, &req), 0);
	struct buf got = BUF_INIT;

	llm_body_print(&got, spec.body, &req, &tokens);
	cr_assert_not_null(strstr(buf_cstr(&got), ",{\"memo\":1},{\"role\":\"user\""), "%s",
	                   buf_cstr(&got));
	cr_assert_null(strstr(buf_cstr(&got), "{\"memo\":2}"), "%s", buf_cstr(&got));
	buf_fini(&got);
	llm_http_spec_fini(&spec);
	for (int i = 0; i < 5; i++)
		free(memo[i].json);
	cJSON_Delete(msgs);
	cJSON_Delete(tools);
}

/* A history that keeps some messages as their text only (Raw items,
 * core/json.h), each with its memo pointing at that text, sends the same
 * bytes and estimate as the same history of trees, however many of them are
 * text (the breakpoints' messages too: they are read back as copies). A
 * message kept as text that no breakpoint needs is shared, not copied or
 * printed: its request item points at the very text. */
Test(anthropic, raw_history_sends_the_same_body)
{
	const char *msgs_text =
		"[{\"role\":\"user\",\"content\":\"task \\u00e9 \\u0000\"},"
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":"
		"\"hm\",\"signature\":\"Sig/+=\"},{\"type\":\"tool_use\",\"id\":\"t1\","
		"\"name\":\"x\",\"input\":{\"n\":1.5,\"b\":true,\"z\":null}}]},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":"
		"\"t1\",\"content\":\"r1 \\\"q\\\" \\n\"}]},"
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t2\",\"name\":"
		"\"x\",\"input\":{}}]},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":"
		"\"t2\",\"content\":\"r2\"}]}]";
	cJSON *trees = NULL;
	struct llm_config cfg = { .model = "claude-sonnet-4-5", .max_tokens = 1000 };

	cr_assert_eq(json_parse(&trees, msgs_text, strlen(msgs_text), "m"), 0);
	for (int nraw = 0; nraw <= 5; nraw++) {
		cJSON *hist = json_dup(trees);
		struct llm_memo memo[5];
		cJSON *m = hist->child, *next;

		for (int i = 0; i < 5; i++, m = next) {
			next = m->next;
			memo[i].json = json_print(m);
			memo[i].tokens = llm_tokens_value(m);
			if (i < nraw)
				cJSON_ReplaceItemViaPointer(hist, m, json_raw_take(memo[i].json));
		}
		struct llm_request want_req = { .system = "S", .messages = trees };
		struct llm_request req = {
			.system = "S", .messages = hist, .memo = memo, .nmemo = 5
		};
		struct llm_http_spec want_spec, spec;
		struct buf got = BUF_INIT;
		size_t tokens = 0;

		cr_assert_eq(llm_anthropic_ops.build_request(&want_spec, &cfg, &want_req), 0);
		cr_assert_eq(llm_anthropic_ops.build_request(&spec, &cfg, &req), 0);
		char *want = json_print(want_spec.body);

		llm_body_print(&got, spec.body, &req, &tokens);
		cr_assert_str_eq(buf_cstr(&got), want, "nraw %d", nraw);
		cr_assert_eq(tokens, llm_tokens_estimate(want_spec.body), "nraw %d", nraw);
		/* messages 1 and 3 carry no breakpoint: shared, as text when kept so */
		for (int i = 1; i < nraw && i <= 3; i += 2) {
			const cJSON *sent = cJSON_GetArrayItem(json_arr(spec.body, "messages"), i);

			cr_assert(cJSON_IsRaw(sent) && (sent->type & cJSON_IsReference), "%d", i);
			cr_assert_eq(sent->valuestring, memo[i].json);
		}
		free(want);
		buf_fini(&got);
		llm_http_spec_fini(&want_spec);
		llm_http_spec_fini(&spec);
		for (int i = nraw; i < 5; i++)
			free(memo[i].json);
		cJSON_Delete(hist);
	}
	cJSON_Delete(trees);
}

Test(anthropic, cost_table)
{
	struct llm_usage u = { .input_tokens = 1000000,
		               .output_tokens = 1000000,
		               .cache_read_tokens = 1000000,
		               .cache_creation_tokens = 1000000 };

	/* sonnet 3/15: 3 + 15 + 3.75 + 0.3 */
	cr_assert_float_eq(llm_cost_usd("claude-sonnet-4-5-20250929", &u), 22.05, 1e-9);
	cr_assert_float_eq(llm_cost_usd("claude-haiku-4-5", &u), 1 + 5 + 1.25 + 0.1, 1e-9);
	cr_assert_float_eq(llm_cost_usd("claude-opus-4-5", &u), 5 + 25 + 6.25 + 0.5, 1e-9);
	cr_assert_float_eq(llm_cost_usd("claude-opus-4-1-20250805", &u), 15 + 75 + 18.75 + 1.5,
	                   1e-9);
	cr_assert_float_eq(llm_cost_usd("gpt-oss", &u), 0, 1e-12);
	cr_assert_float_eq(llm_cost_usd(NULL, &u), 0, 1e-12);
}

Test(anthropic, record_body_merges_deltas_and_replays_the_same_message)
{
	struct buf out = BUF_INIT;
	struct stream_run a, b;

	llm_anthropic_ops.record_body(&out, tool_use_stream, strlen(tool_use_stream));
	/* the split tool input and text are contiguous now (so a path can be redacted) */
	cr_assert_not_null(strstr(buf_cstr(&out), "\"partial_json\":\"{\\\"location\\\": "
	                                          "\\\"Paris\\\"}\""),
	                   "%s", buf_cstr(&out));
	cr_assert_not_null(strstr(buf_cstr(&out), "\"text\":\"I'll check the current weather"));
	cr_assert_not_null(strstr(buf_cstr(&out), "event: ping\ndata: {\"type\": \"ping\"}\n\n"));
	stream_harness_run(&a, &llm_anthropic_ops, tool_use_stream, 0);
	stream_harness_run(&b, &llm_anthropic_ops, buf_cstr(&out), 0);
	cr_assert_eq(b.finish_rc, 0);
	cr_assert_eq(b.ntext, 1);
	cr_assert_eq(b.st.nevents, 10);
	cr_assert(cJSON_Compare(a.st.message, b.st.message, true));
	cr_assert_eq(memcmp(&a.st.usage, &b.st.usage, sizeof a.st.usage), 0);
	cr_assert_str_eq(a.st.stop_reason, b.st.stop_reason);
	stream_harness_free(&a);
	stream_harness_free(&b);
	buf_fini(&out);

	/* an unterminated tail is dropped; bad JSON is kept verbatim */
	const char *cut = EV("message_start", "{\"type\":\"message_start\",\"message\":{}}")
		EV("content_block_delta", "{oops") "event: content_block_delta\ndata: {\"ty";
	llm_anthropic_ops.record_body(&out, cut, strlen(cut));
	cr_assert_str_eq(buf_cstr(&out),
	                 EV("message_start", "{\"type\":\"message_start\",\"message\":{}}")
	                         EV("content_block_delta", "{oops"));
	buf_fini(&out);
}

/* set thinking (§1.6): a budget is sent as enabled with max_tokens raised
 * past it when it would not fit; adaptive as its own type; off: nothing. */
Test(anthropic, thinking_parameter)
{
	static const struct {
		long thinking;
		int max_tokens;
		const char *want; /* the thinking object, or NULL */
		double want_max;
	} cases[] = {
		{ 2048, 8192, "{\"type\":\"enabled\",\"budget_tokens\":2048}", 8192 },
		{ 16000, 8192, "{\"type\":\"enabled\",\"budget_tokens\":16000}", 24192 },
		{ LLM_THINKING_ADAPTIVE, 8192, "{\"type\":\"adaptive\"}", 8192 },
		{ 0, 8192, NULL, 8192 },
	};
	cJSON *msgs = cJSON_Parse("[{\"role\":\"user\",\"content\":\"hi\"}]");

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct llm_config cfg = { .model = "claude-sonnet-4-5",
			                  .max_tokens = cases[i].max_tokens,
			                  .thinking = cases[i].thinking };
		struct llm_request req = { .messages = msgs };
		struct llm_http_spec spec;

		cr_assert_eq(llm_anthropic_ops.build_request(&spec, &cfg, &req), 0);
		const cJSON *t = cJSON_GetObjectItem(spec.body, "thinking");
		if (cases[i].want) {
			char *got = json_print(t);
			cr_assert_str_eq(got, cases[i].want, "case %zu", i);
			free(got);
		} else {
			cr_assert_null(t, "case %zu", i);
		}
		cr_assert_float_eq(cJSON_GetObjectItem(spec.body, "max_tokens")->valuedouble,
		                   cases[i].want_max, 1e-9, "case %zu", i);
		llm_http_spec_fini(&spec);
	}
	cJSON_Delete(msgs);
}
