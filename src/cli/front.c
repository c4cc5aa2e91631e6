/* SPDX-License-Identifier: MIT */
/*
 * The headless verbs over live sessions: `deskhand ls` (the engines running
 * now), `deskhand wait ID` (block until a task ends, exit with its status)
 * and `deskhand stop ID` (interrupt it and wait for the end). Clients of the
 * engines' sockets (engine/client.h); a session whose engine is gone is read
 * from its record on disk (client_session_meta()).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/client.h"

enum {
	EXIT_DONE = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_WAITING = 4,
	EXIT_BLOCKED = 5, /* approvals were needed and nobody could give them */
	EXIT_EXPIRED = 6, /* an approval waited past the deadline */
	EXIT_BUDGET = 7,  /* the spend cap was reached */
	EXIT_INTERRUPTED = 130,
};

int
cli_exit_status(const char *status)
{
	static const struct {
		const char *status;
		int code;
	} map[] = {
		{ "done", EXIT_DONE },
		{ "failed", EXIT_FAILED },
		{ "interrupted", EXIT_INTERRUPTED },
		{ "blocked", EXIT_BLOCKED },
		{ "expired", EXIT_EXPIRED },
		{ "budget", EXIT_BUDGET },
	};

	for (size_t i = 0; status && i < sizeof map / sizeof *map; i++)
		if (strcmp(map[i].status, status) == 0)
			return map[i].code;
	return EXIT_FAILED;
}

/* --help, --json and operands: -1 to go on, else the exit status. */
static int
front_opts(int argc, char **argv, const char *usage, bool *json, int max_operands)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0; /* 0: glibc starts afresh; options anywhere before "--" */
	opterr = 0; /* getopt would name the program after the verb ("ls: …") */
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			if (!json) {
				fprintf(stderr, "deskhand %s: unknown option '--json'\n", argv[0]);
				goto bad;
			}
			*json = true;
			break;
		case 'h': fputs(usage, stdout); return EXIT_DONE;
		default:
			client_verb_bad_option(argv[0], opt, argv);
			goto bad;
		}
	}
	if (argc - optind <= max_operands)
		return -1;
	struct buf shown = BUF_INIT;

	fprintf(stderr, "deskhand %s: unexpected argument '%s'\n", argv[0],
	        utf8_sanitized(&shown, argv[optind + max_operands]));
	buf_fini(&shown);
bad:
	fputs(usage, stderr);
	return EXIT_USAGE;
}

/*
 * deskhand ls
 */

static const char ls_usage[] =
	"usage: deskhand ls [--json]\n"
	"\n"
	"List the live sessions: those whose engine runs now, in the background or\n"
	"in a workbench. For each: its id, state (working, waiting for an approval,\n"
	"idle, done, failed, interrupted; not responding: its engine took the\n"
	"connection but did not answer within DH_LIST_WAIT_MS (default 3000; a\n"
	"loaded machine may need more), stopped or stuck), attached clients, age,\n"
	"first granted folder and task. --json prints one array of objects {id,\n"
	"state, task, grants, clients, age_s, pid}. Sessions that are not live:\n"
	"'deskhand sessions'. Exit status: 0, 1 when the engines' directory is\n"
	"unusable.\n";

/* "3s", "5m", "2h", "4d". */
static void
age_str(char out[24], long long s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(out, 24, "%llds", s);
	else if (s < 3600)
		snprintf(out, 24, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(out, 24, "%lldh", s / 3600);
	else
		snprintf(out, 24, "%lldd", s / 86400);
}

int
cli_ls(int argc, char **argv)
{
	bool json = false;
	cJSON *live = NULL, *s;
	struct timespec now;
	int rc = front_opts(argc, argv, ls_usage, &json, 0);

	if (rc >= 0)
		return rc;
	if (client_list_live(&live) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		return EXIT_FAILED;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	long long now_ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
	cJSON *rows = json_new_arr();
	cJSON_ArrayForEach(s, live)
	{
		cJSON *row = json_new_obj(), *meta = NULL;
		const char *id = json_str(s, "session");
		const cJSON *started = cJSON_GetObjectItemCaseSensitive(s, "started_ns");

		/* What the snapshot leaves out (all of it, for an engine that
		 * does not answer), the session's record has (started_ns as a
		 * string there). */
		long long start_ns = json_num_int(started, 0);
		if (id && (!json_str(s, "task") || !json_arr(s, "grants") || start_ns <= 0) &&
		    client_session_meta(id, &meta) == 0 && start_ns <= 0)
			start_ns = json_str(meta, "started_ns")
					   ? strtoll(json_str(meta, "started_ns"), NULL, 10)
					   : json_int(meta, "started_ns", 0);
		const char *task = json_str(s, "task") ? json_str(s, "task") : json_str(meta, "task");
		const cJSON *grants = json_arr(s, "grants") ? json_arr(s, "grants")
							    : json_arr(meta, "grants");
		long long age = start_ns > 0 ? (now_ns - start_ns) / 1000000000LL : -1;

		json_add(row, "id", id ? cJSON_CreateString(id) : cJSON_CreateNull());
		json_add_str(row, "state", json_str(s, "activity") ? json_str(s, "activity") : "?");
		json_add(row, "task", task ? cJSON_CreateString(task) : cJSON_CreateNull());
		json_add(row, "grants", grants ? cJSON_Duplicate(grants, 1) : json_new_arr());
		/* The snapshot counts our own hello-only connection. */
		long long clients = json_int(s, "clients", 0) - 1;
		json_add_num(row, "clients", (double)(clients > 0 ? clients : 0));
		json_add(row, "age_s", age >= 0 ? cJSON_CreateNumber((double)age) : cJSON_CreateNull());
		json_add_num(row, "pid", (double)json_int(s, "pid", 0));
		json_add(rows, NULL, row);
		cJSON_Delete(meta);
	}
	if (json) {
		char *out = json_print(rows);

		puts(out);
		free(out);
	} else {
		if (cJSON_GetArraySize(rows) == 0)
			printf("no live session\n");
		cJSON_ArrayForEach(s, rows)
		{
			char age[24] = "?";
			const cJSON *a = cJSON_GetObjectItemCaseSensitive(s, "age_s");
			const cJSON *g = cJSON_GetArrayItem(json_arr(s, "grants"), 0);

			if (cJSON_IsNumber(a))
				age_str(age, json_num_int(a, 0));
			struct buf grant = BUF_INIT, task = BUF_INIT;

			printf("%-26s %-11s %2lld client%s %5s  %s  %s\n",
			       json_str(s, "id") ? json_str(s, "id") : "(no task yet)",
			       json_str(s, "state"), json_int(s, "clients", 0),
			       json_int(s, "clients", 0) == 1 ? " " : "s", age,
			       cJSON_IsString(g) ? utf8_sanitized(&grant, g->valuestring) : "-",
			       utf8_sanitized(&task, json_str(s, "task")));
			buf_fini(&grant);
			buf_fini(&task);
		}
	}
	cJSON_Delete(rows);
	cJSON_Delete(live);
	return EXIT_DONE;
}

/*
 * deskhand wait, deskhand stop
 */

static const char wait_usage[] =
	"usage: deskhand wait [ID|latest]\n"
	"\n"
	"Wait until the task of session ID (a unique prefix will do; default: the\n"
	"latest session) ends, and exit with its status. A session that is not\n"
	"live exits at once with the status it ended with. A task whose engine\n"
	"was killed or crashed, before wait or meanwhile, ends interrupted, and\n"
	"wait says so. When no other client is attached, wait returns once the\n"
	"engine has exited, so 'deskhand run --resume ID' can follow at once.\n"
	"Exit status: 0 done, 1 failed (or no such session), 2 usage, 4 the task\n"
	"waits for an approval (answer it: 'deskhand attach ID'), 5 blocked (it\n"
	"needed approvals nobody could give), 6 expired (an approval waited past its\n"
	"deadline), 7 budget (the spend cap was reached), 130 interrupted.\n";

static const char stop_usage[] =
	"usage: deskhand stop [ID|latest]\n"
	"\n"
	"Interrupt the task of live session ID (default: the latest session), as\n"
	"Ctrl-C does in the foreground (the running command is killed, the stream\n"
	"stops), and wait until it has ended (and, when no other client is\n"
	"attached, its engine has exited). Its changes stay reviewable and\n"
	"undoable; 'deskhand run --resume ID' continues it.\n"
	"Exit status: 0 stopped (or had already ended), 1 no such session or the\n"
	"engine could not be reached, 2 usage.\n";

struct waiter {
	struct ev_loop *loop;
	struct client *c;
	const char *id;
	bool stop;	/* stop: an interrupt was sent; approvals do not end it */
	bool replayed;	/* history_end seen: what follows is live */
	/* The task as the hello snapshot and the live events tell it (the
	 * history between them replays older tasks' ends and decisions). */
	bool busy;
	bool waiting;	/* an approval waits for an answer */
	char *status;	/* the last task's end, or NULL */
	long pid;	/* the engine's, from the hello (0: not said) */
	bool alone;	/* the hello counted no other client than us */
	bool settled;	/* done: the task ended (or none ran), the engine lives */
	bool done;
	bool err;	/* the loop failed */
	bool signalled; /* Ctrl-C: we stopped waiting */
	int status_code;
};

static void
waiter_set_status(struct waiter *w, const char *status)
{
	free(w->status);
	w->status = status ? xstrdup(status) : NULL;
}

static void
waiter_on_event(const struct event *ev, void *ctx)
{
	struct waiter *w = ctx;

	if (ev->type == EVENT_HELLO && ev->data) {
		const char *act = json_str(ev->data, "activity");

		w->busy = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev->data, "busy"));
		w->waiting = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(ev->data, "pending")) ||
			     (act && strcmp(act, "waiting") == 0);
		waiter_set_status(w, json_str(ev->data, "status"));
		w->pid = (long)json_int(ev->data, "pid", 0);
		w->alone = json_int(ev->data, "clients", 0) <= 1;
		return;
	}
	if (ev->type == EVENT_HISTORY_END) {
		w->replayed = true;
		return;
	}
	if (!w->replayed)
		return;
	switch (ev->type) {
	case EVENT_SESSION_STARTED:
		w->busy = true;
		waiter_set_status(w, NULL);
		break;
	case EVENT_APPROVAL_NEEDED: w->waiting = true; break;
	case EVENT_APPROVAL_DECIDED:
	case EVENT_PLAN_DECIDED: w->waiting = false; break;
	case EVENT_SESSION_FINISHED:
		w->busy = false;
		w->waiting = false;
		waiter_set_status(w, ev->status);
		break;
	default: break;
	}
}

/* Session `id`'s engine went away before its task ended (`why`): killed or
 * crashed. Says so on stderr, naming the engine's log, rather than letting
 * the record's "interrupted" pass for a stop someone asked for. */
static void
say_lost(const char *id, const char *why)
{
	char *state = NULL;
	char *log = fsutil_state_dir(&state) == 0
			    ? xasprintf("%s/sessions/%s/engine.log", state, id)
			    : xstrdup("engine.log");

	fprintf(stderr, "deskhand: session %s: its engine went away before the task ended (%s): "
			"killed or crashed, see %s; 'deskhand attach %s' resumes the session\n",
		id, why, log, id);
	free(log);
	free(state);
}

/* Status of a session whose engine is gone, from its record on disk. lost:
 * the engine went while its task ran (engine_lost() said so); the record
 * may still read "running" for a moment, as the kernel closes a killed
 * process's files one by one and the lock that says it lives may be the
 * last, and the task it reads as then is the interrupted one. */
static int
status_on_disk(const char *id, bool lost)
{
	cJSON *meta = NULL;
	int status;

	if (client_session_meta(id, &meta) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		return EXIT_FAILED;
	}
	const char *st = json_str(meta, "status");
	status = cli_exit_status(st);
	if (lost && st && strcmp(st, "running") == 0)
		status = EXIT_INTERRUPTED;
	if (!lost && (!st || strcmp(st, "running") == 0))
		fprintf(stderr, "deskhand: session %s is not live and did not end (status %s)\n",
			id, st ? st : "unknown");
	cJSON_Delete(meta);
	return status;
}

/* The record's status: heap string, or NULL (message printed). */
static char *
meta_status(const char *id)
{
	cJSON *meta = NULL;
	char *st = NULL;

	if (client_session_meta(id, &meta) < 0)
		fprintf(stderr, "deskhand: %s\n", err_msg());
	else
		st = xstrdup(json_str(meta, "status") ? json_str(meta, "status") : "unknown");
	cJSON_Delete(meta);
	return st;
}

/* A session that is "running" with no engine to connect to belongs to a
 * process that runs its engine inside (a foreground `deskhand run`): poll
 * its record until it has ended. */
struct poller {
	const char *id;
	struct ev_timer t;
	int status;
	bool done;
};

#define POLL_MS 200

static void
poll_tick(struct ev_loop *loop, struct ev_timer *t, void *ctx)
{
	struct poller *p = ctx;
	char *st = meta_status(p->id);

	if (st && strcmp(st, "running") == 0) {
		free(st);
		ev_timer_arm(loop, t, POLL_MS);
		return;
	}
	p->status = st ? cli_exit_status(st) : EXIT_FAILED;
	p->done = true;
	if (st && !strcmp(st, "interrupted") && client_session_lost(p->id))
		say_lost(p->id, "its process is gone");
	free(st);
	ev_quit(loop);
}

static void
poll_signal(struct ev_loop *loop, int signo, void *ctx)
{
	struct poller *p = ctx;

	(void)signo;
	fprintf(stderr, "deskhand: stopped waiting; the task goes on\n");
	p->status = EXIT_INTERRUPTED;
	p->done = true;
	ev_quit(loop);
}

static int
wait_on_disk(struct ev_loop *loop, const char *id)
{
	struct poller p = { .id = id, .status = EXIT_FAILED };

	ev_timer_init(&p.t, poll_tick, &p);
	ev_timer_arm(loop, &p.t, 0);
	if (ev_signal_on(loop, SIGINT, poll_signal, &p) < 0 ||
	    ev_signal_on(loop, SIGTERM, poll_signal, &p) < 0 || ev_run(loop) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		p.status = EXIT_FAILED;
	}
	ev_timer_disarm(loop, &p.t);
	return p.status;
}

/* The connection went while the task ran, with no session_finished: its
 * engine was killed or crashed (or dropped this client). */
static void
engine_lost(const struct waiter *w)
{
	say_lost(w->id, client_error(w->c) ? client_error(w->c) : "closed");
}

static void
waiter_prepare(struct ev_loop *loop, void *ctx)
{
	struct waiter *w = ctx;

	if (w->done)
		return;
	if (client_closed(w->c)) {
		/* The engine exited: the task's end is in its record. */
		if (w->status && !w->busy)
			w->status_code = cli_exit_status(w->status);
		else {
			if (w->busy)
				engine_lost(w);
			w->status_code = status_on_disk(w->id, w->busy);
		}
		w->done = true;
	} else if (!w->replayed) {
		return;
	} else if (w->status && !w->busy) {
		w->status_code = cli_exit_status(w->status);
		w->done = w->settled = true;
	} else if (!w->stop && w->waiting) {
		fprintf(stderr, "deskhand: session %s waits for an approval; answer it with: "
				"deskhand attach %s\n", w->id, w->id);
		w->status_code = EXIT_WAITING;
		w->done = true;
	} else if (w->stop && !w->busy) {
		w->status_code = EXIT_DONE; /* nothing ran (an idle engine) */
		w->done = w->settled = true;
	}
	if (w->done)
		ev_quit(loop);
}

/* How long wait and stop wait for the engine to exit once they left it:
 * beyond its teardown's own bounds (the last telemetry export, the MCP
 * servers, adopted commands). */
#define WAIT_EXIT_MS 10000

static void
exit_seen(struct ev_loop *loop, int fd, unsigned revents, void *ctx)
{
	(void)fd;
	(void)revents;
	(void)ctx;
	ev_quit(loop);
}

static void
exit_timeout(struct ev_loop *loop, struct ev_timer *t, void *ctx)
{
	(void)t;
	(void)ctx;
	ev_quit(loop);
}

static void
exit_signal(struct ev_loop *loop, int signo, void *ctx)
{
	(void)signo;
	(void)ctx;
	ev_quit(loop);
}

/* The task ended and we were the engine's only client: it exits once we
 * leave (serve.c's exit rule). Leave, and wait for the engine process to be
 * gone (at most WAIT_EXIT_MS; Ctrl-C stops waiting), so that whatever comes
 * after `wait` or `stop` finds the session's folders and its record free:
 * `deskhand wait ID && deskhand run --resume ID "…"` is not refused for a
 * session that is still live. The pidfd is opened while our connection
 * holds the engine, so the pid is still its own. An engine another client
 * was attached to when we said hello stays live, and is not waited for
 * (the caller's w->alone); one that attached later keeps it live for up to
 * WAIT_EXIT_MS of waiting. */
static void
leave_engine(struct waiter *w)
{
	int fd = w->pid > 0 ? pidfd_open((pid_t)w->pid, 0) : -1;
	struct ev_timer t;

	fflush(stdout); /* stop's line, before the wait */
	client_close(w->c);
	w->c = NULL;
	if (fd < 0)
		return; /* gone already, or unknown */
	ev_timer_init(&t, exit_timeout, NULL);
	ev_timer_arm(w->loop, &t, WAIT_EXIT_MS);
	/* When the loop fails, this returns at once: as if nothing was waited for. */
	if (ev_io_set(w->loop, fd, POLLIN, exit_seen, NULL) == 0 &&
	    ev_signal_on(w->loop, SIGINT, exit_signal, NULL) == 0 &&
	    ev_signal_on(w->loop, SIGTERM, exit_signal, NULL) == 0)
		ev_run(w->loop);
	ev_timer_disarm(w->loop, &t);
	ev_io_del(w->loop, fd);
	close(fd);
}

static void
waiter_signal(struct ev_loop *loop, int signo, void *ctx)
{
	struct waiter *w = ctx;

	(void)signo;
	fprintf(stderr, "deskhand: stopped waiting; the task goes on\n");
	w->signalled = true;
	w->status_code = EXIT_INTERRUPTED;
	w->done = true;
	ev_quit(loop);
}

static int
wait_or_stop(int argc, char **argv, bool stop)
{
	const char *usage = stop ? stop_usage : wait_usage;
	struct ev_loop *loop = NULL;
	struct client *c = NULL;
	char *id = NULL;
	int rc = front_opts(argc, argv, usage, NULL, 1);

	if (rc >= 0)
		return rc;
	const char *spec = optind < argc ? argv[optind] : NULL;
	if (client_verb_empty_session(stop ? "stop" : "wait", spec)) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (client_session_resolve(spec, &id) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		return EXIT_FAILED;
	}
	if (ev_new(&loop) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		free(id);
		return EXIT_FAILED;
	}
	rc = client_connect(&c, loop, id);
	if (rc == DH_ENOTFOUND) { /* no engine to connect to */
		char *st = meta_status(id);
		int status = st ? cli_exit_status(st) : EXIT_FAILED;
		bool running = st && strcmp(st, "running") == 0;

		if (stop && running) {
			fprintf(stderr, "deskhand: session %s runs in a process of its own "
					"(deskhand run in the foreground): interrupt it there\n", id);
			status = EXIT_FAILED;
		} else if (stop) {
			printf("session %s is not live (%s): nothing to stop\n", id, st ? st : "?");
			status = st ? EXIT_DONE : EXIT_FAILED;
		} else if (running) {
			status = wait_on_disk(loop, id);
		} else if (st && !strcmp(st, "interrupted") && client_session_lost(id)) {
			say_lost(id, "already gone when wait began");
		}
		free(st);
		ev_free(loop);
		free(id);
		return status;
	}
	if (rc < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		ev_free(loop);
		free(id);
		return EXIT_FAILED;
	}
	struct waiter w = { .loop = loop, .c = c, .id = id, .stop = stop };
	client_set_handler(c, waiter_on_event, &w);
	if (stop) {
		struct command cmd = { .type = COMMAND_INTERRUPT };

		rc = client_send(c, &cmd);
		free(cmd.req);
		if (rc < 0) {
			fprintf(stderr, "deskhand: %s\n", err_msg());
			client_close(c);
			ev_free(loop);
			free(id);
			return EXIT_FAILED;
		}
	}
	ev_prepare_add(loop, waiter_prepare, &w);
	if (ev_signal_on(loop, SIGINT, waiter_signal, &w) < 0 ||
	    ev_signal_on(loop, SIGTERM, waiter_signal, &w) < 0 || ev_run(loop) < 0) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		w.err = true;
		w.status_code = EXIT_FAILED;
	}
	if (stop && !w.err && !w.signalled) { /* it ended, however it ended */
		printf("session %s: %s\n", id, w.status ? w.status : "stopped");
		w.status_code = EXIT_DONE;
	}
	if (w.settled && w.alone && !w.err && !w.signalled)
		leave_engine(&w);
	client_close(w.c);
	ev_free(loop);
	free(w.status);
	free(id);
	return w.status_code;
}

int
cli_wait(int argc, char **argv)
{
	return wait_or_stop(argc, argv, false);
}

int
cli_stop(int argc, char **argv)
{
	return wait_or_stop(argc, argv, true);
}
