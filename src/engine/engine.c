/* SPDX-License-Identifier: MIT */
/*
 * Engine assembly: the wiring `deskhand run` and the workbench share (grants,
 * session, stores, worker, watcher, egress, LLM client, agent). It renders
 * nothing and reads no terminal; front ends add sinks and send commands.
 */
#include "engine/engine.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/strv.h"
#include "core/worker.h"
#include "core/xalloc.h"
#include "llm/llm.h"
#include "policy/grant.h"
#include "sandbox/egress.h"
#include "sandbox/probe.h"
#include "session/session.h"
#include "snap/review.h"
#include "snap/review_set.h"
#include "snap/snap.h"
#include "watch/watch.h"

#define ENGINE_MAX_GRANTS 64 /* fixed so the agent's borrowed arrays never move */
#define ENGINE_MAX_SINKS  8

struct engine {
	struct ev_loop *loop;
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
	struct watch *watch;
	char *watch_off;
	struct llm *llm;
	struct egress *egress;
	char *sandbox;
	char *instructions; /* AGENTS.md text the agent borrows */
	struct agent *agent;
	cJSON *history; /* resumed conversation until the first task takes it */
	bool started;	/* the current agent was started */
	bool has_bwrap; /* bwrap is on PATH (checked at open) */
	struct {
		event_sink_fn *fn;
		void *ctx;
	} sinks[ENGINE_MAX_SINKS];
	size_t nsinks;
};

static void
fan_out(const struct event *ev, void *ctx)
{
	struct engine *e = ctx;

	for (size_t i = 0; i < e->nsinks; i++)
		e->sinks[i].fn(ev, e->sinks[i].ctx);
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

/* Global and per-folder AGENTS.md, concatenated (heap) or NULL. */
static char *
load_instructions(const struct grant_set *g)
{
	struct buf b = BUF_INIT;
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *global = xdg && *xdg ? xasprintf("%s/deskhand/AGENTS.md", xdg)
		       : home	   ? xasprintf("%s/.config/deskhand/AGENTS.md", home)
				   : NULL;
	struct buf f = BUF_INIT;

	if (global && fsutil_read_file(global, 64 * 1024, &f) == 0 && f.len)
		buf_printf(&b, "From %s:\n%s\n", global, buf_cstr(&f));
	free(global);
	for (size_t i = 0; i < grant_count(g); i++) {
		buf_clear(&f);
		if (grant_read(grant_get(g, i), "AGENTS.md", 64 * 1024, &f) == 0 && f.len)
			buf_printf(&b, "From %s/AGENTS.md:\n%s\n", grant_get(g, i)->path,
				   buf_cstr(&f));
	}
	buf_fini(&f);
	return b.len ? buf_detach(&b) : (buf_fini(&b), NULL);
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

/* Realpath + the refusal rule + grant_add. */
static int
add_grant(struct engine *e, const char *path, bool force)
{
	if (grant_count(e->grants) >= ENGINE_MAX_GRANTS)
		return err_set("grant '%s': at most %d folders", path, ENGINE_MAX_GRANTS);
	if (!force) {
		char *real = realpath(path, NULL);
		int rc = real ? engine_check_grant(real, getenv("HOME")) : 0;

		free(real);
		if (rc < 0)
			return rc;
	}
	return grant_add(e->grants, path);
}

/* Open stores (and watches) for grants added since the last call. */
static int
open_new_stores(struct engine *e)
{
	long long large = (long long)config_int(e->cfg->large_file_limit) << 20;

	for (size_t i = e->ngrants; i < grant_count(e->grants); i++) {
		const char *p = grant_get(e->grants, i)->path;

		e->redact[i] = p;
		if (snap_open(&e->stores[i], p, e->state) < 0)
			return DH_EFAIL;
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
	const char *base = getenv("ANTHROPIC_BASE_URL");
	const char *key = getenv("ANTHROPIC_API_KEY");

	if (!e->opts.replay_path && (!key || !*key))
		return err_set("ANTHROPIC_API_KEY is not set (or use --replay FILE)");
	struct llm_config lc = {
		.provider = e->cfg->provider,
		.base_url = base && *base ? base : e->cfg->base_url,
		.api_key = key ? key : "",
		.model = e->cfg->model,
		.max_tokens = (int)config_int(e->cfg->max_tokens),
		.max_retries = (int)config_int(e->cfg->max_retries),
		.idle_timeout_ms = (int)config_int(e->cfg->idle_timeout) * 1000,
		.max_message_bytes = (size_t)config_int(e->cfg->message_limit) << 20,
		.record_path = e->opts.record_path,
		.replay_path = e->opts.replay_path,
		.redact_paths = e->redact,
		.nredact_paths = e->ngrants,
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
};

static int
recover_run(void *ctx)
{
	struct recover_job *j = ctx;

	return review_set_recover(&j->rs, j->history, &j->report);
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
	free((void *)j->rs.stores);
	free((void *)j->rs.paths);
	cJSON_Delete(j->history);
	buf_fini(&j->report);
	free(j);
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
	buf_init(&j->report);
	worker_post(e->worker, recover_run, recover_done, j);
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
	e->stores = xcalloc(ENGINE_MAX_GRANTS, sizeof *e->stores);
	e->redact = xcalloc(ENGINE_MAX_GRANTS, sizeof *e->redact);
	if (fsutil_state_dir(&e->state) < 0 || fsutil_mkdir_p(e->state, 0700) < 0)
		return DH_EFAIL;
	if (grant_set_new(&e->grants) < 0)
		return DH_EFAIL;
	if (o->resume) {
		cJSON *meta = NULL, *g;

		if (session_open(&e->session, e->state, o->resume) < 0)
			return DH_EFAIL;
		if (session_meta_read(e->state, session_id(e->session), &meta) < 0)
			return DH_EFAIL;
		/* A resumed session keeps its permission mode unless told otherwise. */
		const char *m = json_str(meta, "mode");
		if (m && !o->mode_given && config_set(cfg, "mode", m, "meta.json") < 0) {
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
		if (session_history_load(e->session, &e->history) < 0)
			return DH_EFAIL;
	}
	for (size_t i = 0; i < o->ngrants; i++) {
		int rc = add_grant(e, o->grants[i], o->force);
		if (rc < 0)
			return rc;
	}
	if (open_new_stores(e) < 0)
		return DH_EFAIL;
	if (worker_new(&e->worker, loop) < 0)
		return DH_EFAIL;
	if (o->resume)
		post_recover(e);
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
	e->sandbox = probe_sandbox_path();
	char *bw = probe_bwrap_path();
	e->has_bwrap = access(bw, X_OK) == 0;
	free(bw);
	return 0;
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

/* A fresh agent over the current grants. */
static int
new_agent(struct engine *e)
{
	free(e->instructions);
	e->instructions = load_instructions(e->grants);
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
		.unsandboxed = e->opts.unsandboxed,
		.max_turns = (int)config_int(e->cfg->max_turns),
		.command_timeout_s = (int)config_int(e->cfg->command_timeout),
		.instructions = e->instructions,
		.watch = e->watch,
		.watch_off = e->watch_off,
		.large_file_limit = (long long)config_int(e->cfg->large_file_limit) << 20,
		.egress = e->egress,
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
	for (size_t i = 0; i < e->ngrants; i++)
		json_add(g, NULL, cJSON_CreateString(grant_get(e->grants, i)->path));
	json_add(meta, "grants", g);
	int rc = session_create(&e->session, e->state, meta);
	cJSON_Delete(meta);
	return rc;
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

int
engine_start(struct engine *e, const char *task)
{
	if (engine_is_busy(e)) {
		struct command c = { .type = COMMAND_STEER, .text = (char *)task };

		agent_command(e->agent, &c);
		return 0;
	}
	if (e->agent) {
		/* A follow-up task: the same session, its history reloaded. */
		if (worker_pending(e->worker))
			return err_set("snapshot jobs are still running; try again");
		agent_free(e->agent);
		e->agent = NULL;
		cJSON_Delete(e->history);
		e->history = NULL;
		if (session_history_load(e->session, &e->history) < 0)
			return DH_EFAIL;
	}
	if (!e->session && create_session(e, task) < 0)
		return DH_EFAIL;
	report_session_notes(e);
	if (e->llm_ngrants != e->ngrants && make_llm(e) < 0)
		return DH_EFAIL;
	if (new_agent(e) < 0)
		return DH_EFAIL;
	cJSON *h = e->history;
	e->history = NULL; /* the agent owns it now, even on failure */
	e->started = true;
	return agent_start(e->agent, task, h);
}

/*
 * Review commands (agent/event.h): accept, reject, undo, restore. The
 * libgit2 work runs on the worker; the outcome is a "review" event.
 */

struct review_job {
	struct engine *e;
	enum command_type op;
	size_t ngrants, grant;
	struct snap_store **stores; /* every grant's, borrowed */
	const char **paths;         /* every grant's path, borrowed */
	char *session;
	char *path; /* accept/reject: grant-relative, NULL = all; restore: the spec */
	int hunk;
	unsigned flags;
	struct buf report;
	char *conflict_dir;
};

static const char *
review_op_name(enum command_type t)
{
	return t == COMMAND_ACCEPT ? "accept"
	       : t == COMMAND_REJECT ? "reject"
	       : t == COMMAND_UNDO   ? "undo"
				     : "restore";
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

static int
review_run(void *ctx)
{
	struct review_job *j = ctx;
	struct snap_store *s = j->stores[j->grant];
	const char *paths[1] = { j->path };
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
	if ((j->op == COMMAND_ACCEPT || j->op == COMMAND_REJECT) && !j->path) {
		rc = review_all(j, &rs, &o);
	} else if (j->op == COMMAND_UNDO) {
		rc = review_undo(j, &rs, &o);
	} else if (j->op == COMMAND_RESTORE) {
		bool *on = xcalloc(rs.n + 1, sizeof *on);

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
				rc = snap_review_restore(rs.stores[g], rs.session, j->path,
							 j->flags | (pass ? 0 : REVIEW_F_DRY_RUN),
							 NULL, &o);
			}
		}
		free(on);
		buf_printf(&j->report, "restored checkpoint %s", j->path);
	} else if (j->op == COMMAND_ACCEPT && j->hunk) {
		rc = snap_review_accept_hunk(s, j->session, j->path, j->hunk, &o);
		buf_printf(&j->report, "accepted hunk %d of %s", j->hunk, j->path);
	} else if (j->op == COMMAND_ACCEPT) {
		rc = snap_review_accept(s, j->session, paths, 1, &o);
		buf_printf(&j->report, "accepted %s", j->path);
	} else if (j->hunk) {
		rc = snap_review_reject_hunk(s, j->session, j->path, j->hunk, j->flags, NULL, &o);
		buf_printf(&j->report, "rejected hunk %d of %s", j->hunk, j->path);
	} else {
		rc = snap_review_reject(s, j->session, paths, 1, j->flags, NULL, &o);
		buf_printf(&j->report, "rejected %s", j->path);
	}
	if (rc == DH_ECONFLICT) {
		j->conflict_dir = o.conflict_dir ? xstrdup(o.conflict_dir) : NULL;
		rc = err_setc(DH_ECONFLICT, "conflict: a file changed since the agent's step (the "
					    "versions are in %s; force overwrites)",
			      o.conflict_dir ? o.conflict_dir : "?");
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
				 .output = j->conflict_dir },
		j->e);
	free(j->stores);
	free(j->paths);
	free(j->session);
	free(j->path);
	free(j->conflict_dir);
	buf_fini(&j->report);
	free(j);
}

static void
review_command(struct engine *e, const struct command *c)
{
	struct review_job *j;
	size_t g = 0;
	char *rel = NULL;

	if ((c->type == COMMAND_ACCEPT || c->type == COMMAND_REJECT) && c->path &&
	    grant_resolve(e->grants, c->path, &g, &rel) < 0) {
		fan_out(&(struct event){ .type = EVENT_REVIEW, .name = review_op_name(c->type),
					 .text = err_msg() },
			e);
		return;
	}
	if (!e->session) {
		fan_out(&(struct event){ .type = EVENT_REVIEW, .name = review_op_name(c->type),
					 .text = "no task has run yet: nothing to review" },
			e);
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->e = e;
	j->op = c->type;
	j->ngrants = e->ngrants;
	j->stores = xcalloc(e->ngrants + 1, sizeof *j->stores);
	memcpy(j->stores, e->stores, e->ngrants * sizeof *j->stores);
	j->paths = xcalloc(e->ngrants + 1, sizeof *j->paths);
	memcpy(j->paths, e->redact, e->ngrants * sizeof *j->paths);
	j->grant = g;
	j->session = xstrdup(session_id(e->session));
	j->path = rel ? rel : c->type == COMMAND_RESTORE ? xstrdup(c->path) : NULL;
	j->hunk = c->hunk;
	j->flags = c->force ? REVIEW_F_FORCE : 0;
	worker_post(e->worker, review_run, review_done, j);
}

void
engine_command(struct engine *e, const struct command *c)
{
	switch (c->type) {
	case COMMAND_ACCEPT:
	case COMMAND_REJECT:
	case COMMAND_UNDO:
	case COMMAND_RESTORE:
		review_command(e, c);
		return;
	default:
		break;
	}
	if (e->agent && e->started)
		agent_command(e->agent, c);
}

int
engine_grant_add(struct engine *e, const char *path, bool force)
{
	if (engine_is_busy(e))
		return err_set("a task is running; grant folders between tasks");
	int rc = add_grant(e, path, force);
	if (rc < 0)
		return rc;
	return open_new_stores(e);
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
	/* A finished agent borrows the grant set: free it now and take its
	 * history back, as engine_start() does for a follow-up. */
	if (e->agent) {
		agent_free(e->agent);
		e->agent = NULL;
		e->started = false;
		cJSON_Delete(e->history);
		e->history = NULL;
		if (session_history_load(e->session, &e->history) < 0)
			return DH_EFAIL;
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

bool
engine_is_busy(const struct engine *e)
{
	return e->agent && e->started && !agent_is_finished(e->agent);
}

bool
engine_is_settled(const struct engine *e)
{
	return e->agent && e->started && agent_is_finished(e->agent) &&
	       worker_pending(e->worker) == 0;
}

const char *
engine_status(const struct engine *e)
{
	return e->agent ? agent_status(e->agent) : NULL;
}

const char *
engine_session_id(const struct engine *e)
{
	return e->session ? session_id(e->session) : NULL;
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

void
engine_close(struct engine *e)
{
	if (!e)
		return;
	if (e->worker)
		worker_drain(e->worker);
	agent_free(e->agent);
	egress_free(e->egress); /* after the agent: its runs hold proxies and checks */
	llm_free(e->llm);
	worker_free(e->worker);
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
	free(e->instructions);
	free(e->watch_off);
	free(e);
}
