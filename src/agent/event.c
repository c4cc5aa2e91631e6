/* SPDX-License-Identifier: MIT */
/* Event serialization and command parsing: the engine's stable wire format. */
#include "agent/event.h"

#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"

static const char *const type_names[] = {
#define X(e, s) [e] = s,
	EVENT_TYPES(X)
#undef X
};

const char *
event_type_name(enum event_type t)
{
	return (unsigned)t < EVENT__COUNT ? type_names[t] : NULL;
}

static void
add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		json_add_str(o, k, v);
	else
		json_add(o, k, cJSON_CreateNull());
}

static void
add_json(cJSON *o, const char *k, const cJSON *v)
{
	json_add(o, k, v ? json_dup(v) : cJSON_CreateNull());
}

cJSON *
event_to_json(const struct event *ev)
{
	cJSON *o = json_new_obj();

	json_add_str(o, "type", event_type_name(ev->type));
	switch (ev->type) {
	case EVENT_SESSION_STARTED: {
		cJSON *g = json_add(o, "grants", json_new_arr());

		add_str(o, "session", ev->session);
		for (size_t i = 0; i < ev->ngrants; i++)
			json_add(g, NULL, cJSON_CreateString(ev->grants[i]));
		add_str(o, "task", ev->task);
		add_str(o, "model", ev->model);
		add_str(o, "mode", ev->mode);
		add_str(o, "watcher", ev->watcher);
		break;
	}
	case EVENT_PLAN_PROPOSED:
		add_str(o, "id", ev->id);
		add_json(o, "steps", ev->steps);
		break;
	case EVENT_PLAN_UPDATED:
		add_json(o, "steps", ev->steps);
		break;
	case EVENT_PLAN_DECIDED:
	case EVENT_APPROVAL_DECIDED:
		add_str(o, "id", ev->id);
		json_add_bool(o, "approved", ev->approved);
		add_str(o, "message", ev->text);
		break;
	case EVENT_TURN_STARTED:
		json_add_num(o, "turn", ev->turn);
		break;
	case EVENT_TEXT_DELTA:
	case EVENT_USER_MESSAGE:
		add_str(o, "text", ev->text);
		break;
	case EVENT_ASSISTANT_MESSAGE:
		json_add_num(o, "turn", ev->turn);
		add_str(o, "text", ev->text);
		add_str(o, "stop_reason", ev->stop_reason);
		break;
	case EVENT_TOOL_CALL:
		add_str(o, "id", ev->id);
		add_str(o, "name", ev->name);
		add_json(o, "input", ev->input);
		break;
	case EVENT_APPROVAL_NEEDED:
		add_str(o, "id", ev->id);
		add_str(o, "name", ev->name);
		add_json(o, "input", ev->input);
		add_str(o, "reason", ev->text);
		break;
	case EVENT_TOOL_RESULT:
		add_str(o, "id", ev->id);
		add_str(o, "name", ev->name);
		json_add_bool(o, "is_error", ev->is_error);
		add_str(o, "output", ev->output);
		json_add_num(o, "duration_ms", (double)ev->duration_ms);
		break;
	case EVENT_CHECKPOINT:
		add_str(o, "id", ev->id);
		add_str(o, "short_id", ev->short_id);
		add_str(o, "grant", ev->grant);
		add_str(o, "tool_call", ev->tool_call);
		json_add_num(o, "turn", ev->turn);
		json_add_num(o, "files_changed", (double)ev->files_changed);
		json_add_num(o, "duration_ms", (double)ev->duration_ms);
		add_str(o, "stat", ev->text);
		json_add_num(o, "paths_read", (double)ev->paths_read);
		add_str(o, "mode", ev->ckpt_mode);
		json_add_bool(o, "external", ev->external);
		break;
	case EVENT_STATUS:
		add_str(o, "phase", ev->phase);
		json_add_num(o, "turn", ev->turn);
		json_add_num(o, "pending_jobs", (double)ev->pending_jobs);
		add_str(o, "watcher", ev->watcher);
		break;
	case EVENT_USAGE:
		json_add_num(o, "input_tokens", (double)ev->usage.input_tokens);
		json_add_num(o, "output_tokens", (double)ev->usage.output_tokens);
		json_add_num(o, "cache_read_tokens", (double)ev->usage.cache_read_tokens);
		json_add_num(o, "cache_creation_tokens", (double)ev->usage.cache_creation_tokens);
		if (ev->cost_usd >= 0)
			json_add_num(o, "cost_usd", ev->cost_usd);
		else
			json_add(o, "cost_usd", cJSON_CreateNull());
		json_add_num(o, "total_cost_usd", ev->total_cost_usd);
		break;
	case EVENT_RETRY:
		json_add_num(o, "attempt", ev->attempt);
		json_add_num(o, "delay_ms", (double)ev->duration_ms);
		add_str(o, "reason", ev->text);
		break;
	case EVENT_AUDIT:
		add_str(o, "id", ev->id);
		add_str(o, "name", ev->name);
		add_str(o, "detail", ev->text);
		break;
	case EVENT_EGRESS:
		add_str(o, "host", ev->host);
		json_add_num(o, "port", ev->port);
		json_add_bool(o, "allowed", ev->allowed);
		add_str(o, "reason", ev->text);
		add_str(o, "address", ev->address);
		add_str(o, "source", ev->name);
		break;
	case EVENT_ERROR:
		add_str(o, "message", ev->text);
		break;
	case EVENT_REVIEW:
		add_str(o, "op", ev->name);
		json_add_bool(o, "ok", ev->approved);
		add_str(o, "message", ev->text);
		add_str(o, "conflict_dir", ev->output);
		break;
	case EVENT_SESSION_FINISHED:
		add_str(o, "status", ev->status);
		add_str(o, "message", ev->text);
		break;
	case EVENT_HELLO:
		json_add_num(o, "protocol", ev->protocol);
		add_str(o, "session", ev->session);
		add_json(o, "state", ev->data);
		break;
	case EVENT_HISTORY_END:
		json_add_num(o, "records", ev->turn);
		break;
	case EVENT_REPLY:
		add_str(o, "op", ev->name);
		json_add_bool(o, "ok", ev->approved);
		add_str(o, "message", ev->text);
		add_json(o, "data", ev->data);
		break;
	case EVENT_DETACHED:
		add_str(o, "session", ev->session);
		add_str(o, "reason", ev->text);
		break;
	case EVENT__COUNT:
		break;
	}
	if (ev->re)
		json_add_str(o, "re", ev->re);
	return o;
}

int
command_parse(struct command *out, const char *line, size_t len)
{
	static const struct {
		const char *name;
		enum command_type type;
	} names[] = {
		{ "approve", COMMAND_APPROVE },
		{ "deny", COMMAND_DENY },
		{ "steer", COMMAND_STEER },
		{ "interrupt", COMMAND_INTERRUPT },
		{ "status", COMMAND_STATUS },
		{ "accept", COMMAND_ACCEPT },
		{ "reject", COMMAND_REJECT },
		{ "undo", COMMAND_UNDO },
		{ "restore", COMMAND_RESTORE },
	};
	struct buf clean = BUF_INIT;
	cJSON *o;
	int rc;

	memset(out, 0, sizeof *out);
	/* Text enters here: invalid UTF-8 (in a steer, a deny message) becomes
	 * U+FFFD, so that the history and the next request stay valid JSON. */
	if (!utf8_valid(line, len)) {
		utf8_scrub(&clean, line, len);
		line = clean.ptr;
		len = clean.len;
	}
	rc = json_parse(&o, line, len, "command");
	buf_fini(&clean);
	if (rc < 0)
		return rc;
	const char *type = json_str(o, "type");
	if (!cJSON_IsObject(o) || !type) {
		cJSON_Delete(o);
		return err_setc(DH_EPARSE, "command: expected an object with a \"type\" field");
	}
	size_t i;
	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(names[i].name, type) == 0)
			break;
	if (i == sizeof names / sizeof *names) {
		rc = err_setc(DH_EPARSE,
			      "command: unknown type '%.40s' (approve, deny, steer, interrupt, status, "
			      "accept, reject, undo, restore)",
			      type);
		cJSON_Delete(o);
		return rc;
	}
	out->type = names[i].type;
	const char *id = json_str(o, "id");
	const char *text = json_str(o, out->type == COMMAND_STEER ? "text" : "message");
	if (out->type == COMMAND_STEER && (!text || !*text)) {
		cJSON_Delete(o);
		return err_setc(DH_EPARSE, "command: steer needs a non-empty \"text\"");
	}
	cJSON *steps = cJSON_GetObjectItemCaseSensitive(o, "steps");
	if (steps && out->type != COMMAND_APPROVE) {
		cJSON_Delete(o);
		return err_setc(DH_EPARSE, "command: \"steps\" belongs to approve only");
	}
	if (steps) {
		cJSON *s;
		bool ok = cJSON_IsArray(steps) && cJSON_GetArraySize(steps) > 0;
		cJSON_ArrayForEach(s, steps)
		{
			const char *t = json_str(s, "title");
			ok = ok && t && *t;
		}
		if (!ok) {
			cJSON_Delete(o);
			return err_setc(DH_EPARSE, "command: \"steps\" must be a non-empty array of "
						   "{\"title\": \"…\"}");
		}
		out->steps = cJSON_Duplicate(steps, true);
	}
	if (out->type == COMMAND_ACCEPT || out->type == COMMAND_REJECT ||
	    out->type == COMMAND_RESTORE) {
		const char *key = out->type == COMMAND_RESTORE ? "checkpoint" : "path";
		const char *p = json_str(o, key);
		cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "hunk");

		if (out->type == COMMAND_RESTORE && (!p || !*p)) {
			cJSON_Delete(o);
			return err_setc(DH_EPARSE, "command: restore needs a \"checkpoint\"");
		}
		if (h && (!cJSON_IsNumber(h) || h->valuedouble < 1 || h->valuedouble > 1e6 ||
			  !p || out->type == COMMAND_RESTORE)) {
			cJSON_Delete(o);
			return err_setc(DH_EPARSE, "command: \"hunk\" must be a number from 1, with a "
						   "\"path\"");
		}
		out->path = p && *p ? xstrdup(p) : NULL;
		out->hunk = h ? (int)h->valuedouble : 0;
	}
	out->force = json_bool(o, "force", false);
	out->id = id ? xstrdup(id) : NULL;
	out->text = text ? xstrdup(text) : NULL;
	cJSON_Delete(o);
	return 0;
}

void
command_fini(struct command *c)
{
	free(c->id);
	free(c->text);
	free(c->path);
	free(c->req);
	cJSON_Delete(c->steps);
	c->id = c->text = c->path = c->req = NULL;
	c->steps = NULL;
}
