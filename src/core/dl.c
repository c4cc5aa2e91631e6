/* SPDX-License-Identifier: MIT */
/*
 * The lazy loader (core/dl.h): dlopen() once per library, dlsym() each
 * listed symbol into the caller's table, or remember why not.
 */
#include "core/dl.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/log.h"

/* Preloads running, and whether this thread is one (its own loads do not
 * wait for it). */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_done = PTHREAD_COND_INITIALIZER;
static unsigned preloads;
static _Thread_local bool on_preload;

/* A first load waits for the preloads of other threads. */
static void
gate_wait(void)
{
	if (on_preload)
		return;
	pthread_mutex_lock(&gate_mu);
	while (preloads > 0)
		pthread_cond_wait(&gate_done, &gate_mu);
	pthread_mutex_unlock(&gate_mu);
}

static void *
preload_main(void *arg)
{
	struct dl_preload *p = arg;

	on_preload = true;
	void *r = p->fn(NULL);

	pthread_mutex_lock(&gate_mu);
	preloads--;
	pthread_cond_broadcast(&gate_done);
	pthread_mutex_unlock(&gate_mu);
	atomic_store(&p->done, true);
	if (p->efd >= 0) {
		uint64_t one = 1;
		ssize_t n = write(p->efd, &one, sizeof one);
		(void)n; /* an eventfd's counter cannot overflow from one write */
	}
	return r;
}

/* Under l->lock, state 0: one try. */
static void
dl_try(struct dl_lib *l)
{
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *e = dlerror();

		snprintf(l->why, sizeof l->why, "%s (Debian package %s) could not be loaded: %s",
		         l->soname, l->package, e ? e : "no reason given");
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		(void)dlerror();
		void *a = dlsym(h, l->names[i]);

		if (!a) {
			const char *e = dlerror();

			snprintf(l->why, sizeof l->why,
			         "%s (Debian package %s) has no symbol %s: %s", l->soname,
			         l->package, l->names[i], e ? e : "its address is NULL");
			memset(l->table, 0, l->n * sizeof(void *));
			dlclose(h);
			return;
		}
		/* Bytewise into the table's typed pointer (POSIX: a function
		 * pointer has the representation of the void * dlsym returns). */
		memcpy((char *)l->table + i * sizeof(void *), &a, sizeof a);
	}
	if (l->init)
		l->init();
}

int
dl_load(struct dl_lib *l)
{
	int s = atomic_load_explicit(&l->state, memory_order_acquire);

	if (s == 0) {
		gate_wait();
		pthread_mutex_lock(&l->lock);
		s = atomic_load_explicit(&l->state, memory_order_relaxed);
		if (s == 0) {
			dl_try(l);
			s = l->why[0] ? -1 : 1;
			if (s < 0)
				log_warn("%s", l->why);
			atomic_store_explicit(&l->state, s, memory_order_release);
		}
		pthread_mutex_unlock(&l->lock);
	}
	return s > 0 ? 0 : err_set("%s", l->why);
}

void
dl_preload_start(struct dl_preload *p, void *(*fn)(void *))
{
	sigset_t all, old;

	if (p->running)
		return;
	p->fn = fn;
	atomic_store(&p->done, false);
	/* Without it a watcher cannot be told (dl_preload_watch_fd: -1) and
	 * waits in the join instead. */
	p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_lock(&gate_mu);
	preloads++;
	pthread_mutex_unlock(&gate_mu);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	p->running = pthread_create(&p->thread, NULL, preload_main, p) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!p->running) {
		if (p->efd >= 0)
			close(p->efd);
		p->efd = -1;
		pthread_mutex_lock(&gate_mu);
		preloads--;
		pthread_cond_broadcast(&gate_done);
		pthread_mutex_unlock(&gate_mu);
	}
}

void
dl_preload_join(struct dl_preload *p)
{
	if (p->running) {
		pthread_join(p->thread, NULL);
		p->running = false;
		if (p->efd >= 0)
			close(p->efd);
		p->efd = -1;
	}
}

bool
dl_preload_pending(struct dl_preload *p)
{
	return p->running && !atomic_load(&p->done);
}

int
dl_preload_watch_fd(struct dl_preload *p)
{
	if (!p->running || p->efd < 0)
		return -1;
	return fcntl(p->efd, F_DUPFD_CLOEXEC, 3);
}
