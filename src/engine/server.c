/* SPDX-License-Identifier: MIT */
/*
 * The engine's socket server (server.h): accept, SO_PEERCRED, hello + history,
 * per-client line reader and write queue, text_delta coalescing, dropping a
 * client that falls too far behind. Never blocks the loop: a client's
 * history is read from the transcript on a thread of the server's own.
 */
#include "engine/server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/event.h"
#include "core/array.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"
#include "core/worker.h"
#include "core/xalloc.h"
#include "engine/client.h"
#include "engine/engine.h"
#include "session/session.h"

#define SERVER_READ_CHUNK  65536
#define SERVER_CLOSE_MS	   30000 /* a dropped client's last bytes: at most this long */
#define SERVER_HELLO_MS	   10000 /* a connection must say hello within this */
#define SERVER_COALESCE_MAX ((size_t)1 << 20) /* text of one merged text_delta at most */

/* One queued line. A live text_delta stays unrendered (line NULL, text set)
 * until it is about to be written, so later deltas can be merged into it. */
struct qitem {
	struct qitem *next;
	char *line; /* heap, ends with '\n' */
	size_t len, off;
	struct buf text; /* text_delta not rendered yet */
	size_t weight;	 /* bytes it counts for in `queued` */
	bool history;
	bool hold; /* where the history goes once read: nothing after it is written */
};

struct sclient {
	struct server *s;
	unsigned long id;
	int fd;
	bool attached; /* said hello */
	bool dead;     /* closed; freed by the reaper */
	bool closing;  /* "detached" queued: close once written */
	bool skipping; /* discarding the rest of an over-long line */
	struct buf in;
	struct qitem *head, *tail;
	size_t queued; /* bytes queued, history included */
	uint64_t progress_ms; /* when it last took bytes (or connected) */
	size_t hist;   /* of which history lines */
	struct ev_timer close_timer;
	char *name;
	struct qitem *hold;	    /* its history's place in the queue, while it is read */
	struct replay_job *replay;  /* the job reading it */
};

/* A client's history, read on the server's worker up to the transcript's
 * size at its hello; the live output then, rendered on the loop, follows. */
struct replay_job {
	struct server *s;
	unsigned long client;
	char *state, *id;
	bool running;
	size_t upto;
	struct qitem *head, *tail; /* the transcript's lines, rendered */
	struct qitem *live;	   /* the live output's lines at hello: after them */
	int n;			   /* events given, or a DH_E* code */
	char *err;		   /* its message then */
};

struct server {
	struct ev_loop *loop;
	struct engine *e;
	int fd;
	char *dir, *sock, *pidfile;
	bool named; /* bound (or renamed) to the session's id */
	dev_t sock_dev; /* the socket file we bound, to notice it is gone */
	ino_t sock_ino;
	struct ev_timer check;	/* every SERVER_CHECK_MS: is the socket still ours? */
	bool rebind_failed;	/* logged once until it works */
	ARRAY(struct sclient *) clients;
	unsigned long next_id;
	struct ev_timer reap;
	size_t reported; /* the client count last reported to change_fn */
	bool had_client; /* a client (not a state-only one) said hello */
	bool shut;	 /* server_shutdown(): e is NULL, nothing is read */
	server_change_fn *change_fn;
	void *change_ctx;
	struct worker *hist;		   /* reads histories */
	ARRAY(struct replay_job *) jobs;   /* posted to it, not done yet */
};

static void flush(struct sclient *c);
static ev_io_fn on_client_io;

/*
 * Queues
 */

static void
qitem_free(struct qitem *q)
{
	free(q->line);
	buf_fini(&q->text);
	free(q);
}

static void
push(struct sclient *c, struct qitem *q)
{
	if (c->tail)
		c->tail->next = q;
	else
		c->head = q;
	c->tail = q;
	c->queued += q->weight;
	if (q->history)
		c->hist += q->weight;
}

/* Queue a rendered line (heap, ending in '\n'; ownership moves). */
static void
push_line(struct sclient *c, char *line, size_t len, bool history)
{
	struct qitem *q = xcalloc(1, sizeof *q);

	q->line = line;
	q->len = q->weight = len;
	q->history = history;
	push(c, q);
}

/* Event → one heap line ending in '\n'. */
static char *
render(const struct event *ev, size_t *len)
{
	cJSON *j = event_to_json(ev);
	char *s = json_print(j);
	size_t n = strlen(s);

	cJSON_Delete(j);
	s = xrealloc(s, n + 2);
	s[n] = '\n';
	s[n + 1] = '\0';
	*len = n + 1;
	return s;
}

static void
render_delta(struct sclient *c, struct qitem *q)
{
	size_t w = q->weight;

	q->line = render(&(struct event){ .type = EVENT_TEXT_DELTA, .text = buf_cstr(&q->text) },
			 &q->len);
	buf_fini(&q->text);
	q->weight = q->len;
	c->queued = c->queued - w + q->len;
}

static void
pop(struct sclient *c)
{
	struct qitem *q = c->head;

	c->head = q->next;
	if (!c->head)
		c->tail = NULL;
	c->queued -= q->weight;
	if (q->history)
		c->hist -= q->weight;
	if (q == c->hold)
		c->hold = NULL;
	qitem_free(q);
}

/*
 * Client lifetime
 */

static size_t
attached_count(const struct server *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->clients.n; i++)
		n += s->clients.v[i]->attached && !s->clients.v[i]->dead;
	return n;
}

/* Close the connection now; the struct is freed by the reaper, so this is
 * safe anywhere (in a broadcast, in the client's own handler). */
static void
kill_client(struct sclient *c, const char *why)
{
	if (c->dead)
		return;
	log_info("client %lu (%s): %s", c->id, c->name ? c->name : "?", why);
	if (c->fd >= 0) {
		ev_io_del(c->s->loop, c->fd);
		close(c->fd);
		c->fd = -1;
	}
	ev_timer_disarm(c->s->loop, &c->close_timer);
	c->dead = true;
	ev_timer_arm(c->s->loop, &c->s->reap, 0);
}

static void
client_free(struct sclient *c)
{
	while (c->head)
		pop(c);
	buf_fini(&c->in);
	free(c->name);
	free(c);
}

static void
on_reap(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct server *s = ctx;
	size_t j = 0;

	(void)l;
	(void)t;
	for (size_t i = 0; i < s->clients.n; i++) {
		if (s->clients.v[i]->dead)
			client_free(s->clients.v[i]);
		else
			s->clients.v[j++] = s->clients.v[i];
	}
	s->clients.n = j;
	size_t n = attached_count(s);
	if (n != s->reported) {
		s->reported = n;
		if (s->change_fn)
			s->change_fn(s, s->change_ctx);
	}
}

static void
on_close_timer(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	struct sclient *c = ctx;

	kill_client(c, c->attached ? "dropped: its last bytes were not read in time"
				   : "no hello in time");
}

/* Too far behind: forget what it has not started reading, tell it why and
 * close once that is written. */
static void
drop_client(struct sclient *c)
{
	struct qitem *keep = c->head && c->head->off > 0 ? c->head : NULL;
	size_t len;

	log_warn("client %lu (%s): %zu bytes behind, dropping it", c->id,
		 c->name ? c->name : "?", c->queued);
	while (c->head && c->head != keep)
		pop(c);
	if (keep) {
		struct qitem *rest = keep->next;

		keep->next = NULL;
		c->tail = keep;
		while (rest) {
			struct qitem *n = rest->next;

			c->queued -= rest->weight;
			if (rest->history)
				c->hist -= rest->weight;
			if (rest == c->hold)
				c->hold = NULL;
			qitem_free(rest);
			rest = n;
		}
	}
	char *line = render(&(struct event){ .type = EVENT_DETACHED,
					     .session = engine_session_id(c->s->e),
					     .text = "this client fell too far behind the event "
						     "stream; attach again" },
			    &len);
	push_line(c, line, len, false);
	c->closing = true;
	ev_timer_arm(c->s->loop, &c->close_timer, SERVER_CLOSE_MS);
	flush(c);
}

/* Whether c took no byte for SERVER_STALL_MS. The loop may have been busy
 * all that time (a burst from the model on a loaded machine) and never
 * offered it the bytes, so it is offered them first: a client that reads
 * takes some and is not stalled; a stopped one takes none. False if that
 * write finds it gone (then it is dead). */
static bool
stalled(struct sclient *c)
{
	if (c->hold) /* nothing can be written before its history is read */
		return false;
	if (ev_now_ms() - c->progress_ms <= SERVER_STALL_MS)
		return false;
	flush(c);
	return !c->dead && ev_now_ms() - c->progress_ms > SERVER_STALL_MS;
}

static void
watch_events(struct sclient *c)
{
	if (c->dead)
		return;
	bool out = c->head && !c->head->hold;

	if (ev_io_set(c->s->loop, c->fd, POLLIN | (out ? POLLOUT : 0u), on_client_io, c) < 0)
		kill_client(c, err_msg());
}

/* Write what the socket takes now. */
static void
flush(struct sclient *c)
{
	while (!c->dead && c->head && !c->head->hold) {
		struct qitem *q = c->head;

		if (!q->line)
			render_delta(c, q);
		ssize_t n = write(c->fd, q->line + q->off, q->len - q->off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			kill_client(c, strerror(errno));
			return;
		}
		q->off += (size_t)n;
		c->progress_ms = ev_now_ms();
		if (q->off == q->len)
			pop(c);
	}
	if (c->dead)
		return;
	if (!c->head && c->closing) {
		kill_client(c, "dropped after its last bytes were written");
		return;
	}
	watch_events(c);
}

/* Queue one event for one client (history or live) and check its bounds. */
static void
send_event(struct sclient *c, const struct event *ev, const char *line, size_t len)
{
	if (c->dead || c->closing)
		return;
	size_t live = c->queued - c->hist;

	if (ev && ev->type == EVENT_TEXT_DELTA && ev->text) {
		size_t n = strlen(ev->text);

		if (live > SERVER_COALESCE_BYTES && c->tail && !c->tail->line && !c->tail->hold &&
		    c->tail->text.len + n <= SERVER_COALESCE_MAX) {
			buf_add(&c->tail->text, ev->text, n);
			c->tail->weight += n;
			c->queued += n;
		} else {
			struct qitem *q = xcalloc(1, sizeof *q);

			buf_add(&q->text, ev->text, n);
			q->weight = n + 32;
			push(c, q);
		}
	} else {
		char *l = line ? xstrndup(line, len) : render(ev, &len);

		push_line(c, l, len, false);
	}
	live = c->queued - c->hist;
	if (live > SERVER_DROP_BYTES && (live > SERVER_DROP_HARD || stalled(c))) {
		drop_client(c);
		return;
	}
	if (c->dead)
		return;
	if (c->head == c->tail) /* it was empty: write at once */
		flush(c);
	else
		watch_events(c);
}

static struct sclient *
find_client(struct server *s, unsigned long id)
{
	for (size_t i = 0; i < s->clients.n; i++)
		if (s->clients.v[i]->id == id && !s->clients.v[i]->dead)
			return s->clients.v[i];
	return NULL;
}

/* An event for one client only (replies, errors about its own lines). */
static void
send_to(struct server *s, unsigned long id, const struct event *ev)
{
	struct sclient *c = find_client(s, id);

	if (c)
		send_event(c, ev, NULL, 0);
}

/*
 * History
 */

/* One history event, rendered, to the end of the job's lines (on the
 * worker for the transcript's, on the loop for the live output). */
static void
replay_line(const struct event *ev, void *ctx)
{
	struct replay_job *j = ctx;
	struct qitem *q = xcalloc(1, sizeof *q);

	q->line = render(ev, &q->len);
	q->weight = q->len;
	q->history = true;
	if (j->tail)
		j->tail->next = q;
	else
		j->head = q;
	j->tail = q;
}

static int
replay_run(void *ctx)
{
	struct replay_job *j = ctx;

	j->n = engine_history_replay_upto(j->state, j->id, j->running, j->upto, replay_line, j);
	if (j->n < 0)
		j->err = xstrdup(err_msg());
	return 0;
}

static void
replay_free(struct replay_job *j)
{
	for (struct qitem *q = j->head, *n; q; q = n) {
		n = q->next;
		qitem_free(q);
	}
	for (struct qitem *q = j->live, *n; q; q = n) {
		n = q->next;
		qitem_free(q);
	}
	free(j->state);
	free(j->id);
	free(j->err);
	free(j);
}

/* The job's lines, the live output's and history_end in place of c's hold. */
static void
replay_fill(struct sclient *c, struct replay_job *j)
{
	int n = j->n;
	struct qitem **at = &c->head, *end = xcalloc(1, sizeof *end);

	if (n < 0) {
		log_warn("history of %s: %s", j->id, j->err ? j->err : "unreadable");
		n = 0;
	}
	for (struct qitem *q = j->live; q; q = q->next)
		n += n < INT_MAX;
	if (j->tail)
		j->tail->next = j->live;
	else
		j->head = j->live;
	j->live = NULL;
	end->line = render(&(struct event){ .type = EVENT_HISTORY_END, .turn = n }, &end->len);
	end->weight = end->len;
	end->history = true;
	for (struct qitem *q = j->head; q; q = q->next) {
		c->queued += q->weight;
		c->hist += q->weight;
		if (!q->next) {
			q->next = end;
			break;
		}
	}
	c->queued += end->weight;
	c->hist += end->weight;
	while (*at != c->hold)
		at = &(*at)->next;
	end->next = c->hold->next;
	*at = j->head ? j->head : end;
	if (c->tail == c->hold)
		c->tail = end;
	qitem_free(c->hold);
	c->hold = NULL;
	j->head = j->tail = NULL;
	log_info("client %lu (%s) attached; %d history records", c->id, c->name ? c->name : "?",
		 n);
	c->progress_ms = ev_now_ms();
	flush(c);
}

static void
replay_done(int rc, const char *errmsg, void *ctx)
{
	struct replay_job *j = ctx;
	struct server *s = j->s;
	struct sclient *c = find_client(s, j->client);

	(void)rc;
	(void)errmsg;
	for (size_t i = 0; i < s->jobs.n; i++)
		if (s->jobs.v[i] == j)
			s->jobs.v[i--] = s->jobs.v[--s->jobs.n];
	if (c && c->replay == j) {
		c->replay = NULL;
		if (c->hold && !s->shut)
			replay_fill(c, j);
	}
	replay_free(j);
}

/* Take the hold out of c's queue: its history will not come. */
static void
unhold(struct sclient *c)
{
	struct qitem **at = &c->head, *prev = NULL;

	if (!c->hold)
		return;
	c->replay = NULL;
	while (*at != c->hold) {
		prev = *at;
		at = &(*at)->next;
	}
	*at = c->hold->next;
	if (c->tail == c->hold)
		c->tail = prev;
	qitem_free(c->hold);
	c->hold = NULL;
}

/* c's history: read on the worker, up to the transcript's size now (what is
 * appended later comes live, after it); the live output now. Until then
 * c's queue holds its place and writes nothing after it. */
static void
replay_start(struct server *s, struct sclient *c)
{
	const char *id = engine_session_id(s->e);
	struct replay_job *j = xcalloc(1, sizeof *j);
	char *path = xasprintf("%s/sessions/%s/transcript.jsonl", engine_state_dir(s->e), id);
	struct stat st;

	j->s = s;
	j->client = c->id;
	j->state = xstrdup(engine_state_dir(s->e));
	j->id = xstrdup(id);
	j->running = engine_is_busy(s->e);
	j->upto = stat(path, &st) == 0 ? (size_t)st.st_size : 0;
	free(path);
	/* the live output goes after the transcript's lines: collected in
	 * `head` now, moved to `live` */
	(void)engine_live_output(s->e, replay_line, j);
	j->live = j->head;
	j->head = j->tail = NULL;
	c->hold = xcalloc(1, sizeof *c->hold);
	c->hold->hold = true;
	push(c, c->hold);
	c->replay = j;
	ARRAY_PUSH(&s->jobs, j);
	worker_post(s->hist, replay_run, replay_done, j);
}

/*
 * Socket names
 */

static int
write_pidfile(struct server *s)
{
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());

	return fsutil_write_atomic(s->pidfile, pid, (size_t)n);
}

/* Once the first task created the session: new-PID.sock → ID.sock. */
static void
maybe_rename(struct server *s)
{
	const char *id = engine_session_id(s->e);

	if (s->named || !id)
		return;
	char *sock = xasprintf("%s/%s.sock", s->dir, id);
	char *pidf = xasprintf("%s/%s.pid", s->dir, id);
	if (rename(s->sock, sock) < 0) {
		log_warn("rename %s → %s: %s", s->sock, sock, strerror(errno));
		free(sock);
		free(pidf);
		return;
	}
	if (rename(s->pidfile, pidf) < 0)
		log_warn("rename %s → %s: %s", s->pidfile, pidf, strerror(errno));
	log_info("listening on %s (session %s)", sock, id);
	free(s->sock);
	free(s->pidfile);
	s->sock = sock;
	s->pidfile = pidf;
	s->named = true;
}

/*
 * Events in, commands out
 */

static void
on_event(const struct event *ev, void *ctx)
{
	struct server *s = ctx;
	char *line = NULL;
	size_t len = 0;

	maybe_rename(s);
	for (size_t i = 0; i < s->clients.n; i++) {
		struct sclient *c = s->clients.v[i];

		if (!c->attached || c->dead || c->closing)
			continue;
		if (ev->type != EVENT_TEXT_DELTA && !line)
			line = render(ev, &len);
		send_event(c, ev, line, len);
	}
	free(line);
}

static void
send_error(struct server *s, unsigned long to, const char *msg, const char *re)
{
	send_to(s, to, &(struct event){ .type = EVENT_ERROR, .text = msg, .re = re });
}

static void
on_reply(const struct event *ev, unsigned long to, void *ctx)
{
	struct server *s = ctx;

	maybe_rename(s);
	send_to(s, to, ev);
}

/* Parse one command line; 0 or DH_EPARSE. On failure *req is the wire "id"
 * (heap) when the line had one, so the error can carry it back. */
static int
parse_command(struct command *out, const char *line, size_t len, char **req)
{
	int rc = command_parse(out, line, len);

	*req = NULL;
	if (rc < 0) {
		cJSON *o = cJSON_ParseWithLength(line, len);
		const char *id = json_str(o, "id");

		*req = id ? xstrdup(id) : NULL;
		cJSON_Delete(o);
	}
	return rc;
}

static void
say_hello(struct server *s, struct sclient *c, const struct command *h)
{
	size_t len;

	if (h->protocol != PROTOCOL_VERSION) {
		char msg[96];

		snprintf(msg, sizeof msg, "hello: protocol %d is not supported (this engine speaks %d)",
			 h->protocol, PROTOCOL_VERSION);
		send_event(c, &(struct event){ .type = EVENT_ERROR, .text = msg, .re = h->req },
			   NULL, 0);
		c->closing = true;
		ev_timer_arm(s->loop, &c->close_timer, SERVER_CLOSE_MS);
		flush(c);
		return;
	}
	c->attached = true;
	ev_timer_disarm(s->loop, &c->close_timer);
	cJSON *state = engine_snapshot(s->e);
	json_add_num(state, "clients", (double)attached_count(s));
	char *line = render(&(struct event){ .type = EVENT_HELLO, .protocol = PROTOCOL_VERSION,
					     .session = engine_session_id(s->e), .data = state,
					     .re = h->req },
			    &len);
	cJSON_Delete(state);
	push_line(c, line, len, true);
	if (h->state_only) { /* deskhand ls: no history to read and send */
		log_info("client %lu (%s) asked for the state only", c->id,
			 c->name ? c->name : "?");
		flush(c);
		return;
	}
	if (engine_session_id(s->e)) {
		replay_start(s, c);
	} else {
		struct replay_job j = { .s = s };
		int n = engine_live_output(s->e, replay_line, &j);

		for (struct qitem *q = j.head, *next; q; q = next) {
			next = q->next;
			q->next = NULL;
			push(c, q);
		}
		line = render(&(struct event){ .type = EVENT_HISTORY_END, .turn = n }, &len);
		push_line(c, line, len, true);
		log_info("client %lu (%s) attached; %d history records", c->id,
			 c->name ? c->name : "?", n);
	}
	/* Here, not from the count the reaper reports: a client that leaves
	 * while its history is written (a write fails, and it is dead at
	 * once) is never counted there. */
	s->had_client = true;
	ev_timer_arm(s->loop, &s->reap, 0); /* report the new count */
	flush(c);
}

static void
handle_line(struct server *s, struct sclient *c, const char *line, size_t len)
{
	struct command cmd;
	char *req = NULL;

	if (len == 0)
		return;
	if (parse_command(&cmd, line, len, &req) < 0) {
		send_error(s, c->id, err_msg(), req);
		free(req);
		return;
	}
	free(req);
	if (!c->attached && cmd.type == COMMAND_NOTICE) {
		/* Another engine's notification (engine/notify.h): no hello, no reply. */
		engine_request(s->e, &cmd, c->id);
	} else if (!c->attached) {
		if (cmd.type != COMMAND_HELLO) {
			send_error(s, c->id, "say hello first: {\"type\":\"hello\",\"protocol\":1}",
				   cmd.req);
		} else {
			/* kept printable: it goes into the log as it is */
			struct buf nm = BUF_INIT;

			c->name = cmd.text ? xstrdup(utf8_sanitized(&nm, cmd.text)) : NULL;
			buf_fini(&nm);
			say_hello(s, c, &cmd);
		}
	} else if (cmd.type == COMMAND_HELLO) {
		send_error(s, c->id, "hello already received on this connection", cmd.req);
	} else {
		engine_request(s->e, &cmd, c->id);
	}
	command_fini(&cmd);
}

static void
on_client_io(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct sclient *c = ctx;
	struct server *s = c->s;
	char chunk[SERVER_READ_CHUNK];

	(void)l;
	(void)fd;
	if (revents & POLLOUT)
		flush(c);
	if (c->dead || !(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	ssize_t n = read(c->fd, chunk, sizeof chunk);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		kill_client(c, n == 0 ? "disconnected" : strerror(errno));
		return;
	}
	for (const char *p = chunk, *end = chunk + n; p < end && !c->dead;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t take = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (c->skipping) {
			c->skipping = !nl;
		} else if (c->in.len + take > SERVER_MAX_LINE) {
			char msg[80];

			snprintf(msg, sizeof msg, "command line longer than %zu bytes: dropped",
				 SERVER_MAX_LINE);
			send_error(s, c->id, msg, NULL);
			buf_clear(&c->in);
			c->skipping = !nl;
		} else {
			buf_add(&c->in, p, take);
			if (nl) {
				handle_line(s, c, buf_cstr(&c->in), c->in.len);
				buf_clear(&c->in);
			}
		}
		p += take + (nl != NULL);
	}
}

static bool
peer_is_us(int fd, struct ucred *cr)
{
	socklen_t len = sizeof *cr;

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cr, &len) == 0 && cr->uid == getuid();
}

static void
on_accept(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct server *s = ctx;

	(void)revents;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ucred cr = { .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };

		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("accept: %s", strerror(errno));
			if (errno != EINTR)
				return;
			continue;
		}
		if (!peer_is_us(cfd, &cr)) {
			log_warn("refused a connection from uid %ld (pid %ld): not uid %ld",
				 (long)cr.uid, (long)cr.pid, (long)getuid());
			close(cfd);
			continue;
		}
		struct sclient *c = xcalloc(1, sizeof *c);

		c->s = s;
		c->id = ++s->next_id;
		c->fd = cfd;
		c->progress_ms = ev_now_ms();
		ev_timer_init(&c->close_timer, on_close_timer, c);
		ARRAY_PUSH(&s->clients, c);
		ev_timer_arm(l, &c->close_timer, SERVER_HELLO_MS);
		if (ev_io_set(l, cfd, POLLIN, on_client_io, c) < 0)
			kill_client(c, err_msg());
		else
			log_info("client %lu connected (pid %ld)", c->id, (long)cr.pid);
	}
}

/*
 * Setup
 */

/* s->sock and s->pidfile in s->dir: ID.* once the engine has a session,
 * else new-PID.*. */
static void
set_paths(struct server *s)
{
	const char *id = engine_session_id(s->e);
	char name[64];

	s->named = id != NULL;
	if (id)
		snprintf(name, sizeof name, "%s", id);
	else
		snprintf(name, sizeof name, "new-%ld", (long)getpid());
	free(s->sock);
	free(s->pidfile);
	s->sock = xasprintf("%s/%s.sock", s->dir, name);
	s->pidfile = xasprintf("%s/%s.pid", s->dir, name);
}

int
server_check_dir(const char *dir)
{
	struct sockaddr_un sa;
	size_t len = strlen(dir) + 1 + SESSION_ID_LEN + strlen(".sock");

	if (len < sizeof sa.sun_path)
		return 0;
	return err_set("socket directory %s: too long for a session's socket (%zu bytes with "
		       "its ID.sock, at most %zu); set XDG_RUNTIME_DIR to a shorter directory",
		       dir, len, sizeof sa.sun_path - 1);
}

/* Bind and listen on s->sock and write s->pidfile; the new listening socket
 * replaces s->fd. 0, or DH_EFAIL with a message naming the path (s->fd is
 * then unchanged). */
static int
bind_listen(struct server *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(s->sock) >= sizeof sa.sun_path)
		return err_set("%s: socket path too long (at most %zu bytes)", s->sock,
			       sizeof sa.sun_path - 1);
	memcpy(sa.sun_path, s->sock, strlen(s->sock) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set("socket: %s", strerror(errno));
	/* A socket file left by an engine that died: nobody listens on it (a
	 * live engine of this session would hold the session's lock). */
	unlink(s->sock);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || chmod(s->sock, 0600) < 0 ||
	    listen(fd, 16) < 0 || lstat(s->sock, &st) < 0) {
		err_set("%s: %s", s->sock, strerror(errno));
		close(fd);
		return DH_EFAIL;
	}
	/* Where a client with another $XDG_RUNTIME_DIR (or none) finds us;
	 * before the pid file, which tells a client we are there. */
	if (client_socket_dir_record(s->dir) < 0)
		log_warn("%s", err_msg());
	if (write_pidfile(s) < 0 || ev_io_set(s->loop, fd, POLLIN, on_accept, s) < 0) {
		unlink(s->sock);
		close(fd);
		return DH_EFAIL;
	}
	if (s->fd >= 0) {
		ev_io_del(s->loop, s->fd);
		close(s->fd);
	}
	s->fd = fd;
	s->sock_dev = st.st_dev;
	s->sock_ino = st.st_ino;
	return 0;
}

/* Whether s->sock is still the socket we bound. */
static bool
sock_is_ours(const struct server *s)
{
	struct stat st;

	return lstat(s->sock, &st) == 0 && st.st_dev == s->sock_dev && st.st_ino == s->sock_ino;
}

/* The socket file went away under us (a logout: systemd-logind removes
 * $XDG_RUNTIME_DIR with everything in it, while a detached engine lives on),
 * and no client could find this engine any more: bind again in the socket
 * directory as it is now (created 0700 again, or /tmp/deskhand-UID when
 * $XDG_RUNTIME_DIR is gone). One lstat per SERVER_CHECK_MS, never blocking. */
static void
on_check(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct server *s = ctx;
	char *dir, *old;

	ev_timer_arm(l, t, SERVER_CHECK_MS);
	if (sock_is_ours(s)) {
		if (access(s->pidfile, F_OK) < 0 && errno == ENOENT && write_pidfile(s) < 0)
			log_warn("pid file: %s", err_msg());
		return;
	}
	old = xstrdup(s->sock);
	if ((dir = client_socket_dir())) {
		free(s->dir);
		s->dir = dir;
		set_paths(s);
	}
	if (!dir || bind_listen(s) < 0) {
		if (!s->rebind_failed)
			log_warn("socket %s is gone; listening again failed: %s", old, err_msg());
		s->rebind_failed = true;
	} else {
		log_warn("socket %s is gone (its directory removed?); listening again on %s",
			 old, s->sock);
		s->rebind_failed = false;
	}
	free(old);
}

int
server_open(struct server **out, struct ev_loop *loop, struct engine *e, const char *dir)
{
	struct server *s = xcalloc(1, sizeof *s);

	*out = NULL;
	s->loop = loop;
	s->e = e;
	s->fd = -1;
	s->dir = xstrdup(dir);
	set_paths(s);
	ev_timer_init(&s->reap, on_reap, s);
	ev_timer_init(&s->check, on_check, s);
	if (worker_new(&s->hist, loop) < 0 || bind_listen(s) < 0) {
		worker_free(s->hist);
		free(s->dir);
		free(s->sock);
		free(s->pidfile);
		free(s);
		return DH_EFAIL;
	}
	engine_add_sink(e, on_event, s);
	engine_set_reply(e, on_reply, s);
	ev_timer_arm(loop, &s->check, SERVER_CHECK_MS);
	log_info("listening on %s", s->sock);
	*out = s;
	return 0;
}

void
server_shutdown(struct server *s, const char *reason)
{
	if (!s || s->shut)
		return;
	s->shut = true;
	engine_remove_sink(s->e, on_event, s);
	engine_set_reply(s->e, NULL, NULL);
	for (size_t i = 0; i < s->clients.n; i++) {
		struct sclient *c = s->clients.v[i];

		unhold(c); /* its history will not come: the line below goes out */
		if (c->attached && !c->dead && !c->closing && reason) {
			size_t len;
			char *line = render(&(struct event){ .type = EVENT_DETACHED,
							     .session = engine_session_id(s->e),
							     .text = reason },
					    &len);
			push_line(c, line, len, false);
			flush(c); /* best effort: what the socket takes now */
		}
		/* Open, but read no more: its end comes with server_close(). */
		if (c->fd >= 0)
			ev_io_del(s->loop, c->fd);
		ev_timer_disarm(s->loop, &c->close_timer);
	}
	ev_timer_disarm(s->loop, &s->reap);
	ev_timer_disarm(s->loop, &s->check);
	/* Still bound and listening: a client that connects now waits in the
	 * backlog, and is hung up on by server_close() (an exiting engine). */
	ev_io_del(s->loop, s->fd);
	s->e = NULL;
}

void
server_close(struct server *s)
{
	if (!s)
		return;
	if (!s->shut)
		server_shutdown(s, NULL);
	worker_free(s->hist); /* the jobs still queued run, their done does not */
	for (size_t i = 0; i < s->jobs.n; i++)
		replay_free(s->jobs.v[i]);
	ARRAY_FREE(&s->jobs);
	for (size_t i = 0; i < s->clients.n; i++) {
		struct sclient *c = s->clients.v[i];

		kill_client(c, "the engine exits");
		client_free(c);
	}
	ARRAY_FREE(&s->clients);
	ev_timer_disarm(s->loop, &s->reap); /* armed by kill_client() */
	close(s->fd);
	unlink(s->sock);
	unlink(s->pidfile);
	client_socket_dir_forget();
	free(s->dir);
	free(s->sock);
	free(s->pidfile);
	free(s);
}

void
server_set_change(struct server *s, server_change_fn *fn, void *ctx)
{
	s->change_fn = fn;
	s->change_ctx = ctx;
}

size_t
server_client_count(const struct server *s)
{
	return attached_count(s);
}

bool
server_had_client(const struct server *s)
{
	return s->had_client;
}

size_t
server_connection_count(const struct server *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->clients.n; i++)
		n += !s->clients.v[i]->dead;
	return n;
}

const char *
server_socket_path(const struct server *s)
{
	return s->sock;
}
