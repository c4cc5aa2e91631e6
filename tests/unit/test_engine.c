/* SPDX-License-Identifier: MIT */
/* The engine's requests and replies, snapshot, history and store locks, on a
 * real engine (real loop, worker, shadow repositories, session files). No
 * task is run: the sessions are made with session/ and snap/ directly, as a
 * finished task leaves them. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "core/ev.h"
#include "core/json.h"
#include "core/review_model.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "llm/llm.h"
#include "session/session.h"
#include "snap/review_set.h"
#include "snap/snap.h"

static char root[64], work[PATH_MAX], work2[PATH_MAX], state[PATH_MAX];
static struct ev_loop *loop;
static struct config cfg;

/* What a sink or the reply function received: one JSON text per event. */
struct got {
	char *v[64];
	unsigned long to[64];
	size_t n;
};

static struct got sunk, replied;

static void
got_add(struct got *g, const struct event *ev, unsigned long to)
{
	cJSON *j = event_to_json(ev);

	cr_assert_lt(g->n, 64);
	g->to[g->n] = to;
	g->v[g->n++] = json_print(j);
	cJSON_Delete(j);
}

static void
got_clear(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i]);
	g->n = 0;
}

static void
on_sink(const struct event *ev, void *ctx)
{
	(void)ctx;
	if (ev->type != EVENT_STATUS || ev->re) /* keep the test's own status */
		got_add(&sunk, ev, 0);
	if (getenv("DH_TEST_TRACE"))
		fprintf(stderr, "event: %s\n", sunk.n ? sunk.v[sunk.n - 1] : "");
}

static void
on_reply(const struct event *ev, unsigned long to, void *ctx)
{
	(void)ctx;
	got_add(&replied, ev, to);
}

/* The last event of `g` whose text contains `needle`, parsed (caller deletes),
 * running the loop until it comes (worker jobs) or 10 s pass. */
static cJSON *
wait_for(struct got *g, const char *needle)
{
	for (int i = 0; i < 1000; i++) {
		for (size_t k = g->n; k-- > 0;) {
			if (strstr(g->v[k], needle)) {
				cJSON *j = NULL;

				cr_assert_eq(json_parse(&j, g->v[k], strlen(g->v[k]), "event"), 0);
				return j;
			}
		}
		cr_assert_geq(ev_run_once(loop, 10), 0);
	}
	cr_assert_fail("no event with %s", needle);
	return NULL;
}

static void
put(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
}

static void
setup(void)
{
	char p[PATH_MAX];

	snprintf(root, sizeof root, "/tmp/dh-engine-XXXXXX");
	cr_assert(mkdtemp(root));
	snprintf(work, sizeof work, "%s/home/work", root);
	snprintf(work2, sizeof work2, "%s/home/work2", root);
	snprintf(state, sizeof state, "%s/state/deskhand", root);
	snprintf(p, sizeof p, "%s/home", root);
	cr_assert_eq(mkdir(p, 0700), 0);
	cr_assert_eq(mkdir(work, 0700), 0);
	cr_assert_eq(mkdir(work2, 0700), 0);
	setenv("HOME", p, 1);
	snprintf(p, sizeof p, "%s/state", root);
	setenv("XDG_STATE_HOME", p, 1);
	snprintf(p, sizeof p, "%s/config", root);
	setenv("XDG_CONFIG_HOME", p, 1);
	setenv("ANTHROPIC_API_KEY", "test-key", 1);
	setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9", 1); /* never contacted */
	unsetenv("DH_CONFIG");
	put(work, "a.txt", "one\ntwo\nthree\n");
	cr_assert_eq(llm_global_init(), 0);
	cr_assert_eq(snap_global_init(), 0);
	cr_assert_eq(config_load(&cfg), 0, "%s", err_msg());
	cr_assert_eq(config_set(&cfg, "watch", "off", "test"), 0);
	cr_assert_eq(ev_new(&loop), 0);
}

static void
teardown(void)
{
	char cmd[128];

	got_clear(&sunk);
	got_clear(&replied);
	ev_free(loop);
	config_fini(&cfg);
	snap_global_shutdown();
	llm_global_shutdown();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", root);
}

TestSuite(engine, .init = setup, .fini = teardown, .timeout = 60);

static struct engine *
open_engine(const char *resume, int want)
{
	const char *grants[] = { work };
	struct engine_opts o = { .grants = grants, .ngrants = resume ? 0 : 1, .resume = resume };
	struct engine *e = NULL;
	int rc = engine_open(&e, loop, &cfg, &o);

	cr_assert_eq(rc, want, "engine_open: %d %s", rc, err_msg());
	if (rc == 0)
		engine_add_sink(e, on_sink, NULL);
	return e;
}

/* A session made of META (JSON text; its grant is the work folder) and the
 * transcript RECORDS (n JSON texts). Returns its id (heap). */
static char *
write_session(const char *text, const char *const *records, size_t n)
{
	struct session *s = NULL;
	cJSON *meta = NULL;

	cr_assert_eq(json_parse(&meta, text, strlen(text), "meta"), 0);
	cJSON_ReplaceItemInArray(json_arr(meta, "grants"), 0, cJSON_CreateString(work));
	cr_assert_eq(session_create(&s, state, meta), 0, "%s", err_msg());
	cJSON_Delete(meta);
	char *id = xstrdup(session_id(s));
	for (size_t i = 0; i < n; i++) {
		cJSON *r = NULL;

		cr_assert_eq(json_parse(&r, records[i], strlen(records[i]), "rec"), 0);
		cr_assert_eq(session_append(s, r), 0, "%s", err_msg());
		cJSON_Delete(r);
	}
	session_close(s);
	return id;
}

/* A session as a finished task leaves it: meta.json, a transcript, a
 * baseline and one agent step (a.txt edited) in the shadow repository. */
static char *
make_session(void)
{
	struct snap_store *st = NULL;
	struct snap_checkpoint ck;
	static const char *const records[] = {
		"{\"type\":\"session_started\",\"session\":\"SID\",\"task\":\"fix it\"}",
		"{\"type\":\"history\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":"
		"\"text\",\"text\":\"fix it\"}]}}",
		"{\"type\":\"text_delta\",\"text\":\"par\"}",
		"{\"type\":\"usage\",\"input_tokens\":5}",
		"{\"type\":\"assistant_message\",\"turn\":1,\"text\":\"on it\"}",
		"{\"type\":\"tool_call\",\"id\":\"toolu_1\",\"name\":\"edit_file\",\"input\":{}}",
		"{\"type\":\"tool_result\",\"id\":\"toolu_1\",\"name\":\"edit_file\",\"output\":\"ok\"}",
		"{\"type\":\"checkpoint\",\"id\":\"x\",\"short_id\":\"x\",\"tool_call\":\"toolu_1\","
		"\"files_changed\":1,\"stat\":\"a.txt | 2 +-\"}",
		"{\"type\":\"session_finished\",\"status\":\"done\",\"message\":\"ok\"}",
	};
	const char *text = "{\"status\":\"done\",\"task\":\"fix it\",\"grants\":[\"W\"],"
			   "\"plan\":[{\"title\":\"edit\",\"status\":\"done\"}],"
			   "\"input_tokens\":5,\"output_tokens\":7,\"cost_usd\":0.5}";
	char *id;

	id = write_session(text, records, sizeof records / sizeof *records);
	cr_assert_eq(snap_open(&st, work, state), 0, "%s", err_msg());
	cr_assert_eq(snap_checkpoint(st, id, "baseline", -1, NULL, &ck), 0, "%s", err_msg());
	put(work, "a.txt", "one\nTWO\nthree\n");
	cr_assert_eq(snap_checkpoint(st, id, "turn 1: edit_file toolu_1", 1, "toolu_1", &ck), 0);
	cr_assert(ck.created);
	snap_close(st);
	return id;
}

static void
count_sink(const struct event *ev, void *ctx)
{
	got_add(ctx, ev, 0);
}

/* A task after one that got no answer (it failed) is merged into that
 * task's message: the transcript's replace_last record holds both texts.
 * The replay shows each task once, not the failed one again. */
Test(engine, a_merged_task_replays_its_own_text_once)
{
	static const char *const records[] = {
		"{\"type\":\"session_started\",\"session\":\"SID\",\"task\":\"one\"}",
		"{\"type\":\"history\",\"message\":{\"role\":\"user\",\"content\":["
		"{\"type\":\"text\",\"text\":\"one\"}]}}",
		"{\"type\":\"session_finished\",\"status\":\"failed\",\"message\":\"x\"}",
		"{\"type\":\"session_started\",\"session\":\"SID\",\"task\":\"two\"}",
		"{\"type\":\"history\",\"replace_last\":true,\"message\":{\"role\":\"user\","
		"\"content\":[{\"type\":\"text\",\"text\":\"one\"},{\"type\":\"text\","
		"\"text\":\"two\"}]}}",
	};
	const char *text = "{\"status\":\"failed\",\"task\":\"one\",\"grants\":[\"W\"]}";
	struct got hist = { 0 };

	char *id = write_session(text, records, sizeof records / sizeof *records);
	/* 5, and the 2 that end a last run no engine finished */
	cr_assert_eq(engine_history_replay(state, id, false, count_sink, &hist), 7);
	cr_assert(strstr(hist.v[1], "\"user_message\"") && strstr(hist.v[1], "\"one\""),
		  "%s", hist.v[1]);
	cr_assert(strstr(hist.v[3], "\"session_started\""), "%s", hist.v[3]);
	cr_assert(strstr(hist.v[4], "\"user_message\"") && strstr(hist.v[4], "\"two\""),
		  "%s", hist.v[4]);
	got_clear(&hist);
	free(id);
}

/* A killed engine's calls have no tool_result in the transcript: the replay
 * gives each one, an error saying the session stopped while it ran, before
 * the next run's session_started, or at the end when no run goes on (and
 * only then: a running engine's open call is live). */
Test(engine, a_killed_engines_calls_replay_as_interrupted)
{
	static const char *const records[] = {
		"{\"type\":\"session_started\",\"session\":\"SID\",\"task\":\"t\"}",
		"{\"type\":\"tool_call\",\"id\":\"toolu_a\",\"name\":\"run_command\",\"input\":{}}",
		"{\"type\":\"session_started\",\"session\":\"SID\",\"task\":\"go on\"}",
		"{\"type\":\"tool_call\",\"id\":\"toolu_b\",\"name\":\"read_file\",\"input\":{}}",
		"{\"type\":\"tool_call\",\"id\":\"toolu_c\",\"name\":\"write_file\",\"input\":{}}",
		"{\"type\":\"tool_result\",\"id\":\"toolu_b\",\"name\":\"read_file\",\"output\":\"x\"}",
	};
	const char *text = "{\"status\":\"running\",\"task\":\"t\",\"grants\":[\"W\"]}";
	struct got hist = { 0 };

	char *id = write_session(text, records, sizeof records / sizeof *records);

	cr_assert_eq(engine_history_replay(state, id, false, count_sink, &hist), 10);
	cr_assert(strstr(hist.v[1], "\"tool_call\"") && strstr(hist.v[1], "toolu_a"));
	cr_assert(strstr(hist.v[2], "\"tool_result\"") && strstr(hist.v[2], "toolu_a"));
	cr_assert(strstr(hist.v[2], "\"is_error\":true") && strstr(hist.v[2], "run_command"));
	cr_assert(strstr(hist.v[2], REVIEW_INTERRUPTED_RESULT), "%s", hist.v[2]);
	cr_assert(strstr(hist.v[3], "\"session_started\""));
	cr_assert(strstr(hist.v[6], "\"tool_result\"") && strstr(hist.v[6], "toolu_b"));
	cr_assert_not(strstr(hist.v[6], REVIEW_INTERRUPTED_RESULT));
	cr_assert(strstr(hist.v[7], "\"tool_result\"") && strstr(hist.v[7], "toolu_c"));
	cr_assert(strstr(hist.v[7], REVIEW_INTERRUPTED_RESULT) && strstr(hist.v[7], "write_file"));
	/* and the last run, which no engine finished, ends once, naming the log */
	cr_assert(strstr(hist.v[8], "\"error\"") && strstr(hist.v[8], "/engine.log") &&
		  strstr(hist.v[8], "the previous engine ended without finishing the task"),
		  "%s", hist.v[8]);
	cr_assert(strstr(hist.v[9], "\"session_finished\"") &&
		  strstr(hist.v[9], "\"interrupted\""), "%s", hist.v[9]);
	got_clear(&hist);

	/* The last run goes on here: its open call may be running. */
	cr_assert_eq(engine_history_replay(state, id, true, count_sink, &hist), 7);
	cr_assert(strstr(hist.v[2], "toolu_a") && strstr(hist.v[2], REVIEW_INTERRUPTED_RESULT));
	for (size_t i = 3; i < hist.n; i++)
		cr_assert_not(strstr(hist.v[i], REVIEW_INTERRUPTED_RESULT), "%s", hist.v[i]);
	got_clear(&hist);
	free(id);
}

static void
request(struct engine *e, enum command_type t, const char *req, const char *path,
	unsigned long from)
{
	struct command c = { .type = t, .req = (char *)req, .path = (char *)path };

	engine_request(e, &c, from);
}

Test(engine, replies_go_only_to_the_requester)
{
	struct engine *e = open_engine(NULL, 0);
	cJSON *r;

	engine_set_reply(e, on_reply, NULL);
	request(e, COMMAND_GRANT, "r1", work2, 7);
	cr_assert_eq(replied.n, 1);
	cr_assert_eq(replied.to[0], 7);
	r = wait_for(&replied, "\"re\":\"r1\"");
	cr_assert_str_eq(json_str(r, "type"), "reply");
	cr_assert_str_eq(json_str(r, "op"), "grant");
	cr_assert(json_bool(r, "ok", false));
	cr_assert_eq(cJSON_GetArraySize(json_arr(r, "data")), 2);
	cr_assert_str_eq(cJSON_GetArrayItem(json_arr(r, "data"), 1)->valuestring, work2);
	cJSON_Delete(r);
	cr_assert_eq(sunk.n, 0, "a reply reached the sinks: %s", sunk.n ? sunk.v[0] : "");

	request(e, COMMAND_UNGRANT, "r2", "/nonexistent", 9);
	r = wait_for(&replied, "\"re\":\"r2\"");
	cr_assert_not(json_bool(r, "ok", true));
	cr_assert(strstr(json_str(r, "message"), "not a granted folder"));
	cr_assert_eq(replied.to[replied.n - 1], 9);
	cJSON_Delete(r);

	/* Status before any task: the engine's own, with re, to the requester. */
	request(e, COMMAND_STATUS, "r3", NULL, 3);
	r = wait_for(&replied, "\"re\":\"r3\"");
	cr_assert_str_eq(json_str(r, "type"), "status");
	cr_assert_str_eq(json_str(r, "phase"), "idle");
	cJSON_Delete(r);
	/* An agent command with no task: an error reply. */
	request(e, COMMAND_INTERRUPT, "r4", NULL, 4);
	r = wait_for(&replied, "\"re\":\"r4\"");
	cr_assert_str_eq(json_str(r, "type"), "error");
	cJSON_Delete(r);
	cr_assert_eq(sunk.n, 0);

	/* Without a reply function, replies go to the sinks. */
	engine_set_reply(e, NULL, NULL);
	request(e, COMMAND_UNGRANT, "r5", work2, 5);
	r = wait_for(&sunk, "\"re\":\"r5\"");
	cr_assert(json_bool(r, "ok", false), "%s", json_str(r, "message"));
	cr_assert_eq(cJSON_GetArraySize(json_arr(r, "data")), 1);
	cJSON_Delete(r);
	engine_close(e);
}

Test(engine, queries_before_any_session)
{
	struct engine *e = open_engine(NULL, 0);
	cJSON *r, *s;

	engine_set_reply(e, on_reply, NULL);
	request(e, COMMAND_REVIEW_GET, "g", NULL, 1);
	r = wait_for(&replied, "\"re\":\"g\"");
	cr_assert(json_bool(r, "ok", false));
	cr_assert_str_eq(json_str(json_obj(r, "data"), "head"), "");
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(json_arr(json_obj(r, "data"), "grants"), 0),
				  "path"),
			 work);
	cJSON_Delete(r);
	request(e, COMMAND_LOG, "l", NULL, 1);
	r = wait_for(&replied, "\"re\":\"l\"");
	cr_assert(json_bool(r, "ok", false));
	cJSON_Delete(r);
	request(e, COMMAND_SESSIONS, "s", NULL, 2);
	r = wait_for(&replied, "\"re\":\"s\"");
	cr_assert(cJSON_IsArray(json_arr(r, "data")));
	cr_assert_eq(cJSON_GetArraySize(json_arr(r, "data")), 0);
	cJSON_Delete(r);
	/* A review command has nothing to act on: a review event for everyone. */
	request(e, COMMAND_UNDO, "u", NULL, 2);
	r = wait_for(&sunk, "\"re\":\"u\"");
	cr_assert_str_eq(json_str(r, "type"), "review");
	cr_assert_not(json_bool(r, "ok", true));
	cJSON_Delete(r);

	s = engine_snapshot(e);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(s, "session")));
	cr_assert_str_eq(json_str(s, "activity"), "idle");
	cr_assert_not(json_bool(s, "busy", true));
	cr_assert_eq(json_int(s, "pid", 0), getpid());
	cr_assert_str_eq(cJSON_GetArrayItem(json_arr(s, "grants"), 0)->valuestring, work);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(s, "pending")));
	cJSON_Delete(s);
	struct got none = { 0 };
	cr_assert_eq(engine_history(e, on_sink, &none), 0);
	engine_close(e);
}

Test(engine, a_resumed_session_answers_from_its_stores)
{
	char *id = make_session();
	struct engine *e = open_engine(id, 0);
	struct review *rv = NULL;
	struct got hist = { 0 };
	cJSON *r, *s, *g;

	/* The snapshot starts from meta.json. */
	s = engine_snapshot(e);
	cr_assert_str_eq(json_str(s, "session"), id);
	cr_assert_str_eq(json_str(s, "task"), "fix it");
	cr_assert_eq(json_int(s, "input_tokens", 0), 5);
	cr_assert_eq(json_int(s, "output_tokens", 0), 7);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(json_arr(s, "plan"), 0), "title"), "edit");
	cr_assert_gt(json_int(s, "started_ns", 0), 0);
	cJSON_Delete(s);

	/* The history: what a view shows, deltas and usage skipped. */
	cr_assert_eq(engine_history(e, count_sink, &hist), 7);
	cr_assert(strstr(hist.v[0], "\"session_started\""));
	cr_assert(strstr(hist.v[1], "\"user_message\"") && strstr(hist.v[1], "fix it"));
	cr_assert(strstr(hist.v[2], "\"assistant_message\""));
	cr_assert(strstr(hist.v[3], "\"tool_call\""));
	cr_assert(strstr(hist.v[4], "\"tool_result\"") && strstr(hist.v[4], "\"ok\""));
	cr_assert(strstr(hist.v[5], "\"checkpoint\"") && strstr(hist.v[5], "a.txt | 2 +-"));
	cr_assert(strstr(hist.v[6], "\"session_finished\""));
	got_clear(&hist);

	engine_set_reply(e, on_reply, NULL);
	request(e, COMMAND_REVIEW_GET, "g", NULL, 11);
	r = wait_for(&replied, "\"re\":\"g\"");
	cr_assert(json_bool(r, "ok", false), "%s", json_str(r, "message"));
	g = cJSON_GetArrayItem(json_arr(json_obj(r, "data"), "grants"), 0);
	cr_assert_str_eq(json_str(g, "path"), work);
	cr_assert_eq(review_model_from_json(g, &rv), 0, "%s", err_msg());
	cr_assert_eq(rv->nfiles, 1);
	cr_assert_str_eq(rv->files[0].path, "a.txt");
	cr_assert_eq(rv->files[0].status, 'M');
	cr_assert_str_eq(rv->files[0].step.tool_call, "toolu_1");
	cr_assert_str_eq(json_str(json_obj(r, "data"), "head"), rv->head_id);
	review_model_free(rv);
	cJSON_Delete(r);

	request(e, COMMAND_LOG, "l", NULL, 12);
	r = wait_for(&replied, "\"re\":\"l\"");
	g = json_arr(cJSON_GetArrayItem(json_arr(json_obj(r, "data"), "grants"), 0),
		     "checkpoints");
	cr_assert_eq(cJSON_GetArraySize(g), 2);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(g, 1), "tool_call"), "toolu_1");
	cr_assert_eq(json_int(cJSON_GetArrayItem(g, 1), "files_changed", 0), 1);
	cJSON_Delete(r);

	request(e, COMMAND_SESSIONS, "s", NULL, 13);
	r = wait_for(&replied, "\"re\":\"s\"");
	g = cJSON_GetArrayItem(json_arr(r, "data"), 0);
	cr_assert_str_eq(json_str(g, "id"), id);
	cr_assert_str_eq(json_str(g, "task"), "fix it");
	cr_assert(json_bool(g, "current", false));
	cr_assert_eq(json_int(g, "pending", -1), 1);
	cJSON_Delete(r);
	cr_assert_eq(replied.to[replied.n - 1], 13);

	/* undo, then redo: review events for everyone, with re. */
	request(e, COMMAND_UNDO, "u", NULL, 14);
	r = wait_for(&sunk, "\"re\":\"u\"");
	cr_assert(json_bool(r, "ok", false), "%s", json_str(r, "message"));
	cJSON_Delete(r);
	request(e, COMMAND_REDO, "d", NULL, 14);
	r = wait_for(&sunk, "\"re\":\"d\"");
	cr_assert_str_eq(json_str(r, "op"), "redo");
	cr_assert(json_bool(r, "ok", false), "%s", json_str(r, "message"));
	cJSON_Delete(r);
	request(e, COMMAND_REDO, "d2", NULL, 14);
	r = wait_for(&sunk, "\"re\":\"d2\"");
	cr_assert_not(json_bool(r, "ok", true));
	cr_assert(strstr(json_str(r, "message"), "nothing to redo"), "%s", json_str(r, "message"));
	cJSON_Delete(r);

	/* One writer: a second engine on the session or its folder is refused. */
	struct engine *e2 = open_engine(id, DH_EDENIED);
	char want[256];
	snprintf(want, sizeof want, "session %s is live: its engine (pid %ld) runs it now", id,
		 (long)getpid());
	cr_assert(strstr(err_msg(), want), "%s", err_msg());
	engine_close(e2);
	e2 = open_engine(NULL, DH_EDENIED);
	cr_assert(strstr(err_msg(), "deskhand attach"), "%s", err_msg());
	engine_close(e2);
	engine_close(e);
	e2 = open_engine(id, 0);
	engine_close(e2);
	free(id);
}

/* A grant of a folder another live engine has is refused and leaves the
 * grants as they were; granting a folder twice is a no-op. */
Test(engine, grant_of_a_folder_in_use)
{
	const char *g2[] = { work2 };
	struct engine_opts o = { .grants = g2, .ngrants = 1 };
	struct engine *other = NULL, *e = open_engine(NULL, 0);

	cr_assert_eq(engine_open(&other, loop, &cfg, &o), 0, "%s", err_msg());
	cr_assert_eq(engine_grant_add(e, work2, false), DH_EDENIED);
	cr_assert(strstr(err_msg(), "folder ~/work2 is in use by another deskhand engine"), "%s",
		  err_msg());
	cr_assert_eq(engine_grant_count(e), 1);
	cr_assert_eq(engine_grant_add(e, work, false), 0, "%s", err_msg());
	cr_assert_eq(engine_grant_count(e), 1);
	cr_assert_not_null(engine_store(e, 0));
	engine_close(other);
	cr_assert_eq(engine_grant_add(e, work2, false), 0, "%s", err_msg());
	cr_assert_eq(engine_grant_count(e), 2);
	cr_assert_not_null(engine_store(e, 1));
	cr_assert_eq(engine_grant_remove(e, work2), 0, "%s", err_msg());
	/* Its lock went with its store. */
	cr_assert_eq(engine_open(&other, loop, &cfg, &o), 0, "%s", err_msg());
	engine_close(other);
	engine_close(e);
}

/* The snapshot follows a real task (the loopback fake provider): "waiting"
 * with the pending approval while one waits, the plan, then "done" with the
 * token totals. */
static pid_t
start_fake(const char *script)
{
	char sp[PATH_MAX], lp[PATH_MAX], pp[PATH_MAX], url[64], port[16] = "";
	pid_t pid;
	FILE *f;

	snprintf(sp, sizeof sp, "%s/script.json", root);
	snprintf(lp, sizeof lp, "%s/fake.log", root);
	snprintf(pp, sizeof pp, "%s/fake.port", root);
	cr_assert_not_null(f = fopen(sp, "w"));
	fputs(script, f);
	fclose(f);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		sigset_t none;

		/* The loop blocked the signals; the provider must not inherit that. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(null, 1);
		dup2(null, 2);
		execlp("python3", "python3", "tests/fake/anthropic_server.py", "--script", sp,
		       "--log", lp, "--port-file", pp, "--max-seconds", "60", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && !port[0]; i++) {
		f = fopen(pp, "r");
		if (f) {
			if (!fgets(port, sizeof port, f))
				port[0] = '\0';
			fclose(f);
		}
		if (!port[0])
			usleep(50 * 1000);
	}
	cr_assert(port[0], "the fake provider did not start");
	port[strcspn(port, "\n")] = '\0';
	snprintf(url, sizeof url, "http://127.0.0.1:%s", port);
	setenv("ANTHROPIC_BASE_URL", url, 1);
	return pid;
}

Test(engine, snapshot_follows_a_task)
{
	pid_t fake = start_fake(
		"{\"turns\": ["
		"{\"tool_calls\": [{\"name\": \"propose_plan\", \"input\": {\"steps\": "
		"[{\"title\": \"write a\"}]}}]},"
		"{\"tool_calls\": [{\"name\": \"write_file\", \"input\": {\"path\": \"b.txt\", "
		"\"content\": \"B\\n\"}}]},"
		"{\"text\": \"done\", \"stop_reason\": \"end_turn\"}]}");
	const char *grants[] = { work };
	struct engine_opts o = { .grants = grants, .ngrants = 1, .can_ask = true };
	struct engine *e = NULL;
	struct command approve = { .type = COMMAND_APPROVE };
	cJSON *s, *r;

	cr_assert_eq(engine_open(&e, loop, &cfg, &o), 0, "%s", err_msg());
	engine_add_sink(e, on_sink, NULL);
	cr_assert_eq(engine_start(e, "write b"), 0, "%s", err_msg());
	r = wait_for(&sunk, "\"approval_needed\"");
	cJSON_Delete(r);
	s = engine_snapshot(e);
	cr_assert_str_eq(json_str(s, "activity"), "waiting");
	cr_assert(json_bool(s, "busy", false));
	cr_assert_str_eq(json_str(json_obj(s, "pending"), "name"), "propose_plan");
	cr_assert_str_eq(json_str(s, "task"), "write b");
	cr_assert_str_eq(json_str(s, "session"), engine_session_id(e));
	cr_assert_gt(json_int(s, "started_ns", 0), 0);
	cJSON_Delete(s);
	got_clear(&sunk);

	engine_request(e, &approve, 0);
	r = wait_for(&sunk, "\"approval_needed\"");
	cJSON_Delete(r);
	s = engine_snapshot(e);
	cr_assert_str_eq(json_str(s, "activity"), "waiting");
	cr_assert_str_eq(json_str(json_obj(s, "pending"), "name"), "write_file");
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(json_arr(s, "plan"), 0), "title"), "write a");
	cJSON_Delete(s);

	engine_request(e, &approve, 0);
	for (int i = 0; i < 1000 && !engine_is_settled(e); i++)
		cr_assert_geq(ev_run_once(loop, 10), 0);
	cr_assert(engine_is_settled(e));
	s = engine_snapshot(e);
	cr_assert_str_eq(json_str(s, "activity"), "done");
	cr_assert_str_eq(json_str(s, "status"), "done");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(s, "pending")));
	cr_assert_geq(json_int(s, "input_tokens", 0), 30);
	cr_assert_gt(json_int(s, "output_tokens", 0), 0);
	cJSON_Delete(s);
	engine_close(e);
	kill(fake, SIGKILL);
	waitpid(fake, NULL, 0);
}

/* A worker reply still in flight when the engine closes is dropped: nobody
 * waits for it any more, and nothing leaks (ASan). */
Test(engine, replies_in_flight_at_close_are_dropped)
{
	struct engine *e = open_engine(NULL, 0);

	engine_set_reply(e, on_reply, NULL);
	request(e, COMMAND_SESSIONS, "late", NULL, 1);
	request(e, COMMAND_SESSIONS, "late2", NULL, 2);
	engine_close(e);
	for (size_t i = 0; i < replied.n; i++)
		cr_assert_null(strstr(replied.v[i], "late"), "%s", replied.v[i]);
}
