/* SPDX-License-Identifier: MIT */
/* The event/command wire format (README "Event stream"): stable field names. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/event.h"
#include "config/config.h"
#include "core/json.h"
#include "core/utf8.h"

static char *
ser(const struct event *ev)
{
	cJSON *j = event_to_json(ev);
	char *s = json_print(j);

	cJSON_Delete(j);
	return s;
}

Test(event, names_are_unique_and_complete)
{
	for (int i = 0; i < EVENT__COUNT; i++) {
		cr_assert_not_null(event_type_name(i));
		for (int k = 0; k < i; k++)
			cr_assert_str_neq(event_type_name(i), event_type_name(k));
	}
	cr_assert_null(event_type_name(EVENT__COUNT));
}

Test(event, tool_call_and_checkpoint_shapes)
{
	cJSON *in = cJSON_Parse("{\"path\":\"a.txt\"}");
	char *s = ser(&(struct event){ .type = EVENT_TOOL_CALL, .id = "toolu_1", .name = "read_file",
				       .input = in });

	cr_assert_str_eq(s, "{\"type\":\"tool_call\",\"id\":\"toolu_1\",\"name\":\"read_file\","
			    "\"input\":{\"path\":\"a.txt\"}}");
	free(s);
	cJSON_Delete(in);
	s = ser(&(struct event){ .type = EVENT_CHECKPOINT, .id = "abc", .short_id = "ab",
				 .grant = "/g", .tool_call = NULL, .turn = 2, .files_changed = 3,
				 .duration_ms = 7, .paths_read = 1, .ckpt_mode = "incremental",
				 .external = true });
	cr_assert_str_eq(s, "{\"type\":\"checkpoint\",\"id\":\"abc\",\"short_id\":\"ab\",\"grant\":\"/g\","
			    "\"tool_call\":null,\"turn\":2,\"files_changed\":3,\"duration_ms\":7,"
			    "\"stat\":null,\"paths_read\":1,\"mode\":\"incremental\",\"external\":true}");
	free(s);
	s = ser(&(struct event){ .type = EVENT_STATUS, .phase = "checkpoint", .turn = 0,
				 .pending_jobs = 1, .watcher = "inotify, 3 directories watched" });
	cr_assert_str_eq(s, "{\"type\":\"status\",\"phase\":\"checkpoint\",\"turn\":0,"
			    "\"pending_jobs\":1,\"watcher\":\"inotify, 3 directories watched\"}");
	free(s);
	s = ser(&(struct event){ .type = EVENT_SESSION_FINISHED, .status = "done", .text = "ok" });
	cr_assert_str_eq(s, "{\"type\":\"session_finished\",\"status\":\"done\",\"message\":\"ok\"}");
	free(s);
	s = ser(&(struct event){ .type = EVENT_USAGE, .usage = { 10, 20, 30, 40 }, .cost_usd = -1,
				 .total_cost_usd = 0.5 });
	cr_assert_str_eq(s, "{\"type\":\"usage\",\"input_tokens\":10,\"output_tokens\":20,"
			    "\"cache_read_tokens\":30,\"cache_creation_tokens\":40,\"cost_usd\":null,"
			    "\"total_cost_usd\":0.5,\"total_input_tokens\":0,\"total_output_tokens\":0,"
			    "\"total_cache_read_tokens\":0,\"total_cache_creation_tokens\":0}");
	free(s);
}

Test(command, parse_all_types_and_errors)
{
	struct command c;
	const char *ok[] = { "{\"type\":\"approve\",\"id\":\"t1\"}", "{\"type\":\"deny\",\"message\":\"no\"}",
			     "{\"type\":\"steer\",\"text\":\"hi\"}", "{\"type\":\"interrupt\"}" };
	enum command_type want[] = { COMMAND_APPROVE, COMMAND_DENY, COMMAND_STEER, COMMAND_INTERRUPT };

	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(command_parse(&c, ok[i], strlen(ok[i])), 0, "%s", ok[i]);
		cr_assert_eq(c.type, want[i]);
		command_fini(&c);
	}
	cr_assert_eq(command_parse(&c, ok[0], strlen(ok[0])), 0);
	cr_assert_str_eq(c.id, "t1");
	command_fini(&c);
	cr_assert_eq(command_parse(&c, "{\"type\":\"fly\"}", 14), DH_EPARSE);
	cr_assert(strstr(err_msg(), "unknown type 'fly'"));
	cr_assert_eq(command_parse(&c, "{\"type\":\"steer\"}", 16), DH_EPARSE);
	cr_assert_eq(command_parse(&c, "not json", 8), DH_EPARSE);
}

Test(event, approve_with_edited_steps)
{
	struct command c;
	const char *ok = "{\"type\":\"approve\",\"steps\":[{\"title\":\"a\"},{\"title\":\"b\"}]}";
	const char *bad[] = {
		"{\"type\":\"approve\",\"steps\":[]}",
		"{\"type\":\"approve\",\"steps\":[{\"title\":\"\"}]}",
		"{\"type\":\"approve\",\"steps\":\"a\"}",
		"{\"type\":\"deny\",\"steps\":[{\"title\":\"a\"}]}",
	};

	cr_assert_eq(command_parse(&c, ok, strlen(ok)), 0);
	cr_assert_eq(cJSON_GetArraySize(c.steps), 2);
	cr_assert_str_eq(cJSON_GetArrayItem(c.steps, 1)->child->valuestring, "b");
	command_fini(&c);
	cr_assert_null(c.steps);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cr_assert_eq(command_parse(&c, bad[i], strlen(bad[i])), DH_EPARSE, "%s", bad[i]);
		cr_assert(strstr(err_msg(), "steps"), "%s: %s", bad[i], err_msg());
	}
}

Test(event, review_commands)
{
	struct command c;
	const char *hunk = "{\"type\":\"accept\",\"path\":\"m.txt\",\"hunk\":2}";
	const char *rest = "{\"type\":\"restore\",\"checkpoint\":\"abc1234\",\"force\":true}";
	const char *bad[] = {
		"{\"type\":\"accept\",\"hunk\":2}",
		"{\"type\":\"reject\",\"path\":\"m.txt\",\"hunk\":0}",
		"{\"type\":\"reject\",\"path\":\"m.txt\",\"hunk\":\"2\"}",
		"{\"type\":\"restore\"}",
		/* a path that is there names one: "" or another type is no
		 * "every pending change" */
		"{\"type\":\"reject\",\"path\":\"\"}",
		"{\"type\":\"reject\",\"path\":123}",
		"{\"type\":\"accept\",\"path\":[\"m.txt\"]}",
		"{\"type\":\"reject\",\"path\":{\"p\":\"m.txt\"}}",
		"{\"type\":\"restore\",\"checkpoint\":\"abc1234\",\"force\":\"yes\"}",
	};

	cr_assert_eq(command_parse(&c, hunk, strlen(hunk)), 0, "%s", err_msg());
	cr_assert_eq(c.type, COMMAND_ACCEPT);
	cr_assert_str_eq(c.path, "m.txt");
	cr_assert_eq(c.hunk, 2);
	cr_assert_not(c.force);
	command_fini(&c);
	cr_assert_eq(command_parse(&c, rest, strlen(rest)), 0, "%s", err_msg());
	cr_assert_eq(c.type, COMMAND_RESTORE);
	cr_assert_str_eq(c.path, "abc1234");
	cr_assert(c.force);
	command_fini(&c);
	cr_assert_eq(command_parse(&c, "{\"type\":\"undo\"}", 15), 0);
	cr_assert_eq(c.type, COMMAND_UNDO);
	command_fini(&c);
	cr_assert_eq(command_parse(&c, "{\"type\":\"reject\"}", 17), 0);
	cr_assert_null(c.path);
	command_fini(&c);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_assert_eq(command_parse(&c, bad[i], strlen(bad[i])), DH_EPARSE, "%s", bad[i]);
	cr_assert_eq(command_parse(&c, bad[4], strlen(bad[4])), DH_EPARSE);
	cr_assert_str_eq(err_msg(), "command: reject: \"path\" must be a non-empty string (leave it "
	                            "out for every file)");
}

/* A file or folder name in a command survives the wire whole: bytes that are
 * not UTF-8 go as utf8_name_escape() writes them and come back as bytes; a
 * literal "\x41" in a name stays four characters; "seen" passes as it is. */
Test(event, command_paths_keep_their_bytes)
{
	static const char *const names[] = { "caf\xe9_\xff.txt", "a\\x41b", "plain/\u00e9.md" };
	struct command c;

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		struct command in = { .type = i ? COMMAND_REJECT : COMMAND_ACCEPT,
				      .path = (char *)names[i], .hunk = 2, .seen = (char *)"0123456789abcdef" };
		cJSON *o = command_to_json(&in);
		char *line = cJSON_PrintUnformatted(o);

		cr_assert(utf8_valid(line, strlen(line)), "%s", line);
		cr_assert_eq(command_parse(&c, line, strlen(line)), 0, "%s: %s", line, err_msg());
		cr_assert_str_eq(c.path, names[i], "%s", line);
		cr_assert_str_eq(c.seen, "0123456789abcdef");
		command_fini(&c);
		cJSON_free(line);
		cJSON_Delete(o);
	}
	struct command g = { .type = COMMAND_GRANT, .path = (char *)"/tmp/d\xe9r" };
	cJSON *o = command_to_json(&g);
	char *line = cJSON_PrintUnformatted(o);

	cr_assert_eq(command_parse(&c, line, strlen(line)), 0, "%s", err_msg());
	cr_assert_str_eq(c.path, "/tmp/d\xe9r");
	command_fini(&c);
	cJSON_free(line);
	cJSON_Delete(o);
	const char *empty = "{\"type\":\"grant\",\"path\":\"\"}";

	cr_assert_eq(command_parse(&c, empty, strlen(empty)), DH_EPARSE);
}

/* Every member set, so that a field a decoder forgot shows as a difference. */
static struct event
full_event(enum event_type t, const cJSON *tree, const char *const *grants, size_t ngrants)
{
	return (struct event){
		.type = t, .session = "s1", .grants = grants, .ngrants = ngrants,
		.task = "the task",
		.model = "m", .mode = "ask", .turn = 3, .id = "toolu_1", .short_id = "ab12",
		.name = "read_file", .input = tree, .steps = tree, .text = "caf\u00e9 \"q\"\n",
		.output = "out", .is_error = true, .approved = true, .grant = "/g",
		.tool_call = "toolu_0",
		.files_changed = 5, .duration_ms = 6, .attempt = 7, .stop_reason = "end_turn",
		.usage = { 10, 20, 30, 40 }, .cost_usd = 0.25, .total_cost_usd = 1.5,
		.total_usage = { 50, 60, 70, 80 },
		.status = "done",
		.watcher = "inotify, 2 directories watched", .paths_read = 8, .ckpt_mode = "full",
		.external = true, .phase = "tools", .pending_jobs = 9, .host = "example.org",
		.port = 443, .allowed = true, .address = "192.0.2.1", .re = "c7", .data = tree,
		.protocol = PROTOCOL_VERSION, .diff = "@@", .output_file = "/o",
		.url = "https://u.test/",
		.cap_usd = 0.75, .estimate = 0.125, .limit = "max_cost", .origin = "schedule:n",
		.compacted_messages = 11, .tokens_before = 12, .tokens_after = 13,
		.redacted = true,
	};
}

/* The wire shape of every event, fully set: key names, key order, and which
 * keys a type has. These lines are what `run --json`, transcripts and clients
 * read; fields are only ever added (README "Event stream"). */
Test(event, every_type_has_its_wire_shape)
{
	static const char *const want[EVENT__COUNT] = {
		[EVENT_SESSION_STARTED] =
			"{\"type\":\"session_started\",\"grants\":[\"/a\",\"/b c\"],"
			"\"session\":\"s1\",\"task\":\"the task\",\"model\":\"m\","
			"\"mode\":\"ask\",\"watcher\":\"w\"}",
		[EVENT_PLAN_PROPOSED] =
			"{\"type\":\"plan_proposed\",\"id\":\"toolu_1\","
			"\"steps\":{\"path\":\"a.txt\"}}",
		[EVENT_PLAN_DECIDED] =
			"{\"type\":\"plan_decided\",\"id\":\"toolu_1\",\"approved\":true,"
			"\"message\":\"t\"}",
		[EVENT_PLAN_UPDATED] =
			"{\"type\":\"plan_updated\",\"steps\":{\"path\":\"a.txt\"}}",
		[EVENT_TURN_STARTED] =
			"{\"type\":\"turn_started\",\"turn\":3}",
		[EVENT_TEXT_DELTA] =
			"{\"type\":\"text_delta\",\"text\":\"t\"}",
		[EVENT_ASSISTANT_MESSAGE] =
			"{\"type\":\"assistant_message\",\"turn\":3,\"text\":\"t\","
			"\"stop_reason\":\"end_turn\"}",
		[EVENT_USER_MESSAGE] =
			"{\"type\":\"user_message\",\"text\":\"t\"}",
		[EVENT_TOOL_CALL] =
			"{\"type\":\"tool_call\",\"id\":\"toolu_1\",\"name\":\"read_file\","
			"\"input\":{\"path\":\"a.txt\"}}",
		[EVENT_APPROVAL_NEEDED] =
			"{\"type\":\"approval_needed\",\"id\":\"toolu_1\","
			"\"name\":\"read_file\",\"input\":{\"path\":\"a.txt\"},"
			"\"reason\":\"t\",\"diff\":\"@@\"}",
		[EVENT_APPROVAL_DECIDED] =
			"{\"type\":\"approval_decided\",\"id\":\"toolu_1\",\"approved\":true,"
			"\"message\":\"t\"}",
		[EVENT_TOOL_RESULT] =
			"{\"type\":\"tool_result\",\"id\":\"toolu_1\",\"name\":\"read_file\","
			"\"is_error\":true,\"output\":\"out\",\"duration_ms\":6,"
			"\"output_file\":\"/o\"}",
		[EVENT_TOOL_OUTPUT] =
			"{\"type\":\"tool_output\",\"id\":\"toolu_1\",\"text\":\"t\"}",
		[EVENT_CHECKPOINT] =
			"{\"type\":\"checkpoint\",\"id\":\"toolu_1\",\"short_id\":\"ab12\","
			"\"grant\":\"/g\",\"tool_call\":\"toolu_0\",\"turn\":3,"
			"\"files_changed\":5,\"duration_ms\":6,\"stat\":\"t\",\"paths_read\":8,"
			"\"mode\":\"full\",\"external\":true}",
		[EVENT_STATUS] =
			"{\"type\":\"status\",\"phase\":\"tools\",\"turn\":3,"
			"\"pending_jobs\":9,\"watcher\":\"w\"}",
		[EVENT_USAGE] =
			"{\"type\":\"usage\",\"input_tokens\":10,\"output_tokens\":20,"
			"\"cache_read_tokens\":30,\"cache_creation_tokens\":40,"
			"\"cost_usd\":0.25,\"total_cost_usd\":1.5,\"total_input_tokens\":50,"
			"\"total_output_tokens\":60,\"total_cache_read_tokens\":70,"
			"\"total_cache_creation_tokens\":80}",
		[EVENT_RETRY] =
			"{\"type\":\"retry\",\"attempt\":7,\"delay_ms\":6,\"reason\":\"t\"}",
		[EVENT_AUDIT] =
			"{\"type\":\"audit\",\"id\":\"toolu_1\",\"name\":\"read_file\","
			"\"detail\":\"t\"}",
		[EVENT_EGRESS] =
			"{\"type\":\"egress\",\"host\":\"example.org\",\"port\":443,"
			"\"allowed\":true,\"reason\":\"t\",\"address\":\"192.0.2.1\","
			"\"source\":\"read_file\"}",
		[EVENT_ERROR] =
			"{\"type\":\"error\",\"message\":\"t\"}",
		[EVENT_REVIEW] =
			"{\"type\":\"review\",\"op\":\"read_file\",\"ok\":true,"
			"\"message\":\"t\",\"conflict_dir\":\"out\"}",
		[EVENT_SESSION_FINISHED] =
			"{\"type\":\"session_finished\",\"status\":\"done\",\"message\":\"t\"}",
		[EVENT_HELLO] =
			"{\"type\":\"hello\",\"protocol\":1,\"session\":\"s1\","
			"\"state\":{\"path\":\"a.txt\"}}",
		[EVENT_HISTORY_END] =
			"{\"type\":\"history_end\",\"records\":3}",
		[EVENT_REPLY] =
			"{\"type\":\"reply\",\"op\":\"read_file\",\"ok\":true,"
			"\"message\":\"t\",\"data\":{\"path\":\"a.txt\"}}",
		[EVENT_DETACHED] =
			"{\"type\":\"detached\",\"session\":\"s1\",\"reason\":\"t\"}",
		[EVENT_ELICITATION_NEEDED] =
			"{\"type\":\"elicitation_needed\",\"id\":\"toolu_1\","
			"\"server\":\"read_file\",\"mode\":\"ask\",\"message\":\"t\","
			"\"schema\":{\"path\":\"a.txt\"},\"url\":\"https://u.test/\"}",
		[EVENT_MCP_UNTRUSTED] =
			"{\"type\":\"mcp_untrusted\",\"path\":\"read_file\",\"message\":\"t\"}",
		[EVENT_ELICITATION_DECIDED] =
			"{\"type\":\"elicitation_decided\",\"id\":\"toolu_1\","
			"\"server\":\"read_file\",\"action\":\"done\"}",
		[EVENT_BUDGET] =
			"{\"type\":\"budget\",\"spent\":1.5,\"cap\":0.75,\"estimate\":0.125,"
			"\"limit\":\"max_cost\"}",
		[EVENT_NOTICE] =
			"{\"type\":\"notice\",\"session\":\"s1\",\"status\":\"done\","
			"\"summary\":\"t\",\"origin\":\"schedule:n\"}",
		[EVENT_AUTHORIZATION_NEEDED] =
			"{\"type\":\"authorization_needed\",\"server\":\"read_file\","
			"\"url\":\"https://u.test/\",\"message\":\"t\"}",
		[EVENT_RESOURCE_UPDATED] =
			"{\"type\":\"resource_updated\",\"server\":\"read_file\","
			"\"uri\":\"https://u.test/\"}",
		[EVENT_COMPACTED] =
			"{\"type\":\"compacted\",\"turn\":3,\"trigger\":\"read_file\","
			"\"messages\":11,\"tokens_before\":12,\"tokens_after\":13,"
			"\"summary\":\"t\"}",
		[EVENT_THINKING] =
			"{\"type\":\"thinking\",\"turn\":3,\"thinking\":\"t\",\"redacted\":true}",
	};
	cJSON *tree = cJSON_Parse("{\"path\":\"a.txt\"}");
	const char *grants[] = { "/a", "/b c" };

	for (int t = 0; t < EVENT__COUNT; t++) {
		struct event ev = full_event(t, tree, grants, 2);

		ev.text = "t";
		ev.watcher = "w";
		ev.re = NULL;
		char *s = ser(&ev);

		cr_assert_not_null(want[t], "no wire shape for %s", event_type_name(t));
		cr_assert_str_eq(s, want[t]);
		free(s);
	}
	cJSON_Delete(tree);
}

/* to_json → text → event_msg_parse → to_json: the same text. */
static void
assert_event_round_trip(const struct event *ev)
{
	char *a = ser(ev);
	struct event_msg m;

	cr_assert_eq(event_msg_parse(&m, a, strlen(a)), 0, "%s: %s", a, err_msg());
	cr_assert_eq(m.ev.type, ev->type);
	char *b = ser(&m.ev);

	cr_assert_str_eq(b, a, "round trip of %s", event_type_name(ev->type));
	free(b);
	event_msg_fini(&m);
	cr_assert_null(m.json);
	free(a);
}

Test(event, every_type_round_trips)
{
	cJSON *tree = cJSON_Parse("{\"path\":\"a.txt\",\"n\":[1,2,{\"x\":null}]}");
	const char *grants[] = { "/a", "/b c" };

	for (int t = 0; t < EVENT__COUNT; t++) {
		struct event full = full_event(t, tree, grants, 2);
		struct event empty = { .type = t, .cost_usd = -1 };

		assert_event_round_trip(&full);
		assert_event_round_trip(&empty);
		full.re = NULL;
		full.cost_usd = -2;
		full.ngrants = 0;
		assert_event_round_trip(&full);
	}
	cJSON_Delete(tree);
}

Test(event, decoded_fields_land_in_their_members)
{
	const char *line = "{\"type\":\"session_started\",\"grants\":[\"/a\",7,\"/b\"],"
			   "\"session\":\"s1\",\"task\":\"t\",\"model\":\"m\",\"mode\":\"auto\","
			   "\"watcher\":\"off (x)\",\"ts\":1700000000000}";
	struct event_msg m;
	struct event ev;

	cr_assert_eq(event_msg_parse(&m, line, strlen(line)), 0, "%s", err_msg());
	cr_assert_eq(m.ev.type, EVENT_SESSION_STARTED);
	cr_assert_eq(m.ev.ngrants, 2, "non-strings in an array are skipped");
	cr_assert_str_eq(m.ev.grants[0], "/a");
	cr_assert_str_eq(m.ev.grants[1], "/b");
	cr_assert_str_eq(m.ev.session, "s1");
	cr_assert_str_eq(m.ev.mode, "auto");
	cr_assert_str_eq(m.ev.watcher, "off (x)");
	cr_assert_null(m.ev.re);
	/* Without storage the array stays empty; the rest is the same. */
	cr_assert_eq(event_from_json(&ev, m.json), 0);
	cr_assert_eq(ev.ngrants, 0);
	cr_assert_null(ev.grants);
	cr_assert_str_eq(ev.task, "t");
	event_msg_fini(&m);
	event_msg_fini(&m);
	event_msg_fini(NULL);

	line = "{\"type\":\"usage\",\"input_tokens\":1e12,\"output_tokens\":\"2\","
	       "\"cost_usd\":null,\"total_cost_usd\":0.5,\"re\":\"c1\"}";
	cr_assert_eq(event_msg_parse(&m, line, strlen(line)), 0, "%s", err_msg());
	cr_assert_eq(m.ev.usage.input_tokens, 1000000000000L);
	cr_assert_eq(m.ev.usage.output_tokens, 0, "a string is not a number");
	cr_assert_lt(m.ev.cost_usd, 0, "null cost is unknown");
	cr_assert_float_eq(m.ev.total_cost_usd, 0.5, 1e-9);
	cr_assert_str_eq(m.ev.re, "c1");
	event_msg_fini(&m);

	line = "{\"type\":\"reply\",\"op\":\"grant\",\"ok\":true,\"message\":null,"
	       "\"data\":[\"/a\"],\"re\":\"c2\"}";
	cr_assert_eq(event_msg_parse(&m, line, strlen(line)), 0, "%s", err_msg());
	cr_assert_str_eq(m.ev.name, "grant");
	cr_assert(m.ev.approved);
	cr_assert_null(m.ev.text);
	cr_assert(cJSON_IsArray(m.ev.data));
	event_msg_fini(&m);

	line = "{\"type\":\"hello\",\"protocol\":1,\"session\":null,\"state\":{\"busy\":true}}";
	cr_assert_eq(event_msg_parse(&m, line, strlen(line)), 0, "%s", err_msg());
	cr_assert_eq(m.ev.protocol, 1);
	cr_assert_null(m.ev.session);
	cr_assert(json_bool(m.ev.data, "busy", false));
	event_msg_fini(&m);
}

/* The records a transcript holds decode with the fields the history replay
 * shows (the decoder ui/history.c had by hand). */
Test(event, transcript_records_decode)
{
	static const struct {
		const char *line;
		enum event_type type;
	} recs[] = {
		{ "{\"type\":\"assistant_message\",\"turn\":2,\"text\":\"hi\",\"stop_reason\":"
		  "\"tool_use\",\"ts\":1}",
		  EVENT_ASSISTANT_MESSAGE },
		{ "{\"type\":\"tool_call\",\"id\":\"toolu_1\",\"name\":\"read_file\",\"input\":"
		  "{\"path\":\"a\"},\"ts\":1}",
		  EVENT_TOOL_CALL },
		{ "{\"type\":\"tool_result\",\"id\":\"toolu_1\",\"name\":\"read_file\","
		  "\"is_error\":true,\"output\":\"no\",\"duration_ms\":12,\"ts\":1}",
		  EVENT_TOOL_RESULT },
		{ "{\"type\":\"plan_proposed\",\"id\":\"toolu_2\",\"steps\":[{\"title\":\"a\","
		  "\"status\":\"pending\"}],\"ts\":1}",
		  EVENT_PLAN_PROPOSED },
		{ "{\"type\":\"plan_updated\",\"steps\":[],\"ts\":1}", EVENT_PLAN_UPDATED },
		{ "{\"type\":\"plan_decided\",\"id\":\"toolu_2\",\"approved\":false,"
		  "\"message\":\"no\"}",
		  EVENT_PLAN_DECIDED },
		{ "{\"type\":\"approval_decided\",\"id\":\"toolu_1\",\"approved\":true,"
		  "\"message\":null}",
		  EVENT_APPROVAL_DECIDED },
		{ "{\"type\":\"checkpoint\",\"id\":\"abc\",\"short_id\":\"ab\",\"grant\":\"/g\","
		  "\"tool_call\":null,\"turn\":1,\"files_changed\":3,\"duration_ms\":4,\"stat\":"
		  "\"a | 1 +\",\"paths_read\":2,\"mode\":\"full\",\"external\":false,\"ts\":1}",
		  EVENT_CHECKPOINT },
		{ "{\"type\":\"error\",\"message\":\"boom\",\"ts\":1}", EVENT_ERROR },
		{ "{\"type\":\"session_finished\",\"status\":\"failed\",\"message\":\"why\"}",
		  EVENT_SESSION_FINISHED },
		{ "{\"type\":\"user_message\",\"text\":\"steer\",\"ts\":1}", EVENT_USER_MESSAGE },
	};
	struct event_msg m;

	for (size_t i = 0; i < sizeof recs / sizeof *recs; i++) {
		cr_assert_eq(event_msg_parse(&m, recs[i].line, strlen(recs[i].line)), 0, "%s: %s",
			     recs[i].line, err_msg());
		cr_assert_eq(m.ev.type, recs[i].type, "%s", recs[i].line);
		/* The re-encoding has the same keys and values, "ts" aside. */
		cJSON *again = event_to_json(&m.ev);

		cJSON_DeleteItemFromObjectCaseSensitive(m.json, "ts");
		cr_assert(cJSON_Compare(again, m.json, true), "%s", recs[i].line);
		cJSON_Delete(again);
		event_msg_fini(&m);
	}
	cr_assert_eq(event_msg_parse(&m, recs[7].line, strlen(recs[7].line)), 0);
	cr_assert_str_eq(m.ev.text, "a | 1 +");
	cr_assert_str_eq(m.ev.ckpt_mode, "full");
	cr_assert_null(m.ev.tool_call);
	cr_assert_eq(m.ev.files_changed, 3);
	event_msg_fini(&m);
	cr_assert_eq(event_msg_parse(&m, recs[2].line, strlen(recs[2].line)), 0);
	cr_assert(m.ev.is_error);
	cr_assert_eq(m.ev.duration_ms, 12);
	cr_assert_str_eq(m.ev.output, "no");
	event_msg_fini(&m);
}

Test(event, malformed_events_are_eparse_with_a_message)
{
	const char *bad[] = { "not json", "[]", "{}", "{\"type\":5}", "{\"type\":\"nope\"}",
			      "{\"type\":\"history\",\"message\":{}}", "\"tool_call\"" };
	struct event_msg m;
	struct event ev;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cr_assert_eq(event_msg_parse(&m, bad[i], strlen(bad[i])), DH_EPARSE, "%s", bad[i]);
		cr_assert(strstr(err_msg(), "event"), "%s: %s", bad[i], err_msg());
		cr_assert_eq(m.ev.type, 0);
		event_msg_fini(&m);
	}
	cr_assert_eq(event_msg_parse(&m, "{\"type\":\"nope\"}", 15), DH_EPARSE);
	cr_assert(strstr(err_msg(), "unknown type 'nope'"), "%s", err_msg());
	event_msg_fini(&m);
	cJSON *o = cJSON_Parse("{\"type\":\"tool_call\",\"id\":5,\"name\":[],\"input\":null}");

	cr_assert_eq(event_from_json(&ev, o), 0);
	cr_assert_null(ev.id, "a number is not a string");
	cr_assert_null(ev.name);
	cr_assert_null(ev.input, "null is no input");
	cJSON_Delete(o);
	cr_assert_eq(event_from_json(&ev, NULL), DH_EPARSE);
}

/* Every member set; command_to_json writes only its type's fields. */
static struct command
full_command(enum command_type t, cJSON *steps)
{
	return (struct command){ .type = t, .id = (char *)"toolu_1",
				 .text = (char *)"caf\u00e9 \"x\"", .steps = steps,
				 .path = (char *)"notes/a.txt", .hunk = 2, .force = true,
				 .req = (char *)"c9", .protocol = PROTOCOL_VERSION,
				 .action = (char *)"accept",
				 .session = (char *)"s1", .status = (char *)"done",
				 .origin = (char *)"detach" };
}

static char *
cser(const struct command *c)
{
	cJSON *j = command_to_json(c);
	char *s = json_print(j);

	cJSON_Delete(j);
	return s;
}

/* to_json → text → command_parse → to_json: the same text. */
static void
assert_command_round_trip(const struct command *c)
{
	char *a = cser(c);
	struct command d;

	cr_assert_eq(command_parse(&d, a, strlen(a)), 0, "%s: %s", a, err_msg());
	cr_assert_eq(d.type, c->type);
	char *b = cser(&d);

	cr_assert_str_eq(b, a);
	free(b);
	command_fini(&d);
	free(a);
}

Test(command, every_type_round_trips)
{
	cJSON *steps = cJSON_Parse("[{\"title\":\"a\"},{\"title\":\"b\"}]");

	for (int t = 0; t < COMMAND__COUNT; t++) {
		struct command c = full_command(t, steps);

		cr_assert_not_null(command_type_name(t));
		for (int k = 0; k < t; k++)
			cr_assert_str_neq(command_type_name(t), command_type_name(k));
		assert_command_round_trip(&c);
		c.req = NULL;
		assert_command_round_trip(&c);
		c.id = NULL;
		c.req = (char *)"c10";
		c.steps = NULL;
		c.hunk = 0;
		c.force = false;
		assert_command_round_trip(&c);
	}
	cr_assert_null(command_type_name(COMMAND__COUNT));
	cJSON_Delete(steps);
}

Test(command, request_id_and_call)
{
	struct command c = { .type = COMMAND_APPROVE, .req = (char *)"c1" };
	char *s = cser(&c);
	const char *old = "{\"type\":\"deny\",\"id\":\"toolu_9\",\"message\":\"no\"}";
	const char *now = "{\"type\":\"deny\",\"id\":\"c3\",\"call\":\"toolu_9\"}";

	/* No call but a request id: "call" says null, else "id" would be read
	 * back as the tool call. */
	cr_assert_str_eq(s, "{\"type\":\"approve\",\"id\":\"c1\",\"call\":null}");
	free(s);
	cr_assert_eq(command_parse(&c, old, strlen(old)), 0, "%s", err_msg());
	cr_assert_str_eq(c.id, "toolu_9", "the older form names the call with id");
	cr_assert_null(c.req);
	cr_assert_str_eq(c.text, "no");
	command_fini(&c);
	cr_assert_eq(command_parse(&c, now, strlen(now)), 0, "%s", err_msg());
	cr_assert_str_eq(c.id, "toolu_9");
	cr_assert_str_eq(c.req, "c3");
	command_fini(&c);
	const char *st = "{\"type\":\"status\",\"id\":\"c4\"}";

	cr_assert_eq(command_parse(&c, st, strlen(st)), 0, "%s", err_msg());
	cr_assert_str_eq(c.req, "c4");
	cr_assert_null(c.id);
	command_fini(&c);
	const char *hello = "{\"type\":\"hello\",\"protocol\":1,\"client\":\"workbench\"}";

	cr_assert_eq(command_parse(&c, hello, strlen(hello)), 0, "%s", err_msg());
	cr_assert_eq(c.type, COMMAND_HELLO);
	cr_assert_eq(c.protocol, 1);
	cr_assert_str_eq(c.text, "workbench");
	command_fini(&c);
	const char *grant = "{\"type\":\"grant\",\"path\":\"/srv/x\",\"force\":true,\"id\":\"c5\"}";

	cr_assert_eq(command_parse(&c, grant, strlen(grant)), 0, "%s", err_msg());
	cr_assert_eq(c.type, COMMAND_GRANT);
	cr_assert_str_eq(c.path, "/srv/x");
	cr_assert(c.force);
	cr_assert_str_eq(c.req, "c5");
	command_fini(&c);
}

Test(command, malformed_commands_are_eparse_with_a_message)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "{\"type\":\"start\"}", "start needs a non-empty \"text\"" },
		{ "{\"type\":\"start\",\"text\":\"\"}", "start needs" },
		{ "{\"type\":\"grant\"}", "grant needs a non-empty \"path\"" },
		{ "{\"type\":\"grant\",\"path\":7}", "grant needs" },
		{ "{\"type\":\"ungrant\",\"path\":\"\"}", "ungrant needs" },
		{ "{\"type\":\"restore\",\"checkpoint\":\"x\",\"hunk\":1}", "\"hunk\"" },
		{ "{\"type\":\"undo\",\"path\":\"a\"}", "\"path\" does not belong to undo" },
		{ "{\"type\":\"interrupt\",\"text\":\"a\"}",
		  "\"text\" does not belong to interrupt" },
		{ "{\"type\":5}", "\"type\"" },
		{ "[{\"type\":\"status\"}]", "\"type\"" },
		{ "{\"type\":\"status\"", "command" },
		{ "", "command" },
	};
	struct command c;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cr_assert_eq(command_parse(&c, bad[i].line, strlen(bad[i].line)), DH_EPARSE, "%s",
			     bad[i].line);
		cr_assert(strstr(err_msg(), bad[i].msg), "%s: %s", bad[i].line, err_msg());
		cr_assert_null(c.text);
		cr_assert_null(c.path);
		cr_assert_null(c.req);
	}
	/* The request id of a refused line, for the error's "re". */
	const char *refused = "{\"type\":\"start\",\"id\":\"c7\"}";
	const char *numeric = "{\"type\":\"start\",\"id\":7}";
	char *req = command_line_req(refused, strlen(refused));

	cr_assert_str_eq(req, "c7");
	free(req);
	cr_assert_null(command_line_req(numeric, strlen(numeric)));
	cr_assert_null(command_line_req("not json", 8));
	/* The unknown-type message lists every type, from the table. */
	cr_assert_eq(command_parse(&c, "{\"type\":\"fly\"}", 14), DH_EPARSE);
	for (int t = 0; t < COMMAND__COUNT; t++)
		cr_assert(strstr(err_msg(), command_type_name(t)), "%s", err_msg());
	char last[64];
	snprintf(last, sizeof last, "%s)", command_type_name(COMMAND__COUNT - 1));
	cr_assert(strstr(err_msg(), last), "no trailing comma: %s", err_msg());
}

Test(config, bind_lines_are_kept_in_order_with_where)
{
	char path[] = "/tmp/dhcfgXXXXXX";
	int fd = mkstemp(path);
	const char *text = "bind diff <C-a> accept-all\n# c\nbind global K help\n";
	struct config c;

	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	setenv("DH_CONFIG", path, 1);
	cr_assert_eq(config_load(&c), 0, "%s", err_msg());
	cr_assert_eq(c.binds.n, 2);
	cr_assert_str_eq(c.binds.v[0].text, "diff <C-a> accept-all");
	cr_assert_str_eq(c.binds.v[1].text, "global K help");
	cr_assert(strstr(c.binds.v[1].where, ":3"), "%s", c.binds.v[1].where);
	config_fini(&c);
	unsetenv("DH_CONFIG");
	unlink(path);
}

Test(config, file_errors_name_file_and_line)
{
	char path[] = "/tmp/dhcfgXXXXXX";
	int fd = mkstemp(path);
	const char *text = "# comment\nset model = claude-haiku-4-5\n\nset colour = red\n";
	struct config c;

	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	setenv("DH_CONFIG", "/nonexistent/deskhand-config", 1);
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	cr_assert_lt(config_load(&c), 0, "a named DH_CONFIG that is missing is an error");
	config_fini(&c);
	unsetenv("DH_CONFIG");
	cr_assert_eq(config_load(&c), 0);
	cr_assert_str_eq(c.model, "claude-sonnet-4-5");
	cr_assert_eq(config_load_file(&c, path), DH_EPARSE);
	cr_assert(strstr(err_msg(), ":4: unknown option 'colour'"), "%s", err_msg());
	cr_assert_str_eq(c.model, "claude-haiku-4-5");
	cr_assert_eq(config_set(&c, "max_turns", "0", "--max-turns"), DH_EPARSE);
	cr_assert(strstr(err_msg(), "from 1 to 10000"), "%s", err_msg());
	cr_assert_eq(config_set(&c, "mode", "yolo", "--mode"), DH_EPARSE);
	cr_assert_eq(config_set(&c, "mode", "auto", "--mode"), 0);
	config_fini(&c);
	unlink(path);
}
