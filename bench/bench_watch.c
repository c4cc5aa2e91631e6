/* SPDX-License-Identifier: MIT */
/*
 * Watcher benchmark (issue 3, done-when 3): on generated folders of 1,000,
 * 10,000 and 100,000 files (100 per directory, 10 directories per top-level
 * directory, 200-2,000 bytes each), measured in the same run:
 *   - the baseline (a full scan writing every blob, packed),
 *   - a one-file change with the watcher: watch_sync + watch_take_dirty +
 *     incremental checkpoint (what the agent's worker does after a tool call),
 *   - the same change without it: the stat-cached full-scan checkpoint,
 *   - `git add -A && git commit -q` (the git CLI) on an identical copy.
 * Prints the medians of R rounds (and p90) as a table.
 *   usage: bench-watch [ROUNDS [SIZES…]]     (default 15 rounds; 1000 10000 100000)
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
#include "watch/watch.h"

static void
run(const char *cmd)
{
	if (system(cmd) != 0)
		die("bench: command failed: %s", cmd);
}

static char *
file_path(const char *root, int i)
{
	int leaf = i / 100;

	return xasprintf("%s/t%03d/d%04d/file%06d.txt", root, leaf / 10, leaf, i);
}

static void
generate(const char *root, int nfiles)
{
	char *data = xmalloc(2000);

	for (int i = 0; i < nfiles; i++) {
		char *p = file_path(root, i);
		size_t size = 200 + (size_t)(i * 37) % 1800;

		if (i % 100 == 0) {
			char *dir = xstrdup(p);
			*strrchr(dir, '/') = '\0';
			char *top = xstrdup(dir);
			*strrchr(top, '/') = '\0';
			mkdir(top, 0755);
			mkdir(dir, 0755);
			free(top);
			free(dir);
		}
		for (size_t k = 0; k < size; k++)
			data[k] = (char)('a' + ((unsigned)i * 31 + k * 7) % 26);
		for (size_t k = 79; k < size; k += 80)
			data[k] = '\n';
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, data, size) != (ssize_t)size)
			die("bench: write %s", p);
		close(fd);
		free(p);
	}
	free(data);
}

static void
append(const char *root, int i, int round)
{
	char *p = file_path(root, i);
	FILE *f = fopen(p, "a");

	if (!f)
		die("bench: open %s", p);
	fprintf(f, "edit %d\n", round);
	fclose(f);
	free(p);
}

struct stats {
	double med, p90;
};

static struct stats
stats_of(double *v, int n)
{
	bench_sort(v, (size_t)n);
	return (struct stats){ v[n / 2], v[(n * 9) / 10] };
}

static void
bench_size(int nfiles, int rounds)
{
	char tmpl[] = "/tmp/dhbenchwXXXXXX";
	char *root = mkdtemp(tmpl);
	struct ev_loop *loop = NULL;
	struct watch *w = NULL;
	struct snap_store *inc = NULL, *full = NULL;
	struct snap_checkpoint ck;

	if (!root)
		die("bench: mkdtemp");
	char *work = xasprintf("%s/folder", root), *copy = xasprintf("%s/gitcopy", root);
	char *st1 = xasprintf("%s/state-watch", root), *st2 = xasprintf("%s/state-full", root);
	mkdir(work, 0755);
	generate(work, nfiles);
	char *cmd = xasprintf("cp -a '%s' '%s' && cd '%s' && git init -q && git add -A && "
	                      "git -c user.name=b -c user.email=b@b commit -qm base",
	                      work, copy, copy);
	run(cmd);
	free(cmd);

	if (ev_new(&loop) < 0 || watch_new(&w, loop, NULL, NULL) < 0 ||
	    watch_add_tree(w, 0, work, st1) < 0 || snap_open(&inc, work, st1) < 0 ||
	    snap_open(&full, work, st2) < 0)
		die("bench: %s", err_msg());
	double t0 = bench_now_ms();
	watch_sync(w); /* the watches are in place before the baseline scan */
	struct watch_dirty d;
	if (watch_take_dirty(w, 0, &d) < 0)
		die("bench: %s", err_msg());
	watch_dirty_fini(&d);
	if (snap_checkpoint(inc, "bench", "baseline", 0, NULL, &ck) < 0)
		die("baseline: %s", err_msg());
	double baseline = bench_now_ms() - t0;
	if (snap_checkpoint(full, "bench", "baseline", 0, NULL, &ck) < 0)
		die("baseline: %s", err_msg());

	double *tw = xcalloc((size_t)rounds, sizeof *tw), *tf = xcalloc((size_t)rounds, sizeof *tf);
	double *tg = xcalloc((size_t)rounds, sizeof *tg);
	size_t read_max = 0;
	char *git = xasprintf("cd '%s' && git add -A && git -c user.name=b -c user.email=b@b "
	                      "commit -qm edit",
	                      copy);
	for (int r = 0; r < rounds; r++) {
		int i = (r * 7919) % nfiles;

		append(work, i, r);
		append(copy, i, r);
		/* with the watcher */
		double t1 = bench_now_ms();
		watch_sync(w);
		if (watch_take_dirty(w, 0, &d) < 0)
			die("bench: %s", err_msg());
		struct snap_dirty sd = { (const char *const *)d.paths, d.n, d.full };
		struct snap_checkpoint_opts o = { .label = "edit", .turn = r + 1,
			                          .tool_call = "toolu_bench", .dirty = &sd };
		if (snap_checkpoint_opt(inc, "bench", &o, &ck) < 0)
			die("checkpoint: %s", err_msg());
		tw[r] = bench_now_ms() - t1;
		watch_dirty_fini(&d);
		if (strcmp(ck.mode, "incremental") || ck.files_changed != 1)
			die("round %d: %s checkpoint with %zu changes", r, ck.mode, ck.files_changed);
		if (ck.paths_read > read_max)
			read_max = ck.paths_read;
		/* without it */
		t1 = bench_now_ms();
		if (snap_checkpoint(full, "bench", "edit", r + 1, "toolu_bench", &ck) < 0)
			die("checkpoint: %s", err_msg());
		tf[r] = bench_now_ms() - t1;
		if (ck.files_changed != 1)
			die("round %d: full scan saw %zu changes", r, ck.files_changed);
		/* git CLI */
		t1 = bench_now_ms();
		run(git);
		tg[r] = bench_now_ms() - t1;
	}
	struct stats sw = stats_of(tw, rounds), sf = stats_of(tf, rounds), sg = stats_of(tg, rounds);
	printf("%8d  %10.0f  %9.2f (%6.2f)  %9.1f (%6.1f)  %9.1f (%6.1f)  %7.0fx  %6zu\n", nfiles,
	       baseline, sw.med, sw.p90, sf.med, sf.p90, sg.med, sg.p90, sg.med / sw.med, read_max);
	fflush(stdout);

	watch_free(w);
	snap_close(inc);
	snap_close(full);
	ev_free(loop);
	cmd = xasprintf("rm -rf '%s'", root);
	run(cmd);
	free(cmd);
	free(git);
	free(tw);
	free(tf);
	free(tg);
	free(work);
	free(copy);
	free(st1);
	free(st2);
}

int
main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 15;
	static const int defaults[] = { 1000, 10000, 100000 };

	if (rounds < 1)
		die("usage: bench-watch [ROUNDS [SIZES…]]");
	if (snap_global_init() < 0)
		die("snap: %s", err_msg());
	printf("one-file checkpoint, ms: median (p90) of %d rounds; git = git add -A && git commit\n",
	       rounds);
	printf("%8s  %10s  %18s  %18s  %18s  %8s  %6s\n", "files", "baseline", "watcher+incr",
	       "full scan", "git CLI", "git/watch", "read");
	if (argc > 2) {
		for (int i = 2; i < argc; i++)
			bench_size(atoi(argv[i]), rounds);
	} else {
		for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
			bench_size(defaults[i], rounds);
	}
	snap_global_shutdown();
	return 0;
}
