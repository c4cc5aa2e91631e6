/* SPDX-License-Identifier: MIT */
/* Unit tests for core/: buffers, the reactor's timers, fds and children, the worker. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "threads.h"
#include "core/atomic.h"
#include "core/buf.h"
#include "core/strv.h"
#include "core/err.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "core/proc.h"
#include "core/utf8.h"
#include "core/worker.h"

Test(buf, append_printf_consume)
{
	struct buf b = BUF_INIT;

	cr_assert_str_eq(buf_cstr(&b), "");
	buf_puts(&b, "hello");
	buf_printf(&b, " %d %s", 42, "x");
	cr_assert_str_eq(buf_cstr(&b), "hello 42 x");
	buf_consume(&b, 6);
	cr_assert_str_eq(buf_cstr(&b), "42 x");
	cr_assert_eq(b.len, 4);
	char *s = buf_detach(&b);
	cr_assert_str_eq(s, "42 x");
	cr_assert_null(b.ptr);
	free(s);
}

Test(buf, capped_marks_truncation_once)
{
	struct buf b = BUF_INIT;

	cr_assert_not(buf_add_capped(&b, "abc", 3, 5, "[cut]"));
	cr_assert(buf_add_capped(&b, "defgh", 5, 5, "[cut]"));
	cr_assert(buf_add_capped(&b, "ijk", 3, 5, "[cut]"));
	cr_assert_str_eq(buf_cstr(&b), "abcde[cut]");
	buf_fini(&b);
}

struct fed {
	struct buf *line;
	struct strv got;
};

static void
fed_line(void *ctx)
{
	struct fed *f = ctx;

	strv_add(&f->got, buf_cstr(f->line));
}

Test(buf, feed_lines_splits_across_reads_and_caps_each_line)
{
	struct buf line = BUF_INIT;
	struct fed f = { .line = &line, .got = ARRAY_INIT };

	buf_feed_lines(&line, "one\ntw", 6, 4, fed_line, &f);
	buf_feed_lines(&line, "o\n\nlonger than four\nend", 23, 4, fed_line, &f);
	cr_assert_eq(f.got.n, 4);
	cr_assert_str_eq(f.got.v[0], "one");
	cr_assert_str_eq(f.got.v[1], "two");
	cr_assert_str_eq(f.got.v[2], "");
	cr_assert_str_eq(f.got.v[3], "long");
	cr_assert_str_eq(buf_cstr(&line), "end"); /* the caller's at the end */
	strv_free(&f.got);
	buf_fini(&line);
}

Test(buf, table_sizes_columns_to_their_cells)
{
	static const char *const cells[] = {
		"MODEL",		  "CTX",   "NOTES",
		"claude-opus-4-20250514", "200k",  "",
		"x",			  "1000k", "long note",
	};
	struct buf b = BUF_INIT;

	buf_table(&b, cells, 3, 3, 1u << 1);
	cr_assert_str_eq(buf_cstr(&b), "MODEL                    CTX NOTES\n"
				       "claude-opus-4-20250514  200k\n"
				       "x                      1000k long note\n");
	buf_fini(&b);
}

static void
record_timer(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct buf *order = ctx;

	(void)l;
	buf_printf(order, "%c", (char)('a' + (int)(t->seq % 26)));
}

Test(ev, timers_fire_in_deadline_order_and_disarm)
{
	struct ev_loop *l;
	struct ev_timer t[4];
	struct buf order = BUF_INIT;

	cr_assert_eq(ev_new(&l), 0);
	for (int i = 0; i < 4; i++)
		ev_timer_init(&t[i], record_timer, &order);
	ev_timer_arm(l, &t[0], 30); /* seq 0 -> 'a' */
	ev_timer_arm(l, &t[1], 10); /* seq 1 -> 'b' */
	ev_timer_arm(l, &t[2], 20); /* seq 2 -> 'c' */
	ev_timer_arm(l, &t[3], 5);  /* seq 3 -> 'd' */
	ev_timer_disarm(l, &t[2]);
	cr_assert_not(ev_timer_is_armed(&t[2]));
	uint64_t deadline = ev_now_ms() + 2000;
	while (order.len < 3 && ev_now_ms() < deadline)
		cr_assert_eq(ev_run_once(l, 100), 0);
	cr_assert_str_eq(buf_cstr(&order), "dba");
	buf_fini(&order);
	ev_free(l);
}

static void
on_read(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	char c[16];
	ssize_t n = read(fd, c, sizeof c);

	cr_assert(revents & POLLIN);
	buf_add(ctx, c, n > 0 ? (size_t)n : 0);
	ev_io_del(l, fd);
}

Test(ev, io_dispatch_and_idle)
{
	struct ev_loop *l;
	struct buf got = BUF_INIT;
	int p[2];

	cr_assert_eq(ev_new(&l), 0);
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(ev_io_set(l, p[0], POLLIN, on_read, &got), 0);
	cr_assert_eq(ev_run_once(l, 0), 0);
	cr_assert(ev_is_idle(l));
	cr_assert_eq(write(p[1], "ping", 4), 4);
	cr_assert_eq(ev_run_once(l, 1000), 0);
	cr_assert_str_eq(buf_cstr(&got), "ping");
	cr_assert_not(ev_is_idle(l));
	close(p[0]);
	close(p[1]);
	buf_fini(&got);
	ev_free(l);
}

struct exit_rec {
	bool done;
	int status;
	char out[64];
};

static void
on_exit_rec(struct proc *p, int wstatus, struct buf *output, bool truncated, void *ctx)
{
	struct exit_rec *r = ctx;

	(void)p;
	(void)truncated;
	r->done = true;
	r->status = wstatus;
	snprintf(r->out, sizeof r->out, "%s", buf_cstr(output));
}

Test(proc, captures_output_and_status_with_default_signals)
{
	struct ev_loop *l;
	struct proc *p;
	struct exit_rec r = { 0 };
	/* The child must not inherit our blocked SIGTERM or ignored SIGPIPE. */
	const char *argv[] = { "/bin/sh", "-c",
			       "grep -E '^Sig(Blk|Ign)' /proc/self/status; echo err >&2; exit 7",
			       NULL };
	struct proc_spec spec = { .argv = argv, .stdin_fd = -1 };

	cr_assert_eq(ev_new(&l), 0);
	cr_assert_eq(proc_spawn(&p, l, &spec, on_exit_rec, &r), 0);
	uint64_t deadline = ev_now_ms() + 5000;
	while (!r.done && ev_now_ms() < deadline)
		cr_assert_eq(ev_run_once(l, 100), 0);
	cr_assert(r.done);
	cr_assert(WIFEXITED(r.status));
	cr_assert_eq(WEXITSTATUS(r.status), 7);
	/* Standard signals 1-31 must be neither blocked nor ignored (glibc keeps
	 * its internal real-time signals 32 and 33 to itself). */
	const char *blk = strstr(r.out, "SigBlk:\t"), *ign = strstr(r.out, "SigIgn:\t");
	cr_assert(blk && ign, "%s", r.out);
	cr_assert_eq(strtoull(blk + 8, NULL, 16) & 0x7fffffffu, 0, "%s", r.out);
	cr_assert_eq(strtoull(ign + 8, NULL, 16) & 0x7fffffffu, 0, "%s", r.out);
	cr_assert(strstr(r.out, "err"));
	proc_free(p);
	ev_free(l);
}

Test(proc, kill_group_reports_signal)
{
	struct ev_loop *l;
	struct proc *p;
	struct exit_rec r = { 0 };
	const char *argv[] = { "/bin/sh", "-c", "sleep 30 & sleep 30", NULL };
	struct proc_spec spec = { .argv = argv, .stdin_fd = -1 };

	cr_assert_eq(ev_new(&l), 0);
	cr_assert_eq(proc_spawn(&p, l, &spec, on_exit_rec, &r), 0);
	cr_assert_eq(ev_run_once(l, 50), 0);
	proc_kill(p, SIGKILL);
	uint64_t deadline = ev_now_ms() + 5000;
	while (!r.done && ev_now_ms() < deadline)
		cr_assert_eq(ev_run_once(l, 100), 0);
	cr_assert(r.done);
	cr_assert(WIFSIGNALED(r.status));
	cr_assert_eq(WTERMSIG(r.status), SIGKILL);
	proc_free(p);
	ev_free(l);
}

Test(proc, run_to_the_end_and_the_timeout_kills)
{
	struct ev_loop *l;
	struct buf out = BUF_INIT;
	int ws = 0;
	const char *ok[] = { "/bin/sh", "-c", "echo hi; echo err >&2; exit 3", NULL };
	const char *hang[] = { "/bin/sh", "-c", "sleep 30", NULL };
	struct proc_spec spec = { .argv = ok, .stdin_fd = -1 };

	cr_assert_eq(ev_new(&l), 0);
	cr_assert_eq(proc_run(l, &spec, 5000, &ws, &out), 0);
	cr_assert(WIFEXITED(ws));
	cr_assert_eq(WEXITSTATUS(ws), 3);
	cr_assert_str_eq(buf_cstr(&out), "hi\nerr\n");
	spec.argv = hang;
	uint64_t t0 = ev_now_ms();
	cr_assert_eq(proc_run(l, &spec, 200, &ws, &out), 0);
	cr_assert(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
	cr_assert_lt(ev_now_ms() - t0, 5000);
	buf_fini(&out);
	ev_free(l);
}

static void *
stop_later(void *arg)
{
	usleep(300 * 1000);
	cr_assert_eq(write(*(int *)arg, "x", 1), 1);
	return NULL;
}

/* Whether `pid` is gone: reaped, or a zombie (an orphan's, init reaps it). */
static bool
pid_gone(long pid)
{
	char path[64], line[256];
	FILE *f;
	bool gone = true;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r"))) {
		const char *st = fgets(line, sizeof line, f) ? strrchr(line, ')') : NULL;

		gone = st && st[1] == ' ' && st[2] == 'Z';
		fclose(f);
	}
	return gone;
}

/* proc_run_stoppable: a stop fd made readable by another thread ends the run
 * at once, its child's whole group killed (a document's reader on the
 * worker, whose call was interrupted), long before the timeout; one that
 * is readable before the call stops it at the first turn. */
Test(proc, run_stoppable_ends_when_told)
{
	struct ev_loop *l;
	struct buf out = BUF_INIT;
	int ws = 0, fds[2];
	const char *argv[] = { "/bin/sh", "-c", "sleep 30 & echo $!; wait", NULL };
	struct proc_spec spec = { .argv = argv, .stdin_fd = -1 };
	pthread_t th;

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(ev_new_private(&l), 0);
	cr_assert_eq(pthread_create(&th, NULL, stop_later, &fds[1]), 0);
	uint64_t t0 = ev_now_ms();
	cr_assert_eq(proc_run_stoppable(l, &spec, 20000, fds[0], &ws, &out), DH_ECANCELED);
	cr_assert_lt(ev_now_ms() - t0, 3000);
	cr_assert_eq(ws, -1);
	cr_expect(strstr(err_msg(), "/bin/sh was stopped"), "%s", err_msg());
	pthread_join(th, NULL);
	long sleeper = atol(buf_cstr(&out)); /* printed before the stop */

	cr_assert_gt(sleeper, 0);
	for (int i = 0; i < 100 && !pid_gone(sleeper); i++)
		usleep(20 * 1000);
	cr_expect(pid_gone(sleeper), "the child's group outlived the stop");
	/* already readable: never waits for the child */
	buf_clear(&out);
	t0 = ev_now_ms();
	cr_assert_eq(proc_run_stoppable(l, &spec, 20000, fds[0], &ws, &out), DH_ECANCELED);
	cr_assert_lt(ev_now_ms() - t0, 3000);
	/* the fd is left as it was: not read, no longer watched */
	char c;
	cr_assert_eq(read(fds[0], &c, 1), 1);
	/* no stop fd: as proc_run */
	const char *ok[] = { "/bin/sh", "-c", "echo hi", NULL };

	spec.argv = ok;
	buf_clear(&out);
	cr_assert_eq(proc_run_stoppable(l, &spec, 5000, -1, &ws, &out), 0);
	cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	cr_assert_str_eq(buf_cstr(&out), "hi\n");
	buf_fini(&out);
	close(fds[0]);
	close(fds[1]);
	ev_free(l);
}

static void
on_winch(struct ev_loop *l, int signo, void *ctx)
{
	(void)l;
	(void)signo;
	++*(int *)ctx;
}

/* A worker's own loop (ev_new_private) runs a child to its end without
 * taking the process's signals: one sent while it waits is still there for
 * the main loop (a signalfd of its own would have read it and dropped it). */
Test(proc, private_loop_leaves_the_signals_to_the_main_loop)
{
	struct ev_loop *main_loop, *l;
	struct buf out = BUF_INIT;
	int ws = 0, winched = 0;
	char cmd[64];

	snprintf(cmd, sizeof cmd, "kill -WINCH %ld; sleep 0.2", (long)getpid());
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct proc_spec spec = { .argv = argv, .stdin_fd = -1 };

	cr_assert_eq(ev_new(&main_loop), 0);
	cr_assert_eq(ev_signal_on(main_loop, SIGWINCH, on_winch, &winched), 0);
	cr_assert_eq(ev_new_private(&l), 0);
	cr_assert_eq(proc_run(l, &spec, 5000, &ws, &out), 0);
	cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	for (int i = 0; i < 20 && !winched; i++)
		cr_assert_geq(ev_run_once(main_loop, 50), 0);
	cr_expect_eq(winched, 1);
	buf_fini(&out);
	ev_free(l);
	ev_free(main_loop);
}

/* The parent pid of `pid` (from /proc/PID/stat), or -1 once it was reaped. */
static long
parent_of(long pid)
{
	char path[64], line[512];
	FILE *f;
	long ppid = -1;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	if (fgets(line, sizeof line, f)) {
		const char *rp = strrchr(line, ')'); /* after the command's name */

		if (rp)
			sscanf(rp + 1, " %*c %ld", &ppid);
	}
	fclose(f);
	return ppid;
}

/* Our own children's statuses arrive even when they exit together with what
 * their children left behind (adopted by us, a subreaper, and reaped); at
 * the stop, a live adopted process is waited for (bounded), then left. */
Test(proc, subreaper_reaps_the_adopted_and_keeps_its_own_statuses)
{
	struct ev_loop *l;
	struct proc *own[6], *keep;
	struct exit_rec r[6], k = { 0 };
	long orphan[6];
	/* `sleep` outlives its sh and is adopted; the second sh exits at the same
	 * moment as that sleep, so that sweeps race its own exit. */
	const char *leaves[] = { "/bin/sh", "-c", "sleep 0.1 & echo $!; exit 5", NULL };
	const char *with[] = { "/bin/sh", "-c", "sleep 0.1; exit 7", NULL };
	struct proc_spec spec = { .stdin_fd = -1 };

	cr_assert_eq(ev_new(&l), 0);
	cr_assert_eq(proc_adopt_start(l), 0, "%s", err_msg());
	memset(r, 0, sizeof r);
	for (int i = 0; i < 6; i++) {
		spec.argv = i % 2 ? with : leaves;
		cr_assert_eq(proc_spawn(&own[i], l, &spec, on_exit_rec, &r[i]), 0);
	}
	uint64_t deadline = ev_now_ms() + 5000;
	bool all = false, checked[6] = { 0 };

	while (!all && ev_now_ms() < deadline) {
		cr_assert_eq(ev_run_once(l, 20), 0);
		all = true;
		for (int i = 0; i < 6; i++) {
			all &= r[i].done;
			if (i % 2 || !r[i].done || checked[i])
				continue;
			/* Its sleep, alive for ~0.1 s more, is ours now. */
			orphan[i] = strtol(r[i].out, NULL, 10);
			cr_assert_gt(orphan[i], 0, "%s", r[i].out);
			long pp = parent_of(orphan[i]);

			cr_assert(pp == (long)getpid() || pp == -1, "sleep %ld has parent %ld", orphan[i],
				  pp);
			checked[i] = true;
		}
	}
	cr_assert(all, "an own child's exit was lost");
	for (int i = 0; i < 6; i++) {
		cr_assert(WIFEXITED(r[i].status));
		cr_assert_eq(WEXITSTATUS(r[i].status), i % 2 ? 7 : 5);
	}
	/* Each adopted sleep is reaped when it exits (SIGCHLD), by the loop. */
	deadline = ev_now_ms() + 5000;
	for (int i = 0; i < 6; i += 2)
		while (parent_of(orphan[i]) != -1 && ev_now_ms() < deadline)
			cr_assert_eq(ev_run_once(l, 20), 0);
	for (int i = 0; i < 6; i += 2)
		cr_assert_eq(parent_of(orphan[i]), -1, "adopted sleep %ld was not reaped", orphan[i]);

	/* At the stop: one that exits soon is waited for, and reaped. */
	const char *soon[] = { "/bin/sh", "-c", "sleep 0.2 & echo $!", NULL };

	spec.argv = soon;
	memset(&k, 0, sizeof k);
	cr_assert_eq(proc_spawn(&keep, l, &spec, on_exit_rec, &k), 0);
	while (!k.done)
		cr_assert_eq(ev_run_once(l, 20), 0);
	long late = strtol(k.out, NULL, 10);

	cr_assert_eq(parent_of(late), (long)getpid());
	proc_free(keep);
	for (int i = 0; i < 6; i++)
		proc_free(own[i]);
	uint64_t t0 = ev_now_ms();

	cr_assert_eq(proc_adopt_stop(l, 3000), 0);
	cr_assert_eq(parent_of(late), -1, "not reaped at the stop");
	cr_assert_lt(ev_now_ms() - t0, 2000);

	/* One that lives on is left after max_ms (ours still: we kill it). */
	cr_assert_eq(proc_adopt_start(l), 0, "%s", err_msg());
	const char *lives[] = { "/bin/sh", "-c", "sleep 30 & echo $!", NULL };

	spec.argv = lives;
	memset(&k, 0, sizeof k);
	cr_assert_eq(proc_spawn(&keep, l, &spec, on_exit_rec, &k), 0);
	while (!k.done)
		cr_assert_eq(ev_run_once(l, 20), 0);
	long stays = strtol(k.out, NULL, 10);

	proc_free(keep);
	t0 = ev_now_ms();
	cr_assert_eq(proc_adopt_stop(l, 150), 1);
	cr_assert_geq(ev_now_ms() - t0, 150);
	cr_assert_lt(ev_now_ms() - t0, 2000);
	cr_assert_eq(parent_of(stays), (long)getpid());
	kill((pid_t)stays, SIGKILL);
	cr_assert_eq(waitpid((pid_t)stays, NULL, 0), (pid_t)stays);
	ev_free(l);
}

static int
job_run(void *ctx)
{
	int *v = ctx;

	*v *= 2;
	return *v > 10 ? err_set("too big: %d", *v) : 0;
}

static void
job_done(int rc, const char *msg, void *ctx)
{
	int *v = ctx;

	if (rc < 0)
		cr_assert_str_eq(msg, "too big: 12");
	*v += 1000;
}

Test(worker, runs_jobs_in_order_and_reports_on_loop)
{
	struct ev_loop *l;
	struct worker *w;
	int a = 3, b = 6;

	cr_assert_eq(ev_new(&l), 0);
	cr_assert_eq(worker_new(&w, l), 0);
	worker_post(w, job_run, job_done, &a);
	worker_post(w, job_run, job_done, &b);
	uint64_t deadline = ev_now_ms() + 5000;
	while (worker_pending(w) && ev_now_ms() < deadline)
		cr_assert_eq(ev_run_once(l, 100), 0);
	cr_assert_eq(a, 1006);
	cr_assert_eq(b, 1012);
	worker_free(w);
	ev_free(l);
}


/* Wait up to 2 s for the thread count to be n. */
static bool
threads_become(int n)
{
	for (int i = 0; i < 200; i++) {
		if (test_thread_count() == n)
			return true;
		poll(NULL, 0, 10);
	}
	return false;
}

/* worker_start(): the thread is there before any job and stays (a thread
 * started by a job lingers 5 ms) until its first job has run; then it goes
 * as any does. worker_free() ends a thread that never had a job. */
Test(worker, a_started_thread_waits_for_its_first_job)
{
	struct ev_loop *l;
	struct worker *w;
	int a = 3;

	cr_assert_eq(ev_new(&l), 0);
	int base = test_thread_count();

	cr_assert_eq(worker_new(&w, l), 0);
	cr_assert_eq(test_thread_count(), base, "no thread before worker_start()");
	worker_start(w);
	cr_assert_eq(test_thread_count(), base + 1);
	poll(NULL, 0, 50); /* ten times the linger */
	cr_assert_eq(test_thread_count(), base + 1, "the started thread waits for its first job");
	worker_start(w); /* a no-op while it runs */
	cr_assert_eq(test_thread_count(), base + 1);
	worker_post(w, job_run, job_done, &a);
	uint64_t deadline = ev_now_ms() + 5000;
	while (worker_pending(w) && ev_now_ms() < deadline)
		cr_assert_eq(ev_run_once(l, 100), 0);
	cr_assert_eq(a, 1006);
	cr_assert(threads_become(base), "after its job the thread lingers and goes");
	worker_free(w);

	cr_assert_eq(worker_new(&w, l), 0);
	worker_start(w);
	cr_assert_eq(test_thread_count(), base + 1);
	worker_free(w);
	cr_assert(threads_become(base), "worker_free() ends a thread that had no job");
	ev_free(l);
}

/* A job's thread-local state (libgit2 keeps its error state so, freed by
 * a key's destructor when the thread ends) is gone when worker_free()
 * returns: the caller shuts the library down next, and a destructor still
 * to run then is a leak. The destructor here takes 50 ms. */
static pthread_key_t tls_key;
static atomic_int tls_freed;

static void
tls_destroy(void *v)
{
	poll(NULL, 0, 50);
	free(v);
	atomic_store(&tls_freed, 1);
}

static int
tls_job(void *ctx)
{
	(void)ctx;
	pthread_setspecific(tls_key, xstrdup("state"));
	return 0;
}

static void
tls_done(int rc, const char *msg, void *ctx)
{
	(void)rc;
	(void)msg;
	(void)ctx;
}

Test(worker, free_returns_once_the_thread_s_destructors_ran)
{
	struct ev_loop *l;
	struct worker *w;

	cr_assert_eq(pthread_key_create(&tls_key, tls_destroy), 0);
	cr_assert_eq(ev_new(&l), 0);
	cr_assert_eq(worker_new(&w, l), 0);
	/* Two threads: the first goes idle and ends between the jobs. */
	for (int job = 0; job < 2; job++) {
		worker_post(w, tls_job, tls_done, NULL);
		uint64_t deadline = ev_now_ms() + 5000;
		while (worker_pending(w) && ev_now_ms() < deadline)
			cr_assert_eq(ev_run_once(l, 100), 0);
		if (job == 0)
			poll(NULL, 0, 100);
	}
	atomic_store(&tls_freed, 0);
	worker_free(w);
	cr_assert_eq(atomic_load(&tls_freed), 1,
		     "worker_free() returned before the thread's destructor ran");
	pthread_key_delete(tls_key);
	ev_free(l);
}

Test(json, parse_errors_name_offset_and_trailing_data)
{
	cJSON *v;

	cr_assert_eq(json_parse(&v, "{\"a\": 1} ", 9, "t"), 0);
	cr_assert_eq(json_int(v, "a", 0), 1);
	cJSON_Delete(v);
	cr_assert_eq(json_parse(&v, "{\"a\": }", 7, "reply"), DH_EPARSE);
	cr_assert(strstr(err_msg(), "reply: invalid JSON at byte"), "%s", err_msg());
	cr_assert_eq(json_parse(&v, "{} x", 4, "reply"), DH_EPARSE);
	cr_assert(strstr(err_msg(), "trailing data at byte 3"), "%s", err_msg());
}

/* A file the person writes: a key given twice in one object is refused,
 * naming the file, the key and the lines; the same key in two objects, or
 * in an array's objects, is fine. */
Test(json, config_refuses_a_key_given_twice)
{
	static const struct {
		const char *text, *err; /* err NULL: accepted */
	} t[] = {
		{ "{\"a\": {\"k\": 1}, \"b\": {\"k\": 2}, \"c\": [{\"k\": 1}, {\"k\": 2}]}", NULL },
		{ "{\"a\": 1,\n \"b\": \"a\",\n \"a\": 2}",
		  "f.json:3: key \"a\" given twice in one object (first at line 1)" },
		{ "{\"s\": {\n \"x\": {\"command\": \"a\",\n  \"args\": [\"{\\\"command\\\": 1\"],\n"
		  "  \"command\": \"b\"}}}",
		  "f.json:4: key \"command\" given twice in one object (first at line 2)" },
		{ "[{\"o\": [1, {\"p\": 1}], \"q\": 0,\n \"o\": 2}]",
		  "f.json:2: key \"o\" given twice in one object (first at line 1)" },
		/* compared as decoded */
		{ "{\"ab\": 1, \"a\\u0062\": 2}",
		  "f.json:1: key \"a\\u0062\" given twice in one object (first at line 1)" },
	};
	cJSON *v;

	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		int rc = json_parse_config(&v, t[i].text, strlen(t[i].text), "f.json");

		if (!t[i].err) {
			cr_assert_eq(rc, 0, "%zu: %s", i, err_msg());
			cJSON_Delete(v);
			continue;
		}
		cr_assert_eq(rc, DH_EPARSE, "%zu accepted", i);
		cr_assert_null(v);
		cr_assert_str_eq(err_msg(), t[i].err);
	}
	/* json_parse (the wire) is unchanged: the last one counts */
	cr_assert_eq(json_parse(&v, "{\"a\": 1, \"a\": 2}", 16, "t"), 0);
	cJSON_Delete(v);
	/* a parse error is json_parse's */
	cr_assert_eq(json_parse_config(&v, "{\"a\": }", 7, "f.json"), DH_EPARSE);
	cr_assert(strstr(err_msg(), "f.json: invalid JSON at byte"), "%s", err_msg());
}

Test(err, message_may_format_itself_and_is_never_cut)
{
	char *big = xmalloc(5001);

	memset(big, 'r', 5000);
	big[5000] = '\0';
	cr_assert_eq(err_set("%s", big), DH_EFAIL);
	cr_assert_eq(strlen(err_msg()), 5000);
	/* the reason is the last thing in the message: it must arrive whole */
	cr_assert_eq(err_setc(DH_EPARSE, "f.jsonl:%d: %s", 31, err_msg()), DH_EPARSE);
	cr_assert_eq(strlen(err_msg()), strlen("f.jsonl:31: ") + 5000);
	cr_assert_eq(strncmp(err_msg(), "f.jsonl:31: rrr", 15), 0, "%.40s", err_msg());
	cr_assert_eq(err_msg()[strlen(err_msg()) - 1], 'r');
	err_set("short");
	cr_assert_eq(err_set("%s and %s", err_msg(), err_msg()), DH_EFAIL);
	cr_assert_str_eq(err_msg(), "short and short");
	free(big);
}

Test(json, nul_kept_through_parse_and_print)
{
	static const char text[] = "{\"p\":\"f12.txt\\u0000.bak\",\"q\":\"\\\\u0000\"}";
	cJSON *v;

	cr_assert_eq(json_parse(&v, text, strlen(text), "t"), 0);
	cr_assert_str_eq(json_str(v, "p"), "f12.txt" JSON_NUL ".bak", "the NUL cut the string");
	cr_assert_str_eq(json_str(v, "q"), "\\u0000", "an escaped backslash is not a NUL");
	char *s = json_print(v);

	cr_assert_str_eq(s, text);
	free(s);
	cJSON_Delete(v);
}

/* JSON text may escape a lone surrogate (JavaScript's JSON.stringify does);
 * it reads as U+FFFD, a pair as its character, an escaped backslash as is. */
Test(json, lone_surrogate_escape_reads_as_replacement)
{
	static const struct {
		const char *text, *want;
	} t[] = {
		{ "{\"s\":\"a\\ud800b\"}", "a\xef\xbf\xbd" "b" },
		{ "{\"s\":\"\\uDC00\"}", "\xef\xbf\xbd" },
		{ "{\"s\":\"\\ud800\\u0041\"}", "\xef\xbf\xbd" "A" },
		{ "{\"s\":\"\\ud83d\\ude00\"}", "\xf0\x9f\x98\x80" },
		{ "{\"s\":\"\\ud800\\ud800\\udc00\"}", "\xef\xbf\xbd\xf0\x90\x80\x80" },
		{ "{\"s\":\"x\\\\ud800\"}", "x\\ud800" },
		{ "{\"s\":\"\\ud800\\u0000\"}", "\xef\xbf\xbd" JSON_NUL },
		{ "{\"s\":\"end\\udbff\"}", "end\xef\xbf\xbd" },
	};

	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		cJSON *v;

		cr_assert_eq(json_parse(&v, t[i].text, strlen(t[i].text), "t"), 0, "%s: %s",
		             t[i].text, err_msg());
		cr_assert_str_eq(json_str(v, "s"), t[i].want, "%s", t[i].text);
		cJSON_Delete(v);
	}
}

/* A value kept as its text (a Raw item) prints as that text, a reference
 * shares it, and it opens back into the tree it was printed from. */
Test(json, raw_prints_its_text_and_opens_back)
{
	const char *text = "[{\"a\":[1,2.5,\"x\\u0000y\\n\"],\"b\":{\"c\":null}},true]";
	cJSON *v = NULL, *own = NULL;

	cr_assert_eq(json_parse(&v, text, strlen(text), "t"), 0);
	cJSON *arr = json_new_arr(), *raw = json_add(arr, NULL, json_raw_take(json_print(v)));
	cJSON *ref = json_raw_ref(raw);
	char *printed = json_print(arr), *shared = json_print(ref);

	cr_assert_str_eq(printed, "[[{\"a\":[1,2.5,\"x\\u0000y\\n\"],\"b\":{\"c\":null}},true]]");
	cr_assert_str_eq(shared, raw->valuestring);
	cr_assert_eq(ref->valuestring, raw->valuestring);
	cJSON_Delete(ref); /* the text stays the Raw item's */
	const cJSON *t = json_open(raw, &own);

	cr_assert_not_null(own);
	cr_assert_eq(t, own);
	cr_assert(cJSON_Compare(own, v, true));
	cJSON_Delete(own);
	/* not Raw: itself, nothing to free */
	cr_assert_eq(json_open(v, &own), v);
	cr_assert_null(own);
	json_open_items(arr);
	cr_assert(cJSON_IsArray(arr->child));
	cr_assert(cJSON_Compare(arr->child, v, true));
	cr_assert_eq(arr->child->prev, arr->child);
	free(printed);
	free(shared);
	cJSON_Delete(arr);
	cJSON_Delete(v);
}

Test(json, print_is_always_valid_utf8)
{
	cJSON *o = json_new_obj();

	json_add_str(o, "t", "a\xff b\xc3 \xe2\x82\xac");
	json_add_name(o, "n", "f\xff.txt");
	char *s = json_print(o);

	cr_assert_str_eq(s, "{\"t\":\"a\xef\xbf\xbd b\xef\xbf\xbd \xe2\x82\xac\","
	                    "\"n\":\"f\\\\xff.txt\"}");
	free(s);
	cJSON_Delete(o);
}

static char *
scrubbed(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	utf8_scrub(&b, s, n);
	return buf_detach(&b);
}

Test(utf8, valid_and_scrub)
{
	cr_assert(utf8_valid("caf\xc3\xa9 \xf0\x9f\x98\x80", 10));
	cr_assert(utf8_valid("", 0));
	cr_assert(!utf8_valid("a\0b", 3), "a NUL byte is not valid text");
	cr_assert(!utf8_valid("\xc0\x80", 2), "overlong");
	cr_assert(!utf8_valid("\xed\xa0\x80", 3), "surrogate");
	cr_assert(!utf8_valid("\xe2\x82", 2), "truncated");

	char *s = scrubbed("a\xff" "b\xe2\x82\0c\xe2\x82\xac", 10);

	cr_assert_str_eq(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "c\xe2\x82\xac");
	free(s);
}

static char *
escaped(const char *s)
{
	struct buf b = BUF_INIT;

	utf8_name_escape(&b, s, strlen(s));
	return buf_detach(&b);
}

Test(utf8, names_escape_and_round_trip)
{
	static const char *const names[] = {
		"plain.txt", "caf\xc3\xa9", "f\xff.txt", "a\\x41.txt", "a\\xz", "\\", "\xfe\xff\\x5c",
	};
	static const char *const want[] = {
		"plain.txt", "caf\xc3\xa9", "f\\xff.txt", "a\\x5cx41.txt", "a\\xz", "\\", "\\xfe\\xff\\x5cx5c",
	};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *e = escaped(names[i]), *back = NULL;

		cr_assert_str_eq(e, want[i], "escape of name %zu", i);
		cr_assert(utf8_valid(e, strlen(e)));
		cr_assert_eq(utf8_name_unescape(e, &back), 0);
		cr_assert_str_eq(back, names[i], "round trip of name %zu", i);
		free(e);
		free(back);
	}
	char *back = (char *)"x";

	cr_assert_eq(utf8_name_unescape("a\\x00b", &back), DH_EPARSE);
	cr_assert_null(back);
	cr_assert(strstr(err_msg(), "NUL"), "%s", err_msg());
	cr_assert_eq(utf8_name_unescape("\\X41\\x4A", &back), 0);
	cr_assert_str_eq(back, "\\X41J", "only \\x is an escape; hex digits in either case");
	free(back);
}

/* Found by tests/fuzz/fuzz_anthropic ("input_tokens": 3.2e121): a number no
 * long long holds is not a value, not an undefined conversion. */
Test(json, int_out_of_range_gives_the_default)
{
	cJSON *v;
	const char *t = "{\"big\": 3.2e121, \"small\": -1e19, \"max\": 9007199254740992}";

	cr_assert_eq(json_parse(&v, t, strlen(t), "t"), 0);
	cr_assert_eq(json_int(v, "big", -7), -7);
	cr_assert_eq(json_int(v, "small", -7), -7);
	cr_assert_eq(json_int(v, "max", -7), 9007199254740992LL);
	cr_assert_eq(json_num_int(cJSON_GetObjectItem(v, "big"), -7), -7);
	cr_assert_eq(json_num_int(cJSON_GetObjectItem(v, "max"), -7), 9007199254740992LL);
	cr_assert_eq(json_num_int(NULL, -7), -7);
	cJSON_Delete(v);
}

/* json_int_clamp: a figure from input brought into a range, a number beyond
 * long long's range to the end on its side (not to the default). */
Test(json, int_clamp_to_the_nearer_end)
{
	cJSON *v;
	const char *t = "{\"big\": 3.2e121, \"small\": -1e19, \"in\": 12.9, \"neg\": -5,"
	                " \"s\": \"9\"}";

	cr_assert_eq(json_parse(&v, t, strlen(t), "t"), 0);
	cr_assert_eq(json_int_clamp(v, "big", 0, 100, 7), 100);
	cr_assert_eq(json_int_clamp(v, "small", -3, 100, 7), -3);
	cr_assert_eq(json_int_clamp(v, "in", 0, 100, 7), 12);
	cr_assert_eq(json_int_clamp(v, "neg", 0, 100, 7), 0);
	cr_assert_eq(json_int_clamp(v, "s", 0, 100, 7), 7, "not a number: the default");
	cr_assert_eq(json_int_clamp(v, "none", 0, 100, 700), 100, "the default is clamped too");
	cJSON_Delete(v);
}

/* atomic_is_temp_name: the names core/atomic.c makes, and nothing else. */
Test(atomic, temp_names)
{
	cr_assert(atomic_is_temp_name(".dh-tmp-0123456789abcdef"));
	cr_assert(!atomic_is_temp_name(".dh-tmp-0123456789abcde"));
	cr_assert(!atomic_is_temp_name(".dh-tmp-0123456789abcdef0"));
	cr_assert(!atomic_is_temp_name(".dh-tmp-0123456789ABCDEF"));
	cr_assert(!atomic_is_temp_name(".dh-tmp-notours"));
	cr_assert(!atomic_is_temp_name("x.dh-tmp-0123456789abcdef"));
}

/* fsutil_path_join: a typed relative path on a directory, as cd takes it. */
Test(fsutil, path_join_is_lexical)
{
	static const struct {
		const char *dir, *rel, *want;
	} cases[] = {
		{ "/g/sub", "b.txt", "/g/sub/b.txt" },
		{ "/g/sub", "../b.txt", "/g/b.txt" },
		{ "/g/sub", "./x/../y/", "/g/sub/y/" },
		{ "/g/sub", ".", "/g/sub" },
		{ "/g", "./", "/g/./" },
		{ "/g", "sub/./", "/g/sub/./" },
		{ "/g", "../../../etc", "/etc" },
		{ "/", "a", "/a" },
		{ "/", "..", "/" },
		{ "/g", "a//b", "/g/a/b" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = fsutil_path_join(cases[i].dir, cases[i].rel);

		cr_assert_str_eq(got, cases[i].want, "%s on %s", cases[i].rel, cases[i].dir);
		free(got);
	}
}

/* fsutil_path_within: the directory itself and what lies beneath it, never a
 * sibling whose name starts the same. */
Test(fsutil, path_within_is_by_component)
{
	static const struct {
		const char *path, *dir;
		bool within;
	} cases[] = {
		{ "/a/b", "/a/b", true },    { "/a/b/c", "/a/b", true },  { "/a/bc", "/a/b", false },
		{ "/a", "/a/b", false },     { "/a/b/", "/a/b", true },   { "/x/a/b", "/a/b", false },
		{ "/home/u/.config/deskhand", "/home/u", true },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		cr_assert_eq(fsutil_path_within(cases[i].path, cases[i].dir), cases[i].within,
		             "%s in %s", cases[i].path, cases[i].dir);
}

/* fsutil_read_fd: a regular file is read into a block of its own size (a
 * small file does not cost a 64 KiB one), appended after what out holds;
 * a pipe, of no known size, is read whole; past max is DH_EFAIL. */
Test(fsutil, read_fd_sizes_the_block_to_the_file)
{
	char path[] = "/tmp/dh-read-fd-XXXXXX";
	int fd = mkstemp(path);
	char text[301];
	struct buf b = BUF_INIT;

	cr_assert_geq(fd, 0);
	memset(text, 'x', 300);
	text[300] = '\0';
	cr_assert_eq(write(fd, text, 300), 300);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	buf_puts(&b, "head:");
	cr_assert_eq(fsutil_read_fd(fd, 1 << 20, &b), 0, "%s", err_msg());
	cr_assert_eq(b.len, 305);
	cr_assert_eq(strncmp(b.ptr, "head:xxx", 8), 0);
	cr_assert_eq(b.ptr[305], '\0');
	cr_assert_lt(b.cap, 1024, "a 300-byte file took a block of %zu bytes", b.cap);
	/* an empty file reads as "" */
	buf_fini(&b);
	cr_assert_eq(ftruncate(fd, 0), 0);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	cr_assert_eq(fsutil_read_fd(fd, 1 << 20, &b), 0, "%s", err_msg());
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(buf_cstr(&b), "");
	cr_assert_eq(write(fd, text, 300), 300);
	/* more than max */
	buf_clear(&b);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	cr_assert_eq(fsutil_read_fd(fd, 299, &b), DH_EFAIL);
	cr_assert_str_eq(err_msg(), "larger than 299 bytes");
	close(fd);
	unlink(path);
	buf_fini(&b);

	/* a pipe: 200 KiB from a child, read to its end */
	int p[2];

	cr_assert_eq(pipe(p), 0);
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		static char big[200 * 1024];

		close(p[0]);
		memset(big, 'y', sizeof big);
		_exit(write(p[1], big, sizeof big) == (ssize_t)sizeof big ? 0 : 1);
	}
	close(p[1]);
	cr_assert_eq(fsutil_read_fd(p[0], 1 << 20, &b), 0, "%s", err_msg());
	close(p[0]);
	int status;

	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(status, 0);
	cr_assert_eq(b.len, 200 * 1024);
	cr_assert_eq(b.ptr[0], 'y');
	cr_assert_eq(b.ptr[b.len - 1], 'y');
	cr_assert_eq(b.ptr[b.len], '\0');
	buf_fini(&b);
}
