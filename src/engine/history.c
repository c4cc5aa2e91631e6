/* SPDX-License-Identifier: MIT */
/*
 * A session's transcript.jsonl replayed as events (engine.h
 * engine_history): what an attaching client sees before the live events.
 * Moved here from the workbench, which now receives it over the protocol.
 */
#include "engine/engine.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/xalloc.h"

#define HISTORY_MAX ((size_t)1 << 30)

/* The user's text blocks of a "history" record, as user messages. */
static size_t
replay_user(const cJSON *rec, event_sink_fn *fn, void *ctx)
{
	const cJSON *msg = json_obj(rec, "message");
	const cJSON *content = json_arr(msg, "content");
	const cJSON *c;
	const char *role = json_str(msg, "role");
	size_t n = 0;

	if (!role || strcmp(role, "user") != 0)
		return 0;
	cJSON_ArrayForEach(c, content) {
		const char *type = json_str(c, "type");
		const char *text = json_str(c, "text");

		if (type && !strcmp(type, "text") && text) {
			fn(&(struct event){ .type = EVENT_USER_MESSAGE, .text = text }, ctx);
			n++;
		}
	}
	return n;
}

/* The transcript record types a view shows, and how each becomes an event. */
static void
dec_session_started(const cJSON *rec, struct event *ev)
{
	ev->session = json_str(rec, "session");
	ev->task = json_str(rec, "task");
	ev->model = json_str(rec, "model");
	ev->mode = json_str(rec, "mode");
}

static void
dec_assistant(const cJSON *rec, struct event *ev)
{
	ev->stop_reason = json_str(rec, "stop_reason");
}

static void
dec_tool_call(const cJSON *rec, struct event *ev)
{
	ev->input = json_obj(rec, "input");
}

static void
dec_tool_result(const cJSON *rec, struct event *ev)
{
	ev->output = json_str(rec, "output");
	ev->is_error = json_bool(rec, "is_error", false);
	ev->duration_ms = (long)json_int(rec, "duration_ms", 0);
}

static void
dec_plan(const cJSON *rec, struct event *ev)
{
	ev->steps = json_arr(rec, "steps");
}

static void
dec_decided(const cJSON *rec, struct event *ev)
{
	ev->approved = json_bool(rec, "approved", false);
	ev->text = json_str(rec, "message");
}

static void
dec_checkpoint(const cJSON *rec, struct event *ev)
{
	ev->short_id = json_str(rec, "short_id");
	ev->grant = json_str(rec, "grant");
	ev->tool_call = json_str(rec, "tool_call");
	ev->files_changed = (long)json_int(rec, "files_changed", 0);
	ev->text = json_str(rec, "stat");
}

static void
dec_message(const cJSON *rec, struct event *ev)
{
	ev->text = json_str(rec, "message");
}

static void
dec_finished(const cJSON *rec, struct event *ev)
{
	ev->status = json_str(rec, "status");
	ev->text = json_str(rec, "message");
}

static const struct {
	const char *name;
	enum event_type type;
	void (*decode)(const cJSON *rec, struct event *ev);
} replayed[] = {
	{ "session_started", EVENT_SESSION_STARTED, dec_session_started },
	{ "assistant_message", EVENT_ASSISTANT_MESSAGE, dec_assistant },
	{ "tool_call", EVENT_TOOL_CALL, dec_tool_call },
	{ "tool_result", EVENT_TOOL_RESULT, dec_tool_result },
	{ "plan_proposed", EVENT_PLAN_PROPOSED, dec_plan },
	{ "plan_updated", EVENT_PLAN_UPDATED, dec_plan },
	{ "plan_decided", EVENT_PLAN_DECIDED, dec_decided },
	{ "approval_decided", EVENT_APPROVAL_DECIDED, dec_decided },
	{ "checkpoint", EVENT_CHECKPOINT, dec_checkpoint },
	{ "error", EVENT_ERROR, dec_message },
	{ "session_finished", EVENT_SESSION_FINISHED, dec_finished },
};

/* One record: how many events it gave. */
static size_t
replay_record(const cJSON *rec, event_sink_fn *fn, void *ctx)
{
	const char *type = json_str(rec, "type");
	struct event ev = { 0 };

	if (!type)
		return 0;
	if (!strcmp(type, "history"))
		return replay_user(rec, fn, ctx);
	for (size_t i = 0; i < sizeof replayed / sizeof *replayed; i++) {
		if (strcmp(type, replayed[i].name) != 0)
			continue;
		ev.type = replayed[i].type;
		ev.id = json_str(rec, "id");
		ev.name = json_str(rec, "name");
		ev.text = json_str(rec, "text");
		ev.turn = (int)json_int(rec, "turn", 0);
		replayed[i].decode(rec, &ev);
		fn(&ev, ctx);
		return 1;
	}
	return 0;
}

int
engine_history_replay(const char *state_dir, const char *id, event_sink_fn *fn, void *ctx)
{
	char *path = xasprintf("%s/sessions/%s/transcript.jsonl", state_dir, id);
	struct buf b = BUF_INIT;
	int rc = fsutil_read_file(path, HISTORY_MAX, &b);
	size_t n = 0;

	free(path);
	if (rc < 0) {
		buf_fini(&b);
		return rc;
	}
	for (char *p = b.ptr; p && p < b.ptr + b.len && *p;) {
		char *nl = memchr(p, '\n', (size_t)(b.ptr + b.len - p));
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		cJSON *rec = cJSON_ParseWithLength(p, len);

		if (rec)
			n += replay_record(rec, fn, ctx);
		cJSON_Delete(rec);
		p = nl ? nl + 1 : NULL;
	}
	buf_fini(&b);
	return n > INT_MAX ? INT_MAX : (int)n;
}

int
engine_history(const struct engine *e, event_sink_fn *fn, void *ctx)
{
	const char *id = engine_session_id(e);

	return id ? engine_history_replay(engine_state_dir(e), id, fn, ctx) : 0;
}
