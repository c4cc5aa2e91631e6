/* SPDX-License-Identifier: MIT */
/*
 * Notifications (notify.h): the broadcast to the other live engines, the
 * desktop notification and the notify_command hook. It decides nothing about
 * when to tell: the engine calls notify_send() on the events that matter.
 */
#include "engine/notify.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/event.h"
#include "core/array.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/log.h"
#include "core/proc.h"
#include "core/strv.h"
#include "core/xalloc.h"
#include "engine/client.h"

struct child {
	struct notify *n;
	struct proc *proc;
	char *what; /* "notify-send", "notify_command" */
	bool done;
};

struct notify {
	struct ev_loop *loop;
	char *command;
	ARRAY(struct child *) children;
	struct ev_timer reap;    /* frees the children that ended (not from their callback) */
	struct ev_timer timeout; /* kills the children that run too long */
};

static void
on_reap(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct notify *n = ctx;
	size_t k = 0;

	(void)l;
	(void)t;
	for (size_t i = 0; i < n->children.n; i++) {
		struct child *c = n->children.v[i];

		if (!c->done) {
			n->children.v[k++] = c;
			continue;
		}
		proc_free(c->proc);
		free(c->what);
		free(c);
	}
	n->children.n = k;
	if (!k)
		ev_timer_disarm(n->loop, &n->timeout);
}

static void
on_timeout(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct notify *n = ctx;

	(void)l;
	(void)t;
	for (size_t i = 0; i < n->children.n; i++) {
		if (n->children.v[i]->done)
			continue;
		log_warn("%s still runs after %d s: killed", n->children.v[i]->what,
			 NOTIFY_TIMEOUT_MS / 1000);
		proc_kill(n->children.v[i]->proc, SIGKILL);
	}
}

static void
on_exit_child(struct proc *p, int ws, struct buf *out, bool truncated, void *ctx)
{
	struct child *c = ctx;

	(void)p;
	(void)truncated;
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		log_warn("%s failed (%s %d): %.200s", c->what,
			 WIFEXITED(ws) ? "exit status" : "signal",
			 WIFEXITED(ws) ? WEXITSTATUS(ws) : WTERMSIG(ws), buf_cstr(out));
	c->done = true;
	ev_timer_arm(c->n->loop, &c->n->reap, 0);
}

static void
spawn(struct notify *n, const char *what, const char *const *argv, const char *const *envp)
{
	struct child *c = xcalloc(1, sizeof *c);
	struct proc_spec spec = { .argv = argv, .envp = envp, .stdin_fd = -1, .output_cap = 4096 };

	c->n = n;
	c->what = xstrdup(what);
	if (proc_spawn(&c->proc, n->loop, &spec, on_exit_child, c) < 0) {
		log_warn("%s: %s", what, err_msg());
		free(c->what);
		free(c);
		return;
	}
	ARRAY_PUSH(&n->children, c);
	if (!ev_timer_is_armed(&n->timeout))
		ev_timer_arm(n->loop, &n->timeout, NOTIFY_TIMEOUT_MS);
}

/* One "notice" line to the engine listening on `path`: a non-blocking
 * connect and write; an engine that does not take it at once misses it. */
static void
tell_engine(const char *path, const char *line, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof sa.sun_path)
		return;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		ssize_t w = send(fd, line, len, MSG_NOSIGNAL);

		if (w != (ssize_t)len)
			log_info("notice to %s: %s", path, w < 0 ? strerror(errno) : "short write");
	}
	close(fd);
}

static void
broadcast(const char *session, const char *status, const char *summary, const char *origin,
	  const char *self_sock)
{
	struct strv dirs = { 0 };
	struct command c = { .type = COMMAND_NOTICE, .session = (char *)session,
			     .status = (char *)status, .text = (char *)summary,
			     .origin = (char *)origin };
	cJSON *o = command_to_json(&c);
	char *js = json_print(o);
	char *line = xasprintf("%s\n", js);

	/* every engine: those listening where $XDG_RUNTIME_DIR was unset too */
	if (client_socket_dirs(&dirs) < 0)
		log_info("notice: %s", err_msg());
	for (size_t i = 0; i < dirs.n; i++) {
		DIR *d = opendir(dirs.v[i]);
		struct dirent *de;

		while (d && (de = readdir(d))) {
			size_t l = strlen(de->d_name);

			if (l < 6 || strcmp(de->d_name + l - 5, ".sock") != 0)
				continue;
			char *path = xasprintf("%s/%s", dirs.v[i], de->d_name);

			if (!self_sock || strcmp(path, self_sock) != 0)
				tell_engine(path, line, strlen(line));
			free(path);
		}
		if (d)
			closedir(d);
	}
	strv_free(&dirs);
	free(line);
	free(js);
	cJSON_Delete(o);
}

void
notify_send(struct notify *n, const char *session, const char *status, const char *summary,
	    const char *origin, const char *self_sock)
{
	const char *sched = origin && !strncmp(origin, "schedule:", 9) ? origin + 9 : "";

	log_info("notice: session %s %s: %s", session, status, summary);
	broadcast(session, status, summary, origin, self_sock);
	const char *bus = getenv("DBUS_SESSION_BUS_ADDRESS");
	char *ns = bus && *bus ? fsutil_which("notify-send") : NULL;
	if (ns) {
		char *title = *sched ? xasprintf("deskhand: %s %s", sched, status)
				     : xasprintf("deskhand: %s", status);
		char *body = xasprintf("%s\nsession %s", summary, session);
		const char *argv[] = { ns, "--app-name=deskhand", title, body, NULL };

		spawn(n, "notify-send", argv, NULL);
		free(title);
		free(body);
		free(ns);
	}
	if (n->command && *n->command) {
		extern char **environ;
		struct strv env = { 0 };
		static const char *const ours[] = { "DESKHAND_SESSION=", "DESKHAND_STATUS=",
						    "DESKHAND_SUMMARY=", "DESKHAND_SCHEDULE=" };

		for (char **e = environ; e && *e; e++) {
			bool mine = false;

			for (size_t i = 0; i < sizeof ours / sizeof *ours; i++)
				mine |= !strncmp(*e, ours[i], strlen(ours[i]));
			if (!mine)
				strv_add(&env, *e);
		}
		const char *vals[] = { session, status, summary, sched };
		for (size_t i = 0; i < sizeof ours / sizeof *ours; i++) {
			char *kv = xasprintf("%s%s", ours[i], vals[i]);

			strv_add(&env, kv);
			free(kv);
		}
		ARRAY_PUSH(&env, NULL); /* the terminator, kept past n */
		env.n--;
		const char *argv[] = { "/bin/sh", "-c", n->command, NULL };
		spawn(n, "notify_command", argv, (const char *const *)env.v);
		strv_free(&env);
	}
}

void
notify_new(struct notify **out, struct ev_loop *loop, const char *command)
{
	struct notify *n = xcalloc(1, sizeof *n);

	n->loop = loop;
	n->command = command && *command ? xstrdup(command) : NULL;
	ev_timer_init(&n->reap, on_reap, n);
	ev_timer_init(&n->timeout, on_timeout, n);
	*out = n;
}

size_t
notify_pending(const struct notify *n)
{
	size_t k = 0;

	for (size_t i = 0; n && i < n->children.n; i++)
		k += !n->children.v[i]->done;
	return k;
}

void
notify_free(struct notify *n)
{
	if (!n)
		return;
	ev_timer_disarm(n->loop, &n->reap);
	ev_timer_disarm(n->loop, &n->timeout);
	for (size_t i = 0; i < n->children.n; i++) {
		proc_free(n->children.v[i]->proc);
		free(n->children.v[i]->what);
		free(n->children.v[i]);
	}
	ARRAY_FREE(&n->children);
	free(n->command);
	free(n);
}
