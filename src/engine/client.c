/* SPDX-License-Identifier: MIT */
/*
 * The client side of the engine (client.h): a socket to an engine process,
 * or an engine in this process, behind one interface.
 */
#include "engine/client.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/strv.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/args.h"
#include "engine/engine.h"
#include "engine/serve.h"
#include "engine/server.h"
#include "llm/llm.h"
#include "net/http.h"
#include "session/session.h"
#include "snap/snap.h"

#define CLIENT_SPAWN_TIMEOUT_MS 30000 /* the engine's start, before any UI runs */
/* How long client_close() waits for an engine it started, that has no
 * session, to exit (wait_engine_exit). */
#define CLIENT_ENGINE_EXIT_MS 3000
#define CLIENT_HELLO_TIMEOUT_MS 10000 /* an engine's answer to hello */
/* client_list_live()'s one deadline for every engine's answer, unless
 * DH_LIST_WAIT_MS sets it (as DH_WARM_WAIT_MS does the warm engine's). A
 * healthy engine answers from its loop in milliseconds; one paged out on a
 * loaded machine takes a second or two. Past that it is listed "not
 * responding", a label for this one listing, and `ls` stays interactive. */
#define CLIENT_LIST_TIMEOUT_MS 3000
#define CLIENT_MAX_LINE		((size_t)1 << 30)
#define CLIENT_READ_BURST	((size_t)4 << 20)

struct client {
	struct ev_loop *loop;
	client_event_fn *fn;
	void *ctx;
	unsigned long next_req;
	/* What the client knows, kept current from hello and the events. */
	cJSON *state;
	struct client_state st;
	const char **grants;
	bool closed;
	bool detached;	 /* the engine said "detached" itself */
	bool in_history; /* between hello and history_end */
	char *error;
	int dispatching; /* inside a handler call */
	bool doomed;	 /* client_close() was called from a handler */
	bool no_exit_wait; /* client_close() does not wait for the engine */
	/* socket */
	int fd;
	pid_t engine; /* the engine process client_spawn() started, else 0 */
	struct buf in, out;
	struct ev_timer drain; /* delivers lines read before the loop ran */
	/* local */
	bool local;
	struct engine_args args;
	struct engine *e;
	struct ev_timer kick; /* hello, history and the task on the first iteration */
	struct server *srv;   /* its socket, once client_local_serve() */
};

static void client_free(struct client *c);
static void on_kick(struct ev_loop *l, struct ev_timer *t, void *ctx);

/*
 * State
 */

/* Point the struct fields into c->state again. */
static void
state_sync(struct client *c)
{
	const cJSON *s = c->state, *g;
	struct client_state *st = &c->st;
	size_t n = 0;

	st->session = json_str(s, "session");
	st->state_dir = json_str(s, "state_dir");
	st->task = json_str(s, "task");
	st->model = json_str(s, "model");
	st->mode = json_str(s, "mode");
	st->watcher = json_str(s, "watcher");
	st->sandbox = json_str(s, "sandbox");
	st->activity = json_str(s, "activity");
	st->status = json_str(s, "status");
	st->busy = json_bool(s, "busy", false);
	st->settled = json_bool(s, "settled", false);
	st->clients = (int)json_int(s, "clients", c->local ? 1 : 0);
	st->input_tokens = (long)json_int(s, "input_tokens", 0);
	st->output_tokens = (long)json_int(s, "output_tokens", 0);
	st->cache_read_tokens = (long)json_int(s, "cache_read_tokens", 0);
	const cJSON *cost = cJSON_GetObjectItemCaseSensitive(s, "cost_usd");
	/* null: not known (a request had no price); absent: none yet */
	st->cost_usd = cJSON_IsNumber(cost) ? cost->valuedouble : cJSON_IsNull(cost) ? -1 : 0;
	st->plan = json_arr(s, "plan");
	st->pending = json_obj(s, "pending");
	st->elicitations = json_arr(s, "elicitations");
	st->started_ns = json_int(s, "started_ns", 0);
	st->task_started_ns = json_int(s, "task_started_ns", 0);
	st->engine_pid = (pid_t)json_int(s, "pid", 0);
	free(c->grants);
	c->grants = xcalloc((size_t)cJSON_GetArraySize(json_arr(s, "grants")) + 1,
			    sizeof *c->grants);
	cJSON_ArrayForEach(g, json_arr(s, "grants"))
	{
		if (cJSON_IsString(g))
			c->grants[n++] = g->valuestring;
	}
	st->grants = c->grants;
	st->ngrants = n;
}

static void
state_set(struct client *c, const char *key, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(c->state, key))
		cJSON_ReplaceItemInObjectCaseSensitive(c->state, key, v);
	else
		cJSON_AddItemToObject(c->state, key, v);
}

static void
state_str(struct client *c, const char *key, const char *v)
{
	state_set(c, key, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

static void
state_bool(struct client *c, const char *key, bool v)
{
	state_set(c, key, cJSON_CreateBool(v));
}

static void
state_num(struct client *c, const char *key, double v)
{
	state_set(c, key, cJSON_CreateNumber(v));
}

/* What an event changes in the state. Text deltas change nothing. */
static void
state_update(struct client *c, const struct event *ev)
{
	cJSON *g;
	const char *act;

	/* The history replays what hello's state already sums up. */
	if (ev->type == EVENT_HISTORY_END)
		c->in_history = false;
	if (c->in_history)
		return;
	switch (ev->type) {
	case EVENT_HELLO:
		c->in_history = true;
		cJSON_Delete(c->state);
		c->state = ev->data && cJSON_IsObject(ev->data) ? json_dup(ev->data) : json_new_obj();
		break;
	case EVENT_SESSION_STARTED:
		state_str(c, "session", ev->session);
		if (!json_str(c->state, "task"))
			state_str(c, "task", ev->task);
		state_str(c, "model", ev->model);
		state_str(c, "mode", ev->mode);
		/* "watcher" keeps hello's form ("on", "off (why)"); the
		 * events' own ("inotify, N directories watched") differs. */
		g = json_new_arr();
		for (size_t i = 0; i < ev->ngrants; i++)
			json_add(g, NULL, cJSON_CreateString(ev->grants[i]));
		state_set(c, "grants", g);
		state_str(c, "activity", "working");
		state_bool(c, "busy", true);
		state_bool(c, "settled", false);
		break;
	case EVENT_TURN_STARTED: /* a follow-up task has no session_started */
		act = json_str(c->state, "activity");
		if (!json_bool(c->state, "busy", false) || (act && !strcmp(act, "starting"))) {
			state_str(c, "activity", "working");
			state_bool(c, "busy", true);
			state_bool(c, "settled", false);
		}
		break;
	case EVENT_USAGE:
		state_num(c, "input_tokens",
			  (double)(json_int(c->state, "input_tokens", 0) + ev->usage.input_tokens));
		state_num(c, "output_tokens",
			  (double)(json_int(c->state, "output_tokens", 0) + ev->usage.output_tokens));
		state_num(c, "cache_read_tokens",
			  (double)(json_int(c->state, "cache_read_tokens", 0) +
				   ev->usage.cache_read_tokens));
		state_set(c, "cost_usd", ev->total_cost_usd < 0
		                              ? cJSON_CreateNull()
		                              : cJSON_CreateNumber(ev->total_cost_usd));
		break;
	case EVENT_PLAN_PROPOSED:
	case EVENT_PLAN_UPDATED:
		state_set(c, "plan", ev->steps ? json_dup(ev->steps) : cJSON_CreateNull());
		break;
	case EVENT_APPROVAL_NEEDED:
		state_set(c, "pending", event_to_json(ev));
		state_str(c, "activity", "waiting");
		break;
	case EVENT_APPROVAL_DECIDED:
	case EVENT_PLAN_DECIDED:
		state_set(c, "pending", cJSON_CreateNull());
		if (json_bool(c->state, "busy", false))
			state_str(c, "activity", "working");
		break;
	case EVENT_SESSION_FINISHED:
		state_set(c, "pending", cJSON_CreateNull());
		state_str(c, "status", ev->status);
		state_str(c, "activity", ev->status);
		state_bool(c, "busy", false);
		state_bool(c, "settled", true);
		break;
	case EVENT_REPLY:
		if (ev->name && (!strcmp(ev->name, "grant") || !strcmp(ev->name, "ungrant")) &&
		    cJSON_IsArray(ev->data))
			state_set(c, "grants", json_dup(ev->data));
		if (ev->name && !strcmp(ev->name, "start") && ev->approved &&
		    !json_bool(c->state, "busy", false)) { /* busy: a steer */
			state_str(c, "activity", "starting"); /* until its agent is made */
			state_bool(c, "busy", true);
			state_bool(c, "settled", false);
		}
		break;
	default:
		return;
	}
	state_sync(c);
}

/* The engine's own view for a local client. */
/* The engine's own view for a local client. */
static cJSON *
local_snapshot(const struct client *c)
{
	cJSON *o = engine_snapshot(c->e);

	json_add_num(o, "clients", 1);
	return o;
}

/*
 * Delivery
 */

static void
deliver(struct client *c, const struct event *ev)
{
	state_update(c, ev);
	if (!c->fn)
		return;
	c->dispatching++;
	c->fn(ev, c->ctx);
	c->dispatching--;
}

/* The connection is gone: say so once, as a "detached" event. */
static void
set_closed(struct client *c, const char *why)
{
	if (c->closed)
		return;
	c->closed = true;
	if (!c->error)
		c->error = xstrdup(why);
	if (c->fd >= 0) {
		ev_io_del(c->loop, c->fd);
		close(c->fd);
		c->fd = -1;
	}
	if (!c->detached)
		deliver(c, &(struct event){ .type = EVENT_DETACHED, .session = c->st.session,
					    .text = c->error });
}

/* One line from the engine. */
static void
handle_line(struct client *c, const char *line, size_t len)
{
	struct event_msg m;

	if (len == 0)
		return;
	if (event_msg_parse(&m, line, len) < 0) {
		event_msg_fini(&m);
		return; /* a newer engine's event type: skip it */
	}
	if (m.ev.type == EVENT_DETACHED) {
		c->detached = true;
		if (!c->error)
			c->error = xstrdup(m.ev.text ? m.ev.text : "detached by the engine");
	}
	deliver(c, &m.ev);
	event_msg_fini(&m);
}

/* Deliver the complete lines buffered in c->in. */
static void
drain_lines(struct client *c)
{
	char *nl;
	size_t off = 0;

	while (!c->doomed && (nl = memchr(c->in.ptr + off, '\n', c->in.len - off))) {
		size_t len = (size_t)(nl - (c->in.ptr + off));

		handle_line(c, c->in.ptr + off, len);
		off += len + 1;
	}
	buf_consume(&c->in, off);
}

static void
write_out(struct client *c)
{
	while (c->fd >= 0 && c->out.len) {
		ssize_t n = write(c->fd, c->out.ptr, c->out.len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			set_closed(c, "the connection to the engine broke");
			return;
		}
		buf_consume(&c->out, (size_t)n);
	}
}

static ev_io_fn on_io;

static void
watch_io(struct client *c)
{
	if (c->fd >= 0 &&
	    ev_io_set(c->loop, c->fd, POLLIN | (c->out.len ? POLLOUT : 0u), on_io, c) < 0)
		set_closed(c, err_msg());
}

static void
on_io(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct client *c = ctx;
	char chunk[65536];

	(void)l;
	(void)fd;
	c->dispatching++;
	if (revents & POLLOUT)
		write_out(c);
	/* Up to CLIENT_READ_BURST per wakeup: a long history arrives in few
	 * loop iterations (few redraws), yet the loop is never held long. */
	for (size_t got = 0; c->fd >= 0 && !c->doomed && got < CLIENT_READ_BURST &&
			     (revents & (POLLIN | POLLHUP | POLLERR));) {
		ssize_t n = read(c->fd, chunk, sizeof chunk);

		if (n > 0) {
			got += (size_t)n;
			buf_add(&c->in, chunk, (size_t)n);
			drain_lines(c);
			if (c->in.len > CLIENT_MAX_LINE)
				set_closed(c, "the engine sent a line too long");
			if ((size_t)n < sizeof chunk)
				break;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			if (n == 0 || errno != EAGAIN)
				set_closed(c, n == 0 ? "the engine closed the connection"
						     : "the connection to the engine broke");
			break;
		}
	}
	if (!c->doomed)
		watch_io(c);
	c->dispatching--;
	if (c->doomed && !c->dispatching)
		client_free(c);
}

static void
on_drain(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct client *c = ctx;

	(void)l;
	(void)t;
	c->dispatching++;
	drain_lines(c);
	c->dispatching--;
	if (c->doomed && !c->dispatching)
		client_free(c);
}

/*
 * The socket directory and connecting
 */

/* `dir` (heap, taken) if it is a directory of ours that nobody else can
 * enter (created 0700 first with `create`), else NULL with the message. */
static char *
socket_dir_checked(char *dir, bool create)
{
	struct stat st;

	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST) {
		err_set("socket directory %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	if (lstat(dir, &st) < 0) {
		err_set("socket directory %s: %s", dir, strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		err_set("socket directory %s: not a directory; refusing to use it", dir);
	} else if (st.st_uid != getuid()) {
		err_set("socket directory %s: owned by uid %ld, not you (uid %ld); refusing to "
			"use it",
			dir, (long)st.st_uid, (long)getuid());
	} else if (st.st_mode & 077) {
		err_set("socket directory %s: mode %04o lets others in (must be 0700); refusing "
			"to use it",
			dir, (unsigned)(st.st_mode & 07777));
	} else {
		return dir;
	}
	free(dir);
	return NULL;
}

char *
client_socket_dir(void)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	/* An unset, relative or missing $XDG_RUNTIME_DIR (an SSH login
	 * without a session manager): the fallback. */
	bool use_rt = rt && *rt == '/' && stat(rt, &st) == 0 && S_ISDIR(st.st_mode);

	return socket_dir_checked(use_rt ? xasprintf("%s/deskhand", rt)
					 : xasprintf("/tmp/deskhand-%ld", (long)getuid()),
				  true);
}

/* STATE/engines: one file per listening engine, named PID@HOST, holding
 * the socket directory it listens in. Heap string, or NULL. */
static char *
engines_dir(void)
{
	char *state = NULL, *d;

	if (fsutil_state_dir(&state) < 0)
		return NULL;
	d = xasprintf("%s/engines", state);
	free(state);
	return d;
}

/* This machine's name as a file name may hold it. A home shared between
 * machines shares the records: a pid means something on its own host only. */
static void
host_name(char host[static 256])
{
	if (gethostname(host, 255) < 0 || !*host)
		snprintf(host, 256, "localhost");
	host[255] = '\0';
	for (char *c = host; *c; c++)
		if (*c == '/')
			*c = '_';
}

/* Our record: engines_dir()/PID@HOST (heap), or NULL. */
static char *
record_path(void)
{
	char *d = engines_dir(), *p, host[256];

	if (!d)
		return NULL;
	host_name(host);
	p = xasprintf("%s/%ld@%s", d, (long)getpid(), host);
	free(d);
	return p;
}

int
client_socket_dir_record(const char *dir)
{
	char *d = engines_dir(), *p = record_path(), *text;
	int rc;

	if (!d || !p) {
		free(d);
		free(p);
		return DH_EFAIL;
	}
	text = xasprintf("%s\n", dir);
	rc = fsutil_mkdir_p(d, 0700);
	if (rc == 0)
		rc = fsutil_write_atomic(p, text, strlen(text));
	free(text);
	free(p);
	free(d);
	return rc;
}

void
client_socket_dir_forget(void)
{
	char *p = record_path();

	if (p)
		unlink(p);
	free(p);
}

/* Add `dir` (heap, taken) to `out` unless it is there or is not a socket
 * directory of ours (socket_dir_checked()). */
static void
add_dir(struct strv *out, char *dir)
{
	struct stat st;

	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->v[i], dir)) {
			free(dir);
			return;
		}
	if (lstat(dir, &st) < 0) {
		free(dir);
		return;
	}
	if ((dir = socket_dir_checked(dir, false))) { /* it frees what it refuses */
		strv_add(out, dir);
		free(dir);
	}
}

/* The directories the live engines recorded (client_socket_dir_record()),
 * added to `out`; the record of an engine that is gone is removed. */
static void
add_recorded_dirs(struct strv *out)
{
	char *d = engines_dir(), host[256];
	DIR *dh = d ? opendir(d) : NULL;
	struct dirent *de;

	host_name(host);
	while (dh && (de = readdir(dh))) {
		char *end = NULL;
		long pid = strtol(de->d_name, &end, 10);

		/* another machine's engine (a shared home): not ours to judge */
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || *end != '@' || pid <= 0 ||
		    strcmp(end + 1, host))
			continue;
		char *p = xasprintf("%s/%s", d, de->d_name);
		struct buf text = BUF_INIT;

		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			unlink(p); /* killed: it could not remove its record */
		else if (fsutil_read_file(p, 4096, &text) == 0 && text.len > 1 &&
			 buf_cstr(&text)[0] == '/' && buf_cstr(&text)[text.len - 1] == '\n')
			add_dir(out, xstrndup(buf_cstr(&text), text.len - 1));
		buf_fini(&text);
		free(p);
	}
	if (dh)
		closedir(dh);
	free(d);
}

int
client_socket_dirs(struct strv *out)
{
	char *dir = client_socket_dir();

	if (!dir)
		return DH_EFAIL;
	strv_add(out, dir);
	free(dir);
	add_dir(out, xasprintf("/tmp/deskhand-%ld", (long)getuid()));
	add_recorded_dirs(out);
	return 0;
}

/* Connect to SOCKDIR/NAME.sock; the fd (CLOEXEC, and `flags`: 0 or
 * SOCK_NONBLOCK), or -1 with errno. Non-blocking, a listener whose queue is
 * full fails with EAGAIN at once; blocking, the call waits until it accepts. */
static int
connect_name(const char *dir, const char *name, int flags)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n = snprintf(sa.sun_path, sizeof sa.sun_path, "%s/%s.sock", dir, name);
	int fd;

	if (n < 0 || (size_t)n >= sizeof sa.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Nobody listens on NAME.sock: remove it and its pid file. */
static void
remove_stale(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s.sock", dir, name);

	unlink(p);
	free(p);
	p = xasprintf("%s/%s.pid", dir, name);
	unlink(p);
	free(p);
}

/* The names (without ".sock") in the socket directory, sorted. */
static void
list_names(const char *dir, struct strv *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 5 && strcmp(de->d_name + n - 5, ".sock") == 0) {
			char *name = xstrndup(de->d_name, n - 5);

			strv_add(out, name);
			free(name);
		}
	}
	closedir(d);
	strv_uniq(out);
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static char *
hello_line(const char *name)
{
	struct command h = { .type = COMMAND_HELLO, .protocol = PROTOCOL_VERSION,
			     .text = (char *)name, .state_only = !strcmp(name, "ls") };
	cJSON *j = command_to_json(&h);
	char *s = json_print(j);
	char *line = xasprintf("%s\n", s);

	cJSON_Delete(j);
	free(s);
	return line;
}

/* The engine's first line, `len` bytes at `line` (no newline): its hello's
 * state object (heap) and *protocol, or NULL with the message set (the
 * engine's error, or not a hello). */
static cJSON *
hello_parse(const char *line, size_t len, int *protocol)
{
	struct event_msg m;
	cJSON *state = NULL;
	int rc = event_msg_parse(&m, line, len);

	if (rc == 0 && m.ev.type == EVENT_HELLO) {
		state = m.ev.data && cJSON_IsObject(m.ev.data) ? json_dup(m.ev.data)
							       : json_new_obj();
		*protocol = m.ev.protocol;
	} else if (rc == 0 && m.ev.type == EVENT_ERROR) {
		err_set("engine: %s", m.ev.text ? m.ev.text : "error");
	} else {
		err_set("engine: expected hello, got something else");
	}
	event_msg_fini(&m);
	return state;
}

/* Send hello on blocking `fd` and read until the engine's hello line, within
 * CLIENT_HELLO_TIMEOUT_MS; what follows it stays in `rest`. The state object
 * is returned (heap) or NULL with the message set; *gone (may be NULL) then
 * says the engine closed the connection before its hello: it was exiting. */
static cJSON *
hello_sync(int fd, const char *name, struct buf *rest, int *protocol, bool *gone)
{
	char *line = hello_line(name);
	uint64_t until = ev_now_ms() + CLIENT_HELLO_TIMEOUT_MS;
	char chunk[65536];

	if (gone)
		*gone = false;
	if (write_all(fd, line, strlen(line)) < 0) {
		if (gone)
			*gone = errno == EPIPE || errno == ECONNRESET;
		free(line);
		err_set("hello: %s", strerror(errno));
		return NULL;
	}
	free(line);
	for (;;) {
		char *nl = rest->len ? memchr(rest->ptr, '\n', rest->len) : NULL;

		/* The hello line stays: it is delivered as the first event. */
		if (nl)
			return hello_parse(rest->ptr, (size_t)(nl - rest->ptr), protocol);
		int64_t left = (int64_t)(until - ev_now_ms());
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int pr = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			err_set("engine: no answer to hello within %d s", CLIENT_HELLO_TIMEOUT_MS / 1000);
			return NULL;
		}
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (gone)
				*gone = n == 0 || errno == ECONNRESET;
			err_set("engine: the connection closed before hello");
			return NULL;
		}
		buf_add(rest, chunk, (size_t)n);
	}
}

static struct client *
client_alloc(struct ev_loop *loop)
{
	struct client *c = xcalloc(1, sizeof *c);

	c->loop = loop;
	c->fd = -1;
	c->state = json_new_obj();
	ev_timer_init(&c->drain, on_drain, c);
	ev_timer_init(&c->kick, on_kick, c);
	state_sync(c);
	return c;
}

/* Resolve `spec` among the live sockets of `dir`: 0 and *name (heap), or
 * DH_ENOTFOUND / DH_EFAIL. Stale sockets met on the way are removed;
 * *fd is the connection to the one found. */
static int
resolve(const char *dir, const char *spec, int *fd, char **name)
{
	struct strv names = { 0 };
	char *found = NULL;
	size_t matches = 0;
	bool latest = !spec || strcmp(spec, "latest") == 0;

	*fd = -1;
	if (!latest && !*spec) /* a prefix of every name, but names none */
		return session_spec_empty();
	list_names(dir, &names);
	/* Newest first for "latest" (ids sort by time; new-PID ones last). */
	for (size_t k = names.n; k-- > 0 && !found;) {
		const char *n = names.v[k];
		bool exact = !latest && strcmp(n, spec) == 0;

		if (!latest && !exact && strncmp(n, spec, strlen(spec)) != 0)
			continue;
		if (latest && strncmp(n, "new-", 4) == 0)
			continue;
		/* Without waiting: an engine whose queue is full (stopped, or its
		 * loop stuck, for 16 connections) would hold connect() until it
		 * goes on. It is found, and cannot be connected to (cfd -1). */
		int cfd = connect_name(dir, n, SOCK_NONBLOCK);
		if (cfd < 0 && errno != EAGAIN) {
			if (errno == ECONNREFUSED || errno == ENOENT)
				remove_stale(dir, n);
			continue;
		}
		if (cfd >= 0)
			fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) & ~O_NONBLOCK);
		if (latest || exact) {
			if (*fd >= 0)
				close(*fd);
			*fd = cfd;
			free(found);
			found = xstrdup(n);
			matches = 1;
			break;
		}
		matches++;
		if (*fd >= 0)
			close(*fd);
		*fd = cfd;
		free(found);
		found = xstrdup(n);
	}
	strv_free(&names);
	*name = NULL;
	if (matches > 1) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		free(found);
		struct buf shown = BUF_INIT;
		int rc = err_set("session '%s' is ambiguous: more than one live session "
		                 "starts with it",
		                 utf8_sanitized(&shown, spec));

		buf_fini(&shown);
		return rc;
	}
	if (!found)
		return err_setc(DH_ENOTFOUND, "no live session %s%s%s", latest ? "" : "'",
				latest ? "" : spec, latest ? "" : "'");
	if (*fd < 0) {
		err_set("session %s: its engine accepts no connection (stopped, or stuck): "
			"'deskhand ls' lists it as not responding",
			found);
		free(found);
		return DH_EFAIL;
	}
	*name = found;
	return 0;
}

static int attach_fd(struct client **out, struct ev_loop *loop, int fd);

int
client_connect(struct client **out, struct ev_loop *loop, const char *spec)
{
	struct strv dirs = { 0 };
	char *name = NULL;
	int fd = -1, rc;

	*out = NULL;
	if (client_socket_dirs(&dirs) < 0)
		return DH_EFAIL;
	rc = DH_ENOTFOUND;
	for (size_t i = 0; i < dirs.n && rc == DH_ENOTFOUND; i++) {
		rc = resolve(dirs.v[i], spec, &fd, &name);
		free(name);
		name = NULL;
	}
	strv_free(&dirs);
	if (rc < 0)
		return rc;
	return attach_fd(out, loop, fd);
}

/* Say hello on connected `fd` (ownership moves) and make the client. */
static int
attach_fd(struct client **out, struct ev_loop *loop, int fd)
{
	int protocol = 0;

	struct client *c = client_alloc(loop);
	bool gone = false;
	cJSON *state = hello_sync(fd, "deskhand", &c->in, &protocol, &gone);
	if (!state) {
		close(fd);
		client_free(c);
		/* An engine that hangs up before its hello was exiting (its task
		 * ended, nobody attached): it is not live any more. */
		return gone ? DH_ENOTFOUND : DH_EFAIL;
	}
	cJSON_Delete(c->state);
	c->state = state;
	state_sync(c);
	c->fd = fd;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	watch_io(c);
	/* The hello and whatever came with it: delivered once the loop runs. */
	ev_timer_arm(loop, &c->drain, 0);
	*out = c;
	return 0;
}

/* The row of engine NAME in `dir` that took the connection but gave no
 * hello (stopped, or its loop stuck): it holds its session all the same.
 * Its activity "not responding", its pid from its pid file, `why` as
 * "error". */
static cJSON *
not_responding(const char *dir, const char *name, const char *why)
{
	cJSON *o = json_new_obj();
	char *p = xasprintf("%s/%s.pid", dir, name);
	struct buf text = BUF_INIT;
	long pid = 0;

	json_add(o, "session", strncmp(name, "new-", 4) ? cJSON_CreateString(name)
						       : cJSON_CreateNull());
	json_add_str(o, "activity", "not responding");
	json_add_str(o, "error", why);
	if (fsutil_read_file(p, 64, &text) == 0)
		pid = strtol(buf_cstr(&text), NULL, 10);
	if (pid > 0)
		json_add_num(o, "pid", (double)pid);
	buf_fini(&text);
	free(p);
	return o;
}

/* One engine client_list_live() asks for its snapshot. */
struct probe {
	const char *dir, *name; /* borrowed from the lists */
	int fd;			/* -1 once it answered, hung up or was given up */
	char *hello;		/* our hello line (heap), sent up to `sent` */
	size_t sent;
	struct buf in; /* what it said so far */
	cJSON *row;    /* its snapshot or its "not responding" row; NULL: not listed */
};

/* Connect to NAME in `dir` without waiting and queue our hello. A stale
 * socket is removed; an engine whose queue of connections is full (it has
 * accepted none for long) is not responding. */
static void
probe_start(struct probe *p, const char *dir, const char *name)
{
	memset(p, 0, sizeof *p);
	p->dir = dir;
	p->name = name;
	p->fd = connect_name(dir, name, SOCK_NONBLOCK);
	if (p->fd >= 0) {
		p->hello = hello_line("ls");
	} else if (errno == ECONNREFUSED || errno == ENOENT) {
		remove_stale(dir, name);
	} else if (errno == EAGAIN) {
		p->row = not_responding(dir, name,
					"engine: it accepts no connection (its queue is full)");
	}
}

static void
probe_end(struct probe *p)
{
	close(p->fd);
	p->fd = -1;
}

/* `revents` came for probe `p`: send more of the hello, or read its answer.
 * An engine that hangs up before its hello, or answers with an error, was
 * exiting and is not listed (as attach_fd() takes it). */
static void
probe_step(struct probe *p, short revents)
{
	char chunk[4096];
	size_t len = strlen(p->hello);

	if (p->sent < len) {
		ssize_t n = send(p->fd, p->hello + p->sent, len - p->sent, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			probe_end(p);
			return;
		}
		p->sent += (size_t)n;
		return;
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	ssize_t n = read(p->fd, chunk, sizeof chunk);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		probe_end(p);
		return;
	}
	buf_add(&p->in, chunk, (size_t)n);
	const char *nl = memchr(p->in.ptr, '\n', p->in.len);
	if (nl) {
		int protocol = 0;

		p->row = hello_parse(p->in.ptr, (size_t)(nl - p->in.ptr), &protocol);
		probe_end(p);
	}
}

/* client_list_live()'s deadline in ms: DH_LIST_WAIT_MS (0 to an hour),
 * else CLIENT_LIST_TIMEOUT_MS. */
static long
list_wait_ms(void)
{
	const char *v = getenv("DH_LIST_WAIT_MS");
	char *end;
	long ms = v && *v ? strtol(v, &end, 10) : -1;

	return ms >= 0 && ms <= 3600000 && !*end ? ms : CLIENT_LIST_TIMEOUT_MS;
}

/* Wait for the answers of all `n` probes together, until every one is in or
 * list_wait_ms() have passed; those still silent then are not responding. */
static void
probe_wait(struct probe *pr, size_t n)
{
	struct pollfd *pfd = xcalloc(n + 1, sizeof *pfd);
	size_t *which = xcalloc(n + 1, sizeof *which);
	long wait = list_wait_ms();
	uint64_t until = ev_now_ms() + (uint64_t)wait;

	for (;;) {
		size_t m = 0;

		for (size_t i = 0; i < n; i++) {
			if (pr[i].fd < 0)
				continue;
			pfd[m] = (struct pollfd){ .fd = pr[i].fd, .events = POLLIN };
			if (pr[i].sent < strlen(pr[i].hello))
				pfd[m].events |= POLLOUT;
			which[m++] = i;
		}
		int64_t left = (int64_t)(until - ev_now_ms());
		if (m == 0 || left <= 0)
			break;
		int rc = poll(pfd, m, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			break;
		for (size_t k = 0; k < m; k++)
			if (pfd[k].revents)
				probe_step(&pr[which[k]], pfd[k].revents);
	}
	for (size_t i = 0; i < n; i++) {
		if (pr[i].fd < 0)
			continue;
		char *why =
			xasprintf("engine: no answer to hello within %g s", (double)wait / 1000);

		pr[i].row = not_responding(pr[i].dir, pr[i].name, why);
		free(why);
		probe_end(&pr[i]);
	}
	free(which);
	free(pfd);
}

int
client_list_live(cJSON **out)
{
	struct strv dirs = { 0 };
	struct probe *pr = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (client_socket_dirs(&dirs) < 0)
		return DH_EFAIL;
	struct strv *names = xcalloc(dirs.n + 1, sizeof *names);
	/* Every engine at once, one deadline for all: a stopped one costs
	 * that deadline once, not once each. The rows keep the order of
	 * the directories and of the names in each. */
	for (size_t i = 0; i < dirs.n; i++) {
		list_names(dirs.v[i], &names[i]);
		for (size_t k = 0; k < names[i].n; k++) {
			if (n == cap) {
				cap = cap ? 2 * cap : 8;
				pr = xrealloc(pr, cap * sizeof *pr);
			}
			probe_start(&pr[n++], dirs.v[i], names[i].v[k]);
		}
	}
	probe_wait(pr, n);
	*out = json_new_arr();
	for (size_t i = 0; i < n; i++) {
		if (pr[i].row)
			json_add(*out, NULL, pr[i].row);
		free(pr[i].hello);
		buf_fini(&pr[i].in);
	}
	free(pr);
	for (size_t i = 0; i < dirs.n; i++)
		strv_free(&names[i]);
	free(names);
	strv_free(&dirs);
	return 0;
}

/*
 * Spawning an engine process
 */

static void
on_engine_exit(struct ev_loop *l, pid_t pid, int wstatus, void *ctx)
{
	(void)l;
	(void)pid;
	(void)wstatus;
	(void)ctx; /* reaped; the connection tells the rest */
}

/* The engine's exit status for a failure → our error code. */
static int
exit_code(int wstatus)
{
	static const int codes[] = { [3] = DH_EDENIED, [4] = DH_ENOTFOUND };
	int st = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 1;

	return st > 0 && (size_t)st < sizeof codes / sizeof *codes && codes[st] ? codes[st]
										: DH_EFAIL;
}

int
client_folder_holder(const char *folder, struct client_holder *out)
{
	static const enum client_holder_kind kinds[] = {
		[SNAP_LOCK_ENGINE] = CLIENT_HOLDER_ENGINE,
		[SNAP_LOCK_RUN] = CLIENT_HOLDER_RUN,
		[SNAP_LOCK_VERB] = CLIENT_HOLDER_VERB,
	};
	struct snap_holder h;
	char *state = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if (fsutil_state_dir(&state) < 0)
		return DH_EFAIL;
	rc = snap_lock_holder(folder, state, &h);
	free(state);
	if (rc <= 0)
		return rc;
	out->kind = kinds[h.kind];
	out->session = h.session;
	out->pid = h.pid;
	return 1;
}

int
client_spawn(struct client **out, struct ev_loop *loop, char *const *argv, size_t argc)
{
	static const char nul[] = "/dev/null";
	char *dir = client_socket_dir(), fdbuf[16];
	int p[2], wstatus = 0, rc;
	bool timed_out;

	*out = NULL;
	if (!dir)
		return DH_EFAIL;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(dir);
		return err_set("pipe: %s", strerror(errno));
	}
	snprintf(fdbuf, sizeof fdbuf, "%d", p[1]);
	char **av = xcalloc(argc + 5, sizeof *av);
	av[0] = (char *)"deskhand";
	av[1] = (char *)"engine";
	av[2] = (char *)"--ready-fd";
	av[3] = fdbuf;
	if (argc) /* argv may be NULL: the workbench with no option */
		memcpy(av + 4, argv, argc * sizeof *av);
	/* tmux's way (server_start()): the child becomes the engine without an
	 * exec, so it skips loading the program and its libraries again (most
	 * of an engine's start-up time, and the workbench's first frame waits
	 * for it). Callers fork before any thread exists (no library is
	 * initialised in a client: main.c), so the child may use the heap; a
	 * `run --detach` has loaded libcurl (main.c) and no thread of it runs
	 * any more, so no lock of it is held in the child. */
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		int fd = open(nul, O_RDWR);

		setsid();
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			if (fd > STDERR_FILENO)
				close(fd);
		}
		/* Nothing of the client's (its loop, a tty, a socket) but the
		 * ready pipe. */
		if (p[1] > 3)
			close_range(3, (unsigned)p[1] - 1, 0);
		close_range((unsigned)p[1] + 1, ~0U, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* libcurl is loaded on a thread once the engine's own threads
		 * run (engine_open); libgit2 on the snapshot worker when a
		 * store's repository is first opened (main.c). */
		int status = engine_main((int)argc + 3, av + 1);

		snap_global_shutdown();
		llm_global_shutdown();
		exit(status);
	}
	free(av);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		free(dir);
		return err_set("fork: %s", strerror(errno));
	}
	char *line = serve_ready_read(p[0], CLIENT_SPAWN_TIMEOUT_MS, &timed_out);
	close(p[0]);
	if (!line || strncmp(line, "ok ", 3) != 0) {
		if (timed_out)
			kill(pid, SIGKILL);
		waitpid(pid, &wstatus, 0);
		rc = timed_out ? err_set("the engine did not start within %d s",
					 CLIENT_SPAWN_TIMEOUT_MS / 1000)
		     : line && !strncmp(line, "error ", 6)
			     ? err_setc(exit_code(wstatus), "%s", line + 6)
			     : err_set("the engine exited before it was ready (status %d)",
				       WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus));
		free(line);
		free(dir);
		return rc;
	}
	if (ev_child_watch(loop, pid, on_engine_exit, NULL) < 0)
		waitpid(pid, &wstatus, WNOHANG);
	char *name = strcmp(line + 3, "-") == 0 ? xasprintf("new-%ld", (long)pid)
						: xstrdup(line + 3);
	int fd = connect_name(dir, name, 0);
	if (fd < 0)
		rc = err_set("engine %s: %s/%s.sock: %s", name, dir, name, strerror(errno));
	else if ((rc = attach_fd(out, loop, fd)) == 0)
		(*out)->engine = pid;
	free(name);
	free(line);
	free(dir);
	return rc;
}

/*
 * The in-process engine
 */

static void
local_sink(const struct event *ev, void *ctx)
{
	struct client *c = ctx;

	if (!c->doomed)
		deliver(c, ev);
}

static void
local_reply(const struct event *ev, unsigned long to, void *ctx)
{
	(void)to;
	local_sink(ev, ctx);
}

static void
local_history(const struct event *ev, void *ctx)
{
	local_sink(ev, ctx);
}

/* First iteration: hello, the history, history_end, then the task. */
static void
on_kick(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct client *c = ctx;
	cJSON *snap = local_snapshot(c);

	(void)l;
	(void)t;
	c->dispatching++;
	deliver(c, &(struct event){ .type = EVENT_HELLO, .protocol = PROTOCOL_VERSION,
				    .session = engine_session_id(c->e), .data = snap });
	cJSON_Delete(snap);
	int n = engine_history(c->e, local_history, c);

	deliver(c, &(struct event){ .type = EVENT_HISTORY_END, .turn = n < 0 ? 0 : n });
	if (c->args.task && !c->doomed && engine_start(c->e, c->args.task) < 0) {
		char *msg = xstrdup(err_msg());

		deliver(c, &(struct event){ .type = EVENT_ERROR, .text = msg });
		deliver(c, &(struct event){ .type = EVENT_SESSION_FINISHED, .status = "failed",
					    .text = msg });
		free(msg);
	}
	c->dispatching--;
}

int
client_args_check(char *const *argv, size_t argc)
{
	struct engine_args a;
	int rc = engine_args_parse(&a, argv, argc);

	engine_args_fini(&a);
	return rc;
}

size_t
client_args_operands(char *const *argv, size_t argc, size_t *idx)
{
	return engine_args_operands(argv, argc, idx);
}

int
client_args_check_grants(char *const *argv, size_t argc)
{
	struct engine_args a;
	int rc = engine_args_parse(&a, argv, argc);

	if (rc == 0)
		rc = engine_grants_check(a.opts.grants, a.opts.ngrants, a.opts.force);
	engine_args_fini(&a);
	return rc;
}

int
client_open_local(struct client **out, struct ev_loop *loop, char *const *argv, size_t argc)
{
	struct client *c = client_alloc(loop);
	int rc;

	*out = NULL;
	c->local = true;
	if ((rc = engine_args_parse(&c->args, argv, argc)) == 0)
		c->args.opts.foreground = true; /* its locks: nobody can attach to it */
	if (rc < 0 ||
	    (rc = engine_open(&c->e, loop, &c->args.cfg, &c->args.opts)) < 0) {
		client_free(c);
		return rc;
	}
	engine_add_sink(c->e, local_sink, c);
	engine_set_reply(c->e, local_reply, c);
	cJSON_Delete(c->state);
	c->state = local_snapshot(c);
	state_sync(c);
	ev_timer_arm(loop, &c->kick, 0);
	*out = c;
	return 0;
}

int
client_local_serve(struct client *c)
{
	if (!c->local || !c->e)
		return err_set("not a foreground run's engine");
	if (c->srv)
		return 0;
	return serve_adopt(&c->srv, c->loop, c->e);
}

bool
client_local_may_exit(const struct client *c, bool stopping)
{
	return c->local && c->e && serve_may_exit(c->e, c->srv, stopping, false);
}

/*
 * Common
 */

static void
client_free(struct client *c)
{
	if (!c)
		return;
	ev_timer_disarm(c->loop, &c->drain);
	ev_timer_disarm(c->loop, &c->kick);
	if (c->fd >= 0) {
		ev_io_del(c->loop, c->fd);
		close(c->fd);
	}
	if (c->e) {
		/* Served: the socket goes last, as an engine process's
		 * (engine_main): the session is live until it is let go. */
		server_shutdown(c->srv, "the engine exits");
		engine_remove_sink(c->e, local_sink, c);
		engine_set_reply(c->e, NULL, NULL);
		engine_close(c->e);
	}
	server_close(c->srv);
	if (c->local)
		engine_args_fini(&c->args);
	cJSON_Delete(c->state);
	free(c->grants);
	free(c->error);
	buf_fini(&c->in);
	buf_fini(&c->out);
	free(c);
}

static void
on_doomed(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	client_free(ctx);
}

/* Close our connection to the engine (socket clients). */
static void
hang_up(struct client *c)
{
	if (c->fd >= 0) {
		ev_io_del(c->loop, c->fd);
		close(c->fd);
		c->fd = -1;
	}
}

/* An engine exits once we are gone and its pending jobs are done, when no
 * task runs and no other client is attached (serve.c's exit rule), and
 * until then it holds its folders' and its session's locks. Wait for it (at
 * most CLIENT_ENGINE_EXIT_MS, after our connection is closed), so that
 * whatever comes next (another workbench on the same folder at once,
 * `deskhand run --resume` of the session just quit, or this one switching
 * to a session) does not find them held by an engine on its way out: one
 * that client_spawn() started (our child: reaped), or one we connected to
 * (`deskhand attach`: its pid from hello, watched through a pidfd opened
 * while our connection still keeps it, so the pid is its own). Not from a
 * loop handler: it blocks. An engine whose task runs, or that another
 * client is attached to, goes on without us, and is not waited for; nor
 * is any after client_no_exit_wait() (nobody is left to run what comes
 * next). */
static void
wait_engine_exit(struct client *c)
{
	pid_t pid = c->engine > 0 ? c->engine : c->st.engine_pid;
	uint64_t until = ev_now_ms() + CLIENT_ENGINE_EXIT_MS;

	if (c->local || c->no_exit_wait || pid <= 0 ||
	    (c->st.session && (c->st.busy || c->st.clients > 1)))
		return;
	if (c->engine <= 0) {
		int fd = pidfd_open(pid, 0);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left;

		hang_up(c);
		if (fd < 0)
			return; /* gone already */
		/* readable once the process has exited */
		while ((left = (int64_t)(until - ev_now_ms())) > 0 && poll(&p, 1, (int)left) < 0 &&
		       errno == EINTR)
			;
		close(fd);
		return;
	}
	ev_child_forget(c->loop, pid);
	hang_up(c);
	/* 0 while it runs; the pid once reaped; -1 (ECHILD) if it already was */
	while (waitpid(pid, NULL, WNOHANG) == 0 && ev_now_ms() < until)
		poll(NULL, 0, 5);
}

void
client_close(struct client *c)
{
	if (!c)
		return;
	if (c->dispatching) { /* from a handler: once it returns */
		c->doomed = true;
		c->fn = NULL;
		if (c->local) { /* maybe deep in the engine: on the next iteration */
			ev_timer_disarm(c->loop, &c->kick);
			ev_timer_init(&c->kick, on_doomed, c);
			ev_timer_arm(c->loop, &c->kick, 0);
		}
		return;
	}
	wait_engine_exit(c);
	client_free(c);
}

void
client_no_exit_wait(struct client *c)
{
	c->no_exit_wait = true;
}

void
client_set_handler(struct client *c, client_event_fn *fn, void *ctx)
{
	c->fn = fn;
	c->ctx = ctx;
}

int
client_send(struct client *c, struct command *cmd)
{
	if (c->closed || c->doomed)
		return err_set("the engine is gone: %s", c->error ? c->error : "closed");
	if (!cmd->req)
		cmd->req = xasprintf("c%lu", ++c->next_req);
	if (c->local) {
		engine_request(c->e, cmd, 0);
		return 0;
	}
	cJSON *j = command_to_json(cmd);
	char *s = json_print(j);

	cJSON_Delete(j);
	buf_puts(&c->out, s);
	buf_putc(&c->out, '\n');
	free(s);
	write_out(c);
	watch_io(c);
	return c->closed ? err_set("the engine is gone: %s", c->error) : 0;
}

const struct client_state *
client_state(const struct client *c)
{
	if (c->local && c->e) {
		/* The engine is here: its busy/settled are exact. The struct is
		 * the client's own storage, refreshed in place. */
		struct client *m = (struct client *)c;

		m->st.busy = engine_is_busy(c->e);
		m->st.settled = engine_is_settled(c->e);
	}
	return &c->st;
}

bool
client_closed(const struct client *c)
{
	return c->closed;
}

const char *
client_error(const struct client *c)
{
	return c->error;
}
