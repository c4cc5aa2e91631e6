/* SPDX-License-Identifier: MIT */
/* posix_spawn wrapper: pipes, process group, signal hygiene, pidfd exit; the
 * reaping of adopted processes (a subreaper's). */
#include "core/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/array.h"
#include "core/ev.h"
#include "core/log.h"
#include "core/xalloc.h"

extern char **environ;

/* The children proc_spawn() started and nobody reaped yet (a multiset: a pid
 * reaped and reused may be in it twice for a moment), process-wide because any
 * thread may spawn. Everything here is under `mu`, held only for in-memory
 * work and one sweep (a few /proc reads and WNOHANG waits), never across a
 * spawn: `inflight` counts those, and a sweep asked for meanwhile is left
 * `pending` for the last of them to run. */
static struct {
	pthread_mutex_t mu;
	pid_t owner; /* getpid() of the last use: in a fork's child the set starts empty */
	pid_t *v;
	size_t n, cap;
	unsigned inflight;
	bool pending;
	bool on; /* proc_adopt_start() was called (not inherited by a fork: nor is the prctl) */
} own = { .mu = PTHREAD_MUTEX_INITIALIZER };

static size_t sweep_locked(pid_t **live, size_t *nlive, size_t *caplive);

/* With own.mu held. */
static void
own_fresh(void)
{
	pid_t me = getpid();

	if (own.owner == me)
		return;
	own.owner = me;
	own.n = 0;
	own.inflight = 0;
	own.pending = false;
	own.on = false;
}

static void
own_begin_spawn(void)
{
	pthread_mutex_lock(&own.mu);
	own_fresh();
	own.inflight++;
	pthread_mutex_unlock(&own.mu);
}

/* pid > 0: the spawn started it. Runs the sweep the spawn held back. */
static void
own_end_spawn(pid_t pid)
{
	pthread_mutex_lock(&own.mu);
	if (pid > 0) {
		ARRAY_GROW(own.v, own.n, own.cap, 1);
		own.v[own.n++] = pid;
	}
	own.inflight--;
	if (own.pending && own.inflight == 0 && own.on) {
		own.pending = false;
		sweep_locked(NULL, NULL, NULL);
	}
	pthread_mutex_unlock(&own.mu);
}

/* `pid`, ours, was reaped. */
static void
own_forget(pid_t pid)
{
	pthread_mutex_lock(&own.mu);
	for (size_t i = 0; i < own.n; i++) {
		if (own.v[i] == pid) {
			own.v[i] = own.v[--own.n];
			break;
		}
	}
	pthread_mutex_unlock(&own.mu);
}

static bool
own_has(pid_t pid)
{
	for (size_t i = 0; i < own.n; i++)
		if (own.v[i] == pid)
			return true;
	return false;
}

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
	p->exited = true;
	p->wstatus = wstatus;
	own_forget(pid);
	/* What it left behind may be ours now (bwrap's init). */
	proc_reap_adopted();
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

	pid_t pid = 0;
	char *const *argv = (char *const *)spec->argv;
	char *const *envp = spec->envp ? (char *const *)spec->envp : environ;
	own_begin_spawn();
	if (strchr(spec->argv[0], '/'))
		rc = posix_spawn(&pid, spec->argv[0], &fa, &attr, argv, envp);
	else
		rc = posix_spawnp(&pid, spec->argv[0], &fa, &attr, argv, envp);
	own_end_spawn(rc == 0 ? pid : 0);
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
		own_forget(p->pid);
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
	bool stopped; /* stop_fd became readable first */
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

/* The stop fd is readable: the loop ends, and proc_free() kills the group. */
static void
run_stop(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct proc_run *r = ctx;

	(void)revents;
	r->stopped = true;
	ev_io_del(l, fd);
}

int
proc_run(struct ev_loop *l, const struct proc_spec *spec, int timeout_ms, int *wstatus,
	 struct buf *out)
{
	return proc_run_stoppable(l, spec, timeout_ms, -1, wstatus, out);
}

int
proc_run_stoppable(struct ev_loop *l, const struct proc_spec *spec, int timeout_ms, int stop_fd,
		   int *wstatus, struct buf *out)
{
	struct proc_run r = { .wstatus = -1 };
	struct ev_timer timer;
	int rc;

	buf_init(&r.out);
	ev_timer_init(&timer, run_timeout, &r);
	if (proc_spawn(&r.proc, l, spec, run_exited, &r) < 0) {
		buf_fini(&r.out);
		return DH_EFAIL;
	}
	if (stop_fd >= 0 && ev_io_set(l, stop_fd, POLLIN, run_stop, &r) < 0) {
		proc_free(r.proc);
		buf_fini(&r.out);
		return DH_EFAIL;
	}
	if (timeout_ms > 0)
		ev_timer_arm(l, &timer, (uint64_t)timeout_ms);
	while (!r.done && !r.stopped)
		if (ev_run_once(l, 200) < 0)
			break;
	ev_timer_disarm(l, &timer);
	if (stop_fd >= 0)
		ev_io_del(l, stop_fd);
	if (!r.done) /* what it wrote before it was stopped */
		buf_add(&r.out, r.proc->out.ptr ? r.proc->out.ptr : "", r.proc->out.len);
	proc_free(r.proc); /* SIGKILLs the group of one still running */
	*wstatus = r.wstatus;
	buf_add(out, r.out.ptr ? r.out.ptr : "", r.out.len);
	buf_fini(&r.out);
	if (r.done)
		rc = 0;
	else if (r.stopped)
		rc = err_setc(DH_ECANCELED, "%s was stopped before it ended", spec->argv[0]);
	else
		rc = DH_EFAIL;
	return rc;
}

/*
 * Adopted processes
 */

/* Append the pids in /proc/self/task/TID/children (the file of the thread
 * `tid` under `dirfd`, "pid pid …") to *pids. Silent on failure: the thread
 * may have exited. */
static void
read_children(int dirfd, long tid, struct buf *pids)
{
	char path[64], chunk[512];
	ssize_t n;

	snprintf(path, sizeof path, "%ld/children", tid);
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((n = read(fd, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			buf_add(pids, chunk, (size_t)n);
	close(fd);
	buf_putc(pids, ' ');
}

/* With own.mu held and no spawn under way: reap every child of any of our
 * threads that is not in the set and has exited (WNOHANG). Returns how many
 * such children still run, and appends their pids to *live when it is not
 * NULL. */
static size_t
sweep_locked(pid_t **live, size_t *nlive, size_t *caplive)
{
	struct buf pids = BUF_INIT;
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	size_t running = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
			read_children(dirfd(d), strtol(de->d_name, NULL, 10), &pids);
	closedir(d);
	buf_putc(&pids, '\0');
	for (char *s = pids.ptr, *end; s && *s; s = end) {
		long pid = strtol(s, &end, 10);

		if (end == s) {
			end = s + 1;
			continue;
		}
		if (pid <= 0 || own_has((pid_t)pid))
			continue;
		siginfo_t si;

		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) < 0 || si.si_pid != 0)
			continue; /* reaped (or not a child any more) */
		running++;
		if (live) {
			ARRAY_GROW(*live, *nlive, *caplive, 1);
			(*live)[(*nlive)++] = (pid_t)pid;
		}
	}
	buf_fini(&pids);
	return running;
}

static void
on_sigchld(struct ev_loop *l, int signo, void *ctx)
{
	(void)l;
	(void)signo;
	(void)ctx;
	proc_reap_adopted();
}

int
proc_adopt_start(struct ev_loop *l)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return err_set("prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(errno));
	if (ev_signal_on(l, SIGCHLD, on_sigchld, NULL) < 0)
		return DH_EFAIL;
	pthread_mutex_lock(&own.mu);
	own_fresh();
	own.on = true;
	pthread_mutex_unlock(&own.mu);
	return 0;
}

size_t
proc_reap_adopted(void)
{
	size_t running = 0;

	pthread_mutex_lock(&own.mu);
	own_fresh();
	if (own.on && own.inflight > 0)
		own.pending = true;
	else if (own.on)
		running = sweep_locked(NULL, NULL, NULL);
	pthread_mutex_unlock(&own.mu);
	return running;
}

size_t
proc_adopt_stop(struct ev_loop *l, int max_ms)
{
	uint64_t deadline = ev_now_ms() + (uint64_t)(max_ms > 0 ? max_ms : 0);
	pid_t *live = NULL;
	size_t nlive = 0, caplive = 0, running = 0;

	for (;;) {
		nlive = 0;
		pthread_mutex_lock(&own.mu);
		own_fresh();
		bool busy = own.inflight > 0;

		running = own.on && !busy ? sweep_locked(&live, &nlive, &caplive) : 0;
		pthread_mutex_unlock(&own.mu);

		uint64_t now = ev_now_ms();

		if ((!busy && running == 0) || now >= deadline)
			break;
		/* Until one of them exits (its pidfd turns readable), or the deadline. */
		struct pollfd *pfd = xcalloc(nlive ? nlive : 1, sizeof *pfd);
		size_t npfd = 0;

		for (size_t i = 0; i < nlive; i++) {
			int fd = pidfd_open(live[i], 0);

			if (fd >= 0)
				pfd[npfd++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		}
		uint64_t left = deadline - now, most = npfd ? 1000 : 10;
		int wait = (int)(left < most ? left : most);

		int prc = poll(pfd, npfd, wait), perr = errno;

		for (size_t i = 0; i < npfd; i++)
			close(pfd[i].fd);
		free(pfd);
		if (prc < 0 && perr != EINTR)
			break; /* cannot wait: leave them */
	}
	free(live);
	pthread_mutex_lock(&own.mu);
	bool was_on = own.on;

	own.on = false;
	pthread_mutex_unlock(&own.mu);
	if (was_on) {
		prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
		if (ev_signal_on(l, SIGCHLD, NULL, NULL) < 0)
			log_warn("proc: %s", err_msg());
	}
	return running;
}
