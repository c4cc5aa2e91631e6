/* SPDX-License-Identifier: MIT */
/*
 * A session's transcript.jsonl replayed as events (engine.h
 * engine_history): what an attaching client sees before the live events.
 * Moved here from the workbench, which now receives it over the protocol;
 * records decode with the protocol's own event_msg_from_json().
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

/* The transcript record types a view shows; each decodes as the event it
 * was (agent/event.h's one declaration: transcript records are events). */
static const enum event_type replayed[] = {
	EVENT_SESSION_STARTED, EVENT_ASSISTANT_MESSAGE, EVENT_TOOL_CALL,
	EVENT_TOOL_RESULT,     EVENT_PLAN_PROPOSED,	EVENT_PLAN_UPDATED,
	EVENT_PLAN_DECIDED,    EVENT_APPROVAL_DECIDED,	EVENT_CHECKPOINT,
	EVENT_ERROR,	       EVENT_SESSION_FINISHED,
};

/* One record: how many events it gave. */
static size_t
replay_record(const cJSON *rec, event_sink_fn *fn, void *ctx)
{
	const char *type = json_str(rec, "type");
	struct event_msg m;
	size_t n = 0;

	if (!type)
		return 0;
	if (!strcmp(type, "history"))
		return replay_user(rec, fn, ctx);
	for (size_t i = 0; i < sizeof replayed / sizeof *replayed; i++) {
		if (strcmp(type, event_type_name(replayed[i])) != 0)
			continue;
		if (event_msg_from_json(&m, rec) == 0) {
			m.ev.re = NULL; /* a record answers nobody now */
			fn(&m.ev, ctx);
			n = 1;
		}
		event_msg_fini(&m);
		break;
	}
	return n;
}

int
engine_transcript_each(const char *state_dir, const char *id, engine_record_fn *fn, void *ctx)
{
	char *path = xasprintf("%s/sessions/%s/transcript.jsonl", state_dir, id);
	struct buf b = BUF_INIT;
	int rc = fsutil_read_file(path, HISTORY_MAX, &b);

	free(path);
	if (rc < 0) {
		buf_fini(&b);
		return rc;
	}
	for (char *p = b.ptr; p && p < b.ptr + b.len;) { /* by length: a NUL costs one line */
		char *nl = memchr(p, '\n', (size_t)(b.ptr + b.len - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(b.ptr + b.len - p);
		cJSON *rec = cJSON_ParseWithLength(p, len);

		if (rec)
			fn(rec, ctx);
		cJSON_Delete(rec);
		p = nl ? nl + 1 : NULL;
	}
	buf_fini(&b);
	return 0;
}

struct replay {
	event_sink_fn *fn;
	void *ctx;
	size_t n;
};

static void
replay_one(const cJSON *rec, void *ctx)
{
	struct replay *r = ctx;

	r->n += replay_record(rec, r->fn, r->ctx);
}

int
engine_history_replay(const char *state_dir, const char *id, event_sink_fn *fn, void *ctx)
{
	struct replay r = { .fn = fn, .ctx = ctx };
	int rc = engine_transcript_each(state_dir, id, replay_one, &r);

	if (rc < 0)
		return rc;
	return r.n > INT_MAX ? INT_MAX : (int)r.n;
}

int
engine_history(const struct engine *e, event_sink_fn *fn, void *ctx)
{
	const char *id = engine_session_id(e);
	int n = id ? engine_history_replay(engine_state_dir(e), id, fn, ctx) : 0;

	if (n >= 0 && n < INT_MAX - 2)
		n += engine_live_output(e, fn, ctx);
	return n;
}
