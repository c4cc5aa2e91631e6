/* SPDX-License-Identifier: MIT */
/*
 * bench-sandbox: the cost of the sandbox per command against bubblewrap's
 * own (issue 17, item 1). In each of N rounds it spawns, in turn:
 *   - bare bwrap:   BWRAP --ro-bind / / --unshare-all true
 *   - run_command:  SANDBOX --rw DIR --chdir DIR --timeout 30 -- /bin/sh -c true
 *                   (the argv run_command gives deskhand-sandbox: bwrap with
 *                   the whole policy, seccomp, Landlock, the cgroup)
 * alternating which goes first, so that both see the same load. It prints
 * each one's median, min and max wall time (spawn to reaped, ms) and the
 * overhead above bare bwrap: the difference of the medians, and the median
 * (min, max) of the per-round differences. Timing only: it never fails on
 * speed, only when a run does not exit 0.
 *
 *   bench-sandbox SANDBOX BWRAP DIR [N]      (N >= 20, default 30)
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "bench.h"

/* Wall time of one spawn-and-wait of argv, in ms; exits when it failed. */
static double
run_once(const char *const *argv, const char *what)
{
	static const char *const envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
		                            NULL };
	double t0 = bench_now_ms();
	pid_t pid;
	int st;

	if (posix_spawn(&pid, argv[0], NULL, NULL, (char *const *)argv, (char *const *)envp) != 0 ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench-sandbox: %s (%s) failed\n", what, argv[0]);
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
		fprintf(stderr, "usage: bench-sandbox SANDBOX BWRAP DIR [N]\n");
		return 2;
	}
	int n = argc > 4 ? atoi(argv[4]) : 30;
	const char *bare[] = { argv[2], "--ro-bind", "/", "/", "--unshare-all", "true", NULL };
	const char *sandboxed[] = { argv[1], "--bwrap", argv[2], "--rw", argv[3], "--chdir",
		                    argv[3], "--timeout", "30", "--", "/bin/sh", "-c", "true",
		                    NULL };

	if (n < 20)
		n = 20;
	double *b = calloc((size_t)n, sizeof *b), *s = calloc((size_t)n, sizeof *s),
	       *d = calloc((size_t)n, sizeof *d);

	if (!b || !s || !d)
		return 1;
	run_once(bare, "bare bwrap"); /* warm the page cache */
	run_once(sandboxed, "run_command true");
	for (int i = 0; i < n; i++) {
		if (i % 2) {
			s[i] = run_once(sandboxed, "run_command true");
			b[i] = run_once(bare, "bare bwrap");
		} else {
			b[i] = run_once(bare, "bare bwrap");
			s[i] = run_once(sandboxed, "run_command true");
		}
		d[i] = s[i] - b[i];
	}
	double mb = report(b, n, "bare bwrap --unshare-all true");
	double ms = report(s, n, "run_command true, sandboxed");

	report(d, n, "overhead, per round");
	printf("sandbox overhead above bare bwrap: %.2f ms (difference of the medians; "
	       "target <= 5 ms)\n",
	       ms - mb);
	free(b);
	free(s);
	free(d);
	return 0;
}
