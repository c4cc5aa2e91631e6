/* SPDX-License-Identifier: MIT */
/*
 * bench-sandbox: the cost of the sandbox per command. Spawns `true` N times
 * directly and N times the way run_command does (deskhand-sandbox --rw DIR
 * --chdir DIR --timeout 30 -- /bin/sh -c true: bwrap, seccomp, the Landlock
 * exec stage, the cgroup) and prints both medians and the difference in ms.
 *
 *   bench-sandbox SANDBOX DIR [N]
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Wall time of one spawn-and-wait of argv, in ms; < 0 when it failed. */
static double
run_once(const char *const *argv)
{
	static const char *const envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
		                            NULL };
	double t0 = now_ms();
	pid_t pid;
	int st;

	if (posix_spawn(&pid, argv[0], NULL, NULL, (char *const *)argv, (char *const *)envp) != 0)
		return -1;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return now_ms() - t0;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(const char *const *argv, int n, const char *what)
{
	double *v = calloc((size_t)n, sizeof *v), m;

	if (!v)
		exit(1);
	run_once(argv); /* warm the page cache */
	for (int i = 0; i < n; i++)
		if ((v[i] = run_once(argv)) < 0) {
			fprintf(stderr, "bench-sandbox: %s failed\n", what);
			exit(1);
		}
	qsort(v, (size_t)n, sizeof *v, cmp);
	m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	printf("%-28s median %7.2f ms  (min %.2f, max %.2f, n=%d)\n", what, m, v[0], v[n - 1], n);
	free(v);
	return m;
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench-sandbox SANDBOX DIR [N]\n");
		return 2;
	}
	int n = argc > 3 ? atoi(argv[3]) : 50;
	const char *direct[] = { "/bin/true", NULL };
	const char *sandboxed[] = { argv[1], "--rw", argv[2],   "--chdir", argv[2], "--timeout",
		                    "30",    "--",   "/bin/sh", "-c",      "true",  NULL };

	if (n < 1)
		n = 50;
	double d = median(direct, n, "true, directly");
	double s = median(sandboxed, n, "run_command true, sandboxed");

	printf("sandbox overhead per command: %.2f ms (target < 15 ms)\n", s - d);
	return 0;
}
