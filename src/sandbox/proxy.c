/* SPDX-License-Identifier: MIT */
/*
 * The egress proxy's sockets: accept, read one request head, ask the egress
 * policy, connect to the pinned address, splice. The policy itself (what may
 * be reached, DNS, address classes) is egress.c.
 */
#include "sandbox/proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/ev.h"
#include "core/xalloc.h"
#include "sandbox/egress.h"

#define HEAD_MAX        (16u << 10) /* request head */
#define BUF_CAP         (64u << 10) /* per direction: reads stop while this much is queued */
#define HEAD_TIMEOUT_MS 30000
#define CONN_TIMEOUT_MS 30000
#define MAX_CONNS       128
#define SOURCE          "run_command"

enum state {
	ST_HEAD,       /* reading the request head */
	ST_CHECK,      /* waiting for the egress decision */
	ST_CONNECTING, /* non-blocking connect to addrs[next_addr - 1] */
	ST_SPLICE,     /* bytes flow both ways */
	ST_REFUSE,     /* writing an error response, then close */
};

struct conn {
	struct proxy *p;
	int cfd, ufd; /* client (inside the sandbox), upstream; -1 when closed */
	enum state state;
	struct buf c2u, u2c; /* queued bytes per direction */
	bool c_eof, u_eof;   /* read side saw EOF */
	bool c_shut, u_shut; /* we shut down the write side */
	struct egress_request req;
	struct egress_check *check;
	struct sockaddr_storage addrs[8];
	size_t naddrs, next_addr;
	int connect_err; /* errno of the last failed connect, or 0 */
	struct ev_timer timer;
	struct conn *prev, *next;
};

struct proxy {
	struct ev_loop *loop;
	struct egress *eg;
	int lfd;
	unsigned nconns;
	struct conn *conns;
};

static void conn_update(struct conn *c);

static void
conn_free(struct conn *c)
{
	struct proxy *p = c->p;

	egress_check_cancel(c->check);
	ev_timer_disarm(p->loop, &c->timer);
	if (c->cfd >= 0) {
		ev_io_del(p->loop, c->cfd);
		close(c->cfd);
	}
	if (c->ufd >= 0) {
		ev_io_del(p->loop, c->ufd);
		close(c->ufd);
	}
	buf_fini(&c->c2u);
	buf_fini(&c->u2c);
	egress_request_fini(&c->req);
	if (c->prev)
		c->prev->next = c->next;
	else
		p->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	p->nconns--;
	free(c);
}

/* Answer with an error and close once it is written. */
static void
refuse(struct conn *c, int status, const char *reason, const char *text)
{
	buf_clear(&c->u2c);
	buf_printf(&c->u2c,
	           "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	           "X-Deskhand-Egress: refused\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n"
	           "deskhand: %s\n",
	           status, reason, strlen(text) + strlen("deskhand: \n"), text);
	c->state = ST_REFUSE;
	ev_timer_arm(c->p->loop, &c->timer, HEAD_TIMEOUT_MS); /* a client that never reads */
	if (c->ufd >= 0) {
		ev_io_del(c->p->loop, c->ufd);
		close(c->ufd);
		c->ufd = -1;
	}
	conn_update(c);
}

static void start_connect(struct conn *c);

/* "HOST:PORT at ADDRESS" of the address being (or last) tried; heap. */
static char *
upstream_text(const struct conn *c)
{
	char a[EGRESS_ADDR_TEXT_MAX] = "";

	if (c->next_addr > 0)
		egress_addr_text(&c->addrs[c->next_addr - 1], a);
	return xasprintf(strchr(c->req.host, ':') ? "[%s]:%d at %s" : "%s:%d at %s", c->req.host,
	                 c->req.port, a[0] ? a : "no address");
}

static void
on_checked(const struct egress_result *res, void *ctx)
{
	struct conn *c = ctx;

	c->check = NULL;
	if (!res->allowed) {
		char *t = strchr(c->req.host, ':')
		                  ? xasprintf("egress to [%s]:%d refused: %s", c->req.host,
		                              c->req.port, res->reason)
		                  : xasprintf("egress to %s:%d refused: %s", c->req.host,
		                              c->req.port, res->reason);
		refuse(c, 403, "Forbidden", t);
		free(t);
		return;
	}
	c->naddrs = res->naddrs < 8 ? res->naddrs : 8;
	memcpy(c->addrs, res->addrs, c->naddrs * sizeof *c->addrs);
	c->next_addr = 0;
	start_connect(c);
}

static void
on_timeout(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct conn *c = ctx;

	(void)l;
	(void)t;
	if (c->state == ST_HEAD) {
		refuse(c, 408, "Request Timeout", "no complete request head in time");
		return;
	}
	if (c->state == ST_CONNECTING) {
		char *u = upstream_text(c);
		char *msg = xasprintf("cannot connect to %s: no answer within %d s", u,
		                      CONN_TIMEOUT_MS / 1000);

		refuse(c, 504, "Gateway Timeout", msg);
		free(msg);
		free(u);
		return;
	}
	conn_free(c);
}

/* A complete head is in c2u. */
static void
got_head(struct conn *c, size_t hl)
{
	int rc = egress_request_parse(&c->req, c->c2u.ptr, hl);

	if (rc < 0) {
		char *why = xstrdup(err_msg());

		egress_report(c->p->eg, c->req.host, c->req.port, why, SOURCE);
		if (rc == DH_EDENIED)
			refuse(c, 405, "Method Not Allowed", why);
		else
			refuse(c, 400, "Bad Request", why);
		free(why);
		return;
	}
	buf_consume(&c->c2u, hl);
	if (!c->req.connect) {
		/* The rewritten head goes first, then whatever followed it. */
		struct buf b = BUF_INIT;

		buf_add(&b, c->req.forward, c->req.forward_len);
		buf_add(&b, c->c2u.ptr, c->c2u.len);
		buf_fini(&c->c2u);
		c->c2u = b;
	}
	c->state = ST_CHECK;
	ev_timer_disarm(c->p->loop, &c->timer);
	conn_update(c);
	egress_check_start(&c->check, c->p->eg, c->req.host, c->req.port, SOURCE, on_checked, c);
}

static void
start_connect(struct conn *c)
{
	struct proxy *p = c->p;

	while (c->next_addr < c->naddrs) {
		const struct sockaddr_storage *a = &c->addrs[c->next_addr++];
		socklen_t al = a->ss_family == AF_INET ? sizeof(struct sockaddr_in)
		                                       : sizeof(struct sockaddr_in6);
		int fd = socket(a->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			c->connect_err = errno;
			continue;
		}
		if (connect(fd, (const struct sockaddr *)a, al) == 0 || errno == EINPROGRESS) {
			c->ufd = fd;
			c->state = ST_CONNECTING;
			ev_timer_arm(p->loop, &c->timer, CONN_TIMEOUT_MS);
			conn_update(c);
			return;
		}
		c->connect_err = errno;
		close(fd);
	}
	/* Name what was tried and why it failed: the egress event said allowed. */
	char *u = upstream_text(c);
	char *t = xasprintf("cannot connect to %s: %s", u,
	                    c->connect_err ? strerror(c->connect_err) : "no address");

	refuse(c, 502, "Bad Gateway", t);
	free(t);
	free(u);
}

static void
connected(struct conn *c)
{
	int err = 0;
	socklen_t el = sizeof err;

	if (getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (err != 0) {
		c->connect_err = err;
		ev_io_del(c->p->loop, c->ufd);
		close(c->ufd);
		c->ufd = -1;
		start_connect(c);
		return;
	}
	ev_timer_disarm(c->p->loop, &c->timer);
	c->state = ST_SPLICE;
	if (c->req.connect) {
		/* The reply goes before any upstream byte. */
		struct buf b = BUF_INIT;

		buf_puts(&b, "HTTP/1.1 200 Connection established\r\n\r\n");
		buf_add(&b, c->u2c.ptr, c->u2c.len);
		buf_fini(&c->u2c);
		c->u2c = b;
	}
	conn_update(c);
}

/* Read from fd into b (up to BUF_CAP queued). Returns 1 data, 0 EOF, -1 error, 2 nothing. */
static int
fill(int fd, struct buf *b)
{
	char chunk[16384];
	size_t room = BUF_CAP > b->len ? BUF_CAP - b->len : 0;

	if (room == 0)
		return 2; /* a HUP/ERR reported while reads are paused: read once there is room */
	ssize_t n = read(fd, chunk, room < sizeof chunk ? room : sizeof chunk);

	if (n > 0) {
		buf_add(b, chunk, (size_t)n);
		return 1;
	}
	if (n == 0)
		return 0;
	return errno == EAGAIN || errno == EINTR ? 2 : -1;
}

/* Write queued bytes. Returns 0 or -1 (peer gone). */
static int
drain(int fd, struct buf *b)
{
	while (b->len > 0) {
		ssize_t n = send(fd, b->ptr, b->len, MSG_NOSIGNAL);

		if (n > 0) {
			buf_consume(b, (size_t)n);
			continue;
		}
		return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	}
	return 0;
}

static void
on_client(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct conn *c = ctx;

	(void)l;
	if ((revents & POLLOUT) && drain(fd, &c->u2c) < 0) {
		conn_free(c);
		return;
	}
	if (c->state == ST_REFUSE && c->u2c.len == 0) {
		conn_free(c);
		return;
	}
	if ((revents & (POLLIN | POLLHUP | POLLERR)) && !c->c_eof &&
	    (c->state == ST_HEAD || c->state == ST_SPLICE)) {
		int r = fill(fd, &c->c2u);

		if (r < 0 || (r == 0 && c->state == ST_HEAD)) {
			conn_free(c);
			return;
		}
		if (r == 0)
			c->c_eof = true;
		if (c->state == ST_HEAD) {
			size_t hl = egress_head_len(c->c2u.ptr, c->c2u.len);

			if (hl) {
				got_head(c, hl);
				return;
			}
			if (c->c2u.len >= HEAD_MAX) {
				egress_report(c->p->eg, NULL, 0, "request head too large", SOURCE);
				refuse(c, 431, "Request Header Fields Too Large",
				       "request head too large");
				return;
			}
		}
	}
	conn_update(c);
}

static void
on_upstream(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct conn *c = ctx;

	(void)l;
	if (c->state == ST_CONNECTING) {
		if (revents & (POLLOUT | POLLERR | POLLHUP))
			connected(c);
		return;
	}
	if ((revents & POLLOUT) && drain(fd, &c->c2u) < 0) {
		conn_free(c);
		return;
	}
	if ((revents & (POLLIN | POLLHUP | POLLERR)) && !c->u_eof) {
		int r = fill(fd, &c->u2c);

		if (r < 0) {
			conn_free(c);
			return;
		}
		if (r == 0)
			c->u_eof = true;
	}
	conn_update(c);
}

/* Recompute what each fd waits for; half-close and finish when both sides are done. */
static void
conn_update(struct conn *c)
{
	struct ev_loop *l = c->p->loop;
	unsigned cev = 0, uev = 0;

	switch (c->state) {
	case ST_HEAD:
		cev = POLLIN;
		break;
	case ST_CHECK:
		break;
	case ST_CONNECTING:
		uev = POLLOUT;
		break;
	case ST_REFUSE:
		if (c->u2c.len == 0) {
			conn_free(c);
			return;
		}
		cev = POLLOUT;
		break;
	case ST_SPLICE:
		if (c->c_eof && c->c2u.len == 0 && !c->u_shut) {
			shutdown(c->ufd, SHUT_WR);
			c->u_shut = true;
		}
		if (c->u_eof && c->u2c.len == 0 && !c->c_shut) {
			shutdown(c->cfd, SHUT_WR);
			c->c_shut = true;
		}
		if (c->c_shut && c->u_shut) {
			conn_free(c);
			return;
		}
		if (!c->c_eof && c->c2u.len < BUF_CAP)
			cev |= POLLIN;
		if (c->u2c.len)
			cev |= POLLOUT;
		if (!c->u_eof && c->u2c.len < BUF_CAP)
			uev |= POLLIN;
		if (c->c2u.len)
			uev |= POLLOUT;
		break;
	}
	if (c->cfd >= 0 && ev_io_set(l, c->cfd, cev, on_client, c) < 0) {
		conn_free(c);
		return;
	}
	if (c->ufd >= 0 && ev_io_set(l, c->ufd, uev, on_upstream, c) < 0)
		conn_free(c);
}

static void
on_accept(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct proxy *p = ctx;

	(void)revents;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0)
			return; /* EAGAIN, or a transient error: poll tells us again */
		if (p->nconns >= MAX_CONNS) {
			close(cfd);
			continue;
		}
		struct conn *c = xcalloc(1, sizeof *c);

		c->p = p;
		c->cfd = cfd;
		c->ufd = -1;
		c->state = ST_HEAD;
		buf_init(&c->c2u);
		buf_init(&c->u2c);
		ev_timer_init(&c->timer, on_timeout, c);
		c->next = p->conns;
		if (p->conns)
			p->conns->prev = c;
		p->conns = c;
		p->nconns++;
		ev_timer_arm(l, &c->timer, HEAD_TIMEOUT_MS);
		conn_update(c);
	}
}

int
proxy_new(struct proxy **out, struct ev_loop *l, struct egress *eg, int listen_fd)
{
	struct proxy *p = xcalloc(1, sizeof *p);

	*out = NULL;
	p->loop = l;
	p->eg = eg;
	p->lfd = listen_fd;
	int fl = fcntl(listen_fd, F_GETFL);

	if (fl < 0 || fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(listen_fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    ev_io_set(l, listen_fd, POLLIN, on_accept, p) < 0) {
		int rc = err_set("proxy: cannot watch the listener: %s", strerror(errno));

		close(listen_fd);
		free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void
proxy_free(struct proxy *p)
{
	if (!p)
		return;
	while (p->conns)
		conn_free(p->conns);
	ev_io_del(p->loop, p->lfd);
	close(p->lfd);
	free(p);
}

bool
proxy_recv_listener(int sock, int *lfd)
{
	char byte;
	struct iovec iov = { &byte, 1 };
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.b,
			    .msg_controllen = sizeof cbuf.b };
	ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	*lfd = -1;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&m) : NULL; c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(lfd, CMSG_DATA(c), sizeof *lfd);
	return true;
}

bool
proxy_take_listener(struct ev_loop *l, int *sock, struct egress *eg, struct proxy **out)
{
	int lfd;

	if (!proxy_recv_listener(*sock, &lfd))
		return false;
	ev_io_del(l, *sock);
	close(*sock);
	*sock = -1;
	*out = NULL;
	if (lfd >= 0 && proxy_new(out, l, eg, lfd) < 0)
		*out = NULL;
	return true;
}
