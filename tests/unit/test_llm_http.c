/* SPDX-License-Identifier: MIT */
/*
 * llm client against the loopback fake server (tests/fake/anthropic_server.py)
 * over real HTTP: streaming, retries, faults, cancel, idle limit, record/replay.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/ev.h"
#include "core/json.h"
#include "core/proc.h"
#include "core/xalloc.h"
#include "net/http.h"
#include "llm/llm.h"
#include "llm/tokens.h"

#define KEY "sk-ant-test-SECRET-0123456789"

struct fake {
	struct proc *p;
	char dir[64];
	char log[PATH_MAX];
	int port;
	char url[64];
};

struct t {
	struct ev_loop *l;
	struct fake f;
	struct llm *c;
	cJSON *tools;
	/* what the callbacks saw */
	struct llm_usage est; /* admit's estimate */
	int nadmit;
	int ndone;
	int rc;
	char *error;
	char *stop;
	cJSON *msg;
	char **mal;
	size_t nmal;
	struct llm_usage usage;
	int status;
	struct buf text;
	int ntext;
	int nretry;
	long delays[8];
	char *reasons[8];
	bool cancel_in_text;
};

static void
setup(void)
{
	cr_assert_eq(http_global_init(), 0);
}

static void
teardown(void)
{
	http_global_cleanup();
}

TestSuite(llm_http, .init = setup, .fini = teardown, .timeout = 40);

static char *
slurp(const char *path)
{
	struct buf b = BUF_INIT;
	char tmp[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return NULL;
	while ((n = read(fd, tmp, sizeof tmp)) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(fd);
	return buf_detach(&b);
}

static void
spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static cJSON *
parse(const char *text)
{
	cJSON *v = NULL;

	cr_assert_eq(json_parse(&v, text, strlen(text), "test"), 0, "%s: %s", err_msg(), text);
	return v;
}

static void
rm_dir(const char *dir)
{
	if (dir[0]) {
		char *cmd = xasprintf("rm -rf '%s'", dir);

		cr_assert_eq(system(cmd), 0);
		free(cmd);
	}
}

/* Start the fake with `script` (JSON text); waits (loop iterations, 10 s cap) for its port. */
static void
fake_start(struct t *t, const char *script, const char *require_key)
{
	struct fake *f = &t->f;
	const char *tests = getenv("DH_TESTS") ? getenv("DH_TESTS") : "tests";
	char server[PATH_MAX], spath[PATH_MAX], port[PATH_MAX];

	rm_dir(f->dir); /* a second server in one test */
	snprintf(f->dir, sizeof f->dir, "/tmp/dh-llm-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	snprintf(server, sizeof server, "%s/fake/anthropic_server.py", tests);
	snprintf(spath, sizeof spath, "%s/script.json", f->dir);
	snprintf(f->log, sizeof f->log, "%s/log.jsonl", f->dir);
	snprintf(port, sizeof port, "%s/port", f->dir);
	spit(spath, script);
	const char *argv[] = { "python3",     server,  "--script",
		               spath,         "--log", f->log,
		               "--port-file", port,    require_key ? "--require-key" : NULL,
		               require_key,   NULL };
	struct proc_spec spec = { .argv = argv, .stdin_fd = -1 };
	cr_assert_eq(proc_spawn(&f->p, t->l, &spec, NULL, NULL), 0, "%s", err_msg());
	uint64_t end = ev_now_ms() + 10000;
	char *s = NULL;
	while (!(s = slurp(port)) && ev_now_ms() < end)
		cr_assert_eq(ev_run_once(t->l, 20), 0);
	cr_assert_not_null(s, "fake server did not start");
	f->port = atoi(s);
	free(s);
	cr_assert_gt(f->port, 0);
	snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d", f->port);
}

static void
fake_stop(struct t *t)
{
	proc_free(t->f.p);
	t->f.p = NULL;
}

/* The fake's request log as an array. */
static cJSON *
fake_log(struct t *t)
{
	char *s = slurp(t->f.log);
	cJSON *arr = json_new_arr();

	cr_assert_not_null(s);
	for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n"))
		json_add(arr, NULL, parse(line));
	free(s);
	return arr;
}

static void
t_init(struct t *t)
{
	memset(t, 0, sizeof *t);
	cr_assert_eq(ev_new(&t->l), 0);
	t->tools = parse("[{\"name\":\"read_file\",\"description\":\"Read a file\","
	                 "\"input_schema\":{\"type\":\"object\",\"properties\":{\"path\":"
	                 "{\"type\":\"string\"}},\"required\":[\"path\"]}}]");
}

static void
t_reset_results(struct t *t)
{
	free(t->error);
	free(t->stop);
	cJSON_Delete(t->msg);
	for (size_t i = 0; i < t->nmal; i++)
		free(t->mal[i]);
	free(t->mal);
	for (int i = 0; i < t->nretry && i < 8; i++)
		free(t->reasons[i]);
	buf_fini(&t->text);
	t->error = t->stop = NULL;
	t->msg = NULL;
	t->mal = NULL;
	t->nmal = 0;
	t->ndone = t->nretry = t->ntext = 0;
	t->rc = 0;
}

static void
t_fini(struct t *t)
{
	llm_free(t->c);
	fake_stop(t);
	t_reset_results(t);
	cJSON_Delete(t->tools);
	ev_free(t->l);
	rm_dir(t->f.dir);
}

static void
cb_text(const char *text, size_t len, void *ctx)
{
	struct t *t = ctx;

	buf_add(&t->text, text, len);
	t->ntext++;
	if (t->cancel_in_text)
		llm_cancel(t->c);
}

static void
cb_retry(int attempt, long delay_ms, const char *reason, void *ctx)
{
	struct t *t = ctx;

	cr_assert_eq(attempt, t->nretry + 1);
	if (t->nretry < 8) {
		t->delays[t->nretry] = delay_ms;
		t->reasons[t->nretry] = xstrdup(reason);
	}
	t->nretry++;
}

static void
cb_done(int rc, struct llm_result *res, void *ctx)
{
	struct t *t = ctx;

	t->ndone++;
	t->rc = rc;
	t->error = res->error ? xstrdup(res->error) : NULL;
	t->stop = res->stop_reason ? xstrdup(res->stop_reason) : NULL;
	t->msg = llm_result_take_message(res);
	cr_assert_null(res->message);
	t->nmal = res->nmalformed;
	t->mal = xcalloc(t->nmal + 1, sizeof *t->mal);
	for (size_t i = 0; i < t->nmal; i++)
		t->mal[i] = xstrdup(res->malformed_ids[i]);
	t->usage = res->usage;
	t->status = res->http_status;
	cr_assert_eq(rc < 0, res->error != NULL);
	cr_assert_eq(rc < 0, res->stop_reason == NULL);
}

static const struct llm_callbacks cbs = { .on_text = cb_text, .on_retry = cb_retry,
	                                  .on_done = cb_done };

static void
t_client(struct t *t, struct llm_config *cfg)
{
	if (!cfg->base_url)
		cfg->base_url = t->f.url;
	if (!cfg->api_key && !cfg->replay_path)
		cfg->api_key = KEY;
	if (!cfg->model)
		cfg->model = "claude-sonnet-4-5";
	cfg->max_tokens = 1024;
	cr_assert_eq(llm_new(&t->c, t->l, cfg), 0, "%s", err_msg());
}

/* Start a request with one user message and run the loop until on_done (15 s cap). */
static void
t_run(struct t *t, const char *system, const char *messages_json)
{
	cJSON *msgs = parse(messages_json);
	struct llm_request req = { .system = system, .tools = t->tools, .messages = msgs };

	t_reset_results(t);
	cr_assert_eq(llm_start(t->c, &req, &cbs, t), 0, "%s", err_msg());
	cJSON_Delete(msgs); /* copied by llm_start */
	uint64_t end = ev_now_ms() + 15000;
	while (t->ndone == 0 && ev_now_ms() < end)
		cr_assert_eq(ev_run_once(t->l, 100), 0);
	cr_assert_eq(t->ndone, 1, "on_done not called");
}

/* admit(): records the estimate, refuses the first request it sees. */
static bool
cb_admit_once(const struct llm_usage *est, const struct llm_usage *billed, void *ctx)
{
	struct t *t = ctx;

	(void)billed;
	t->est = *est;
	return t->nadmit++ > 0;
}

static const char *const user_hi = "[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
				   "\"text\":\"Please read the notes.\"}]}]";

static const char *
hdr(const cJSON *entry, const char *name)
{
	return json_str(json_obj(entry, "headers"), name);
}

/*
 * Streaming
 */

Test(llm_http, tool_use_turn_assembles_exact_input)
{
	struct t t;
	struct llm_config cfg = { 0 };

	t_init(&t);
	fake_start(&t,
	           "{\"turns\":[{\"text\":\"Looking… café ✓\",\"tool_calls\":[{\"name\":"
	           "\"read_file\",\"input\":{\"path\":\"/w/naïve ✓.txt\",\"opts\":{\"lines\":"
	           "[1,2,3],\"q\":\"a \\\"quoted\\\" {brace} \\\\ done\"}}}],\"usage\":"
	           "{\"input_tokens\":321,\"output_tokens\":45,\"cache_read_input_tokens\":7}},"
	           "{\"text\":\"Done.\",\"expect\":{\"last_user_contains\":\"toolu_1_0\"}}]}",
	           NULL);
	t_client(&t, &cfg);
	t_run(&t, "You are careful.", user_hi);

	cr_assert_eq(t.rc, 0, "%s", t.error);
	cr_assert_str_eq(t.stop, "tool_use");
	cr_assert_str_eq(buf_cstr(&t.text), "Looking… café ✓");
	cr_assert_eq(t.ntext, 4, "text arrives as several deltas");
	cr_assert_eq(t.nretry, 0);
	cr_assert_eq(t.nmal, 0);
	cr_assert_eq(t.status, 200);
	cr_assert_eq(t.usage.input_tokens, 321);
	cr_assert_eq(t.usage.output_tokens, 45);
	cr_assert_eq(t.usage.cache_read_tokens, 7);
	cJSON *want = parse("{\"role\":\"assistant\",\"content\":["
	                    "{\"type\":\"text\",\"text\":\"Looking… café ✓\"},"
	                    "{\"type\":\"tool_use\",\"id\":\"toolu_1_0\",\"name\":\"read_file\","
	                    "\"input\":{\"path\":\"/w/naïve ✓.txt\",\"opts\":{\"lines\":[1,2,3],"
	                    "\"q\":\"a \\\"quoted\\\" {brace} \\\\ done\"}}}]}");
	char *got = json_print(t.msg);
	cr_assert(cJSON_Compare(t.msg, want, true), "got %s", got);
	free(got);
	cJSON_Delete(want);

	/* Second turn: history + tool_result; the fake checks the last user message. */
	cJSON *hist = parse(user_hi);
	json_add(hist, NULL, json_dup(t.msg));
	json_add(hist, NULL,
	         parse("{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
	               "\"tool_use_id\":\"toolu_1_0\",\"content\":\"notes\"}]}"));
	char *h = json_print(hist);
	t_run(&t, "You are careful.", h);
	free(h);
	cJSON_Delete(hist);
	cr_assert_eq(t.rc, 0, "%s", t.error);
	cr_assert_str_eq(t.stop, "end_turn");
	cr_assert_str_eq(buf_cstr(&t.text), "Done.");

	cJSON *log = fake_log(&t);
	cr_assert_eq(cJSON_GetArraySize(log), 2);
	cJSON *e = cJSON_GetArrayItem(log, 0), *body = json_obj(e, "body");
	cr_assert_str_eq(hdr(e, "anthropic-version"), "2023-06-01");
	cr_assert_str_eq(hdr(e, "x-api-key"), "<redacted>");
	cr_assert_str_eq(hdr(e, "content-type"), "application/json");
	cr_assert_str_eq(hdr(e, "x-deskhand-retry-count"), "0");
	cr_assert_str_eq(json_str(body, "model"), "claude-sonnet-4-5");
	cr_assert_eq(json_int(body, "max_tokens", 0), 1024);
	cr_assert(json_bool(body, "stream", false));
	cJSON *sys = cJSON_GetArrayItem(json_arr(body, "system"), 0);
	cr_assert_str_eq(json_str(sys, "text"), "You are careful.");
	cr_assert_str_eq(json_str(json_obj(sys, "cache_control"), "type"), "ephemeral");
	cJSON *tool = cJSON_GetArrayItem(json_arr(body, "tools"), 0);
	cr_assert_str_eq(json_str(json_obj(tool, "cache_control"), "type"), "ephemeral");
	cr_assert_eq(cJSON_GetArraySize(
			     json_arr(json_obj(cJSON_GetArrayItem(log, 1), "body"), "messages")),
	             3);
	cJSON_Delete(log);
	t_fini(&t);
}

Test(llm_http, unknown_stop_reason_is_an_error)
{
	struct t t;
	struct llm_config cfg = { 0 };

	t_init(&t);
	fake_start(&t, "{\"turns\":[{\"text\":\"x\",\"stop_reason\":\"banana\"}]}", NULL);
	t_client(&t, &cfg);
	t_run(&t, NULL, user_hi);
	cr_assert_lt(t.rc, 0);
	cr_assert_str_eq(t.error, "unknown stop reason 'banana'");
	cr_assert_eq(t.nretry, 0);
	t_fini(&t);
}

/*
 * Retries (PROTOCOLS.md §1.10)
 */

Test(llm_http, retry_429_with_retry_after_ms_then_success)
{
	struct t t;
	struct llm_config cfg = { 0 };

	t_init(&t);
	fake_start(&t,
	           "{\"turns\":[{\"fault\":\"status\",\"status\":429,\"retry_after_ms\":\"50\"},"
	           "{\"text\":\"ok\"}]}",
	           NULL);
	t_client(&t, &cfg);
	uint64_t t0 = ev_now_ms();
	t_run(&t, NULL, user_hi);
	cr_assert_eq(t.rc, 0, "%s", t.error);
	cr_assert_eq(t.nretry, 1);
	cr_assert_eq(t.delays[0], 50);
	cr_assert_str_eq(t.reasons[0], "HTTP 429 rate_limit_error: Number of request tokens has "
	                               "exceeded your per-minute rate limit");
	cr_assert_geq(ev_now_ms() - t0, 50);
	cr_assert_str_eq(buf_cstr(&t.text), "ok");

	cJSON *log = fake_log(&t);
	cr_assert_eq(cJSON_GetArraySize(log), 2);
	cr_assert_str_eq(hdr(cJSON_GetArrayItem(log, 1), "x-deskhand-retry-count"), "1");
	cr_assert(cJSON_Compare(json_obj(cJSON_GetArrayItem(log, 0), "body"),
	                        json_obj(cJSON_GetArrayItem(log, 1), "body"), true),
	          "a retry re-sends the identical body");
	cJSON_Delete(log);
	t_fini(&t);
}

/* The body is lent to the transfer, not copied, and read in pieces: a
 * conversation of several hundred kilobytes arrives whole, and whole again on
 * the retry (a new transfer reading the same text from its start). */
Test(llm_http, big_body_arrives_whole_and_again_on_retry)
{
	struct t t;
	struct llm_config cfg = { 0 };
	struct buf text = BUF_INIT;

	for (int i = 0; text.len < 400 * 1024; i++)
		buf_printf(&text, "line %d of a long tool result\n", i);
	cJSON *m = parse("[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]");
	json_add_str(cJSON_GetArrayItem(json_arr(cJSON_GetArrayItem(m, 0), "content"), 0), "text",
	             buf_cstr(&text));
	char *h = json_print(m);

	t_init(&t);
	fake_start(&t, "{\"turns\":[{\"fault\":\"status\",\"status\":429,\"retry_after_ms\":\"1\"},"
	               "{\"text\":\"ok\"}]}",
	           NULL);
	t_client(&t, &cfg);
	t_run(&t, NULL, h);
	cr_assert_eq(t.rc, 0, "%s", t.error);
	cr_assert_eq(t.nretry, 1);
	cJSON *log = fake_log(&t);
	cr_assert_eq(cJSON_GetArraySize(log), 2);
	for (int i = 0; i < 2; i++) {
		cJSON *sent = json_arr(json_obj(cJSON_GetArrayItem(log, i), "body"), "messages");
		const char *got = json_str(
			cJSON_GetArrayItem(json_arr(cJSON_GetArrayItem(sent, 0), "content"), 0), "text");

		cr_assert_not_null(got, "attempt %d", i);
		cr_assert_eq(strlen(got), text.len, "attempt %d", i);
		cr_assert_str_eq(got, buf_cstr(&text), "attempt %d", i);
	}
	cJSON_Delete(log);
	cJSON_Delete(m);
	free(h);
	buf_fini(&text);
	t_fini(&t);
}

/* A conversation sent from its memos: the body goes in pieces (each shared
 * message's memo text where it is, the rest printed), larger than curl's
 * upload buffer and each piece read across its reads; every message
 * arrives whole and in order, and the same again on the retry. */
Test(llm_http, memo_body_arrives_whole_in_pieces_and_again_on_retry)
{
	struct t t;
	struct llm_config cfg = { 0 };
	cJSON *msgs = json_new_arr();
	struct llm_memo memo[5];
	char *texts[5];

	for (int i = 0; i < 5; i++) {
		struct buf text = BUF_INIT;

		while (text.len < 90 * 1024)
			buf_printf(&text, "message %d, line %zu \"quoted\"\n", i, text.len);
		texts[i] = buf_detach(&text);
		cJSON *m = json_new_obj(), *content = json_new_arr(), *blk = json_new_obj();

		json_add_str(blk, "type", "text");
		json_add_str(blk, "text", texts[i]);
		json_add(content, NULL, blk);
		json_add_str(m, "role", i % 2 ? "assistant" : "user");
		json_add(m, "content", content);
		json_add(msgs, NULL, m);
		memo[i].json = json_print(m);
		memo[i].tokens = llm_tokens_value(m);
	}
	t_init(&t);
	fake_start(&t, "{\"turns\":[{\"fault\":\"status\",\"status\":429,\"retry_after_ms\":\"1\"},"
	               "{\"text\":\"ok\"}]}",
	           NULL);
	t_client(&t, &cfg);
	struct llm_request req = { .system = "S", .messages = msgs, .memo = memo, .nmemo = 5 };

	t_reset_results(&t);
	cr_assert_eq(llm_start(t.c, &req, &cbs, &t), 0, "%s", err_msg());
	cJSON_Delete(msgs); /* the messages are copied; the memos' text is lent */
	uint64_t end = ev_now_ms() + 15000;
	while (t.ndone == 0 && ev_now_ms() < end)
		cr_assert_eq(ev_run_once(t.l, 100), 0);
	cr_assert_eq(t.ndone, 1, "on_done not called");
	cr_assert_eq(t.rc, 0, "%s", t.error);
	cr_assert_eq(t.nretry, 1);
	cJSON *log = fake_log(&t);
	cr_assert_eq(cJSON_GetArraySize(log), 2);
	for (int a = 0; a < 2; a++) {
		cJSON *sent = json_arr(json_obj(cJSON_GetArrayItem(log, a), "body"), "messages");

		cr_assert_eq(cJSON_GetArraySize(sent), 5, "attempt %d", a);
		for (int i = 0; i < 5; i++) {
			cJSON *m = cJSON_GetArrayItem(sent, i);
			const char *got = json_str(cJSON_GetArrayItem(json_arr(m, "content"), 0), "text");

			cr_assert_str_eq(json_str(m, "role"), i % 2 ? "assistant" : "user");
			cr_assert_not_null(got, "attempt %d message %d", a, i);
			cr_assert_str_eq(got, texts[i], "attempt %d message %d", a, i);
		}
	}
	cr_assert(cJSON_Compare(json_obj(cJSON_GetArrayItem(log, 0), "body"),
	                        json_obj(cJSON_GetArrayItem(log, 1), "body"), true),
	          "a retry re-sends the identical body");
	cJSON_Delete(log);
	for (int i = 0; i < 5; i++) {
		free(memo[i].json);
		free(texts[i]);
	}
	t_fini(&t);
}

Test(llm_http, retry_529_with_backoff_and_retry_after_seconds)
{
	struct t t;
	struct llm_config cfg = { 0 };

	t_init(&t);
	fake_start(&t,
	           "{\"turns\":[{\"fault\":\"status\",\"status\":529},"
	           "{\"fault\":\"status\",\"status\":529,\"retry_after\":\"0.05\"},"
	           "{\"text\":\"ok\"}]}",
	           NULL);
	t_client(&t, &cfg);
	t_run(&t, NULL, user_hi);
	cr_assert_eq(t.rc, 0, "%s", t.error);
	cr_assert_eq(t.nretry, 2);
	/* no header: 0.5 s · (1 − 0.25·rand) */
	cr_assert(t.delays[0] >= 375 && t.delays[0] <= 500, "delay %ld", t.delays[0]);
	cr_assert_eq(t.delays[1], 50);
	cr_assert_str_eq(t.reasons[0], "HTTP 529 overloaded_error: Overloaded");
	t_fini(&t);
}

Test(llm_http, retries_exhausted_and_x_should_retry)
{
	struct t t;
	struct llm_config cfg = { .max_retries = 2 };

	t_init(&t);
	fake_start(&t,
	           "{\"turns\":[{\"fault\":\"status\",\"status\":400,\"x_should_retry\":\"true\","
	           "\"retry_after_ms\":\"10\"},"
	           "{\"fault\":\"status\",\"status\":500,\"retry_after_ms\":\"10\"},"
	           "{\"fault\":\"status\",\"status\":500,\"retry_after_ms\":\"10\"},"
	           "{\"fault\":\"status\",\"status\":429,\"x_should_retry\":\"false\"}]}",
	           NULL);
	t_client(&t, &cfg);
	t_run(&t, NULL, user_hi);
	cr_assert_lt(t.rc, 0);
	cr_assert_eq(t.nretry, 2);
	cr_assert_str_eq(t.error, "HTTP 500 api_error: Internal server error (gave up after 2 "
	                          "retries)");
	cr_assert_eq(t.status, 500);
	/* x-should-retry: false wins over a retryable 429 */
	t_run(&t, NULL, user_hi);
	cr_assert_lt(t.rc, 0);
	cr_assert_eq(t.nretry, 0);
	cr_assert(strncmp(t.error, "HTTP 429 rate_limit_error", 25) == 0, "%s", t.error);
	cJSON *log = fake_log(&t);
	cr_assert_eq(cJSON_GetArraySize(log), 4);
	cJSON_Delete(log);
	t_fini(&t);
}

Test(llm_http, connection_refused_is_retried_then_reported)
{
	struct t t;
	struct llm_config cfg = { .max_retries = 1, .base_url = "http://127.0.0.1:1" };

	t_init(&t);
	t_client(&t, &cfg);
	t_run(&t, NULL, user_hi);
	cr_assert_lt(t.rc, 0);
	cr_assert_eq(t.nretry, 1);
	cr_assert(strncmp(t.reasons[0], "connection error: ", 18) == 0, "%s", t.reasons[0]);
	cr_assert(strstr(t.error, "(gave up after 1 retry)") != NULL, "%s", t.error);
	cr_assert_eq(t.status, 0);
	cr_assert_null(t.msg);
	t_fini(&t);
}

/*
 * Failures that are not retried
 */

Test(llm_http, auth_401_one_line_and_key_never_echoed)
{
	struct t t;
	struct llm_config cfg = { 0 };

	t_init(&t);
	fake_start(&t,
	           "{\"turns\":[{\"fault\":\"status\",\"status\":401,\"body\":"
	           "\"{\\\"type\\\":\\\"error\\\",\\\"error\\\":{\\\"type\\\":"
	           "\\\"authentication_error\\\",\\\"message\\\":\\\"key " KEY
	           " is revoked\\\\nsee docs\\\"}}\"}]}",
	           "the-right-key");
	t_client(&t, &cfg);
	/* The fake rejects our key before the script: the standard 401 body. */
	t_run(&t, NULL, user_hi);
	cr_assert_lt(t.rc, 0);
	cr_assert_str_eq(t.error, "HTTP 401 authentication_error: invalid x-api-key");
	cr_assert_eq(t.nretry, 0);
	cr_assert_eq(t.status, 401);
	llm_free(t.c);
	t.c = NULL;
	fake_stop(&t);

	/* A server that echoes the key (one line, key scrubbed). */
	fake_start(&t,
	           "{\"turns\":[{\"fault\":\"status\",\"status\":401,\"body\":"
	           "\"{\\\"type\\\":\\\"error\\\",\\\"error\\\":{\\\"type\\\":"
	           "\\\"authentication_error\\\",\\\"message\\\":\\\"key " KEY
	           " is revoked\\\\nsee docs\\\"}}\"}]}",
	           NULL);
	cfg.base_url = NULL;
	t_client(&t, &cfg);
	t_run(&t, NULL, user_hi);
	cr_assert_str_eq(t.error,
	                 "HTTP 401 authentication_error: key <redacted> is revoked see docs");
	t_fini(&t);
}

Test(llm_http, non_json_body_is_a_clear_error)
{
	struct t t;
	struct llm_config cfg = { 0 };

	t_init(&t);
	fake_start(&t,
	           "{\"turns\":[{\"fault\":\"non_json\",\"body\":\"<html>oops</html>\","
	           "\"content_type\":\"text/html\"}]}",
	           NULL);
	t_client(&t, &cfg);
	t_run(&t, NULL, user_hi);
	cr_assert_lt(t.rc, 0);
	cr_assert_str_eq(t.error, "server sent a non-JSON body (HTTP 200, text/html): "
	                          "<html>oops</html>");
	cr_assert_eq(t.nretry, 0);
	cr_assert_eq(t.status, 200);
	t_fini(&t);
}

Test(llm_http, cut_mid_tool_fails_and_tool_is_malformed)
{
	struct t t;
	struct llm_config cfg = { .max_retries = -1 };

	t_init(&t);
	fake_start(&t,
	           "{\"turns\":[{\"fault\":\"cut_mid_tool\",\"tool_calls\":[{\"name\":"
	           "\"read_file\",\"input\":{\"path\":\"/a/b/c/d.txt\"}}]}]}",
	           NULL);
	t_client(&t, &cfg);
	t_run(&t, NULL, user_hi);
	cr_assert_lt(t.rc, 0);
	cr_assert(strncmp(t.error, "stream ended mid-response (after 3 events, no message_stop)",
	                  59) == 0,
	          "%s", t.error);
	cr_assert_null(t.stop);
	cr_assert_eq(t.nretry, 0, "no retries configured");
	cr_assert_eq(t.nmal, 1);
	cr_assert_str_eq(t.mal[0], "toolu_1_0");
	cJSON *blk = cJSON_GetArrayItem(json_arr(t.msg, "content"), 0);
	cr_assert_str_eq(json_str(blk, "type"), "tool_use");
	cr_assert_eq(cJSON_GetArraySize(json_obj(blk, "input")), 0);
	t_fini(&t);
}

/* A stream cut before message_stop is a connection fault: retried, and the
 * message starts again (nothing of the cut one is kept). */
Test(llm_http, cut_mid_stream_is_retried)
{
	static const char *const scripts[] = {
		"{\"turns\":[{\"fault\":\"cut_mid_tool\",\"tool_calls\":[{\"name\":\"read_file\","
		"\"input\":{\"path\":\"/a/b/c/d.txt\"}}]},{\"text\":\"Whole answer.\"}]}",
		"{\"turns\":[{\"fault\":\"cut_mid_text\",\"text\":\"Partial\"},"
		"{\"text\":\"Whole answer.\"}]}",
		"{\"turns\":[{\"fault\":\"cut_mid_text\",\"text\":\"Partial\",\"clean_end\":true},"
		"{\"text\":\"Whole answer.\"}]}",
	};

	for (size_t i = 0; i < sizeof scripts / sizeof *scripts; i++) {
		struct t t;
		struct llm_config cfg = { .max_retries = 2 };

		t_init(&t);
		fake_start(&t, scripts[i], NULL);
		t_client(&t, &cfg);
		t_run(&t, NULL, user_hi);
		cr_assert_eq(t.rc, 0, "%zu: %s", i, t.error ? t.error : "");
		cr_assert_eq(t.nretry, 1, "%zu", i);
		cr_assert(strncmp(t.reasons[0], "stream ended mid-response (after ", 33) == 0, "%s",
			  t.reasons[0]);
		cr_assert_str_eq(t.stop, "end_turn");
		cr_assert_eq(t.nmal, 0);
		cJSON *content = json_arr(t.msg, "content");
		cr_assert_eq(cJSON_GetArraySize(content), 1);
		cr_assert_str_eq(json_str(cJSON_GetArrayItem(content, 0), "text"), "Whole answer.");
		cJSON *log = fake_log(&t);
		cr_assert_eq(cJSON_GetArraySize(log), 2);
		cJSON_Delete(log);
		t_fini(&t);
	}
}

/* An error event of an overloaded server mid-stream is retried as a cut
 * stream is: the message starts again. One of a bad request is not. */
Test(llm_http, mid_stream_overloaded_event_is_retried)
{
	struct t t;
	struct llm_config cfg = { .max_retries = 2 };

	t_init(&t);
	fake_start(&t,
	           "{\"turns\":[{\"fault\":\"mid_stream_error\"},"
	           "{\"fault\":\"mid_stream_error\",\"error_type\":\"api_error\",\"text\":\"Again\"},"
	           "{\"text\":\"Whole answer.\"},"
	           "{\"fault\":\"mid_stream_error\",\"error_type\":\"invalid_request_error\"},"
	           "{\"text\":\"never\"}]}",
	           NULL);
	t_client(&t, &cfg);
	t_run(&t, NULL, user_hi);
	cr_assert_eq(t.rc, 0, "%s", t.error ? t.error : "");
	cr_assert_eq(t.nretry, 2);
	cr_assert_str_eq(t.reasons[0], "stream error overloaded_error: Overloaded (after 4 events)");
	cr_assert_str_eq(t.reasons[1], "stream error api_error: fake api_error (after 4 events)");
	cr_assert(t.delays[0] >= 375 && t.delays[0] <= 500, "delay %ld", t.delays[0]);
	cJSON *content = json_arr(t.msg, "content");
	cr_assert_eq(cJSON_GetArraySize(content), 1);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(content, 0), "text"), "Whole answer.");
	cr_assert_str_eq(t.stop, "end_turn");
	/* not the server's passing trouble: the request fails at once */
	t_run(&t, NULL, user_hi);
	cr_assert_lt(t.rc, 0);
	cr_assert_str_eq(t.error, "stream error invalid_request_error: fake invalid_request_error "
	                          "(after 4 events)");
	cr_assert_str_eq(buf_cstr(&t.text), "Partial answer");
	cr_assert_eq(t.nretry, 0);
	cJSON *log = fake_log(&t);
	cr_assert_eq(cJSON_GetArraySize(log), 4);
	/* the retries send the same body */
	for (int i = 1; i < 3; i++)
		cr_assert(cJSON_Compare(json_obj(cJSON_GetArrayItem(log, 0), "body"),
		                        json_obj(cJSON_GetArrayItem(log, i), "body"), true));
	cJSON_Delete(log);
	t_fini(&t);
}

/* With no retry left, the error event is the request's error. */
Test(llm_http, mid_stream_overloaded_event_gives_up)
{
	struct t t;
	struct llm_config cfg = { .max_retries = 1 };

	t_init(&t);
	fake_start(&t,
	           "{\"turns\":[{\"fault\":\"mid_stream_error\"},{\"fault\":\"mid_stream_error\"},"
	           "{\"text\":\"never\"}]}",
	           NULL);
	t_client(&t, &cfg);
	t_run(&t, NULL, user_hi);
	cr_assert_lt(t.rc, 0);
	cr_assert_str_eq(t.error, "stream error overloaded_error: Overloaded (after 4 events) "
	                          "(gave up after 1 retry)");
	cr_assert_eq(t.nretry, 1);
	cJSON *log = fake_log(&t);
	cr_assert_eq(cJSON_GetArraySize(log), 2);
	cJSON_Delete(log);
	t_fini(&t);
}

Test(llm_http, bad_event_json_fails)
{
	struct t t;
	struct llm_config cfg = { 0 };

	t_init(&t);
	fake_start(&t, "{\"turns\":[{\"fault\":\"bad_event_json\"}]}", NULL);
	t_client(&t, &cfg);
	t_run(&t, NULL, user_hi);
	cr_assert_lt(t.rc, 0);
	cr_assert(strncmp(t.error, "server sent an invalid content_block_delta event", 48) == 0,
	          "%s", t.error);
	t_fini(&t);
}

/*
 * Cancel and idle limit
 */

Test(llm_http, cancel_mid_hang_is_prompt_and_silent)
{
	struct t t;
	struct llm_config cfg = { 0 };

	t_init(&t);
	fake_start(&t, "{\"turns\":[{\"fault\":\"hang\"},{\"text\":\"after\"}]}", NULL);
	t_client(&t, &cfg);
	cJSON *msgs = parse(user_hi);
	struct llm_request req = { .tools = t.tools, .messages = msgs };
	cr_assert_eq(llm_start(t.c, &req, &cbs, &t), 0);
	cr_assert_lt(llm_start(t.c, &req, &cbs, &t), 0, "one request at a time");
	cJSON_Delete(msgs);
	/* Wait until the server has the request, then a little for message_start. */
	uint64_t end = ev_now_ms() + 10000, seen = 0;
	while (ev_now_ms() < end) {
		cr_assert_eq(ev_run_once(t.l, 20), 0);
		char *s = slurp(t.f.log);
		bool got = s && *s;
		free(s);
		if (got && !seen)
			seen = ev_now_ms();
		if (seen && ev_now_ms() - seen > 200)
			break;
	}
	cr_assert(seen, "request never reached the server");
	cr_assert(llm_is_busy(t.c));
	uint64_t t0 = ev_now_ms();
	llm_cancel(t.c);
	cr_assert_lt(ev_now_ms() - t0, 100);
	cr_assert_not(llm_is_busy(t.c));
	llm_cancel(t.c); /* idempotent */
	end = ev_now_ms() + 300;
	while (ev_now_ms() < end)
		cr_assert_eq(ev_run_once(t.l, 50), 0);
	cr_assert_eq(t.ndone, 0, "on_done after cancel");

	/* The client is reusable. */
	t_run(&t, NULL, user_hi);
	cr_assert_eq(t.rc, 0, "%s", t.error);
	cr_assert_str_eq(buf_cstr(&t.text), "after");
	t_fini(&t);
}

Test(llm_http, cancel_from_on_text_stops_the_stream)
{
	struct t t;
	struct llm_config cfg = { 0 };

	t_init(&t);
	fake_start(&t,
	           "{\"turns\":[{\"text\":\"one two three four five\",\"delay_ms\":5},"
	           "{\"text\":\"next\"}]}",
	           NULL);
	t_client(&t, &cfg);
	t.cancel_in_text = true;
	cJSON *msgs = parse(user_hi);
	struct llm_request req = { .tools = t.tools, .messages = msgs };
	cr_assert_eq(llm_start(t.c, &req, &cbs, &t), 0);
	cJSON_Delete(msgs);
	uint64_t end = ev_now_ms() + 3000;
	while (ev_now_ms() < end && t.ntext == 0)
		cr_assert_eq(ev_run_once(t.l, 50), 0);
	end = ev_now_ms() + 300;
	while (ev_now_ms() < end)
		cr_assert_eq(ev_run_once(t.l, 50), 0);
	cr_assert_eq(t.ntext, 1, "no text after cancel");
	cr_assert_eq(t.ndone, 0);
	t.cancel_in_text = false;
	t_run(&t, NULL, user_hi);
	cr_assert_eq(t.rc, 0, "%s", t.error);
	cr_assert_str_eq(buf_cstr(&t.text), "next");
	t_fini(&t);
}

Test(llm_http, idle_limit_fails_a_silent_stream)
{
	struct t t;
	struct llm_config cfg = { .idle_timeout_ms = 300, .max_retries = -1 };

	t_init(&t);
	fake_start(&t, "{\"turns\":[{\"fault\":\"hang\"}]}", NULL);
	t_client(&t, &cfg);
	uint64_t t0 = ev_now_ms();
	t_run(&t, NULL, user_hi);
	cr_assert_lt(t.rc, 0);
	cr_assert_str_eq(t.error, "stream idle for 0.3 s (after 1 events, no message_stop)");
	cr_assert_eq(t.nretry, 0);
	cr_assert_lt(ev_now_ms() - t0, 3000);
	t_fini(&t);
}

/*
 * Record and replay
 */

static char *
subst(const char *s, const char *from, const char *to)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(from);

	for (const char *p = s; *p;) {
		if (strncmp(p, from, n) == 0) {
			buf_puts(&b, to);
			p += n;
		} else {
			buf_putc(&b, *p++);
		}
	}
	return buf_detach(&b);
}

Test(llm_http, record_then_replay_identical_and_divergence)
{
	struct t t;
	char grant[] = "/tmp/dh-grant-A-XXXXXX", grant2[] = "/tmp/dh-grant-B-XXXXXX";
	char rec[PATH_MAX];

	cr_assert_not_null(mkdtemp(grant));
	cr_assert_not_null(mkdtemp(grant2));
	t_init(&t);
	char *script = xasprintf(
		"{\"turns\":[{\"fault\":\"status\",\"status\":429,\"retry_after_ms\":\"30\"},"
		"{\"text\":\"Reading %s/notes.txt\",\"tool_calls\":[{\"name\":\"read_file\","
		"\"input\":{\"path\":\"%s/notes.txt\"}}],\"usage\":{\"input_tokens\":11,"
		"\"output_tokens\":22}}]}",
		grant, grant);
	fake_start(&t, script, NULL);
	free(script);
	snprintf(rec, sizeof rec, "%s/session.rec", t.f.dir);

	/* 1. record */
	const char *roots[] = { grant };
	struct llm_config cfg = { .record_path = rec, .redact_paths = roots, .nredact_paths = 1 };
	t_client(&t, &cfg);
	char *sys = xasprintf("Work only under %s.", grant);
	char *msgs = xasprintf("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
	                       "\"Read %s/notes.txt\"}]}]",
	                       grant);
	t_run(&t, sys, msgs);
	cr_assert_eq(t.rc, 0, "%s", t.error);
	cr_assert_eq(t.nretry, 1);
	char *msg_a = json_print(t.msg);
	struct llm_usage usage_a = t.usage;
	llm_free(t.c);
	t.c = NULL;
	fake_stop(&t);

	char *file = slurp(rec);
	cr_assert_not_null(file);
	cr_assert_null(strstr(file, KEY), "the key is in the recording");
	cr_assert_null(strstr(file, grant), "a grant path is in the recording");
	cr_assert_not_null(strstr(file, "$GRANT0/notes.txt"));
	size_t lines = 0;
	for (char *p = file; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 2);
	cJSON *x1 = parse(strtok(file, "\n")), *x2 = parse(strtok(NULL, "\n"));
	cr_assert_eq(json_int(x1, "status", 0), 429);
	cr_assert_str_eq(json_str(x1, "retry_after_ms"), "30");
	cr_assert_eq(json_int(x2, "status", 0), 200);
	cr_assert_str_eq(json_str(x2, "content_type"), "text/event-stream");
	cr_assert_str_eq(json_str(json_obj(x2, "request"), "model"), "claude-sonnet-4-5");
	cr_assert_not_null(strstr(json_str(x2, "body"), "event: message_stop"));
	cJSON_Delete(x1);
	cJSON_Delete(x2);
	free(file);

	/* 2. replay in another directory, no network */
	const char *roots2[] = { grant2 };
	struct llm_config rcfg = { .replay_path = rec,
		                   .redact_paths = roots2,
		                   .nredact_paths = 1,
		                   .base_url = "http://127.0.0.1:1" };
	t_client(&t, &rcfg);
	char *sys2 = subst(sys, grant, grant2), *msgs2 = subst(msgs, grant, grant2);
	uint64_t t0 = ev_now_ms();
	t_run(&t, sys2, msgs2);
	cr_assert_eq(t.rc, 0, "%s", t.error);
	cr_assert_lt(ev_now_ms() - t0, 1000, "replay skips waits");
	cr_assert_eq(t.nretry, 1);
	cr_assert_eq(t.delays[0], 30);
	cr_assert_str_eq(t.stop, "tool_use");
	char *want_text = xasprintf("Reading %s/notes.txt", grant2);
	cr_assert_str_eq(buf_cstr(&t.text), want_text);
	free(want_text);
	char *msg_b = json_print(t.msg), *msg_a2 = subst(msg_a, grant, grant2);
	cr_assert_str_eq(msg_b, msg_a2);
	cr_assert_eq(memcmp(&t.usage, &usage_a, sizeof usage_a), 0);
	cr_assert_eq(t.usage.output_tokens, 22);
	free(msg_b);
	free(msg_a2);

	/* 3. the recording is used up */
	t_run(&t, sys2, msgs2);
	cr_assert_str_eq(t.error,
	                 "replay: request 3 has no recorded exchange (the recording has 2)");
	llm_free(t.c);
	t.c = NULL;

	/* 4. a changed request diverges, with the path of the first difference */
	t_client(&t, &rcfg);
	char *msgs3 = subst(msgs2, "Read ", "Write ");
	t_run(&t, sys2, msgs3);
	cr_assert_lt(t.rc, 0);
	cr_assert_str_eq(t.error, "replay: request 1 diverges from the recording at "
	                          "$.messages[0].content[0].text");
	free(msgs3);

	free(msg_a);
	free(sys);
	free(msgs);
	free(sys2);
	free(msgs2);
	rmdir(grant);
	rmdir(grant2);
	t_fini(&t);
}

/* A request admit() refuses is never sent; the next one is, and the estimate
 * covers the tools, the text and max_tokens. */
Test(llm_http, admit_refuses_before_sending)
{
	struct t t;
	struct llm_config cfg = { 0 };
	struct llm_callbacks cb = cbs;

	t_init(&t);
	fake_start(&t, "{\"turns\":[{\"text\":\"Done.\"}]}", NULL);
	t_client(&t, &cfg);
	cb.admit = cb_admit_once;
	cJSON *msgs = parse(user_hi);
	struct llm_request req = { .system = "Be brief.", .tools = t.tools, .messages = msgs };

	cr_assert_eq(llm_start(t.c, &req, &cb, &t), DH_EDENIED);
	cr_assert_not(llm_is_busy(t.c));
	cr_assert_eq(t.est.output_tokens, 1024, "output at max_tokens");
	cr_assert_gt(t.est.input_tokens, LLM_TOKENS_TOOL_PREAMBLE + 10);
	cr_assert_lt(t.est.input_tokens, LLM_TOKENS_TOOL_PREAMBLE + 200);
	cr_assert_eq(llm_start(t.c, &req, &cb, &t), 0, "%s", err_msg());
	cJSON_Delete(msgs);
	uint64_t end = ev_now_ms() + 15000;
	while (t.ndone == 0 && ev_now_ms() < end)
		cr_assert_eq(ev_run_once(t.l, 100), 0);
	cr_assert_eq(t.rc, 0, "%s", t.error);
	cJSON *log = fake_log(&t);
	cr_assert_eq(cJSON_GetArraySize(log), 1, "the refused request reached the server");
	cJSON_Delete(log);
	t_fini(&t);
}
