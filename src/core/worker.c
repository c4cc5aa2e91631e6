/* SPDX-License-Identifier: MIT */
/* The background job thread. Owns its queue, its thread and its eventfd. */
#include "core/worker.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/ev.h"
#include "core/xalloc.h"

struct job {
	worker_run_fn *run;
	worker_done_fn *done;
	void *ctx;
	int rc;
	char *msg;
	struct job *next;
};

struct worker {
	struct ev_loop *loop;
	pthread_mutex_t mu;
	pthread_cond_t gone;          /* signalled when the thread exits */
	pthread_cond_t posted;        /* signalled when a job is posted */
	bool closing;                 /* worker_free(): the thread exits when idle */
	struct job *todo, *todo_tail; /* posted, not run */
	struct job *done, *done_tail; /* run, waiting for the loop */
	unsigned pending;
	bool running; /* a thread is up: it runs what is posted and exits when
		       * nothing is left */
	bool early;   /* worker_start()'s thread, before its first job: it
		       * waits without a limit */
	/* The last thread started, joined before the next starts and by
	 * worker_free(): "running" goes false before the thread has ended,
	 * and what it keeps until then (the thread-local state of the
	 * libraries its jobs called: libgit2's error state, freed by its
	 * destructor at the thread's end) must be gone before the caller
	 * shuts those libraries down. */
	pthread_t thread;
	bool joinable;
	int efd;
};

static void
push(struct job **head, struct job **tail, struct job *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static struct job *
pop(struct job **head, struct job **tail)
{
	struct job *j = *head;

	if (j) {
		*head = j->next;
		if (!*head)
			*tail = NULL;
	}
	return j;
}

/* A thread lives while there are jobs, not for the worker's life: when it
 * exits, glibc returns the small blocks it keeps for itself (its tcache,
 * up to 7 of each size up to 1 KiB) to the shared heap. An idle thread
 * kept them, scattered, between checkpoints, and the heap grew around
 * them: 0.4 MiB of a 100-turn session's peak. It waits LINGER_MS for the
 * next job before it goes: a turn posts its jobs one after another, each
 * when the loop has the last one's result (the group commit, then the
 * tool call, then the checkpoint), and a thread started for each cost
 * ~0.1 ms and its stack's faults. */
#define LINGER_MS 5

/* The next job; NULL once none came for LINGER_MS (or the worker closes). */
static struct job *
next_job(struct worker *w)
{
	struct job *j = pop(&w->todo, &w->todo_tail);
	struct timespec until;

	if (j || w->closing)
		return j;
	while (w->early && !w->closing && !(j = pop(&w->todo, &w->todo_tail)))
		pthread_cond_wait(&w->posted, &w->mu);
	w->early = false;
	if (j || w->closing)
		return j;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += LINGER_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!(j = pop(&w->todo, &w->todo_tail)) && !w->closing &&
	       pthread_cond_timedwait(&w->posted, &w->mu, &until) == 0)
		;
	return j ? j : pop(&w->todo, &w->todo_tail);
}

static void *
thread_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->mu);
	for (struct job *j; (j = next_job(w));) {
		pthread_mutex_unlock(&w->mu);
		j->rc = j->run(j->ctx);
		j->msg = j->rc < 0 ? xstrdup(err_msg()) : NULL;
		pthread_mutex_lock(&w->mu);
		push(&w->done, &w->done_tail, j);
		uint64_t one = 1;
		ssize_t n = write(w->efd, &one, sizeof one);
		(void)n;
	}
	w->running = false;
	pthread_cond_broadcast(&w->gone);
	pthread_mutex_unlock(&w->mu); /* w may be freed from here on */
	return NULL;
}

static void
collect(struct worker *w)
{
	for (;;) {
		pthread_mutex_lock(&w->mu);
		struct job *j = pop(&w->done, &w->done_tail);
		pthread_mutex_unlock(&w->mu);
		if (!j)
			return;
		if (j->done)
			j->done(j->rc, j->msg ? j->msg : "", j->ctx);
		pthread_mutex_lock(&w->mu);
		w->pending--;
		pthread_mutex_unlock(&w->mu);
		free(j->msg);
		free(j);
	}
}

static void
on_efd(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	uint64_t v;

	(void)l;
	(void)revents;
	while (read(fd, &v, sizeof v) == (ssize_t)sizeof v)
		;
	collect(ctx);
}

int
worker_new(struct worker **out, struct ev_loop *l)
{
	struct worker *w = xcalloc(1, sizeof *w);

	*out = NULL;
	w->loop = l;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		free(w);
		return err_set("eventfd: %s", strerror(errno));
	}
	pthread_condattr_t ca;

	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->gone, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->posted, &ca);
	pthread_condattr_destroy(&ca);
	if (ev_io_set(l, w->efd, POLLIN, on_efd, w) < 0) {
		worker_free(w);
		return DH_EFAIL;
	}
	*out = w;
	return 0;
}

/* Under w->mu, no thread running: start one. */
static void
start_thread(struct worker *w)
{
	/* The last one said it is done, under w->mu: it only ends now. */
	if (w->joinable)
		pthread_join(w->thread, NULL);
	int rc = pthread_create(&w->thread, NULL, thread_main, w);

	w->joinable = rc == 0;
	if (rc != 0)
		die("worker: cannot start a thread: %s", strerror(rc));
	w->running = true;
}

void
worker_post(struct worker *w, worker_run_fn *run, worker_done_fn *done, void *ctx)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->run = run;
	j->done = done;
	j->ctx = ctx;
	pthread_mutex_lock(&w->mu);
	push(&w->todo, &w->todo_tail, j);
	w->pending++;
	if (w->running)
		pthread_cond_signal(&w->posted);
	else
		start_thread(w);
	pthread_mutex_unlock(&w->mu);
}

void
worker_start(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	if (!w->running) {
		w->early = true;
		start_thread(w);
	}
	pthread_mutex_unlock(&w->mu);
}

unsigned
worker_pending(const struct worker *w)
{
	return w->pending;
}

void
worker_drain(struct worker *w)
{
	for (;;) {
		pthread_mutex_lock(&w->mu);
		unsigned n = w->pending;
		pthread_mutex_unlock(&w->mu);
		if (n == 0)
			return;
		struct pollfd p = { .fd = w->efd, .events = POLLIN };
		if (poll(&p, 1, 1000) > 0) {
			uint64_t v;
			ssize_t r = read(w->efd, &v, sizeof v);
			(void)r;
		}
		collect(w);
	}
}

void
worker_free(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->closing = true;
	pthread_cond_signal(&w->posted);
	while (w->running)
		pthread_cond_wait(&w->gone, &w->mu);
	pthread_mutex_unlock(&w->mu);
	if (w->joinable)
		pthread_join(w->thread, NULL);
	ev_io_del(w->loop, w->efd);
	close(w->efd);
	for (struct job *j; (j = pop(&w->done, &w->done_tail));) {
		free(j->msg);
		free(j);
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->gone);
	pthread_cond_destroy(&w->posted);
	free(w);
}
