/* SPDX-License-Identifier: MIT */
/* Session store: ids, append + history rebuild, torn last line, resolve. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "core/xalloc.h"
#include "session/session.h"

static char *
tmpstate(void)
{
	char tmpl[] = "/tmp/dhsessXXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void
append_history(struct session *s, const char *role, const char *text)
{
	cJSON *r = json_new_obj(), *m = json_new_obj();

	json_add_str(r, "type", "history");
	json_add_str(m, "role", role);
	json_add_str(m, "content", text);
	json_add(r, "message", m);
	cr_assert_eq(session_append(s, r), 0);
	cJSON_Delete(r);
}

Test(session, history_roundtrip_and_torn_tail)
{
	char *state = tmpstate();
	struct session *s;
	cJSON *h;

	cr_assert_eq(session_create(&s, state), 0);
	append_history(s, "user", "task");
	cJSON *ev = json_new_obj();
	json_add_str(ev, "type", "turn_started");
	cr_assert_eq(session_append(s, ev), 0);
	cJSON_Delete(ev);
	append_history(s, "assistant", "answer");
	append_history(s, "user", "more");
	cJSON *rep = json_new_obj();
	json_add_str(rep, "type", "history_replace_last");
	cr_assert_eq(session_append(s, rep), 0);
	cJSON_Delete(rep);
	append_history(s, "user", "more, merged");
	/* a crash mid-write leaves a torn last line */
	char *p = xasprintf("%s/transcript.jsonl", session_dir(s));
	int fd = open(p, O_WRONLY | O_APPEND);
	cr_assert_eq(write(fd, "{\"type\":\"hist", 13), 13);
	close(fd);
	cr_assert_eq(session_history_load(s, &h), 0);
	cr_assert_eq(cJSON_GetArraySize(h), 3);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(h, 2), "content"), "more, merged");
	cJSON_Delete(h);

	char *id = xstrdup(session_id(s));
	session_close(s);
	char *got;
	cr_assert_eq(session_resolve(state, NULL, &got), 0);
	cr_assert_str_eq(got, id);
	free(got);
	cr_assert_eq(session_resolve(state, "19990101", &got), DH_ENOTFOUND);
	cr_assert_eq(session_open(&s, state, id), 0);
	session_close(s);
	free(id);
	free(p);
	free(state);
}
