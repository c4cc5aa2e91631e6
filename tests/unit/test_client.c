/* SPDX-License-Identifier: MIT */
/* engine/client.h against real engines: the in-process transport, and the
 * socket transport to an engine process (engine_main() in a forked child),
 * plus the socket directory's checks and stale-socket cleanup. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <git2.h>

#include "core/ev.h"
#include "core/json.h"
#include "core/strv.h"
#include "core/xalloc.h"
#include "engine/client.h"
#include "engine/serve.h"
#include "llm/llm.h"

static char root[64], work[PATH_MAX], work2[PATH_MAX], run[256];

static void
setup(void)
{
	char p[PATH_MAX];

	git_libgit2_init();
	snprintf(root, sizeof root, "/tmp/dh-client-XXXXXX");
	cr_assert(mkdtemp(root));
	snprintf(p, sizeof p, "%s/home", root);
	cr_assert_eq(mkdir(p, 0700), 0);
	setenv("HOME", p, 1);
	snprintf(p, sizeof p, "%s/home/.local", root);
	cr_assert_eq(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/home/.local/state", root);
	setenv("XDG_STATE_HOME", p, 1);
	snprintf(p, sizeof p, "%s/home/.config", root);
	setenv("XDG_CONFIG_HOME", p, 1);
	unsetenv("DH_CONFIG");
	snprintf(run, sizeof run, "%s/run", root);
	cr_assert_eq(mkdir(run, 0700), 0);
	setenv("XDG_RUNTIME_DIR", run, 1);
	snprintf(work, sizeof work, "%s/home/proj", root);
	cr_assert_eq(mkdir(work, 0700), 0);
	snprintf(work2, sizeof work2, "%s/home/proj2", root);
	cr_assert_eq(mkdir(work2, 0700), 0);
	setenv("ANTHROPIC_API_KEY", "test-key", 1);
	setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9", 1);
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	/* An engine opened here started loading libcurl on a thread; a
	 * process that exits while that load (or OpenSSL's set-up in it)
	 * runs can crash in its exit handlers. */
	llm_global_shutdown();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", root);
	git_libgit2_shutdown();
}

/* A writable string literal (argv wants char *). */
#define W(lit) ((char[]){ lit })

TestSuite(client, .init = setup, .fini = teardown, .timeout = 60);

/* What a handler saw: each event as its JSON line. */
struct seen {
	struct strv lines;
};

static void
on_event(const struct event *ev, void *ctx)
{
	struct seen *s = ctx;
	cJSON *j = event_to_json(ev);
	char *line = json_print(j);

	strv_add(&s->lines, line);
	free(line);
	cJSON_Delete(j);
}

/* Run the loop until a line containing `needle` was seen (index) or 10 s. */
static size_t
run_until(struct ev_loop *l, struct seen *s, const char *needle)
{
	uint64_t until = ev_now_ms() + 10000;

	for (;;) {
		for (size_t i = 0; i < s->lines.n; i++)
			if (strstr(s->lines.v[i], needle))
				return i;
		cr_assert(ev_now_ms() < until, "no event with %s; got %zu events", needle,
			  s->lines.n);
		cr_assert_eq(ev_run_once(l, 100), 0);
	}
}

static void
check_dir_mode(void)
{
	char dir[PATH_MAX];
	struct stat st;

	snprintf(dir, sizeof dir, "%s/deskhand", run);
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
}

Test(client, socket_dir_is_ours_and_private)
{
	char *d = client_socket_dir(), want[PATH_MAX];

	snprintf(want, sizeof want, "%s/deskhand", run);
	cr_assert_str_eq(d, want);
	free(d);
	check_dir_mode();
	cr_assert_eq(chmod(want, 0750), 0);
	cr_assert_null(client_socket_dir());
	cr_assert(strstr(err_msg(), "mode 0750 lets others in"), "%s", err_msg());
	cr_assert(strstr(err_msg(), want), "%s", err_msg());
	cr_assert_eq(chmod(want, 0700), 0);
	if (getuid() == 0) {
		cr_assert_eq(chown(want, 65534, 65534), 0);
		cr_assert_null(client_socket_dir());
		cr_assert(strstr(err_msg(), "owned by uid 65534"), "%s", err_msg());
		cr_assert_eq(chown(want, 0, 0), 0);
	}
	/* Without XDG_RUNTIME_DIR, or naming no directory: /tmp/deskhand-UID. */
	snprintf(want, sizeof want, "/tmp/deskhand-%ld", (long)getuid());
	unsetenv("XDG_RUNTIME_DIR");
	d = client_socket_dir();
	cr_assert_str_eq(d, want, "%s", d ? d : err_msg());
	free(d);
	setenv("XDG_RUNTIME_DIR", "/nonexistent-dh-run", 1);
	d = client_socket_dir();
	cr_assert_str_eq(d, want, "%s", d ? d : err_msg());
	free(d);
}

Test(client, local_hello_then_requests)
{
	struct ev_loop *l = NULL;
	struct client *c = NULL;
	struct seen s = { 0 };
	char *argv[] = { W("--grant"), work, W("--mode"), W("auto") };

	cr_assert_eq(ev_new(&l), 0);
	cr_assert_eq(client_open_local(&c, l, argv, 4), 0, "%s", err_msg());
	client_set_handler(c, on_event, &s);
	const struct client_state *st = client_state(c);
	cr_assert_eq(st->ngrants, 1);
	cr_assert_str_eq(st->mode, "auto");
	cr_assert_null(st->session);
	cr_assert_eq(st->engine_pid, getpid());
	cr_assert(!client_closed(c));
	/* hello first, then history_end (no session: no history) */
	size_t end = run_until(l, &s, "\"history_end\"");
	cr_assert_eq(end, 1);
	cr_assert(strstr(s.lines.v[0], "\"type\":\"hello\""), "%s", s.lines.v[0]);
	cr_assert(strstr(s.lines.v[0], "\"clients\":1"), "%s", s.lines.v[0]);
	/* a grant is answered with the grants, and the state follows */
	struct command g = { .type = COMMAND_GRANT, .path = work2 };
	cr_assert_eq(client_send(c, &g), 0);
	cr_assert_str_eq(g.req, "c1");
	free(g.req);
	size_t r = run_until(l, &s, "\"re\":\"c1\"");
	cr_assert(strstr(s.lines.v[r], "\"op\":\"grant\",\"ok\":true"), "%s", s.lines.v[r]);
	st = client_state(c);
	cr_assert_eq(st->ngrants, 2);
	cr_assert(strstr(st->grants[1], "proj2"), "%s", st->grants[1]);
	/* a malformed request: an error reply carrying the id */
	struct command u = { .type = COMMAND_UNGRANT, .path = W("/nowhere"), .req = xstrdup("x9") };
	cr_assert_eq(client_send(c, &u), 0);
	free(u.req);
	r = run_until(l, &s, "\"re\":\"x9\"");
	cr_assert(strstr(s.lines.v[r], "\"ok\":false"), "%s", s.lines.v[r]);
	client_close(c);
	ev_free(l);
	strv_free(&s.lines);
}

/* An engine process: engine_main() in a forked child, with no task. */
static pid_t
start_engine(char *name, size_t size)
{
	int p[2];
	char fdbuf[16], line[256] = { 0 };

	cr_assert_eq(pipe(p), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(p[0]);
		snprintf(fdbuf, sizeof fdbuf, "%d", p[1]);
		char *argv[] = { W("engine"), W("--ready-fd"), fdbuf, W("--grant"), work, NULL };
		_exit(engine_main(5, argv));
	}
	close(p[1]);
	ssize_t n = read(p[0], line, sizeof line - 1);
	close(p[0]);
	cr_assert_gt(n, 0);
	cr_assert_str_eq(line, "ok -\n");
	snprintf(name, size, "new-%ld", (long)pid);
	return pid;
}

Test(client, socket_connect_list_and_exit)
{
	struct ev_loop *l = NULL;
	struct client *c = NULL;
	struct seen s = { 0 };
	char name[64], stale[PATH_MAX];
	int wstatus;

	/* a socket file nobody listens on: removed when met */
	char *dir = client_socket_dir();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(stale, sizeof stale, "%s/20200101-000000-dead.sock", dir);
	cr_assert_lt(strlen(stale), sizeof sa.sun_path);
	memcpy(sa.sun_path, stale, strlen(stale) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	close(fd);

	pid_t pid = start_engine(name, sizeof name);
	cr_assert_eq(ev_new(&l), 0);
	cr_assert_eq(client_connect(&c, l, "nosuch"), DH_ENOTFOUND);
	cr_assert_eq(client_connect(&c, l, name), 0, "%s", err_msg());
	client_set_handler(c, on_event, &s);
	const struct client_state *st = client_state(c);
	cr_assert_eq(st->engine_pid, pid);
	cr_assert_eq(st->clients, 1);
	cr_assert_eq(st->ngrants, 1);
	cr_assert_str_eq(st->activity, "idle");
	run_until(l, &s, "\"history_end\"");
	cr_assert(strstr(s.lines.v[0], "\"type\":\"hello\""), "%s", s.lines.v[0]);

	/* the live list: this engine, with our connection counted */
	cJSON *live = NULL;
	cr_assert_eq(client_list_live(&live), 0);
	cr_assert_eq(cJSON_GetArraySize(live), 1, "%s", json_print(live));
	cr_assert_eq(json_int(cJSON_GetArrayItem(live, 0), "pid", 0), pid);
	cJSON_Delete(live);
	cr_assert_neq(access(stale, F_OK), 0, "the stale socket is still there");

	/* requests over the socket */
	struct command g = { .type = COMMAND_GRANT, .path = work2 };
	cr_assert_eq(client_send(c, &g), 0);
	cr_assert_str_eq(g.req, "c1");
	free(g.req);
	size_t r = run_until(l, &s, "\"re\":\"c1\"");
	cr_assert(strstr(s.lines.v[r], "\"op\":\"grant\",\"ok\":true"), "%s", s.lines.v[r]);
	cr_assert_eq(client_state(c)->ngrants, 2);

	/* the last client leaves an engine with no task: it exits and cleans up */
	client_close(c);
	cr_assert_eq(waitpid(pid, &wstatus, 0), pid);
	cr_assert(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0, "engine status %d", wstatus);
	char sock[PATH_MAX];
	snprintf(sock, sizeof sock, "%s/%s.sock", dir, name);
	cr_assert_neq(access(sock, F_OK), 0);
	free(dir);
	ev_free(l);
	strv_free(&s.lines);
}

/* A client that says hello and is gone before its history is written (a
 * workbench that cannot open its terminal): the engine, which has no task,
 * still counts it as its client and exits at once, rather than waiting the
 * 30 s it gives a spawner that never connects. */
Test(client, socket_hello_then_gone_engine_exits)
{
	char name[64];
	int wstatus;

	pid_t pid = start_engine(name, sizeof name);
	char *dir = client_socket_dir();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n = snprintf(sa.sun_path, sizeof sa.sun_path, "%s/%s.sock", dir, name);
	cr_assert(n > 0 && (size_t)n < sizeof sa.sun_path);
	free(dir);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0, "%s", strerror(errno));
	static const char hello[] = "{\"type\":\"hello\",\"protocol\":1}\n";
	cr_assert_eq(write(fd, hello, sizeof hello - 1), (ssize_t)(sizeof hello - 1));
	close(fd); /* before the engine read it: its answer finds no reader */

	uint64_t until = ev_now_ms() + 10000;
	pid_t got;
	while ((got = waitpid(pid, &wstatus, WNOHANG)) == 0 && ev_now_ms() < until)
		usleep(10000);
	if (got == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	cr_assert_eq(got, pid, "the engine still ran 10 s after its only client left");
	cr_assert(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0, "engine status %d", wstatus);
}

Test(client, socket_engine_gone_is_detached)
{
	struct ev_loop *l = NULL;
	struct client *c = NULL;
	struct seen s = { 0 };
	char name[64];

	pid_t pid = start_engine(name, sizeof name);
	cr_assert_eq(ev_new(&l), 0);
	cr_assert_eq(client_connect(&c, l, "new-"), 0, "%s", err_msg()); /* a unique prefix */
	client_set_handler(c, on_event, &s);
	run_until(l, &s, "\"history_end\"");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	size_t d = run_until(l, &s, "\"detached\"");
	cr_assert(client_closed(c));
	cr_assert_str_eq(client_error(c), "the engine closed the connection");
	cr_assert(strstr(s.lines.v[d], "the engine closed the connection"), "%s", s.lines.v[d]);
	struct command st = { .type = COMMAND_STATUS };
	cr_assert_eq(client_send(c, &st), DH_EFAIL);
	free(st.req);
	client_close(c);
	ev_free(l);
	strv_free(&s.lines);
}

/* A handler that closes its client when history_end arrives. */
struct closer {
	struct client *c;
	bool closed;
};

static void
close_on_end(const struct event *ev, void *ctx)
{
	struct closer *k = ctx;

	if (ev->type == EVENT_HISTORY_END && !k->closed) {
		client_close(k->c);
		k->closed = true;
	}
}

Test(client, close_from_a_handler)
{
	struct ev_loop *l = NULL;
	struct closer k = { 0 };
	char *argv[] = { W("--grant"), work };
	char name[64];
	int wstatus;

	cr_assert_eq(ev_new(&l), 0);
	/* local: the engine is closed on the next iteration */
	cr_assert_eq(client_open_local(&k.c, l, argv, 2), 0, "%s", err_msg());
	client_set_handler(k.c, close_on_end, &k);
	for (int i = 0; i < 50 && !k.closed; i++)
		cr_assert_eq(ev_run_once(l, 100), 0);
	cr_assert(k.closed);
	cr_assert_eq(ev_run_once(l, 0), 0);
	/* The local engine's libcurl load may still run on its thread: the
	 * engine below is forked without an exec, and a child forked while
	 * another thread holds a lock (the allocator's, the loader's) waits
	 * for it forever. Once hung so here, in the sanitizers' allocator. */
	llm_global_shutdown();
	/* socket: freed when the handler returns; the engine then exits */
	pid_t pid = start_engine(name, sizeof name);
	k = (struct closer){ 0 };
	cr_assert_eq(client_connect(&k.c, l, name), 0, "%s", err_msg());
	client_set_handler(k.c, close_on_end, &k);
	for (int i = 0; i < 50 && !k.closed; i++)
		cr_assert_eq(ev_run_once(l, 100), 0);
	cr_assert(k.closed);
	cr_assert_eq(waitpid(pid, &wstatus, 0), pid);
	cr_assert(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
	ev_free(l);
}
