/* SPDX-License-Identifier: MIT */
/* posix_spawn wrapper: pipes, process group, signal hygiene, pidfd exit. */
#include "core/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/ev.h"
#include "core/xalloc.h"

extern char **environ;

struct proc {
	struct ev_loop *loop;
	pid_t pid;
	int outfd;	 /* read end of the merged output pipe, -1 once closed */
	bool exited;
	bool notified;
	int wstatus;
	struct buf out;
	size_t cap;
	bool truncated;
	proc_exit_fn *on_exit;
	proc_output_fn *on_output;
	void *ctx;
};

static void
drain(struct proc *p)
{
	char chunk[16384];

	for (;;) {
		ssize_t n = read(p->outfd, chunk, sizeof chunk);

		if (n > 0 && p->on_output) {
			p->on_output(p, chunk, (size_t)n, p->ctx);
			continue;
		}
		if (n > 0) {
			if (buf_add_capped(&p->out, chunk, (size_t)n, p->cap, ""))
				p->truncated = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			ev_io_del(p->loop, p->outfd);
			close(p->outfd);
			p->outfd = -1;
		}
		return;
	}
}

static void
maybe_notify(struct proc *p)
{
	if (p->notified || !p->exited)
		return;
	/* The child is gone; what is left in the pipe is all there will be unless a
	 * grandchild escaped the group. Read what is there now and finish. */
	if (p->outfd >= 0)
		drain(p);
	if (p->outfd >= 0) {
		ev_io_del(p->loop, p->outfd);
		close(p->outfd);
		p->outfd = -1;
	}
	p->notified = true;
	if (p->on_exit)
		p->on_exit(p, p->wstatus, &p->out, p->truncated, p->ctx);
}

static void
on_output(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	(void)l;
	(void)fd;
	(void)revents;
	drain(ctx);
}

static void
on_child(struct ev_loop *l, pid_t pid, int wstatus, void *ctx)
{
	struct proc *p = ctx;

	(void)l;
	(void)pid;
	p->exited = true;
	p->wstatus = wstatus;
	maybe_notify(p);
}

int
proc_spawn(struct proc **out, struct ev_loop *l, const struct proc_spec *spec,
	   proc_exit_fn *on_exit, void *ctx)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int pipefd[2] = { -1, -1 };
	int rc;

	*out = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return err_set("pipe2: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	if (spec->stdin_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, spec->stdin_fd, 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	if (!spec->stderr_apart)
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	else if (spec->stderr_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, spec->stderr_fd, 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* dup2 onto the same number clears FD_CLOEXEC (glibc handles fd == newfd). */
	int maxkeep = 2;
	for (size_t i = 0; i < spec->nkeep_fds; i++) {
		posix_spawn_file_actions_adddup2(&fa, spec->keep_fds[i], spec->keep_fds[i]);
		if (spec->keep_fds[i] > maxkeep)
			maxkeep = spec->keep_fds[i];
	}
	/* Close everything above what we pass on (glibc >= 2.34). Kept fds must be
	 * numbered contiguously from 3 for this to keep them all. */
	posix_spawn_file_actions_addclosefrom_np(&fa, maxkeep + 1);
	if (spec->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, spec->cwd);

	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
						POSIX_SPAWN_SETPGROUP);

	pid_t pid;
	char *const *argv = (char *const *)spec->argv;
	char *const *envp = spec->envp ? (char *const *)spec->envp : environ;
	if (strchr(spec->argv[0], '/'))
		rc = posix_spawn(&pid, spec->argv[0], &fa, &attr, argv, envp);
	else
		rc = posix_spawnp(&pid, spec->argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		return err_set("spawn %s: %s", spec->argv[0], strerror(rc));
	}

	struct proc *p = xcalloc(1, sizeof *p);
	p->loop = l;
	p->pid = pid;
	p->outfd = pipefd[0];
	p->cap = spec->output_cap ? spec->output_cap : 1u << 20;
	p->on_exit = on_exit;
	p->on_output = spec->on_output;
	p->ctx = ctx;
	buf_init(&p->out);
	fcntl(p->outfd, F_SETFL, fcntl(p->outfd, F_GETFL) | O_NONBLOCK);
	if (ev_io_set(l, p->outfd, POLLIN, on_output, p) < 0 ||
	    ev_child_watch(l, pid, on_child, p) < 0) {
		proc_free(p);
		return DH_EFAIL;
	}
	*out = p;
	return 0;
}

void
proc_kill(struct proc *p, int sig)
{
	if (p && !p->exited)
		kill(-p->pid, sig);
}

pid_t
proc_pid(const struct proc *p)
{
	return p->pid;
}

bool
proc_is_running(const struct proc *p)
{
	return !p->exited;
}

void
proc_free(struct proc *p)
{
	if (!p)
		return;
	if (!p->exited) {
		ev_child_forget(p->loop, p->pid);
		kill(-p->pid, SIGKILL);
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0); /* SIGKILLed: returns at once */
	}
	if (p->outfd >= 0) {
		ev_io_del(p->loop, p->outfd);
		close(p->outfd);
	}
	buf_fini(&p->out);
	free(p);
}

/*
 * Running a child to its end on a private loop
 */

struct proc_run {
	struct proc *proc;
	int wstatus;
	bool done;
	struct buf out;
};

static void
run_exited(struct proc *p, int wstatus, struct buf *output, bool truncated, void *ctx)
{
	struct proc_run *r = ctx;

	(void)p;
	(void)truncated;
	r->wstatus = wstatus;
	buf_add(&r->out, output->ptr ? output->ptr : "", output->len);
	r->done = true;
}

static void
run_timeout(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct proc_run *r = ctx;

	(void)l;
	(void)t;
	proc_kill(r->proc, SIGKILL);
}

int
proc_run(struct ev_loop *l, const struct proc_spec *spec, int timeout_ms, int *wstatus,
	 struct buf *out)
{
	struct proc_run r = { .wstatus = -1 };
	struct ev_timer timer;

	buf_init(&r.out);
	ev_timer_init(&timer, run_timeout, &r);
	if (proc_spawn(&r.proc, l, spec, run_exited, &r) < 0) {
		buf_fini(&r.out);
		return DH_EFAIL;
	}
	if (timeout_ms > 0)
		ev_timer_arm(l, &timer, (uint64_t)timeout_ms);
	while (!r.done)
		if (ev_run_once(l, 200) < 0)
			break;
	ev_timer_disarm(l, &timer);
	proc_free(r.proc);
	*wstatus = r.wstatus;
	buf_add(out, r.out.ptr ? r.out.ptr : "", r.out.len);
	buf_fini(&r.out);
	return r.done ? 0 : DH_EFAIL;
}
