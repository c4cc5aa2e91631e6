/* SPDX-License-Identifier: MIT */
/* The engine process (serve.h): engine + socket server + the exit rule. */
#include "engine/serve.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "core/worker.h"
#include "core/xalloc.h"
#include "engine/args.h"
#include "engine/client.h"
#include "engine/engine.h"
#include "engine/server.h"

/* With no client ever, exit once idle after this long. */
#define SERVE_LONELY_MS 30000

struct serve {
	struct ev_loop *loop;
	struct engine *e;
	struct server *srv;
	bool terminating; /* SIGTERM: interrupt, then exit once settled */
	bool lonely;	  /* SERVE_LONELY_MS passed with no task and no client */
	bool log_named;	  /* logging to the session's engine.log */
	struct ev_timer lonely_timer;
};

void
serve_ready(int fd, const char *word, const char *what)
{
	char *line;

	if (fd < 0)
		return;
	line = xasprintf("%s %s\n", word, what);
	for (size_t off = 0, len = strlen(line); off < len;) {
		ssize_t n = write(fd, line + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(line);
	close(fd);
}

char *
serve_ready_read(int fd, int timeout_ms, bool *timed_out)
{
	uint64_t until = ev_now_ms() + (uint64_t)timeout_ms;
	struct buf b = BUF_INIT;
	char chunk[512];

	*timed_out = false;
	for (;;) {
		char *nl = b.len ? memchr(b.ptr, '\n', b.len) : NULL;

		if (nl) {
			*nl = '\0';
			return buf_detach(&b);
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = (int64_t)(until - ev_now_ms());
		int pr = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			*timed_out = true;
			break;
		}
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_add(&b, chunk, (size_t)n);
	}
	if (b.len) /* a last line without its newline */
		return buf_detach(&b);
	buf_fini(&b);
	return NULL;
}

/* Log (and stray stderr output, such as a sanitizer's report) to `path`. */
static void
log_to(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (log_open(path) < 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	dup2(fd, STDERR_FILENO);
	close(fd);
}

/* The session's engine.log (heap), or NULL while e has no session. */
static char *
session_log_path(struct engine *e)
{
	const char *id = engine_session_id(e);

	return id ? xasprintf("%s/sessions/%s/engine.log", engine_state_dir(e), id) : NULL;
}

/* The session's own engine.log once the session exists. */
static void
log_to_session(struct serve *sv)
{
	const char *id = engine_session_id(sv->e);

	if (sv->log_named || !id)
		return;
	char *path = session_log_path(sv->e);
	log_to(path);
	free(path);
	sv->log_named = true;
	log_info("engine pid %ld for session %s", (long)getpid(), id);
	/* A session created by a client's start: its socket was renamed as the
	 * reply went out, before the task's first event switched the log. */
	if (sv->srv)
		log_info("listening on %s", server_socket_path(sv->srv));
}

static void
on_event(const struct event *ev, void *ctx)
{
	if (ev->type == EVENT_SESSION_STARTED)
		log_to_session(ctx);
}

static void
on_signal(struct ev_loop *l, int signo, void *ctx)
{
	struct serve *sv = ctx;
	char why[64];

	(void)l;
	if (signo == SIGHUP)
		return; /* nobody's terminal: ignore */
	log_info("signal %d: interrupting the task, exiting once settled", signo);
	sv->terminating = true;
	snprintf(why, sizeof why, "the engine was stopped by %s",
	         signo == SIGTERM ? "SIGTERM" : "SIGINT");
	engine_stop(sv->e, why);
}

static void
on_change(struct server *s, void *ctx)
{
	(void)ctx;
	log_info("%zu client(s) attached", server_client_count(s));
}

static void
on_lonely(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct serve *sv = ctx;

	(void)l;
	(void)t;
	sv->lonely = true;
}

bool
serve_may_exit(struct engine *e, const struct server *srv, bool terminating, bool awaiting)
{
	if (!srv || engine_is_busy(e) || worker_pending(engine_worker(e)) > 0 ||
	    engine_notify_pending(e) > 0)
		return false;
	if (terminating)
		return true;
	/* someone attached, or saying hello */
	return !awaiting && server_client_count(srv) == 0 && server_connection_count(srv) == 0;
}

/* The exit rule, checked once per loop iteration. Whoever started us
 * connects right after the ready line: until a client came (or
 * SERVE_LONELY_MS passed), a task that ended early waits for it. */
static void
on_prepare(struct ev_loop *l, void *ctx)
{
	struct serve *sv = ctx;
	bool awaiting = sv->srv && !server_had_client(sv->srv) && !sv->lonely;

	if (!serve_may_exit(sv->e, sv->srv, sv->terminating, awaiting))
		return;
	log_info("exiting: %s", sv->terminating		? "terminated"
				: engine_status(sv->e) ? "the task ended and no client is attached"
						       : "no client is attached");
	ev_quit(l);
}

/* An error code → the exit status client_spawn() maps back. */
static int
exit_status(int rc)
{
	static const struct {
		int rc, status;
	} map[] = { { DH_EPARSE, 2 }, { DH_EDENIED, 3 }, { DH_ENOTFOUND, 4 } };

	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (map[i].rc == rc)
			return map[i].status;
	return 1;
}

/* --ready-fd N first; returns the fd or -1. */
static int
take_ready_fd(int *argc, char ***argv)
{
	char *end;

	if (*argc < 3 || strcmp((*argv)[1], "--ready-fd") != 0)
		return -1;
	long fd = strtol((*argv)[2], &end, 10);
	if (*end || fd < 3 || fd > 1 << 20 || fcntl((int)fd, F_GETFD) < 0)
		return -1;
	fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	*argc -= 3;
	*argv += 3;
	return (int)fd;
}

/* stdin, stdout and stderr on /dev/null: an engine never reads or writes a
 * terminal. KEEP_FILE: stdout stays when it is a regular file (nohup's). */
static void
detach_stdio(bool keep_file)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	/* keep_file: output to a file (nohup's) goes on there */
	if (!keep_file || fstat(STDOUT_FILENO, &st) < 0 || !S_ISREG(st.st_mode))
		dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

int
serve_adopt(struct server **out, struct ev_loop *loop, struct engine *e)
{
	char *dir, *path;
	int rc;

	*out = NULL;
	/* Nothing reads the terminal or writes to it any more: a write there
	 * fails (EIO), a pipe's reader may have gone with it (EPIPE; SIGPIPE
	 * is ignored, ev_new). Output to a file (nohup) stays. */
	detach_stdio(true);
	if (!(path = session_log_path(e)))
		path = xasprintf("%s/log", engine_state_dir(e));
	log_to(path);
	free(path);
	prctl(PR_SET_NAME, "deskhand-engine", 0, 0, 0);
	log_info("engine pid %ld: its run's terminal went away; serving session %s", (long)getpid(),
		 engine_session_id(e) ? engine_session_id(e) : "-");
	if (engine_clear_foreground(e) < 0)
		log_warn("%s", err_msg());
	rc = DH_EFAIL;
	if ((dir = client_socket_dir()) && server_check_dir(dir) == 0)
		rc = server_open(out, loop, e, dir);
	if (rc < 0)
		log_warn("the session is not served: %s", err_msg());
	free(dir);
	return rc;
}

int
engine_main(int argc, char **argv)
{
	struct serve sv = { 0 };
	struct engine_args a;
	char *dir = NULL, *why = NULL; /* why: the failure the ready line tells */
	int status = 1, rc;
	int fd = take_ready_fd(&argc, &argv);

	if (fd < 0) {
		fprintf(stderr, "usage: deskhand engine --ready-fd N [ENGINE OPTIONS] [TASK]\n"
				"(started by deskhand itself; N is an open descriptor)\n");
		return 2;
	}
	detach_stdio(false);
	/* ps, top and pgrep -x name it (client_spawn() forks it without an exec,
	 * so its command line is the client's). */
	prctl(PR_SET_NAME, "deskhand-engine", 0, 0, 0);
	ev_timer_init(&sv.lonely_timer, on_lonely, &sv);
	/* The loop first: it blocks the signals before any thread exists. */
	if (ev_new(&sv.loop) < 0) {
		serve_ready(fd, "error", err_msg());
		return 1;
	}
	if ((rc = engine_args_parse(&a, argv, (size_t)argc)) < 0) {
		serve_ready(fd, "error", err_msg());
		engine_args_fini(&a);
		ev_free(sv.loop);
		return exit_status(rc);
	}
	/* The state dir's log until the session exists (stderr too). */
	char *state = NULL;
	if (fsutil_state_dir(&state) == 0 && fsutil_mkdir_p(state, 0700) == 0) {
		char *early = xasprintf("%s/log", state);

		log_to(early);
		free(early);
	}
	free(state);
	rc = DH_EFAIL;
	if (!(dir = client_socket_dir()) || server_check_dir(dir) < 0 ||
	    (rc = engine_open(&sv.e, sv.loop, &a.cfg, &a.opts)) < 0)
		goto fail;
	log_to_session(&sv);
	engine_add_sink(sv.e, on_event, &sv);
	if (a.task && (rc = engine_start(sv.e, a.task)) < 0)
		goto fail;
	log_to_session(&sv);
	if ((rc = server_open(&sv.srv, sv.loop, sv.e, dir)) < 0)
		goto fail;
	server_set_change(sv.srv, on_change, &sv);
	if (ev_signal_on(sv.loop, SIGTERM, on_signal, &sv) < 0 ||
	    ev_signal_on(sv.loop, SIGINT, on_signal, &sv) < 0 ||
	    ev_signal_on(sv.loop, SIGHUP, on_signal, &sv) < 0)
		goto fail;
	ev_timer_arm(sv.loop, &sv.lonely_timer, SERVE_LONELY_MS);
	ev_prepare_add(sv.loop, on_prepare, &sv);
	log_info("engine pid %ld ready on %s", (long)getpid(), server_socket_path(sv.srv));
	serve_ready(fd, "ok", engine_session_id(sv.e) ? engine_session_id(sv.e) : "-");
	fd = -1;
	status = ev_run(sv.loop) < 0 ? 1 : 0;
	goto out;
fail:
	log_warn("engine failed: %s", err_msg());
	why = xstrdup(err_msg());
	status = exit_status(rc);
out:
	ev_timer_disarm(sv.loop, &sv.lonely_timer);
	/* The socket goes last: while it is there the session is live, so it
	 * must not go before engine_close() released the session's folders and
	 * its transcript (a `run --resume` that saw it gone was refused). */
	server_shutdown(sv.srv, sv.terminating ? "the engine was stopped" : "the engine exits");
	engine_close(sv.e);
	server_close(sv.srv);
	/* A failure is told once the engine let go of the session: its
	 * record says how the task ended, its folders are free. */
	if (why)
		serve_ready(fd, "error", why);
	free(why);
	ev_free(sv.loop);
	engine_args_fini(&a);
	free(dir);
	log_close();
	return status;
}
