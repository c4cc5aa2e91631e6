/* SPDX-License-Identifier: MIT */
/*
 * Replay of a session's transcript.jsonl into events (see history.h).
 */
#include "ui/history.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/xalloc.h"

#define HISTORY_MAX ((size_t)1 << 30)

/* The user's text blocks of a "history" record, as user messages. */
static void
replay_user(const cJSON *rec, event_sink_fn *fn, void *ctx)
{
	const cJSON *msg = json_obj(rec, "message");
	const cJSON *content = json_arr(msg, "content");
	const cJSON *c;
	const char *role = json_str(msg, "role");

	if (!role || strcmp(role, "user") != 0)
		return;
	cJSON_ArrayForEach(c, content) {
		const char *type = json_str(c, "type");
		const char *text = json_str(c, "text");

		if (type && !strcmp(type, "text") && text)
			fn(&(struct event){ .type = EVENT_USER_MESSAGE, .text = text }, ctx);
	}
}

static void
replay_record(const cJSON *rec, event_sink_fn *fn, void *ctx)
{
	const char *type = json_str(rec, "type");
	struct event ev = { 0 };

	if (!type)
		return;
	if (!strcmp(type, "history")) {
		replay_user(rec, fn, ctx);
		return;
	}
	ev.id = json_str(rec, "id");
	ev.name = json_str(rec, "name");
	ev.text = json_str(rec, "text");
	ev.turn = (int)json_int(rec, "turn", 0);
	if (!strcmp(type, "session_started")) {
		ev.type = EVENT_SESSION_STARTED;
		ev.session = json_str(rec, "session");
		ev.task = json_str(rec, "task");
	} else if (!strcmp(type, "assistant_message")) {
		ev.type = EVENT_ASSISTANT_MESSAGE;
		ev.stop_reason = json_str(rec, "stop_reason");
	} else if (!strcmp(type, "tool_call")) {
		ev.type = EVENT_TOOL_CALL;
		ev.input = json_obj(rec, "input");
	} else if (!strcmp(type, "tool_result")) {
		ev.type = EVENT_TOOL_RESULT;
		ev.output = json_str(rec, "output");
		ev.is_error = json_bool(rec, "is_error", false);
		ev.duration_ms = (long)json_int(rec, "duration_ms", 0);
	} else if (!strcmp(type, "plan_proposed") || !strcmp(type, "plan_updated")) {
		ev.type = type[5] == 'p' ? EVENT_PLAN_PROPOSED : EVENT_PLAN_UPDATED;
		ev.steps = json_arr(rec, "steps");
	} else if (!strcmp(type, "plan_decided") || !strcmp(type, "approval_decided")) {
		ev.type = type[0] == 'p' ? EVENT_PLAN_DECIDED : EVENT_APPROVAL_DECIDED;
		ev.approved = json_bool(rec, "approved", false);
		ev.text = json_str(rec, "message");
	} else if (!strcmp(type, "checkpoint")) {
		ev.type = EVENT_CHECKPOINT;
		ev.short_id = json_str(rec, "short_id");
		ev.grant = json_str(rec, "grant");
		ev.tool_call = json_str(rec, "tool_call");
		ev.files_changed = (long)json_int(rec, "files_changed", 0);
		ev.text = json_str(rec, "stat");
	} else if (!strcmp(type, "error")) {
		ev.type = EVENT_ERROR;
		ev.text = json_str(rec, "message");
	} else if (!strcmp(type, "session_finished")) {
		ev.type = EVENT_SESSION_FINISHED;
		ev.status = json_str(rec, "status");
		ev.text = json_str(rec, "message");
	} else {
		return;
	}
	fn(&ev, ctx);
}

int
history_replay(const char *state_dir, const char *id, event_sink_fn *fn, void *ctx)
{
	char *path = xasprintf("%s/sessions/%s/transcript.jsonl", state_dir, id);
	struct buf b = BUF_INIT;
	int rc = fsutil_read_file(path, HISTORY_MAX, &b);

	free(path);
	if (rc < 0)
		return rc;
	for (char *p = b.ptr; p && p < b.ptr + b.len && *p;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		cJSON *rec = cJSON_ParseWithLength(p, len);

		if (rec)
			replay_record(rec, fn, ctx);
		cJSON_Delete(rec);
		p = nl ? nl + 1 : NULL;
	}
	buf_fini(&b);
	return 0;
}
