/* SPDX-License-Identifier: MIT */
/* Unit tests for snap/: real libgit2 shadow repositories on real temp folders. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strv.h"
#include "snap/review.h"
#include "snap/snap.h"

static char root[PATH_MAX], work[PATH_MAX], orig[PATH_MAX], state[PATH_MAX];

/*
 * Filesystem helpers
 */

static void
pathf(char *dst, const char *dir, const char *rel)
{
	snprintf(dst, PATH_MAX, "%s/%s", dir, rel);
}

static void
mkdirs(const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof p, "%s", path);
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		mkdir(p, 0755);
		*q = '/';
	}
	mkdir(p, 0755);
}

static void
put(const char *dir, const char *rel, const void *data, size_t len, mode_t mode)
{
	char p[PATH_MAX], parent[PATH_MAX];

	pathf(p, dir, rel);
	snprintf(parent, sizeof parent, "%s", p);
	*strrchr(parent, '/') = '\0';
	mkdirs(parent);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0, "open %s: %s", p, strerror(errno));
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void
put_s(const char *dir, const char *rel, const char *text, mode_t mode)
{
	put(dir, rel, text, strlen(text), mode);
}

static void
link_at(const char *dir, const char *rel, const char *target)
{
	char p[PATH_MAX];

	pathf(p, dir, rel);
	cr_assert_eq(symlink(target, p), 0, "symlink %s: %s", p, strerror(errno));
}

static char *
slurp(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	struct buf b = BUF_INIT;
	char tmp[4096];
	ssize_t n;

	pathf(p, dir, rel);
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return NULL;
	while ((n = read(fd, tmp, sizeof tmp)) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(fd);
	return buf_detach(&b);
}

static bool
exists(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	pathf(p, dir, rel);
	return lstat(p, &st) == 0;
}

static mode_t
perm_of(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	pathf(p, dir, rel);
	cr_assert_eq(lstat(p, &st), 0, "lstat %s", p);
	return st.st_mode;
}

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

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entry names of `dir` (without "." and ".."), skipping ".git" when
 * top. */
static size_t
names(const char *dir, char ***out, bool top)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	*out = NULL;
	cr_assert(d, "opendir %s", dir);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (top && !strcmp(de->d_name, ".git")))
			continue;
		*out = realloc(*out, (n + 1) * sizeof **out);
		(*out)[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(*out, n, sizeof **out, cmp_name);
	return n;
}

static void
free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Recursive compare: names, types, modes, contents, link targets. Appends the
 * first difference to `why` and returns false. */
static bool
same_tree(const char *a, const char *b, bool top, struct buf *why)
{
	char **na, **nb;
	size_t n = names(a, &na, top), m = names(b, &nb, top);
	bool ok = n == m;

	if (!ok)
		buf_printf(why, "%s has %zu entries, %s has %zu", a, n, b, m);
	for (size_t i = 0; ok && i < n; i++) {
		char pa[PATH_MAX], pb[PATH_MAX];
		struct stat sa, sb;

		if (strcmp(na[i], nb[i])) {
			buf_printf(why, "%s/%s vs %s/%s", a, na[i], b, nb[i]);
			ok = false;
			break;
		}
		pathf(pa, a, na[i]);
		pathf(pb, b, nb[i]);
		lstat(pa, &sa);
		lstat(pb, &sb);
		if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT) ||
		    (!S_ISLNK(sa.st_mode) && (sa.st_mode & 07777) != (sb.st_mode & 07777))) {
			buf_printf(why, "%s: mode %o vs %o", pa, sa.st_mode, sb.st_mode);
			ok = false;
		} else if (S_ISDIR(sa.st_mode)) {
			ok = same_tree(pa, pb, false, why);
		} else if (S_ISLNK(sa.st_mode)) {
			char ta[PATH_MAX] = "", tb[PATH_MAX] = "";
			readlink(pa, ta, sizeof ta - 1);
			readlink(pb, tb, sizeof tb - 1);
			if (strcmp(ta, tb)) {
				buf_printf(why, "%s: link %s vs %s", pa, ta, tb);
				ok = false;
			}
		} else {
			char *ca = slurp(a, na[i]), *cb = slurp(b, nb[i]);
			if (sa.st_size != sb.st_size || memcmp(ca, cb, (size_t)sa.st_size)) {
				buf_printf(why, "%s: contents differ", pa);
				ok = false;
			}
			free(ca);
			free(cb);
		}
	}
	free_names(na, n);
	free_names(nb, m);
	return ok;
}

static void
assert_same_tree(const char *a, const char *b)
{
	struct buf why = BUF_INIT;
	bool ok = same_tree(a, b, true, &why);

	cr_assert(ok, "trees differ: %s", buf_cstr(&why));
	buf_fini(&why);
}

/* FNV-1a over names, modes, sizes, mtimes and contents below `dir`. */
static uint64_t
hash_tree(const char *dir, uint64_t h)
{
	char **v;
	size_t n = names(dir, &v, false);

	for (size_t i = 0; i < n; i++) {
		char p[PATH_MAX];
		struct stat st;

		pathf(p, dir, v[i]);
		lstat(p, &st);
		for (const char *c = v[i]; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		h = (h ^ (uint64_t)st.st_mode) * 1099511628211ULL;
		h = (h ^ (uint64_t)st.st_size) * 1099511628211ULL;
		h = (h ^ (uint64_t)st.st_mtim.tv_nsec) * 1099511628211ULL;
		if (S_ISDIR(st.st_mode)) {
			h = hash_tree(p, h);
		} else if (S_ISREG(st.st_mode)) {
			char *c = slurp(dir, v[i]);
			for (off_t k = 0; k < st.st_size; k++)
				h = (h ^ (unsigned char)c[k]) * 1099511628211ULL;
			free(c);
		}
	}
	free_names(v, n);
	return h;
}

/* The standard folder: text, binary, symlinks, executable, 0600 file, empty
 * dir, nested tree, an ignored file, and the person's own git repository. */
static void
fixture(const char *dir)
{
	unsigned char bin[300];

	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (unsigned char)(i * 7);
	mkdirs(dir);
	put_s(dir, "a.txt", "hello\nworld\n", 0644);
	put_s(dir, "b.txt", "bee\n", 0644);
	put(dir, "bin.dat", bin, sizeof bin, 0644);
	put_s(dir, "run.sh", "#!/bin/sh\necho hi\n", 0755);
	put_s(dir, "secret", "s3cr3t\n", 0600);
	link_at(dir, "link", "a.txt");
	link_at(dir, "dangling", "nowhere/x");
	char p[PATH_MAX];
	pathf(p, dir, "empty");
	mkdirs(p);
	put_s(dir, "src/main.c", "int main(void) { return 0; }\n", 0644);
	put_s(dir, "src/lib/deep.c", "int deep;\n", 0644);
	put_s(dir, "src/lib/deeper/x.h", "#define X 1\n", 0644);
	put_s(dir, ".gitignore", "*.log\n", 0644);
	put_s(dir, "debug.log", "ignored by git, kept by us\n", 0644);
}

#define FIXTURE_FILES 12 /* regular files and links above */

static void
setup(void)
{
	git_libgit2_init();
	snprintf(root, sizeof root, "/tmp/dh-snap-XXXXXX");
	cr_assert(mkdtemp(root));
	pathf(work, root, "work");
	pathf(orig, root, "orig");
	pathf(state, root, "state");
	fixture(work);
	fixture(orig);
	/* the person's own repository, which we must never touch */
	git_repository *r = NULL;
	cr_assert_eq(git_repository_init(&r, work, 0), 0);
	git_repository_free(r);
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

static struct snap_checkpoint
cp(struct snap_store *s, const char *label, int turn)
{
	struct snap_checkpoint c;
	int rc = snap_checkpoint(s, "s1", label, turn, "toolu_x", &c);

	cr_assert_eq(rc, 0, "checkpoint %s: %s", label, err_msg());
	return c;
}

/* One agent step per checkpoint; returns how many made a commit. Each step's
 * expected (status, path) is checked against the log by test log_statuses. */
struct step {
	const char *label;
	char status;
	const char *path;
	const char *old_path;
};

static const struct step steps[] = {
	{ "modify", 'M', "a.txt", NULL },
	{ "create", 'A', "new.csv", NULL },
	{ "delete", 'D', "src/main.c", NULL },
	{ "rename", 'R', "c.txt", "b.txt" },
	{ "chmod +x", 'T', "a.txt", NULL },
	{ "mkdir empty", 'A', "newdir/", NULL },
	{ "file to symlink", 'T', "run.sh", NULL },
	{ "chmod 640", 'T', "secret", NULL },
	{ "rmdir empty", 'D', "empty/", NULL },
	{ "nested create", 'A', "src/lib/deeper/more/y.h", NULL },
};

#define NSTEPS (sizeof steps / sizeof steps[0])

static void
do_step(size_t i)
{
	char p[PATH_MAX], q[PATH_MAX];

	switch (i) {
	case 0:
		put_s(work, "a.txt", "hello\nWORLD\n", 0644);
		break;
	case 1:
		put_s(work, "new.csv", "x,y\n1,2\n", 0644);
		break;
	case 2:
		pathf(p, work, "src/main.c");
		cr_assert_eq(unlink(p), 0);
		break;
	case 3:
		pathf(p, work, "b.txt");
		pathf(q, work, "c.txt");
		cr_assert_eq(rename(p, q), 0);
		break;
	case 4:
		pathf(p, work, "a.txt");
		cr_assert_eq(chmod(p, 0755), 0);
		break;
	case 5:
		pathf(p, work, "newdir");
		cr_assert_eq(mkdir(p, 0755), 0);
		break;
	case 6:
		pathf(p, work, "run.sh");
		cr_assert_eq(unlink(p), 0);
		link_at(work, "run.sh", "bin.dat");
		break;
	case 7:
		pathf(p, work, "secret");
		cr_assert_eq(chmod(p, 0640), 0);
		break;
	case 8:
		pathf(p, work, "empty");
		cr_assert_eq(rmdir(p), 0);
		break;
	case 9:
		put_s(work, "src/lib/deeper/more/y.h", "#define Y 2\n", 0644);
		break;
	}
}

/* Baseline, then every step with a checkpoint each; returns the head id. */
static void
run_steps(struct snap_store *s, char head[41])
{
	struct snap_checkpoint c = cp(s, "baseline", 0);

	cr_assert(c.created);
	cr_assert_eq(c.files_changed, FIXTURE_FILES);
	for (size_t i = 0; i < NSTEPS; i++) {
		char label[64];

		do_step(i);
		snprintf(label, sizeof label, "turn %zu: %s", i + 1, steps[i].label);
		c = cp(s, label, (int)i + 1);
		cr_assert(c.created, "step %s made no commit", steps[i].label);
		cr_assert_eq(c.files_changed, 1, "step %s: files_changed %zu", steps[i].label,
		             c.files_changed);
	}
	snprintf(head, 41, "%s", c.id);
}

/*
 * Tests
 */

TestSuite(snap, .init = setup, .fini = teardown, .timeout = 120);

Test(snap, open_creates_bare_shadow_repo_outside_folder)
{
	struct snap_store *s = open_store();
	char p[PATH_MAX + 16];
	struct stat st;

	cr_assert(strncmp(snap_repo_path(s), state, strlen(state)) == 0);
	cr_assert(strstr(snap_repo_path(s), "/snapshots/"));
	snprintf(p, sizeof p, "%sHEAD", snap_repo_path(s));
	cr_assert_eq(stat(p, &st), 0, "no %s", p);
	snprintf(p, sizeof p, "%sobjects", snap_repo_path(s));
	cr_assert_eq(stat(p, &st), 0);
	snap_close(s);

	/* reopening finds the same repository; a relative or non-real path is refused */
	s = open_store();
	cr_assert(strstr(snap_repo_path(s), "/snapshots/"));
	snap_close(s);
	struct snap_store *bad = NULL;
	cr_assert_lt(snap_open(&bad, "relative/dir", state), 0);
	snprintf(p, sizeof p, "%s/./", work);
	cr_assert_lt(snap_open(&bad, p, state), 0);
	cr_assert_null(bad);
	snprintf(p, sizeof p, "%s/nope", root);
	cr_assert_eq(snap_open(&bad, p, state), DH_ENOTFOUND);

	/* nothing of ours was written into the folder */
	assert_same_tree(work, orig);
}

/* The repository's directory is git's object id of the folder path as a blob,
 * computed without libgit2 (snap_prepare), the same as git_odb_hash() gives:
 * existing shadow repositories keep their path. */
Test(snap, prepare_names_the_repository_as_git_does_and_locks_before_it_opens)
{
	git_oid oid;
	char hex[GIT_OID_HEXSZ + 1], want[PATH_MAX + 64], p[PATH_MAX + 16], sreal[PATH_MAX];
	struct snap_store *s = NULL, *other = NULL;
	struct snap_checkpoint c;
	struct stat st;

	cr_assert_eq(git_odb_hash(&oid, work, strlen(work), GIT_OBJECT_BLOB), 0);
	git_oid_tostr(hex, sizeof hex, &oid);
	cr_assert_eq(snap_prepare(&s, work, state), 0, "%s", err_msg());
	cr_assert_not_null(realpath(state, sreal));
	snprintf(want, sizeof want, "%s/snapshots/%s.git/", sreal, hex);
	cr_assert_str_eq(snap_repo_path(s), want);
	/* locked with no repository yet: a second store is refused */
	cr_assert_eq(snap_lock(s, SNAP_LOCK_ENGINE, NULL), 0, "%s", err_msg());
	snprintf(p, sizeof p, "%sHEAD", snap_repo_path(s));
	cr_assert_neq(stat(p, &st), 0, "snap_prepare made a repository");
	cr_assert_eq(snap_prepare(&other, work, state), 0, "%s", err_msg());
	cr_assert_eq(snap_lock(other, SNAP_LOCK_ENGINE, NULL), DH_EDENIED);
	snap_close(other);
	/* the first checkpoint opens (here: creates) it, beside the lock file */
	cr_assert_eq(snap_checkpoint(s, "sess", "baseline", 0, NULL, &c), 0, "%s", err_msg());
	cr_assert(c.created);
	cr_assert_eq(stat(p, &st), 0, "no %s", p);
	snap_close(s);

	/* a store that is only prepared closes without touching libgit2 */
	cr_assert_eq(snap_prepare(&s, work, state), 0, "%s", err_msg());
	snap_close(s);
	/* and opened again, the repository has the checkpoint */
	s = open_store();
	char id[41];
	cr_assert_eq(snap_resolve(s, "sess", "baseline", id), 0, "%s", err_msg());
	cr_assert_str_eq(id, c.id);
	snap_close(s);
}

/* A shadow repository that records another folder, or a corrupt one, is
 * refused when its repository is opened, by whichever call comes first, with
 * a message naming it; every call after says the same. */
Test(snap, repository_of_another_folder_or_corrupt_is_refused_when_opened)
{
	struct snap_store *s = open_store();
	char cfgpath[PATH_MAX + 80], repo[PATH_MAX + 64], msg[PATH_MAX * 3];
	struct snap_checkpoint c;
	struct snap_log_entry *le = NULL;
	size_t n = 7;

	snprintf(repo, sizeof repo, "%s", snap_repo_path(s));
	snap_close(s);
	snprintf(cfgpath, sizeof cfgpath, "%sconfig", repo);
	git_config *cfg = NULL;
	cr_assert_eq(git_config_open_ondisk(&cfg, cfgpath), 0);
	cr_assert_eq(git_config_set_string(cfg, "deskhand.workdir", "/some/where/else"), 0);
	git_config_free(cfg);

	cr_assert_eq(snap_prepare(&s, work, state), 0, "%s", err_msg());
	cr_assert_eq(snap_lock(s, SNAP_LOCK_ENGINE, NULL), 0, "%s", err_msg());
	cr_assert_eq(snap_checkpoint(s, "sess", "baseline", 0, NULL, &c), DH_EFAIL);
	snprintf(msg, sizeof msg, "snapshot: %s belongs to /some/where/else, not %s", repo, work);
	cr_assert_str_eq(err_msg(), msg);
	cr_assert_eq(snap_log(s, "sess", &le, &n), DH_EFAIL);
	cr_assert_null(le);
	cr_assert_eq(n, 0);
	cr_assert_str_eq(err_msg(), msg);
	cr_assert_eq(snap_open_repo(s), DH_EFAIL);
	snap_close(s);
	struct snap_store *bad = NULL;
	cr_assert_eq(snap_open(&bad, work, state), DH_EFAIL);
	cr_assert_null(bad);
	cr_assert_str_eq(err_msg(), msg);

	/* corrupt: a config that is not one */
	put_s(repo, "config", "[core\nthis is not git config\n", 0644);
	cr_assert_eq(snap_prepare(&s, work, state), 0, "%s", err_msg());
	cr_assert_eq(snap_open_repo(s), DH_EFAIL);
	cr_assert(strstr(err_msg(), "snapshot: ") == err_msg() && strstr(err_msg(), "config"),
	          "unclear: %s", err_msg());
	snap_close(s);
}

/* snap_global_init() frees libgit2's CA store through an empty directory of
 * its own in $TMPDIR: it leaves nothing there, and without a usable $TMPDIR
 * it still succeeds (the store just stays). */
Test(snap, global_init_leaves_no_directory)
{
	char tmp[PATH_MAX], p[PATH_MAX];
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;

	pathf(tmp, root, "tmp");
	mkdirs(tmp);
	setenv("TMPDIR", tmp, 1);
	cr_assert_eq(snap_global_init(), 0);
	snap_global_shutdown();
	DIR *d = opendir(tmp);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	cr_assert_eq(n, 0, "snap_global_init left %d entries in $TMPDIR", n);

	pathf(p, root, "no/such/dir");
	setenv("TMPDIR", p, 1);
	cr_assert_eq(snap_global_init(), 0);
	snap_global_shutdown();
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);

	/* checkpoints work as before */
	struct snap_store *s = open_store();
	struct snap_checkpoint c;

	cr_assert_eq(snap_checkpoint(s, "sess", "baseline", 0, NULL, &c), 0, "%s", err_msg());
	cr_assert(c.created);
	snap_close(s);
}

Test(snap, checkpoints_count_changes_and_skip_no_change)
{
	struct snap_store *s = open_store();
	char head[41];

	run_steps(s, head);
	struct snap_checkpoint c = cp(s, "nothing", 99);
	cr_assert_not(c.created);
	cr_assert_eq(c.files_changed, 0);
	cr_assert_str_eq(c.id, head);
	cr_assert_eq(strncmp(c.short_id, head, 12), 0);
	cr_assert_eq(strlen(c.short_id), 12);
	snap_close(s);
}

Test(snap, log_lists_statuses_labels_and_trailers)
{
	struct snap_store *s = open_store();
	struct snap_log_entry *e;
	char head[41];
	size_t n;

	run_steps(s, head);
	cr_assert_eq(snap_log(s, "s1", &e, &n), 0, "%s", err_msg());
	cr_assert_eq(n, NSTEPS + 1);
	cr_assert_str_eq(e[0].label, "baseline");
	cr_assert_eq(e[0].nchanges, 0);
	cr_assert_eq(e[0].nfiles, FIXTURE_FILES);
	cr_assert_eq(e[0].turn, 0);
	cr_assert_str_eq(e[0].tool_call, "toolu_x");
	cr_assert_gt(e[0].time, 1600000000LL);
	for (size_t i = 0; i < NSTEPS; i++) {
		const struct snap_log_entry *x = &e[i + 1];

		cr_assert_eq(x->turn, (int)i + 1);
		cr_assert(strstr(x->label, steps[i].label), "label %s", x->label);
		cr_assert_eq(x->nchanges, 1, "%s: %zu changes", steps[i].label, x->nchanges);
		cr_assert_eq(x->changes[0].status, steps[i].status, "%s: status %c", steps[i].label,
		             x->changes[0].status);
		cr_assert_str_eq(x->changes[0].path, steps[i].path);
		if (steps[i].old_path)
			cr_assert_str_eq(x->changes[0].old_path, steps[i].old_path);
		else
			cr_assert_null(x->changes[0].old_path);
	}
	cr_assert_str_eq(e[n - 1].id, head);
	cr_assert_eq(e[n - 1].nfiles, FIXTURE_FILES + 1 /* new.csv */ - 1 /* main.c */ + 1);
	snap_log_free(e, n);

	cr_assert_eq(snap_log(s, "nosuch", &e, &n), DH_ENOTFOUND);
	cr_assert_null(e);
	cr_assert_lt(snap_log(s, "../evil", &e, &n), 0);
	snap_close(s);
}

/* The changes snap_log lists for a checkpoint come from the subtrees that
 * differ only: for one checkpoint holding many kinds of change beside
 * untouched directories, the list is what libgit2's full tree-to-tree diff
 * (which reads every subtree) finds, path for path and status for status;
 * a mode-only change, which that diff reports as a modification with the
 * same blob, is the log's 'T'. The paths found become a pathspec taken
 * literally (GIT_DIFF_DISABLE_PATHSPEC_MATCH), so names that pathspecs give
 * a meaning to ('!' negates, '#' starts a comment, '*', '?' and '[' match,
 * a leading space) are changed beside untouched names they would match. */
Test(snap, log_changes_match_the_full_tree_diff)
{
	static const char *const special[] = { "!bang.txt", "#hash.txt", " lead.txt", "star*.txt",
		                               "q?.txt", "dir[1]/f.txt" };
	static const char *const lookalike[] = { "bang.txt", "hash.txt", "lead.txt", "star1.txt",
		                                 "qx.txt", "dir1/f.txt" };
	struct snap_store *s = open_store();
	char p[PATH_MAX], q[PATH_MAX];

	for (int k = 0; k < 6; k++) {
		char rel[32];

		snprintf(rel, sizeof rel, "keep%d/sub/f.txt", k);
		put_s(work, rel, "untouched\n", 0644);
	}
	for (size_t k = 0; k < sizeof special / sizeof *special; k++) {
		put_s(work, special[k], "before\n", 0644);
		put_s(work, lookalike[k], "untouched\n", 0644);
	}
	put_s(work, "newd/.keep", "", 0644);
	pathf(p, work, "newd/.keep");
	cr_assert_eq(unlink(p), 0);
	cp(s, "baseline", 0);
	pathf(p, work, "src/lib/deep.c"); /* renamed into a new directory */
	pathf(q, work, "other");
	mkdirs(q);
	pathf(q, work, "other/moved.c");
	cr_assert_eq(rename(p, q), 0);
	pathf(p, work, "src/lib/deeper/x.h"); /* a directory emptied and removed */
	cr_assert_eq(unlink(p), 0);
	pathf(p, work, "src/lib/deeper");
	cr_assert_eq(rmdir(p), 0);
	put_s(work, "newd/1.txt", "one\n", 0644); /* files in a directory that was empty */
	put_s(work, "newd/2.txt", "two\n", 0644);
	pathf(p, work, "b.txt"); /* a file replaced by a directory */
	cr_assert_eq(unlink(p), 0);
	put_s(work, "b.txt/inner.txt", "inside\n", 0644);
	pathf(p, work, "a.txt"); /* mode only */
	cr_assert_eq(chmod(p, 0755), 0);
	put_s(work, "keep3/sub/g.txt", "one more\n", 0644); /* deep, beside an untouched file */
	for (size_t k = 0; k < sizeof special / sizeof *special; k++)
		put_s(work, special[k], "after\n", 0644);
	put_s(work, "new*dir/g.txt", "new\n", 0644); /* a new directory named like a pattern */
	struct snap_checkpoint c = cp(s, "many", 1);
	cr_assert(c.created);

	struct snap_log_entry *e;
	size_t n;
	cr_assert_eq(snap_log(s, "s1", &e, &n), 0, "%s", err_msg());
	cr_assert_eq(n, 2);

	git_repository *r = NULL;
	git_commit *oc = NULL, *nc = NULL;
	git_tree *ot = NULL, *nt = NULL;
	git_diff *d = NULL;
	git_diff_options o;
	git_diff_find_options f;
	git_oid oid, nid;

	cr_assert_eq(git_repository_open_bare(&r, snap_repo_path(s)), 0);
	cr_assert_eq(git_oid_fromstr(&oid, e[0].id), 0);
	cr_assert_eq(git_oid_fromstr(&nid, e[1].id), 0);
	cr_assert_eq(git_commit_lookup(&oc, r, &oid), 0);
	cr_assert_eq(git_commit_lookup(&nc, r, &nid), 0);
	cr_assert_eq(git_commit_tree(&ot, oc), 0);
	cr_assert_eq(git_commit_tree(&nt, nc), 0);
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	git_diff_find_options_init(&f, GIT_DIFF_FIND_OPTIONS_VERSION);
	o.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
	f.flags = GIT_DIFF_FIND_RENAMES;
	cr_assert_eq(git_diff_tree_to_tree(&d, r, ot, nt, &o), 0);
	cr_assert_eq(git_diff_find_similar(d, &f), 0);
	size_t nd = git_diff_num_deltas(d), matched = 0;
	cr_assert_geq(nd, 14, "the full diff found only %zu changes", nd);
	for (size_t i = 0; i < nd; i++) {
		const git_diff_delta *x = git_diff_get_delta(d, i);
		char want = x->status == GIT_DELTA_ADDED      ? 'A'
		            : x->status == GIT_DELTA_DELETED  ? 'D'
		            : x->status == GIT_DELTA_RENAMED  ? 'R'
		            : x->status == GIT_DELTA_MODIFIED ? (git_oid_equal(&x->old_file.id, &x->new_file.id) ? 'T' : 'M')
		                                              : 'T';
		const char *path = x->status == GIT_DELTA_DELETED ? x->old_file.path : x->new_file.path;
		bool found = false;

		for (size_t j = 0; j < e[1].nchanges && !found; j++)
			found = !strcmp(e[1].changes[j].path, path) && e[1].changes[j].status == want &&
			        (want != 'R' || !strcmp(e[1].changes[j].old_path, x->old_file.path));
		cr_assert(found, "the full diff's %c %s is not in the log", want, path);
		matched++;
	}
	/* The log adds only what the notes know: directories made or removed
	 * with nothing in them. */
	size_t dirs = 0;
	for (size_t j = 0; j < e[1].nchanges; j++)
		dirs += e[1].changes[j].path[strlen(e[1].changes[j].path) - 1] == '/';
	cr_assert_eq(e[1].nchanges, matched + dirs, "log: %zu changes, the full diff %zu, %zu directories",
	             e[1].nchanges, matched, dirs);
	cr_assert_eq(c.files_changed, e[1].nchanges);
	git_diff_free(d);
	git_tree_free(ot);
	git_tree_free(nt);
	git_commit_free(oc);
	git_commit_free(nc);
	git_repository_free(r);
	snap_log_free(e, n);
	snap_close(s);
}

Test(snap, resolve_baseline_head_prefix_unknown)
{
	struct snap_store *s = open_store();
	struct snap_checkpoint base = cp(s, "baseline", 0);
	char id[41], pre[8];

	do_step(0);
	struct snap_checkpoint c1 = cp(s, "one", 1);

	cr_assert_eq(snap_resolve(s, "s1", "baseline", id), 0);
	cr_assert_str_eq(id, base.id);
	cr_assert_eq(snap_resolve(s, "s1", "head", id), 0);
	cr_assert_str_eq(id, c1.id);
	snprintf(pre, sizeof pre, "%.7s", c1.id);
	cr_assert_eq(snap_resolve(s, "s1", pre, id), 0);
	cr_assert_str_eq(id, c1.id);
	cr_assert_eq(snap_resolve(s, "s1", base.short_id, id), 0);
	cr_assert_str_eq(id, base.id);
	cr_assert_eq(snap_resolve(s, "s1", c1.id, id), 0);
	cr_assert_eq(snap_resolve(s, "s1", "abc", id), DH_ENOTFOUND); /* too short */
	cr_assert_eq(snap_resolve(s, "s1", "zzzz", id), DH_ENOTFOUND);
	cr_assert_eq(snap_resolve(s, "s1", "0000000000", id), DH_ENOTFOUND);
	/* another session cannot reach s1's checkpoints */
	struct snap_checkpoint o;
	cr_assert_eq(snap_checkpoint(s, "s2", "baseline", 0, NULL, &o), 0);
	cr_assert_eq(snap_resolve(s, "s2", c1.id, id), DH_ENOTFOUND);
	cr_assert_eq(snap_resolve(s, "s3", "head", id), DH_ENOTFOUND);
	snap_close(s);
}

Test(snap, diff_text_binary_color_and_stat)
{
	struct snap_store *s = open_store();
	struct snap_checkpoint base = cp(s, "baseline", 0);
	struct buf d = BUF_INIT;
	unsigned char bin[300];

	do_step(0); /* a.txt: world -> WORLD */
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (unsigned char)(i * 11);
	put(work, "bin.dat", bin, sizeof bin, 0644);
	struct snap_checkpoint c1 = cp(s, "edit", 1);

	cr_assert_eq(snap_diff(s, base.id, c1.id, 0, &d), 0, "%s", err_msg());
	const char *t = buf_cstr(&d);
	cr_assert(strstr(t, "diff --git a/a.txt b/a.txt\n"), "%s", t);
	cr_assert(strstr(t, "--- a/a.txt\n+++ b/a.txt\n"), "%s", t);
	cr_assert(strstr(t, "@@ -1,2 +1,2 @@"), "%s", t);
	cr_assert(strstr(t, "\n hello\n-world\n+WORLD\n"), "%s", t);
	cr_assert(strstr(t, "Binary files a/bin.dat and b/bin.dat differ\n"), "%s", t);
	cr_assert_null(strstr(t, "\033["));

	/* colour: each line wrapped and reset before its newline */
	buf_clear(&d);
	cr_assert_eq(snap_diff(s, base.short_id, c1.short_id, SNAP_DIFF_COLOR, &d), 0);
	t = buf_cstr(&d);
	cr_assert(strstr(t, "+\033[32mWORLD\033[m\n") || strstr(t, "\033[32m+WORLD"), "%s", t);
	cr_assert(strstr(t, "-\033[31mworld\033[m\n") || strstr(t, "\033[31m-world"), "%s", t);
	cr_assert(strstr(t, "\033[36m@@ -1,2 +1,2 @@"), "%s", t);

	/* live: uncheckpointed edits against the folder */
	put_s(work, "a.txt", "hello\nWORLD\nagain\n", 0644);
	buf_clear(&d);
	cr_assert_eq(snap_diff(s, c1.id, NULL, 0, &d), 0, "%s", err_msg());
	cr_assert(strstr(buf_cstr(&d), "+again\n"), "%s", buf_cstr(&d));
	cr_assert_null(strstr(buf_cstr(&d), "bin.dat"));

	buf_clear(&d);
	cr_assert_eq(snap_diffstat(s, base.id, c1.id, &d), 0, "%s", err_msg());
	t = buf_cstr(&d);
	cr_assert(strstr(t, " a.txt   | 2 +-\n"), "%s", t);
	cr_assert(strstr(t, "bin.dat"), "%s", t);
	cr_assert(strstr(t, "2 files changed, 1 insertion(+), 1 deletion(-)"), "%s", t);

	buf_clear(&d);
	cr_assert_eq(snap_diffstat(s, c1.id, c1.id, &d), 0);
	cr_assert_eq(d.len, 0);
	cr_assert_eq(snap_diff(s, "ffffffffff", c1.id, 0, &d), DH_ENOTFOUND);
	buf_fini(&d);
	snap_close(s);
}

/* Return the folder to checkpoint `spec` with the review model's restore (the
 * one undo engine): its report lines are appended to `rep` (may be NULL) and
 * its checkpoint copied to *u. */
static int
restore_to(struct snap_store *s, const char *spec, bool force, struct buf *rep,
           struct snap_checkpoint *u)
{
	struct review_outcome o;

	snap_review_outcome_init(&o);
	int rc = snap_review_restore(s, "s1", spec, NULL, force ? REVIEW_F_FORCE : 0, root, &o);
	for (size_t i = 0; rep && i < o.report.n; i++)
		buf_printf(rep, "%s\n", o.report.v[i]);
	*u = o.ck;
	snap_review_outcome_fini(&o);
	return rc;
}

Test(snap, undo_to_baseline_is_exact_and_undoable)
{
	struct snap_store *s = open_store();
	struct snap_checkpoint u, base;
	struct buf rep = BUF_INIT;
	char head[41], mid[PATH_MAX], id[41];

	run_steps(s, head);
	cr_assert_eq(snap_resolve(s, "s1", "baseline", id), 0);
	pathf(mid, root, "mid");
	sh("cp -a '%s' '%s'", work, mid);

	int rc = restore_to(s, "baseline", false, &rep, &u);
	cr_assert_eq(rc, 0, "undo: %s", err_msg());
	assert_same_tree(work, orig);
	cr_assert(u.created);
	const char *r = buf_cstr(&rep);
	cr_assert(strstr(r, "restored a.txt\n"), "%s", r);
	cr_assert(strstr(r, "removed new.csv\n"), "%s", r);
	cr_assert(strstr(r, "restored b.txt\n"), "%s", r);
	cr_assert(strstr(r, "removed c.txt\n"), "%s", r);
	cr_assert(strstr(r, "created empty/\n"), "%s", r);
	cr_assert(strstr(r, "removed newdir/\n"), "%s", r);
	cr_assert(strstr(r, "restored secret\n"), "%s", r);
	cr_assert_null(strstr(r, "debug.log"), "%s", r);
	cr_assert_eq(perm_of(work, "secret") & 07777, 0600);
	cr_assert(S_ISREG(perm_of(work, "run.sh")));

	/* the undo is itself a checkpoint on the session */
	struct snap_log_entry *e;
	size_t n;
	cr_assert_eq(snap_log(s, "s1", &e, &n), 0);
	cr_assert_str_eq(e[n - 1].id, u.id);
	cr_assert_str_eq(e[n - 2].id, head);
	char want[64];
	snprintf(want, sizeof want, "restore %.12s", id);
	cr_assert_str_eq(e[n - 1].label, want);
	cr_assert_eq(e[n - 1].turn, -1);
	snap_log_free(e, n);
	base = cp(s, "again", 50);
	cr_assert_not(base.created);

	/* undo the undo: back to the pre-undo head, byte for byte */
	buf_clear(&rep);
	rc = restore_to(s, head, false, &rep, &u);
	cr_assert_eq(rc, 0, "undo 2: %s", err_msg());
	assert_same_tree(work, mid);
	cr_assert(strstr(buf_cstr(&rep), "restored new.csv\n"), "%s", buf_cstr(&rep));

	/* not an ancestor of (or on) the session: refused */
	struct snap_checkpoint o;
	cr_assert_eq(snap_checkpoint(s, "other", "baseline", 0, NULL, &o), 0);
	put_s(work, "zzz", "other session\n", 0644);
	cr_assert_eq(snap_checkpoint(s, "other", "z", 1, NULL, &o), 0);
	cr_assert_eq(restore_to(s, o.id, false, NULL, &u), DH_ENOTFOUND);
	buf_fini(&rep);
	snap_close(s);
}

Test(snap, undo_refuses_on_conflict_unless_forced)
{
	struct snap_store *s = open_store();
	struct snap_checkpoint u;
	struct buf rep = BUF_INIT;

	cp(s, "baseline", 0);
	put_s(work, "a.txt", "agent wrote this\n", 0644);
	cp(s, "agent edit", 1);
	put_s(work, "a.txt", "the person edited after\n", 0644);
	put_s(work, "mine.txt", "untracked, mine\n", 0644);

	int rc = restore_to(s, "baseline", false, &rep, &u);
	cr_assert_eq(rc, DH_ECONFLICT);
	cr_assert(strstr(err_msg(), "a.txt"), "%s", err_msg());
	cr_assert_eq(rep.len, 0);
	char *c = slurp(work, "a.txt");
	cr_assert_str_eq(c, "the person edited after\n");
	free(c);

	rc = restore_to(s, "baseline", true, &rep, &u);
	cr_assert_eq(rc, 0, "%s", err_msg());
	c = slurp(work, "a.txt");
	cr_assert_str_eq(c, "hello\nworld\n");
	free(c);
	cr_assert(exists(work, "mine.txt"), "a file in neither tree was touched");
	cr_assert_str_eq(buf_cstr(&rep), "restored a.txt\n");
	buf_fini(&rep);
	snap_close(s);
}

Test(snap, conflict_message_caps_names)
{
	struct snap_store *s = open_store();
	struct snap_checkpoint u;
	char name[32];

	for (int i = 0; i < 25; i++) {
		snprintf(name, sizeof name, "many/f%02d", i);
		put_s(work, name, "v1\n", 0644);
	}
	cp(s, "baseline", 0);
	for (int i = 0; i < 25; i++) {
		snprintf(name, sizeof name, "many/f%02d", i);
		put_s(work, name, "v2 agent\n", 0644);
	}
	cp(s, "agent", 1);
	for (int i = 0; i < 25; i++) {
		snprintf(name, sizeof name, "many/f%02d", i);
		put_s(work, name, "v3 person\n", 0644);
	}
	cr_assert_eq(restore_to(s, "baseline", false, NULL, &u), DH_ECONFLICT);
	cr_assert(strstr(err_msg(), "25 paths"), "%s", err_msg());
	cr_assert(strstr(err_msg(), "many/f00"), "%s", err_msg());
	cr_assert(strstr(err_msg(), "and 5 more"), "%s", err_msg());
	cr_assert_null(strstr(err_msg(), "many/f24"), "%s", err_msg());
	snap_close(s);
}

Test(snap, undo_type_changes_never_follow_symlinks)
{
	struct snap_store *s = open_store();
	struct snap_checkpoint u;
	char p[PATH_MAX], outside[PATH_MAX];

	pathf(outside, root, "outside");
	mkdirs(outside);
	put_s(outside, "keep", "outside the grant\n", 0644);
	cp(s, "baseline", 0);
	/* file -> directory, directory -> symlink pointing outside the folder */
	pathf(p, work, "a.txt");
	unlink(p);
	put_s(work, "a.txt/inner", "now a dir\n", 0644);
	sh("rm -rf '%s/src'", work);
	link_at(work, "src", outside);
	cp(s, "reshape", 1);

	cr_assert_eq(restore_to(s, "baseline", false, NULL, &u), 0, "%s", err_msg());
	assert_same_tree(work, orig);
	char **v;
	size_t n = names(outside, &v, false);
	cr_assert_eq(n, 1, "something was written outside the folder");
	free_names(v, n);
	snap_close(s);
}

Test(snap, own_git_dir_and_state_dir_untouched)
{
	char gitdir[PATH_MAX];
	struct snap_store *s = NULL;
	struct snap_checkpoint c, u;
	struct buf d = BUF_INIT;

	pathf(gitdir, work, ".git");
	uint64_t before = hash_tree(gitdir, 1469598103934665603ULL);
	/* a state dir inside the folder is skipped */
	pathf(state, work, ".deskhand-state");
	cr_assert_eq(snap_open(&s, work, state), 0, "%s", err_msg());
	cr_assert_eq(snap_checkpoint(s, "s1", "baseline", 0, NULL, &c), 0);
	cr_assert_eq(c.files_changed, FIXTURE_FILES);
	do_step(0);
	do_step(1);
	cr_assert_eq(snap_checkpoint(s, "s1", "t1", 1, NULL, &c), 0);
	cr_assert_eq(c.files_changed, 2);
	cr_assert_eq(snap_diff(s, c.id, NULL, 0, &d), 0);
	cr_assert_eq(d.len, 0, "%s", buf_cstr(&d));
	cr_assert_eq(restore_to(s, "baseline", false, NULL, &u), 0, "%s", err_msg());
	cr_assert(exists(work, ".deskhand-state/snapshots"));
	cr_assert_eq(hash_tree(gitdir, 1469598103934665603ULL), before, ".git was modified");
	sh("rm -rf '%s'", state);
	assert_same_tree(work, orig);
	buf_fini(&d);
	snap_close(s);
}

/* A folder of BIG_DIRS x BIG_PER_DIR files. Sized for the sanitizer build, where
 * libgit2's pack writer costs ~1.5 ms a file (a fresh 1 MiB buffer per object
 * under ASan's allocator); the 100,000-file scale is tests/slow/ and make bench. */
enum { BIG_DIRS = 100, BIG_PER_DIR = 20, BIG_FILES = BIG_DIRS * BIG_PER_DIR };

Test(snap, big_folder_one_file_edit, .timeout = 600)
{
	struct timespec old[2];
	struct snap_store *s;
	struct snap_checkpoint base, c;
	char name[64], p[PATH_MAX];

	sh("rm -rf '%s' && mkdir '%s'", work, work);
	clock_gettime(CLOCK_REALTIME, &old[0]);
	old[0].tv_sec -= 3600; /* an existing folder, not one written a moment ago */
	old[1] = old[0];
	for (int d = 0; d < BIG_DIRS; d++) {
		for (int f = 0; f < BIG_PER_DIR; f++) {
			snprintf(name, sizeof name, "d%02d/f%02d.txt", d, f);
			char text[64];
			snprintf(text, sizeof text, "file %d of dir %d\n", f, d);
			put_s(work, name, text, 0644);
			pathf(p, work, name);
			utimensat(AT_FDCWD, p, old, 0);
		}
	}
	s = open_store();
	cr_assert_eq(snap_checkpoint(s, "big", "baseline", 0, NULL, &base), 0, "%s", err_msg());
	cr_assert_eq(base.files_changed, BIG_FILES);
	cr_log_info("baseline of %d files: %ld ms", BIG_FILES, base.duration_ms);

	put_s(work, "d42/f12.txt", "edited\n", 0644);
	cr_assert_eq(snap_checkpoint(s, "big", "edit", 1, NULL, &c), 0, "%s", err_msg());
	cr_assert(c.created);
	cr_assert_eq(c.files_changed, 1);
	cr_log_info("checkpoint after a one-file edit in %d files: %ld ms", BIG_FILES, c.duration_ms);

	cr_assert_eq(snap_checkpoint(s, "big", "none", 2, NULL, &c), 0);
	cr_assert_not(c.created);
	cr_log_info("no-change checkpoint of %d files: %ld ms", BIG_FILES, c.duration_ms);

	struct snap_log_entry *e;
	size_t n;
	cr_assert_eq(snap_log(s, "big", &e, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(e[0].nfiles, BIG_FILES);
	cr_assert_eq(e[1].nchanges, 1);
	cr_assert_eq(e[1].changes[0].status, 'M');
	cr_assert_str_eq(e[1].changes[0].path, "d42/f12.txt");
	snap_log_free(e, n);

	/* a fresh store (new process) still trusts the stat cache and sees edits */
	snap_close(s);
	s = open_store();
	put_s(work, "d07/f07.txt", "edited too\n", 0644);
	cr_assert_eq(snap_checkpoint(s, "big", "reopen", 3, NULL, &c), 0);
	cr_assert_eq(c.files_changed, 1);
	cr_log_info("checkpoint after reopen + one-file edit: %ld ms", c.duration_ms);
	snap_close(s);
}

/*
 * Notes: git's fan-out layout, and the move of flat notes on open
 */

struct notes_shape {
	size_t flat;     /* top-level notes named by a full 40-hex id */
	size_t fanned;   /* notes in two-hex-digit subtrees */
	size_t other;    /* any other top-level entry */
	git_oid head;    /* the notes ref */
};

static struct notes_shape
notes_shape_of(struct snap_store *s)
{
	struct notes_shape sh = { 0 };
	git_repository *r = NULL;
	git_commit *c = NULL;
	git_tree *top = NULL;

	cr_assert_eq(git_repository_open_bare(&r, snap_repo_path(s)), 0);
	cr_assert_eq(git_reference_name_to_id(&sh.head, r, "refs/notes/deskhand"), 0);
	cr_assert_eq(git_commit_lookup(&c, r, &sh.head), 0);
	cr_assert_eq(git_commit_tree(&top, c), 0);
	for (size_t i = 0; i < git_tree_entrycount(top); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(top, i);
		const char *name = git_tree_entry_name(e);
		size_t len = strlen(name), hex = strspn(name, "0123456789abcdef");
		git_tree *sub = NULL;

		if (git_tree_entry_type(e) == GIT_OBJECT_BLOB && len == 40 && hex == 40) {
			sh.flat++;
		} else if (git_tree_entry_type(e) == GIT_OBJECT_TREE && len == 2 && hex == 2) {
			cr_assert_eq(git_tree_lookup(&sub, r, git_tree_entry_id(e)), 0);
			for (size_t j = 0; j < git_tree_entrycount(sub); j++) {
				const char *n2 = git_tree_entry_name(git_tree_entry_byindex(sub, j));

				cr_assert_eq(strlen(n2), 38, "%s/%s", name, n2);
				sh.fanned++;
			}
			git_tree_free(sub);
		} else {
			sh.other++;
		}
	}
	git_tree_free(top);
	git_commit_free(c);
	git_repository_free(r);
	return sh;
}

/* What shell command `cmd` prints on stdout (it must exit 0); the caller frees it. */
static char *
cli_out(const char *cmd)
{
	char tmp[4096];
	struct buf b = BUF_INIT;
	size_t n;

	FILE *p = popen(cmd, "r");
	cr_assert(p, "%s", cmd);
	while ((n = fread(tmp, 1, sizeof tmp, p)) > 0)
		buf_add(&b, tmp, n);
	cr_assert_eq(pclose(p), 0, "%s", cmd);
	return buf_detach(&b);
}

/* `git notes show` of checkpoint `id` through the git CLI. */
static char *
git_note_cli(struct snap_store *s, const char *id)
{
	char cmd[2 * PATH_MAX];

	snprintf(cmd, sizeof cmd, "git --git-dir='%s' notes --ref=deskhand show %s",
	         snap_repo_path(s), id);
	return cli_out(cmd);
}

/* Every note as the git CLI finds them, in one pipeline however many there
 * are: `git notes list` (one "NOTE-BLOB OBJECT" line each, found through the
 * fan-out subtrees) into `git cat-file --batch`, which prints each note blob
 * after a header naming its object (%(rest): what followed the blob id).
 * Fills objs[i] (the annotated object's 40-hex id) and texts[i] (the note, the
 * caller frees it); returns how many, at most max. */
static size_t
git_notes_cli(struct snap_store *s, char (*objs)[41], char **texts, size_t max)
{
	char cmd[2 * PATH_MAX + 256];
	size_t n = 0;

	snprintf(cmd, sizeof cmd,
	         "git --git-dir='%s' notes --ref=deskhand list | "
	         "git --git-dir='%s' cat-file --batch='%%(rest) %%(objecttype) %%(objectsize)'",
	         snap_repo_path(s), snap_repo_path(s));
	char *batch = cli_out(cmd), *p = batch;
	for (; *p && n < max; n++) {
		char type[16], *nl = strchr(p, '\n');
		size_t size;

		/* "<object id> blob <size>\n<size bytes>\n" */
		cr_assert(nl, "%.80s", p);
		cr_assert_eq(sscanf(p, "%40[0-9a-f] %15s %zu", objs[n], type, &size), 3, "%.80s", p);
		cr_assert_eq(strlen(objs[n]), 40, "%.80s", p);
		cr_assert_str_eq(type, "blob");
		p = nl + 1;
		cr_assert(strlen(p) > size && p[size] == '\n', "note %zu: %zu bytes", n, size);
		texts[n] = strndup(p, size);
		p += size + 1;
	}
	cr_assert_eq(*p, '\0', "more notes than %zu", max);
	free(batch);
	return n;
}

/* Whether checkpoint `e` has the change (status, path). */
static bool
has_change(const struct snap_log_entry *e, char status, const char *path)
{
	for (size_t i = 0; i < e->nchanges; i++)
		if (e->changes[i].status == status && !strcmp(e->changes[i].path, path))
			return true;
	return false;
}

/* A step whose call created the folder's .deskhandignore is recorded under
 * the built-in rules alone (snap_checkpoint_opts.builtin_rules): what the new
 * file names is in it, from a full scan whatever the dirty set says, and the
 * next checkpoint is a full scan again, under the folder's rules. */
Test(snap, builtin_rules_record_what_a_new_ignore_file_names)
{
	struct snap_store *s = open_store();
	struct snap_log_entry *e;
	struct snap_checkpoint u;
	size_t n;

	cp(s, "baseline", 0);
	put_s(work, ".deskhandignore", "cache/\n", 0644);
	put_s(work, "cache/x", "y\n", 0644);
	put_s(work, "new.txt", "n\n", 0644);
	const char *dirty[] = { "new.txt" };
	struct snap_dirty sd = { dirty, 1, false };
	struct snap_checkpoint_opts o = { .label = "made rules", .turn = 1, .dirty = &sd,
		                          .builtin_rules = true };
	cr_assert_eq(snap_checkpoint_opt(s, "s1", &o, &u), 0, "%s", err_msg());
	cr_assert_str_eq(u.mode, "full");
	/* the rules are taken back; the next checkpoint reads the folder's again */
	put_s(work, "cache/z", "z\n", 0644);
	sh("rm '%s/.deskhandignore'", work);
	const char *dirty2[] = { "cache/z" };
	sd = (struct snap_dirty){ dirty2, 1, false };
	o = (struct snap_checkpoint_opts){ .label = "took back", .turn = 2, .dirty = &sd };
	cr_assert_eq(snap_checkpoint_opt(s, "s1", &o, &u), 0, "%s", err_msg());
	cr_assert_str_eq(u.mode, "full");
	cr_assert_eq(snap_log(s, "s1", &e, &n), 0, "%s", err_msg());
	cr_assert_eq(n, 3);
	cr_assert_eq(e[1].nchanges, 3);
	cr_assert(has_change(&e[1], 'A', "cache/x"));
	cr_assert(has_change(&e[1], 'A', ".deskhandignore"));
	cr_assert(has_change(&e[1], 'A', "new.txt"));
	cr_assert(has_change(&e[2], 'D', ".deskhandignore"));
	cr_assert(has_change(&e[2], 'A', "cache/z"));
	snap_log_free(e, n);
	snap_close(s);
}

/* Objects in the store's packs that are stored as deltas, by `git verify-pack
 * -v` (a delta's line names its base: 7 fields, a whole object's 5); the
 * number of whole objects goes to *whole. */
static int
pack_deltas(struct snap_store *s, int *whole)
{
	char cmd[2 * PATH_MAX];
	int deltas = 0;

	*whole = 0;
	snprintf(cmd, sizeof cmd,
	         "for i in '%sobjects/pack/'*.idx; do git verify-pack -v \"$i\"; done | "
	         "awk '$2 == \"blob\" || $2 == \"tree\" || $2 == \"commit\" { print NF }'",
	         snap_repo_path(s));
	char *out = cli_out(cmd);
	for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
		if (!strcmp(l, "7"))
			deltas++;
		else if (!strcmp(l, "5"))
			(*whole)++;
	}
	free(out);
	return deltas;
}

/* Files DIR/fNN.txt for NN in [from, to): 4 KiB each, the same but for their
 * first line. */
static void
put_similar(const char *dir, int from, int to)
{
	char name[64], text[4200];

	memset(text, 'x', sizeof text);
	text[sizeof text - 2] = '\n';
	text[sizeof text - 1] = '\0';
	for (int i = from; i < to; i++) {
		snprintf(name, sizeof name, "%s/f%02d.txt", dir, i);
		int n = snprintf(text, sizeof text, "file %d\n", i);
		text[n] = 'x'; /* snprintf's NUL: the rest stays as it is */
		put_s(work, name, text, 0644);
	}
}

/* A full scan packs its blobs whole, no deltas: libgit2's delta search made
 * a baseline of /usr/share/doc take 15 s instead of 5. Files that differ in one
 * line, the best delta candidates there are, come out whole; a store made
 * before that setting gets it at its next full scan. */
Test(snap, full_scan_packs_hold_no_deltas)
{
	char cmd[2 * PATH_MAX], repo[PATH_MAX];
	int whole;

	put_similar("similar", 0, 40);
	struct snap_store *s = open_store();
	cp(s, "base", 0);
	cr_assert_eq(pack_deltas(s, &whole), 0);
	cr_assert_geq(whole, 40, "%d whole objects in the packs", whole);
	snprintf(repo, sizeof repo, "%s", snap_repo_path(s));
	snprintf(cmd, sizeof cmd, "git --git-dir='%s' config pack.deltaCacheSize", repo);
	char *v = cli_out(cmd);
	cr_assert_str_eq(v, "1\n");
	free(v);
	snap_close(s);

	/* A store of an older version: its config without the settings. */
	sh("git --git-dir='%s' config --unset pack.deltaCacheSize && "
	   "git --git-dir='%s' config --unset pack.bigFileThreshold", repo, repo);
	put_similar("more", 40, 80);
	s = open_store();
	cp(s, "more", 1);
	cr_assert_eq(pack_deltas(s, &whole), 0);
	cr_assert_geq(whole, 80, "%d whole objects in the packs", whole);
	snprintf(cmd, sizeof cmd, "git --git-dir='%s' config pack.bigFileThreshold", repo);
	v = cli_out(cmd);
	cr_assert_str_eq(v, "1\n");
	free(v);
	snap_close(s);
}

#define NOTES_MANY 300 /* more than the 256 fan-out subtrees */

Test(snap, notes_fan_out_and_read_back, .timeout = 600)
{
	struct snap_store *s = open_store();
	struct snap_log_entry *e;
	char p[PATH_MAX + 16], q[PATH_MAX + 16], line[64];
	size_t n;

	/* Each checkpoint renames an empty directory: only its note says so. */
	pathf(p, work, "e0");
	cr_assert_eq(mkdir(p, 0755), 0);
	cp(s, "baseline", 0);
	for (int i = 1; i < NOTES_MANY; i++) {
		snprintf(p, sizeof p, "%s/e%d", work, i - 1);
		snprintf(q, sizeof q, "%s/e%d", work, i);
		cr_assert_eq(rename(p, q), 0);
		cr_assert(cp(s, "rename", i).created);
	}
	struct notes_shape sh = notes_shape_of(s);
	cr_assert_eq(sh.flat, 0);
	cr_assert_eq(sh.other, 0);
	cr_assert_eq(sh.fanned, NOTES_MANY);

	cr_assert_eq(snap_log(s, "s1", &e, &n), 0, "%s", err_msg());
	cr_assert_eq(n, NOTES_MANY);
	/* git reads them all: listed by object, and each one's text */
	static char objs[NOTES_MANY + 1][41];
	char *texts[NOTES_MANY + 1];
	cr_assert_eq(git_notes_cli(s, objs, texts, NOTES_MANY + 1), NOTES_MANY);
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		while (k < NOTES_MANY && strcmp(objs[k], e[i].id))
			k++;
		cr_assert(k < NOTES_MANY, "git lists no note for checkpoint %s", e[i].id);
		snprintf(line, sizeof line, "\nd e%zu\n", i);
		cr_assert(strstr(texts[k], line), "note of %s: %s", e[i].id, texts[k]);
		/* and finds it by its object, as `git notes show` does */
		if (i == 0 || i == n / 2 || i == n - 1) {
			char *text = git_note_cli(s, e[i].id);
			cr_assert_str_eq(text, texts[k]);
			free(text);
		}
		cr_assert_eq(e[i].nfiles, FIXTURE_FILES);
		if (!i)
			continue;
		snprintf(line, sizeof line, "e%zu/", i - 1);
		cr_assert(has_change(&e[i], 'D', line), "checkpoint %zu lost its note", i);
		snprintf(line, sizeof line, "e%zu/", i);
		cr_assert(has_change(&e[i], 'A', line), "checkpoint %zu lost its note", i);
	}
	for (size_t k = 0; k < NOTES_MANY; k++)
		free(texts[k]);
	snap_log_free(e, n);
	snap_close(s);
}

Test(snap, flat_notes_of_older_versions_move_to_fan_out_on_open, .timeout = 300)
{
	struct snap_store *s = open_store();
	struct snap_log_entry *e;
	git_repository *r = NULL;
	git_signature *sig = NULL;
	char head[41], *texts[NSTEPS + 1];
	git_oid ids[NSTEPS + 1], extra[NOTES_MANY], nid;
	size_t n;

	run_steps(s, head);
	cr_assert_eq(snap_log(s, "s1", &e, &n), 0, "%s", err_msg());
	cr_assert_eq(n, NSTEPS + 1);
	/* The notes as older versions wrote them: git_note_create() with no
	 * fan-out subtree there writes each one flat at the top level; and more
	 * of them (on made-up ids) than there are two-digit prefixes. */
	cr_assert_eq(git_repository_open_bare(&r, snap_repo_path(s)), 0);
	cr_assert_eq(git_signature_now(&sig, "old", "old@localhost"), 0);
	for (size_t i = 0; i < n; i++) {
		git_note *note = NULL;

		cr_assert_eq(git_oid_fromstr(&ids[i], e[i].id), 0);
		cr_assert_eq(git_note_read(&note, r, "refs/notes/deskhand", &ids[i]), 0);
		texts[i] = strdup(git_note_message(note));
		git_note_free(note);
	}
	snap_log_free(e, n);
	cr_assert_eq(git_reference_remove(r, "refs/notes/deskhand"), 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(git_note_create(&nid, r, "refs/notes/deskhand", sig, sig, &ids[i],
		                             texts[i], 0),
		             0);
	for (int i = 0; i < NOTES_MANY; i++) {
		char text[32];

		snprintf(text, sizeof text, "n %d\n", i);
		cr_assert_eq(git_odb_hash(&extra[i], text, strlen(text), GIT_OBJECT_BLOB), 0);
		cr_assert_eq(git_note_create(&nid, r, "refs/notes/deskhand", sig, sig, &extra[i],
		                             text, 0),
		             0);
	}
	struct notes_shape sh = notes_shape_of(s);
	cr_assert_eq(sh.flat, n + NOTES_MANY, "flat %zu", sh.flat);
	cr_assert_eq(sh.fanned, 0);
	snap_close(s);

	s = open_store();
	sh = notes_shape_of(s);
	cr_assert_eq(sh.flat, 0);
	cr_assert_eq(sh.other, 0);
	cr_assert_eq(sh.fanned, n + NOTES_MANY);
	/* Opened again: nothing left to move, no new notes commit. */
	snap_close(s);
	s = open_store();
	struct notes_shape again = notes_shape_of(s);
	cr_assert(git_oid_equal(&again.head, &sh.head));

	/* snap reads every note: statuses that only the notes give ('T' for a
	 * chmod, empty directories) are as they were. */
	cr_assert_eq(snap_log(s, "s1", &e, &n), 0, "%s", err_msg());
	cr_assert_eq(n, NSTEPS + 1);
	cr_assert_eq(e[0].nfiles, FIXTURE_FILES);
	for (size_t i = 0; i < NSTEPS; i++) {
		cr_assert_eq(e[i + 1].nchanges, 1, "%s", steps[i].label);
		cr_assert_eq(e[i + 1].changes[0].status, steps[i].status, "%s", steps[i].label);
		cr_assert_str_eq(e[i + 1].changes[0].path, steps[i].path);
	}
	snap_log_free(e, n);
	/* and so do git and libgit2, the made-up ones too */
	for (size_t i = 0; i < NSTEPS + 1; i++) {
		char hex[41], *text;

		git_oid_tostr(hex, sizeof hex, &ids[i]);
		text = git_note_cli(s, hex);
		cr_assert_str_eq(text, texts[i]);
		free(text);
		free(texts[i]);
	}
	for (int i = 0; i < NOTES_MANY; i++) {
		git_note *note = NULL;
		char text[32];

		snprintf(text, sizeof text, "n %d\n", i);
		cr_assert_eq(git_note_read(&note, r, "refs/notes/deskhand", &extra[i]), 0, "%d", i);
		cr_assert_str_eq(git_note_message(note), text);
		git_note_free(note);
	}
	/* A checkpoint after the move writes at its fan-out path. */
	put_s(work, "after.txt", "x\n", 0644);
	cr_assert(cp(s, "after", 99).created);
	sh = notes_shape_of(s);
	cr_assert_eq(sh.flat, 0);
	cr_assert_eq(sh.fanned, NSTEPS + 1 + NOTES_MANY + 1);
	git_signature_free(sig);
	git_repository_free(r);
	snap_close(s);
}

/* The note text of checkpoint `id` in the shadow repository at `repo`
 * (libgit2). */
static char *
note_text_in(const char *repo, const char *id)
{
	git_repository *r = NULL;
	git_note *note = NULL;
	git_oid oid;
	char *text;

	cr_assert_eq(git_repository_open_bare(&r, repo), 0);
	cr_assert_eq(git_oid_fromstr(&oid, id), 0);
	cr_assert_eq(git_note_read(&note, r, "refs/notes/deskhand", &oid), 0, "note of %s", id);
	text = strdup(git_note_message(note));
	git_note_free(note);
	git_repository_free(r);
	return text;
}

/* The note text of checkpoint `id` (libgit2). */
static char *
note_text(struct snap_store *s, const char *id)
{
	return note_text_in(snap_repo_path(s), id);
}

/* Replace checkpoint `id`'s note by its text as an older version wrote it:
 * version 1 without the "v" and "M" lines (directory modes), version 2 with
 * "v 2" and no "M" line of the folder's own mode. */
static void
note_make_version(struct snap_store *s, const char *id, int version)
{
	char *text = note_text(s, id), file[PATH_MAX], cmd[3 * PATH_MAX];
	FILE *f;

	pathf(file, root, "oldnote");
	f = fopen(file, "w");
	cr_assert(f);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		size_t len = strlen(line);
		bool root_line = line[0] == 'M' && len > 2 && !strcmp(line + len - 2, " .");

		if (version == 2 && line[0] == 'v')
			fprintf(f, "v 2\n");
		else if ((version == 2 && !root_line) || (line[0] != 'v' && line[0] != 'M'))
			fprintf(f, "%s\n", line);
	}
	fclose(f);
	free(text);
	snprintf(cmd, sizeof cmd,
	         "git -c user.name=old -c user.email=old@localhost --git-dir='%s' "
	         "notes --ref=deskhand add -f -F '%s' %s 2>/dev/null",
	         snap_repo_path(s), file, id);
	sh("%s", cmd);
	text = note_text(s, id);
	if (version == 1)
		cr_assert_null(strstr(text, "\nv "), "%s", text);
	else
		cr_assert(strstr(text, "\nv 2\n") && !strstr(text, " .\n"), "%s", text);
	free(text);
}

static void
note_make_old(struct snap_store *s, const char *id)
{
	note_make_version(s, id, 1);
}

/* Two directories: priv/ (made 0700) and ro/ (its file edited, then made
 * 0555), and mid/ whose 0711 the agent makes 0755. */
static void
dir_mode_step(struct snap_store *s, struct snap_checkpoint *base, struct snap_checkpoint *step)
{
	char p[PATH_MAX];

	put_s(work, "priv/key", "k\n", 0600);
	put_s(work, "ro/f.txt", "before\n", 0644);
	put_s(work, "mid/deep/g.txt", "g\n", 0644);
	pathf(p, work, "mid");
	cr_assert_eq(chmod(p, 0711), 0);
	*base = cp(s, "base", 0);
	put_s(work, "ro/f.txt", "after\n", 0644);
	pathf(p, work, "priv");
	cr_assert_eq(chmod(p, 0700), 0);
	pathf(p, work, "ro");
	cr_assert_eq(chmod(p, 0555), 0);
	pathf(p, work, "mid");
	cr_assert_eq(chmod(p, 0755), 0);
	*step = cp(s, "chmods", 1);
	cr_assert(step->created);
}

Test(snap, dir_modes_recorded_in_the_note_and_restored)
{
	struct snap_store *s = open_store();
	struct snap_checkpoint base, step, u;
	struct buf rep = BUF_INIT;
	char *text;

	dir_mode_step(s, &base, &step);
	text = note_text(s, base.id);
	cr_assert(strstr(text, "\nv 3\n"), "%s", text);
	cr_assert(strstr(text, "\nM 0711 mid\n"), "%s", text);
	cr_assert_null(strstr(text, " priv\n"), "%s", text); /* 0755: the default */
	free(text);
	text = note_text(s, step.id);
	cr_assert(strstr(text, "\nM 0700 priv\n"), "%s", text);
	cr_assert(strstr(text, "\nM 0555 ro\n"), "%s", text);
	cr_assert_null(strstr(text, " mid\n"), "%s", text);
	free(text);

	/* the log shows each mode change the way it shows a file's */
	struct snap_log_entry *e;
	size_t n;
	cr_assert_eq(snap_log(s, "s1", &e, &n), 0, "%s", err_msg());
	cr_assert(has_change(&e[n - 1], 'T', "priv/"));
	cr_assert(has_change(&e[n - 1], 'T', "ro/"));
	cr_assert(has_change(&e[n - 1], 'T', "mid/"));
	cr_assert(has_change(&e[n - 1], 'M', "ro/f.txt"));
	cr_assert_eq(e[n - 1].nchanges, 4);
	snap_log_free(e, n);

	/* back to the base: every mode as it was, the file inside ro/ too */
	cr_assert_eq(restore_to(s, base.id, false, &rep, &u), 0, "%s", err_msg());
	cr_assert_eq(perm_of(work, "priv") & 07777, 0755);
	cr_assert_eq(perm_of(work, "ro") & 07777, 0755);
	cr_assert_eq(perm_of(work, "mid") & 07777, 0711);
	char *f = slurp(work, "ro/f.txt");
	cr_assert_str_eq(f, "before\n");
	free(f);
	cr_assert(strstr(buf_cstr(&rep), "restored priv/ (mode 0755)\n"), "%s", buf_cstr(&rep));
	cr_assert(strstr(buf_cstr(&rep), "restored mid/ (mode 0711)\n"), "%s", buf_cstr(&rep));
	cr_assert_not(cp(s, "again", 2).created, "the restore left the base's state exactly");

	/* and forward again: a write into ro/ while it is to be 0555 */
	cr_assert_eq(restore_to(s, step.id, false, NULL, &u), 0, "%s", err_msg());
	cr_assert_eq(perm_of(work, "priv") & 07777, 0700);
	cr_assert_eq(perm_of(work, "ro") & 07777, 0555);
	cr_assert_eq(perm_of(work, "mid") & 07777, 0755);
	f = slurp(work, "ro/f.txt");
	cr_assert_str_eq(f, "after\n");
	free(f);
	f = slurp(work, "priv/key");
	cr_assert_str_eq(f, "k\n");
	free(f);

	/* a directory the restore makes gets its recorded mode */
	char p[PATH_MAX];
	sh("rm -rf '%s/priv'", work);
	cp(s, "rm priv", 3);
	cr_assert_eq(restore_to(s, step.id, false, NULL, &u), 0, "%s", err_msg());
	cr_assert_eq(perm_of(work, "priv") & 07777, 0700);
	f = slurp(work, "priv/key");
	cr_assert_str_eq(f, "k\n");
	free(f);

	/* so do the directories it makes for the files it writes, whatever the
	 * umask: mid/ and mid/deep/ were 0755 */
	sh("rm -rf '%s/mid'", work);
	cp(s, "rm mid", 3);
	mode_t um = umask(077);
	int rc = restore_to(s, step.id, false, NULL, &u);
	umask(um);
	cr_assert_eq(rc, 0, "%s", err_msg());
	cr_assert_eq(perm_of(work, "mid") & 07777, 0755);
	cr_assert_eq(perm_of(work, "mid/deep") & 07777, 0755);
	cr_assert_eq(perm_of(work, "mid/deep/g.txt") & 07777, 0644);

	/* an incremental checkpoint records a dirty directory's mode, and a
	 * dirty file's parents' */
	pathf(p, work, "priv");
	cr_assert_eq(chmod(p, 0750), 0);
	const char *dirty1[] = { "priv" };
	struct snap_dirty sd = { dirty1, 1, false };
	struct snap_checkpoint_opts o = { .label = "inc", .turn = 4, .dirty = &sd };
	cr_assert_eq(snap_checkpoint_opt(s, "s1", &o, &u), 0, "%s", err_msg());
	cr_assert(u.created);
	cr_assert_str_eq(u.mode, "incremental");
	text = note_text(s, u.id);
	cr_assert(strstr(text, "\nM 0750 priv\n"), "%s", text);
	free(text);
	pathf(p, work, "mid");
	cr_assert_eq(chmod(p, 0700), 0);
	put_s(work, "mid/deep/g.txt", "g2\n", 0644);
	const char *dirty2[] = { "mid/deep/g.txt" };
	sd = (struct snap_dirty){ dirty2, 1, false };
	o.turn = 5;
	cr_assert_eq(snap_checkpoint_opt(s, "s1", &o, &u), 0, "%s", err_msg());
	cr_assert_str_eq(u.mode, "incremental");
	text = note_text(s, u.id);
	cr_assert(strstr(text, "\nM 0700 mid\n"), "%s", text);
	cr_assert(strstr(text, "\nM 0750 priv\n"), "%s", text);
	free(text);
	buf_fini(&rep);
	snap_close(s);
}

Test(snap, notes_without_dir_modes_leave_directories_as_found)
{
	struct snap_store *s = open_store();
	struct snap_checkpoint base, step, u;
	struct snap_log_entry *e;
	size_t n;

	dir_mode_step(s, &base, &step);
	note_make_old(s, base.id);
	note_make_old(s, step.id);
	/* a checkpoint on it with nothing changed is none, though its note would
	 * now record the directories' modes */
	cr_assert_not(cp(s, "upgraded", 2).created);
	/* read as before: the file change only, no directory's mode */
	cr_assert_eq(snap_log(s, "s1", &e, &n), 0, "%s", err_msg());
	cr_assert_eq(e[n - 1].nchanges, 1);
	cr_assert(has_change(&e[n - 1], 'M', "ro/f.txt"));
	snap_log_free(e, n);
	cr_assert_eq(restore_to(s, base.id, false, NULL, &u), 0, "%s", err_msg());
	char *f = slurp(work, "ro/f.txt");
	cr_assert_str_eq(f, "before\n");
	free(f);
	/* as found: neither 0755 nor the base's unrecorded 0711 */
	cr_assert_eq(perm_of(work, "priv") & 07777, 0700);
	cr_assert_eq(perm_of(work, "ro") & 07777, 0555);
	cr_assert_eq(perm_of(work, "mid") & 07777, 0755);
	snap_close(s);
}

Test(snap, mode_0000_is_recorded_and_restored_like_any_mode)
{
	struct snap_store *s = open_store();
	struct snap_checkpoint base, step, u;
	char p[PATH_MAX], *text;

	put_s(work, "shut.txt", "shut\n", 0644);
	put_s(work, "shut/in.txt", "in\n", 0644);
	base = cp(s, "base", 0);
	pathf(p, work, "shut.txt");
	cr_assert_eq(chmod(p, 0), 0);
	pathf(p, work, "shut");
	cr_assert_eq(chmod(p, 0), 0);
	step = cp(s, "chmod 000", 1);
	cr_assert(step.created);
	text = note_text(s, step.id);
	cr_assert(strstr(text, "\nm 0000 shut.txt\n"), "%s", text);
	cr_assert(strstr(text, "\nM 0000 shut\n"), "%s", text);
	free(text);
	cr_assert_eq(restore_to(s, base.id, false, NULL, &u), 0, "%s", err_msg());
	cr_assert_eq(perm_of(work, "shut.txt") & 07777, 0644);
	cr_assert_eq(perm_of(work, "shut") & 07777, 0755);
	/* forward: 0000 again, not "no mode recorded" */
	cr_assert_eq(restore_to(s, step.id, false, NULL, &u), 0, "%s", err_msg());
	cr_assert_eq(perm_of(work, "shut.txt") & 07777, 0);
	cr_assert_eq(perm_of(work, "shut") & 07777, 0);
	cr_assert_not(cp(s, "again", 2).created, "the restore left the step's state exactly");
	char *f = slurp(work, "shut/in.txt");
	cr_assert_str_eq(f, "in\n");
	free(f);
	cr_assert_eq(chmod(p, 0755), 0);
	snap_close(s);
}

/*
 * Paths the scan may not read. The tests run as root, who reads everything:
 * the scan runs in a child as uid/gid 65534 on a folder it owns.
 */

#define NOBODY 65534

/* What the unprivileged child did, for the parent to check. */
struct unread_run {
	char id[4][41];    /* base, edit, chmod (full scan), chmod again (incremental) */
	bool created[4];
	char mode3[16];    /* the last checkpoint's scan mode */
	char changes[256]; /* "T notes.txt,T sub/," of the chmod checkpoint */
	char repo[PATH_MAX]; /* the shadow repository */
	int restore_rc;    /* back to the base */
	unsigned perms[2]; /* then notes.txt's and sub's */
	char text[2][16];  /* notes.txt's and sub/x.txt's */
	int forward_rc;    /* forward to the chmod checkpoint again */
	char err[512];
};

/* The first line of work/rel into dst ("" when unreadable). */
static void
first_line(const char *rel, char dst[16])
{
	char p[PATH_MAX];
	FILE *f;

	pathf(p, work, rel);
	dst[0] = '\0';
	if ((f = fopen(p, "r"))) {
		if (!fgets(dst, 16, f))
			dst[0] = '\0';
		fclose(f);
	}
}

/* Drop to uid/gid NOBODY (in a forked child); false on failure. */
static bool
become_nobody(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) < 0)
		return false;
	/* libgit2 found root's home at its init: look for config files here */
	setenv("HOME", root, 1);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, root);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, root);
	return true;
}

/* A zeroed block of `size` bytes shared with a forked child (munmap it). */
static void *
shared_block(size_t size)
{
	void *r = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(r, MAP_FAILED);
	memset(r, 0, size);
	return r;
}

/* Give the test's tree to NOBODY (the folder's parent searchable), run
 * child(r) in a forked child, which drops to NOBODY itself (become_nobody)
 * and fills the shared block r (shared_block) for the parent, and assert it
 * returned 0; else the step it returned is named with the message in `err`
 * (errsz bytes inside r), or err_msg() and errno of the child's last call. */
static void
run_as_nobody(int (*child)(void *), void *r, char *err, size_t errsz)
{
	int status;

	cr_assert_eq(chmod(root, 0755), 0);
	sh("chown -R %d:%d '%s'", NOBODY, NOBODY, root);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int rc = child(r);

		if (rc && !err[0])
			snprintf(err, errsz, "%s (errno: %s)", err_msg(), strerror(errno));
		_exit(rc);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "the child failed at step %d: %s", WEXITSTATUS(status), err);
}

/* As uid/gid NOBODY: check the folder in, make a file and a directory
 * unreadable, check it in again (full and incremental scans), restore the
 * base. Fills *r; returns 0 or a step number. */
static int
unread_child(void *arg)
{
	struct unread_run *r = arg;
	struct snap_store *s = NULL;
	struct snap_checkpoint c;
	struct review_outcome o;
	struct snap_log_entry *e;
	char p[PATH_MAX];
	size_t n;

	if (!become_nobody())
		return 1;
	pathf(p, root, "snap.log");
	if (log_open(p) < 0)
		return 14;
	if (snap_open(&s, work, state) < 0)
		return 2;
	snprintf(r->repo, sizeof r->repo, "%s", snap_repo_path(s));
	if (snap_checkpoint(s, "s1", "base", 0, "toolu_0", &c) < 0)
		return 3;
	memcpy(r->id[0], c.id, 41), r->created[0] = c.created;
	pathf(p, work, "sub/x.txt");
	FILE *f = fopen(p, "w");
	if (!f || fputs("x2\n", f) < 0 || fclose(f) != 0)
		return 4;
	if (snap_checkpoint(s, "s1", "edit", 1, "toolu_1", &c) < 0)
		return 5;
	memcpy(r->id[1], c.id, 41), r->created[1] = c.created;
	pathf(p, work, "notes.txt");
	if (chmod(p, 0) < 0)
		return 6;
	pathf(p, work, "sub");
	if (chmod(p, 0) < 0)
		return 7;
	/* created unreadable: nothing earlier to keep */
	pathf(p, work, "new.txt");
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0);
	if (fd < 0 || close(fd) < 0)
		return 13;
	if (snap_checkpoint(s, "s1", "chmod", 2, "toolu_2", &c) < 0)
		return 8;
	memcpy(r->id[2], c.id, 41), r->created[2] = c.created;
	if (snap_log(s, "s1", &e, &n) < 0)
		return 9;
	for (size_t i = 0; i < e[n - 1].nchanges; i++)
		snprintf(r->changes + strlen(r->changes), sizeof r->changes - strlen(r->changes),
		         "%c %s,", e[n - 1].changes[i].status, e[n - 1].changes[i].path);
	snap_log_free(e, n);
	/* the watcher's way: only the dirty paths are looked at */
	pathf(p, work, "notes.txt");
	if (chmod(p, 0200) < 0)
		return 10;
	pathf(p, work, "sub");
	if (chmod(p, 0100) < 0)
		return 11;
	const char *dirty[] = { "notes.txt", "sub" };
	struct snap_dirty sd = { dirty, 2, false };
	struct snap_checkpoint_opts co = { .label = "chmod again", .turn = 3, .dirty = &sd };
	if (snap_checkpoint_opt(s, "s1", &co, &c) < 0)
		return 12;
	memcpy(r->id[3], c.id, 41), r->created[3] = c.created;
	snprintf(r->mode3, sizeof r->mode3, "%s", c.mode);
	/* back to the base: modes put back, sub/x.txt written inside sub/ */
	snap_review_outcome_init(&o);
	r->restore_rc = snap_review_restore(s, "s1", r->id[0], NULL, 0, root, &o);
	if (r->restore_rc < 0)
		snprintf(r->err, sizeof r->err, "%s", err_msg());
	snap_review_outcome_fini(&o);
	struct stat st;
	pathf(p, work, "notes.txt");
	r->perms[0] = stat(p, &st) == 0 ? st.st_mode & 07777 : 01000;
	pathf(p, work, "sub");
	r->perms[1] = stat(p, &st) == 0 ? st.st_mode & 07777 : 01000;
	first_line("notes.txt", r->text[0]);
	first_line("sub/x.txt", r->text[1]);
	/* and forward: mode 0000 is put back like any other */
	snap_review_outcome_init(&o);
	r->forward_rc = snap_review_restore(s, "s1", r->id[2], NULL, 0, root, &o);
	if (r->forward_rc < 0 && !r->err[0])
		snprintf(r->err, sizeof r->err, "%s", err_msg());
	snap_review_outcome_fini(&o);
	snap_close(s);
	log_close();
	return 0;
}

/* The OID of `path` in checkpoint `id`'s tree, as hex. */
static void
tree_oid_at(git_repository *r, const char *id, const char *path, char hex[41])
{
	git_oid oid;
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_tree_entry *te = NULL;

	cr_assert_eq(git_oid_fromstr(&oid, id), 0);
	cr_assert_eq(git_commit_lookup(&c, r, &oid), 0);
	cr_assert_eq(git_commit_tree(&t, c), 0);
	cr_assert_eq(git_tree_entry_bypath(&te, t, path), 0, "%s has no %s", id, path);
	git_oid_tostr(hex, 41, git_tree_entry_id(te));
	git_tree_entry_free(te);
	git_tree_free(t);
	git_commit_free(c);
}

Test(snap, unreadable_file_and_directory_keep_their_last_content)
{
	struct unread_run *r;
	char p[PATH_MAX], a[41], b[41];

	put_s(work, "notes.txt", "keep\n", 0644);
	put_s(work, "sub/x.txt", "x1\n", 0644);
	put_s(work, "sub/deep/y.txt", "y\n", 0600);
	pathf(p, work, "sub/empty");
	mkdirs(p);
	r = shared_block(sizeof *r);
	run_as_nobody(unread_child, r, r->err, sizeof r->err);
	cr_assert(r->created[0] && r->created[1] && r->created[2] && r->created[3]);

	/* not deleted: the modes changed, nothing else; new.txt is left out */
	cr_assert_str_eq(r->changes, "T notes.txt,T sub/,");
	char *log = slurp(root, "snap.log");
	cr_assert(log);
	cr_assert(strstr(log, "snapshot: notes.txt is unreadable (Permission denied): its last "
	                      "content is kept"), "%s", log);
	cr_assert(strstr(log, "snapshot: sub/ is unreadable (Permission denied): its last "
	                      "content is kept"), "%s", log);
	cr_assert(strstr(log, "snapshot: skipping new.txt: it is unreadable (Permission denied) "
	                      "and no earlier checkpoint holds it"), "%s", log);
	free(log);
	cr_assert_str_eq(r->mode3, "incremental");
	git_repository *repo = NULL;
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	cr_assert_eq(git_repository_open_bare(&repo, r->repo), 0);
	for (int i = 2; i <= 3; i++) {
		tree_oid_at(repo, r->id[1], "notes.txt", a);
		tree_oid_at(repo, r->id[i], "notes.txt", b);
		cr_assert_str_eq(a, b, "checkpoint %d keeps notes.txt's blob", i);
		tree_oid_at(repo, r->id[1], "sub", a);
		tree_oid_at(repo, r->id[i], "sub", b);
		cr_assert_str_eq(a, b, "checkpoint %d keeps sub's tree", i);
	}
	git_repository_free(repo);
	char *before = note_text_in(r->repo, r->id[1]);
	char *text = note_text_in(r->repo, r->id[2]);
	/* the real modes, the note's entries below sub/ kept, the same count */
	cr_assert(strstr(text, "\nm 0000 notes.txt\n"), "%s", text);
	cr_assert(strstr(text, "\nM 0000 sub\n"), "%s", text);
	cr_assert(strstr(text, "\nm 0600 sub/deep/y.txt\n"), "%s", text);
	cr_assert(strstr(text, "\nd sub/empty\n"), "%s", text);
	cr_assert_eq(strncmp(text, before, strcspn(before, "\n") + 1), 0, "%s\n%s", before, text);
	free(text);
	text = note_text_in(r->repo, r->id[3]);
	cr_assert(strstr(text, "\nm 0200 notes.txt\n"), "%s", text);
	cr_assert(strstr(text, "\nM 0100 sub\n"), "%s", text);
	cr_assert(strstr(text, "\nm 0600 sub/deep/y.txt\n"), "%s", text);
	cr_assert(strstr(text, "\nd sub/empty\n"), "%s", text);
	cr_assert_eq(strncmp(text, before, strcspn(before, "\n") + 1), 0, "%s\n%s", before, text);
	free(text);
	free(before);

	/* the restore to the base put the modes back and wrote into sub/ */
	cr_assert_eq(r->restore_rc, 0, "restore: %s", r->err);
	cr_assert_eq(r->perms[0], 0644);
	cr_assert_eq(r->perms[1], 0755);
	cr_assert_str_eq(r->text[0], "keep\n");
	cr_assert_str_eq(r->text[1], "x1\n");
	/* the restore forward made both 0000 again, sub/x.txt as edited */
	cr_assert_eq(r->forward_rc, 0, "restore forward: %s", r->err);
	cr_assert_eq(perm_of(work, "notes.txt") & 07777, 0);
	cr_assert_eq(perm_of(work, "sub") & 07777, 0);
	cr_assert_eq(perm_of(work, "sub/deep/y.txt") & 07777, 0600);
	char *f = slurp(work, "notes.txt");
	cr_assert_str_eq(f, "keep\n");
	free(f);
	f = slurp(work, "sub/x.txt");
	cr_assert_str_eq(f, "x2\n");
	free(f);
	f = slurp(work, "sub/deep/y.txt");
	cr_assert_str_eq(f, "y\n");
	free(f);
	cr_assert(exists(work, "sub/empty"));
	munmap(r, sizeof *r);
}

/* The folder's own mode is recorded as directory "." and put back last; a
 * note with directory modes but not the folder's (an older version's "v 2")
 * leaves the folder as found. */
Test(snap, the_folders_own_mode_recorded_and_restored)
{
	struct snap_store *s = open_store();
	struct snap_checkpoint base, step, u;
	struct snap_log_entry *e;
	struct buf rep = BUF_INIT;
	size_t n;
	char *text;

	put_s(work, "a.txt", "before\n", 0644);
	cr_assert_eq(chmod(work, 0755), 0);
	base = cp(s, "base", 0);
	text = note_text(s, base.id);
	cr_assert(strstr(text, "\nv 3\n") && !strstr(text, " .\n"), "%s", text);
	free(text);
	put_s(work, "a.txt", "after\n", 0644);
	cr_assert_eq(chmod(work, 0555), 0);
	step = cp(s, "chmod 555 .", 1);
	cr_assert(step.created);
	text = note_text(s, step.id);
	cr_assert(strstr(text, "\nM 0555 .\n"), "%s", text);
	cr_assert_null(strstr(text, "\nd ."), "%s", text);
	free(text);
	cr_assert_eq(snap_log(s, "s1", &e, &n), 0, "%s", err_msg());
	cr_assert_eq(e[n - 1].nchanges, 2);
	cr_assert(has_change(&e[n - 1], 'M', "a.txt"));
	cr_assert(has_change(&e[n - 1], 'T', "./"));
	snap_log_free(e, n);
	cr_assert_eq(restore_to(s, base.id, false, &rep, &u), 0, "%s", err_msg());
	cr_assert(strstr(buf_cstr(&rep), "restored ./ (mode 0755)\n"), "%s", buf_cstr(&rep));
	cr_assert_eq(perm_of(work, "") & 07777, 0755);
	char *f = slurp(work, "a.txt");
	cr_assert_str_eq(f, "before\n");
	free(f);
	cr_assert_eq(restore_to(s, step.id, false, NULL, &u), 0, "%s", err_msg());
	cr_assert_eq(perm_of(work, "") & 07777, 0555);
	cr_assert_not(cp(s, "again", 2).created, "the restore left the step's state exactly");
	/* older notes: the folder as found, and no change of its mode listed */
	note_make_version(s, base.id, 2);
	note_make_version(s, step.id, 2);
	cr_assert_eq(restore_to(s, base.id, false, NULL, &u), 0, "%s", err_msg());
	cr_assert_eq(perm_of(work, "") & 07777, 0555);
	f = slurp(work, "a.txt");
	cr_assert_str_eq(f, "before\n");
	free(f);
	cr_assert_eq(snap_log(s, "s1", &e, &n), 0, "%s", err_msg());
	size_t k = 0;
	while (k < n && strcmp(e[k].id, step.id))
		k++;
	cr_assert_lt(k, n, "the step is in the log");
	cr_assert(e[k].nchanges == 1 && has_change(&e[k], 'M', "a.txt"));
	snap_log_free(e, n);
	cr_assert_eq(chmod(work, 0755), 0);
	buf_fini(&rep);
	snap_close(s);
}

/* A note lying flat beside a fan-out subtree named by the same two digits
 * (as `git notes`, or an older version, writes it into a store that is open)
 * is still read: libgit2 alone looks only in the subtree. Without it the
 * step's log would list the file whose 0600 only the notes record. */
Test(snap, flat_note_beside_a_fanout_subtree_is_read)
{
	struct snap_store *s = open_store();
	struct snap_log_entry *e;
	size_t n;
	char fan[GIT_OID_HEXSZ + 2];

	put_s(work, "secret", "k\n", 0600);
	put_s(work, "a.txt", "one\n", 0644);
	cp(s, "base", 0);
	put_s(work, "a.txt", "two\n", 0644);
	struct snap_checkpoint step = cp(s, "step", 1);

	/* `git notes` writes the step's note again, flat (few notes: no fan-out) */
	note_make_version(s, step.id, 2);
	/* then a subtree named by its first two digits, holding some other note */
	git_repository *r = NULL;
	git_reference *ref = NULL;
	git_commit *head = NULL;
	git_tree *tree = NULL, *next = NULL;
	git_oid blob, tid, cid;
	git_signature *sig = NULL;

	cr_assert_eq(git_repository_open_bare(&r, snap_repo_path(s)), 0);
	cr_assert_eq(git_reference_lookup(&ref, r, "refs/notes/deskhand"), 0);
	cr_assert_eq(git_commit_lookup(&head, r, git_reference_target(ref)), 0);
	cr_assert_eq(git_commit_tree(&tree, head), 0);
	cr_assert_not_null(git_tree_entry_byname(tree, step.id), "the note is flat");
	snprintf(fan, sizeof fan, "%.2s/%.38s", step.id, step.id + 2);
	git_tree_entry *old = NULL;
	cr_assert_neq(git_tree_entry_bypath(&old, tree, fan), 0, "and only flat");
	cr_assert_eq(git_blob_create_from_buffer(&blob, r, "other\n", 6), 0);
	snprintf(fan, sizeof fan, "%.2s/%s", step.id, "ffffffffffffffffffffffffffffffffffffff");
	const git_tree_update up = { .action = GIT_TREE_UPDATE_UPSERT, .id = blob,
		                     .filemode = GIT_FILEMODE_BLOB, .path = fan };
	cr_assert_eq(git_tree_create_updated(&tid, r, tree, 1, &up), 0);
	cr_assert_eq(git_tree_lookup(&next, r, &tid), 0);
	cr_assert_eq(git_signature_now(&sig, "t", "t@localhost"), 0);
	const git_commit *parents[] = { head };
	cr_assert_eq(git_commit_create(&cid, r, "refs/notes/deskhand", sig, sig, NULL, "subtree", next,
	                               1, parents), 0);
	git_signature_free(sig);
	git_tree_free(next);
	git_tree_free(tree);
	git_commit_free(head);
	git_reference_free(ref);
	git_repository_free(r);

	cr_assert_eq(snap_log(s, "s1", &e, &n), 0, "%s", err_msg());
	cr_assert_eq(n, 2);
	cr_assert(e[1].nchanges == 1 && has_change(&e[1], 'M', "a.txt"), "%zu changes",
	          e[1].nchanges);
	snap_log_free(e, n);
	snap_close(s);
}

/* What the unprivileged child of the shut-directory test did. */
struct shut_run {
	int dry_rc;         /* dry-run restore of the base */
	size_t dry_paths;   /* the paths it would write */
	unsigned dry_perm;  /* sub's mode after it */
	int hunk_dry_rc;    /* dry-run reject of hunk 1 of sub/x.txt */
	int hunk_rc;        /* then the real one */
	unsigned hunk_perm; /* sub's mode after it */
	bool hunk_reported; /* its report names sub/x.txt */
	char text[64];      /* sub/x.txt then (read once sub is opened again) */
	char err[512];
};

#define SHUT_BEFORE "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"
#define SHUT_AFTER  "one\n2\n3\n4\n5\n6\n7\n8\n9\nten\n"

/* sub's mode (01000: no such directory). */
static unsigned
sub_perm(void)
{
	char p[PATH_MAX];
	struct stat st;

	pathf(p, work, "sub");
	return stat(p, &st) == 0 ? st.st_mode & 07777 : 01000;
}

/* As uid/gid NOBODY: two hunks edited in sub/x.txt, then sub made 0000; a
 * dry-run restore of the base, then a reject of the file's first hunk
 * (dry run, real). Fills *r; returns 0 or a step number. */
static int
shut_child(void *arg)
{
	struct shut_run *r = arg;
	struct snap_store *s = NULL;
	struct snap_checkpoint c;
	struct review_outcome o;
	char p[PATH_MAX], base[41];

	if (!become_nobody())
		return 1;
	if (snap_open(&s, work, state) < 0)
		return 2;
	if (snap_checkpoint(s, "s1", "base", 0, "toolu_0", &c) < 0)
		return 3;
	memcpy(base, c.id, 41);
	pathf(p, work, "sub/x.txt");
	FILE *f = fopen(p, "w");
	if (!f || fputs(SHUT_AFTER, f) < 0 || fclose(f) != 0)
		return 4;
	if (snap_checkpoint(s, "s1", "edit", 1, "toolu_1", &c) < 0 || !c.created)
		return 5;
	pathf(p, work, "sub");
	if (chmod(p, 0) < 0)
		return 6;
	if (snap_checkpoint(s, "s1", "chmod", 2, "toolu_2", &c) < 0 || !c.created)
		return 7;
	/* what every verb does first: a dry run, which must change nothing */
	snap_review_outcome_init(&o);
	r->dry_rc = snap_review_restore(s, "s1", base, NULL, REVIEW_F_DRY_RUN, root, &o);
	if (r->dry_rc < 0)
		snprintf(r->err, sizeof r->err, "dry run: %s", err_msg());
	r->dry_paths = o.npaths;
	snap_review_outcome_fini(&o);
	r->dry_perm = sub_perm();
	snap_review_outcome_init(&o);
	r->hunk_dry_rc = snap_review_reject_hunk(s, "s1", "sub/x.txt", 1, REVIEW_F_DRY_RUN, root,
	                                         &o);
	if (r->hunk_dry_rc < 0 && !r->err[0])
		snprintf(r->err, sizeof r->err, "reject-hunk dry run: %s", err_msg());
	snap_review_outcome_fini(&o);
	snap_review_outcome_init(&o);
	r->hunk_rc = snap_review_reject_hunk(s, "s1", "sub/x.txt", 1, 0, root, &o);
	if (r->hunk_rc < 0 && !r->err[0])
		snprintf(r->err, sizeof r->err, "reject-hunk: %s", err_msg());
	for (size_t i = 0; i < o.report.n; i++)
		r->hunk_reported |= !strcmp(o.report.v[i], "restored sub/x.txt");
	snap_review_outcome_fini(&o);
	r->hunk_perm = sub_perm();
	snap_close(s);
	pathf(p, work, "sub");
	if (chmod(p, 0755) < 0)
		return 8;
	pathf(p, work, "sub/x.txt");
	if ((f = fopen(p, "r"))) {
		size_t n = fread(r->text, 1, sizeof r->text - 1, f);
		r->text[n] = '\0';
		fclose(f);
	}
	return 0;
}

/* In a directory its owner cannot look into (chmod 000): the dry run that
 * every verb makes first reports no conflict where the real run, which opens
 * the directory up, has none, and changes nothing; rejecting one hunk of a
 * file there opens the directory up, writes, and puts its mode back. */
Test(snap, dry_run_and_reject_hunk_in_a_directory_shut_to_its_owner)
{
	struct shut_run *r;

	put_s(work, "sub/x.txt", SHUT_BEFORE, 0644);
	r = shared_block(sizeof *r);
	run_as_nobody(shut_child, r, r->err, sizeof r->err);
	cr_assert_eq(r->dry_rc, 0, "%s", r->err);
	cr_assert_eq(r->dry_paths, 2, "sub/x.txt and sub/ (got %zu)", r->dry_paths);
	cr_assert_eq(r->dry_perm, 0, "the dry run changed sub's mode to %04o", r->dry_perm);
	cr_assert_eq(r->hunk_dry_rc, 0, "%s", r->err);
	cr_assert_eq(r->hunk_rc, 0, "%s", r->err);
	cr_assert(r->hunk_reported);
	cr_assert_eq(r->hunk_perm, 0, "sub's mode after the reject: %04o", r->hunk_perm);
	cr_assert_str_eq(r->text, "1\n2\n3\n4\n5\n6\n7\n8\n9\nten\n");
	munmap(r, sizeof *r);
}

/*
 * The granted folder itself shut to its owner (chmod 000 .)
 */

struct folder_shut_run {
	int first_rc;         /* a first checkpoint of the folder at 0000 */
	char first_err[256];  /* its message */
	char id[2][41];       /* the base, then the checkpoint of the folder at 0000 */
	bool created;         /* the latter was made */
	char tree[2][41];     /* their trees */
	char repo[PATH_MAX];  /* the shadow repository */
	int restore_rc;       /* restore of the base */
	unsigned perm;        /* the folder's mode after it */
	char text[16];        /* a.txt then */
	char err[512];
};

/* As uid/gid NOBODY: the folder made 0000 before any checkpoint, then after
 * one; a restore of the base. Fills *r; returns 0 or a step number. */
static int
folder_shut_child(void *arg)
{
	struct folder_shut_run *r = arg;
	struct snap_store *s = NULL;
	struct snap_checkpoint c;
	struct review_outcome o;
	struct stat st;
	char p[PATH_MAX];

	if (!become_nobody())
		return 1;
	pathf(p, root, "snap.log");
	if (log_open(p) < 0)
		return 8;
	if (snap_open(&s, work, state) < 0)
		return 2;
	if (chmod(work, 0) < 0)
		return 3;
	r->first_rc = snap_checkpoint(s, "s1", "base", 0, "toolu_0", &c);
	snprintf(r->first_err, sizeof r->first_err, "%s", err_msg());
	if (chmod(work, 0755) < 0)
		return 4;
	if (snap_checkpoint(s, "s1", "base", 0, "toolu_0", &c) < 0 || !c.created)
		return 5;
	memcpy(r->id[0], c.id, 41);
	if (chmod(work, 0) < 0)
		return 6;
	if (snap_checkpoint(s, "s1", "chmod", 1, "toolu_1", &c) < 0)
		return 7;
	memcpy(r->id[1], c.id, 41);
	r->created = c.created;
	snprintf(r->repo, sizeof r->repo, "%s", snap_repo_path(s));
	snap_review_outcome_init(&o);
	r->restore_rc = snap_review_restore(s, "s1", r->id[0], NULL, 0, root, &o);
	if (r->restore_rc < 0)
		snprintf(r->err, sizeof r->err, "restore: %s", err_msg());
	snap_review_outcome_fini(&o);
	r->perm = stat(work, &st) == 0 ? st.st_mode & 07777 : 01000;
	first_line("a.txt", r->text);
	snap_close(s);
	log_close();
	return 0;
}

/* The tree id of checkpoint `id` in the repository at `repo`, as hex. */
static void
tree_of(const char *repo, const char *id, char hex[41])
{
	git_repository *r = NULL;
	git_commit *c = NULL;
	git_oid oid;

	cr_assert_eq(git_repository_open_bare(&r, repo), 0);
	cr_assert_eq(git_oid_fromstr(&oid, id), 0);
	cr_assert_eq(git_commit_lookup(&c, r, &oid), 0);
	git_oid_tostr(hex, 41, git_commit_tree_id(c));
	git_commit_free(c);
	git_repository_free(r);
}

/* A folder its owner cannot read: with no checkpoint yet, the checkpoint
 * fails naming the folder and its mode (no checkpoint of an empty folder);
 * after one, the checkpoint keeps all of it with the folder's mode 0000, and
 * a restore of the checkpoint before gives the folder its mode back. */
Test(snap, a_folder_shut_to_its_owner_keeps_its_last_content)
{
	struct folder_shut_run *r;
	char a[41], b[41];

	put_s(work, "a.txt", "kept\n", 0644);
	put_s(work, "sub/b.txt", "b\n", 0600);
	r = shared_block(sizeof *r);
	run_as_nobody(folder_shut_child, r, r->err, sizeof r->err);
	cr_assert_lt(r->first_rc, 0, "a first checkpoint of a folder at 0000 succeeded");
	cr_assert(strstr(r->first_err, work) && strstr(r->first_err, "(mode 0000)"), "%s",
	          r->first_err);
	cr_assert(r->created, "no checkpoint of the folder at 0000");
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	tree_of(r->repo, r->id[0], a);
	tree_of(r->repo, r->id[1], b);
	cr_assert_str_eq(a, b, "the folder at 0000 kept the base's tree");
	char *text = note_text_in(r->repo, r->id[1]);
	cr_assert(strstr(text, "\nM 0000 .\n"), "%s", text);
	cr_assert(strstr(text, "\nm 0600 sub/b.txt\n"), "%s", text);
	free(text);
	char *log = slurp(root, "snap.log");
	cr_assert(log);
	cr_assert(strstr(log, "is unreadable (mode 0000, Permission denied): its last content is "
	                      "kept"), "%s", log);
	free(log);
	cr_assert_eq(r->restore_rc, 0, "%s", r->err);
	cr_assert_eq(r->perm, 0755, "the folder's mode after the restore: %04o", r->perm);
	cr_assert_str_eq(r->text, "kept\n");
	munmap(r, sizeof *r);
}

/* checkpoint `id`'s blob at `path` holds the `len` bytes at `data`. */
static void
blob_is(struct snap_store *s, const char *id, const char *path, const void *data, size_t len)
{
	char want[41], got[41];
	git_repository *r = NULL;
	git_oid oid;

	cr_assert_eq(git_odb_hash(&oid, data, len, GIT_OBJECT_BLOB), 0);
	git_oid_tostr(want, sizeof want, &oid);
	cr_assert_eq(git_repository_open_bare(&r, snap_repo_path(s)), 0);
	tree_oid_at(r, id, path, got);
	git_repository_free(r);
	cr_assert_str_eq(got, want, "%s in %s: %zu bytes expected", path, id, len);
}

/* The scan reads a file whole whatever its size: empty, past several reads
 * (the scan's buffer reused from file to file), grown and shrunk between
 * checkpoints; a FIFO is not read (nor waited on). A restore compares and
 * writes them back byte for byte. */
Test(snap, scan_reads_files_whole_at_any_size)
{
	size_t big = 300001;
	char *data = malloc(big), p[PATH_MAX];

	cr_assert(data);
	for (size_t i = 0; i < big; i++)
		data[i] = (char)('a' + i % 23);
	put(work, "empty.txt", "", 0, 0644);
	put(work, "big.bin", data, 200001, 0644);
	put(work, "small.txt", data, 10, 0644);
	pathf(p, work, "fifo");
	cr_assert_eq(mkfifo(p, 0644), 0);
	struct snap_store *s = open_store();
	struct snap_checkpoint c0 = cp(s, "base", 0);
	blob_is(s, c0.id, "empty.txt", "", 0);
	blob_is(s, c0.id, "big.bin", data, 200001);
	blob_is(s, c0.id, "small.txt", data, 10);
	/* grown and shrunk */
	put(work, "big.bin", data, big, 0644);
	put(work, "small.txt", data, 3, 0644);
	put(work, "empty.txt", data, 1, 0644);
	struct snap_checkpoint c1 = cp(s, "sizes", 1);
	cr_assert(c1.created);
	blob_is(s, c1.id, "big.bin", data, big);
	blob_is(s, c1.id, "small.txt", data, 3);
	blob_is(s, c1.id, "empty.txt", data, 1);
	/* back to the base */
	struct review_outcome o;
	snap_review_outcome_init(&o);
	cr_assert_eq(snap_review_restore(s, "s1", c0.id, NULL, 0, root, &o), 0, "%s", err_msg());
	snap_review_outcome_fini(&o);
	char *b = slurp(work, "big.bin");
	cr_assert(b && strlen(b) == 200001 && !memcmp(b, data, 200001));
	free(b);
	b = slurp(work, "empty.txt");
	cr_assert(b && !*b);
	free(b);
	snap_close(s);
	free(data);
}

/*
 * snap_repo_runs: what git runs from a repository
 */

static char *
joined(const struct strv *v)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < v->n; i++)
		buf_printf(&b, "%s|", v->v[i]);
	return buf_detach(&b);
}

Test(snap, repo_runs_lists_active_hooks_and_program_config)
{
	char repo[PATH_MAX], *s;
	struct strv out = ARRAY_INIT;

	/* git init's own: a config without programs, sample hooks only */
	pathf(repo, root, "fresh");
	git_repository *r = NULL;
	cr_assert_eq(git_repository_init(&r, repo, 0), 0);
	git_repository_free(r);
	put_s(repo, ".git/hooks/pre-commit.sample", "#!/bin/sh\n", 0755);
	cr_assert_eq(snap_repo_runs(repo, &out), 0, "%s", err_msg());
	cr_assert_eq(out.n, 0);

	/* a hook without an execute bit does not run; one with it does */
	put_s(repo, ".git/hooks/post-merge", "#!/bin/sh\n", 0644);
	put_s(repo, ".git/hooks/pre-push", "#!/bin/sh\n", 0755);
	put_s(repo, ".git/config",
	      "[core]\n\tbare = false\n\tpager = less\n[diff \"Pic\"]\n\ttextconv = exiftool\n"
	      "[alias]\n\tco = checkout\n\tsh = \"!sh -c id\"\n[include]\n\tpath = ../x.cfg\n",
	      0644);
	cr_assert_eq(snap_repo_runs(repo, &out), 5, "%s", err_msg());
	s = joined(&out);
	cr_assert_str_eq(s, "hooks/pre-push|config core.pager = less|config diff.Pic.textconv = "
			    "exiftool|config alias.sh = !sh -c id|config include.path = ../x.cfg|");
	free(s);
	strv_free(&out);
}

Test(snap, repo_runs_follows_a_gitdir_file_and_names_a_broken_config)
{
	char repo[PATH_MAX], gd[PATH_MAX], *s;
	struct strv out = ARRAY_INIT;

	pathf(gd, root, "elsewhere.git");
	put_s(gd, "hooks/post-checkout", "#!/bin/sh\n", 0755);
	put_s(gd, "config", "[core]\n\tfsmonitor = ./watch.sh\n", 0644);
	pathf(repo, root, "checkout");
	put_s(repo, ".git", "gitdir: ../elsewhere.git\n", 0644);
	cr_assert_eq(snap_repo_runs(repo, &out), 2, "%s", err_msg());
	s = joined(&out);
	cr_assert(strstr(s, "git directory ") == s, "%s", s);
	cr_assert(strstr(s, "/elsewhere.git|hooks/post-checkout|config core.fsmonitor = ./watch.sh|"),
		  "%s", s);
	free(s);
	strv_free(&out);

	/* a config libgit2 cannot parse: the file is named, nothing appended */
	put_s(gd, "config", "[core\n\tfsmonitor = x\n", 0644);
	cr_assert_eq(snap_repo_runs(repo, &out), DH_EFAIL);
	cr_assert_eq(out.n, 0);
	cr_assert(strstr(err_msg(), "elsewhere.git/config"), "%s", err_msg());
	/* no .git at all */
	cr_assert_eq(snap_repo_runs(root, &out), DH_EFAIL);
	cr_assert(strstr(err_msg(), "/.git"), "%s", err_msg());
}

/*
 * A store over a folder that is gone (snap_open_gone) reads the history only
 */

/* What each call below needs: an agent step and its pending text edit. */
struct gone_ctx {
	char step[41];
	char base[41];
};

static int
gone_checkpoint(struct snap_store *s, const struct gone_ctx *c)
{
	struct snap_checkpoint ck;

	(void)c;
	return snap_checkpoint(s, "s1", "again", 9, "toolu_y", &ck);
}

static int
gone_checkpoint_dirty(struct snap_store *s, const struct gone_ctx *c)
{
	static const char *const paths[] = { "a.txt" };
	struct snap_dirty d = { paths, 1, false };
	struct snap_checkpoint_opts o = { .label = "x", .turn = -1, .dirty = &d };
	struct snap_checkpoint ck;

	(void)c;
	return snap_checkpoint_opt(s, "s1", &o, &ck);
}

static int
gone_recover(struct snap_store *s, const struct gone_ctx *c)
{
	struct snap_checkpoint ck;
	char *action = NULL;
	int call, rc;

	(void)c;
	rc = snap_review_recover(s, "s1", NULL, 0, &ck, &call, &action, NULL);
	free(action);
	return rc;
}

static int
gone_diff_now(struct snap_store *s, const struct gone_ctx *c)
{
	struct buf b = BUF_INIT;
	int rc = snap_diff(s, c->base, NULL, 0, &b);

	buf_fini(&b);
	return rc;
}

static int
gone_diffstat_now(struct snap_store *s, const struct gone_ctx *c)
{
	struct buf b = BUF_INIT;
	int rc = snap_diffstat(s, c->base, NULL, &b);

	buf_fini(&b);
	return rc;
}

/* The review commands, each with its outcome. */
#define GONE_REVIEW(name, call)                                                  \
	static int name(struct snap_store *s, const struct gone_ctx *c)          \
	{                                                                        \
		static const char *const paths[] = { "a.txt" };                  \
		const char *ids[] = { c->step };                                 \
		struct review_outcome o;                                         \
		int rc;                                                          \
                                                                                 \
		(void)paths;                                                     \
		(void)ids;                                                       \
		snap_review_outcome_init(&o);                                    \
		rc = call;                                                       \
		snap_review_outcome_fini(&o);                                    \
		return rc;                                                       \
	}
GONE_REVIEW(gone_accept, snap_review_accept(s, "s1", paths, 1, &o))
GONE_REVIEW(gone_accept_hunk, snap_review_accept_hunk(s, "s1", "a.txt", 1, &o))
GONE_REVIEW(gone_reject, snap_review_reject(s, "s1", paths, 1, REVIEW_F_FORCE, root, &o))
GONE_REVIEW(gone_reject_hunk,
	    snap_review_reject_hunk(s, "s1", "a.txt", 1, REVIEW_F_FORCE, root, &o))
GONE_REVIEW(gone_undo, snap_review_undo(s, "s1", ids, 1, NULL, REVIEW_F_FORCE, root, &o))
GONE_REVIEW(gone_redo, snap_review_redo(s, "s1", REVIEW_F_FORCE, root, &o))
GONE_REVIEW(gone_restore,
	    snap_review_restore(s, "s1", "baseline", NULL, REVIEW_F_FORCE, root, &o))
GONE_REVIEW(gone_mark_set, snap_review_mark_set(s, "s1", c->base, &o))

static const struct {
	const char *name;
	int (*call)(struct snap_store *, const struct gone_ctx *);
} gone_calls[] = {
	{ "checkpoint", gone_checkpoint },
	{ "checkpoint dirty", gone_checkpoint_dirty },
	{ "recover", gone_recover },
	{ "diff to now", gone_diff_now },
	{ "diffstat to now", gone_diffstat_now },
	{ "accept", gone_accept },
	{ "accept hunk", gone_accept_hunk },
	{ "reject", gone_reject },
	{ "reject hunk", gone_reject_hunk },
	{ "undo", gone_undo },
	{ "redo", gone_redo },
	{ "restore", gone_restore },
	{ "mark set", gone_mark_set },
};

Test(snap, a_gone_folders_store_refuses_what_would_touch_the_folder)
{
	struct snap_store *s = open_store();
	struct gone_ctx c;
	struct review_step *st;
	struct snap_log_entry *e;
	char moved[PATH_MAX], head[41], now[41], *want;
	size_t n;

	cp(s, "baseline", 0);
	put_s(work, "a.txt", "hello\nWORLD\n", 0644);
	cp(s, "turn 1: edit", 1);
	cr_assert_eq(snap_resolve(s, "s1", "baseline", c.base), 0, "%s", err_msg());
	cr_assert_eq(snap_resolve(s, "s1", "head", head), 0, "%s", err_msg());
	snap_close(s);

	/* the folder moves away; another one takes its path */
	pathf(moved, root, "moved");
	cr_assert_eq(rename(work, moved), 0);
	cr_assert_eq(snap_open_gone(&s, work, state), 0, "%s", err_msg());
	mkdirs(work);
	put_s(work, "a.txt", "someone else's\n", 0600);
	uint64_t before = hash_tree(work, 0);
	want = malloc(strlen(work) + 64);
	sprintf(want, "%s is gone (moved or deleted)", work);

	/* the history still reads */
	cr_assert_eq(snap_log(s, "s1", &e, &n), 0, "%s", err_msg());
	cr_assert_eq(n, 2);
	snap_log_free(e, n);
	cr_assert_eq(snap_review_steps(s, "s1", &st, &n), 0, "%s", err_msg());
	cr_assert_eq(n, 1);
	snprintf(c.step, sizeof c.step, "%s", st[0].id);
	snap_review_steps_free(st, n);

	for (size_t i = 0; i < sizeof gone_calls / sizeof gone_calls[0]; i++) {
		int rc = gone_calls[i].call(s, &c);

		cr_assert_eq(rc, DH_ENOTFOUND, "%s on a gone folder: rc %d (%s)", gone_calls[i].name,
			     rc, rc ? err_msg() : "");
		cr_assert(strstr(err_msg(), want), "%s: %s", gone_calls[i].name, err_msg());
	}
	cr_assert_eq(hash_tree(work, 0), before, "the folder now at %s was changed", work);
	cr_assert_not(exists(work, ".git"));
	char **v;
	n = names(root, &v, false);
	for (size_t i = 0; i < n; i++)
		cr_assert_null(strstr(v[i], "deskhand-conflict-"), "%s made in %s", v[i], root);
	free_names(v, n);
	cr_assert_eq(snap_resolve(s, "s1", "head", now), 0, "%s", err_msg());
	cr_assert_str_eq(now, head, "the session's head moved");
	free(want);
	snap_close(s);
}

/* The folder moved away between two checkpoints: whichever step meets its
 * absence first, the checkpoint fails with DH_ENOTFOUND (the folder is
 * gone: agent.c says to put it back, not to make room). */
Test(snap, checkpoint_of_a_folder_moved_away_is_not_found)
{
	struct snap_store *s = open_store();
	struct snap_checkpoint c;
	char moved[PATH_MAX + 8], head[41];

	run_steps(s, head);
	snprintf(moved, sizeof moved, "%s.moved", work);
	cr_assert_eq(rename(work, moved), 0);
	int rc = snap_checkpoint(s, "s1", "after the move", 9, NULL, &c);
	cr_assert_eq(rc, DH_ENOTFOUND, "full scan: rc %d: %s", rc, err_msg());
	/* as a step does: only the paths the watcher named */
	const char *const dirty[] = { "a.txt" };
	struct snap_dirty sd = { dirty, 1, false };
	const struct snap_checkpoint_opts o = { .label = "step", .turn = 9, .dirty = &sd };
	rc = snap_checkpoint_opt(s, "s1", &o, &c);
	cr_assert_eq(rc, DH_ENOTFOUND, "dirty paths: rc %d: %s", rc, err_msg());
	sd.full = true;
	rc = snap_checkpoint_opt(s, "s1", &o, &c);
	cr_assert_eq(rc, DH_ENOTFOUND, "dirty, full: rc %d: %s", rc, err_msg());
	const struct snap_checkpoint_opts ob = { .label = "step", .turn = 9, .builtin_rules = true };
	rc = snap_checkpoint_opt(s, "s1", &ob, &c);
	cr_assert_eq(rc, DH_ENOTFOUND, "built-in rules: rc %d: %s", rc, err_msg());
	cr_assert_eq(rename(moved, work), 0);
	snap_close(s);
}
