/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_WORKER_H
#define DH_CORE_WORKER_H

#include "core/err.h"

/*
 * A background thread that runs jobs in FIFO order and reports each
 * completion back on the loop's thread through an eventfd (DESIGN.md
 * "Snapshots": libgit2 work never runs on the event loop). Whatever a job
 * touches (a git repository) is owned by the worker thread while jobs run.
 */

struct ev_loop;
struct worker;

/* Runs on the worker thread. Returns a DH_E* code; its err_msg() is captured. */
typedef int worker_run_fn(void *ctx);
/* Runs on the loop thread with run's result and, for rc < 0, its message. */
typedef void worker_done_fn(int rc, const char *errmsg, void *ctx);

/* Make the worker; its thread starts with the first job posted and exits
 * once the queue is empty (one thread at a time, so jobs never overlap).
 * Call after ev_new() (a thread inherits the signal mask of the thread
 * that posts). Returns 0 or DH_EFAIL (eventfd). */
int worker_new(struct worker **out, struct ev_loop *l) DH_MUST_CHECK;
/* Finish queued jobs (their done callbacks are NOT called), wait for the
 * thread to exit, free. NULL-safe. */
void worker_free(struct worker *w);
/* Queue a job, starting a thread if none runs. `done` may be NULL. Never
 * fails (a thread that cannot be started is fatal, as memory is). */
void worker_post(struct worker *w, worker_run_fn *run, worker_done_fn *done, void *ctx);
/* Start the thread now, before any job, and keep it until the first job
 * has run (then it lingers as after any job). For a caller about to load
 * a library on another thread: glibc's pthread_create() waits while a
 * dlopen() maps and relocates (both take the loader's TLS lock), so a
 * thread started for a job posted then would wait for the whole load.
 * Never fails (as worker_post). A no-op when a thread runs. */
void worker_start(struct worker *w);
/* Jobs queued or running. */
unsigned worker_pending(const struct worker *w);
/* Block the caller until every queued job ran and its done callback was called
 * (CLI commands and teardown only; never from a loop handler). */
void worker_drain(struct worker *w);

#endif
