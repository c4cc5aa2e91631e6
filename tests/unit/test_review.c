/* SPDX-License-Identifier: MIT */
/* Unit tests for snap/review.h: the review model on real libgit2 shadow
 * repositories over real temp folders. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "core/buf.h"
#include "core/err.h"
#include "snap/review.h"
#include "snap/snap.h"

#define SESSION "s1"

static char root[256], work[512], state[512], conflicts[512];

/*
 * Filesystem helpers
 */

static void
pathf(char *dst, const char *rel)
{
	snprintf(dst, PATH_MAX, "%s/%s", work, rel);
}

static void
put(const char *rel, const void *data, size_t len, mode_t mode)
{
	char p[PATH_MAX];

	pathf(p, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0, "open %s: %s", p, strerror(errno));
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void
put_s(const char *rel, const char *text)
{
	put(rel, text, strlen(text), 0644);
}

static char *
slurp_path(const char *p)
{
	struct buf b = BUF_INIT;
	char tmp[4096];
	ssize_t n;
	int fd = open(p, O_RDONLY);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, tmp, sizeof tmp)) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(fd);
	return buf_detach(&b);
}

static char *
slurp(const char *rel)
{
	char p[PATH_MAX];

	pathf(p, rel);
	return slurp_path(p);
}

static void
assert_content(const char *rel, const char *want)
{
	char *got = slurp(rel);

	cr_assert(got, "%s missing", rel);
	cr_assert_str_eq(got, want, "%s", rel);
	free(got);
}

static bool
exists(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	pathf(p, rel);
	return lstat(p, &st) == 0;
}

static unsigned
perm_of(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	pathf(p, rel);
	cr_assert_eq(lstat(p, &st), 0, "lstat %s", p);
	return st.st_mode & 07777;
}

/* Thirty numbered lines, with lines in `up` upper-cased ("LINE n"). */
static char *
lines30(int a, int b, int c)
{
	struct buf t = BUF_INIT;

	for (int i = 1; i <= 30; i++)
		buf_printf(&t, "%s %d\n", i == a || i == b || i == c ? "LINE" : "line", i);
	return buf_detach(&t);
}

/* Types, modes, link targets and contents of everything in the folder
 * (but .git), one line each: what "byte-identical" means here. */
static void
dump_dir(const char *dir, const char *rel, struct buf *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	cr_assert(d, "opendir %s", dir);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (!*rel && !strcmp(de->d_name, ".git")))
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(names[i], names[j]) > 0) {
				char *t = names[i];
				names[i] = names[j];
				names[j] = t;
			}
	for (size_t i = 0; i < n; i++) {
		char p[PATH_MAX], r[PATH_MAX];
		struct stat st;

		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", names[i]);
		lstat(p, &st);
		buf_printf(out, "%s %o ", r, st.st_mode);
		if (S_ISDIR(st.st_mode)) {
			buf_puts(out, "dir\n");
			dump_dir(p, r, out);
		} else if (S_ISLNK(st.st_mode)) {
			char t[PATH_MAX] = "";
			readlink(p, t, sizeof t - 1);
			buf_printf(out, "-> %s\n", t);
		} else {
			char *c = slurp_path(p);
			buf_printf(out, "%zu:", (size_t)st.st_size);
			buf_add(out, c, (size_t)st.st_size);
			buf_putc(out, '\n');
			free(c);
		}
		free(names[i]);
	}
	free(names);
}

static char *
dump(void)
{
	struct buf b = BUF_INIT;

	dump_dir(work, "", &b);
	return buf_detach(&b);
}

/*
 * Store helpers
 */

static unsigned char bin0[300], bin1[310];

static void
setup(void)
{
	git_libgit2_init();
	snprintf(root, sizeof root, "/tmp/dh-review-XXXXXX");
	cr_assert(mkdtemp(root));
	snprintf(work, sizeof work, "%s/work", root);
	snprintf(state, sizeof state, "%s/state", root);
	snprintf(conflicts, sizeof conflicts, "%s/conflicts", root);
	cr_assert_eq(mkdir(work, 0755), 0);
	for (size_t i = 0; i < sizeof bin0; i++)
		bin0[i] = (unsigned char)(i * 7);
	memcpy(bin1, bin0, sizeof bin0);
	memset(bin1 + sizeof bin0, 0, sizeof bin1 - sizeof bin0);
	bin1[0] = 0xff;
	char *t = lines30(0, 0, 0);
	put_s("t.txt", t);
	free(t);
	put("bin.dat", bin0, sizeof bin0, 0644);
	put_s("old.txt", "rename me\nsecond line\nthird line\nfourth line\n");
	put_s("del.txt", "delete me\n");
	put_s("mode.sh", "#!/bin/sh\necho hi\n");
	put_s("keep.txt", "untouched\n");
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", root);
	git_libgit2_shutdown();
}

static struct snap_store *
open_store(void)
{
	struct snap_store *s = NULL;
	int rc = snap_open(&s, work, state);

	cr_assert_eq(rc, 0, "snap_open: %s", err_msg());
	return s;
}

/* A checkpoint: an agent step when tool_call is set, else an external one. */
static struct snap_checkpoint
cp(struct snap_store *s, const char *label, const char *tool_call)
{
	struct snap_checkpoint c;
	int rc = snap_checkpoint(s, SESSION, label, tool_call ? 1 : -1, tool_call, &c);

	cr_assert_eq(rc, 0, "checkpoint %s: %s", label, err_msg());
	return c;
}

/* Baseline, then three agent steps:
 *   toolu_1  t.txt: lines 2, 15 and 28 changed (three hunks)
 *   toolu_2  old.txt -> new.txt, del.txt deleted, new.csv created,
 *            mode.sh chmod 755, bin.dat rewritten
 *   toolu_3  empty directory emptydir/, symlink ln -> t.txt */
static void
session(struct snap_store *s)
{
	char p[PATH_MAX], q[PATH_MAX];

	cr_assert(cp(s, "baseline", NULL).created);
	char *t = lines30(2, 15, 28);
	put_s("t.txt", t);
	free(t);
	cr_assert(cp(s, "turn 1: write_file toolu_1", "toolu_1").created);
	pathf(p, "old.txt");
	pathf(q, "new.txt");
	cr_assert_eq(rename(p, q), 0);
	pathf(p, "del.txt");
	cr_assert_eq(unlink(p), 0);
	put_s("new.csv", "x,y\n1,2\n");
	pathf(p, "mode.sh");
	cr_assert_eq(chmod(p, 0755), 0);
	put("bin.dat", bin1, sizeof bin1, 0644);
	cr_assert(cp(s, "turn 2: run_command toolu_2", "toolu_2").created);
	pathf(p, "emptydir");
	cr_assert_eq(mkdir(p, 0755), 0);
	pathf(p, "ln");
	cr_assert_eq(symlink("t.txt", p), 0);
	cr_assert(cp(s, "turn 3: run_command toolu_3", "toolu_3").created);
}

static struct review *
get(struct snap_store *s)
{
	struct review *r = NULL;
	int rc = snap_review_get(s, SESSION, &r);

	cr_assert_eq(rc, 0, "review: %s", err_msg());
	return r;
}

static const struct review_file *
find(const struct review *r, const char *path)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (!strcmp(r->files[i].path, path))
			return &r->files[i];
	return NULL;
}

static void
assert_pending(struct snap_store *s, const char *want)
{
	struct review *r = get(s);
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < r->nfiles; i++)
		buf_printf(&b, "%s%c %s", i ? ", " : "", r->files[i].status, r->files[i].path);
	cr_assert_str_eq(buf_cstr(&b), want);
	buf_fini(&b);
	snap_review_free(r);
}

static const char *const *
one(const char *p)
{
	static const char *v[1];

	v[0] = p;
	return v;
}

static size_t
nsteps(struct snap_store *s)
{
	struct review_step *v;
	size_t n;

	cr_assert_eq(snap_review_steps(s, SESSION, &v, &n), 0, "%s", err_msg());
	snap_review_steps_free(v, n);
	return n;
}

/*
 * Tests
 */

TestSuite(review, .init = setup, .fini = teardown, .timeout = 120);

Test(review, lists_every_kind_with_hunks_sizes_modes_and_steps)
{
	struct snap_store *s = open_store();

	session(s);
	struct review *r = get(s);
	char base[41];
	cr_assert_eq(snap_review_accepted(s, SESSION, base), 0);
	cr_assert_str_eq(r->accepted_id, base);
	assert_pending(s, "M bin.dat, D del.txt, A emptydir/, A ln, T mode.sh, A new.csv, "
	                  "R new.txt, M t.txt");

	const struct review_file *f = find(r, "t.txt");
	cr_assert(f && f->status == 'M');
	cr_assert_eq(f->added, 3);
	cr_assert_eq(f->removed, 3);
	cr_assert_eq(f->nhunks, 3);
	cr_assert_str_eq(f->step.tool_call, "toolu_1");
	cr_assert_str_eq(f->step.label, "turn 1: write_file toolu_1");
	cr_assert_eq(f->hunks[1].n, 2);
	cr_assert_str_eq(f->hunks[1].header, "@@ -12,7 +12,7 @@ line 11");
	cr_assert_eq(f->hunks[1].nlines, 8);
	cr_assert_eq(f->hunks[1].lines[3].origin, '-');
	cr_assert_str_eq(f->hunks[1].lines[3].text, "line 15");
	cr_assert_eq(f->hunks[1].lines[4].origin, '+');
	cr_assert_str_eq(f->hunks[1].lines[4].text, "LINE 15");

	f = find(r, "new.txt");
	cr_assert(f && f->status == 'R' && !strcmp(f->old_path, "old.txt"));
	cr_assert_eq(f->nhunks, 0);
	cr_assert_str_eq(f->step.tool_call, "toolu_2");

	f = find(r, "del.txt");
	cr_assert(f && f->status == 'D');
	cr_assert_eq(f->old_size, 10);
	cr_assert_eq(f->new_size, -1);
	cr_assert_eq(f->removed, 1);
	cr_assert_eq(f->new_mode, 0);

	f = find(r, "new.csv");
	cr_assert(f && f->status == 'A' && f->added == 2 && f->nhunks == 1);
	cr_assert_eq(f->old_mode, 0);
	cr_assert_eq(f->new_mode, 0100644);

	f = find(r, "mode.sh");
	cr_assert(f && f->status == 'T' && f->nhunks == 0);
	cr_assert_eq(f->old_mode, 0100644);
	cr_assert_eq(f->new_mode, 0100755);

	f = find(r, "bin.dat");
	cr_assert(f && f->status == 'M' && f->binary && f->nhunks == 0);
	cr_assert_eq(f->old_size, 300);
	cr_assert_eq(f->new_size, 310);

	f = find(r, "emptydir/");
	/* a directory's mode carries its permission bits (as made: 0755) */
	cr_assert(f && f->status == 'A' && f->new_mode == 040755, "%o", f ? f->new_mode : 0);
	cr_assert_str_eq(f->step.tool_call, "toolu_3");

	f = find(r, "ln");
	cr_assert(f && f->status == 'A' && f->new_mode == 0120000 && f->nhunks == 0);
	cr_assert(!find(r, "keep.txt"));
	snap_review_free(r);
	snap_close(s);
}

Test(review, reject_hunk_keeps_the_other_two_exactly)
{
	struct snap_store *s = open_store();
	struct review_outcome o;

	session(s);
	snap_review_outcome_init(&o);
	int rc = snap_review_reject_hunk(s, SESSION, "t.txt", 2, 0, conflicts, &o);
	cr_assert_eq(rc, 0, "%s", err_msg());
	cr_assert(o.ck.created);
	snap_review_outcome_fini(&o);
	char *want = lines30(2, 0, 28);
	assert_content("t.txt", want);
	free(want);

	struct review *r = get(s);
	const struct review_file *f = find(r, "t.txt");
	cr_assert_eq(f->nhunks, 2);
	cr_assert_str_eq(f->step.label, "reject hunk 2 of t.txt");
	cr_assert_null(f->step.tool_call);
	snap_review_free(r);
	cr_assert_eq(nsteps(s), 3, "a reject is not an agent step");

	/* now hunk 2 is the old hunk 3 */
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_reject_hunk(s, SESSION, "t.txt", 2, 0, conflicts, &o), 0);
	snap_review_outcome_fini(&o);
	want = lines30(2, 0, 0);
	assert_content("t.txt", want);
	free(want);

	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_reject_hunk(s, SESSION, "t.txt", 2, 0, conflicts, &o),
	             DH_ENOTFOUND);
	cr_assert_eq(snap_review_reject_hunk(s, SESSION, "bin.dat", 1, 0, conflicts, &o),
	             DH_EDENIED);
	cr_assert_eq(snap_review_reject_hunk(s, SESSION, "new.csv", 1, 0, conflicts, &o),
	             DH_EDENIED);
	cr_assert_eq(snap_review_reject_hunk(s, SESSION, "ln", 1, 0, conflicts, &o), DH_EDENIED);
	cr_assert_eq(snap_review_reject_hunk(s, SESSION, "keep.txt", 1, 0, conflicts, &o),
	             DH_ENOTFOUND);
	snap_review_outcome_fini(&o);
	snap_close(s);
}

Test(review, reject_hunk_of_an_edited_rename_and_without_final_newline)
{
	struct snap_store *s = open_store();
	struct review_outcome o;
	char p[PATH_MAX], q[PATH_MAX];

	cp(s, "baseline", NULL);
	pathf(p, "old.txt");
	pathf(q, "moved.txt");
	cr_assert_eq(rename(p, q), 0);
	put_s("moved.txt", "rename me\nsecond line\nthird line\nfourth line\nfifth");
	cp(s, "step", "toolu_m");
	struct review *r = get(s);
	const struct review_file *f = find(r, "moved.txt");
	cr_assert(f && f->status == 'R' && f->nhunks == 1);
	cr_assert_eq(f->hunks[0].lines[f->hunks[0].nlines - 1].origin, '\\');
	snap_review_free(r);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_reject_hunk(s, SESSION, "moved.txt", 1, 0, conflicts, &o), 0, "%s",
	             err_msg());
	snap_review_outcome_fini(&o);
	assert_content("moved.txt", "rename me\nsecond line\nthird line\nfourth line\n");
	cr_assert(!exists("old.txt"), "the rename stays");
	snap_close(s);
}

Test(review, reject_restores_every_kind_and_is_undoable)
{
	struct snap_store *s = open_store();
	struct review_outcome o;
	const char *all[] = {"t.txt",   "new.txt", "del.txt",  "new.csv",
	                     "mode.sh", "bin.dat", "emptydir", "ln"};

	session(s);
	char *after = dump();
	snap_review_outcome_init(&o);
	int rc = snap_review_reject(s, SESSION, all, 8, 0, conflicts, &o);
	cr_assert_eq(rc, 0, "%s", err_msg());
	cr_assert(o.ck.created);
	cr_assert_eq(o.npaths, 9, "both sides of the rename: %zu", o.npaths);
	snap_review_outcome_fini(&o);
	char *t = lines30(0, 0, 0);
	assert_content("t.txt", t);
	free(t);
	assert_content("old.txt", "rename me\nsecond line\nthird line\nfourth line\n");
	cr_assert(!exists("new.txt") && !exists("new.csv") && !exists("emptydir") && !exists("ln"));
	assert_content("del.txt", "delete me\n");
	cr_assert_eq(perm_of("mode.sh"), 0644);
	char *b = slurp("bin.dat");
	cr_assert_eq(memcmp(b, bin0, sizeof bin0), 0);
	free(b);
	assert_pending(s, "");
	cr_assert_eq(nsteps(s), 3);

	/* the reject is a checkpoint: restoring the head before it undoes it */
	struct snap_log_entry *e;
	size_t n;
	cr_assert_eq(snap_log(s, SESSION, &e, &n), 0);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_restore(s, SESSION, e[n - 2].id, NULL, 0, conflicts, &o), 0, "%s",
	             err_msg());
	snap_review_outcome_fini(&o);
	snap_log_free(e, n);
	char *again = dump();
	cr_assert_str_eq(again, after);
	free(again);
	free(after);

	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_reject(s, SESSION, one("keep.txt"), 1, 0, conflicts, &o),
	             DH_ENOTFOUND);
	snap_review_outcome_fini(&o);
	snap_close(s);
}

Test(review, accept_moves_the_mark_and_survives_reopening)
{
	struct snap_store *s = open_store();
	struct review_outcome o;
	const char *paths[] = {"t.txt", "old.txt", "./emptydir/", "mode.sh", "del.txt"};
	char base[41], mark[41];

	session(s);
	cr_assert_eq(snap_review_accepted(s, SESSION, base), 0);
	snap_review_outcome_init(&o);
	int rc = snap_review_accept(s, SESSION, paths, 5, &o);
	cr_assert_eq(rc, 0, "%s", err_msg());
	cr_assert_eq(o.npaths, 5);
	snap_review_outcome_fini(&o);
	assert_pending(s, "M bin.dat, A ln, A new.csv");
	cr_assert_eq(snap_review_accepted(s, SESSION, mark), 0);
	cr_assert_str_neq(mark, base);
	snap_close(s);

	s = open_store();
	assert_pending(s, "M bin.dat, A ln, A new.csv");
	char again[41];
	cr_assert_eq(snap_review_accepted(s, SESSION, again), 0);
	cr_assert_str_eq(again, mark);

	/* rejecting now restores the accepted state, not the baseline */
	put_s("t.txt", "person\n");
	cp(s, "external", NULL);
	assert_pending(s, "M bin.dat, A ln, A new.csv, M t.txt");
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_reject(s, SESSION, one("t.txt"), 1, 0, conflicts, &o), 0);
	snap_review_outcome_fini(&o);
	char *t = lines30(2, 15, 28);
	assert_content("t.txt", t);
	free(t);

	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_accept(s, SESSION, one("nope"), 1, &o), DH_ENOTFOUND);
	snap_review_outcome_fini(&o);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_accept(s, SESSION, NULL, 0, &o), 0);
	cr_assert_eq(o.npaths, 3);
	snap_review_outcome_fini(&o);
	assert_pending(s, "");
	/* accepting the folder does not touch it */
	cr_assert(exists("ln") && exists("new.csv"));
	snap_close(s);
}

Test(review, mark_moves_back_and_forward_along_the_marks_only)
{
	struct snap_store *s = open_store();
	struct review_outcome o;
	char base[41], mark[41], head[41];

	session(s);
	cr_assert_eq(snap_review_accepted(s, SESSION, base), 0);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_accept(s, SESSION, one("t.txt"), 1, &o), 0);
	snap_review_outcome_fini(&o);
	cr_assert_eq(snap_review_accepted(s, SESSION, mark), 0);
	char *before = dump();

	/* back to the baseline: t.txt pending again, the folder untouched */
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_mark_set(s, SESSION, base, &o), 0, "%s", err_msg());
	snap_review_outcome_fini(&o);
	assert_pending(s, "M bin.dat, D del.txt, A emptydir/, A ln, T mode.sh, A new.csv, "
			  "R new.txt, M t.txt");
	/* forward again to the later mark */
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_mark_set(s, SESSION, mark, &o), 0, "%s", err_msg());
	snap_review_outcome_fini(&o);
	assert_pending(s, "M bin.dat, D del.txt, A emptydir/, A ln, T mode.sh, A new.csv, "
			  "R new.txt");
	char *after = dump();
	cr_assert_str_eq(after, before);
	/* a checkpoint is no accepted mark */
	cr_assert_eq(snap_resolve(s, SESSION, "head", head), 0);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_mark_set(s, SESSION, head, &o), DH_ENOTFOUND);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_mark_set(s, SESSION, "nothex", &o), DH_ENOTFOUND);
	snap_review_outcome_fini(&o);
	free(before);
	free(after);
	snap_close(s);
}

/* reject-hunk --force over the person's recorded edit that the review folds
 * into the agent's hunk: two lines away, only the agent's line goes and
 * theirs stays; right next to it, the hunk goes with their line, and the
 * notes say what was overwritten and which checkpoint holds their version. */
Test(review, reject_hunk_forced_takes_out_only_the_agents_lines)
{
	struct snap_store *s = open_store();
	struct review_outcome o;
	struct snap_checkpoint ck;
	char *action, held[13];
	int call;

	session(s);
	char *edited = lines30(2, 15, 28);
	memcpy(strstr(edited, "line 17\n"), "mine 17\n", 8);
	put_s("t.txt", edited);
	cr_assert_eq(snap_review_recover(s, SESSION, NULL, 0, &ck, &call, &action, NULL), 0, "%s",
	             err_msg());
	cr_assert(ck.created);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_reject_hunk(s, SESSION, "t.txt", 2, 0, conflicts, &o),
	             DH_ECONFLICT);
	snap_review_outcome_fini(&o);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_reject_hunk(s, SESSION, "t.txt", 2, REVIEW_F_FORCE, conflicts, &o),
	             0, "%s", err_msg());
	cr_assert_eq(o.notes.n, 1);
	cr_assert(strstr(o.notes.v[0], "only the agent's lines"), "%s", o.notes.v[0]);
	snap_review_outcome_fini(&o);
	memcpy(strstr(edited, "LINE 15"), "line 15", 7);
	assert_content("t.txt", edited);

	/* hunk 3 (LINE 28), with their line 29 next to it */
	memcpy(strstr(edited, "line 29\n"), "mine 29\n", 8);
	put_s("t.txt", edited);
	cr_assert_eq(snap_review_recover(s, SESSION, NULL, 0, &ck, &call, &action, NULL), 0, "%s",
	             err_msg());
	snprintf(held, sizeof held, "%.12s", ck.id);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_reject_hunk(s, SESSION, "t.txt", 3, REVIEW_F_FORCE, conflicts, &o),
	             0, "%s", err_msg());
	cr_assert_geq(o.notes.n, 3);
	cr_assert(strstr(o.notes.v[0], "hunk 3 was rejected over your edit"), "%s", o.notes.v[0]);
	bool named = false;
	for (size_t i = 1; i + 1 < o.notes.n; i++)
		named |= !strcmp(o.notes.v[i], "  -mine 29");
	cr_assert(named, "the notes do not show the person's line 29");
	cr_assert(strstr(o.notes.v[o.notes.n - 1], held), "%s", o.notes.v[o.notes.n - 1]);
	snap_review_outcome_fini(&o);
	memcpy(strstr(edited, "LINE 28"), "line 28", 7);
	memcpy(strstr(edited, "mine 29"), "line 29", 7);
	assert_content("t.txt", edited);
	free(edited);
	snap_close(s);
}

Test(review, human_edit_is_a_conflict_and_force_overrides)
{
	struct snap_store *s = open_store();
	struct review_outcome o;

	session(s);
	char *edited = lines30(2, 15, 28);
	char *p = strstr(edited, "line 20\n");
	memcpy(p, "mine 20\n", 8);
	put_s("t.txt", edited);

	snap_review_outcome_init(&o);
	int rc = snap_review_reject(s, SESSION, one("t.txt"), 1, 0, conflicts, &o);
	cr_assert_eq(rc, DH_ECONFLICT);
	cr_assert(strstr(err_msg(), "t.txt"), "%s", err_msg());
	assert_content("t.txt", edited);
	cr_assert_eq(o.nconflicts, 1);
	cr_assert_str_eq(o.conflicts[0].path, "t.txt");
	cr_assert(!strncmp(o.conflict_dir, conflicts, strlen(conflicts)));
	char *v = slurp_path(o.conflicts[0].current), *orig = lines30(0, 0, 0),
	     *agent = lines30(2, 15, 28);
	cr_assert_str_eq(v, edited);
	free(v);
	v = slurp_path(o.conflicts[0].base);
	cr_assert_str_eq(v, orig);
	free(v);
	v = slurp_path(o.conflicts[0].agent);
	cr_assert_str_eq(v, agent);
	free(v);
	cr_assert(strstr(o.conflicts[0].diff, "-line 20\n+mine 20\n"), "%s", o.conflicts[0].diff);
	snap_review_outcome_fini(&o);

	/* reject-hunk: refused, then forced onto the current file (the person's
	 * line 20 stays, hunk 3 goes) */
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_reject_hunk(s, SESSION, "t.txt", 3, 0, conflicts, &o),
	             DH_ECONFLICT);
	assert_content("t.txt", edited);
	snap_review_outcome_fini(&o);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_reject_hunk(s, SESSION, "t.txt", 3, REVIEW_F_FORCE, conflicts, &o),
	             0, "%s", err_msg());
	snap_review_outcome_fini(&o);
	memcpy(strstr(edited, "LINE 28"), "line 28", 7);
	assert_content("t.txt", edited);

	/* undo of the step that made t.txt: the person's edit is now in the
	 * head, so the step's version is gone: conflict; force restores */
	put_s("t.txt", "again\n");
	snap_review_outcome_init(&o);
	const char *step1 = NULL;
	struct review_step *st;
	size_t n;
	cr_assert_eq(snap_review_steps(s, SESSION, &st, &n), 0);
	step1 = st[n - 1].id;
	cr_assert_eq(snap_review_undo(s, SESSION, &step1, 1, NULL, 0, conflicts, &o), DH_ECONFLICT);
	assert_content("t.txt", "again\n");
	snap_review_outcome_fini(&o);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_undo(s, SESSION, &step1, 1, NULL, REVIEW_F_FORCE, conflicts, &o),
	             0, "%s", err_msg());
	snap_review_outcome_fini(&o);
	snap_review_steps_free(st, n);
	assert_content("t.txt", orig);

	/* a plain reject with force over a human edit */
	put_s("new.csv", "human\n");
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_reject(s, SESSION, one("new.csv"), 1, 0, conflicts, &o),
	             DH_ECONFLICT);
	cr_assert_null(o.conflicts[0].base, "new.csv did not exist when accepted");
	snap_review_outcome_fini(&o);
	snap_review_outcome_init(&o);
	cr_assert_eq(
		snap_review_reject(s, SESSION, one("new.csv"), 1, REVIEW_F_FORCE, conflicts, &o),
		0);
	snap_review_outcome_fini(&o);
	cr_assert(!exists("new.csv"));
	free(orig);
	free(agent);
	free(edited);
	snap_close(s);
}

/* A restore (undo --to) is taken back by redo, byte for byte, as an undo of
 * steps is; the redo stack walks on through the undo before it. */
Test(review, restore_then_redo_is_byte_identical)
{
	struct snap_store *s = open_store();
	struct review_outcome o;
	struct review_step *st;
	size_t n;

	session(s);
	char *after = dump();
	cr_assert_eq(snap_review_steps(s, SESSION, &st, &n), 0);
	const char *id = st[0].id;
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_undo(s, SESSION, &id, 1, NULL, 0, conflicts, &o), 0, "%s",
	             err_msg());
	snap_review_outcome_fini(&o);
	snap_review_steps_free(st, n);
	char *mid = dump();

	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_restore(s, SESSION, "baseline", NULL, 0, conflicts, &o), 0, "%s",
	             err_msg());
	cr_assert(o.ck.created);
	snap_review_outcome_fini(&o);
	assert_pending(s, "");
	cr_assert_eq(snap_review_can_redo(s, SESSION, NULL), 1);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_redo(s, SESSION, 0, conflicts, &o), 0, "%s", err_msg());
	cr_assert(o.ck.created);
	/* it says what it took back: the restore, named as its checkpoint */
	cr_assert_eq(strncmp(o.taken_back, "restore ", 8), 0, "taken_back '%s'", o.taken_back);
	cr_assert_eq(strlen(o.taken_back), 8 + 12, "taken_back '%s'", o.taken_back);
	snap_review_outcome_fini(&o);
	char *d = dump();
	cr_assert_str_eq(d, mid);
	free(d);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_redo(s, SESSION, 0, conflicts, &o), 0, "%s", err_msg());
	cr_assert_str_eq(o.taken_back, "", "an undo's redo took back no restore");
	snap_review_outcome_fini(&o);
	d = dump();
	cr_assert_str_eq(d, after);
	free(d);
	cr_assert_eq(snap_review_can_redo(s, SESSION, NULL), 0);
	free(mid);
	free(after);
	snap_close(s);
}

Test(review, undo_then_redo_is_byte_identical)
{
	struct snap_store *s = open_store();
	struct review_outcome o;
	struct review_step *st;
	size_t n;

	session(s);
	char *after = dump();
	cr_assert_eq(snap_review_steps(s, SESSION, &st, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(st[0].tool_call, "toolu_3");
	cr_assert_str_eq(st[2].tool_call, "toolu_1");

	/* undo the newest two steps */
	const char *ids[2] = {st[0].id, st[1].id};
	snap_review_outcome_init(&o);
	int rc = snap_review_undo(s, SESSION, ids, 2, NULL, 0, conflicts, &o);
	cr_assert_eq(rc, 0, "%s", err_msg());
	snap_review_outcome_fini(&o);
	cr_assert(!exists("ln") && !exists("emptydir") && !exists("new.txt"));
	assert_content("old.txt", "rename me\nsecond line\nthird line\nfourth line\n");
	cr_assert_eq(perm_of("mode.sh"), 0644);
	char *mid = dump();
	cr_assert_eq(nsteps(s), 1);

	/* and the last one: a second undo takes the next step */
	snap_review_steps_free(st, n);
	cr_assert_eq(snap_review_steps(s, SESSION, &st, &n), 0);
	const char *id = st[0].id;
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_undo(s, SESSION, &id, 1, NULL, 0, conflicts, &o), 0, "%s",
	             err_msg());
	snap_review_outcome_fini(&o);
	snap_review_steps_free(st, n);
	char *t = lines30(0, 0, 0);
	assert_content("t.txt", t);
	free(t);
	assert_pending(s, "");
	cr_assert_eq(nsteps(s), 0);

	/* redo walks back through both undos */
	cr_assert_eq(snap_review_can_redo(s, SESSION, NULL), 1);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_redo(s, SESSION, 0, conflicts, &o), 0, "%s", err_msg());
	snap_review_outcome_fini(&o);
	char *d = dump();
	cr_assert_str_eq(d, mid);
	free(d);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_redo(s, SESSION, 0, conflicts, &o), 0, "%s", err_msg());
	snap_review_outcome_fini(&o);
	d = dump();
	cr_assert_str_eq(d, after);
	free(d);
	cr_assert_eq(nsteps(s), 3);
	cr_assert_eq(snap_review_can_redo(s, SESSION, NULL), 0);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_redo(s, SESSION, 0, conflicts, &o), DH_ENOTFOUND);
	snap_review_outcome_fini(&o);

	/* a new agent step invalidates redo */
	cr_assert_eq(snap_review_steps(s, SESSION, &st, &n), 0);
	id = st[0].id;
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_undo(s, SESSION, &id, 1, "op1", 0, conflicts, &o), 0);
	snap_review_outcome_fini(&o);
	snap_review_steps_free(st, n);
	char op[64];
	cr_assert_eq(snap_review_can_redo(s, SESSION, op), 1);
	cr_assert_str_eq(op, "op1");
	put_s("keep.txt", "agent again\n");
	cp(s, "turn 4: write_file toolu_4", "toolu_4");
	cr_assert_eq(snap_review_can_redo(s, SESSION, NULL), 2); /* invalidated */
	free(mid);
	free(after);
	snap_close(s);
}

Test(review, undo_leaves_external_changes_alone)
{
	struct snap_store *s = open_store();
	struct review_outcome o;
	struct review_step *st;
	size_t n;

	session(s);
	put_s("keep.txt", "the person wrote this\n");
	cp(s, "external", NULL);
	put_s("new.csv", "x,y\n1,2\n3,4\n");
	cp(s, "turn 4: edit_file toolu_4", "toolu_4");
	cr_assert_eq(snap_review_steps(s, SESSION, &st, &n), 0);
	cr_assert_eq(n, 4);
	/* undo toolu_4 and toolu_2 (not toolu_3): any subset works */
	const char *ids[2] = {st[0].id, st[2].id};
	cr_assert_str_eq(st[2].tool_call, "toolu_2");
	snap_review_outcome_init(&o);
	int rc = snap_review_undo(s, SESSION, ids, 2, NULL, 0, conflicts, &o);
	cr_assert_eq(rc, 0, "%s", err_msg());
	snap_review_outcome_fini(&o);
	snap_review_steps_free(st, n);
	assert_content("keep.txt", "the person wrote this\n");
	cr_assert(!exists("new.csv"), "created by toolu_2, edited by toolu_4: both undone");
	cr_assert(exists("ln") && exists("emptydir"), "toolu_3 stays");
	assert_content("del.txt", "delete me\n");
	cr_assert_eq(nsteps(s), 2);
	snap_review_outcome_init(&o);
	const char *bogus = "0123456789abcdef";
	cr_assert_eq(snap_review_undo(s, SESSION, &bogus, 1, NULL, 0, conflicts, &o), DH_ENOTFOUND);
	snap_review_outcome_fini(&o);
	snap_close(s);
}

Test(review, restore_any_checkpoint_with_conflict_check)
{
	struct snap_store *s = open_store();
	struct review_outcome o;
	struct snap_log_entry *e;
	size_t n;

	session(s);
	cr_assert_eq(snap_log(s, SESSION, &e, &n), 0);
	cr_assert_eq(n, 4);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_restore(s, SESSION, e[1].short_id, NULL, 0, conflicts, &o), 0,
	             "%s", err_msg());
	cr_assert(o.ck.created);
	snap_review_outcome_fini(&o);
	cr_assert(exists("old.txt") && !exists("ln") && !exists("new.csv"));
	char *t = lines30(2, 15, 28);
	assert_content("t.txt", t);
	free(t);

	put_s("t.txt", "mine\n");
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_restore(s, SESSION, "baseline", NULL, 0, conflicts, &o),
	             DH_ECONFLICT);
	assert_content("t.txt", "mine\n");
	snap_review_outcome_fini(&o);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_restore(s, SESSION, "accepted", NULL, REVIEW_F_FORCE, conflicts, &o),
	             0);
	snap_review_outcome_fini(&o);
	t = lines30(0, 0, 0);
	assert_content("t.txt", t);
	free(t);
	assert_pending(s, "");
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_restore(s, SESSION, "nonsense", NULL, 0, conflicts, &o),
	             DH_ENOTFOUND);
	snap_review_outcome_fini(&o);
	snap_log_free(e, n);
	snap_close(s);
}

/*
 * Accept one hunk
 */

/* The blob at `path` in commit `id` of the shadow repository: its contents
 * (heap, NUL-terminated, *len bytes) and id, or NULL when absent. */
static char *
blob_in(struct snap_store *s, const char *id, const char *path, git_oid *oid, size_t *len)
{
	git_repository *repo = NULL;
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_tree_entry *te = NULL;
	git_blob *b = NULL;
	git_oid cid;
	char *r = NULL;

	cr_assert_eq(git_repository_open(&repo, snap_repo_path(s)), 0);
	cr_assert_eq(git_oid_fromstr(&cid, id), 0);
	cr_assert_eq(git_commit_lookup(&c, repo, &cid), 0);
	cr_assert_eq(git_commit_tree(&t, c), 0);
	if (git_tree_entry_bypath(&te, t, path) == 0) {
		cr_assert_eq(git_blob_lookup(&b, repo, git_tree_entry_id(te)), 0);
		*oid = *git_tree_entry_id(te);
		*len = (size_t)git_blob_rawsize(b);
		r = malloc(*len + 1);
		memcpy(r, git_blob_rawcontent(b), *len);
		r[*len] = '\0';
	}
	git_blob_free(b);
	git_tree_entry_free(te);
	git_tree_free(t);
	git_commit_free(c);
	git_repository_free(repo);
	return r;
}

/* The accepted version of `path` (NULL: absent from the accepted tree). */
static char *
accepted_blob(struct snap_store *s, const char *path, git_oid *oid, size_t *len)
{
	char mark[41];

	cr_assert_eq(snap_review_accepted(s, SESSION, mark), 0);
	return blob_in(s, mark, path, oid, len);
}

/* A hunk's lines as "ORIGIN TEXT|ORIGIN TEXT|…". */
static char *
hunk_str(const struct review_hunk *h)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < h->nlines; i++)
		buf_printf(&b, "%s%c%s", i ? "|" : "", h->lines[i].origin, h->lines[i].text);
	return buf_detach(&b);
}

static void
assert_hunk(const struct review_hunk *h, int n, const char *header, const char *lines)
{
	char *got = hunk_str(h);

	cr_assert_eq(h->n, n);
	cr_assert_str_eq(h->header, header);
	cr_assert_str_eq(got, lines);
	free(got);
}

static void
accept_hunk_ok(struct snap_store *s, const char *path, int n)
{
	struct review_outcome o;

	snap_review_outcome_init(&o);
	int rc = snap_review_accept_hunk(s, SESSION, path, n, &o);
	cr_assert_eq(rc, 0, "accept hunk %d of %s: %s", n, path, err_msg());
	cr_assert_eq(o.npaths, 1);
	cr_assert_not(o.ck.created, "accepting takes no checkpoint");
	cr_assert_eq(strlen(o.ck.id), 40);
	snap_review_outcome_fini(&o);
}

static int
accept_hunk_rc(struct snap_store *s, const char *path, int n)
{
	struct review_outcome o;

	snap_review_outcome_init(&o);
	int rc = snap_review_accept_hunk(s, SESSION, path, n, &o);
	snap_review_outcome_fini(&o);
	return rc;
}

Test(review, accept_hunk_keeps_the_other_two_pending)
{
	struct snap_store *s = open_store();
	git_oid id;
	size_t len;
	char base[41], mark[41];

	session(s);
	char *before = dump();
	cr_assert_eq(snap_review_accepted(s, SESSION, base), 0);
	accept_hunk_ok(s, "t.txt", 2);
	cr_assert_eq(snap_review_accepted(s, SESSION, mark), 0);
	cr_assert_str_neq(mark, base);

	struct review *r = get(s);
	const struct review_file *f = find(r, "t.txt");
	cr_assert(f && f->status == 'M');
	cr_assert_eq(f->nhunks, 2);
	cr_assert_eq(f->added, 2);
	cr_assert_eq(f->removed, 2);
	assert_hunk(&f->hunks[0], 1, "@@ -1,5 +1,5 @@",
	            " line 1|-line 2|+LINE 2| line 3| line 4| line 5");
	assert_hunk(&f->hunks[1], 2, "@@ -25,6 +25,6 @@ line 24",
	            " line 25| line 26| line 27|-line 28|+LINE 28| line 29| line 30");
	snap_review_free(r);
	assert_pending(s, "M bin.dat, D del.txt, A emptydir/, A ln, T mode.sh, A new.csv, "
	                  "R new.txt, M t.txt");
	char *acc = accepted_blob(s, "t.txt", &id, &len), *want = lines30(15, 0, 0);
	cr_assert_str_eq(acc, want);
	free(acc);
	free(want);

	/* the folder is untouched, and it is no agent step or checkpoint */
	char *after = dump();
	cr_assert_str_eq(after, before);
	free(after);
	free(before);
	cr_assert_eq(nsteps(s), 3);
	struct snap_log_entry *e;
	size_t n;
	cr_assert_eq(snap_log(s, SESSION, &e, &n), 0);
	cr_assert_eq(n, 4);
	snap_log_free(e, n);

	/* the mark survives reopening */
	snap_close(s);
	s = open_store();
	r = get(s);
	cr_assert_str_eq(r->accepted_id, mark);
	cr_assert_eq(find(r, "t.txt")->nhunks, 2);
	snap_review_free(r);
	snap_close(s);
}

Test(review, accept_every_hunk_one_by_one_leaves_nothing_pending)
{
	struct snap_store *s = open_store();
	git_oid acc_id, head_id;
	size_t alen, hlen;

	session(s);
	for (int left = 3; left > 0; left--) {
		struct review *r = get(s);
		const struct review_file *f = find(r, "t.txt");

		cr_assert(f, "t.txt no longer pending with %d hunks left", left);
		cr_assert_eq(f->nhunks, (size_t)left);
		cr_assert_eq(f->hunks[0].n, 1);
		snap_review_free(r);
		accept_hunk_ok(s, "t.txt", 1);
	}
	struct review *r = get(s);
	cr_assert_null(find(r, "t.txt"), "t.txt still pending");
	char *acc = accepted_blob(s, "t.txt", &acc_id, &alen);
	char *head = blob_in(s, r->head_id, "t.txt", &head_id, &hlen);
	cr_assert(git_oid_equal(&acc_id, &head_id), "accepted blob differs from the head's");
	cr_assert_str_eq(acc, head);
	free(acc);
	free(head);
	snap_review_free(r);
	assert_pending(s, "M bin.dat, D del.txt, A emptydir/, A ln, T mode.sh, A new.csv, "
	                  "R new.txt");
	cr_assert_eq(accept_hunk_rc(s, "t.txt", 1), DH_ENOTFOUND);
	snap_close(s);
}

/* Lines "w 1".."w 20", line 2 upper-cased when up2, the last one `last`,
 * with a final newline when nl. */
static char *
eof_text(bool up2, const char *last, bool nl)
{
	struct buf t = BUF_INIT;

	for (int i = 1; i < 20; i++)
		buf_printf(&t, "%s %d\n", i == 2 && up2 ? "W" : "w", i);
	buf_printf(&t, "%s%s", last, nl ? "\n" : "");
	return buf_detach(&t);
}

Test(review, accept_hunk_at_the_end_without_a_final_newline)
{
	struct snap_store *s = open_store();
	git_oid id, hid;
	size_t len, hlen;
	struct {
		const char *path;
		char *old, *new, *mid; /* mid: accepted after the last hunk only */
	} c[] = {
		/* both sides lack it; the last line changes */
		{"a.txt", eof_text(false, "end", false), eof_text(true, "END", false),
		 eof_text(false, "END", false)},
		/* the head drops it */
		{"b.txt", eof_text(false, "end", true), eof_text(true, "END", false),
		 eof_text(false, "END", false)},
		/* the head adds it */
		{"c.txt", eof_text(false, "end", false), eof_text(true, "end", true),
		 eof_text(false, "end", true)},
	};

	for (size_t i = 0; i < 3; i++)
		put_s(c[i].path, c[i].old);
	cp(s, "baseline", NULL);
	for (size_t i = 0; i < 3; i++)
		put_s(c[i].path, c[i].new);
	cp(s, "step", "toolu_e");
	char *before = dump();
	for (size_t i = 0; i < 3; i++) {
		struct review *r = get(s);
		const struct review_file *f = find(r, c[i].path);

		cr_assert(f && f->nhunks == 2, "%s", c[i].path);
		const struct review_hunk *h = &f->hunks[1];
		cr_assert_eq(h->lines[h->nlines - 1].origin, i == 2 ? '+' : '\\', "%s", c[i].path);
		snap_review_free(r);

		/* the last hunk first: only it is accepted, bytes exact */
		accept_hunk_ok(s, c[i].path, 2);
		char *acc = accepted_blob(s, c[i].path, &id, &len);
		cr_assert_eq(len, strlen(c[i].mid), "%s", c[i].path);
		cr_assert_str_eq(acc, c[i].mid, "%s", c[i].path);
		free(acc);
		r = get(s);
		f = find(r, c[i].path);
		cr_assert(f && f->nhunks == 1, "%s", c[i].path);
		cr_assert_str_eq(f->hunks[0].header, "@@ -1,5 +1,5 @@");
		snap_review_free(r);

		/* then the first: nothing pending, the head's bytes */
		accept_hunk_ok(s, c[i].path, 1);
		r = get(s);
		cr_assert_null(find(r, c[i].path), "%s still pending", c[i].path);
		acc = accepted_blob(s, c[i].path, &id, &len);
		char *head = blob_in(s, r->head_id, c[i].path, &hid, &hlen);
		cr_assert_eq(len, strlen(c[i].new));
		cr_assert_str_eq(acc, c[i].new, "%s", c[i].path);
		cr_assert(git_oid_equal(&id, &hid));
		free(acc);
		free(head);
		snap_review_free(r);
	}
	char *after = dump();
	cr_assert_str_eq(after, before);
	free(after);
	free(before);
	for (size_t i = 0; i < 3; i++) {
		free(c[i].old);
		free(c[i].new);
		free(c[i].mid);
	}
	snap_close(s);
}

Test(review, accept_hunk_of_an_edited_rename)
{
	struct snap_store *s = open_store();
	char p[PATH_MAX], q[PATH_MAX];
	git_oid id, hid;
	size_t len, hlen;

	char *t = lines30(0, 0, 0);
	put("long.txt", t, strlen(t), 0600);
	free(t);
	cp(s, "baseline", NULL);
	pathf(p, "long.txt");
	pathf(q, "moved.txt");
	cr_assert_eq(rename(p, q), 0);
	t = lines30(2, 28, 0);
	put("moved.txt", t, strlen(t), 0600);
	free(t);
	cp(s, "step", "toolu_m");
	char *before = dump();

	struct review *r = get(s);
	const struct review_file *f = find(r, "moved.txt");
	cr_assert(f && f->status == 'R' && !strcmp(f->old_path, "long.txt"));
	cr_assert_eq(f->nhunks, 2);
	cr_assert_eq(f->old_mode, 0100600);
	snap_review_free(r);

	accept_hunk_ok(s, "moved.txt", 2);
	r = get(s);
	assert_pending(s, "M moved.txt");
	f = find(r, "moved.txt");
	cr_assert(f && f->status == 'M' && !f->old_path);
	cr_assert_eq(f->old_mode, 0100600, "the accepted mode moved with it: %o", f->old_mode);
	cr_assert_eq(f->nhunks, 1);
	assert_hunk(&f->hunks[0], 1, "@@ -1,5 +1,5 @@",
	            " line 1|-line 2|+LINE 2| line 3| line 4| line 5");
	snap_review_free(r);
	cr_assert_null(accepted_blob(s, "long.txt", &id, &len), "the old path left the mark");
	char *acc = accepted_blob(s, "moved.txt", &id, &len), *want = lines30(28, 0, 0);
	cr_assert_str_eq(acc, want);
	free(acc);
	free(want);

	accept_hunk_ok(s, "moved.txt", 1);
	assert_pending(s, "");
	r = get(s);
	acc = accepted_blob(s, "moved.txt", &id, &len);
	char *head = blob_in(s, r->head_id, "moved.txt", &hid, &hlen);
	cr_assert(git_oid_equal(&id, &hid));
	free(acc);
	free(head);
	snap_review_free(r);
	char *after = dump();
	cr_assert_str_eq(after, before);
	cr_assert(!exists("long.txt"));
	free(after);
	free(before);
	snap_close(s);
}

Test(review, accept_hunk_refuses_whole_file_kinds_and_unknown_hunks)
{
	struct snap_store *s = open_store();
	char base[41], mark[41];

	session(s);
	cr_assert_eq(snap_review_accepted(s, SESSION, base), 0);
	cr_assert_eq(accept_hunk_rc(s, "bin.dat", 1), DH_EDENIED);
	cr_assert(strstr(err_msg(), "binary") && strstr(err_msg(), "accept the whole file"), "%s",
	          err_msg());
	cr_assert_eq(accept_hunk_rc(s, "new.csv", 1), DH_EDENIED);
	cr_assert(strstr(err_msg(), "new file"), "%s", err_msg());
	cr_assert_eq(accept_hunk_rc(s, "del.txt", 1), DH_EDENIED);
	cr_assert_eq(accept_hunk_rc(s, "ln", 1), DH_EDENIED);
	cr_assert_eq(accept_hunk_rc(s, "mode.sh", 1), DH_EDENIED);
	cr_assert_eq(accept_hunk_rc(s, "emptydir/", 1), DH_EDENIED);
	cr_assert_eq(accept_hunk_rc(s, "t.txt", 4), DH_ENOTFOUND);
	cr_assert(strstr(err_msg(), "t.txt has 3 hunks, not 4"), "%s", err_msg());
	cr_assert_eq(accept_hunk_rc(s, "t.txt", 0), DH_ENOTFOUND);
	cr_assert_eq(accept_hunk_rc(s, "new.txt", 1), DH_ENOTFOUND, "an unedited rename has none");
	cr_assert_eq(accept_hunk_rc(s, "keep.txt", 1), DH_ENOTFOUND);
	cr_assert(strstr(err_msg(), "keep.txt"), "%s", err_msg());
	cr_assert_eq(accept_hunk_rc(s, "nope/x.txt", 1), DH_ENOTFOUND);
	cr_assert_eq(snap_review_accepted(s, SESSION, mark), 0);
	cr_assert_str_eq(mark, base, "a refused accept-hunk moved the mark");
	snap_close(s);
}

Test(review, recover_attributes_to_the_interrupted_call_or_external)
{
	struct snap_store *s = open_store();
	struct snap_checkpoint ck;
	struct snap_log_entry *e;
	size_t n, steps;
	char *action;
	int call;

	session(s);
	steps = nsteps(s);
	/* nothing changed: no checkpoint */
	const char *calls[2] = {"toolu_3", "toolu_9"};
	cr_assert_eq(snap_review_recover(s, SESSION, calls, 2, &ck, &call, &action, NULL), 0, "%s", err_msg());
	cr_assert_null(action);
	cr_assert_not(ck.created);
	/* a killed call's change: attributed to the first unanswered call without a
	 * checkpoint (toolu_3 has one), so it is an agent step undo reverts */
	put_s("killed.txt", "written by the killed call\n");
	cr_assert_eq(snap_review_recover(s, SESSION, calls, 2, &ck, &call, &action, NULL), 0, "%s", err_msg());
	cr_assert_null(action);
	cr_assert(ck.created);
	cr_assert_eq(call, 1);
	cr_assert_eq(nsteps(s), steps + 1);
	cr_assert_eq(snap_log(s, SESSION, &e, &n), 0);
	cr_assert_str_eq(e[n - 1].tool_call, "toolu_9");
	cr_assert_str_eq(e[n - 1].label, "interrupted: toolu_9 (recovered)");
	cr_assert_not(e[n - 1].external);
	snap_log_free(e, n);
	/* once recorded, a later change is someone else's */
	put_s("later.txt", "the person, later\n");
	cr_assert_eq(snap_review_recover(s, SESSION, calls, 2, &ck, &call, &action, NULL), 0, "%s", err_msg());
	cr_assert_null(action);
	cr_assert(ck.created);
	cr_assert_eq(call, -1);
	cr_assert_eq(snap_log(s, SESSION, &e, &n), 0);
	cr_assert(e[n - 1].external);
	cr_assert_null(e[n - 1].tool_call);
	cr_assert_str_eq(e[n - 1].label, "external changes (recovered)");
	snap_log_free(e, n);
	/* ... and a person's recorded edit is in the way of a restore */
	struct review_outcome o;
	put_s("t.txt", "the person's t\n");
	cr_assert_eq(snap_review_recover(s, SESSION, NULL, 0, &ck, &call, &action, NULL), 0, "%s", err_msg());
	cr_assert_null(action);
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_restore(s, SESSION, "baseline", NULL, 0, conflicts, &o),
	             DH_ECONFLICT);
	cr_assert(strstr(err_msg(), "t.txt"), "%s", err_msg());
	snap_review_outcome_fini(&o);
	assert_content("t.txt", "the person's t\n");
	snap_close(s);
}
