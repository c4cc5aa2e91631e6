/* SPDX-License-Identifier: MIT */
/*
 * Checkpoint benchmark: a generated folder of N files (default 10,000, spread
 * over 100 directories, 200–2,000 bytes each), a baseline checkpoint, then R
 * rounds of "edit one file, checkpoint". Prints the baseline time and the
 * median / p90 / max of the one-file checkpoints, in milliseconds, then the
 * time to list that session's checkpoints with their changes (`deskhand
 * log`). Uses the real snap module (libgit2) exactly as the agent's worker
 * thread does.
 *   usage: bench-checkpoint [NFILES [ROUNDS]]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "core/ev.h"
#include "core/xalloc.h"
#include "snap/snap.h"

enum { LOG_RUNS = 9 };

static void
write_file(const char *path, size_t size, unsigned seed)
{
	char *data = xmalloc(size);
	for (size_t i = 0; i < size; i++)
		data[i] = (char)('a' + (seed * 31 + i * 7) % 26);
	for (size_t i = 79; i < size; i += 80)
		data[i] = '\n';
	FILE *f = fopen(path, "w");
	if (!f || fwrite(data, 1, size, f) != size)
		die("write %s", path);
	fclose(f);
	free(data);
}

int
main(int argc, char **argv)
{
	int nfiles = argc > 1 ? atoi(argv[1]) : 10000;
	int rounds = argc > 2 ? atoi(argv[2]) : 20;
	char tmpl[] = "/tmp/dhbenchXXXXXX";
	char *root = mkdtemp(tmpl);
	struct snap_store *s;
	struct snap_checkpoint ck;

	if (!root || nfiles < 1 || rounds < 1)
		die("usage: bench-checkpoint [NFILES [ROUNDS]]");
	char *work = xasprintf("%s/folder", root), *state = xasprintf("%s/state", root);
	mkdir(work, 0755);
	for (int d = 0; d < 100; d++) {
		char *dir = xasprintf("%s/dir%03d", work, d);
		mkdir(dir, 0755);
		free(dir);
	}
	for (int i = 0; i < nfiles; i++) {
		char *p = xasprintf("%s/dir%03d/file%06d.txt", work, i % 100, i);
		write_file(p, 200 + (size_t)(i * 37) % 1800, (unsigned)i);
		free(p);
	}
	if (snap_global_init() < 0 || snap_open(&s, work, state) < 0)
		die("snap: %s", err_msg());
	uint64_t t0 = ev_now_ms();
	if (snap_checkpoint(s, "bench", "baseline", 0, NULL, &ck) < 0)
		die("baseline: %s", err_msg());
	long baseline = (long)(ev_now_ms() - t0);
	double *ms = xcalloc((size_t)rounds, sizeof *ms);
	for (int r = 0; r < rounds; r++) {
		char *p = xasprintf("%s/dir%03d/file%06d.txt", work, r % 100, (r * 7919) % nfiles);
		FILE *f = fopen(p, "a");
		fprintf(f, "edit %d\n", r);
		fclose(f);
		free(p);
		double t1 = bench_now_ms();
		if (snap_checkpoint(s, "bench", "edit", r + 1, "toolu_bench", &ck) < 0)
			die("checkpoint: %s", err_msg());
		if (!ck.created || ck.files_changed != 1)
			die("round %d: expected 1 changed file, got %zu", r, ck.files_changed);
		ms[r] = bench_now_ms() - t1;
	}
	bench_sort(ms, (size_t)rounds);
	printf("checkpoint: %d files: baseline %ld ms; one-file edit: median %.1f ms, p90 %.1f ms, "
	       "max %.1f ms (%d rounds)\n",
	       nfiles, baseline, ms[rounds / 2], ms[(rounds * 9) / 10], ms[rounds - 1], rounds);
	/* `deskhand log` of that session: each checkpoint with what it changed. */
	double lms[LOG_RUNS];
	for (int r = 0; r < LOG_RUNS; r++) {
		struct snap_log_entry *le;
		size_t n;
		double t1 = bench_now_ms();

		if (snap_log(s, "bench", &le, &n) < 0)
			die("log: %s", err_msg());
		lms[r] = bench_now_ms() - t1;
		if (n != (size_t)rounds + 1 || le[n - 1].nchanges != 1)
			die("log: %zu checkpoints, the last with %zu changes", n,
			    n ? le[n - 1].nchanges : 0);
		snap_log_free(le, n);
	}
	bench_sort(lms, LOG_RUNS);
	printf("log of its %d checkpoints: median %.1f ms, min %.1f ms, max %.1f ms (%d runs)\n",
	       rounds + 1, lms[LOG_RUNS / 2], lms[0], lms[LOG_RUNS - 1], LOG_RUNS);
	snap_close(s);
	snap_global_shutdown();
	char *cmd = xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", root);
	free(cmd);
	free(ms);
	free(work);
	free(state);
	return 0;
}
