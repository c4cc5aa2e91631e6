/* SPDX-License-Identifier: MIT */
/* The event/command wire format (README "Event stream"): stable field names. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "agent/event.h"
#include "config/config.h"
#include "core/json.h"

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
			    "\"total_cost_usd\":0.5}");
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
