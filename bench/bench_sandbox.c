/* SPDX-License-Identifier: MIT */
/*
 * bench-sandbox: the cost of the sandbox per command against bubblewrap's
 * own (issue 17, item 1). In each of N rounds it spawns, in turn:
 *   - bare bwrap:   BWRAP --ro-bind / / --unshare-all true
 *   - run_command:  SANDBOX --rw DIR --chdir DIR --timeout 30 --exec --ready-fd F
 *                   --proxy-fd P -- /bin/sh -c true
 *                   (the argv run_command gives deskhand-sandbox: bwrap with
 *                   the whole policy, seccomp, Landlock, the cgroup, the
 *                   egress proxy's listener; exec mode, the ready byte must
 *                   arrive on the pipe at F and the listener on the socket
 *                   at P)
 *   - supervised:   the same without --exec --ready-fd (the helper's default
 *                   mode: connectors' servers and the sandbox trial)
 * rotating which goes first, so that all see the same load. It prints each
 * one's median, min and max wall time (spawn to reaped, ms) and the overhead
 * above bare bwrap: the difference of the medians, and the median (min, max)
 * of the per-round differences. Timing only: it never fails on speed, only
 * when a run does not exit 0 (or, in exec mode, sent no ready byte).
 *
 *   bench-sandbox SANDBOX BWRAP DIR [N [SANDBOX_B]]      (N >= 20, default 30)
 *
 * SANDBOX_B, another build of the helper (the one before a change), adds its
 * run_command to each round, and the per-round difference SANDBOX minus
 * SANDBOX_B: an A/B in one run.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* The ready pipe's write end in exec mode: this fd number, passed as is. */
#define READY_FD 9
#define READY_FD_STR "9"
/* The socket the proxy listener is sent over (SOCK_SEQPACKET, as run_command's). */
#define PROXY_FD 8
#define PROXY_FD_STR "8"

/* 0 when the listener came over sock, -1 when not. It is sent with the one byte 'L' (netns.h);
 * read without a control buffer, the kernel closes the fd that came with it. */
static int
take_listener(int sock)
{
	char byte = 0;

	return recv(sock, &byte, 1, MSG_DONTWAIT) == 1 && byte == 'L' ? 0 : -1;
}

/* Wall time of one spawn-and-wait of argv, in ms; exits when it failed. With `ready` (as
 * run_command does), argv gets the write end of a fresh pipe at READY_FD and one end of a
 * fresh socket pair at PROXY_FD; afterwards the exec stage's byte must be on the pipe (the
 * sandbox was set up and the command ran) and the proxy listener on the socket. */
static double
run_once(const char *const *argv, const char *what, int ready)
{
	static const char *const envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
		                            NULL };
	double t0 = bench_now_ms();
	int p[2] = { -1, -1 }, sv[2] = { -1, -1 }, ok = 1, listener = 0;
	pid_t pid;
	int st;
	char c = 0;

	if (ready && (pipe2(p, O_CLOEXEC) != 0 || dup2(p[1], READY_FD) != READY_FD ||
	              socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 ||
	              dup2(sv[1], PROXY_FD) != PROXY_FD))
		ok = 0;
	if (!ok || posix_spawn(&pid, argv[0], NULL, NULL, (char *const *)argv, (char *const *)envp) != 0 ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		ok = 0;
	if (ready) {
		close(READY_FD);
		close(p[1]);
		close(PROXY_FD);
		close(sv[1]);
		if (ok && read(p[0], &c, 1) != 1)
			ok = 0;
		if (ok && take_listener(sv[0]) != 0)
			ok = 0, listener = -1;
		close(p[0]);
		close(sv[0]);
	}
	if (!ok) {
		fprintf(stderr, "bench-sandbox: %s (%s) failed%s\n", what, argv[0],
		        ready && !c     ? " (no ready byte: the command did not run)"
		        : listener < 0 ? " (no proxy listener arrived)"
		                       : "");
		exit(1);
	}
	return bench_now_ms() - t0;
}

/* Sorts v[0, n) and prints its median, min and max; returns the median. */
static double
report(double *v, int n, const char *what)
{
	bench_sort(v, (size_t)n);
	double m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;

	printf("%-34s median %7.2f ms  (min %.2f, max %.2f, n=%d)\n", what, m, v[0], v[n - 1], n);
	return m;
}

int
main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bench-sandbox SANDBOX BWRAP DIR [N [SANDBOX_B]]\n");
		return 2;
	}
	int n = argc > 4 ? atoi(argv[4]) : 30;
	const char *other = argc > 5 ? argv[5] : NULL;
	const char *bare[] = { argv[2], "--ro-bind", "/", "/", "--unshare-all", "true", NULL };
	const char *sandboxed[] = { argv[1], "--bwrap", argv[2], "--rw", argv[3], "--chdir",
		                    argv[3], "--timeout", "30", "--exec", "--ready-fd", READY_FD_STR,
		                    "--proxy-fd", PROXY_FD_STR, "--", "/bin/sh", "-c", "true", NULL };
	const char *supervised[] = { argv[1], "--bwrap", argv[2], "--rw", argv[3], "--chdir",
		                     argv[3], "--timeout", "30", "--", "/bin/sh", "-c", "true",
		                     NULL };
	const char *sandboxed_b[sizeof sandboxed / sizeof *sandboxed];

	memcpy(sandboxed_b, sandboxed, sizeof sandboxed);
	sandboxed_b[0] = other;
	if (n < 20)
		n = 20;
	/* The variants, run in turn in each round, rotating which goes first so that all see
	 * the same load; the last only with SANDBOX_B. */
	struct {
		const char *const *argv;
		const char *what;
		int ready;
		double *t;
	} var[] = {
		{ bare, "bare bwrap --unshare-all true", 0, NULL },
		{ sandboxed, "run_command true (--exec)", 1, NULL },
		{ supervised, "supervised true (no --exec)", 0, NULL },
		{ sandboxed_b, "run_command true, SANDBOX_B", 1, NULL },
	};
	int nvar = other ? 4 : 3;
	double *d = calloc((size_t)n, sizeof *d), *dv = calloc((size_t)n, sizeof *dv),
	       *db = calloc((size_t)n, sizeof *db), med[4];

	for (int k = 0; k < nvar; k++)
		if (!(var[k].t = calloc((size_t)n, sizeof *var[k].t)))
			return 1;
	if (!d || !dv || !db)
		return 1;
	for (int k = 0; k < nvar; k++) /* warm the page cache */
		run_once(var[k].argv, var[k].what, var[k].ready);
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < nvar; k++) {
			int v = (i + k) % nvar;

			var[v].t[i] = run_once(var[v].argv, var[v].what, var[v].ready);
		}
		d[i] = var[1].t[i] - var[0].t[i];
		dv[i] = var[2].t[i] - var[0].t[i];
		if (other)
			db[i] = var[1].t[i] - var[3].t[i];
	}
	for (int k = 0; k < nvar; k++)
		med[k] = report(var[k].t, n, var[k].what);
	report(d, n, "run_command overhead, per round");
	report(dv, n, "supervised overhead, per round");
	if (other)
		report(db, n, "SANDBOX minus SANDBOX_B, per round");
	printf("sandbox overhead above bare bwrap: %.2f ms (run_command, difference of the "
	       "medians; target <= 5 ms)\n",
	       med[1] - med[0]);
	printf("supervising mode overhead above bare bwrap: %.2f ms (connectors, the trial)\n",
	       med[2] - med[0]);
	if (other)
		printf("SANDBOX_B (%s) overhead above bare bwrap: %.2f ms (run_command)\n", other,
		       med[3] - med[0]);
	for (int k = 0; k < nvar; k++)
		free(var[k].t);
	free(d);
	free(dv);
	free(db);
	return 0;
}
