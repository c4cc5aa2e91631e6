/* SPDX-License-Identifier: MIT */
/* The background job thread. Owns its queue, its thread and its eventfd. */
#include "core/worker.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
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
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *todo, *todo_tail; /* posted, not run */
	struct job *done, *done_tail; /* run, waiting for the loop */
	unsigned pending;
	bool stop;
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

static void *
thread_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->todo && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		struct job *j = pop(&w->todo, &w->todo_tail);
		if (!j)
			break;
		pthread_mutex_unlock(&w->mu);
		j->rc = j->run(j->ctx);
		j->msg = j->rc < 0 ? xstrdup(err_msg()) : NULL;
		pthread_mutex_lock(&w->mu);
		push(&w->done, &w->done_tail, j);
		uint64_t one = 1;
		ssize_t n = write(w->efd, &one, sizeof one);
		(void)n;
	}
	pthread_mutex_unlock(&w->mu);
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
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	int rc = pthread_create(&w->thread, NULL, thread_main, w);
	if (rc != 0) {
		close(w->efd);
		free(w);
		return err_set("pthread_create: %s", strerror(rc));
	}
	if (ev_io_set(l, w->efd, POLLIN, on_efd, w) < 0) {
		worker_free(w);
		return DH_EFAIL;
	}
	*out = w;
	return 0;
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
	pthread_cond_signal(&w->cv);
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
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	ev_io_del(w->loop, w->efd);
	close(w->efd);
	for (struct job *j; (j = pop(&w->done, &w->done_tail));) {
		free(j->msg);
		free(j);
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
