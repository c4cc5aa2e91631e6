/* SPDX-License-Identifier: MIT */
/*
 * MCP's stdio transport (specification 2025-11-25 and 2026-07-28,
 * basic/transports#stdio): the server is our child; messages are JSON-RPC
 * objects, one per line (UTF-8, no embedded newline), on its stdin and
 * stdout; its stderr goes to the fd the host gave. A line longer than
 * max_message is dropped (and fails the call it answers) rather than kept.
 */
#include "mcp/mcp_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/proc.h"
#include "core/xalloc.h"

#define HEAD_KEEP 256 /* bytes kept of a dropped line, to find its id */

struct stdio_tr {
	struct mcp_server *s;
	struct proc *proc;
	int in;		   /* the write end of the child's stdin, -1 once closed */
	struct buf out;	   /* bytes waiting to be written */
	struct buf line;   /* the current incoming line */
	size_t dropping;   /* > 0: bytes of an oversized line being skipped */
	char head[HEAD_KEEP];
	size_t headlen;
};

static void
close_in(struct stdio_tr *t)
{
	if (t->in < 0)
		return;
	ev_io_del(t->s->loop, t->in);
	close(t->in);
	t->in = -1;
}

static void
flush_out(struct stdio_tr *t)
{
	while (t->out.len > 0 && t->in >= 0) {
		ssize_t n = write(t->in, t->out.ptr, t->out.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) { /* EPIPE: the server closed its stdin; its exit tells the rest */
			buf_clear(&t->out);
			close_in(t);
			return;
		}
		buf_consume(&t->out, (size_t)n);
	}
	if (t->in >= 0 && t->out.len == 0)
		ev_io_del(t->s->loop, t->in);
}

static void
on_writable(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	(void)l;
	(void)fd;
	(void)revents;
	flush_out(ctx);
}

static void
line_done(struct stdio_tr *t)
{
	struct mcp_server *s = t->s;

	if (t->dropping) {
		mcp_incoming_too_big(s, t->head, t->headlen, t->dropping);
		t->dropping = 0;
		t->headlen = 0;
		return;
	}
	size_t n = t->line.len;
	while (n > 0 && (t->line.ptr[n - 1] == '\r' || t->line.ptr[n - 1] == ' '))
		n--;
	if (n > 0)
		mcp_incoming(s, t->line.ptr, n);
	buf_clear(&t->line);
}

static void
on_output(struct proc *p, const char *data, size_t len, void *ctx)
{
	struct stdio_tr *t = ctx;
	size_t max = t->s->max_message;

	(void)p;
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) : len;
		if (t->dropping) {
			t->dropping += take;
		} else if (t->line.len + take > max) {
			size_t keep = t->line.len < HEAD_KEEP ? t->line.len : HEAD_KEEP;
			memcpy(t->head, t->line.ptr, keep);
			if (keep < HEAD_KEEP) {
				size_t more = take < HEAD_KEEP - keep ? take : HEAD_KEEP - keep;
				memcpy(t->head + keep, data, more);
				keep += more;
			}
			t->headlen = keep;
			t->dropping = t->line.len + take;
			buf_fini(&t->line);
		} else {
			buf_add(&t->line, data, take);
		}
		if (!nl)
			break;
		line_done(t);
		data = nl + 1;
		len -= take + 1;
	}
}

static void
on_child_exit(struct proc *p, int wstatus, struct buf *output, bool truncated, void *ctx)
{
	struct stdio_tr *t = ctx;

	(void)p;
	(void)output;
	(void)truncated;
	/* A last message without its newline is kept when it is whole; one cut
	 * off by the exit is dropped: the exit is what the call learns. */
	if (t->dropping)
		mcp_log(t->s, "warning", "%s exited inside a message too large to keep", t->s->name);
	else if (t->line.len > 0)
		mcp_incoming_last(t->s, t->line.ptr, t->line.len);
	buf_clear(&t->line);
	close_in(t);
	if (WIFEXITED(wstatus))
		mcp_transport_closed(t->s, MCP_CLOSED, "connector %s exited with status %d",
				     t->s->name, WEXITSTATUS(wstatus));
	else
		mcp_transport_closed(t->s, MCP_CLOSED, "connector %s was killed by signal %d",
				     t->s->name, WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
}

static int
stdio_start(struct mcp_server *s)
{
	int pfd[2];

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return err_set("pipe2: %s", strerror(errno));
	struct stdio_tr *t = xcalloc(1, sizeof *t);
	t->s = s;
	t->in = pfd[1];
	struct proc_spec ps = {
		.argv = (const char *const *)s->argv.v,
		.envp = s->has_envp ? (const char *const *)s->envp.v : NULL,
		.cwd = s->cwd,
		.stdin_fd = pfd[0],
		.on_output = on_output,
		.stderr_apart = true,
		.stderr_fd = s->stderr_fd,
		.keep_fds = s->keep_fds,
		.nkeep_fds = s->nkeep_fds,
	};
	int rc = proc_spawn(&t->proc, s->loop, &ps, on_child_exit, t);
	close(pfd[0]);
	if (rc < 0) {
		close(pfd[1]);
		free(t);
		return rc;
	}
	fcntl(t->in, F_SETFL, fcntl(t->in, F_GETFL) | O_NONBLOCK);
	s->tr = t;
	return 0;
}

static int
stdio_send(struct mcp_server *s, const cJSON *msg, struct mcp_call *call)
{
	struct stdio_tr *t = s->tr;
	char *text = json_print(msg); /* compact: never a raw newline inside */

	(void)call;
	if (t->in < 0) {
		free(text);
		return err_set("MCP server %s: its stdin is closed", s->name);
	}
	buf_puts(&t->out, text);
	buf_putc(&t->out, '\n');
	free(text);
	if (ev_io_set(s->loop, t->in, POLLOUT, on_writable, t) < 0)
		return DH_EFAIL;
	return 0;
}

static void
stdio_call_gone(struct mcp_server *s, struct mcp_call *c)
{
	(void)s;
	(void)c;
}

static void
stdio_stop(struct mcp_server *s)
{
	struct stdio_tr *t = s->tr;

	if (!t)
		return;
	/* The spec's shutdown: close stdin, then SIGTERM; proc_free() ends it
	 * with SIGKILL and reaps it (no waiting on the loop). */
	close_in(t);
	proc_kill(t->proc, SIGTERM);
	proc_free(t->proc);
	buf_fini(&t->out);
	buf_fini(&t->line);
	free(t);
	s->tr = NULL;
}

const struct mcp_transport_ops mcp_stdio_ops = {
	.start = stdio_start,
	.send = stdio_send,
	.call_gone = stdio_call_gone,
	.ready = NULL,
	.stop = stdio_stop,
};
