/* SPDX-License-Identifier: MIT */
/*
 * The poll(2) reactor: fd watches, a binary min-heap of one-shot timers,
 * signals through one signalfd, children through pidfds. It knows nothing of
 * curl, curses or git; those modules register fds and timers here.
 */
#include "core/ev.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/array.h"
#include "core/xalloc.h"

struct io_slot {
	int fd;		/* -1 when free */
	unsigned events;
	ev_io_fn *fn;
	void *ctx;
	uint64_t gen;	/* bumped on every change: dispatch skips changed slots */
};

struct child {
	pid_t pid;
	int pidfd;
	ev_child_fn *fn;
	void *ctx;
};

struct sig_handler {
	int signo;
	ev_signal_fn *fn;
	void *ctx;
};

struct prepare {
	ev_prepare_fn *fn;
	void *ctx;
};

struct ev_loop {
	struct io_slot *io;
	size_t nio, capio;
	uint64_t gen;

	struct ev_timer **heap;
	size_t nheap, capheap;
	uint64_t seq;

	int sigfd;
	struct sig_handler sigs[5];

	struct child *children;
	size_t nchildren, capchildren;

	struct prepare *prep;
	size_t nprep, capprep;

	bool quit;
	bool idle;
};

/* SIGCHLD: a subreaper's adopted processes (proc_adopt_start); our own children
 * are seen through their pidfds. */
static const int handled_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGCHLD };

uint64_t
ev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Timers
 */

static bool
timer_before(const struct ev_timer *a, const struct ev_timer *b)
{
	return a->due_ms < b->due_ms || (a->due_ms == b->due_ms && a->seq < b->seq);
}

static void
heap_swap(struct ev_loop *l, size_t i, size_t j)
{
	struct ev_timer *t = l->heap[i];

	l->heap[i] = l->heap[j];
	l->heap[j] = t;
	l->heap[i]->heap_idx = i;
	l->heap[j]->heap_idx = j;
}

static void
heap_up(struct ev_loop *l, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!timer_before(l->heap[i], l->heap[parent]))
			break;
		heap_swap(l, i, parent);
		i = parent;
	}
}

static void
heap_down(struct ev_loop *l, size_t i)
{
	for (;;) {
		size_t a = 2 * i + 1, b = a + 1, m = i;

		if (a < l->nheap && timer_before(l->heap[a], l->heap[m]))
			m = a;
		if (b < l->nheap && timer_before(l->heap[b], l->heap[m]))
			m = b;
		if (m == i)
			break;
		heap_swap(l, i, m);
		i = m;
	}
}

void
ev_timer_init(struct ev_timer *t, ev_timer_fn *fn, void *ctx)
{
	memset(t, 0, sizeof *t);
	t->heap_idx = SIZE_MAX;
	t->fn = fn;
	t->ctx = ctx;
}

bool
ev_timer_is_armed(const struct ev_timer *t)
{
	return t->heap_idx != SIZE_MAX;
}

void
ev_timer_disarm(struct ev_loop *l, struct ev_timer *t)
{
	size_t i = t->heap_idx;

	if (i == SIZE_MAX)
		return;
	l->nheap--;
	if (i != l->nheap) {
		l->heap[i] = l->heap[l->nheap];
		l->heap[i]->heap_idx = i;
		heap_down(l, i);
		heap_up(l, i);
	}
	t->heap_idx = SIZE_MAX;
}

void
ev_timer_arm(struct ev_loop *l, struct ev_timer *t, uint64_t ms)
{
	ev_timer_disarm(l, t);
	ARRAY_GROW(l->heap, l->nheap, l->capheap, 1);
	t->due_ms = ev_now_ms() + ms;
	t->seq = l->seq++;
	t->heap_idx = l->nheap;
	l->heap[l->nheap++] = t;
	heap_up(l, t->heap_idx);
}

/* Fire every timer due now. A timer armed by a handler for 0 ms waits for the
 * next iteration so that a self-rearming timer cannot starve poll. */
static void
run_timers(struct ev_loop *l)
{
	uint64_t now = ev_now_ms();
	uint64_t limit = l->seq;

	while (l->nheap > 0 && l->heap[0]->due_ms <= now && l->heap[0]->seq < limit) {
		struct ev_timer *t = l->heap[0];

		ev_timer_disarm(l, t);
		t->fn(l, t, t->ctx);
	}
}

/*
 * File descriptors
 */

static struct io_slot *
io_find(struct ev_loop *l, int fd)
{
	for (size_t i = 0; i < l->nio; i++)
		if (l->io[i].fd == fd)
			return &l->io[i];
	return NULL;
}

int
ev_io_set(struct ev_loop *l, int fd, unsigned events, ev_io_fn *fn, void *ctx)
{
	struct io_slot *s = io_find(l, fd);

	if (fd < 0)
		return err_set("ev_io_set: bad fd %d", fd);
	if (events == 0) {
		if (s) {
			s->fd = -1;
			s->gen = ++l->gen;
		}
		return 0;
	}
	if (!s) {
		for (size_t i = 0; i < l->nio && !s; i++)
			if (l->io[i].fd < 0)
				s = &l->io[i];
	}
	if (!s) {
		ARRAY_GROW(l->io, l->nio, l->capio, 1);
		s = &l->io[l->nio++];
	}
	s->fd = fd;
	s->events = events;
	s->fn = fn;
	s->ctx = ctx;
	s->gen = ++l->gen;
	return 0;
}

void
ev_io_del(struct ev_loop *l, int fd)
{
	struct io_slot *s = io_find(l, fd);

	if (s) {
		s->fd = -1;
		s->gen = ++l->gen;
	}
}

/*
 * Signals and children
 */

static void
on_signalfd(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct signalfd_siginfo si;

	(void)revents;
	(void)ctx;
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
		for (size_t i = 0; i < sizeof l->sigs / sizeof *l->sigs; i++) {
			struct sig_handler *h = &l->sigs[i];

			if (h->signo == (int)si.ssi_signo && h->fn)
				h->fn(l, h->signo, h->ctx);
		}
	}
}

int
ev_signal_on(struct ev_loop *l, int signo, ev_signal_fn *fn, void *ctx)
{
	for (size_t i = 0; i < sizeof l->sigs / sizeof *l->sigs; i++) {
		if (l->sigs[i].signo == signo) {
			l->sigs[i].fn = fn;
			l->sigs[i].ctx = ctx;
			return 0;
		}
	}
	return err_set("ev_signal_on: signal %d is not handled by the loop", signo);
}

static void
on_pidfd(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	(void)revents;
	(void)ctx;
	for (size_t i = 0; i < l->nchildren; i++) {
		struct child c = l->children[i];
		siginfo_t info;

		if (c.pidfd != fd)
			continue;
		memset(&info, 0, sizeof info);
		if (waitid(P_PIDFD, (id_t)fd, &info, WEXITED | WNOHANG) < 0 || info.si_pid == 0)
			return; /* spurious: not exited yet */
		int status = info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8
							 : (info.si_status & 0x7f);
		ev_io_del(l, fd);
		close(fd);
		l->children[i] = l->children[--l->nchildren];
		c.fn(l, c.pid, status, c.ctx);
		return;
	}
}

int
ev_child_watch(struct ev_loop *l, pid_t pid, ev_child_fn *fn, void *ctx)
{
	int fd = pidfd_open(pid, 0);

	if (fd < 0)
		return err_set("pidfd_open(%d): %s", (int)pid, strerror(errno));
	ARRAY_GROW(l->children, l->nchildren, l->capchildren, 1);
	l->children[l->nchildren++] = (struct child){ pid, fd, fn, ctx };
	if (ev_io_set(l, fd, POLLIN, on_pidfd, NULL) < 0) {
		l->nchildren--;
		close(fd);
		return DH_EFAIL;
	}
	return 0;
}

void
ev_child_forget(struct ev_loop *l, pid_t pid)
{
	for (size_t i = 0; i < l->nchildren; i++) {
		if (l->children[i].pid != pid)
			continue;
		ev_io_del(l, l->children[i].pidfd);
		close(l->children[i].pidfd);
		l->children[i] = l->children[--l->nchildren];
		return;
	}
}

/*
 * The loop
 */

int
ev_new(struct ev_loop **out)
{
	sigset_t set;

	*out = NULL;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof handled_signals / sizeof *handled_signals; i++)
		sigaddset(&set, handled_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return err_set("sigprocmask: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return err_set("signalfd: %s", strerror(errno));

	struct ev_loop *l = xcalloc(1, sizeof *l);
	l->sigfd = fd;
	for (size_t i = 0; i < sizeof handled_signals / sizeof *handled_signals; i++)
		l->sigs[i].signo = handled_signals[i];
	if (ev_io_set(l, fd, POLLIN, on_signalfd, NULL) < 0) {
		ev_free(l);
		return DH_EFAIL;
	}
	*out = l;
	return 0;
}

int
ev_new_private(struct ev_loop **out)
{
	struct ev_loop *l = xcalloc(1, sizeof *l);

	l->sigfd = -1;
	for (size_t i = 0; i < sizeof handled_signals / sizeof *handled_signals; i++)
		l->sigs[i].signo = handled_signals[i];
	*out = l;
	return 0;
}

void
ev_free(struct ev_loop *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nchildren; i++)
		close(l->children[i].pidfd);
	for (size_t i = 0; i < l->nheap; i++)
		l->heap[i]->heap_idx = SIZE_MAX;
	if (l->sigfd >= 0)
		close(l->sigfd);
	free(l->children);
	free(l->heap);
	free(l->io);
	free(l->prep);
	free(l);
}

void
ev_prepare_add(struct ev_loop *l, ev_prepare_fn *fn, void *ctx)
{
	ARRAY_GROW(l->prep, l->nprep, l->capprep, 1);
	l->prep[l->nprep++] = (struct prepare){ fn, ctx };
}

int
ev_run_once(struct ev_loop *l, int max_ms)
{
	run_timers(l);
	for (size_t i = 0; i < l->nprep && !l->quit; i++)
		l->prep[i].fn(l, l->prep[i].ctx);
	if (l->quit)
		return 0;

	int timeout = max_ms;
	if (l->nheap > 0) {
		uint64_t now = ev_now_ms(), due = l->heap[0]->due_ms;
		int t = due <= now ? 0 : (due - now > 60000 ? 60000 : (int)(due - now));

		if (timeout < 0 || t < timeout)
			timeout = t;
	}

	/* Snapshot the slots: handlers may change l->io while we dispatch. */
	size_t n = l->nio;
	struct pollfd *pfd = xcalloc(n ? n : 1, sizeof *pfd);
	uint64_t *gens = xcalloc(n ? n : 1, sizeof *gens);
	for (size_t i = 0; i < n; i++) {
		pfd[i].fd = l->io[i].fd;
		pfd[i].events = (short)l->io[i].events;
		gens[i] = l->io[i].gen;
	}
	int rc = poll(pfd, n, timeout);
	if (rc < 0 && errno != EINTR) {
		free(pfd);
		free(gens);
		return err_set("poll: %s", strerror(errno));
	}
	l->idle = rc == 0;
	for (size_t i = 0; rc > 0 && i < n && !l->quit; i++) {
		if (!pfd[i].revents || i >= l->nio || l->io[i].gen != gens[i] || l->io[i].fd < 0)
			continue;
		l->io[i].fn(l, l->io[i].fd, (unsigned)pfd[i].revents, l->io[i].ctx);
	}
	free(pfd);
	free(gens);
	return 0;
}

int
ev_run(struct ev_loop *l)
{
	l->quit = false;
	while (!l->quit) {
		if (ev_run_once(l, -1) < 0)
			return DH_EFAIL;
	}
	return 0;
}

void
ev_quit(struct ev_loop *l)
{
	l->quit = true;
}

bool
ev_is_quitting(const struct ev_loop *l)
{
	return l->quit;
}

bool
ev_is_idle(const struct ev_loop *l)
{
	if (l->nheap > 0 && l->heap[0]->due_ms <= ev_now_ms())
		return false;
	return l->idle;
}
