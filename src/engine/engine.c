/* SPDX-License-Identifier: MIT */
/*
 * Engine assembly: the wiring `deskhand run` and the workbench share (grants,
 * session, stores, worker, watcher, egress, LLM client, agent). It renders
 * nothing and reads no terminal; front ends add sinks and send commands.
 */
#include "engine/engine.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "config/config.h"
#include "config/managed.h"
#include "config/settings.h"
#include "core/array.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/log.h"
#include "core/proc.h"
#include "core/review_model.h"
#include "core/strv.h"
#include "core/utf8.h"
#include "core/worker.h"
#include "core/xalloc.h"
#include "engine/audit_sink.h"
#include "engine/elicit.h"
#include "engine/mcp_host.h"
#include "engine/client.h"
#include "engine/inbox.h"
#include "engine/notify.h"
#include "engine/otel.h"
#include "llm/llm.h"
#include "llm/registry.h"
#include "policy/grant.h"
#include "policy/spend.h"
#include "sandbox/egress.h"
#include "sandbox/probe.h"
#include "session/session.h"
#include "skills/instructions.h"
#include "skills/skills.h"
#include "snap/review.h"
#include "snap/review_set.h"
#include "snap/snap.h"
#include "tools/tool.h"
#include "watch/watch.h"

#define ENGINE_MAX_GRANTS 64 /* fixed so the agent's borrowed arrays never move */
#define ENGINE_MAX_SINKS  8
#define ENGINE_ADOPTED_WAIT_MS 300 /* at close: the longest wait for an adopted process to exit */

struct engine {
	struct ev_loop *loop;
	bool adopting; /* a subreaper reaping what it adopts (proc_adopt_start) */
	struct config *cfg;
	struct engine_opts opts;
	char *state;
	struct grant_set *grants;
	struct session *session;
	struct snap_store **stores; /* ENGINE_MAX_GRANTS slots */
	const char **redact;	    /* ENGINE_MAX_GRANTS slots: grant paths */
	size_t ngrants;		    /* stores opened */
	size_t llm_ngrants;	    /* grants the LLM client was made with */
	struct worker *worker;
	/* The skills' own worker: trusts, :instructions and a task's
	 * instructions and skills, in order, never behind snapshot jobs. */
	struct worker *loader;
	struct watch *watch;
	char *watch_off;
	struct llm *llm;
	struct egress *egress;
	char *sandbox;
	char *bwrap; /* probe_bwrap_path(), once: run_command and the connectors use it */
	struct strv host_paths; /* probe_host_paths(), once: the file tools and run_command */
	struct config_rules user_rules;     /* the person's rules, read again per task */
	struct config_rules folder_rules;   /* the grants' .deskhand/config rules */
	struct config_lines rule_warnings;  /* what those files tried and were refused */
	struct instructions *instructions; /* AGENTS.md files the agent borrows */
	struct skill_set *skills;	   /* installed skills the agent borrows */
	struct agent *agent;
	struct audit_sink *audit; /* the session's audit log, or NULL (audit = off) */
	struct otel *otel;	  /* OpenTelemetry export, or NULL (no endpoint) */
	struct mcp_host *mcp;	 /* the connectors (MCP servers), or NULL */
	size_t mcp_told;	 /* untrusted .mcp.json lines shown so far */
	size_t mcp_noticed;	 /* connector notices shown so far (mcp_host_notices) */
	size_t mcp_audited;	 /* connectors started that have an audit record */
	cJSON *history; /* resumed conversation until the first task takes it */
	bool started;	/* the current agent was started */
	bool has_bwrap; /* bwrap is on PATH (checked at open) */
	struct {
		event_sink_fn *fn;
		void *ctx;
	} sinks[ENGINE_MAX_SINKS];
	size_t nsinks;
	engine_reply_fn *reply_fn; /* where replies go (NULL: the sinks) */
	void *reply_ctx;
	bool closing;		   /* engine_close() runs: replies are dropped */
	bool audit_failed;	   /* a record could not be written: said once */
	/* A status request being answered by the agent's status event. */
	bool status_wait;
	const char *status_re;
	unsigned long status_to;
	/* What engine_snapshot() reports, kept current from the events. */
	char *session_spec;	/* the resumed session's id until the session is open */
	char *task;		/* the session's first task */
	long long started_ns;
	long long task_ns;	/* when the current task started (CLOCK_REALTIME), 0: none */
	long input_tokens, output_tokens, cache_read_tokens;
	double cost_usd;
	cJSON *plan;		/* latest steps, or NULL */
	cJSON *pending;		/* the approval_needed event waiting, or NULL */
	struct elicit_set *elicit; /* connectors' questions waiting for the person */
	/* The "prompt" request being fetched (one at a time). */
	struct mcp_prompt_get *prompt_get;
	unsigned long prompt_to;
	char *prompt_re;
	/* Unattended runs (docs/inbox.md). */
	struct ev_timer deadline; /* armed while an approval waits (approval_deadline) */
	struct notify *notify;	  /* detached and scheduled runs tell the person */
	char *summary;		  /* first line of the latest assistant text */
	struct task_start *starting; /* a task being started, or NULL */
	bool start_failed; /* the last task ended before its agent was made */
	bool history_unread; /* the history must be read again: the agent was
			      * freed between tasks (an ungrant), a start failed */
	/* A resumed session's recovery (post_recover) is on the worker: its
	 * first task's agent is made once it is done (start_advance), so that
	 * its first request tells the model what the recovery took back. */
	bool recovering;
	char *recover_untold; /* "\n[deskhand: ...]" notes for the model, or NULL */
	/* What of them each grant's shadow repository keeps (review_set_read_untold),
	 * by grant path: forgotten there once a task's message carried them. */
	struct strv untold_grants, untold_lines;
};

static void fan_out(const struct event *ev, void *ctx);
static void start_advance(struct engine *e);
static int open_audit(struct engine *e);

/*
 * Unattended runs: the approval deadline and the notifications.
 */

static void
on_deadline(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct engine *e = ctx;
	const char *name = e->pending ? json_str(e->pending, "name") : NULL;

	(void)l;
	(void)t;
	if (!e->agent || !e->pending)
		return;
	char *m = xasprintf("nobody answered the approval of %s within approval_deadline = %s: "
			    "the run ended as expired (its changes and checkpoints are kept; "
			    "continue with: deskhand run --resume %s \"...\")",
			    name ? name : "a call", e->cfg->approval_deadline,
			    engine_session_id(e) ? engine_session_id(e) : "ID");
	agent_stop(e->agent, "expired", m);
	free(m);
}

/* One line about how the run ended or why it waits. Heap. */
static char *
notice_summary(const struct engine *e, const struct event *ev)
{
	const char *t;

	if (ev->type == EVENT_APPROVAL_NEEDED)
		return xasprintf("waits for an approval: %s", ev->name ? ev->name : "a call");
	t = ev->status && !strcmp(ev->status, "done") && e->summary ? e->summary
	    : ev->text && *ev->text					 ? ev->text
	    : e->task							 ? e->task
									 : "";
	return xstrndup(t, strcspn(t, "\n"));
}

/* An approval starts waiting or the task ended: the deadline, and for a
 * run nobody watches (origin detach or schedule:NAME) the notifications. */
static void
unattended(struct engine *e, const struct event *ev)
{
	const char *origin = e->opts.origin;
	long long ms = config_duration_ms(e->cfg->approval_deadline);

	if (ev->type == EVENT_APPROVAL_NEEDED && ms > 0)
		ev_timer_arm(e->loop, &e->deadline, (uint64_t)ms);
	if (!e->notify || !origin || (strcmp(origin, "detach") && strncmp(origin, "schedule:", 9)))
		return;
	const char *sid = engine_session_id(e);
	char *dir = client_socket_dir();
	char *self = dir && sid ? xasprintf("%s/%s.sock", dir, sid) : NULL;
	char *sum = notice_summary(e, ev);
	const char *status = ev->type == EVENT_APPROVAL_NEEDED ? "waiting" : ev->status;

	notify_send(e->notify, sid ? sid : "", status ? status : "failed", sum, origin, self);
	/* ... and this engine's own clients. */
	fan_out(&(struct event){ .type = EVENT_NOTICE, .session = sid, .status = status,
				 .text = sum, .origin = origin },
		e);
	free(sum);
	free(self);
	free(dir);
}

/* Keep the snapshot's state current (every event passes here first). */
static void
observe(struct engine *e, const struct event *ev)
{
	switch (ev->type) {
	case EVENT_SESSION_STARTED:
		if (!e->task && ev->task)
			e->task = xstrdup(ev->task);
		break;
	case EVENT_USAGE:
		e->input_tokens += ev->usage.input_tokens;
		e->output_tokens += ev->usage.output_tokens;
		e->cache_read_tokens += ev->usage.cache_read_tokens;
		e->cost_usd = ev->total_cost_usd;
		break;
	case EVENT_PLAN_PROPOSED:
	case EVENT_PLAN_UPDATED:
		cJSON_Delete(e->plan);
		e->plan = ev->steps ? json_dup(ev->steps) : NULL;
		break;
	case EVENT_APPROVAL_NEEDED:
		cJSON_Delete(e->pending);
		e->pending = event_to_json(ev);
		break;
	case EVENT_ASSISTANT_MESSAGE:
		if (ev->text && *ev->text) {
			free(e->summary);
			e->summary = xstrndup(ev->text, strcspn(ev->text, "\n"));
		}
		break;
	case EVENT_TOOL_RESULT:
		if (!e->pending || !ev->id || !json_str(e->pending, "id") ||
		    strcmp(ev->id, json_str(e->pending, "id")) != 0)
			break;
		/* the pending call was answered */
		__attribute__((fallthrough));
	case EVENT_APPROVAL_DECIDED:
	case EVENT_PLAN_DECIDED:
	case EVENT_SESSION_FINISHED:
		cJSON_Delete(e->pending);
		e->pending = NULL;
		/* A connector's question outlives no task: dismissed with it. */
		if (ev->type == EVENT_SESSION_FINISHED && e->elicit)
			elicit_cancel_all(e->elicit);
		ev_timer_disarm(e->loop, &e->deadline);
		break;
	default:
		break;
	}
}

static void reply_ev(struct engine *e, unsigned long to, const struct event *ev);

static void
fan_out(const struct event *ev, void *ctx)
{
	struct engine *e = ctx;

	/* The audit record first: a decision is on disk before anyone acts on it,
	 * and a call whose record could not be written does not run (fail closed). */
	if (audit_sink_event(e->audit, ev) < 0) {
		char *why = xstrdup(err_msg());

		agent_audit_failed(e->agent, why);
		if (!e->audit_failed) {
			e->audit_failed = true;
			char *m = xasprintf("%s; no tool call runs while its record cannot be "
					    "written", why);

			fan_out(&(struct event){ .type = EVENT_ERROR, .text = m }, e);
			free(m);
		}
		free(why);
	}
	otel_event(e->otel, ev);
	observe(e, ev);
	if (e->status_wait && ev->type == EVENT_STATUS) {
		/* The agent's answer to a status request: to the requester only. */
		struct event r = *ev;

		r.re = e->status_re;
		e->status_wait = false;
		reply_ev(e, e->status_to, &r);
		return;
	}
	for (size_t i = 0; i < e->nsinks; i++)
		e->sinks[i].fn(ev, e->sinks[i].ctx);
	if (ev->type == EVENT_APPROVAL_NEEDED || ev->type == EVENT_SESSION_FINISHED)
		unattended(e, ev);
}

/* A reply: to the requester only (the sinks when no reply function is set). */
static void
reply_ev(struct engine *e, unsigned long to, const struct event *ev)
{
	if (e->closing)
		return;
	if (e->reply_fn) {
		e->reply_fn(ev, to, e->reply_ctx);
		return;
	}
	for (size_t i = 0; i < e->nsinks; i++)
		e->sinks[i].fn(ev, e->sinks[i].ctx);
}

static void
reply(struct engine *e, unsigned long to, const char *re, const char *op, bool ok,
      const char *message, const cJSON *data)
{
	reply_ev(e, to, &(struct event){ .type = EVENT_REPLY, .re = re, .name = op, .approved = ok,
					  .text = message, .data = data });
}

static void
reply_error(struct engine *e, unsigned long to, const char *re, const char *message)
{
	reply_ev(e, to, &(struct event){ .type = EVENT_ERROR, .re = re, .text = message });
}

void
engine_set_reply(struct engine *e, engine_reply_fn *fn, void *ctx)
{
	e->reply_fn = fn;
	e->reply_ctx = ctx;
}

static void
on_watch(struct watch *w, void *ctx)
{
	struct engine *e = ctx;

	(void)w;
	if (e->agent)
		agent_watch_changed(e->agent);
}

/* A watcher over every grant; on failure none, and watch_off says why. */
static void
start_watch(struct engine *e)
{
	if (watch_new(&e->watch, e->loop, on_watch, e) < 0) {
		e->watch_off = xstrdup(err_msg());
		return;
	}
	for (size_t i = 0; i < e->ngrants && !e->watch_off; i++)
		if (watch_add_tree(e->watch, i, e->redact[i], e->state) < 0)
			e->watch_off = xstrdup(err_msg());
	if (e->watch_off) {
		watch_free(e->watch);
		e->watch = NULL;
	}
}

int
engine_check_grant(const char *real, const char *home)
{
	static const char *const system[] = {
		"/",	 "/bin",  "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32",
		"/opt",	 "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/usr", "/usr/bin",
		"/usr/lib", "/usr/local", "/usr/sbin", "/usr/share", "/var", "/var/lib",
	};

	for (size_t i = 0; i < sizeof system / sizeof *system; i++)
		if (strcmp(real, system[i]) == 0)
			return err_setc(DH_EDENIED,
					"grant '%s': refusing to grant a system directory "
					"(use --force to insist)",
					real);
	if (home && *home) {
		char *h = realpath(home, NULL);
		bool same = h && strcmp(h, real) == 0;

		free(h);
		if (same)
			return err_setc(DH_EDENIED,
					"grant '%s': refusing to grant your whole home directory "
					"(grant a folder inside it, or use --force)",
					real);
	}
	return 0;
}

/* Realpath + the refusal rules + grant_add. A folder whose path is not
 * UTF-8 is refused, --force or not: the session's records (meta.json, the
 * protocol's events) are JSON, which would hold another name, and the
 * session could not be resumed on it. */
static int
add_grant_to(struct grant_set *g, const char *path, bool force)
{
	if (grant_count(g) >= ENGINE_MAX_GRANTS)
		return err_set("grant '%s': at most %d folders", path, ENGINE_MAX_GRANTS);
	char *real = realpath(path, NULL);
	const char *name = real ? real : path;
	int rc = 0;

	if (!utf8_valid(name, strlen(name))) {
		struct buf shown = BUF_INIT;

		utf8_name_escape(&shown, name, strlen(name));
		rc = err_setc(DH_EDENIED,
			      "grant '%s': the folder's path is not UTF-8, which the session's "
			      "record cannot hold; rename it (or grant a folder above it)",
			      buf_cstr(&shown));
		buf_fini(&shown);
	} else if (!force && real) {
		rc = engine_check_grant(real, getenv("HOME"));
	}
	free(real);
	return rc < 0 ? rc : grant_add(g, path);
}

static int
add_grant(struct engine *e, const char *path, bool force)
{
	return add_grant_to(e->grants, path, force);
}

int
engine_grants_check(const char *const *paths, size_t n, bool force)
{
	struct grant_set *g = NULL;
	int rc = grant_set_new(&g);

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = add_grant_to(g, paths[i], force);
	grant_set_free(g);
	return rc;
}

/* What the engine's store locks say holds them: a foreground run cannot be
 * attached to, so a refused engine must not be told to attach. */
static enum snap_lock_kind
lock_kind(const struct engine *e)
{
	return e->opts.foreground ? SNAP_LOCK_RUN : SNAP_LOCK_ENGINE;
}

/* The session the engine's store locks name: the open one, or the one being
 * resumed, or none yet. */
static const char *
lock_owner(const struct engine *e)
{
	return e->session ? session_id(e->session) : e->session_spec;
}

/* Open stores (and watches) for grants added since the last call; each store
 * is locked for this engine (one writer per shadow repository). The lock
 * needs no libgit2; the repository itself is opened by the first job that
 * uses the store on the worker (snap_open_repo: the baseline, or a resumed
 * session's recovery), beside the first request, and a failure there stops
 * the session (agent.c, ckpt_done). */
static int
open_new_stores(struct engine *e)
{
	long long large = (long long)config_int(e->cfg->large_file_limit) << 20;

	for (size_t i = e->ngrants; i < grant_count(e->grants); i++) {
		const char *p = grant_get(e->grants, i)->path;
		int rc;

		e->redact[i] = p;
		/* engine_grant_add() may have opened and locked it already. */
		if (!e->stores[i] && snap_prepare(&e->stores[i], p, e->state) < 0)
			return DH_EFAIL;
		if ((rc = snap_lock(e->stores[i], lock_kind(e), lock_owner(e))) < 0) {
			snap_close(e->stores[i]);
			e->stores[i] = NULL;
			return rc;
		}
		snap_set_large_limit(e->stores[i], large);
		e->ngrants = i + 1;
		if (e->watch && watch_add_tree(e->watch, i, p, e->state) < 0) {
			/* The watcher is optional: fall back to full scans. */
			free(e->watch_off);
			e->watch_off = xstrdup(err_msg());
			watch_free(e->watch);
			e->watch = NULL;
		}
	}
	return 0;
}

static int
make_llm(struct engine *e)
{
	const struct config_provider *p;
	const char *model;

	/* "PROVIDER/MODEL" or a model of the `provider` option's (docs/providers.md) */
	if (config_model_resolve(e->cfg, e->cfg->model, &p, &model) < 0)
		return DH_EFAIL;
	const char *key = *p->key_env ? getenv(p->key_env) : NULL;
	const char *base = settings_provider_url(e->cfg, p, NULL);

	/* The config's values are checked where they are read, and the
	 * environment's overrides at start-up (settings_env_check); the key
	 * here, before it puts a CR (a CRLF .env file's) into the headers. */
	for (const char *k = key; k && *k; k++)
		if ((unsigned char)*k < 0x20 || *k == 0x7f)
			return err_set("%s: the key holds a control character (0x%02x at byte %zu): "
				       "it cannot go in an HTTP header (a CRLF .env file leaves a CR "
				       "at its end)",
				       p->key_env, (unsigned char)*k, (size_t)(k - key) + 1);
	if (!e->opts.replay_path && *p->key_env && (!key || !*key)) {
		if (strcmp(p->key_env, "ANTHROPIC_API_KEY") == 0)
			return err_set("no API key: set ANTHROPIC_API_KEY (export ANTHROPIC_API_KEY=sk-ant-..., "
				       "from console.anthropic.com; it is never stored). Without a key, "
				       "'make demo' and 'make demo-tui' replay a recorded session, and "
				       "--replay FILE serves a recording");
		return err_set("no API key for provider %s: set %s (its key_env; it is never stored), "
			       "or 'provider %s key_env =' for a server that takes none",
			       p->name, p->key_env, p->name);
	}
	struct llm_config lc = {
		.provider = p->kind,
		.base_url = *base ? base : NULL,
		.api_key = key ? key : "",
		.model = model,
		.max_tokens = (int)config_int(e->cfg->max_tokens),
		.context_window = config_int(e->cfg->context_window),
		.thinking = config_thinking(e->cfg->thinking) == CONFIG_THINKING_ADAPTIVE
				    ? LLM_THINKING_ADAPTIVE
				    : config_thinking(e->cfg->thinking),
		/* `max_retries = 0` means none; llm's 0 means its default. */
		.max_retries = config_int(e->cfg->max_retries) > 0
				       ? (int)config_int(e->cfg->max_retries) : -1,
		.idle_timeout_ms = (int)config_int(e->cfg->idle_timeout) * 1000,
		.max_message_bytes = (size_t)config_int(e->cfg->message_limit) << 20,
		.record_path = e->opts.record_path,
		.replay_path = e->opts.replay_path,
		.redact_paths = e->redact,
		.nredact_paths = e->ngrants,
		.headers = (const char *const *)p->headers.v,
		.nheaders = p->headers.n,
		.api_version = p->api_version,
	};
	llm_free(e->llm);
	e->llm = NULL;
	e->llm_ngrants = e->ngrants;
	return llm_new(&e->llm, e->loop, &lc);
}

/*
 * Recovery of a resumed session: what changed on disk since its last
 * checkpoint (a killed tool call's changes, or someone else's) is recorded
 * before anything else runs on the worker, and shown as a "review" event.
 */

struct recover_job {
	struct engine *e;
	struct review_set rs;
	cJSON *history; /* a copy of the resumed conversation */
	struct buf report;
	struct buf untold; /* what the model is to be told (review_set_read_untold) */
	struct strv told;  /* each grant's lines of it, as kept */
	struct grant_set *grants; /* the job's copy, NULL when it could not be made */
	char *session_dir;
};

void
engine_recover_put_back(const struct review_set *rs, const struct grant_set *grants,
                        const char *session_dir, const cJSON *history, struct buf *report)
{
	struct strv calls = ARRAY_INIT, lines = ARRAY_INIT;
	char *call = NULL;

	if (!grants || !session_dir || !history)
		return;
	review_set_unanswered(history, &calls);
	strv_uniq(&calls);
	if (tool_shell_put_back(session_dir, grants, &calls, &lines, &call) < 0)
		log_warn("recovery: the protected files kept before a command: %s", err_msg());
	for (size_t g = 0; call && g < lines.n; g++) {
		const char *gp = grant_get(grants, g)->path;
		size_t k = 0;

		while (k < rs->n && strcmp(rs->paths[k], gp))
			k++;
		if (!*lines.v[g] || k == rs->n)
			continue;
		struct buf b = BUF_INIT;

		buf_puts(&b, lines.v[g]);
		for (const char *p = lines.v[g], *nl; (nl = strchr(p, '\n')); p = nl + 1)
			buf_printf(report, "%s: %.*s\n", gp, (int)(nl - p), p);
		if (snap_review_put_back(rs->stores[k], rs->session, call, &b) < 0)
			log_warn("recovery: %s", err_msg());
		buf_fini(&b);
	}
	free(call);
	strv_free(&calls);
	strv_free(&lines);
}

static int
recover_run(void *ctx)
{
	struct recover_job *j = ctx;
	int rc = review_set_recover(&j->rs, j->history, &j->report);

	if (rc >= 0)
		engine_recover_put_back(&j->rs, j->grants, j->session_dir, j->history, &j->report);
	return rc < 0 ? rc : review_set_read_untold(&j->rs, &j->untold, &j->told);
}

static void
recover_done(int rc, const char *errmsg, void *ctx)
{
	struct recover_job *j = ctx;

	if (rc < 0 || j->report.len)
		fan_out(&(struct event){ .type = EVENT_REVIEW, .name = "recover",
					 .approved = rc == 0,
					 .text = rc == 0 ? buf_cstr(&j->report) : errmsg },
			j->e);
	j->e->recovering = false;
	/* Closing, they stay in the shadow repositories for the next run. */
	if (j->untold.len && !j->e->closing) {
		free(j->e->recover_untold);
		j->e->recover_untold = buf_detach(&j->untold);
		for (size_t g = 0; g < j->rs.n && g < j->told.n; g++) {
			strv_add(&j->e->untold_grants, j->rs.paths[g]);
			strv_add(&j->e->untold_lines, j->told.v[g]);
		}
	}
	if (!j->e->closing && j->e->starting)
		start_advance(j->e); /* a first task that waited for it */
	free((void *)j->rs.stores);
	free((void *)j->rs.paths);
	cJSON_Delete(j->history);
	buf_fini(&j->report);
	buf_fini(&j->untold);
	strv_free(&j->told);
	grant_set_free(j->grants);
	free(j->session_dir);
	free(j);
}

/* The recovery's lines are in a task's history: forget them in the shadow
 * repositories (review_set_forget_untold), on the worker. */
struct forget_job {
	struct review_set rs;
	struct strv told;
	char *session;
};

static int
forget_run(void *ctx)
{
	struct forget_job *j = ctx;

	return review_set_forget_untold(&j->rs, &j->told);
}

/* A failure leaves the lines kept: a later resume tells the model again. */
static void
forget_done(int rc, const char *errmsg, void *ctx)
{
	struct forget_job *j = ctx;

	if (rc < 0)
		log_warn("recovery: a later resume tells the model again: %s", errmsg);
	free((void *)j->rs.stores);
	free((void *)j->rs.paths);
	strv_free(&j->told);
	free(j->session);
	free(j);
}

/* Post forget_run() for the lines the engine handed to a task (its grants
 * now, found by path: an ungrant may have come between). */
static void
post_forget_untold(struct engine *e)
{
	struct forget_job *j = xcalloc(1, sizeof *j);
	struct snap_store **stores = xcalloc(e->ngrants + 1, sizeof *stores);
	const char **paths = xcalloc(e->ngrants + 1, sizeof *paths);

	for (size_t i = 0; i < e->ngrants; i++) {
		size_t k = 0;

		while (k < e->untold_grants.n && strcmp(e->untold_grants.v[k], e->redact[i]))
			k++;
		stores[i] = e->stores[i];
		paths[i] = e->redact[i];
		strv_add(&j->told, k < e->untold_grants.n ? e->untold_lines.v[k] : "");
	}
	j->session = xstrdup(session_id(e->session));
	j->rs = (struct review_set){ j->session, stores, paths, e->ngrants };
	worker_post(e->worker, forget_run, forget_done, j);
	strv_free(&e->untold_grants);
	strv_free(&e->untold_lines);
}

static void
post_recover(struct engine *e)
{
	struct recover_job *j = xcalloc(1, sizeof *j);
	struct snap_store **stores = xcalloc(e->ngrants + 1, sizeof *stores);
	const char **paths = xcalloc(e->ngrants + 1, sizeof *paths);

	memcpy(stores, e->stores, e->ngrants * sizeof *stores);
	memcpy(paths, e->redact, e->ngrants * sizeof *paths);
	j->e = e;
	j->rs = (struct review_set){ session_id(e->session), stores, paths, e->ngrants };
	j->history = e->history ? json_dup(e->history) : NULL;
	if (grant_set_dup(e->grants, &j->grants) < 0) {
		log_warn("recovery: %s", err_msg());
		j->grants = NULL;
	}
	j->session_dir = session_dir(e->session) ? xstrdup(session_dir(e->session)) : NULL;
	buf_init(&j->report);
	buf_init(&j->untold);
	e->recovering = true;
	worker_post(e->worker, recover_run, recover_done, j);
}

/* The snapshot's task, totals, plan and start time from a session's meta.json
 * (its totals, or its transcript's when that is further along). */
static void
snapshot_from_meta(struct engine *e, const cJSON *meta)
{
	const char *task = json_str(meta, "task"), *ns = json_str(meta, "started_ns");
	const cJSON *plan = json_arr(meta, "plan");
	struct session_totals t;

	if (task && !e->task)
		e->task = xstrdup(task);
	e->started_ns = ns ? strtoll(ns, NULL, 10) : json_int(meta, "started_ns", 0);
	if (session_totals(e->state, e->session_spec, meta, &t) < 0)
		log_warn("session totals: %s", err_msg());
	e->input_tokens = (long)t.input_tokens;
	e->output_tokens = (long)t.output_tokens;
	e->cache_read_tokens = (long)t.cache_read_tokens;
	e->cost_usd = t.cost_unknown ? -1 : t.cost_usd;
	cJSON_Delete(e->plan);
	e->plan = plan ? json_dup(plan) : NULL;
}

/* session_open() refused a session another process has open: say which (its
 * folders' locks were ours, so the holder is an engine without them, or an
 * engine of a session with no grants). */
static int
live_session_error(const struct engine *e)
{
	if (!strstr(err_msg(), "open in another deskhand process"))
		return DH_EFAIL;
	return err_setc(DH_EDENIED, "session %s is live in another deskhand process; attach with: "
				    "deskhand attach %s (%s)",
			e->session_spec, e->session_spec, err_msg());
}

/* A connector's line for the person (it needs authorization). */
/* A connector needs the person's authorization: every client is told. */
static void
connector_authorize(const char *server, const char *url, const char *text, void *ctx)
{
	fan_out(&(struct event){ .type = EVENT_AUTHORIZATION_NEEDED, .name = server, .url = url,
				 .text = text },
		ctx);
}

/* A resource the model read changed on its connector's server: every client
 * is told (the model is told by the connector host at its next turn). */
static void
connector_resource_updated(const char *server, const char *uri, void *ctx)
{
	fan_out(&(struct event){ .type = EVENT_RESOURCE_UPDATED, .name = server, .url = uri }, ctx);
}

static void report_connectors(struct engine *e);

/* A line about a connector (it stopped, was refused): shown now once the
 * session exists, else with the task's start (report_connectors). */
static void
connector_noticed(void *ctx)
{
	struct engine *e = ctx;

	if (e->session)
		report_connectors(e);
}

/* The connectors of the person's mcp.json and of the granted folders'
 * trusted .mcp.json start now, side by side, off the loop's critical path. */
static int
start_connectors(struct engine *e, const char *bwrap)
{
	const char **folders = xcalloc(e->ngrants + 1, sizeof *folders);
	struct mcp_host_opts mo = {
		.loop = e->loop,
		.state_dir = e->state,
		.sandbox_path = e->sandbox,
		.bwrap = bwrap,
		.folders = folders,
		.nfolders = e->ngrants,
		.elicit = e->elicit,
		.authorize = connector_authorize,
		.authorize_ctx = e,
		.cfg = e->cfg,
		.resource_updated = connector_resource_updated,
		.resource_updated_ctx = e,
		.noticed = connector_noticed,
		.noticed_ctx = e,
	};

	for (size_t i = 0; i < e->ngrants; i++)
		folders[i] = grant_get(e->grants, i)->path;
	int rc = mcp_host_new(&e->mcp, &mo);

	free(folders);
	return rc;
}

/* Say once which folder .mcp.json files started nothing, and why, and what
 * became of the connectors (one stopped, one was refused). */
static void
report_connectors(struct engine *e)
{
	const struct strv *u = e->mcp ? mcp_host_untrusted(e->mcp) : NULL;
	const struct strv *p = e->mcp ? mcp_host_untrusted_paths(e->mcp) : NULL;
	const struct strv *n = e->mcp ? mcp_host_notices(e->mcp) : NULL;

	if (!u)
		return;
	for (; e->mcp_noticed < n->n; e->mcp_noticed++)
		fan_out(&(struct event){ .type = EVENT_ERROR, .text = n->v[e->mcp_noticed] }, e);
	for (size_t i = e->mcp_told; i < u->n; i++) {
		fan_out(&(struct event){ .type = EVENT_ERROR, .text = u->v[i] }, e);
		/* The workbench offers to trust it. */
		fan_out(&(struct event){ .type = EVENT_MCP_UNTRUSTED, .name = p->v[i],
					 .text = u->v[i] }, e);
	}
	e->mcp_told = u->n;
}

int
engine_open(struct engine **out, struct ev_loop *loop, struct config *cfg,
	    const struct engine_opts *o)
{
	struct engine *e = xcalloc(1, sizeof *e);

	*out = e;
	e->loop = loop;
	e->cfg = cfg;
	e->opts = *o;
	ev_timer_init(&e->deadline, on_deadline, e);
	/* What the commands' sandboxes leave behind when bwrap exits (its pid-1
	 * init, for a few ms) is re-parented to us and reaped here, not by
	 * whoever started us; without it the system's init reaps it. */
	e->adopting = proc_adopt_start(loop) == 0;
	if (!e->adopting)
		log_warn("engine: %s", err_msg());
	notify_new(&e->notify, loop, cfg->notify_command);
	e->stores = xcalloc(ENGINE_MAX_GRANTS, sizeof *e->stores);
	e->redact = xcalloc(ENGINE_MAX_GRANTS, sizeof *e->redact);
	e->elicit = elicit_set_new(fan_out, e);
	/* libcurl loads on a thread from here, beside the rest of the start-up
	 * (the folders, their shadow repositories, the session, the first
	 * request's body); the first request is held until it is over, and the
	 * loop goes on meanwhile (http_start). The load is most of a launch, so
	 * it starts before all of that: 1.5 ms sooner to the first request than
	 * when it started after the watcher (the median of 150 paired launches).
	 * The snapshot worker's thread starts first: a thread created while the
	 * load runs waits for all of it (glibc's loader lock; the watcher's
	 * does, below, and its walk of the folders then takes no CPU from the
	 * load). */
	if (worker_new(&e->worker, loop) < 0 || worker_new(&e->loader, loop) < 0)
		return DH_EFAIL;
	worker_start(e->worker);
	/* A resumed session's recovery runs on the snapshot worker first: its
	 * first task's instructions and skills are read on the loader's. */
	if (o->resume)
		worker_start(e->loader);
	if (llm_global_init() < 0)
		return DH_EFAIL;
	if (fsutil_state_dir(&e->state) < 0 || fsutil_mkdir_p(e->state, 0700) < 0)
		return DH_EFAIL;
	/* The configuration directory exists from here on, like the state's: in a
	 * granted folder both are host paths the agent may not change
	 * (probe_host_paths), and a missing one could not be bound read-only in
	 * the sandbox, so a command could create it. Without HOME, or with a
	 * read-only one, there is nothing to protect and nothing is refused. */
	char *config = config_user_dir();

	if (config && fsutil_mkdir_p(config, 0700) < 0)
		log_debug("no configuration directory: %s", err_msg());
	free(config);
	if (grant_set_new(&e->grants) < 0)
		return DH_EFAIL;
	if (o->resume) {
		cJSON *meta = NULL, *g;
		int rc;

		/* The session is opened once its folders are locked, so that a live
		 * engine of it is named by the lock's refusal. */
		if ((rc = session_resolve(e->state, o->resume, &e->session_spec)) < 0)
			return rc;
		if (session_meta_read(e->state, e->session_spec, &meta) < 0)
			return DH_EFAIL;
		snapshot_from_meta(e, meta);
		/* A resumed session keeps its permission mode unless told otherwise. */
		const char *m = json_str(meta, "mode");
		/* A mode the managed policy locks holds over the session's own. */
		if (m && !o->mode_given && !managed_lock(cfg, "mode") &&
		    config_set(cfg, "mode", m, "meta.json") < 0) {
			cJSON_Delete(meta);
			return DH_EFAIL;
		}
		/* Its grants were accepted when it started: no refusal check. */
		cJSON_ArrayForEach(g, json_arr(meta, "grants"))
		{
			if (cJSON_IsString(g) && add_grant(e, g->valuestring, true) < 0) {
				cJSON_Delete(meta);
				return DH_EFAIL;
			}
		}
		cJSON_Delete(meta);
	}
	for (size_t i = 0; i < o->ngrants; i++) {
		int rc = add_grant(e, o->grants[i], o->force);
		if (rc < 0)
			return rc;
	}
	int orc = open_new_stores(e);
	if (orc < 0)
		return orc;
	if (o->resume) {
		if (session_open(&e->session, e->state, e->session_spec) < 0)
			return live_session_error(e);
		if (session_history_load(e->session, &e->history) < 0)
			return DH_EFAIL;
	}
	/* An environment override is checked as a config line is, before a
	 * request retries a URL that can never work. */
	if (settings_env_check(cfg) < 0)
		return DH_EFAIL;
	if (otel_open(&e->otel, loop, cfg) < 0)
		return err_set("telemetry: %s", err_msg());
	if (o->resume) {
		if (open_audit(e) < 0)
			return DH_EFAIL;
		post_recover(e);
	}
	/* The watcher is optional: without it every checkpoint is a full scan. */
	if (strcmp(cfg->watch, "on") != 0)
		e->watch_off = xstrdup("disabled by the config (watch = off)");
	else
		start_watch(e);
	if (make_llm(e) < 0)
		return DH_EFAIL;
	if (egress_new(&e->egress, loop) < 0)
		return DH_EFAIL;
	for (size_t i = 0; i < cfg->egress.n; i++)
		if (egress_allow(e->egress, cfg->egress.v[i].text, cfg->egress.v[i].where) < 0)
			return DH_EFAIL;
	const struct config_lock *lock = managed_lock(cfg, "egress");

	if (lock)
		egress_set_locked(e->egress, lock->where);
	e->sandbox = probe_sandbox_path();
	e->bwrap = probe_bwrap_path();
	e->has_bwrap = access(e->bwrap, X_OK) == 0;
	probe_host_paths(&e->host_paths, e->sandbox, e->bwrap);
	return start_connectors(e, e->bwrap);
}

void
engine_add_sink(struct engine *e, event_sink_fn *fn, void *ctx)
{
	if (e->nsinks < ENGINE_MAX_SINKS) {
		e->sinks[e->nsinks].fn = fn;
		e->sinks[e->nsinks].ctx = ctx;
		e->nsinks++;
	}
}

void
engine_remove_sink(struct engine *e, event_sink_fn *fn, void *ctx)
{
	for (size_t i = 0; i < e->nsinks; i++) {
		if (e->sinks[i].fn == fn && e->sinks[i].ctx == ctx) {
			memmove(&e->sinks[i], &e->sinks[i + 1],
				(e->nsinks - i - 1) * sizeof *e->sinks);
			e->nsinks--;
			return;
		}
	}
}

static void
free_rules(struct engine *e)
{
	config_rules_fini(&e->user_rules);
	config_rules_fini(&e->folder_rules);
	config_lines_fini(&e->rule_warnings);
}

/* The permission rules, read again for each agent: the person's config (a
 * rule saved from "always allow", an edit) and the granted folders' own (a
 * grant added since); what a folder may not do is a warning each. */
static int
load_rules(struct engine *e)
{
	struct config fresh;

	free_rules(e);
	if (config_load(&fresh) < 0) {
		config_fini(&fresh);
		return DH_EPARSE;
	}
	e->user_rules = fresh.rules;
	fresh.rules = (struct config_rules){ 0 };
	for (size_t i = 0; i < grant_count(e->grants); i++)
		if (config_load_folder_rules(&e->folder_rules, &e->rule_warnings,
					     grant_get(e->grants, i)->path, &fresh) < 0) {
			config_fini(&fresh);
			return DH_EPARSE;
		}
	config_fini(&fresh);
	for (size_t i = 0; i < e->rule_warnings.n; i++)
		log_warn("rules: %s", e->rule_warnings.v[i].text);
	return 0;
}

/*
 * Starting a task. Its instructions and skills are read on the loader
 * (instructions_load() reads every AGENTS.md, skills_load() hashes every file
 * of each folder's skills), behind any trust of skills asked for before it
 * and beside the snapshot jobs (a resumed session's recovery reads the
 * folders meanwhile); the agent is made and started on the loop when they
 * are in, the last task's snapshot jobs are done and the recovery is (its
 * first request tells the model what the recovery took back; the message
 * of a task interrupted before it carries that into the history). What comes
 * for the task meanwhile waits here.
 */

/* The worker's part; it touches nothing else. */
struct start_load {
	struct engine *e;	  /* NULL once dropped: start_load_done() frees it all */
	struct grant_set *grants; /* the job's copy */
	struct instructions *in;
	struct skill_set *sk;
	atomic_bool stop;	  /* dropped: the skills are read no further */
};

/* A requester of a command that waits for the task being started. */
struct start_asker {
	unsigned long from;
	char *re; /* its request id, or NULL */
};

struct task_start {
	char *task;
	struct start_load *load; /* on the worker, or NULL */
	struct instructions *in; /* what it read, the engine's once the agent is made */
	struct skill_set *sk;
	bool ready;		 /* start_ready() ran */
	bool reread;		 /* a follow-up: the history is read again (history_run) */
	cJSON *history;		 /* what history_run read, until start_ready() */
	double day_spent;	 /* what every session spent today (max_cost_per_day) */
	struct strv steers;	 /* steers (and starts) sent meanwhile, in order */
	bool compact;		 /* a compact was asked for */
	ARRAY(struct start_asker) compacts; /* who asked for it (told if it is dropped) */
	bool stopped;		 /* interrupted: it ends before its first request */
	char *stop;		 /* why (engine_stop), NULL for the person's interrupt */
	bool recorded;		 /* its "task" record is in the transcript */
	struct strv records;	 /* the texts of the "task" records it wrote: its
				  * own, then its steers', in order */
};

/* A fresh agent over the current grants, with the instructions and skills
 * ts read (the engine's from now on: the agent borrows them) and the rules
 * start_ready() read. */
static int
new_agent(struct engine *e, struct task_start *ts)
{
	instructions_free(e->instructions);
	skills_free(e->skills);
	e->instructions = ts->in;
	e->skills = ts->sk;
	ts->in = NULL;
	ts->sk = NULL;
	struct agent_config ac = {
		.loop = e->loop,
		.worker = e->worker,
		.llm = e->llm,
		.grants = e->grants,
		.stores = e->stores,
		.session = e->session,
		.model = e->cfg->model,
		.mode = strcmp(e->cfg->mode, "auto") == 0 ? AGENT_MODE_AUTO : AGENT_MODE_ASK,
		.approve_plan = e->opts.approve_plan,
		.can_ask = e->opts.can_ask,
		.sandbox_path = e->sandbox,
		.bwrap_path = e->bwrap,
		.host_paths = &e->host_paths,
		.unsandboxed = e->opts.unsandboxed,
		.max_turns = (int)config_int(e->cfg->max_turns),
		.command_timeout_s = (int)config_int(e->cfg->command_timeout),
		.instructions = e->instructions,
		.skills = e->skills,
		.watch = e->watch,
		.watch_off = e->watch_off,
		.large_file_limit = (long long)config_int(e->cfg->large_file_limit) << 20,
		.egress = e->egress,
		.tools_extra = e->mcp ? mcp_host_tools(e->mcp) : NULL,
		.rules = &e->user_rules,
		.folder_rules = &e->folder_rules,
		.rule_warnings = &e->rule_warnings,
		.max_cost_usd = config_cost(e->cfg->max_cost),
		.max_cost_session_usd = config_cost(e->cfg->max_cost_per_session),
		.max_cost_day_usd = config_cost(e->cfg->max_cost_per_day),
		.day_spent_usd = ts->day_spent,
		.ledger_dir = e->state,
		.max_tokens_session = config_int(e->cfg->max_tokens_per_session),
		.context_window = llm_registry_window(e->cfg->model,
						      config_int(e->cfg->context_window), NULL),
		.compact_at = config_fraction(e->cfg->compact_at),
	};
	int rc = agent_new(&e->agent, &ac);

	if (rc < 0)
		return rc;
	agent_add_sink(e->agent, fan_out, e);
	e->started = false;
	return 0;
}

/* The session comes into being with its first task: a workbench opened and
 * quit, or one that failed to start, leaves nothing. The meta.json written
 * here is what a session killed before the agent's first save shows and
 * resumes from (the agent rewrites it from then on). */
static int
create_session(struct engine *e, const char *task)
{
	cJSON *meta = json_new_obj(), *g = json_new_arr();

	json_add_str(meta, "status", "running");
	json_add_str(meta, "task", task);
	json_add_str(meta, "model", e->cfg->model ? e->cfg->model : "");
	json_add_str(meta, "mode", e->cfg->mode);
	if (e->opts.origin)
		json_add_str(meta, "origin", e->opts.origin);
	for (size_t i = 0; i < e->ngrants; i++)
		json_add(g, NULL, cJSON_CreateString(grant_get(e->grants, i)->path));
	json_add(meta, "grants", g);
	int rc = session_create(&e->session, e->state, meta);
	cJSON_Delete(meta);
	if (rc < 0)
		return rc;
	/* The stores' locks name the session from now on; the snapshot takes
	 * its start time. */
	for (size_t i = 0; i < e->ngrants; i++)
		if (snap_lock(e->stores[i], lock_kind(e), session_id(e->session)) < 0)
			return DH_EFAIL;
	cJSON *m = NULL;
	if (session_meta_read(e->state, session_id(e->session), &m) == 0) {
		const char *ns = json_str(m, "started_ns");

		e->started_ns = ns ? strtoll(ns, NULL, 10) : 0;
	}
	cJSON_Delete(m);
	if (!e->task)
		e->task = xstrdup(task);
	return 0;
}

/* Open the session's audit log (audit = on) once the session exists. A log
 * that cannot be opened stops the task: the person asked for a record. */
static int
open_audit(struct engine *e)
{
	if (e->audit || !e->session || strcmp(e->cfg->audit, "on") != 0)
		return 0;
	if (audit_sink_open(&e->audit, e->worker, e->cfg, session_dir(e->session),
			    session_id(e->session)) < 0)
		return err_set("audit log: %s (set audit = off to run without one)", err_msg());
	if (e->otel)
		audit_add_listener(audit_sink_log(e->audit), otel_audit_record, e->otel);
	return 0;
}

/* An mcp_start audit record for each connector started since the last call
 * ("NAME: starting", "NAME: failed: why", …: mcp_host_describe). */
static void
audit_connectors(struct engine *e)
{
	size_t n = e->mcp ? mcp_host_count(e->mcp) : 0;

	for (; e->audit && e->mcp_audited < n; e->mcp_audited++) {
		char *d = mcp_host_describe(e->mcp, e->mcp_audited);
		size_t k = strcspn(d, ":");
		cJSON *r = json_new_obj();

		json_add_str(r, "type", "mcp_start");
		json_add_strn(r, "name", d, k);
		json_add_str(r, "status", d[k] ? d + k + (d[k + 1] == ' ' ? 2 : 1) : "");
		if (audit_sink_record(e->audit, r) < 0)
			log_warn("audit: %s", err_msg());
		cJSON_Delete(r);
		free(d);
	}
}

/* Tell the person what opening the session repaired or skipped. */
static void
report_session_notes(struct engine *e)
{
	char *notes = session_take_notes(e->session);

	if (notes)
		fan_out(&(struct event){ .type = EVENT_ERROR, .text = notes }, e);
	free(notes);
}

/* Drop what the worker still reads for ts: it stops between two folders'
 * skills, and start_load_done() frees it. */
static void
start_drop(struct task_start *ts)
{
	if (ts->load) {
		atomic_store(&ts->load->stop, true);
		ts->load->e = NULL;
		ts->load = NULL;
	}
}

static void
task_start_free(struct task_start *ts)
{
	if (!ts)
		return;
	start_drop(ts);
	free(ts->task);
	cJSON_Delete(ts->history);
	instructions_free(ts->in);
	skills_free(ts->sk);
	strv_free(&ts->steers);
	strv_free(&ts->records);
	for (size_t i = 0; i < ts->compacts.n; i++)
		free(ts->compacts.v[i].re);
	ARRAY_FREE(&ts->compacts);
	free(ts->stop);
	free(ts);
}

/* Everything for ts's agent but its instructions and skills, once the last
 * task's agent has no job left on the worker: that agent freed and the
 * session's history (read again on the worker) taken, the rules and today's spend read, the LLM
 * client over the current grants, the session created by its first task
 * (after what can refuse the task: a task refused leaves no session), its
 * audit log. */
static int
start_ready(struct engine *e, struct task_start *ts)
{
	if (ts->reread) { /* the last task's agent goes; its history was read again */
		agent_free(e->agent);
		e->agent = NULL;
		e->started = false;
		e->history_unread = false;
		cJSON_Delete(e->history);
		e->history = ts->history;
		ts->history = NULL;
	}
	/* A rule every session refuses is the caller's error now, as the
	 * agent made later would refuse it (connectors' tools aside). */
	const struct config_rules *const sets[] = { &e->user_rules, &e->folder_rules };

	if (load_rules(e) < 0 || client_rules_check(sets, 2) < 0)
		return DH_EPARSE;
	if (config_cost(e->cfg->max_cost_per_day) > 0 &&
	    spend_ledger_day(e->state, time(NULL), &ts->day_spent) < 0)
		return err_set("max_cost_per_day: %s", err_msg());
	if (e->llm_ngrants != e->ngrants && make_llm(e) < 0)
		return DH_EFAIL;
	if (!e->session && create_session(e, ts->task) < 0)
		return DH_EFAIL;
	if (open_audit(e) < 0)
		return DH_EFAIL;
	report_session_notes(e);
	report_connectors(e);
	audit_connectors(e);
	ts->ready = true;
	return 0;
}

/* The session's record of a task that ended before its agent was made
 * (the agent writes it otherwise): status "failed" and why as its summary,
 * not the "running" of a new session that a dead engine turns into
 * "interrupted", and "start_failed": a new session's first task, whose
 * text is meta.json's "task", never reached its history, and a resume
 * does not send it as if it were pending (agent_start()). On the worker:
 * meta.json is replaced with fsyncs. */
struct meta_failed {
	struct session *session; /* the engine's: the worker is drained first */
	char *state;
	char *why;
};

static int
meta_failed_run(void *ctx)
{
	struct meta_failed *j = ctx;
	cJSON *m = NULL;
	int rc = session_meta_read(j->state, session_id(j->session), &m);

	if (rc == 0) {
		static const char *const keys[] = { "status", "summary", "updated",
						    "start_failed" };

		for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
			cJSON_DeleteItemFromObjectCaseSensitive(m, keys[i]);
		json_add_str(m, "status", "failed");
		json_add_bool(m, "start_failed", true);
		json_add_strn(m, "summary", j->why, strcspn(j->why, "\n"));
		json_add_num(m, "updated", (double)time(NULL));
		rc = session_meta_write(j->session, m);
	}
	cJSON_Delete(m);
	return rc;
}

static void
meta_failed_done(int rc, const char *msg, void *ctx)
{
	struct meta_failed *j = ctx;

	if (rc < 0)
		log_warn("meta.json: %s", msg);
	free(j->state);
	free(j->why);
	free(j);
}

static void
record_failed(struct engine *e, const char *why)
{
	struct meta_failed *j;

	if (!e->session)
		return;
	j = xcalloc(1, sizeof *j);
	j->session = e->session;
	j->state = xstrdup(e->state);
	j->why = xstrdup(why);
	worker_post(e->worker, meta_failed_run, meta_failed_done, j);
}

/* The task being started cannot start: said as a task that failed. */
static void
start_abort(struct engine *e, const char *why)
{
	struct task_start *ts = e->starting;
	char *m = xstrdup(why);

	/* Its "task" records (its own, its steers') are answered: a later
	 * task's history does not bring their texts back as the person's
	 * message (session_history_load), the person having been told that
	 * it failed and that the steers were not sent. The history read for
	 * it (which has it pending) goes: the next task reads it again. */
	if (ts->records.n > 0 &&
	    session_append_task_failed(e->session, m, ts->records.n) < 0)
		log_warn("transcript: %s", err_msg());
	if (ts->recorded && !e->agent) {
		cJSON_Delete(e->history);
		e->history = NULL;
		e->history_unread = true;
	}
	e->starting = NULL;
	e->start_failed = true; /* settled once its record is written */
	record_failed(e, m);
	fan_out(&(struct event){ .type = EVENT_ERROR, .text = m }, e);
	/* The steers (and starts) taken while it started had no agent to go
	 * to: each is said not sent, with its text, not dropped unsaid. */
	for (size_t i = 0; i < ts->steers.n; i++) {
		char *s = xasprintf("steer: not sent, the task failed before its first "
				    "request; send it again: %s",
				    ts->steers.v[i]);

		fan_out(&(struct event){ .type = EVENT_ERROR, .text = s }, e);
		free(s);
	}
	task_start_free(ts);
	fan_out(&(struct event){ .type = EVENT_SESSION_FINISHED, .status = "failed", .text = m }, e);
	free(m);
}

/* Make and start the agent of the task being started; the commands that
 * came meanwhile are its first. */
static void
start_finish(struct engine *e)
{
	struct task_start *ts = e->starting;
	int rc = new_agent(e, ts);

	if (rc < 0) {
		start_abort(e, err_msg());
		return;
	}
	e->starting = NULL;
	bool told = e->recover_untold != NULL;
	if (told) {
		/* with the task's message, into the history: an interrupted
		 * task's too (the engine may exit before another comes); the
		 * shadow repositories forget them once it is written */
		agent_add_notes(e->agent, e->recover_untold);
		free(e->recover_untold);
		e->recover_untold = NULL;
	}
	for (size_t i = 0; i < ts->steers.n; i++)
		(void)agent_command(e->agent, &(struct command){ .type = COMMAND_STEER,
								  .text = ts->steers.v[i] });
	if (ts->compact)
		(void)agent_command(e->agent, &(struct command){ .type = COMMAND_COMPACT });
	if (ts->stop)
		agent_stop(e->agent, "interrupted", ts->stop);
	else if (ts->stopped)
		(void)agent_command(e->agent, &(struct command){ .type = COMMAND_INTERRUPT });
	cJSON *h = e->history;
	e->history = NULL; /* the agent owns it now, even on failure */
	e->started = true;
	if (agent_start(e->agent, ts->task, h) < 0)
		fan_out(&(struct event){ .type = EVENT_ERROR, .text = (char *)err_msg() }, e);
	else if (told && agent_history_kept(e->agent))
		post_forget_untold(e);
	task_start_free(ts);
}

/* The barrier job: every job queued before it has run. */
static int
barrier_run(void *ctx)
{
	(void)ctx;
	return 0;
}

/* The task being started goes on once it is ready, its instructions and
 * skills are in (or interrupted: what was still being read was dropped,
 * start_stop()) and a resumed session's recovery is done: an interrupted
 * task waits for it too, so that its message carries what the recovery
 * took back into the history (the shadow repository keeps those lines
 * until then, post_forget_untold(), so the session's next request has
 * them, in this engine or a later one). */
static void
start_advance(struct engine *e)
{
	struct task_start *ts = e->starting;

	if (!ts->ready)
		return;
	if (!ts->load && !e->recovering)
		start_finish(e);
}

/* Every snapshot job queued before it ran (its own still counted): once
 * the last task's agent has none left, the next is readied. */
static void
barrier_done(int rc, const char *msg, void *ctx)
{
	struct engine *e = ctx;

	(void)rc;
	(void)msg;
	if (!e->starting || e->starting->ready)
		return;
	if (worker_pending(e->worker) > 1) {
		/* jobs posted since: that agent's own, maybe */
		worker_post(e->worker, barrier_run, barrier_done, e);
		return;
	}
	if (start_ready(e, e->starting) < 0)
		start_abort(e, err_msg());
	else
		start_advance(e);
}

/* A follow-up's read of the session's history (session_history_load(): the
 * whole transcript, parsed), on the snapshot worker behind the last task's
 * jobs, which it waits for as barrier_run() does. */
struct history_read {
	struct engine *e;
	cJSON *history;
};

static int
history_run(void *ctx)
{
	struct history_read *h = ctx;

	return session_history_load(h->e->session, &h->history);
}

/* Whether block `b` is a text block of `text`. */
static bool
block_is(const cJSON *b, const char *text)
{
	const char *t = json_str(b, "text");

	return t && !strcmp(t, text);
}

/* The follow-up's history was read after it wrote its "task" records (some
 * of them: a steer's may come after the read): the first ones of `own` end
 * the pending message (session_history_load), in order, and go, as the
 * task brings their texts itself (its message, its steers). The blocks
 * before them are other tasks', whose engines died: they stay. */
static void
drop_own_pending(cJSON *history, const struct strv *own)
{
	int last = cJSON_GetArraySize(history) - 1;
	cJSON *m = cJSON_GetArrayItem(history, last);
	cJSON *content = cJSON_IsObject(m) && json_bool(m, "task_pending", false)
				 ? json_arr(m, "content")
				 : NULL;
	int n = cJSON_GetArraySize(content);

	for (int k = n < (int)own->n ? n : (int)own->n; k > 0; k--) {
		int i = 0;

		while (i < k && block_is(cJSON_GetArrayItem(content, n - k + i), own->v[i]))
			i++;
		if (i < k)
			continue;
		while (k-- > 0)
			cJSON_DeleteItemFromArray(content, --n);
		if (n == 0)
			cJSON_DeleteItemFromArray(history, last);
		return;
	}
}

static void
history_done(int rc, const char *msg, void *ctx)
{
	struct history_read *h = ctx;
	struct engine *e = h->e;
	struct task_start *ts = e->starting;

	if (ts && !ts->ready && !e->closing) {
		if (rc < 0) {
			start_abort(e, msg);
		} else {
			cJSON_Delete(ts->history);
			ts->history = h->history;
			h->history = NULL;
			drop_own_pending(ts->history, &ts->records);
			barrier_done(0, NULL, e);
		}
	}
	cJSON_Delete(h->history);
	free(h);
}

static int
start_load_run(void *ctx)
{
	struct start_load *l = ctx;

	if (instructions_load(&l->in, l->grants) < 0 ||
	    skills_load_stoppable(&l->sk, l->grants, 0, &l->stop) < 0)
		return DH_EFAIL;
	return 0;
}

static void
start_load_done(int rc, const char *errmsg, void *ctx)
{
	struct start_load *l = ctx;
	struct engine *e = l->e;

	grant_set_free(l->grants);
	if (e) {
		e->starting->load = NULL;
		if (rc < 0) {
			start_abort(e, errmsg);
		} else {
			e->starting->in = l->in;
			e->starting->sk = l->sk;
			l->in = NULL;
			l->sk = NULL;
			start_advance(e);
		}
	}
	instructions_free(l->in);
	skills_free(l->sk);
	free(l);
}

/* A "task" record of `text` for the task being started (its own, or a
 * steer's): in the transcript before the reply, so an engine killed before
 * the agent writes the task's message loses nothing the person typed. */
static void
start_record(struct engine *e, const char *text)
{
	if (session_append_task(e->session, text) < 0)
		log_warn("transcript: %s", err_msg());
	else
		strv_add(&e->starting->records, text);
}

/* A steer (or a start) taken by the task being started: its agent's first,
 * with the task's message (agent_start()). Its session exists (made by
 * the task's start_ready() at the latest). */
static void
start_steer(struct engine *e, const char *text)
{
	strv_add(&e->starting->steers, text);
	start_record(e, text);
}

/* A steer, compact or start for the task being started once it was
 * interrupted: it would be dropped with the task, so it is refused. */
static int
start_refuse_stopped(void)
{
	return err_set("the task is being interrupted: send this again once it has ended");
}

/* An interrupt (why NULL: the person's) of the task being started: it ends
 * before its first request, at once when it is ready, else once the last
 * task's jobs are done (and a follow-up's history is read, a resumed
 * session's recovery is done). Its instructions and skills, still being
 * read, are dropped now: a job queued behind them waits for no more of
 * them. The steers sent before it go into the history with the task's
 * message (agent_start()); a compact asked for before it would compact
 * nothing now, and its requesters are told so. */
static void
start_stop(struct engine *e, const char *why)
{
	struct task_start *ts = e->starting;

	if (ts->stopped)
		return;
	ts->stopped = true;
	ts->stop = why ? xstrdup(why) : NULL;
	ts->compact = false;
	for (size_t i = 0; i < ts->compacts.n; i++)
		reply_error(e, ts->compacts.v[i].from, ts->compacts.v[i].re,
			    "compact: the task was interrupted before its first request; nothing "
			    "was compacted: send compact again once it has ended");
	start_drop(ts);
	start_advance(e);
}

int
engine_start(struct engine *e, const char *task)
{
	if (e->starting) {
		if (e->starting->stopped)
			return start_refuse_stopped();
		start_steer(e, task);
		return 0;
	}
	if (engine_is_busy(e)) {
		struct command c = { .type = COMMAND_STEER, .text = (char *)task };

		return agent_command(e->agent, &c);
	}
	struct task_start *ts = xcalloc(1, sizeof *ts);
	struct start_load *l = xcalloc(1, sizeof *l);

	ts->task = xstrdup(task);
	/* A first task: all but the agent is made now; what fails is the
	 * caller's to report, and the session exists (the id a launch
	 * reports). A follow-up (or the first after an ungrant): once the last
	 * task's jobs are done and the history is read again (history_done). */
	ts->reread = e->agent || e->history_unread;
	bool fresh = !e->session; /* created here: its record says how it ended */

	if ((!ts->reread && start_ready(e, ts) < 0) || grant_set_dup(e->grants, &l->grants) < 0) {
		if (fresh && e->session)
			record_failed(e, err_msg());
		task_start_free(ts);
		free(l);
		return DH_EFAIL;
	}
	ts->recorded = !fresh;
	l->e = e;
	ts->load = l;
	e->starting = ts;
	/* A task on a session that has a history: its text is in the
	 * transcript before the reply (a new session's first task has its
	 * meta.json for that: restore_task()). */
	if (!fresh)
		start_record(e, task);
	e->start_failed = false;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	e->task_ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
	/* On the loader, behind the trusts asked for before; on the snapshot
	 * worker when neither has a job (a new session's first task: its
	 * thread waits already, worker_start()), but for a follow-up, whose
	 * history is read there meanwhile (not after every skill). */
	bool idle = !ts->reread && !worker_pending(e->worker) && !worker_pending(e->loader);

	worker_post(idle ? e->worker : e->loader, start_load_run, start_load_done, l);
	if (ts->reread) {
		struct history_read *h = xcalloc(1, sizeof *h);

		h->e = e;
		worker_post(e->worker, history_run, history_done, h);
	}
	return 0;
}

/*
 * Review commands (agent/event.h): accept, reject, undo, restore. The
 * libgit2 work runs on the worker; the outcome is a "review" event.
 */

struct review_job {
	struct engine *e;
	char *re; /* the request id the review event carries back */
	enum command_type op;
	size_t ngrants, grant;
	struct snap_store **stores; /* every grant's, borrowed */
	const char **paths;         /* every grant's path, borrowed */
	char *session;
	char *path; /* accept/reject: grant-relative, NULL = all; restore: the spec */
	char *alt;  /* accept/reject: the path's unescaped spelling, in grant alt_grant,
	             * taken when `path` names nothing pending (review_set_pick_name),
	             * or NULL */
	size_t alt_grant;
	int hunk;
	char *seen; /* accept/reject: the client's review_model_digest(), or NULL */
	char *shown; /* accept/reject: path as the review lists it (utf8_sanitized():
	              * caf\xe9.txt, a^Jb), set by review_run; else NULL */
	unsigned flags;
	struct buf report;
	char *conflict_dir;
};

/* restore's checkpoint spec that moves the accepted mark instead */
#define MARK_SPEC "accepted:"

static const char *const review_ops[] = {
	[COMMAND_ACCEPT] = "accept", [COMMAND_REJECT] = "reject", [COMMAND_UNDO] = "undo",
	[COMMAND_REDO] = "redo",     [COMMAND_RESTORE] = "restore",
};

static const char *
review_op_name(enum command_type t)
{
	return (size_t)t < sizeof review_ops / sizeof *review_ops && review_ops[t] ? review_ops[t]
										    : "review";
}

/* Redo the newest undo over every grant whose redo is still valid (the grants
 * one undo touched share its op tag). */
static int
review_redo(struct review_job *j, const struct review_set *rs, struct review_outcome *o)
{
	char(*ops)[64] = xcalloc(rs->n + 1, sizeof *ops), best[64] = "";
	bool stale = false;
	int rc = 0;

	for (size_t g = 0; g < rs->n && rc >= 0; g++) {
		rc = snap_review_can_redo(rs->stores[g], rs->session, ops[g]);
		if (rc == DH_ENOTFOUND)
			rc = 0; /* nothing taken in that grant yet */
		stale |= rc == 2;
		if (rc != 1)
			ops[g][0] = '\0';
		else if (strcmp(ops[g], best) > 0)
			snprintf(best, sizeof best, "%s", ops[g]);
	}
	if (rc >= 0 && !best[0])
		rc = err_setc(DH_ENOTFOUND, "nothing to redo%s",
		              stale ? " (changes were recorded after the undo)" : "");
	/* Check every grant first so a conflict in one changes nothing anywhere. */
	for (int pass = j->flags & REVIEW_F_FORCE ? 1 : 0; rc >= 0 && pass < 2; pass++) {
		for (size_t g = 0; g < rs->n && rc >= 0; g++) {
			if (strcmp(ops[g], best) != 0)
				continue;
			snap_review_outcome_fini(o);
			snap_review_outcome_init(o);
			rc = snap_review_redo(rs->stores[g], rs->session,
					      j->flags | (pass ? 0 : REVIEW_F_DRY_RUN), NULL, o);
		}
	}
	free(ops);
	if (rc >= 0) { /* what `deskhand log` records: "redo (taking back restore …)" */
		if (o->taken_back[0])
			buf_printf(&j->report, "took back %s", o->taken_back);
		else
			buf_puts(&j->report, "redid the last undo");
		rc = 0;
	}
	return rc;
}

/* Every grant: accept (or reject) all that is pending. */
static int
review_all(struct review_job *j, const struct review_set *rs, struct review_outcome *o)
{
	struct review **rv = xcalloc(rs->n + 1, sizeof *rv);
	int rc = j->op == COMMAND_ACCEPT ? 0 : review_set_get(rs, rv);

	for (size_t g = 0; g < rs->n && rc == 0; g++) {
		if (j->op == COMMAND_ACCEPT) {
			rc = snap_review_accept(rs->stores[g], rs->session, NULL, 0, o);
		} else if (rv[g] && rv[g]->nfiles > 0) {
			const char **paths = xcalloc(rv[g]->nfiles, sizeof *paths);

			for (size_t i = 0; i < rv[g]->nfiles; i++)
				paths[i] = rv[g]->files[i].path;
			rc = snap_review_reject(rs->stores[g], rs->session, paths, rv[g]->nfiles,
						j->flags, NULL, o);
			free(paths);
		}
		if (rc == DH_ENOTFOUND)
			rc = 0; /* nothing taken in that grant yet */
	}
	for (size_t g = 0; g < rs->n; g++)
		snap_review_free(rv[g]);
	free(rv);
	buf_printf(&j->report, "%s every pending change",
		   j->op == COMMAND_ACCEPT ? "accepted" : "rejected");
	return rc;
}

/* The newest agent step over every grant, reverted in each grant it changed. */
static int
review_undo(struct review_job *j, const struct review_set *rs, struct review_outcome *o)
{
	struct strv calls = { 0 }, labels = { 0 };
	int rc = review_set_newest_calls(rs, 1, &calls, &labels);

	if (rc == 0)
		rc = err_setc(DH_ENOTFOUND, "no agent step to undo");
	/* Check every grant first so a conflict in one changes nothing anywhere;
	 * one op tag in every grant, so redo finds them together. */
	char op[32];
	review_set_new_op(op);
	for (int pass = j->flags & REVIEW_F_FORCE ? 1 : 0; rc > 0 && pass < 2; pass++) {
		for (size_t g = 0; rc > 0 && g < rs->n; g++) {
			struct strv ids = { 0 };

			if ((rc = review_set_step_ids(rs, g, &calls, &ids)) == 0 && ids.n) {
				snap_review_outcome_fini(o);
				snap_review_outcome_init(o);
				rc = snap_review_undo(rs->stores[g], rs->session,
						      (const char *const *)ids.v, ids.n, op,
						      j->flags | (pass ? 0 : REVIEW_F_DRY_RUN), NULL, o);
			}
			rc = rc < 0 ? rc : 1;
			strv_free(&ids);
		}
	}
	if (rc > 0) {
		buf_printf(&j->report, "undid %s (%s)", calls.v[0], labels.v[0]);
		rc = 0;
	}
	strv_free(&calls);
	strv_free(&labels);
	return rc;
}

/* Worker: the file (or hunk) the client showed, whose digest it sent, is
 * still what is pending, now that the disk is recorded: else nothing is done
 * (an accept of a change never shown, or hunk N of a diff that moved on). */
static int
review_seen(struct review_job *j, struct snap_store *s)
{
	struct review *rv = NULL;
	char now[17] = "";
	int rc = snap_review_get(s, j->session, &rv);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < rv->nfiles; i++)
		if (!strcmp(rv->files[i].path, j->path))
			review_model_digest(&rv->files[i], j->hunk, now);
	snap_review_free(rv);
	if (strcmp(now, j->seen) != 0)
		return err_set("%s changed since it was shown: nothing %s; look at it again",
			       j->shown, j->op == COMMAND_ACCEPT ? "accepted" : "rejected");
	return 0;
}

/* Worker: the same for everything pending (accept or reject of it all):
 * a file the client never listed (a newer step, an edit just recorded) is
 * not taken along unseen. */
static int
review_seen_all(struct review_job *j, const struct review_set *rs)
{
	struct review **rv = xcalloc(rs->n + 1, sizeof *rv);
	char now[17];
	int rc = review_set_get(rs, rv);

	if (rc == 0)
		review_model_digest_all(rv, rs->n, now);
	for (size_t g = 0; g < rs->n; g++)
		snap_review_free(rv[g]);
	free(rv);
	if (rc == 0 && strcmp(now, j->seen) != 0)
		rc = err_set("what is pending changed since it was shown: nothing %s; look at it "
			     "again", j->op == COMMAND_ACCEPT ? "accepted" : "rejected");
	return rc;
}

static int
review_run(void *ctx)
{
	struct review_job *j = ctx;
	struct snap_store *s = j->stores[j->grant];
	const char *paths[1];
	struct review_outcome o;
	int rc = 0;

	snap_review_outcome_init(&o);
	/* Act on what is on disk now: record what changed since the last
	 * checkpoint first (the live agent checkpoints its own calls). */
	const struct review_set rs = { j->session, j->stores, j->paths, j->ngrants };
	if ((rc = review_set_recover(&rs, NULL, &j->report)) < 0) {
		snap_review_outcome_fini(&o);
		return rc;
	}
	if (j->alt) { /* the name as given, else as review --json spells it */
		if ((rc = review_set_pick_name(&rs, j->grant, j->path, j->alt_grant, j->alt)) < 0) {
			snap_review_outcome_fini(&o);
			return rc;
		}
		if (rc == 1) {
			char *p = j->path;

			j->path = j->alt;
			j->alt = p;
			j->grant = j->alt_grant;
			s = j->stores[j->grant];
		}
		rc = 0;
	}
	/* The name in the report and messages: one line, no control sequence. */
	struct buf shown = BUF_INIT;
	const char *name = j->shown = xstrdup(j->path ? utf8_sanitized(&shown, j->path) : "");

	buf_fini(&shown);
	paths[0] = j->path;
	if (j->seen && (rc = j->path ? review_seen(j, s) : review_seen_all(j, &rs)) < 0) {
		snap_review_outcome_fini(&o);
		return rc;
	}
	if ((j->op == COMMAND_ACCEPT || j->op == COMMAND_REJECT) && !j->path) {
		rc = review_all(j, &rs, &o);
	} else if (j->op == COMMAND_UNDO) {
		rc = review_undo(j, &rs, &o);
	} else if (j->op == COMMAND_REDO) {
		rc = review_redo(j, &rs, &o);
	} else if (j->op == COMMAND_RESTORE && !strncmp(j->path, MARK_SPEC, strlen(MARK_SPEC))) {
		/* "accepted:ID": the accepted mark back (or forward) to ID, in
		 * the grant that has it; the workbench's u after an accept. */
		const char *id = j->path + strlen(MARK_SPEC);

		rc = DH_ENOTFOUND;
		for (size_t g = 0; g < rs.n && rc == DH_ENOTFOUND; g++)
			rc = snap_review_mark_set(rs.stores[g], rs.session, id, &o);
		if (rc == DH_ENOTFOUND)
			rc = err_setc(DH_ENOTFOUND, "no accepted mark %s in this session", id);
		buf_printf(&j->report, "moved the accepted mark to %.12s", id);
	} else if (j->op == COMMAND_RESTORE) {
		bool *on = xcalloc(rs.n + 1, sizeof *on);
		char op[32]; /* one tag in every grant, so redo takes them back together */

		review_set_new_op(op);
		if (!review_set_restore_targets(&rs, j->path, on) &&
		    !review_set_spec_is_mark(j->path))
			rc = err_setc(DH_ENOTFOUND, "no checkpoint '%s' in this session", j->path);
		/* Check every grant first so a conflict in one changes nothing anywhere. */
		for (int pass = j->flags & REVIEW_F_FORCE ? 1 : 0; rc == 0 && pass < 2; pass++) {
			for (size_t g = 0; g < rs.n && rc == 0; g++) {
				if (!on[g])
					continue;
				snap_review_outcome_fini(&o);
				snap_review_outcome_init(&o);
				rc = snap_review_restore(rs.stores[g], rs.session, j->path, op,
							 j->flags | (pass ? 0 : REVIEW_F_DRY_RUN),
							 NULL, &o);
			}
		}
		free(on);
		buf_printf(&j->report, "restored checkpoint %s", j->path);
	} else if (j->op == COMMAND_ACCEPT && j->hunk) {
		rc = snap_review_accept_hunk(s, j->session, j->path, j->hunk, &o);
		buf_printf(&j->report, "accepted hunk %d of %s", j->hunk, name);
	} else if (j->op == COMMAND_ACCEPT) {
		rc = snap_review_accept(s, j->session, paths, 1, &o);
		buf_printf(&j->report, "accepted %s", name);
	} else if (j->hunk) {
		rc = snap_review_reject_hunk(s, j->session, j->path, j->hunk, j->flags, NULL, &o);
		buf_printf(&j->report, "rejected hunk %d of %s", j->hunk, name);
		/* What of the person's a forced reject wrote over, and where it is. */
		struct buf one = BUF_INIT;
		for (size_t i = 0; rc == 0 && i < o.notes.n; i++)
			buf_printf(&j->report, "\n%s", utf8_sanitized(&one, o.notes.v[i]));
		buf_fini(&one);
	} else {
		rc = snap_review_reject(s, j->session, paths, 1, j->flags, NULL, &o);
		buf_printf(&j->report, "rejected %s", name);
	}
	if (rc == DH_ECONFLICT) {
		/* Name the files: the person must know which edit is in the way. */
		struct buf names = BUF_INIT, one = BUF_INIT;

		for (size_t i = 0; i < o.nconflicts; i++)
			buf_printf(&names, "%s%s", i ? ", " : "",
				   utf8_sanitized(&one, o.conflicts[i].path));
		buf_fini(&one);
		j->conflict_dir = o.conflict_dir ? xstrdup(o.conflict_dir) : NULL;
		rc = err_setc(DH_ECONFLICT,
			      "conflict: %s changed since the agent's step (the versions are in %s; "
			      "force overwrites)",
			      names.len ? buf_cstr(&names) : "a file",
			      o.conflict_dir ? o.conflict_dir : "?");
		buf_fini(&names);
	}
	snap_review_outcome_fini(&o);
	return rc;
}

static void
review_done(int rc, const char *errmsg, void *ctx)
{
	struct review_job *j = ctx;

	fan_out(&(struct event){ .type = EVENT_REVIEW, .name = review_op_name(j->op),
				 .approved = rc == 0,
				 .text = rc == 0 ? buf_cstr(&j->report) : errmsg,
				 .output = j->conflict_dir, .re = j->re },
		j->e);
	free(j->re);
	free(j->stores);
	free(j->paths);
	free(j->session);
	free(j->path);
	free(j->alt);
	free(j->seen);
	free(j->shown);
	free(j->conflict_dir);
	buf_fini(&j->report);
	free(j);
}

static void
review_command(struct engine *e, const struct command *c)
{
	struct review_job *j;
	size_t g = 0, ag = 0;
	char *rel = NULL, *alt = NULL;

	if ((c->type == COMMAND_ACCEPT || c->type == COMMAND_REJECT) && c->path) {
		/* The name as review --json spells it ("caf\xe9.txt"), routed
		 * here; the worker takes it when the exact bytes name nothing
		 * pending (review_set_pick_name). */
		char *u = review_set_unescaped(c->path);

		if (u && grant_resolve(e->grants, u, &ag, &alt) == 0)
			alt = review_set_self_path(u, alt);
		free(u);
		if (grant_resolve(e->grants, c->path, &g, &rel) == 0) {
			rel = review_set_self_path(c->path, rel);
		} else if (alt) { /* only that spelling is in a grant */
			rel = alt;
			g = ag;
			alt = NULL;
		} else {
			fan_out(&(struct event){ .type = EVENT_REVIEW,
						 .name = review_op_name(c->type),
						 .text = err_msg(), .re = c->req },
				e);
			return;
		}
	}
	if (!e->session || !e->ngrants) {
		/* With every folder taken back (:ungrant) there is nothing to act
		 * on: "restored" would have been said of no folder. */
		fan_out(&(struct event){ .type = EVENT_REVIEW, .name = review_op_name(c->type),
					 .text = !e->session ? "no task has run yet: nothing to review"
							     : "no folder is granted: nothing to review "
							       "(:grant DIR gives one back)",
					 .re = c->req },
			e);
		free(rel);
		free(alt);
		return;
	}
	/* The running call's changes are on the disk but not yet its step: the
	 * action's first checkpoint would record them as someone else's. */
	const char *call = e->agent ? agent_mutating_call(e->agent) : NULL;
	if (call) {
		char *why = xasprintf("%s is running: its changes are not recorded yet; "
				      "try again once it ends", call);

		fan_out(&(struct event){ .type = EVENT_REVIEW, .name = review_op_name(c->type),
					 .text = why, .re = c->req },
			e);
		free(why);
		free(rel);
		free(alt);
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->e = e;
	j->re = c->req ? xstrdup(c->req) : NULL;
	j->op = c->type;
	j->ngrants = e->ngrants;
	j->stores = xcalloc(e->ngrants + 1, sizeof *j->stores);
	memcpy(j->stores, e->stores, e->ngrants * sizeof *j->stores);
	j->paths = xcalloc(e->ngrants + 1, sizeof *j->paths);
	memcpy(j->paths, e->redact, e->ngrants * sizeof *j->paths);
	j->grant = g;
	j->session = xstrdup(session_id(e->session));
	j->path = rel ? rel : c->type == COMMAND_RESTORE ? xstrdup(c->path) : NULL;
	j->alt = alt;
	j->alt_grant = ag;
	j->hunk = c->hunk;
	j->seen = c->seen ? xstrdup(c->seen) : NULL;
	j->flags = c->force ? REVIEW_F_FORCE : 0;
	worker_post(e->worker, review_run, review_done, j);
}

/*
 * Queries answered from the worker: sessions, review_get, log. The job keeps
 * the requester's id, never a pointer to it.
 */

#define SESSIONS_PENDING_MAX 50 /* the newest sessions get a pending count */

struct query_job {
	struct engine *e;
	enum command_type op;
	unsigned long to;
	char *re;
	size_t n;
	struct snap_store **stores; /* every grant's, borrowed */
	const char **paths;	    /* every grant's path, borrowed */
	char *session;		    /* the engine's session, or NULL */
	char *state;
	cJSON *data;		    /* the reply's data, made on the worker */
};

struct session_row {
	char *id;
	cJSON *meta;	/* NULL: unreadable */
	char *why;	/* why it is unreadable (heap), or NULL */
	long long when; /* last activity, seconds */
};

/* Most recent activity first; ids (which start with the time) break ties. */
static int
row_cmp(const void *a, const void *b)
{
	const struct session_row *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? 1 : -1;
	return -strcmp(x->id, y->id);
}

static int
sessions_run(struct query_job *j)
{
	struct session_row *rows;
	char **ids = NULL;
	size_t n = 0;
	cJSON *live = NULL;

	/* Every session directory: one that cannot be read is a row too
	 * ("unreadable", with the reason), at the second its id begins with,
	 * never taken for the newest. */
	if (session_list_all(j->state, &ids, &n) < 0)
		return DH_EFAIL;
	rows = xcalloc(n + 1, sizeof *rows);
	for (size_t i = 0; i < n; i++) {
		rows[i].id = ids[i];
		rows[i].when = session_id_time(ids[i]);
		if (session_meta_read(j->state, ids[i], &rows[i].meta) == 0) {
			rows[i].when = json_int(rows[i].meta, "updated",
						json_int(rows[i].meta, "created", 0));
		} else {
			rows[i].meta = NULL;
			rows[i].why = xstrdup(err_msg());
		}
	}
	free(ids);
	qsort(rows, n, sizeof *rows, row_cmp);
	if (client_list_live(&live) < 0)
		live = json_new_arr(); /* no engines' directory: none is live */
	j->data = json_new_arr();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = json_new_obj(), *meta = rows[i].meta;
		const cJSON *grants = json_arr(meta, "grants");
		const char *ns = json_str(meta, "started_ns");
		long pending = i < SESSIONS_PENDING_MAX && meta
				       ? inbox_pending(j->state, rows[i].id, grants)
				       : -1;

		json_add_str(o, "id", rows[i].id);
		json_add(o, "task", json_str(meta, "task") ? cJSON_CreateString(json_str(meta, "task"))
							  : cJSON_CreateNull());
		json_add(o, "status", json_str(meta, "status")
					      ? cJSON_CreateString(json_str(meta, "status"))
				      : meta ? cJSON_CreateNull()
					     : cJSON_CreateString("unreadable"));
		json_add_str(o, "state", meta ? inbox_session_state(meta, live, rows[i].id)
					      : "unreadable");
		if (rows[i].why)
			json_add_str(o, "error", rows[i].why);
		json_add_num(o, "started_ns", ns ? (double)strtoll(ns, NULL, 10) : 0);
		json_add_num(o, "when", (double)rows[i].when);
		json_add(o, "grants", grants ? json_dup(grants) : json_new_arr());
		json_add(o, "pending", pending >= 0 ? cJSON_CreateNumber((double)pending)
						    : cJSON_CreateNull());
		json_add_bool(o, "current", j->session && !strcmp(j->session, rows[i].id));
		json_add(j->data, NULL, o);
		cJSON_Delete(meta);
		free(rows[i].id);
		free(rows[i].why);
	}
	free(rows);
	cJSON_Delete(live);
	return 0;
}

static int
review_get_run(struct query_job *j)
{
	struct review **rv = xcalloc(j->n + 1, sizeof *rv);
	const struct review_set rs = { j->session, j->stores, j->paths, j->n };
	int rc = review_set_get(&rs, rv);
	struct buf head = BUF_INIT;

	if (rc == 0) {
		cJSON *ga;

		j->data = json_new_obj();
		ga = json_new_arr();
		for (size_t g = 0; g < j->n; g++) {
			cJSON *o;

			if (rv[g]) {
				o = review_model_to_json(rv[g]);
			} else {
				o = json_new_obj();
				json_add_str(o, "accepted", "");
				json_add_str(o, "head", "");
				json_add(o, "files", json_new_arr());
			}
			json_add_str(o, "path", j->paths[g]);
			buf_printf(&head, "%s%s", g ? "," : "", rv[g] ? rv[g]->head_id : "");
			json_add(ga, NULL, o);
		}
		json_add_str(j->data, "head", buf_cstr(&head));
		json_add(j->data, "grants", ga);
	}
	for (size_t g = 0; g < j->n; g++)
		review_model_free(rv[g]);
	free(rv);
	buf_fini(&head);
	return rc;
}

static cJSON *
checkpoint_json(const struct snap_log_entry *le)
{
	cJSON *o = json_new_obj(), *ch = json_new_arr();

	json_add_str(o, "id", le->id);
	json_add_str(o, "short_id", le->short_id);
	json_add_str(o, "label", le->label ? le->label : "");
	json_add(o, "tool_call", le->tool_call ? cJSON_CreateString(le->tool_call)
					       : cJSON_CreateNull());
	json_add_num(o, "turn", le->turn);
	json_add_num(o, "time", (double)le->time);
	json_add_bool(o, "external", le->external);
	json_add_num(o, "files", (double)le->nfiles);
	json_add_num(o, "files_changed", (double)le->nchanges);
	for (size_t k = 0; k < le->nchanges; k++) {
		cJSON *c = json_new_obj();
		char st[2] = { le->changes[k].status, 0 };

		json_add_str(c, "status", st);
		json_add_name(c, "path", le->changes[k].path);
		if (le->changes[k].old_path)
			json_add_name(c, "old_path", le->changes[k].old_path);
		json_add(ch, NULL, c);
	}
	json_add(o, "changes", ch);
	if (le->damage)
		json_add_str(o, "damaged", le->damage);
	return o;
}

static int
log_run(struct query_job *j)
{
	cJSON *ga = json_new_arr();

	for (size_t g = 0; g < j->n; g++) {
		struct snap_log_entry *le = NULL;
		size_t n = 0;
		int rc = snap_log(j->stores[g], j->session, &le, &n);
		cJSON *o, *cks;

		if (rc < 0 && rc != DH_ENOTFOUND) {
			cJSON_Delete(ga);
			return err_set("%s: %s", j->paths[g], err_msg());
		}
		o = json_new_obj();
		json_add_str(o, "path", j->paths[g]);
		cks = json_add(o, "checkpoints", json_new_arr());
		for (size_t i = 0; i < n; i++)
			json_add(cks, NULL, checkpoint_json(&le[i]));
		snap_log_free(le, n);
		json_add(ga, NULL, o);
	}
	j->data = json_new_obj();
	json_add(j->data, "grants", ga);
	return 0;
}

static int
query_run(void *ctx)
{
	struct query_job *j = ctx;

	switch (j->op) {
	case COMMAND_SESSIONS:
		return sessions_run(j);
	case COMMAND_REVIEW_GET:
		return review_get_run(j);
	case COMMAND_INBOX:
		return inbox_list(j->state, &j->data);
	default:
		return log_run(j);
	}
}

static const char *const query_ops[] = {
	[COMMAND_SESSIONS] = "sessions",
	[COMMAND_REVIEW_GET] = "review_get",
	[COMMAND_LOG] = "log",
	[COMMAND_INBOX] = "inbox",
};

static void
query_done(int rc, const char *errmsg, void *ctx)
{
	struct query_job *j = ctx;

	reply(j->e, j->to, j->re, query_ops[j->op], rc == 0, rc == 0 ? NULL : errmsg,
	      rc == 0 ? j->data : NULL);
	cJSON_Delete(j->data);
	free(j->re);
	free(j->stores);
	free(j->paths);
	free(j->session);
	free(j->state);
	free(j);
}

static void
post_query(struct engine *e, const struct command *c, unsigned long from)
{
	struct query_job *j;

	if (c->type != COMMAND_SESSIONS && c->type != COMMAND_INBOX && !e->session) {
		/* Nothing checkpointed yet: an empty answer, at once. */
		cJSON *d = json_new_obj(), *ga = json_add(d, "grants", json_new_arr());

		if (c->type == COMMAND_REVIEW_GET)
			json_add_str(d, "head", "");
		for (size_t g = 0; g < e->ngrants; g++) {
			cJSON *o = json_new_obj();

			json_add_str(o, "path", e->redact[g]);
			if (c->type == COMMAND_REVIEW_GET) {
				json_add_str(o, "accepted", "");
				json_add_str(o, "head", "");
				json_add(o, "files", json_new_arr());
			} else {
				json_add(o, "checkpoints", json_new_arr());
			}
			json_add(ga, NULL, o);
		}
		reply(e, from, c->req, query_ops[c->type], true, NULL, d);
		cJSON_Delete(d);
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->e = e;
	j->op = c->type;
	j->to = from;
	j->re = c->req ? xstrdup(c->req) : NULL;
	j->n = e->ngrants;
	j->stores = xcalloc(e->ngrants + 1, sizeof *j->stores);
	memcpy(j->stores, e->stores, e->ngrants * sizeof *j->stores);
	j->paths = xcalloc(e->ngrants + 1, sizeof *j->paths);
	memcpy(j->paths, e->redact, e->ngrants * sizeof *j->paths);
	j->session = e->session ? xstrdup(session_id(e->session)) : NULL;
	j->state = xstrdup(e->state);
	worker_post(e->worker, query_run, query_done, j);
}

/*
 * Requests (engine.h): one handler per command type.
 */

typedef void request_fn(struct engine *e, const struct command *c, unsigned long from);

/* An approve or deny with no call waiting: "nothing to approve: why" to its
 * sender, with re when it has an id (without one, as the agent's refusal
 * is). */
static void
refuse_decision(struct engine *e, const struct command *c, unsigned long from, const char *why)
{
	char *m = xasprintf("nothing to %s: %s", command_type_name(c->type), why);

	reply_error(e, from, c->req, m);
	free(m);
}

/* A command for the task being started: a steer or compact is its agent's
 * first (refused once it was interrupted), an interrupt ends it before its
 * first request, and nothing waits for an approval yet. */
static void
start_command(struct engine *e, const struct command *c, unsigned long from)
{
	switch (c->type) {
	case COMMAND_STEER:
	case COMMAND_COMPACT:
		if (e->starting->stopped) {
			(void)start_refuse_stopped();
			reply_error(e, from, c->req, err_msg());
		} else if (c->type == COMMAND_STEER) {
			start_steer(e, c->text ? c->text : "");
		} else {
			e->starting->compact = true;
			ARRAY_PUSH(&e->starting->compacts,
				   (struct start_asker){ from, c->req ? xstrdup(c->req) : NULL });
		}
		return;
	case COMMAND_INTERRUPT:
		start_stop(e, NULL);
		return;
	default: /* approve, deny: said even without an id, as the agent says it */
		refuse_decision(e, c, from, "the task is starting, no call waits for an answer yet");
		return;
	}
}

/* approve, deny, steer, interrupt, compact: the running agent's (its events
 * answer). */
static void
req_agent(struct engine *e, const struct command *c, unsigned long from)
{
	if (e->starting) {
		start_command(e, c, from);
		return;
	}
	if (!e->agent || !e->started) {
		/* A command that cannot be applied says so, with or without an
		 * id; an interrupt of nothing is no error but to a requester (an
		 * in-process front end's while it quits needs no answer). */
		if (c->type == COMMAND_APPROVE || c->type == COMMAND_DENY)
			refuse_decision(e, c, from, "no task has been started");
		else if (c->req || c->type != COMMAND_INTERRUPT)
			reply_error(e, from, c->req, "no task has been started");
		return;
	}
	/* approve and deny are the person's decisions (interrupt denies too) */
	audit_sink_set_person(e->audit, true);
	int rc = agent_command(e->agent, c);
	audit_sink_set_person(e->audit, false);
	/* refused (nothing to approve: another client answered first, ...):
	 * said to the one who sent it, not to every client and the transcript */
	if (rc < 0)
		reply_error(e, from, c->req, err_msg());
}

static void
req_status(struct engine *e, const struct command *c, unsigned long from)
{
	if (e->agent && e->started && !e->starting) {
		e->status_wait = true;
		e->status_re = c->req;
		e->status_to = from;
		(void)agent_command(e->agent, c);
		if (!e->status_wait)
			return;
		e->status_wait = false; /* the agent did not answer: ours below */
	}
	reply_ev(e, from, &(struct event){ .type = EVENT_STATUS, .re = c->req,
					    .phase = e->starting ? "starting" : "idle",
					    .pending_jobs = (long)worker_pending(e->worker),
					    .watcher = engine_watcher(e) });
}

static void
req_review(struct engine *e, const struct command *c, unsigned long from)
{
	(void)from;
	review_command(e, c);
}

static void
req_query(struct engine *e, const struct command *c, unsigned long from)
{
	post_query(e, c, from);
}

static void
req_start(struct engine *e, const struct command *c, unsigned long from)
{
	bool steer = engine_is_busy(e);

	if (!c->text || !*c->text) {
		reply(e, from, c->req, "start", false, "start needs a task text", NULL);
		return;
	}
	if (engine_start(e, c->text) < 0)
		reply(e, from, c->req, "start", false, err_msg(), NULL);
	else
		reply(e, from, c->req, "start", true, steer ? "steered the running task" : NULL,
		      NULL);
}

static cJSON *
grants_json(const struct engine *e)
{
	cJSON *a = json_new_arr();

	for (size_t i = 0; i < e->ngrants; i++)
		json_add(a, NULL, cJSON_CreateString(e->redact[i]));
	return a;
}

static void
req_grant(struct engine *e, const struct command *c, unsigned long from)
{
	const char *op = c->type == COMMAND_GRANT ? "grant" : "ungrant";
	int rc;

	if (!c->path || !*c->path) {
		reply(e, from, c->req, op, false, "a folder is needed", NULL);
		return;
	}
	rc = c->type == COMMAND_GRANT ? engine_grant_add(e, c->path, c->force)
				      : engine_grant_remove(e, c->path);
	cJSON *g = grants_json(e);
	reply(e, from, c->req, op, rc == 0, rc == 0 ? NULL : err_msg(), g);
	cJSON_Delete(g);
}

/* The :instructions reply: the instructions and skills in and sk. */
static void
instructions_reply(struct engine *e, unsigned long to, const char *re,
		   const struct instructions *in, const struct skill_set *sk)
{
	cJSON *d = json_new_obj(), *w;

	json_add(d, "files", instructions_json(in));
	json_add(d, "skills", skills_json(sk));
	w = json_add(d, "warnings", json_new_arr());
	const struct strv *iw = instructions_warnings(in), *sp = skills_problems(sk);
	for (size_t i = 0; iw && i < iw->n; i++)
		json_add(w, NULL, cJSON_CreateString(iw->v[i]));
	for (size_t i = 0; sp && i < sp->n; i++) {
		char *m = xasprintf("skills: %s", sp->v[i]);
		json_add(w, NULL, cJSON_CreateString(m));
		free(m);
	}
	reply(e, to, re, "instructions", true, NULL, d);
	cJSON_Delete(d);
}

/* :instructions before the first task: read on the worker (skills_load()
 * hashes every file of a folder's skills), over a copy of the grants (one
 * may be added meanwhile). */
struct instr_job {
	struct engine *e;
	struct grant_set *grants; /* the job's copy */
	struct instructions *in;
	struct skill_set *sk;
	unsigned long to;
	char *re;
};

static int
instr_run(void *ctx)
{
	struct instr_job *j = ctx;

	if (instructions_load(&j->in, j->grants) < 0)
		j->in = NULL;
	if (skills_load(&j->sk, j->grants, 0) < 0)
		j->sk = NULL;
	return 0;
}

static void
instr_done(int rc, const char *errmsg, void *ctx)
{
	struct instr_job *j = ctx;

	(void)rc;
	(void)errmsg;
	instructions_reply(j->e, j->to, j->re, j->in, j->sk);
	instructions_free(j->in);
	skills_free(j->sk);
	grant_set_free(j->grants);
	free(j->re);
	free(j);
}

/* The instructions and skills the agent has (or would have: read on the
 * worker when no task started yet), for :instructions. */
static void
req_instructions(struct engine *e, const struct command *c, unsigned long from)
{
	struct instr_job *j;

	if (e->instructions && e->skills) {
		instructions_reply(e, from, c->req, e->instructions, e->skills);
		return;
	}
	j = xcalloc(1, sizeof *j);
	if (grant_set_dup(e->grants, &j->grants) < 0) {
		reply(e, from, c->req, "instructions", false, err_msg(), NULL);
		free(j);
		return;
	}
	j->e = e;
	j->to = from;
	j->re = c->req ? xstrdup(c->req) : NULL;
	worker_post(e->loader, instr_run, instr_done, j);
}

/* The person trusts a folder's .agents/skills (skills_trust()): the next
 * task offers them. Only a client sends this, never the agent. On the
 * worker: every file of the folder's skills is hashed. */
struct trust_job {
	struct engine *e;
	char *path;
	unsigned long to;
	char *re;
};

static int
trust_run(void *ctx)
{
	struct trust_job *j = ctx;

	return skills_trust(j->path, true);
}

static void
trust_done(int rc, const char *errmsg, void *ctx)
{
	struct trust_job *j = ctx;

	if (rc < 0) {
		reply(j->e, j->to, j->re, "skills_trust", false, errmsg, NULL);
	} else {
		char *m = xasprintf("trusted the skills of %s: the next task offers them",
				    j->path);
		reply(j->e, j->to, j->re, "skills_trust", true, m, NULL);
		free(m);
	}
	free(j->path);
	free(j->re);
	free(j);
}

static void
req_skills_trust(struct engine *e, const struct command *c, unsigned long from)
{
	struct trust_job *j;

	if (!c->path || c->path[0] != '/') {
		reply(e, from, c->req, "skills_trust", false, "skills_trust needs an absolute path",
		      NULL);
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->e = e;
	j->path = xstrdup(c->path);
	j->to = from;
	j->re = c->req ? xstrdup(c->req) : NULL;
	worker_post(e->loader, trust_run, trust_done, j);
}

static void
req_hello(struct engine *e, const struct command *c, unsigned long from)
{
	reply_error(e, from, c->req, "hello is the server's: this engine has no connection");
}

/* elicit: the answer to a connector's question (engine/elicit.h). */
static void
req_elicit(struct engine *e, const struct command *c, unsigned long from)
{
	if (elicit_answer(e->elicit, c->id, c->action, c->content) < 0)
		reply_error(e, from, c->req, err_msg());
}

/* prompts: the ready connectors' prompts. */
static void
req_prompts(struct engine *e, const struct command *c, unsigned long from)
{
	cJSON *d = mcp_host_prompts(e->mcp);

	reply(e, from, c->req, "prompts", true, NULL, d);
	cJSON_Delete(d);
}

/* The prompt came: its text starts the task (or steers the running one). */
static void
prompt_done(int rc, const char *text, void *ctx)
{
	struct engine *e = ctx;
	bool steer = engine_is_busy(e);
	char *re = e->prompt_re;

	e->prompt_get = NULL;
	e->prompt_re = NULL;
	if (rc < 0) {
		reply(e, e->prompt_to, re, "prompt", false, text, NULL);
	} else if (engine_start(e, text) < 0) {
		reply(e, e->prompt_to, re, "prompt", false, err_msg(), NULL);
	} else {
		cJSON *d = json_new_obj();

		json_add_str(d, "text", text);
		reply(e, e->prompt_to, re, "prompt", true, steer ? "steered the running task" : NULL,
		      d);
		cJSON_Delete(d);
	}
	free(re);
}

/* prompt {name: SERVER/NAME, arguments}: prompts/get, then as start. */
static void
req_prompt(struct engine *e, const struct command *c, unsigned long from)
{
	if (e->prompt_get) {
		reply(e, from, c->req, "prompt", false, "a prompt is being fetched already", NULL);
		return;
	}
	if (mcp_host_prompt_get(&e->prompt_get, e->mcp, e->loop, c->text, c->content, prompt_done,
				e) < 0) {
		reply(e, from, c->req, "prompt", false, err_msg(), NULL);
		return;
	}
	e->prompt_to = from;
	e->prompt_re = c->req ? xstrdup(c->req) : NULL;
}

/* The person trusts a folder's .mcp.json this engine reported untrusted:
 * record it and start its connectors. */
static void
req_mcp_trust(struct engine *e, const struct command *c, unsigned long from)
{
	/* the person's decision is recorded before its servers start */
	cJSON *r = json_new_obj();

	json_add_str(r, "type", "mcp_trust");
	json_add_str(r, "path", c->path);
	json_add_str(r, "decision", "trust");
	json_add_str(r, "by", "person");
	if (e->audit && audit_sink_record(e->audit, r) < 0)
		log_warn("audit: %s", err_msg());
	cJSON_Delete(r);
	if (!e->mcp || mcp_host_trust(e->mcp, c->path) < 0) {
		reply(e, from, c->req, "mcp_trust", false,
		      e->mcp ? err_msg() : "no connectors in this engine", NULL);
		return;
	}
	audit_connectors(e);
	reply(e, from, c->req, "mcp_trust", true, "trusted; its connectors are starting", NULL);
}

/* authorize {server, url}: the redirect URL the person pasted. */
static void
req_authorize(struct engine *e, const struct command *c, unsigned long from)
{
	if (!e->mcp || mcp_host_auth_redirect(e->mcp, c->text, c->path) < 0) {
		reply(e, from, c->req, "authorize", false,
		      e->mcp ? err_msg() : "no connectors in this engine", NULL);
		return;
	}
	reply(e, from, c->req, "authorize", true, "authorization received; getting the token", NULL);
}

/* notice: another engine's run ended or waits; our clients are told. */
static void
req_notice(struct engine *e, const struct command *c, unsigned long from)
{
	(void)from;
	fan_out(&(struct event){ .type = EVENT_NOTICE, .session = c->session, .status = c->status,
				 .text = c->text ? c->text : "", .origin = c->origin },
		e);
}

static request_fn *const requests[] = {
	[COMMAND_APPROVE] = req_agent,	  [COMMAND_DENY] = req_agent,
	[COMMAND_STEER] = req_agent,	  [COMMAND_INTERRUPT] = req_agent,
	[COMMAND_STATUS] = req_status,	  [COMMAND_ACCEPT] = req_review,
	[COMMAND_REJECT] = req_review,	  [COMMAND_UNDO] = req_review,
	[COMMAND_RESTORE] = req_review,	  [COMMAND_REDO] = req_review,
	[COMMAND_HELLO] = req_hello,	  [COMMAND_START] = req_start,
	[COMMAND_GRANT] = req_grant,	  [COMMAND_UNGRANT] = req_grant,
	[COMMAND_SESSIONS] = req_query,	  [COMMAND_REVIEW_GET] = req_query,
	[COMMAND_LOG] = req_query,	  [COMMAND_ELICIT] = req_elicit,
	[COMMAND_PROMPTS] = req_prompts,  [COMMAND_PROMPT] = req_prompt,
	[COMMAND_MCP_TRUST] = req_mcp_trust,
	[COMMAND_INSTRUCTIONS] = req_instructions,
	[COMMAND_SKILLS_TRUST] = req_skills_trust,
	[COMMAND_INBOX] = req_query,	  [COMMAND_NOTICE] = req_notice,
	[COMMAND_AUTHORIZE] = req_authorize,
	[COMMAND_COMPACT] = req_agent,
};

void
engine_request(struct engine *e, const struct command *c, unsigned long from)
{
	if ((size_t)c->type >= sizeof requests / sizeof *requests || !requests[c->type]) {
		reply_error(e, from, c->req, "unknown command");
		return;
	}
	requests[c->type](e, c, from);
}

void
engine_command(struct engine *e, const struct command *c)
{
	engine_request(e, c, 0);
}


/* The store of a folder about to be granted, prepared and locked first so
 * that a folder another live engine has is refused before it joins the
 * grants; its repository is opened on the worker, by the next task's
 * baseline, as open_new_stores() says (no libgit2 on the loop). *out stays
 * NULL when add_grant() will refuse the folder itself (missing, refused,
 * already granted, too many). */
static int
prelock_store(struct engine *e, const char *path, bool force, struct snap_store **out)
{
	char *real = realpath(path, NULL);
	bool skip = !real || !strcmp(real, "/") || grant_count(e->grants) >= ENGINE_MAX_GRANTS ||
		    (!force && engine_check_grant(real, getenv("HOME")) < 0);
	int rc = 0;

	*out = NULL;
	for (size_t i = 0; !skip && i < e->ngrants; i++)
		skip = !strcmp(e->redact[i], real);
	if (!skip && (rc = snap_prepare(out, real, e->state)) == 0)
		rc = snap_lock(*out, lock_kind(e), lock_owner(e));
	if (rc < 0) {
		snap_close(*out);
		*out = NULL;
	}
	free(real);
	return rc;
}

void
engine_stop(struct engine *e, const char *why)
{
	if (e->starting)
		start_stop(e, why);
	else if (e->agent && e->started)
		agent_stop(e->agent, "interrupted", why);
}

int
engine_grant_add(struct engine *e, const char *path, bool force)
{
	struct snap_store *pre = NULL;
	int rc;

	if (engine_is_busy(e))
		return err_set("a task is running; grant folders between tasks");
	if ((rc = prelock_store(e, path, force, &pre)) < 0)
		return rc;
	size_t n0 = grant_count(e->grants);
	if ((rc = add_grant(e, path, force)) < 0 || grant_count(e->grants) == n0) {
		snap_close(pre); /* refused, or already granted (a no-op) */
		return rc;
	}
	e->stores[n0] = pre;
	if ((rc = open_new_stores(e)) < 0)
		return rc;
	/* Its .mcp.json: started when trusted, else offered with the next task. */
	if (e->mcp && mcp_host_add_folder(e->mcp, grant_get(e->grants, n0)->path) < 0)
		fan_out(&(struct event){ .type = EVENT_ERROR, .text = (char *)err_msg() }, e);
	return 0;
}

int
engine_grant_remove(struct engine *e, const char *path)
{
	char *real = realpath(path, NULL);
	size_t idx = e->ngrants;

	for (size_t i = 0; i < e->ngrants; i++)
		if (!strcmp(e->redact[i], path) || (real && !strcmp(e->redact[i], real)))
			idx = i;
	free(real);
	if (idx == e->ngrants)
		return err_setc(DH_ENOTFOUND, "ungrant '%s': not a granted folder", path);
	if (engine_is_busy(e))
		return err_set("a task is running; remove grants between tasks");
	if (worker_pending(e->worker))
		return err_set("snapshot jobs are still running; try again");
	/* A finished agent borrows the grant set: free it now; the next task
	 * reads its history again, as a follow-up does (history_run). */
	if (e->agent) {
		agent_free(e->agent);
		e->agent = NULL;
		e->started = false;
		cJSON_Delete(e->history);
		e->history = NULL;
		e->history_unread = true;
	}
	struct grant_set *ng = NULL;
	if (grant_set_new(&ng) < 0)
		return DH_EFAIL;
	for (size_t i = 0; i < e->ngrants; i++) {
		if (i != idx && grant_add(ng, grant_get(e->grants, i)->path) < 0) {
			grant_set_free(ng);
			return DH_EFAIL;
		}
	}
	watch_free(e->watch);
	e->watch = NULL;
	snap_close(e->stores[idx]);
	memmove(&e->stores[idx], &e->stores[idx + 1], (e->ngrants - idx - 1) * sizeof *e->stores);
	e->ngrants--;
	e->stores[e->ngrants] = NULL;
	grant_set_free(e->grants);
	e->grants = ng;
	for (size_t i = 0; i < e->ngrants; i++)
		e->redact[i] = grant_get(e->grants, i)->path;
	e->redact[e->ngrants] = NULL;
	if (!e->watch_off)
		start_watch(e);
	return make_llm(e);
}

int
engine_clear_foreground(struct engine *e)
{
	int rc = 0;

	e->opts.foreground = false;
	for (size_t i = 0; i < e->ngrants; i++)
		if (e->stores[i] && snap_lock(e->stores[i], lock_kind(e), lock_owner(e)) < 0)
			rc = DH_EFAIL;
	return rc;
}

bool
engine_is_busy(const struct engine *e)
{
	return e->starting || (e->agent && e->started && !agent_is_finished(e->agent));
}

size_t
engine_notify_pending(const struct engine *e)
{
	return notify_pending(e->notify);
}

bool
engine_is_settled(const struct engine *e)
{
	return !e->starting && worker_pending(e->worker) == 0 &&
	       (e->start_failed || (e->agent && e->started && agent_is_finished(e->agent)));
}

const char *
engine_status(const struct engine *e)
{
	if (e->start_failed)
		return "failed";
	return e->agent ? agent_status(e->agent) : NULL;
}

const char *
engine_session_id(const struct engine *e)
{
	return e->session ? session_id(e->session) : NULL;
}

int
engine_live_output(const struct engine *e, event_sink_fn *fn, void *ctx)
{
	const char *id, *text;
	int n = 0;

	if (e->agent && agent_live_text(e->agent, &text)) {
		fn(&(struct event){ .type = EVENT_TEXT_DELTA, .text = text }, ctx);
		n++;
	}
	if (e->agent && agent_live_output(e->agent, &id, &text)) {
		fn(&(struct event){ .type = EVENT_TOOL_OUTPUT, .id = id, .text = text }, ctx);
		n++;
	}
	return n;
}

const char *
engine_state_dir(const struct engine *e)
{
	return e->state;
}

const char *
engine_model(const struct engine *e)
{
	return e->cfg->model;
}

const char *
engine_mode(const struct engine *e)
{
	return e->cfg->mode;
}

const char *
engine_sandbox(const struct engine *e)
{
	int t = e->agent ? agent_sandbox_trial(e->agent) : 0;

	if (e->opts.unsandboxed)
		return "UNSANDBOXED";
	if (!e->has_bwrap)
		return "no bwrap";
	return t < 0 ? "FAILED" : t > 0 ? "ok" : "bwrap";
}

const char *
engine_watcher(const struct engine *e)
{
	return e->watch ? (watch_is_degraded(e->watch) ? "degraded" : "on") : "off";
}

size_t
engine_grant_count(const struct engine *e)
{
	return e->ngrants;
}

const char *
engine_grant_path(const struct engine *e, size_t i)
{
	return i < e->ngrants ? e->redact[i] : NULL;
}

struct snap_store *
engine_store(const struct engine *e, size_t i)
{
	return i < e->ngrants ? e->stores[i] : NULL;
}

struct worker *
engine_worker(const struct engine *e)
{
	return e->worker;
}

/* What the session is doing, for the snapshot: "starting" while a task's
 * agent is not made yet, as status says. */
static const char *
activity(const struct engine *e)
{
	if (e->starting)
		return "starting";
	if (engine_is_busy(e))
		return e->pending ? "waiting" : "working";
	if (engine_status(e))
		return engine_status(e);
	return "idle";
}

cJSON *
engine_snapshot(const struct engine *e)
{
	cJSON *o = json_new_obj();
	const char *sid = engine_session_id(e);

	json_add(o, "session", sid ? cJSON_CreateString(sid) : cJSON_CreateNull());
	json_add_str(o, "state_dir", e->state);
	json_add(o, "task", e->task ? cJSON_CreateString(e->task) : cJSON_CreateNull());
	json_add(o, "model", e->cfg->model ? cJSON_CreateString(e->cfg->model)
					   : cJSON_CreateNull());
	json_add_str(o, "mode", e->cfg->mode);
	json_add_str(o, "watcher", engine_watcher(e));
	json_add_str(o, "sandbox", engine_sandbox(e));
	json_add(o, "grants", grants_json(e));
	json_add_str(o, "activity", activity(e));
	json_add(o, "status", engine_status(e) ? cJSON_CreateString(engine_status(e))
					       : cJSON_CreateNull());
	json_add_bool(o, "busy", engine_is_busy(e));
	json_add_bool(o, "settled", engine_is_settled(e));
	json_add_num(o, "input_tokens", (double)e->input_tokens);
	json_add_num(o, "output_tokens", (double)e->output_tokens);
	json_add_num(o, "cache_read_tokens", (double)e->cache_read_tokens);
	json_add(o, "cost_usd", e->cost_usd < 0 ? cJSON_CreateNull()
	                                        : cJSON_CreateNumber(e->cost_usd));
	json_add(o, "plan", e->plan ? json_dup(e->plan) : cJSON_CreateNull());
	json_add(o, "pending", e->pending ? json_dup(e->pending) : cJSON_CreateNull());
	json_add(o, "elicitations", elicit_pending_json(e->elicit));
	json_add(o, "always", e->agent ? agent_rules_json(e->agent) : json_new_arr());
	json_add_num(o, "started_ns", (double)e->started_ns);
	json_add_num(o, "task_started_ns", engine_is_busy(e) ? (double)e->task_ns : 0);
	json_add_num(o, "pid", (double)getpid());
	return o;
}

void
engine_close(struct engine *e)
{
	if (!e)
		return;
	e->closing = true; /* no requester waits for a reply any more */
	ev_timer_disarm(e->loop, &e->deadline);
	task_start_free(e->starting); /* its load, still read, is dropped */
	e->starting = NULL;
	free(e->recover_untold); /* the shadow repositories keep it */
	e->recover_untold = NULL;
	strv_free(&e->untold_grants);
	strv_free(&e->untold_lines);
	notify_free(e->notify);
	e->notify = NULL;
	free(e->summary);
	if (e->worker)
		worker_drain(e->worker);
	if (e->loader)
		worker_drain(e->loader);
	agent_free(e->agent);
	mcp_host_prompt_cancel(e->prompt_get);
	free(e->prompt_re);
	mcp_host_free(e->mcp); /* after the agent: its runs hold calls */
	egress_free(e->egress); /* after the agent: its runs hold proxies and checks */
	llm_free(e->llm);
	audit_sink_close(e->audit); /* before the worker: its syncs are drained */
	e->audit = NULL;
	otel_close(e->otel); /* after the audit log: its listener feeds it */
	e->otel = NULL;
	worker_free(e->worker);
	worker_free(e->loader);
	watch_free(e->watch); /* after the worker: its jobs call watch_sync() */
	for (size_t i = 0; i < e->ngrants; i++)
		snap_close(e->stores[i]);
	free(e->stores);
	free(e->redact);
	cJSON_Delete(e->history);
	session_close(e->session);
	grant_set_free(e->grants);
	free(e->state);
	free(e->sandbox);
	free(e->bwrap);
	strv_free(&e->host_paths);
	free_rules(e);
	instructions_free(e->instructions);
	skills_free(e->skills);
	free(e->watch_off);
	free(e->session_spec);
	free(e->task);
	cJSON_Delete(e->plan);
	cJSON_Delete(e->pending);
	elicit_set_free(e->elicit);
	/* Last, after every child was freed: what was adopted and is exiting. */
	if (e->adopting)
		proc_adopt_stop(e->loop, ENGINE_ADOPTED_WAIT_MS);
	free(e);
}
