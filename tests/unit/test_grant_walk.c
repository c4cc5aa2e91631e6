/* SPDX-License-Identifier: MIT */
/* grant_walk(): the one directory walker of the skills' trust hash and of
 * list_files/search_files, with real trees in a temporary directory: name
 * order, symlinks offered and never followed, a directory swapped for a
 * symlink while the walk runs, the entry cap, depth, SKIP/STOP, ".git" and
 * the strict mode's errors. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "policy/grant.h"

static char root[64]; /* temp dir holding g/ (granted) and out/ (not) */
static char gdir[128], odir[128];
static struct grant_set *gs;
static const struct grant *g0;

static void
put(const char *rel, const char *s)
{
	char *p = xasprintf("%s/%s", gdir, rel);
	FILE *f = fopen(p, "w");

	cr_assert(f, "fopen %s: %s", p, strerror(errno));
	fputs(s, f);
	fclose(f);
	free(p);
}

static void
dir(const char *rel)
{
	char *p = xasprintf("%s/%s", gdir, rel);

	cr_assert(mkdir(p, 0755) == 0, "mkdir %s: %s", p, strerror(errno));
	free(p);
}

static void
link_to(const char *target, const char *rel)
{
	char *p = xasprintf("%s/%s", gdir, rel);

	cr_assert(symlink(target, p) == 0, "symlink %s: %s", p, strerror(errno));
	free(p);
}

static void
setup(void)
{
	snprintf(root, sizeof root, "/tmp/dh-gwalk-XXXXXX");
	cr_assert(mkdtemp(root));
	snprintf(gdir, sizeof gdir, "%s/g", root);
	snprintf(odir, sizeof odir, "%s/out", root);
	cr_assert(mkdir(gdir, 0755) == 0);
	cr_assert(mkdir(odir, 0755) == 0);
	char *p = xasprintf("%s/secret", odir);
	FILE *f = fopen(p, "w");

	cr_assert(f);
	fputs("SECRET\n", f);
	fclose(f);
	free(p);
	cr_assert(grant_set_new(&gs) == 0);
	cr_assert(grant_add(gs, gdir) == 0, "%s", err_msg());
	g0 = grant_get(gs, 0);
}

static void
teardown(void)
{
	grant_set_free(gs);
	gs = NULL;
	if (!root[0])
		return;
	char *cmd = xasprintf("rm -rf '%s'", root);

	cr_assert(system(cmd) == 0);
	free(cmd);
	root[0] = '\0';
}

TestSuite(grant_walk, .init = setup, .fini = teardown, .timeout = 10);

/* What a walk offered: "rel:kind:depth" lines, kind d, f, l or o. */
struct seen {
	struct buf out;
	const char *skip;    /* return GRANT_WALK_SKIP for this rel */
	const char *stop;    /* return GRANT_WALK_STOP at this rel */
	const char *fail;    /* return DH_EDENIED at this rel */
	const char *swap;    /* when this directory is offered, swap it for a symlink */
};

static int
record(const struct grant_walk_ent *e, void *ctx)
{
	struct seen *s = ctx;
	mode_t m = e->st->st_mode;
	char kind = S_ISDIR(m) ? 'd' : S_ISREG(m) ? 'f' : S_ISLNK(m) ? 'l' : 'o';
	struct stat st;

	/* the entry is beneath dirfd by its name */
	cr_assert(fstatat(e->dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) == 0, "%s", e->rel);
	cr_assert_str_eq(strrchr(e->rel, '/') ? strrchr(e->rel, '/') + 1 : e->rel, e->name);
	buf_printf(&s->out, "%s:%c:%d\n", e->rel, kind, e->depth);
	if (s->swap && !strcmp(e->rel, s->swap)) {
		char *from = xasprintf("%s/%s", gdir, e->rel);
		char *aside = xasprintf("%s/aside", root);

		cr_assert(rename(from, aside) == 0, "%s", strerror(errno));
		cr_assert(symlink(odir, from) == 0, "%s", strerror(errno));
		free(from);
		free(aside);
	}
	if (s->skip && !strcmp(e->rel, s->skip))
		return GRANT_WALK_SKIP;
	if (s->stop && !strcmp(e->rel, s->stop))
		return GRANT_WALK_STOP;
	if (s->fail && !strcmp(e->rel, s->fail))
		return err_setc(DH_EDENIED, "refused %s", e->rel);
	return GRANT_WALK_CONTINUE;
}

static const struct grant_walk_limits all = { .max_entries = SIZE_MAX, .max_depth = 64 };

Test(grant_walk, sorted_preorder)
{
	struct seen s = { .out = BUF_INIT };
	size_t n = 99;

	dir("b");
	put("b/z", "z");
	put("b/a", "a");
	put("a", "a");
	put("B", "B");
	dir("c");
	dir("c/d");
	put("c/d/e", "e");
	put("a.txt", "t");
	cr_assert_eq(grant_walk(g0, "", &all, &n, record, &s), GRANT_WALK_CONTINUE);
	cr_assert_str_eq(buf_cstr(&s.out), "B:f:0\n"
	                                   "a:f:0\n"
	                                   "a.txt:f:0\n"
	                                   "b:d:0\n"
	                                   "b/a:f:1\n"
	                                   "b/z:f:1\n"
	                                   "c:d:0\n"
	                                   "c/d:d:1\n"
	                                   "c/d/e:f:2\n");
	cr_assert_eq(n, 9);
	buf_fini(&s.out);

	/* a subdirectory as the root: rel is beneath it */
	s.out = (struct buf)BUF_INIT;
	cr_assert_eq(grant_walk(g0, "c", &all, NULL, record, &s), GRANT_WALK_CONTINUE);
	cr_assert_str_eq(buf_cstr(&s.out), "d:d:0\nd/e:f:1\n");
	buf_fini(&s.out);
}

Test(grant_walk, symlinks_offered_not_followed)
{
	struct seen s = { .out = BUF_INIT };

	dir("in");
	put("in/f", "f");
	link_to(odir, "out");     /* a directory outside the grant */
	link_to("in", "inner");   /* a directory inside it */
	link_to("in/f", "lf");    /* a file */
	link_to("nowhere", "zz"); /* dangling */
	cr_assert_eq(grant_walk(g0, "", &all, NULL, record, &s), GRANT_WALK_CONTINUE);
	cr_assert_str_eq(buf_cstr(&s.out), "in:d:0\n"
	                                   "in/f:f:1\n"
	                                   "inner:l:0\n"
	                                   "lf:l:0\n"
	                                   "out:l:0\n"
	                                   "zz:l:0\n");
	buf_fini(&s.out);

	/* the root itself a symlink: refused as grant_open_dir() refuses it */
	s.out = (struct buf)BUF_INIT;
	cr_assert_eq(grant_walk(g0, "inner", &all, NULL, record, &s), DH_EDENIED);
	cr_assert_str_eq(buf_cstr(&s.out), "");
	buf_fini(&s.out);
}

Test(grant_walk, swapped_for_symlink_not_entered)
{
	struct seen s = { .out = BUF_INIT, .swap = "d" };

	dir("d");
	put("d/mine", "m");
	put("e", "e");
	cr_assert_eq(grant_walk(g0, "", &all, NULL, record, &s), GRANT_WALK_CONTINUE);
	/* d was a directory when offered; what replaced it is never entered */
	cr_assert_str_eq(buf_cstr(&s.out), "d:d:0\ne:f:0\n");
	cr_assert_null(strstr(buf_cstr(&s.out), "secret"));
	buf_fini(&s.out);
}

Test(grant_walk, swapped_for_symlink_strict_fails)
{
	struct seen s = { .out = BUF_INIT, .swap = "d" };
	const struct grant_walk_limits strict = {
		.flags = GRANT_WALK_STRICT, .max_entries = SIZE_MAX, .max_depth = 64,
	};
	char *want;

	dir("d");
	put("d/mine", "m");
	put("e", "e");
	cr_assert_eq(grant_walk(g0, "", &strict, NULL, record, &s), DH_EFAIL);
	cr_assert_str_eq(buf_cstr(&s.out), "d:d:0\n");
	want = xasprintf("%s/d: ", gdir);
	cr_assert(!strncmp(err_msg(), want, strlen(want)), "%s", err_msg());
	free(want);
	buf_fini(&s.out);
}

Test(grant_walk, entry_cap)
{
	struct seen s = { .out = BUF_INIT };
	struct grant_walk_limits lim = { .max_entries = 3, .max_depth = 64 };
	size_t n = 0;

	dir("a");
	put("a/1", "1");
	put("a/2", "2");
	put("b", "b");
	put("c", "c");
	cr_assert_eq(grant_walk(g0, "", &lim, &n, record, &s), GRANT_WALK_CAPPED);
	cr_assert_str_eq(buf_cstr(&s.out), "a:d:0\na/1:f:1\na/2:f:1\n");
	cr_assert_eq(n, 4); /* max_entries + 1: the one not offered */
	buf_fini(&s.out);

	/* exactly as many as the cap: the walk is whole */
	s.out = (struct buf)BUF_INIT;
	lim.max_entries = 5;
	cr_assert_eq(grant_walk(g0, "", &lim, &n, record, &s), GRANT_WALK_CONTINUE);
	cr_assert_eq(n, 5);
	buf_fini(&s.out);

	/* no entry at all under a cap of 0 */
	s.out = (struct buf)BUF_INIT;
	lim.max_entries = 0;
	cr_assert_eq(grant_walk(g0, "", &lim, &n, record, &s), GRANT_WALK_CAPPED);
	cr_assert_str_eq(buf_cstr(&s.out), "");
	cr_assert_eq(n, 1);
	buf_fini(&s.out);
}

Test(grant_walk, depth_limit)
{
	struct seen s = { .out = BUF_INIT };
	const struct grant_walk_limits lim = { .max_entries = SIZE_MAX, .max_depth = 1 };

	dir("a");
	dir("a/b");
	put("a/b/c", "c");
	put("a/f", "f");
	cr_assert_eq(grant_walk(g0, "", &lim, NULL, record, &s), GRANT_WALK_CONTINUE);
	/* a (depth 0) is entered; a/b (depth 1) is offered, not entered */
	cr_assert_str_eq(buf_cstr(&s.out), "a:d:0\na/b:d:1\na/f:f:1\n");
	buf_fini(&s.out);
}

Test(grant_walk, skip_stop_and_errors)
{
	struct seen s = { .out = BUF_INIT, .skip = "a" };

	dir("a");
	put("a/in", "x");
	put("b", "b");
	put("c", "c");
	cr_assert_eq(grant_walk(g0, "", &all, NULL, record, &s), GRANT_WALK_CONTINUE);
	cr_assert_str_eq(buf_cstr(&s.out), "a:d:0\nb:f:0\nc:f:0\n");
	buf_fini(&s.out);

	s = (struct seen){ .out = BUF_INIT, .stop = "a/in" };
	cr_assert_eq(grant_walk(g0, "", &all, NULL, record, &s), GRANT_WALK_STOP);
	cr_assert_str_eq(buf_cstr(&s.out), "a:d:0\na/in:f:1\n");
	buf_fini(&s.out);

	s = (struct seen){ .out = BUF_INIT, .fail = "b" };
	cr_assert_eq(grant_walk(g0, "", &all, NULL, record, &s), DH_EDENIED);
	cr_assert_str_eq(err_msg(), "refused b");
	cr_assert_str_eq(buf_cstr(&s.out), "a:d:0\na/in:f:1\nb:f:0\n");
	buf_fini(&s.out);

	s = (struct seen){ .out = BUF_INIT };
	cr_assert_eq(grant_walk(g0, "b", &all, NULL, record, &s), DH_EFAIL); /* not a dir */
	cr_assert_eq(grant_walk(g0, "nope", &all, NULL, record, &s), DH_ENOTFOUND);
	cr_assert_str_eq(buf_cstr(&s.out), "");
	buf_fini(&s.out);
}

Test(grant_walk, no_git)
{
	struct seen s = { .out = BUF_INIT };
	struct grant_walk_limits lim = {
		.flags = GRANT_WALK_NO_GIT, .max_entries = 2, .max_depth = 64,
	};
	size_t n = 0;

	dir(".git");
	put(".git/HEAD", "ref");
	dir("sub");
	put("sub/.git", "gitdir: x"); /* a .git file (a worktree's) is offered */
	cr_assert_eq(grant_walk(g0, "", &lim, &n, record, &s), GRANT_WALK_CONTINUE);
	cr_assert_str_eq(buf_cstr(&s.out), "sub:d:0\nsub/.git:f:1\n");
	cr_assert_eq(n, 2); /* the .git directory is not counted */
	buf_fini(&s.out);

	/* without the flag it is walked like any directory */
	s.out = (struct buf)BUF_INIT;
	cr_assert_eq(grant_walk(g0, "", &all, NULL, record, &s), GRANT_WALK_CONTINUE);
	cr_assert_str_eq(buf_cstr(&s.out), ".git:d:0\n.git/HEAD:f:1\nsub:d:0\nsub/.git:f:1\n");
	buf_fini(&s.out);
}

Test(grant_walk, strict_counts_every_name)
{
	struct seen s = { .out = BUF_INIT };
	const struct grant_walk_limits lim = {
		.flags = GRANT_WALK_STRICT, .max_entries = 2, .max_depth = 64,
	};
	size_t n = 0;

	put("a", "a");
	put("b", "b");
	put("c", "c");
	cr_assert_eq(grant_walk(g0, "", &lim, &n, record, &s), GRANT_WALK_CAPPED);
	cr_assert_str_eq(buf_cstr(&s.out), "a:f:0\nb:f:0\n");
	cr_assert_eq(n, 3);
	buf_fini(&s.out);
}
