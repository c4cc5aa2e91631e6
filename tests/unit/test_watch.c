/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for watch/ (real inotify on real temp folders) and for the
 * incremental checkpoints it feeds (snap_checkpoint_opt with dirty paths),
 * checked against full scans of the same folder. Waits are conditions with
 * deadlines (watch_sync is the barrier), never fixed sleeps.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "core/buf.h"
#include "core/ev.h"
#include "core/ignore.h"
#include "core/strv.h"
#include "snap/snap.h"
#include "watch/watch.h"

static char root[PATH_MAX], work[PATH_MAX + 64], state[PATH_MAX + 64], state2[PATH_MAX + 64];
static struct ev_loop *loop;
static struct watch *w;
static char big[PATH_MAX + 64]; /* big_tree()'s, removed by teardown */

static void
sh(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void
put(const char *rel, const char *text)
{
	char p[PATH_MAX + 256];
	FILE *f;

	snprintf(p, sizeof p, "%.4000s/%.200s", work, rel);
	f = fopen(p, "w");
	cr_assert(f, "fopen %s: %s", p, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static void
setup(void)
{
	char tmpl[] = "/tmp/dhwatchXXXXXX";

	cr_assert(mkdtemp(tmpl));
	cr_assert(realpath(tmpl, root));
	snprintf(work, sizeof work, "%s/work", root);
	snprintf(state, sizeof state, "%s/state", root);
	snprintf(state2, sizeof state2, "%s/state2", root);
	cr_assert_eq(mkdir(work, 0755), 0);
	cr_assert_eq(snap_global_init(), 0);
	cr_assert_eq(ev_new(&loop), 0);
	w = NULL;
}

static void
teardown(void)
{
	watch_free(w);
	ev_free(loop);
	snap_global_shutdown();
	sh("rm -rf '%s'", root);
	if (*big)
		sh("rm -rf '%s'", big);
	*big = '\0';
}

static void
start_watch(void)
{
	struct watch_dirty d;

	cr_assert_eq(watch_new(&w, loop, NULL, NULL), 0, "%s", err_msg());
	cr_assert_eq(watch_add_tree(w, 0, work, state), 0, "%s", err_msg());
	watch_sync(w);
	cr_assert_eq(watch_take_dirty(w, 0, &d), 0);
	cr_assert(d.full, "the first take after adding a tree is full");
	watch_dirty_fini(&d);
}

/* Take the dirty set after a barrier; `d` must be finalized by the caller. */
static void
take(struct watch_dirty *d)
{
	watch_sync(w);
	cr_assert_eq(watch_take_dirty(w, 0, d), 0);
}

static bool
has(const struct watch_dirty *d, const char *p)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->paths[i], p))
			return true;
	return false;
}

static void
expect(const char *cmd, const char *const *want, const char *const *unwanted)
{
	struct watch_dirty d;
	struct buf got = BUF_INIT;

	sh("cd '%s' && %s", work, cmd);
	take(&d);
	for (size_t i = 0; i < d.n; i++)
		buf_printf(&got, " %s", d.paths[i]);
	cr_assert(!d.full, "%s: unexpected full rescan", cmd);
	for (; want && *want; want++)
		cr_assert(has(&d, *want), "%s: %s not dirty (got%s)", cmd, *want, buf_cstr(&got));
	for (; unwanted && *unwanted; unwanted++)
		cr_assert(!has(&d, *unwanted), "%s: %s dirty (got%s)", cmd, *unwanted,
		          buf_cstr(&got));
	buf_fini(&got);
	watch_dirty_fini(&d);
}

#define P(...) ((const char *const[]){ __VA_ARGS__, NULL })

TestSuite(watch, .init = setup, .fini = teardown, .timeout = 60);

Test(watch, files_created_modified_deleted_renamed)
{
	start_watch();
	expect("echo a > a.txt", P("a.txt"), NULL);
	expect("echo more >> a.txt", P("a.txt"), NULL);
	expect("chmod 600 a.txt", P("a.txt"), NULL);
	expect("mv a.txt b.txt", P("a.txt", "b.txt"), NULL);
	expect("rm b.txt", P("b.txt"), NULL);
	expect("ln -s nowhere link", P("link"), NULL);
	/* nothing happened: the set is empty, not full */
	expect("true", NULL, P("a.txt", "b.txt", "link"));
}

Test(watch, directories_and_a_tree_made_in_one_command)
{
	start_watch();
	expect("mkdir -p a/b/c && touch a/b/c/f", P("a"), NULL);
	/* every new level is watched now */
	expect("touch a/b/c/g && touch a/b/h", P("a/b/c/g", "a/b/h"), NULL);
	expect("mv a/b a/moved", P("a/b", "a/moved"), NULL);
	expect("echo x > a/moved/c/new", P("a/moved/c/new"), NULL);
	expect("rm -r a/moved", P("a/moved"), NULL);
	expect("rmdir a", P("a"), NULL);
	/* a directory moved in from outside is walked */
	sh("mkdir -p '%s/outside/deep/er' && touch '%s/outside/deep/er/z'", root, root);
	char cmd[PATH_MAX * 2];
	snprintf(cmd, sizeof cmd, "mv '%s/outside' in", root);
	expect(cmd, P("in"), NULL);
	expect("touch in/deep/er/z2", P("in/deep/er/z2"), NULL);
}

/* watch_repos, after a barrier: the nested repositories, as one string. */
static void
expect_repos(size_t min_depth, size_t max, const char *want)
{
	struct strv got = { 0 };
	struct buf b = BUF_INIT;

	watch_sync(w);
	cr_assert_eq(watch_repos(w, 0, min_depth, max, &got), 1, "the first walk is over");
	for (size_t i = 0; i < got.n; i++) {
		cr_assert_eq(strncmp(got.v[i], work, strlen(work)), 0, "%s is absolute", got.v[i]);
		buf_printf(&b, "%s%s", i ? " " : "", got.v[i] + strlen(work) + 1);
	}
	cr_assert_str_eq(buf_cstr(&b), want);
	buf_fini(&b);
	strv_free(&got);
}

Test(watch, nested_repositories_are_listed_nearest_first)
{
	struct strv got = { 0 };

	/* a .git file (a worktree, a submodule checkout) counts; the folder's own
	 * .git, an ignored folder's repository and a symlink named .git do not */
	sh("cd '%s' && mkdir -p .git a/.git org/b/.git org/team/c/.git org/b/vendor/d/.git "
	   "build/e/.git wt ln && echo 'gitdir: x' > wt/.git && ln -s ../a/.git ln/.git && "
	   "echo build/ > .deskhandignore",
	   work);
	start_watch();
	expect_repos(1, 100, "a wt org/b org/team/c org/b/vendor/d");
	expect_repos(2, 100, "org/b org/team/c org/b/vendor/d");
	expect_repos(2, 2, "org/b org/team/c");
	expect_repos(1, 0, "");
	/* made, moved and removed while watched */
	sh("cd '%s' && mkdir -p new/x new/y && mkdir new/x/.git && mv org/team org/team2 && "
	   "rm -r a/.git wt && echo 'gitdir: z' > new/y/.git",
	   work);
	expect_repos(1, 100, "new/x new/y org/b org/team2/c org/b/vendor/d");
	sh("cd '%s' && mv org '%s/gone' && git init -q -b main fresh/one && rm new/y/.git", work,
	   root);
	expect_repos(1, 100, "fresh/one new/x");
	cr_assert_eq(watch_repos(w, 5, 1, 100, &got), DH_ENOTFOUND);
	cr_assert_eq(got.n, 0);
}

Test(watch, ignored_paths_produce_no_work)
{
	sh("mkdir -p '%s/.git' '%s/sub/.git'", work, work);
	put(".deskhandignore", "# build output\n*.log\nbuild/\n/top-only.txt\ncache/**\n!keep.log\n");
	start_watch();
	expect("touch x.log sub/y.log top-only.txt && mkdir -p build/deep && touch build/deep/f",
	       NULL, P("x.log", "sub/y.log", "top-only.txt", "build", "build/deep/f"));
	expect("touch .git/index sub/.git/HEAD && mkdir -p cache/a && touch cache/a/b",
	       NULL, P(".git/index", "sub/.git/HEAD", "cache/a", "cache/a/b"));
	expect("touch keep.txt keep.log sub/top-only.txt", P("keep.txt", "keep.log", "sub/top-only.txt"),
	       NULL);
	/* the state dir inside the folder is skipped too */
	watch_free(w);
	w = NULL;
	snprintf(state, sizeof state, "%.4000s/.state", work);
	sh("mkdir -p '%s'", state);
	start_watch();
	expect("touch .state/x && touch visible", P("visible"), P(".state/x", ".state"));
}

/* Rules that name their own file: its removal is seen all the same (a full
 * rescan, the rules reloaded), so the folders they left out are watched
 * again. Before, the removal was skipped as ignored, and the rules stayed in
 * force with nothing on disk saying so. */
Test(watch, removing_rules_that_ignore_themselves_reloads)
{
	struct watch_dirty d;

	put(".deskhandignore", ".deskhandignore\nhid/\n");
	start_watch();
	expect("mkdir hid && touch hid/a", NULL, P("hid", "hid/a"));
	sh("rm '%s/.deskhandignore'", work);
	take(&d);
	cr_assert(d.full, "removing the rules is a full rescan");
	watch_dirty_fini(&d);
	expect("touch hid/b", P("hid/b"), NULL);
}

Test(watch, ignore_rules_match_gitignore_subset)
{
	struct ignore *ig;
	const char *rules = "*.o\n/root.txt\ndocs/*.pdf\n**/tmp/\nbuild/\n!important.o\n"
	                    "a/**/z\n\\#hash\n";

	ignore_parse(&ig, rules, strlen(rules));
	cr_assert(ignore_match(ig, "x.o", false));
	cr_assert(ignore_match(ig, "deep/dir/x.o", false));
	cr_assert_not(ignore_match(ig, "important.o", false));
	cr_assert(ignore_match(ig, "root.txt", false));
	cr_assert_not(ignore_match(ig, "sub/root.txt", false));
	cr_assert(ignore_match(ig, "docs/a.pdf", false));
	cr_assert_not(ignore_match(ig, "docs/sub/a.pdf", false));
	cr_assert(ignore_match(ig, "x/y/tmp", true));
	cr_assert_not(ignore_match(ig, "x/y/tmp", false));
	cr_assert(ignore_match(ig, "build", true));
	cr_assert(ignore_match(ig, "a/z", false));
	cr_assert(ignore_match(ig, "a/b/c/z", false));
	cr_assert(ignore_match(ig, "#hash", false));
	cr_assert(ignore_match_path(ig, "build/x/y.c", false));
	cr_assert_not(ignore_match_path(ig, "src/x/y.c", false));
	ignore_free(ig);
}

/* Office suites' lock files are ignored by built-in rules read before the
 * folder's own, which can re-include one; the watcher reports none. */
Test(watch, office_lock_files_are_ignored_by_builtin_rules)
{
	struct ignore *ig;

	cr_assert_eq(ignore_load(&ig, work), 0);
	cr_assert(ignore_match(ig, ".~lock.a.xlsx#", false));
	cr_assert(ignore_match(ig, "sub/.~lock.b c.odt#", false));
	cr_assert(ignore_match(ig, "~$report.docx", false));
	cr_assert(ignore_match(ig, "deep/sub/~$x.pptx", false));
	cr_assert(ignore_match(ig, "~WRL0001.tmp", false));
	cr_assert_not(ignore_match(ig, ".~lock.a.xlsx", false));
	cr_assert_not(ignore_match(ig, "a~$b.docx", false));
	cr_assert_not(ignore_match(ig, "report.docx", false));
	ignore_free(ig);
	put(".deskhandignore", "!~$keep.docx\n");
	cr_assert_eq(ignore_load(&ig, work), 0);
	cr_assert_not(ignore_match(ig, "~$keep.docx", false));
	cr_assert(ignore_match(ig, "~$other.docx", false));
	cr_assert(ignore_match(ig, ".~lock.a.xlsx#", false));
	ignore_free(ig);
	start_watch();
	expect("touch '.~lock.a.xlsx#' '~$other.docx' '~WRL0002.tmp' '~$keep.docx' doc.xlsx",
	       P("~$keep.docx", "doc.xlsx"), P(".~lock.a.xlsx#", "~$other.docx", "~WRL0002.tmp"));
}

/* Found by tests/fuzz/fuzz_ignore: "**" matching backtracked through every
 * split of the path, so a hostile .deskhandignore stalled each checkpoint. */
Test(watch, ignore_doublestars_match_in_polynomial_time, .timeout = 20)
{
	struct ignore *ig;
	struct buf rule = BUF_INIT, path = BUF_INIT;

	for (int i = 0; i < 40; i++)
		buf_puts(&rule, "**/x*/");
	buf_puts(&rule, "y\n");
	for (int i = 0; i < 120; i++)
		buf_puts(&path, "x/");
	buf_puts(&path, "z");
	ignore_parse(&ig, rule.ptr, rule.len);
	cr_assert_not(ignore_match(ig, path.ptr, false));
	cr_assert_not(ignore_match_path(ig, path.ptr, false));
	buf_clear(&path);
	for (int i = 0; i < 120; i++)
		buf_puts(&path, "x/");
	buf_puts(&path, "y");
	cr_assert(ignore_match(ig, path.ptr, false));
	ignore_free(ig);
	buf_fini(&rule);
	buf_fini(&path);
}

Test(watch, overflow_marks_full_and_recovers, .timeout = 120)
{
	struct watch_dirty d;
	long max = 16384;
	FILE *f = fopen("/proc/sys/fs/inotify/max_queued_events", "r");

	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 16384;
		fclose(f);
	}
	cr_assert_lt(max, 2000000, "max_queued_events too large to flood in a test");
	sh("mkdir -p '%s/flood'", work);
	start_watch();
	watch_pause(w, true);
	/* Each file is IN_CREATE + IN_CLOSE_WRITE: twice the queue, and more. */
	sh("mkdir -p '%s/newdir'", work);
	for (long i = 0; i < max + 100; i++) {
		char p[PATH_MAX + 128];

		snprintf(p, sizeof p, "%.4000s/flood/f%ld", work, i);
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		cr_assert(fd >= 0);
		close(fd);
	}
	watch_pause(w, false);
	take(&d);
	cr_assert(d.full, "an overflow must mark the grant full");
	watch_dirty_fini(&d);
	struct buf st = BUF_INIT;
	watch_status(w, &st);
	cr_assert(strstr(buf_cstr(&st), "overflow"), "status: %s", buf_cstr(&st));
	buf_fini(&st);
	cr_assert_not(watch_is_degraded(w));
	/* after the recovery walk, directories made during the overflow are watched */
	expect("touch newdir/after", P("newdir/after"), NULL);
}

static bool notified;

static void
on_change(struct watch *ww, void *ctx)
{
	(void)ww;
	(void)ctx;
	notified = true;
}

Test(watch, loop_is_told_through_the_eventfd)
{
	cr_assert_eq(watch_new(&w, loop, on_change, NULL), 0);
	cr_assert_eq(watch_add_tree(w, 0, work, state), 0);
	watch_sync(w);
	notified = false;
	put("n.txt", "n");
	uint64_t deadline = ev_now_ms() + 5000;
	while (!notified && ev_now_ms() < deadline)
		cr_assert_geq(ev_run_once(loop, 100), 0);
	cr_assert(notified, "no change callback within 5 s");
}

/* A tree of n * n directories for a walk that takes a while, at `big`: on
 * /dev/shm when there is one (made in a fraction of the time), else under
 * root. */
static void
big_tree(int n)
{
	char *out = big;
	size_t size = sizeof big;
	char tmpl[] = "/dev/shm/dhwatchbigXXXXXX";
	char p[PATH_MAX + 64];

	if (!mkdtemp(tmpl))
		snprintf(tmpl, sizeof tmpl, "%s", "");
	if (!*tmpl) {
		snprintf(out, size, "%.4000s/big", root);
		cr_assert_eq(mkdir(out, 0755), 0);
	} else {
		snprintf(out, size, "%s", tmpl);
	}
	for (int a = 0; a < n; a++) {
		snprintf(p, sizeof p, "%.4000s/d%03d", out, a);
		cr_assert_eq(mkdir(p, 0755), 0, "%s: %s", p, strerror(errno));
		for (int b = 0; b < n; b++) {
			snprintf(p, sizeof p, "%.4000s/d%03d/e%03d", out, a, b);
			cr_assert_eq(mkdir(p, 0755), 0, "%s: %s", p, strerror(errno));
		}
	}
}

/* inotify instances this process holds. */
static int
inotify_fds(void)
{
	char path[64], target[64];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		ssize_t len = readlink(path, target, sizeof target - 1);
		if (len > 0) {
			target[len] = '\0';
			n += !strcmp(target, "anon_inode:inotify");
		}
	}
	return n;
}

/* watch_free() in the middle of the first walk of a big folder returns at
 * once, and its thread stops at the next directory and closes the inotify
 * instance (dropping the watches) right after. Before, watch_free() joined a
 * thread that walked on to the end: an ungrant held the loop that long. */
Test(watch, free_during_the_first_walk_does_not_wait, .timeout = 120)
{
	big_tree(150);
	int fds = inotify_fds();
	cr_assert_eq(watch_new(&w, loop, NULL, NULL), 0, "%s", err_msg());
	cr_assert_eq(watch_add_tree(w, 0, big, NULL), 0, "%s", err_msg());
	usleep(20 * 1000); /* well into the walk */
	uint64_t t0 = ev_now_ms();
	watch_free(w);
	w = NULL;
	uint64_t spent = ev_now_ms() - t0;
	uint64_t deadline = ev_now_ms() + 10000;
	while (inotify_fds() > fds && ev_now_ms() < deadline)
		usleep(1000);
	cr_assert_eq(inotify_fds(), fds, "the inotify instance is still open after 10 s");
	cr_assert_lt(spent, 50, "watch_free() took %llu ms", (unsigned long long)spent);
}

/*
 * Incremental checkpoints against full scans
 */

/* Tree id and note text of checkpoint `id` in the store `s`. */
static void
tree_and_note(struct snap_store *s, const char *id, char tree[41], struct buf *note)
{
	git_repository *r;
	git_commit *c;
	git_note *n;
	git_oid oid;

	cr_assert_eq(git_repository_open_bare(&r, snap_repo_path(s)), 0);
	cr_assert_eq(git_oid_fromstr(&oid, id), 0);
	cr_assert_eq(git_commit_lookup(&c, r, &oid), 0);
	git_oid_tostr(tree, 41, git_commit_tree_id(c));
	buf_clear(note);
	if (git_note_read(&n, r, "refs/notes/deskhand", &oid) == 0) {
		buf_puts(note, git_note_message(n));
		git_note_free(n);
	}
	git_commit_free(c);
	git_repository_free(r);
}

static unsigned rng = 12345;

static unsigned
rnd(unsigned n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

/* One random edit among files f0..f19 in dirs d0..d4 (and their subdirs). */
static void
random_edit(void)
{
	char a[64], b[64];
	unsigned k = rnd(12);

	snprintf(a, sizeof a, "d%u/f%u", rnd(5), rnd(20));
	snprintf(b, sizeof b, "d%u/s%u/f%u", rnd(5), rnd(3), rnd(20));
	switch (k) {
	case 0: case 1: case 2:
		sh("cd '%s' && { mkdir -p \"$(dirname %s)\" && echo %u >> %s; } 2>/dev/null || true", work, a,
		   rnd(1000), a);
		break;
	case 3:
		sh("cd '%s' && rm -f %s", work, a);
		break;
	case 4:
		sh("cd '%s' && test -f %s && chmod %s %s || true", work, a, rnd(2) ? "600" : "755", a);
		break;
	case 5:
		sh("cd '%s' && { mkdir -p \"$(dirname %s)\" && echo new > %s; } 2>/dev/null || true",
		   work, b, b);
		break;
	case 6:
		sh("cd '%s' && { test -e %s && mkdir -p \"$(dirname %s)\" && mv %s %s; } 2>/dev/null "
		   "|| true", work, a, b, a, b);
		break;
	case 7: /* a directory removed, or replaced by a file */
		sh("cd '%s' && rm -rf d%u/s%u && { test %u = 0 || echo f > d%u/s%u; } 2>/dev/null || true", work,
		   rnd(5), rnd(3), rnd(2), rnd(5), rnd(3));
		break;
	case 8:
		sh("cd '%s' && mkdir -p d%u/empty%u/inner 2>/dev/null || true", work, rnd(5), rnd(2));
		break;
	case 9: {
		unsigned x = rnd(5);

		sh("cd '%s' && { test -d d%u && mv d%u d%u.moved%u; mkdir -p d%u; } || true", work, x,
		   x, x, rnd(100), x);
		break;
	}
	case 10: /* a file replaced by a directory, or the reverse */
		sh("cd '%s' && { rm -rf %s && mkdir -p %s && echo in > %s/inner; } 2>/dev/null || true",
		   work, a, a, a);
		break;
	case 11:
		sh("cd '%s' && { mkdir -p d%u && ln -sfn ../%s d%u/link%u; } 2>/dev/null || true", work,
		   rnd(5), a, rnd(5), rnd(3));
		break;
	}
}

TestSuite(incr, .init = setup, .fini = teardown, .timeout = 120);

Test(incr, same_tree_as_a_full_scan_after_random_edits)
{
	struct snap_store *a, *b;
	struct snap_checkpoint ca, cb;
	struct buf na = BUF_INIT, nb = BUF_INIT;
	char ta[41], tb[41];

	for (int i = 0; i < 100; i++) {
		char rel[64];
		snprintf(rel, sizeof rel, "d%d/f%d", i % 5, i % 20);
		sh("mkdir -p '%s/d%d/s%d' '%s/emptydir'", work, i % 5, i % 3, work);
		put(rel, "seed\n");
	}
	cr_assert_eq(snap_open(&a, work, state), 0, "%s", err_msg());
	cr_assert_eq(snap_open(&b, work, state2), 0, "%s", err_msg());
	start_watch();
	cr_assert_eq(snap_checkpoint(a, "s", "baseline", 0, NULL, &ca), 0, "%s", err_msg());
	cr_assert_str_eq(ca.mode, "full");
	for (int round = 0; round < 40; round++) {
		struct watch_dirty d;
		int nedits = 1 + (int)rnd(4);

		for (int e = 0; e < nedits; e++)
			random_edit();
		take(&d);
		cr_assert_not(d.full);
		struct snap_dirty sd = { (const char *const *)d.paths, d.n, false };
		struct snap_checkpoint_opts o = { .label = "edit", .turn = round, .dirty = &sd };
		cr_assert_eq(snap_checkpoint_opt(a, "s", &o, &ca), 0, "%s", err_msg());
		cr_assert_str_eq(ca.mode, "incremental");
		watch_dirty_fini(&d);
		cr_assert_eq(snap_checkpoint(b, "s", "full", round, NULL, &cb), 0, "%s", err_msg());
		tree_and_note(a, ca.id, ta, &na);
		tree_and_note(b, cb.id, tb, &nb);
		cr_assert_str_eq(ta, tb, "round %d: incremental tree %s != full tree %s", round, ta,
		                 tb);
		cr_assert_str_eq(buf_cstr(&na), buf_cstr(&nb), "round %d: notes differ", round);
	}
	buf_fini(&na);
	buf_fini(&nb);
	snap_close(a);
	snap_close(b);
}

Test(incr, cost_follows_the_change_and_large_files_are_listed)
{
	struct snap_store *s;
	struct snap_checkpoint c;
	struct watch_dirty d;

	for (int i = 0; i < 300; i++) {
		char rel[64];
		snprintf(rel, sizeof rel, "d%d/f%d", i % 10, i);
		sh("mkdir -p '%s/d%d'", work, i % 10);
		put(rel, "x\n");
	}
	cr_assert_eq(snap_open(&s, work, state), 0);
	snap_set_large_limit(s, 1000);
	start_watch();
	cr_assert_eq(snap_checkpoint(s, "s", "baseline", 0, NULL, &c), 0);
	cr_assert_eq(c.paths_read, 300);
	put("d3/f3", "changed\n");
	take(&d);
	struct snap_dirty sd = { (const char *const *)d.paths, d.n, d.full };
	struct snap_checkpoint_opts o = { .label = "one", .turn = 1, .tool_call = "t1", .dirty = &sd };
	cr_assert_eq(snap_checkpoint_opt(s, "s", &o, &c), 0);
	watch_dirty_fini(&d);
	cr_assert_str_eq(c.mode, "incremental");
	cr_assert_eq(c.files_changed, 1);
	cr_assert_leq(c.paths_read, 2, "read %zu paths for a one-file change", c.paths_read);
	/* a file over the limit is not stored but listed in the note */
	sh("head -c 5000 /dev/zero > '%s/big.bin'", work);
	take(&d);
	sd = (struct snap_dirty){ (const char *const *)d.paths, d.n, d.full };
	o = (struct snap_checkpoint_opts){ .label = "ext", .turn = -1, .external = true, .dirty = &sd };
	cr_assert_eq(snap_checkpoint_opt(s, "s", &o, &c), 0);
	watch_dirty_fini(&d);
	struct buf note = BUF_INIT;
	char tree[41];
	tree_and_note(s, c.id, tree, &note);
	cr_assert(strstr(buf_cstr(&note), "L 5000 big.bin"), "note: %s", buf_cstr(&note));
	struct snap_log_entry *e;
	size_t n;
	cr_assert_eq(snap_log(s, "s", &e, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert(e[2].external);
	cr_assert_not(e[1].external);
	cr_assert_str_eq(e[1].tool_call, "t1");
	snap_log_free(e, n);
	buf_fini(&note);
	snap_close(s);
}

/* A chmod of the folder itself reaches the watch on it as IN_ATTRIB with no
 * name: the set names "." (not a full rescan), and the incremental
 * checkpoint records the folder's mode as a full scan does, and back. */
Test(incr, the_folders_own_mode_is_seen)
{
	struct snap_store *a, *b;
	struct snap_checkpoint ca, cb;
	struct buf na = BUF_INIT, nb = BUF_INIT;
	char ta[41], tb[41];
	const char *mode[] = { "700", "755" };

	put("a.txt", "a\n");
	cr_assert_eq(snap_open(&a, work, state), 0, "%s", err_msg());
	cr_assert_eq(snap_open(&b, work, state2), 0, "%s", err_msg());
	start_watch();
	cr_assert_eq(snap_checkpoint(a, "s", "baseline", 0, NULL, &ca), 0, "%s", err_msg());
	for (int round = 0; round < 2; round++) {
		struct watch_dirty d;
		char cmd[32];

		snprintf(cmd, sizeof cmd, "chmod %s .", mode[round]);
		sh("cd '%s' && %s", work, cmd);
		take(&d);
		cr_assert(!d.full, "%s: unexpected full rescan", cmd);
		cr_assert(d.n == 1 && !strcmp(d.paths[0], "."), "%s: %zu paths, first %s", cmd, d.n,
		          d.n ? d.paths[0] : "-");
		struct snap_dirty sd = { (const char *const *)d.paths, d.n, false };
		struct snap_checkpoint_opts o = { .label = cmd, .turn = round + 1, .dirty = &sd };
		cr_assert_eq(snap_checkpoint_opt(a, "s", &o, &ca), 0, "%s", err_msg());
		watch_dirty_fini(&d);
		cr_assert_str_eq(ca.mode, "incremental");
		cr_assert(ca.created, "%s makes a checkpoint", cmd);
		cr_assert_eq(ca.files_changed, 1, "%s", cmd);
		cr_assert_eq(snap_checkpoint(b, "s", "full", round, NULL, &cb), 0, "%s", err_msg());
		tree_and_note(a, ca.id, ta, &na);
		tree_and_note(b, cb.id, tb, &nb);
		cr_assert_str_eq(ta, tb);
		cr_assert_str_eq(buf_cstr(&na), buf_cstr(&nb), "%s: notes differ", cmd);
		cr_assert(strstr(buf_cstr(&na), "\nv 3\n"), "%s", buf_cstr(&na));
		cr_assert_eq(strstr(buf_cstr(&na), "\nM 0700 .\n") != NULL, round == 0, "%s",
		             buf_cstr(&na));
	}
	buf_fini(&na);
	buf_fini(&nb);
	snap_close(a);
	snap_close(b);
}
