/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_PROC_H
#define DH_CORE_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * Child processes (STYLE.md §3.12): posix_spawn with an empty signal mask,
 * default dispositions, its own process group and no inherited fds but
 * 0, 1, 2 and those listed in keep_fds; stdout and stderr merged into one
 * non-blocking pipe read by the loop into a capped buffer; exit seen through a
 * pidfd. Never blocks.
 */

struct ev_loop;
struct proc;

/* Each chunk of the merged output as it is read (`len` > 0 bytes, borrowed
 * for the call), before the exit callback. Must not free the proc. */
typedef void proc_output_fn(struct proc *p, const char *data, size_t len, void *ctx);

struct proc_spec {
	const char *const *argv;   /* argv[0] is run as is if it has a '/', else via PATH */
	const char *const *envp;   /* NULL: inherit ours */
	const char *cwd;	   /* NULL: ours */
	int stdin_fd;		   /* -1: /dev/null */
	size_t output_cap;	   /* bytes kept of the merged output; 0 = 1 MiB */
	proc_output_fn *on_output; /* NULL: the output is captured (output_cap); else every
				    * chunk goes here (same ctx as on_exit) and nothing is
				    * captured: on_exit gets an empty output */
	const int *keep_fds;	   /* fds passed at the same number (CLOEXEC is cleared) */
	size_t nkeep_fds;
	bool stderr_apart;	   /* stderr is not merged: it goes to stderr_fd instead
				    * (-1: /dev/null); the pipe carries stdout only */
	int stderr_fd;
};

/* Called once, after the child exited and its output pipe was drained.
 * `wstatus` is waitpid(2)-style; `output` is the captured stdout+stderr
 * (borrowed for the call); `truncated` says the cap was hit. */
typedef void proc_exit_fn(struct proc *p, int wstatus, struct buf *output, bool truncated,
			  void *ctx);

/* Spawn. On success *out is owned by the caller and must be freed with
 * proc_free() (after or instead of the exit callback). Errors: DH_EFAIL with
 * the failing call named (fork/exec failures of argv[0] are reported as exit
 * status 127 through the callback, as a shell would). */
int proc_spawn(struct proc **out, struct ev_loop *l, const struct proc_spec *spec,
	       proc_exit_fn *on_exit, void *ctx) DH_MUST_CHECK;
/* Send `sig` to the child's whole process group (no-op once it exited). */
void proc_kill(struct proc *p, int sig);
pid_t proc_pid(const struct proc *p);
bool proc_is_running(const struct proc *p);
/* Run `spec` to its end on `l`, a loop of the caller's own that nothing else
 * waits on (the calling thread turns it until the child exited), killing its
 * group after `timeout_ms` (0: never). *wstatus is waitpid(2)-style; the merged
 * output (spec->output_cap) is appended to `out`. 0, or DH_EFAIL when it could
 * not be spawned or the loop failed. For short helper commands of a front end
 * or a probe, never on the engine's loop: it blocks. */
int proc_run(struct ev_loop *l, const struct proc_spec *spec, int timeout_ms, int *wstatus,
	     struct buf *out) DH_MUST_CHECK;
/* proc_run() that also ends as soon as `stop_fd` is readable (an eventfd or
 * pipe written by another thread; -1: none, as proc_run): the child's group
 * is killed with SIGKILL and reaped at once, and it returns DH_ECANCELED
 * ("ARGV0 was stopped before it ended") with *wstatus -1 and whatever output
 * was read by then. The fd is only polled, never read: a stop that came
 * before the call ends it at the loop's first turn. */
int proc_run_stoppable(struct ev_loop *l, const struct proc_spec *spec, int timeout_ms,
		       int stop_fd, int *wstatus, struct buf *out) DH_MUST_CHECK;
/* Kill the group with SIGKILL if still running, reap it, close fds, free.
 * The exit callback is not called. NULL-safe. */
void proc_free(struct proc *p);

/*
 * Adopted processes. A process that runs the engine is a child subreaper
 * (PR_SET_CHILD_SUBREAPER): what its children's descendants leave behind when
 * their parent exits (bwrap's pid-1 init, a connector's daemon) is re-parented
 * to it, and it reaps them. The children deskhand waits for itself are the
 * ones proc_spawn() starts: it registers each pid atomically with its spawn
 * (a sweep never runs while a spawn is under way, in any thread) and forgets
 * it once reaped, so that reaping the others never takes one of their
 * statuses. A process that calls proc_adopt_start() must spawn every child it
 * waits for through proc_spawn() (fork()/posix_spawn() elsewhere are for
 * processes that are not subreapers: the workbench, the CLI's clients).
 */

/* Make this process a child subreaper and reap what it adopts: on each
 * SIGCHLD that `l` reads and after each proc child is reaped, on whatever
 * thread. Call on `l`'s thread, once, and end it with proc_adopt_stop(l)
 * before `l` is freed. 0, or DH_EFAIL (prctl or the signal
 * handler failed; the message names it). */
int proc_adopt_start(struct ev_loop *l) DH_MUST_CHECK;
/* Reap every adopted process that has exited; never blocks (deferred to the
 * end of a spawn under way in another thread). Returns how many adopted
 * processes are still running (0 when none, or when the sweep was deferred).
 * A no-op before proc_adopt_start(). */
size_t proc_reap_adopted(void);
/* The end of proc_adopt_start(), at the engine's close, after its last proc
 * was freed: reap what was adopted, waiting at most `max_ms` ms for those
 * still running (they are the sandbox's, dying with it; one that lives on is
 * left to the next subreaper up), then stop being a subreaper and remove the
 * SIGCHLD handler from `l`. Blocks up to max_ms: never call it from a loop's
 * handler. Returns how many adopted processes were left running. */
size_t proc_adopt_stop(struct ev_loop *l, int max_ms);

#endif
