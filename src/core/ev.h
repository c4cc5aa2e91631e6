/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_EV_H
#define DH_CORE_EV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"

/*
 * The reactor (STYLE.md §3.11): one poll(2) loop over fds, a timer min-heap on
 * CLOCK_MONOTONIC, signals via signalfd and children via pidfd. Single-threaded:
 * every ev_* function must be called from the loop's thread; other threads
 * reach the loop through an fd (see worker.h). Handlers never block.
 */

struct ev_loop;
struct ev_timer;

typedef void ev_io_fn(struct ev_loop *l, int fd, unsigned revents, void *ctx);
typedef void ev_timer_fn(struct ev_loop *l, struct ev_timer *t, void *ctx);
typedef void ev_signal_fn(struct ev_loop *l, int signo, void *ctx);
/* `wstatus` is in waitpid(2) form: use WIFEXITED/WEXITSTATUS/WTERMSIG. */
typedef void ev_child_fn(struct ev_loop *l, pid_t pid, int wstatus, void *ctx);
typedef void ev_prepare_fn(struct ev_loop *l, void *ctx);

/* A one-shot timer in caller-owned storage (embed it; no allocation). */
struct ev_timer {
	uint64_t due_ms;  /* absolute CLOCK_MONOTONIC ms */
	size_t heap_idx;  /* SIZE_MAX while disarmed */
	uint64_t seq;	  /* FIFO order among equal deadlines */
	ev_timer_fn *fn;
	void *ctx;
};

/* Create the loop. Blocks SIGINT, SIGTERM, SIGHUP, SIGWINCH and SIGCHLD
 * (delivered through a signalfd; children spawned through proc get an empty
 * mask) and ignores SIGPIPE: call it first in main(), before any
 * thread exists (libcurl's resolver, the snapshot worker), because threads
 * inherit the mask. Returns 0 or DH_EFAIL (message says which syscall). */
int ev_new(struct ev_loop **out) DH_MUST_CHECK;
/* A loop of one thread's own that reads no signal: they stay with the
 * process's main loop (a signalfd here would take a SIGTERM or SIGCHLD meant
 * for it). For a job on a worker thread that waits on a child of its own
 * (proc_run); ev_signal_on() handlers on it never run. The mask is left as
 * it is. Returns 0. */
int ev_new_private(struct ev_loop **out) DH_MUST_CHECK;
/* Free the loop; closes the signalfd and any pidfds still watched. NULL-safe. */
void ev_free(struct ev_loop *l);

/* Watch `fd` for `events` (POLLIN/POLLOUT bits); events == 0 removes the
 * watch (as ev_io_del). Replaces any previous watch on fd. The fd stays owned by the caller.
 * Safe to call from handlers (a slot changed during dispatch is skipped). */
int ev_io_set(struct ev_loop *l, int fd, unsigned events, ev_io_fn *fn, void *ctx) DH_MUST_CHECK;
/* Stop watching `fd`; no-op if it is not watched. */
void ev_io_del(struct ev_loop *l, int fd);

void ev_timer_init(struct ev_timer *t, ev_timer_fn *fn, void *ctx);
/* (Re)arm `t` to fire once after `ms` milliseconds (0 = next iteration). */
void ev_timer_arm(struct ev_loop *l, struct ev_timer *t, uint64_t ms);
/* Disarm; safe on a disarmed or fired timer. */
void ev_timer_disarm(struct ev_loop *l, struct ev_timer *t);
bool ev_timer_is_armed(const struct ev_timer *t);

/* Call `fn` when `signo` (one of SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGCHLD) arrives.
 * One handler per signal; a later call replaces it, fn NULL removes it. */
int ev_signal_on(struct ev_loop *l, int signo, ev_signal_fn *fn, void *ctx) DH_MUST_CHECK;

/* Reap `pid` through a pidfd and call `fn` once with its status. The child must
 * be ours and not yet reaped. ev_child_forget() stops watching without reaping
 * (the caller then owns the reaping). */
int ev_child_watch(struct ev_loop *l, pid_t pid, ev_child_fn *fn, void *ctx) DH_MUST_CHECK;
void ev_child_forget(struct ev_loop *l, pid_t pid);

/* Run `fn` once per iteration, after timers and before poll (curl completion
 * draining, rendering). There is no removal; ctx must outlive the loop. */
void ev_prepare_add(struct ev_loop *l, ev_prepare_fn *fn, void *ctx);

/* Run until ev_quit(). Returns 0, or DH_EFAIL if poll(2) fails. */
int ev_run(struct ev_loop *l);
/* One iteration: due timers, prepare hooks, poll for at most `max_ms`
 * (-1 = until something happens), dispatch. For tests and nested waits. */
int ev_run_once(struct ev_loop *l, int max_ms);
void ev_quit(struct ev_loop *l);
bool ev_is_quitting(const struct ev_loop *l);
/* True when no timer is due and no watched fd was ready at the last poll. */
bool ev_is_idle(const struct ev_loop *l);

/* Monotonic clock in milliseconds. */
uint64_t ev_now_ms(void);

#endif
