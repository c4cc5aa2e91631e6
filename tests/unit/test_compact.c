/* SPDX-License-Identifier: MIT */
/* Compaction's pure parts: where the conversation is cut, what the
 * summariser reads, and the note that stands for the older messages. */
#include <criterion/criterion.h>
#include <string.h>

#include "agent/compact.h"
#include "core/json.h"
#include "core/xalloc.h"

static cJSON *
conv(const char *json)
{
	cJSON *h = NULL;

	cr_assert_eq(json_parse(&h, json, strlen(json), "test"), 0);
	return h;
}

#define TOOL_TURN(id, path)                                                                        \
	"{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"working\"},"           \
	"{\"type\":\"tool_use\",\"id\":\"" id "\",\"name\":\"write_file\",\"input\":{\"path\":\"" \
	path "\",\"content\":\"x\"}}]},"                                                          \
	"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"" id "\","    \
	"\"content\":\"written\"}]}"

Test(compact, split_keeps_whole_tool_turns_and_the_last_two)
{
	cJSON *h = conv("[{\"role\":\"user\",\"content\":\"the task\"}," TOOL_TURN("t1", "a.txt")
			"," TOOL_TURN("t2", "b.txt") "," TOOL_TURN("t3", "c.txt") "]");

	/* a big budget keeps all but the first message */
	cr_assert_eq(compact_split(h, 100000), 1);
	/* no budget: the last two messages only (an assistant message starts them) */
	cr_assert_eq(compact_split(h, 0), 5);
	cr_assert_eq(json_str(cJSON_GetArrayItem(h, 5), "role")[0], 'a');
	cJSON_Delete(h);
	/* too short to summarise */
	h = conv("[{\"role\":\"user\",\"content\":\"t\"},{\"role\":\"assistant\",\"content\":\"a\"}]");
	cr_assert_eq(compact_split(h, 0), 0);
	cJSON_Delete(h);
}

Test(compact, render_cuts_each_piece_and_note_keeps_task_plan_and_files)
{
	struct buf big = BUF_INIT, out = BUF_INIT;

	for (int i = 0; i < 2000; i++)
		buf_puts(&big, "0123456789");
	cJSON *h = conv("[{\"role\":\"user\",\"content\":\"the task\"}," TOOL_TURN("t1", "a.txt")
			"," TOOL_TURN("t2", "b.txt") "]");
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(json_arr(cJSON_GetArrayItem(h, 2), "content"), 0),
				  "content", cJSON_CreateString(buf_cstr(&big)));
	compact_render(h, 3, 2000, &out);
	const char *s = buf_cstr(&out);
	cr_assert_not_null(strstr(s, "## user\nthe task"), "%s", s);
	cr_assert_not_null(strstr(s, "→ write_file {"), "%s", s);
	cr_assert_not_null(strstr(s, "bytes …]"), "%s", s);
	cr_assert_lt(out.len, 4000);
	cr_assert_null(strstr(s, "b.txt"), "the kept messages are not rendered: %s", s);

	cJSON *plan = conv("[{\"title\":\"Write a\",\"status\":\"done\"},"
			   "{\"title\":\"Write b\",\"status\":\"in_progress\"}]");
	cJSON *note = compact_note(h, 3, 1234, "Task:\n- the summary", plan);
	char *n = json_print(note);
	cr_assert_str_eq(json_str(note, "role"), "user");
	cr_assert_not_null(strstr(n, "was compacted (3 messages, about 1234 tokens"), "%s", n);
	cr_assert_not_null(strstr(n, "as they first wrote it:\\nthe task"), "%s", n);
	cr_assert_not_null(strstr(n, "Task:\\n- the summary"), "%s", n);
	cr_assert_not_null(strstr(n, "2. [in_progress] Write b"), "%s", n);
	cr_assert_not_null(strstr(n, "- a.txt (write_file)"), "%s", n);
	/* a second compaction keeps the first task, not the first note */
	cJSON *h2 = json_new_arr();
	json_add(h2, NULL, note);
	cJSON *note2 = compact_note(h2, 1, 10, "again", NULL);
	char *n2 = json_print(note2);
	cr_assert_not_null(strstr(n2, "as they first wrote it:\\nthe task\""), "%s", n2);
	/* ... and the files the first one listed */
	cr_assert_not_null(strstr(n2, "changed:\\n- a.txt (write_file)\\n"), "%s", n2);
	free(n2);
	free(n);
	cJSON_Delete(note2);
	cJSON_Delete(h2);
	cJSON_Delete(plan);
	cJSON_Delete(h);
	buf_fini(&out);
	buf_fini(&big);
}

Test(compact, a_second_compaction_reads_the_first_note_whole_and_keeps_its_files)
{
	struct buf summary = BUF_INIT, hist = BUF_INIT, out = BUF_INIT;

	/* an earlier summary of 6 KB, then 100 turns that write files */
	for (int i = 0; i < 100; i++)
		buf_printf(&summary, "- decision %03d kept exactly as written\n", i);
	cJSON *first = conv("[{\"role\":\"user\",\"content\":\"the task\"}," TOOL_TURN("t0", "old.txt") "]");
	cJSON *note = compact_note(first, 3, 100, buf_cstr(&summary), NULL);
	char *ns = json_print(note);

	buf_printf(&hist, "[%s", ns);
	for (int i = 0; i < 100; i++)
		buf_printf(&hist, ",{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\","
			   "\"id\":\"t%d\",\"name\":\"edit_file\",\"input\":{\"path\":\"f%03d.txt\"}}]},"
			   "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
			   "\"tool_use_id\":\"t%d\",\"content\":\"edited, and a long explanation of how "
			   "the edit went that the summariser does not need whole at all\"}]}",
			   i, i, i);
	buf_puts(&hist, "]");
	cJSON *h = conv(buf_cstr(&hist));

	/* 201 messages, 12000 bytes: the other pieces are cut, the note is not */
	compact_render(h, 201, 12000, &out);
	cr_assert_not_null(strstr(buf_cstr(&out), "- decision 099 kept exactly as written"));
	cr_assert_not_null(strstr(buf_cstr(&out), "- decision 050 kept exactly as written"));
	cr_assert_lt(out.len, 12000 + 201 * 300, "%zu bytes", out.len);
	/* the new note lists the first note's file before the new ones */
	cJSON *note2 = compact_note(h, 201, 100, "again", NULL);
	char *n2 = json_print(note2);
	const char *old = strstr(n2, "- old.txt (write_file)"), *f0 = strstr(n2, "- f000.txt (edit_file)");

	cr_assert(old && f0 && old < f0, "%s", n2);
	cr_assert_not_null(strstr(n2, "- f099.txt (edit_file)"));
	free(n2);
	free(ns);
	cJSON_Delete(note2);
	cJSON_Delete(h);
	cJSON_Delete(note);
	cJSON_Delete(first);
	buf_fini(&out);
	buf_fini(&hist);
	buf_fini(&summary);
}

Test(compact, useless_cut_of_the_first_message_alone)
{
	struct buf big = BUF_INIT;
	cJSON *h = conv("[{\"role\":\"user\",\"content\":\"the task\"}," TOOL_TURN("t1", "a.txt") "]");

	/* the task alone: the note would carry it verbatim, and a summary */
	cr_assert_eq(compact_split(h, 0), 1);
	cr_assert(!compact_useful(h, 1));
	cr_assert(!compact_useful(h, 0));
	/* an earlier note alone: the new one would read it whole */
	cJSON *note = compact_note(h, 1, 100, "Task: x", NULL);
	cJSON_ReplaceItemInArray(h, 0, note);
	cr_assert(!compact_useful(h, 1));
	/* a task longer than the note keeps of it */
	for (int i = 0; i < 1000; i++)
		buf_puts(&big, "0123456789");
	cJSON_ReplaceItemInArray(h, 0, conv("{\"role\":\"user\",\"content\":\"x\"}"));
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(h, 0), "content",
				  cJSON_CreateString(buf_cstr(&big)));
	cr_assert(compact_useful(h, 1));
	cr_assert(compact_useful(h, 2));
	buf_fini(&big);
	cJSON_Delete(h);
}
