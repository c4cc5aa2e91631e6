/* SPDX-License-Identifier: MIT */
/*
 * A session's transcript.jsonl replayed as events (engine.h
 * engine_history): what an attaching client sees before the live events.
 * Moved here from the workbench, which now receives it over the protocol;
 * records decode with the protocol's own event_msg_from_json().
 */
#include "engine/engine.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/strv.h"
#include "core/xalloc.h"
#include "snap/review_set.h"

#define HISTORY_MAX ((size_t)1 << 30)

/* The user's text blocks of a "history" record, as user messages. A
 * "replace_last" record (a task after one that got no answer, merged into
 * its message) repeats the replaced message's blocks first: `*texts` (the
 * text blocks of the last record) of them were shown already. */
static size_t
replay_user(const cJSON *rec, size_t *texts, event_sink_fn *fn, void *ctx)
{
	const cJSON *msg = json_obj(rec, "message");
	const cJSON *content = json_arr(msg, "content");
	const cJSON *c;
	const char *role = json_str(msg, "role");
	size_t n = 0, seen = 0;
	size_t shown = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "replace_last")) ? *texts
											 : 0;

	*texts = 0;
	if (!role || strcmp(role, "user") != 0)
		return 0;
	cJSON_ArrayForEach(c, content) {
		const char *type = json_str(c, "type");
		const char *text = json_str(c, "text");

		if (!type || strcmp(type, "text") != 0 || !text)
			continue;
		if (seen++ >= shown) {
			fn(&(struct event){ .type = EVENT_USER_MESSAGE, .text = text }, ctx);
			n++;
		}
	}
	*texts = seen;
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

struct replay {
	event_sink_fn *fn;
	void *ctx;
	size_t n;
	struct strv ids, names; /* tool calls with no result yet, same index */
	size_t user_texts;	/* text blocks of the last history record */
	bool run_open;		/* a session_started with no session_finished yet */
};

/* A tool_call record: the call waits for its result. */
static void
call_open(struct replay *r, const struct event *ev)
{
	strv_add(&r->ids, ev->id ? ev->id : "");
	strv_add(&r->names, ev->name ? ev->name : "");
}

/* A tool_result record: that call ended. */
static void
call_closed(struct replay *r, const char *id)
{
	for (size_t i = 0; id && i < r->ids.n; i++) {
		if (strcmp(r->ids.v[i], id) != 0)
			continue;
		free(r->ids.v[i]);
		free(r->names.v[i]);
		memmove(&r->ids.v[i], &r->ids.v[i + 1], (r->ids.n - i - 1) * sizeof *r->ids.v);
		memmove(&r->names.v[i], &r->names.v[i + 1],
			(r->names.n - i - 1) * sizeof *r->names.v);
		r->ids.n--;
		r->names.n--;
		return;
	}
}

/* The calls still open ended with their engine (it was killed, or the run
 * stopped before they were answered): each gets the tool_result the resumed
 * conversation gives it, so that a view shows it ended, not running. */
static void
calls_interrupted(struct replay *r)
{
	for (size_t i = 0; i < r->ids.n; i++) {
		r->fn(&(struct event){ .type = EVENT_TOOL_RESULT, .id = r->ids.v[i],
				       .name = r->names.v[i], .is_error = true,
				       .interrupted = true, .output = REVIEW_INTERRUPTED_RESULT },
		      r->ctx);
		r->n++;
	}
	strv_free(&r->ids);
	strv_free(&r->names);
}

/* One record: how many events it gave. */
static size_t
replay_record(const cJSON *rec, struct replay *r)
{
	const char *type = json_str(rec, "type");
	struct event_msg m;
	size_t n = 0;

	if (!type)
		return 0;
	if (!strcmp(type, "history"))
		return replay_user(rec, &r->user_texts, r->fn, r->ctx);
	for (size_t i = 0; i < sizeof replayed / sizeof *replayed; i++) {
		if (strcmp(type, event_type_name(replayed[i])) != 0)
			continue;
		if (event_msg_from_json(&m, rec) == 0) {
			m.ev.re = NULL; /* a record answers nobody now */
			/* a new run: no call of an earlier one runs any more */
			if (m.ev.type == EVENT_SESSION_STARTED)
				calls_interrupted(r);
			if (m.ev.type == EVENT_SESSION_STARTED || m.ev.type == EVENT_SESSION_FINISHED)
				r->run_open = m.ev.type == EVENT_SESSION_STARTED;
			r->fn(&m.ev, r->ctx);
			if (m.ev.type == EVENT_TOOL_CALL)
				call_open(r, &m.ev);
			else if (m.ev.type == EVENT_TOOL_RESULT)
				call_closed(r, m.ev.id);
			n = 1;
		}
		event_msg_fini(&m);
		break;
	}
	return n;
}

/* engine_transcript_each over the file's first `upto` bytes at most. */
static int
transcript_each(const char *state_dir, const char *id, size_t upto, engine_record_fn *fn,
		void *ctx)
{
	char *path = xasprintf("%s/sessions/%s/transcript.jsonl", state_dir, id);
	struct buf b = BUF_INIT;
	int rc = fsutil_read_file(path, HISTORY_MAX, &b);

	free(path);
	if (rc < 0) {
		buf_fini(&b);
		return rc;
	}
	if (b.len > upto)
		b.len = upto;
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

int
engine_transcript_each(const char *state_dir, const char *id, engine_record_fn *fn, void *ctx)
{
	return transcript_each(state_dir, id, SIZE_MAX, fn, ctx);
}

static void
replay_one(const cJSON *rec, void *ctx)
{
	struct replay *r = ctx;

	r->n += replay_record(rec, r);
}

/* The last run has no session_finished and no engine carries it on: its
 * engine was killed or crashed. Says so once, naming that engine's log, and
 * ends the task as a stop would have ("interrupted"). */
static void
run_lost(struct replay *r, const char *state_dir, const char *id)
{
	char *msg = xasprintf("the previous engine ended without finishing the task (killed or "
			      "crashed); its log: %s/sessions/%s/engine.log",
			      state_dir, id);

	r->fn(&(struct event){ .type = EVENT_ERROR, .text = msg }, r->ctx);
	r->fn(&(struct event){ .type = EVENT_SESSION_FINISHED, .status = "interrupted",
			       .text = msg },
	      r->ctx);
	r->n += 2;
	r->run_open = false;
	free(msg);
}

int
engine_history_replay(const char *state_dir, const char *id, bool running, event_sink_fn *fn,
		      void *ctx)
{
	return engine_history_replay_upto(state_dir, id, running, SIZE_MAX, fn, ctx);
}

int
engine_history_replay_upto(const char *state_dir, const char *id, bool running, size_t upto,
			   event_sink_fn *fn, void *ctx)
{
	struct replay r = { .fn = fn, .ctx = ctx };
	int rc = transcript_each(state_dir, id, upto, replay_one, &r);

	if (rc == 0 && !running) {
		calls_interrupted(&r);
		if (r.run_open)
			run_lost(&r, state_dir, id);
	}
	strv_free(&r.ids);
	strv_free(&r.names);
	if (rc < 0)
		return rc;
	return r.n > INT_MAX ? INT_MAX : (int)r.n;
}

int
engine_history(const struct engine *e, event_sink_fn *fn, void *ctx)
{
	const char *id = engine_session_id(e);
	int n = id ? engine_history_replay(engine_state_dir(e), id, engine_is_busy(e), fn, ctx)
		   : 0;

	if (n >= 0 && n < INT_MAX - 2)
		n += engine_live_output(e, fn, ctx);
	return n;
}
