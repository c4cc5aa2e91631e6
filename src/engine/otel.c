/* SPDX-License-Identifier: MIT */
/*
 * Events to OpenTelemetry: spans, metrics and log records after the GenAI
 * semantic conventions (gen-ai-spans.md, gen-ai-agent-spans.md,
 * gen-ai-metrics.md of the OpenTelemetry semantic conventions; the MCP span
 * of mcp.md). Which event opens and ends which span is here; the wire format
 * and the sending are telemetry/'s.
 */
#include "engine/otel.h"

#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "config/config.h"
#include "config/managed.h"
#include "config/settings.h"
#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/version.h"
#include "telemetry/otlp_export.h"

#define CLOSE_WAIT_MS	2000 /* the last export at teardown, while the collector answers */
#define CONTENT_MAX	8192 /* bytes of a prompt or output exported (otel_log_content) */
#define MAX_CALLS	64   /* tool calls open at once (more are not traced) */

/* gen_ai.client.token.usage's buckets (gen-ai-metrics.md). */
static const double token_bounds[] = { 1,      4,	16,	  64,	    256,      1024,	4096,
				       16384,  65536,	262144,	  1048576,  4194304,  16777216, 67108864 };
/* gen_ai.client.operation.duration's buckets, seconds (gen-ai-metrics.md). */
static const double duration_bounds[] = { 0.01, 0.02, 0.04, 0.08,  0.16,  0.32,	 0.64,
					  1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92 };

struct call {
	char *id;
	char *name;
	int decision; /* -1 none, 0 deny, 1 allow */
	struct otlp_span span;
};

struct otel {
	struct otlp_export *x;
	const struct config *cfg;
	bool content;	    /* otel_log_content = on */
	char *provider;
	char *model;
	char *session;
	bool agent_open;
	struct otlp_span agent; /* invoke_agent: the task */
	bool chat_open;
	struct otlp_span chat; /* the model request in progress */
	struct call calls[MAX_CALLS];
	size_t ncalls;
	/* The log record of an audit record whose event opens a span
	 * (session_start, tool_call): the record is written before its event
	 * reaches otel_event(), so it waits there for that span. */
	bool holding;
	char *held_id; /* its tool call's id, or NULL */
	struct otlp_log held;
};

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

/* s cut to CONTENT_MAX bytes, between characters (the cut marked "…"); heap. */
static char *
capped(const char *s)
{
	size_t n = strlen(s);

	return n <= CONTENT_MAX ? xstrdup(s)
				: xasprintf("%.*s…", (int)utf8_end(s, CONTENT_MAX), s);
}

int
otel_open(struct otel **out, struct ev_loop *l, const struct config *cfg)
{
	struct otlp_settings st;
	/* The environment overrides the config, as for every setting
	 * (settings_env): not where the managed policy locks it. */
	struct otlp_settings_in in = {
		.headers = cfg->otel_headers,
		.locked = managed_lock(cfg, "otel_endpoint") != NULL,
		.version = DESKHAND_VERSION,
	};

	in.endpoint = settings_value(cfg, CONFIG_I_otel_endpoint, &in.endpoint_from);
	in.protocol = settings_value(cfg, CONFIG_I_otel_protocol, &in.protocol_from);

	*out = NULL;
	if (otlp_export_settings(&st, &in) < 0) {
		otlp_export_settings_fini(&st);
		return DH_EPARSE;
	}
	if (!st.endpoint) {
		otlp_export_settings_fini(&st);
		return 0;
	}
	struct otel *o = xcalloc(1, sizeof *o);
	struct otlp_export_opts eo = {
		.endpoint = st.endpoint,
		.protocol = st.protocol,
		.headers = &st.headers,
		.resource = &st.resource,
		.timeout_ms = st.timeout_ms,
		.interval_ms = st.interval_ms,
		.queue_max = st.queue_max,
		.batch_max = st.batch_max,
	};
	int rc = otlp_export_new(&o->x, l, &eo);

	if (rc < 0) {
		otlp_export_settings_fini(&st);
		free(o);
		return rc;
	}
	log_info("otel: exporting to %s (%s, from %s)", st.endpoint,
		 st.protocol == OTLP_JSON ? "http/json" : "http/protobuf", st.endpoint_from);
	otlp_export_settings_fini(&st);
	o->cfg = cfg;
	o->content = cfg->otel_log_content && !strcmp(cfg->otel_log_content, "on");
	o->provider = xstrdup(cfg->provider && *cfg->provider ? cfg->provider : "anthropic");
	*out = o;
	return 0;
}

/*
 * Spans
 */

static void
span_start(struct otel *o, struct otlp_span *s, const char *name, enum otlp_span_kind kind,
	   const struct otlp_span *parent)
{
	memset(s, 0, sizeof *s);
	if (parent) {
		memcpy(s->trace_id, parent->trace_id, sizeof s->trace_id);
		memcpy(s->parent_id, parent->span_id, sizeof s->parent_id);
	} else {
		otlp_random_id(s->trace_id, sizeof s->trace_id);
	}
	otlp_random_id(s->span_id, sizeof s->span_id);
	s->name = xstrdup(name);
	s->kind = kind;
	s->start_ns = otlp_now_ns();
	(void)o;
}

static void
span_end(struct otel *o, struct otlp_span *s)
{
	if (!s->end_ns)
		s->end_ns = otlp_now_ns();
	otlp_export_span(o->x, s); /* moves it */
}

static void
span_error(struct otlp_span *s, const char *type, const char *message)
{
	s->status = OTLP_STATUS_ERROR;
	free(s->status_message);
	s->status_message = message ? xstrdup(message) : NULL;
	otlp_attr_str(&s->attrs, "error.type", type);
}

static void
gen_ai_common(struct otel *o, struct otlp_attrs *a, const char *op)
{
	otlp_attr_str(a, "gen_ai.operation.name", op);
	otlp_attr_str(a, "gen_ai.provider.name", o->provider);
}

static void
end_chat(struct otel *o, const char *error)
{
	if (!o->chat_open)
		return;
	o->chat_open = false;
	if (error)
		span_error(&o->chat, "request_failed", error);
	o->chat.end_ns = otlp_now_ns();

	struct otlp_attrs a = ARRAY_INIT;

	gen_ai_common(o, &a, "chat");
	otlp_attr_str(&a, "gen_ai.request.model", o->model);
	if (error)
		otlp_attr_str(&a, "error.type", "request_failed");
	otlp_export_record(o->x, "gen_ai.client.operation.duration", "s",
			   "GenAI operation duration", duration_bounds,
			   sizeof duration_bounds / sizeof *duration_bounds, &a,
			   (double)(o->chat.end_ns - o->chat.start_ns) / 1e9);
	otlp_attrs_fini(&a);
	span_end(o, &o->chat);
}

static struct call *
find_call(struct otel *o, const char *id)
{
	for (size_t i = 0; id && i < o->ncalls; i++)
		if (o->calls[i].id && !strcmp(o->calls[i].id, id))
			return &o->calls[i];
	return NULL;
}

static void
drop_call(struct otel *o, struct call *c)
{
	free(c->id);
	free(c->name);
	otlp_span_fini(&c->span);
	*c = o->calls[--o->ncalls];
	memset(&o->calls[o->ncalls], 0, sizeof o->calls[o->ncalls]);
}

static const char *
decision_name(int d)
{
	return d < 0 ? "none" : d ? "allow" : "deny";
}

/* The execute_tool span of `c` ends (and an MCP call's tools/call span under
 * it, covering the call's run). */
static void
end_call(struct otel *o, struct call *c, const struct event *res)
{
	struct otlp_attrs a = ARRAY_INIT;
	bool mcp = !strncmp(c->name, "mcp__", 5);

	otlp_attr_str(&c->span.attrs, "deskhand.tool.decision", decision_name(c->decision));
	if (res && res->is_error)
		span_error(&c->span, "tool_error", NULL);
	if (!res)
		span_error(&c->span, "unfinished", "the task ended before the call");
	if (res && o->content && res->output) {
		char *t = capped(res->output);

		otlp_attr_str(&c->span.attrs, "gen_ai.tool.call.result", t);
		free(t);
	}
	c->span.end_ns = otlp_now_ns();
	if (mcp && res) {
		/* mcp__SERVER__TOOL: the connector's tools/call (mcp.md) */
		const char *srv = c->name + 5, *sep = strstr(srv, "__");
		struct otlp_span m;
		char *server = sep ? xstrndup(srv, (size_t)(sep - srv)) : xstrdup(srv);
		const char *tool = sep ? sep + 2 : srv;
		char *name = xasprintf("tools/call %s", tool);

		span_start(o, &m, name, OTLP_SPAN_CLIENT, &c->span);
		uint64_t d = (uint64_t)(res->duration_ms > 0 ? res->duration_ms : 0) * 1000000u;

		m.end_ns = c->span.end_ns;
		m.start_ns = d < m.end_ns - c->span.start_ns ? m.end_ns - d : c->span.start_ns;
		otlp_attr_str(&m.attrs, "mcp.method.name", "tools/call");
		otlp_attr_str(&m.attrs, "gen_ai.tool.name", tool);
		otlp_attr_str(&m.attrs, "gen_ai.tool.call.id", c->id);
		otlp_attr_str(&m.attrs, "deskhand.mcp.server", server);
		if (res->is_error)
			span_error(&m, "tool_error", NULL);
		span_end(o, &m);
		free(server);
		free(name);
	}
	otlp_attr_str(&a, "gen_ai.tool.name", c->name);
	otlp_attr_str(&a, "deskhand.tool.decision", decision_name(c->decision));
	otlp_export_count(o->x, "deskhand.tool.calls", "{call}",
			  "Tool calls by tool name and decision", &a, 1);
	otlp_attrs_fini(&a);
	span_end(o, &c->span);
	drop_call(o, c);
}

static void
end_agent(struct otel *o, const char *status, const char *message)
{
	end_chat(o, status && strcmp(status, "done") ? message : NULL);
	while (o->ncalls)
		end_call(o, &o->calls[o->ncalls - 1], NULL);
	if (!o->agent_open)
		return;
	o->agent_open = false;
	otlp_attr_str(&o->agent.attrs, "deskhand.status", status ? status : "unfinished");
	if (!status || !strcmp(status, "failed"))
		span_error(&o->agent, status ? "failed" : "unfinished", message);
	span_end(o, &o->agent);
}

static void
on_session_started(struct otel *o, const struct event *ev)
{
	char *name;

	end_agent(o, NULL, NULL);
	set_str(&o->model, ev->model);
	set_str(&o->session, ev->session);
	name = xasprintf("invoke_agent %s", "deskhand");
	span_start(o, &o->agent, name, OTLP_SPAN_INTERNAL, NULL);
	free(name);
	o->agent_open = true;
	gen_ai_common(o, &o->agent.attrs, "invoke_agent");
	otlp_attr_str(&o->agent.attrs, "gen_ai.agent.name", "deskhand");
	otlp_attr_str(&o->agent.attrs, "gen_ai.request.model", ev->model);
	otlp_attr_str(&o->agent.attrs, "gen_ai.conversation.id", ev->session);
	otlp_attr_str(&o->agent.attrs, "deskhand.mode", ev->mode);
	otlp_attr_int(&o->agent.attrs, "deskhand.grants", (long long)ev->ngrants);
	if (o->content && ev->task) {
		char *t = capped(ev->task);

		otlp_attr_str(&o->agent.attrs, "deskhand.task", t);
		free(t);
	}
}

static void
on_turn_started(struct otel *o, const struct event *ev)
{
	end_chat(o, NULL);
	char *name = xasprintf("chat %s", o->model ? o->model : "");

	span_start(o, &o->chat, name, OTLP_SPAN_CLIENT, o->agent_open ? &o->agent : NULL);
	free(name);
	o->chat_open = true;
	gen_ai_common(o, &o->chat.attrs, "chat");
	otlp_attr_str(&o->chat.attrs, "gen_ai.request.model", o->model);
	if (o->cfg->max_tokens)
		otlp_attr_int(&o->chat.attrs, "gen_ai.request.max_tokens",
			      atoll(o->cfg->max_tokens));
	if (o->session)
		otlp_attr_str(&o->chat.attrs, "gen_ai.conversation.id", o->session);
	otlp_attr_int(&o->chat.attrs, "deskhand.turn", ev->turn);
}

/* The conventions' input tokens hold the cache reads and writes
 * (gen_ai.usage.cache_*.input_tokens are parts of them); the event's, as
 * Anthropic counts, leave them out. */
static void
on_usage(struct otel *o, const struct event *ev)
{
	struct otlp_attrs a = ARRAY_INIT;
	long long input = (long long)ev->usage.input_tokens + ev->usage.cache_read_tokens +
			  ev->usage.cache_creation_tokens;

	if (o->chat_open) {
		otlp_attr_int(&o->chat.attrs, "gen_ai.usage.input_tokens", input);
		otlp_attr_int(&o->chat.attrs, "gen_ai.usage.output_tokens",
			      ev->usage.output_tokens);
		if (ev->usage.cache_read_tokens)
			otlp_attr_int(&o->chat.attrs, "gen_ai.usage.cache_read.input_tokens",
				      ev->usage.cache_read_tokens);
		if (ev->usage.cache_creation_tokens)
			otlp_attr_int(&o->chat.attrs, "gen_ai.usage.cache_creation.input_tokens",
				      ev->usage.cache_creation_tokens);
		if (ev->cost_usd >= 0)
			otlp_attr_double(&o->chat.attrs, "deskhand.cost_usd", ev->cost_usd);
	}
	gen_ai_common(o, &a, "chat");
	otlp_attr_str(&a, "gen_ai.request.model", o->model);
	otlp_attr_str(&a, "gen_ai.token.type", "input");
	otlp_export_record(o->x, "gen_ai.client.token.usage", "{token}",
			   "Number of input and output tokens used", token_bounds,
			   sizeof token_bounds / sizeof *token_bounds, &a, (double)input);
	free(a.v[a.n - 1].s);
	a.v[a.n - 1].s = xstrdup("output");
	otlp_export_record(o->x, "gen_ai.client.token.usage", "{token}",
			   "Number of input and output tokens used", token_bounds,
			   sizeof token_bounds / sizeof *token_bounds, &a,
			   (double)ev->usage.output_tokens);
	otlp_attrs_fini(&a);
	if (ev->cost_usd > 0) {
		otlp_attr_str(&a, "gen_ai.request.model", o->model);
		otlp_export_count(o->x, "deskhand.cost", "USD",
				  "Model spend, from the price table", &a, ev->cost_usd);
		otlp_attrs_fini(&a);
	}
}

static void
on_assistant_message(struct otel *o, const struct event *ev)
{
	if (!o->chat_open)
		return;
	const char *fr = ev->stop_reason ? ev->stop_reason : "";

	otlp_attr_strv(&o->chat.attrs, "gen_ai.response.finish_reasons", &fr, 1);
	if (o->content && ev->text) {
		cJSON *m = json_new_arr(), *msg = json_new_obj(), *parts = json_new_arr(),
		      *p = json_new_obj();
		char *t = capped(ev->text);

		json_add_str(p, "type", "text");
		json_add_str(p, "content", t);
		json_add(parts, NULL, p);
		json_add_str(msg, "role", "assistant");
		json_add(msg, "parts", parts);
		json_add(m, NULL, msg);
		char *s = json_print(m);

		otlp_attr_str(&o->chat.attrs, "gen_ai.output.messages", s);
		free(s);
		free(t);
		cJSON_Delete(m);
	}
	end_chat(o, NULL);
}

static void
on_tool_call(struct otel *o, const struct event *ev)
{
	if (o->ncalls >= MAX_CALLS || !ev->id || !ev->name || find_call(o, ev->id))
		return;
	struct call *c = &o->calls[o->ncalls++];
	char *name = xasprintf("execute_tool %s", ev->name);

	c->id = xstrdup(ev->id);
	c->name = xstrdup(ev->name);
	c->decision = -1;
	span_start(o, &c->span, name, OTLP_SPAN_INTERNAL, o->agent_open ? &o->agent : NULL);
	free(name);
	gen_ai_common(o, &c->span.attrs, "execute_tool");
	otlp_attr_str(&c->span.attrs, "gen_ai.tool.name", ev->name);
	otlp_attr_str(&c->span.attrs, "gen_ai.tool.call.id", ev->id);
	otlp_attr_str(&c->span.attrs, "gen_ai.tool.type",
		      strncmp(ev->name, "mcp__", 5) ? "function" : "extension");
	if (o->content && ev->input) {
		char *s = json_print(ev->input), *t = capped(s);

		otlp_attr_str(&c->span.attrs, "gen_ai.tool.call.arguments", t);
		free(t);
		free(s);
	}
}

static void
on_checkpoint(struct otel *o, const struct event *ev)
{
	struct otlp_attrs a = ARRAY_INIT;
	static const double bounds[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
					 0.5,	1,    2.5,   5,	   10,	30 };

	otlp_attr_str(&a, "deskhand.checkpoint.mode", ev->ckpt_mode ? ev->ckpt_mode : "full");
	otlp_export_record(o->x, "deskhand.checkpoint.duration", "s",
			   "Time to take a checkpoint of a grant", bounds,
			   sizeof bounds / sizeof *bounds, &a, (double)ev->duration_ms / 1000.0);
	otlp_attrs_fini(&a);
}

/* Export the held log record, tied to the span its event opened (the tool
 * call's, else the task's) and to the session. */
static void
release_held(struct otel *o)
{
	if (!o->holding)
		return;
	const struct call *c = find_call(o, o->held_id);
	const struct otlp_span *s = c ? &c->span : o->agent_open ? &o->agent : NULL;

	if (s) {
		memcpy(o->held.trace_id, s->trace_id, sizeof o->held.trace_id);
		memcpy(o->held.span_id, s->span_id, sizeof o->held.span_id);
	}
	if (o->session && !otlp_attr_get(&o->held.attrs, "gen_ai.conversation.id"))
		otlp_attr_str(&o->held.attrs, "gen_ai.conversation.id", o->session);
	otlp_export_log(o->x, &o->held);
	o->holding = false;
	free(o->held_id);
	o->held_id = NULL;
}

static void
otel_event_spans(struct otel *o, const struct event *ev)
{
	struct call *c;

	switch (ev->type) {
	case EVENT_SESSION_STARTED:
		on_session_started(o, ev);
		break;
	case EVENT_TURN_STARTED:
		on_turn_started(o, ev);
		break;
	case EVENT_USAGE:
		on_usage(o, ev);
		break;
	case EVENT_ASSISTANT_MESSAGE:
		on_assistant_message(o, ev);
		break;
	case EVENT_TOOL_CALL:
		end_chat(o, NULL);
		on_tool_call(o, ev);
		break;
	case EVENT_APPROVAL_DECIDED:
		if ((c = find_call(o, ev->id)))
			c->decision = ev->approved;
		break;
	case EVENT_TOOL_RESULT:
		if ((c = find_call(o, ev->id)))
			end_call(o, c, ev);
		break;
	case EVENT_CHECKPOINT:
		on_checkpoint(o, ev);
		break;
	case EVENT_EGRESS:
		if (!ev->allowed) {
			struct otlp_attrs a = ARRAY_INIT;

			otlp_attr_str(&a, "deskhand.egress.source", ev->name ? ev->name : "");
			otlp_export_count(o->x, "deskhand.sandbox.refusals", "{refusal}",
					  "Connections the sandbox's egress proxy refused", &a, 1);
			otlp_attrs_fini(&a);
		}
		break;
	case EVENT_SESSION_FINISHED:
		end_agent(o, ev->status, ev->text);
		break;
	default:
		break;
	}
}

void
otel_event(struct otel *o, const struct event *ev)
{
	if (!o)
		return;
	otel_event_spans(o, ev);
	release_held(o);
}

/*
 * Audit records as log records
 */

/* Keys of audit records that hold what the person or the model wrote. */
static const char *const content_keys[] = { "task", "input", "message", "steps", "summary",
					    "text", "reason" };

void
otel_audit_record(const cJSON *rec, const char *line, void *ctx)
{
	struct otel *o = ctx;
	struct otlp_log lr = { 0 };
	const char *type = json_str(rec, "type");

	if (!o)
		return;
	const struct call *c = find_call(o, json_str(rec, "id"));

	lr.time_ns = otlp_now_ns();
	/* the journal's warnings (audit_record_warns()) are WARN, errors ERROR */
	lr.severity = OTLP_SEV_INFO;
	if (type && !strcmp(type, "error"))
		lr.severity = OTLP_SEV_ERROR;
	else if (audit_record_warns(rec))
		lr.severity = OTLP_SEV_WARN;
	if (o->content) {
		lr.body = xstrdup(line);
	} else {
		cJSON *r = json_dup(rec);

		for (size_t i = 0; i < sizeof content_keys / sizeof *content_keys; i++)
			cJSON_DeleteItemFromObjectCaseSensitive(r, content_keys[i]);
		lr.body = json_print(r);
		cJSON_Delete(r);
	}
	otlp_attr_str(&lr.attrs, "event.name", "deskhand.audit");
	otlp_attr_str(&lr.attrs, "deskhand.audit.type", type);
	otlp_attr_int(&lr.attrs, "deskhand.audit.seq", json_int(rec, "seq", 0));
	if (o->session && !(type && !strcmp(type, "session_start")))
		otlp_attr_str(&lr.attrs, "gen_ai.conversation.id", o->session);
	if (type && (!strcmp(type, "session_start") || !strcmp(type, "tool_call"))) {
		/* its span starts when the event reaches otel_event(), next */
		release_held(o);
		o->held = lr;
		o->held_id = json_str(rec, "id") ? xstrdup(json_str(rec, "id")) : NULL;
		o->holding = true;
		return;
	}
	const struct otlp_span *s = c ? &c->span : o->agent_open ? &o->agent : NULL;

	if (s) {
		memcpy(lr.trace_id, s->trace_id, sizeof lr.trace_id);
		memcpy(lr.span_id, s->span_id, sizeof lr.span_id);
	}
	otlp_export_log(o->x, &lr);
}

void
otel_close(struct otel *o)
{
	struct otlp_export_stats st;

	if (!o)
		return;
	release_held(o);
	end_agent(o, NULL, NULL);
	otlp_export_close(o->x, CLOSE_WAIT_MS, &st);
	log_info("otel: sent %lu spans, %lu log records, %lu metric exports; dropped %lu spans, "
		 "%lu log records, %lu metric values; %lu of %lu requests failed",
		 st.spans_sent, st.logs_sent, st.metric_exports, st.spans_dropped, st.logs_dropped,
		 st.points_dropped, st.failures, st.requests);
	free(o->provider);
	free(o->model);
	free(o->session);
	free(o);
}
