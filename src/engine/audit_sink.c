/* SPDX-License-Identifier: MIT */
/*
 * Events to audit records: what each event type becomes, who made each
 * decision, what is left out (file contents, tool output, diffs: only their
 * hashes) and when the log is synced and keyed. The file format is
 * audit/audit.c's; what reaches the events is the agent's.
 */
#include "engine/audit_sink.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/journal.h"
#include "config/config.h"
#include "config/managed.h"
#include "config/settings.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/worker.h"
#include "core/xalloc.h"
#include "engine/version.h"
#include "telemetry/otlp.h"

#define INPUT_STR_MAX 512 /* longer strings of a tool input are recorded as a hash */

struct audit_sink {
	struct audit_log *log;
	struct worker *worker;
	const struct config *cfg;
	char *session;
	bool person;	     /* a person's approve/deny is being applied */
	bool failed;	     /* a write failed: said once */
	char *mode;	     /* the task's permission mode (session_started) */
	char *call;	     /* the tool call being processed, or NULL */
	bool call_decided;   /* it has a decision record */
	unsigned in_flight;  /* flush jobs posted, not yet done */
	bool again;	     /* a record came while one was in flight */
	bool again_head;     /* ... and it wants a keyed head */
};

struct flush_job {
	struct audit_sink *s;
	struct audit_flush *f;
};

static int
flush_run(void *ctx)
{
	struct flush_job *j = ctx;

	return audit_flush_run(j->f);
}

static void post_flush(struct audit_sink *s, bool head);

static void
flush_done(int rc, const char *msg, void *ctx)
{
	struct flush_job *j = ctx;
	struct audit_sink *s = j->s;

	if (rc < 0)
		log_warn("audit: %s", msg ? msg : "sync failed");
	audit_flush_free(j->f);
	free(j);
	s->in_flight--;
	if (s->again && !s->in_flight) {
		s->again = false;
		post_flush(s, s->again_head);
	}
}

/* fdatasync the log on the worker (one at a time: records that come
 * meanwhile are synced by the next one), with a keyed head when asked. */
static void
post_flush(struct audit_sink *s, bool head)
{
	if (s->in_flight) {
		s->again = true;
		s->again_head = s->again_head || head;
		return;
	}
	struct flush_job *j = xcalloc(1, sizeof *j);

	j->s = s;
	j->f = audit_flush_take(s->log, head);
	s->again_head = false;
	s->in_flight++;
	worker_post(s->worker, flush_run, flush_done, j);
}

int
audit_sink_open(struct audit_sink **out, struct worker *w, const struct config *cfg,
		const char *dir, const char *session)
{
	struct audit_sink *s = xcalloc(1, sizeof *s);
	int rc = audit_open(&s->log, dir, session, cfg->audit_key);

	*out = NULL;
	if (rc < 0) {
		free(s);
		return rc;
	}
	s->worker = w;
	s->cfg = cfg;
	s->session = xstrdup(session);
	if (cfg->audit_journal && strcmp(cfg->audit_journal, "on") == 0)
		audit_add_listener(s->log, audit_journal_send, s->session);
	*out = s;
	return 0;
}

void
audit_sink_close(struct audit_sink *s)
{
	if (!s)
		return;
	if (s->in_flight)
		worker_drain(s->worker);
	audit_close(s->log);
	free(s->session);
	free(s->mode);
	free(s->call);
	free(s);
}

void
audit_sink_set_person(struct audit_sink *s, bool person)
{
	if (s)
		s->person = person;
}

struct audit_log *
audit_sink_log(struct audit_sink *s)
{
	return s ? s->log : NULL;
}

int
audit_sink_record(struct audit_sink *s, cJSON *rec)
{
	if (audit_append(s->log, rec) < 0) {
		if (!s->failed)
			log_warn("audit: %s", err_msg());
		s->failed = true;
		return DH_EFAIL;
	}
	const char *t = json_str(rec, "type");
	bool head = audit_unkeyed(s->log) >= AUDIT_HEAD_EVERY ||
		    (t && (!strcmp(t, "session_start") || !strcmp(t, "session_end")));

	post_flush(s, head);
	return 0;
}

/*
 * What the records hold
 */

static void
add_hash(cJSON *o, const char *key, const char *text)
{
	char h[AUDIT_HASH_HEX];
	cJSON *v = json_new_obj();
	size_t n = text ? strlen(text) : 0;

	audit_sha256_hex(text ? text : "", n, h);
	json_add_str(v, "sha256", h);
	json_add_num(v, "bytes", (double)n);
	json_add(o, key, v);
}

/* Tool inputs carry file contents (write_file's content, edit_file's
 * strings): those, and any long string, become {sha256, bytes}. */
static bool
is_content_key(const char *k)
{
	static const char *const keys[] = { "content", "old_string", "new_string", "text",
					    "body",	"data",	      "patch",	    "diff",
					    "new_text", "old_text",   "contents",   "rows" };

	for (size_t i = 0; k && i < sizeof keys / sizeof *keys; i++)
		if (strcmp(k, keys[i]) == 0)
			return true;
	return false;
}

static cJSON *
redact(const cJSON *v, int depth)
{
	if (cJSON_IsString(v) && strlen(v->valuestring) > INPUT_STR_MAX) {
		cJSON *o = json_new_obj();

		add_hash(o, "h", v->valuestring);
		cJSON *h = cJSON_DetachItemFromObjectCaseSensitive(o, "h");
		cJSON_Delete(o);
		return h;
	}
	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return json_dup(v);
	cJSON *out = cJSON_IsObject(v) ? json_new_obj() : json_new_arr();
	const cJSON *c;

	if (depth > 8)
		return out;
	cJSON_ArrayForEach(c, v)
	{
		if (cJSON_IsObject(v) && is_content_key(c->string)) {
			char *t = cJSON_IsString(c) ? NULL : json_print(c);

			add_hash(out, c->string, t ? t : c->valuestring);
			free(t);
		} else {
			json_add(out, cJSON_IsObject(v) ? c->string : NULL, redact(c, depth + 1));
		}
	}
	return out;
}

/* Who made a decision the agent reports in approval_decided/plan_decided. */
static const char *
decided_by(const struct audit_sink *s, const char *text, cJSON *rec)
{
	if (s->person)
		return "person";
	if (!text)
		return "agent";
	if (!strncmp(text, "rule '", 6)) {
		/* rule 'deny x' (FILE:LINE): a line of the managed policy's file is
		 * the administrator's */
		const char *w = strstr(text, "' (");
		char *where = w ? xstrndup(w + 3, strcspn(w + 3, ")")) : NULL;
		bool managed = where && managed_sets(s->cfg, where);

		free(where);
		json_add_str(rec, "rule", text);
		return managed ? "managed policy" : "rule";
	}
	if (!strncmp(text, "no terminal to ask", 18))
		return "nobody (no terminal to ask)";
	if (!strncmp(text, "approved by --approve-plan", 26))
		return "flag --approve-plan";
	if (!strncmp(text, "withdrawn", 9))
		return "withdrawn";
	return "agent";
}

/* A setting's value as session_start records it, heap: otel_headers holds
 * the collector's credentials (an API key), so only its header names are
 * kept ("authorization=(hidden),x-team=(hidden)"); every other setting as
 * it is. */
static char *
setting_shown(size_t i, const char *value)
{
	struct otlp_attrs h = ARRAY_INIT;
	struct buf b = BUF_INIT;

	if (i != CONFIG_I_otel_headers || !value || !*value)
		return xstrdup(value ? value : "");
	if (otlp_parse_pairs(&h, value, "otel_headers") < 0) {
		otlp_attrs_fini(&h);
		return xstrdup("(hidden)");
	}
	for (size_t k = 0; k < h.n; k++)
		buf_printf(&b, "%s%s=(hidden)", k ? "," : "", h.v[k].key);
	otlp_attrs_fini(&h);
	return buf_detach(&b);
}

static cJSON *
session_start(const struct audit_sink *s, const struct event *ev)
{
	cJSON *r = json_new_obj(), *g = json_new_arr(), *set = json_new_obj();
	char host[256] = "";
	struct passwd pw, *res = NULL;
	char pwbuf[1024];

	json_add_str(r, "type", "session_start");
	json_add_str(r, "session", s->session);
	if (getpwuid_r(getuid(), &pw, pwbuf, sizeof pwbuf, &res) == 0 && res)
		json_add_str(r, "user", res->pw_name);
	json_add_num(r, "uid", (double)getuid());
	if (gethostname(host, sizeof host - 1) == 0)
		json_add_str(r, "host", host);
	json_add_str(r, "version", DESKHAND_VERSION);
	json_add_num(r, "pid", (double)getpid());
	json_add_str(r, "model", ev->model);
	json_add_str(r, "mode", ev->mode);
	for (size_t i = 0; i < ev->ngrants; i++)
		json_add(g, NULL, cJSON_CreateString(ev->grants[i]));
	json_add(r, "grants", g);
	add_hash(r, "task", ev->task);
	/* The effective policy: each setting in effect and where it came from,
	 * the managed policy's locks and lines, the rules and the allowlist. */
	cJSON *from = json_new_obj(), *rules = json_new_arr(), *egress = json_new_arr(),
	      *policy = settings_policy_json(s->cfg);

	for (size_t i = 0; i < CONFIG_NOPTIONS; i++) {
		struct settings_origin o;

		settings_origin(&o, s->cfg, i);
		char *t = settings_origin_text(&o);

		char *shown = setting_shown(i, o.value);

		json_add_str(set, config_option_name(i), shown);
		free(shown);
		json_add_str(from, config_option_name(i), t);
		free(t);
	}
	json_add(r, "settings", set);
	json_add(r, "settings_from", from);
	for (size_t i = 0; i < s->cfg->rules.n; i++) {
		cJSON *o = json_new_obj();
		char *line = config_rule_format(&s->cfg->rules.v[i]);

		json_add_str(o, "rule", line);
		json_add_str(o, "where", s->cfg->rules.v[i].where);
		json_add(rules, NULL, o);
		free(line);
	}
	json_add(r, "rules", rules);
	for (size_t i = 0; i < s->cfg->egress.n; i++) {
		cJSON *o = json_new_obj();

		json_add_str(o, "host", s->cfg->egress.v[i].text);
		json_add_str(o, "where", s->cfg->egress.v[i].where);
		json_add(egress, NULL, o);
	}
	json_add(r, "egress", egress);
	json_add(r, "policy", policy ? policy : cJSON_CreateNull());
	return r;
}

static void
track_call(struct audit_sink *s, const char *id)
{
	free(s->call);
	s->call = id ? xstrdup(id) : NULL;
	s->call_decided = false;
}

static bool
is_call(const struct audit_sink *s, const char *id)
{
	return s->call && id && strcmp(s->call, id) == 0;
}

/* The record an event becomes, or NULL. */
static cJSON *
record_of(struct audit_sink *s, const struct event *ev)
{
	cJSON *r = json_new_obj();

#define T(t) json_add_str(r, "type", t)
	switch (ev->type) {
	case EVENT_SESSION_STARTED:
		cJSON_Delete(r);
		free(s->mode);
		s->mode = ev->mode ? xstrdup(ev->mode) : NULL;
		return session_start(s, ev);
	case EVENT_TOOL_CALL:
		T("tool_call");
		json_add_str(r, "id", ev->id);
		json_add_str(r, "name", ev->name);
		json_add(r, "input", redact(ev->input, 0));
		json_add_str(r, "mode", s->mode);
		track_call(s, ev->id);
		break;
	case EVENT_APPROVAL_NEEDED:
		T("approval_asked");
		json_add_str(r, "id", ev->id);
		json_add_str(r, "name", ev->name);
		json_add_str(r, "reason", ev->text);
		if (ev->input && !strcmp(ev->name ? ev->name : "", "network"))
			json_add(r, "input", redact(ev->input, 0));
		if (ev->diff)
			add_hash(r, "diff", ev->diff);
		break;
	case EVENT_APPROVAL_DECIDED:
		T("decision");
		json_add_str(r, "id", ev->id);
		json_add_str(r, "decision", ev->approved ? "allow" : "deny");
		json_add_str(r, "by", decided_by(s, ev->text, r));
		if (ev->text && s->person)
			json_add_str(r, "message", ev->text);
		if (is_call(s, ev->id))
			s->call_decided = true;
		break;
	case EVENT_TOOL_RESULT:
		T("tool_result");
		json_add_str(r, "id", ev->id);
		json_add_str(r, "name", ev->name);
		json_add_bool(r, "is_error", ev->is_error);
		json_add_num(r, "duration_ms", (double)ev->duration_ms);
		add_hash(r, "output", ev->output);
		if (is_call(s, ev->id) && !s->call_decided)
			/* nothing asked and no rule: the mode's default (auto runs
			 * everything; ask runs read-only tools) or a refusal before
			 * any decision (no plan yet, a bad input) */
			json_add_str(r, "by", s->mode && !strcmp(s->mode, "auto")
						      ? "mode auto"
						      : "mode ask (read-only tool, or refused)");
		track_call(s, NULL);
		break;
	case EVENT_PLAN_PROPOSED: {
		cJSON *t = json_new_arr(), *st;

		T("plan_proposed");
		json_add_str(r, "id", ev->id);
		cJSON_ArrayForEach(st, ev->steps)
			json_add(t, NULL, cJSON_CreateString(json_str(st, "title") ? json_str(st, "title") : ""));
		json_add(r, "steps", t);
		break;
	}
	case EVENT_PLAN_DECIDED:
		T("plan_decision");
		json_add_str(r, "id", ev->id);
		json_add_str(r, "decision", ev->approved ? "allow" : "deny");
		json_add_str(r, "by", decided_by(s, ev->text, r));
		if (ev->text && s->person)
			json_add_str(r, "message", ev->text);
		break;
	case EVENT_EGRESS:
		T("egress");
		json_add_str(r, "host", ev->host);
		json_add_num(r, "port", ev->port);
		json_add_bool(r, "allowed", ev->allowed);
		json_add_str(r, "reason", ev->text);
		json_add_str(r, "address", ev->address);
		json_add_str(r, "source", ev->name);
		break;
	case EVENT_CHECKPOINT:
		T("checkpoint");
		json_add_str(r, "id", ev->id);
		json_add_str(r, "grant", ev->grant);
		json_add_str(r, "tool_call", ev->tool_call);
		json_add_num(r, "turn", ev->turn);
		json_add_num(r, "files_changed", (double)ev->files_changed);
		json_add_bool(r, "external", ev->external);
		break;
	case EVENT_REVIEW:
		T("review");
		json_add_str(r, "name", ev->name);
		json_add_bool(r, "ok", ev->approved);
		json_add_str(r, "message", ev->text);
		break;
	case EVENT_AUDIT:
		T("refusal");
		json_add_str(r, "id", ev->id);
		json_add_str(r, "name", ev->name);
		json_add_str(r, "detail", ev->text);
		break;
	case EVENT_ERROR:
		T("error");
		json_add_str(r, "message", ev->text);
		break;
	case EVENT_BUDGET:
		T("budget_stop");
		json_add_num(r, "spent_usd", ev->total_cost_usd);
		json_add_num(r, "cap_usd", ev->cap_usd);
		break;
	case EVENT_MCP_UNTRUSTED:
		T("mcp_untrusted");
		json_add_str(r, "path", ev->name);
		json_add_str(r, "message", ev->text);
		break;
	case EVENT_ELICITATION_DECIDED:
		T("elicitation");
		json_add_str(r, "id", ev->id);
		json_add_str(r, "server", ev->name);
		json_add_str(r, "action", ev->status);
		break;
	case EVENT_SESSION_FINISHED:
		T("session_end");
		json_add_str(r, "status", ev->status);
		json_add_str(r, "message", ev->text);
		break;
	default:
		cJSON_Delete(r);
		return NULL;
	}
#undef T
	return r;
}

int
audit_sink_event(struct audit_sink *s, const struct event *ev)
{
	if (!s)
		return 0;
	if (ev->re && ev->type != EVENT_REVIEW)
		return 0; /* an answer to one requester, not a fact of the session */
	cJSON *r = record_of(s, ev);

	if (!r)
		return 0;
	int rc = audit_sink_record(s, r);

	cJSON_Delete(r);
	return rc;
}
