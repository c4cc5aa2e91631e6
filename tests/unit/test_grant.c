/* SPDX-License-Identifier: MIT */
/* Grants: resolution rules, the mandatory-deny list, the openat2 helpers and
 * the directory walker, with real files in a temporary directory (SANDBOX.md
 * §4.5). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "policy/grant.h"
#include "../../sandbox/protected_paths.h"

/* Per-test fixture (each Criterion test runs in its own process). */
static char root[64]; /* temp dir holding g/ (granted) and out/ (not) */
static char gdir[128], odir[128];
static struct grant_set *gs;
static const struct grant *g0;

static void
put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	cr_assert(f, "fopen %s: %s", path, strerror(errno));
	fputs(s, f);
	fclose(f);
}

/* File content as a heap string, NULL if it cannot be read. */
static char *
get(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

static char *
at(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void
assert_content(const char *dir, const char *name, const char *want)
{
	char *p = at(dir, name), *s = get(p);

	cr_assert(s, "%s missing", p);
	cr_assert_str_eq(s, want, "%s changed", p);
	free(s);
	free(p);
}

static void
setup(void)
{
	snprintf(root, sizeof root, "/tmp/dh-grant-XXXXXX");
	cr_assert(mkdtemp(root));
	snprintf(gdir, sizeof gdir, "%s/g", root);
	snprintf(odir, sizeof odir, "%s/out", root);
	cr_assert(mkdir(gdir, 0755) == 0);
	cr_assert(mkdir(odir, 0755) == 0);
	char *p = at(odir, "secret");

	put(p, "SECRET\n");
	free(p);
	cr_assert(grant_set_new(&gs) == 0);
	cr_assert(grant_add(gs, gdir) == 0, "%s", err_msg());
	g0 = grant_get(gs, 0);
}

/* Idempotent: tests call it before cr_skip_test(), which skips .fini. */
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

/* cr_skip_test() does not run .fini: clean up first. */
#define SKIP(...)                                                                                  \
	do {                                                                                       \
		teardown();                                                                        \
		cr_skip_test(__VA_ARGS__);                                                         \
	} while (0)

TestSuite(grant, .init = setup, .fini = teardown, .timeout = 10);

/*
 * Resolution
 */

static int
resolve(const char *path, size_t *idx, char **rel)
{
	return grant_resolve(gs, path, idx, rel);
}

Test(grant, resolve_relative)
{
	size_t idx = 9;
	char *rel;

	cr_assert(resolve("a/b.txt", &idx, &rel) == 0);
	cr_assert_eq(idx, 0);
	cr_assert_str_eq(rel, "a/b.txt");
	free(rel);
	cr_assert(resolve("./a//./b/", &idx, &rel) == 0);
	cr_assert_str_eq(rel, "a/b");
	free(rel);
	cr_assert(resolve(".", &idx, &rel) == 0);
	cr_assert_str_eq(rel, "");
	free(rel);
	cr_assert_eq(resolve("", &idx, &rel), DH_EPARSE);
	cr_assert_null(rel);
	cr_assert_eq(resolve("..", &idx, &rel), DH_EDENIED);
	cr_assert_eq(resolve("a/../b", &idx, &rel), DH_EDENIED);
	cr_assert(strstr(err_msg(), "'..'"), "%s", err_msg());
	cr_assert_eq(resolve("../out/secret", &idx, &rel), DH_EDENIED);
}

Test(grant, resolve_absolute)
{
	size_t idx;
	char *rel, *p;

	p = xasprintf("%s/x/y", g0->path);
	cr_assert(resolve(p, &idx, &rel) == 0);
	cr_assert_str_eq(rel, "x/y");
	free(rel);
	free(p);
	cr_assert(resolve(g0->path, &idx, &rel) == 0);
	cr_assert_str_eq(rel, "");
	free(rel);

	cr_assert_eq(resolve("/etc/passwd", &idx, &rel), DH_EDENIED);
	char *want = xasprintf("path '/etc/passwd' is outside the granted folders (%s)", g0->path);

	cr_assert_str_eq(err_msg(), want);
	free(want);

	/* A sibling whose name extends the grant's is not inside it. */
	p = xasprintf("%s2/x", g0->path);
	cr_assert_eq(resolve(p, &idx, &rel), DH_EDENIED);
	free(p);
	/* Lexical ".." is refused before any lookup. */
	p = xasprintf("%s/../out/secret", g0->path);
	cr_assert_eq(resolve(p, &idx, &rel), DH_EDENIED);
	free(p);
}

Test(grant, resolve_proc_self_root)
{
	size_t idx;
	char *rel;
	char *p = xasprintf("/proc/self/root%s/x", g0->path);

	cr_assert_eq(resolve(p, &idx, &rel), DH_EDENIED);
	cr_assert(strstr(err_msg(), "outside the granted folders"), "%s", err_msg());
	free(p);
	/* And straight at the helper, bypassing resolution. */
	struct buf b = BUF_INIT;

	cr_assert_eq(grant_read(g0, "/proc/self/root/etc/passwd", 0, &b), DH_EDENIED);
	cr_assert_eq(b.len, 0);
	buf_fini(&b);
}

Test(grant, resolve_longest_match)
{
	size_t idx;
	char *rel;
	char *sub = at(gdir, "sub");

	cr_assert(mkdir(sub, 0755) == 0);
	cr_assert(grant_add(gs, sub) == 0);
	cr_assert_eq(grant_count(gs), 2);
	char *p = xasprintf("%s/f", grant_get(gs, 1)->path);

	cr_assert(resolve(p, &idx, &rel) == 0);
	cr_assert_eq(idx, 1);
	cr_assert_str_eq(rel, "f");
	free(rel);
	free(p);
	/* Relative paths always go to grant 0. */
	cr_assert(resolve("sub/f", &idx, &rel) == 0);
	cr_assert_eq(idx, 0);
	free(rel);
	free(sub);
}

Test(grant, add_rules)
{
	cr_assert_eq(grant_add(gs, "/"), DH_EDENIED);
	cr_assert_eq(grant_add(gs, "/nonexistent-dh-dir"), DH_ENOTFOUND);
	cr_assert(strstr(err_msg(), "/nonexistent-dh-dir"), "%s", err_msg());
	char *f = at(odir, "secret");

	cr_assert_eq(grant_add(gs, f), DH_EFAIL);
	cr_assert(strstr(err_msg(), "not a directory"), "%s", err_msg());
	free(f);
	/* Another spelling of the same folder is a no-op. */
	char *again = xasprintf("%s/../g/.", gdir);

	cr_assert(grant_add(gs, again) == 0);
	cr_assert_eq(grant_count(gs), 1);
	free(again);
	cr_assert_null(grant_get(gs, 1));
	cr_assert(grant_get(gs, 0)->dirfd >= 0);
}

/* A copy reads what the set does, through its own descriptors: the folder
 * renamed, a grant added to the set or the set freed leave it as it was. */
Test(grant, set_dup)
{
	struct grant_set *c = NULL;
	struct buf b = BUF_INIT;
	char *moved = xasprintf("%s/moved", root), *f = at(gdir, "a.txt");

	put(f, "A\n");
	cr_assert(grant_set_dup(gs, &c) == 0, "%s", err_msg());
	cr_assert_eq(grant_count(c), 1);
	cr_assert_str_eq(grant_get(c, 0)->path, gdir);
	cr_assert_neq(grant_get(c, 0)->dirfd, g0->dirfd);
	cr_assert(grant_add(gs, odir) == 0, "%s", err_msg());
	cr_assert_eq(grant_count(c), 1);
	cr_assert(rename(gdir, moved) == 0);
	grant_set_free(gs);
	gs = NULL;
	cr_assert(grant_read(grant_get(c, 0), "a.txt", 0, &b) == 0, "%s", err_msg());
	cr_assert_eq(b.len, 2);
	cr_assert(rename(moved, gdir) == 0);
	buf_fini(&b);
	grant_set_free(c);
	free(moved);
	free(f);
}

/*
 * Escapes: every one is DH_EDENIED and leaves the outside alone
 */

Test(grant, dotdot_escape)
{
	struct buf b = BUF_INIT;

	cr_assert_eq(grant_read(g0, "../out/secret", 0, &b), DH_EDENIED);
	cr_assert(strstr(err_msg(), "leaves the grant"), "%s", err_msg());
	cr_assert_eq(b.len, 0);
	cr_assert_eq(grant_write(g0, "../out/secret", "PWNED", 5, NULL), DH_EDENIED);
	assert_content(odir, "secret", "SECRET\n");
	buf_fini(&b);
}

Test(grant, absolute_rel_escape)
{
	struct buf b = BUF_INIT;
	char *p = at(odir, "secret");

	cr_assert_eq(grant_read(g0, p, 0, &b), DH_EDENIED);
	cr_assert_eq(grant_write(g0, p, "PWNED", 5, NULL), DH_EDENIED);
	assert_content(odir, "secret", "SECRET\n");
	buf_fini(&b);
	free(p);
}

Test(grant, leaf_symlink_out)
{
	char *link = at(gdir, "link"), *target = at(odir, "secret");
	struct buf b = BUF_INIT;
	struct stat st;

	cr_assert(symlink(target, link) == 0);
	cr_assert_eq(grant_read(g0, "link", 0, &b), DH_EDENIED);
	cr_assert(strstr(err_msg(), "symlink in path"), "%s", err_msg());
	cr_assert(strstr(err_msg(), link), "%s", err_msg());
	cr_assert_eq(b.len, 0);
	cr_assert_eq(grant_write(g0, "link", "PWNED", 5, NULL), DH_EDENIED);
	assert_content(odir, "secret", "SECRET\n");
	cr_assert(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the link was replaced");
	/* Relative symlinks too. */
	char *rlink = at(gdir, "rlink");

	cr_assert(symlink("../out/secret", rlink) == 0);
	free(rlink);
	cr_assert_eq(grant_read(g0, "rlink", 0, &b), DH_EDENIED);
	/* Deleting the link removes the link, never the target. */
	cr_assert(grant_unlink(g0, "link") == 0, "%s", err_msg());
	cr_assert(lstat(link, &st) < 0);
	assert_content(odir, "secret", "SECRET\n");
	buf_fini(&b);
	free(link);
	free(target);
}

Test(grant, dir_symlink_out)
{
	char *link = at(gdir, "dlink");
	struct buf b = BUF_INIT;
	bool created;
	int fd;

	cr_assert(symlink(odir, link) == 0);
	cr_assert_eq(grant_read(g0, "dlink/secret", 0, &b), DH_EDENIED);
	cr_assert(strstr(err_msg(), "symlink in path"), "%s", err_msg());
	cr_assert_eq(grant_write(g0, "dlink/secret", "PWNED", 5, NULL), DH_EDENIED);
	cr_assert_eq(grant_write(g0, "dlink/new", "PWNED", 5, NULL), DH_EDENIED);
	cr_assert_eq(grant_mkdirs(g0, "dlink/newdir", &created), DH_EDENIED);
	cr_assert_eq(grant_unlink(g0, "dlink/secret"), DH_EDENIED);
	cr_assert_eq(grant_rename(g0, "dlink/secret", g0, "stolen"), DH_EDENIED);
	cr_assert_eq(grant_open_dir(g0, "dlink", &fd), DH_EDENIED);
	cr_assert_eq(fd, -1);
	assert_content(odir, "secret", "SECRET\n");
	char *p = at(odir, "new");

	cr_assert(access(p, F_OK) < 0, "a file was created outside");
	free(p);
	p = at(odir, "newdir");
	cr_assert(access(p, F_OK) < 0, "a directory was created outside");
	free(p);
	p = at(gdir, "stolen");
	cr_assert(access(p, F_OK) < 0);
	free(p);
	buf_fini(&b);
	free(link);
}

Test(grant, symlinked_parent_inside)
{
	/* Even a symlink that stays inside the grant is not followed. */
	char *real = at(gdir, "real"), *alias = at(gdir, "alias"), *f = at(real, "f");
	struct buf b = BUF_INIT;

	cr_assert(mkdir(real, 0755) == 0);
	put(f, "inside\n");
	cr_assert(symlink("real", alias) == 0);
	cr_assert_eq(grant_read(g0, "alias/f", 0, &b), DH_EDENIED);
	cr_assert(strstr(err_msg(), "symlink in path"), "%s", err_msg());
	cr_assert_eq(grant_write(g0, "alias/f", "x", 1, NULL), DH_EDENIED);
	cr_assert_eq(grant_read(g0, "real/f", 0, &b), 0);
	cr_assert_str_eq(buf_cstr(&b), "inside\n");
	buf_fini(&b);
	free(real);
	free(alias);
	free(f);
}

Test(grant, hardlink_write_refused)
{
	char *h1 = at(gdir, "h1"), *h2 = at(gdir, "h2");
	char *secret = at(odir, "secret"), *hl = at(gdir, "hl");

	put(h1, "one\n");
	cr_assert(link(h1, h2) == 0);
	cr_assert_eq(grant_write(g0, "h1", "two\n", 4, NULL), DH_EDENIED);
	cr_assert(strstr(err_msg(), "hard links"), "%s", err_msg());
	assert_content(gdir, "h2", "one\n");
	/* A hard link to a file outside the grant. */
	cr_assert(link(secret, hl) == 0);
	cr_assert_eq(grant_write(g0, "hl", "PWNED", 5, NULL), DH_EDENIED);
	assert_content(odir, "secret", "SECRET\n");
	free(h1);
	free(h2);
	free(secret);
	free(hl);
}

Test(grant, fifo_read_refused)
{
	char *p = at(gdir, "fifo");
	struct buf b = BUF_INIT;
	struct stat st;
	int fd;

	cr_assert(mkfifo(p, 0644) == 0);
	/* Must not block (no writer): O_PATH first, never an O_RDONLY open. */
	cr_assert_eq(grant_read(g0, "fifo", 0, &b), DH_EDENIED);
	cr_assert(strstr(err_msg(), "not a regular file (fifo)"), "%s", err_msg());
	cr_assert_eq(grant_open_read(g0, "fifo", 0, &fd, &st), DH_EDENIED);
	cr_assert_eq(fd, -1);
	cr_assert_eq(grant_write(g0, "fifo", "x", 1, NULL), DH_EDENIED);
	cr_assert(lstat(p, &st) == 0 && S_ISFIFO(st.st_mode));
	buf_fini(&b);
	free(p);
}

Test(grant, root_cannot_be_replaced)
{
	cr_assert_eq(grant_write(g0, "", "x", 1, NULL), DH_EDENIED);
	cr_assert_eq(grant_unlink(g0, ""), DH_EDENIED);
	cr_assert_eq(grant_rename(g0, "", g0, "moved"), DH_EDENIED);
	struct stat st;

	cr_assert(stat(gdir, &st) == 0 && S_ISDIR(st.st_mode));
}

/*
 * Protected paths
 */

Test(grant, protected_paths)
{
	static const char *const yes[] = {
		".git/hooks/pre-commit",
		".git/hooks",
		".git/hooks/sub/x",
		".git/config",
		".git",
		"sub/.git/hooks/post-checkout",
		"nested/repo/.git/config",
		".bashrc",
		"home/.bash_profile",
		".profile",
		".zshrc",
		".zprofile",
		".zshenv",
		".bash_login",
		".bash_logout",
		".BashRC",
		".GIT/HOOKS/x",
		".mcp.json",
		".deskhand",
		".deskhand/state.json",
		".deskhandignore",
		"sub/.DeskhandIgnore",
		".gitmodules",
		".ripgreprc",
		".vscode",
		".vscode/settings.json",
		".idea/workspace.xml",
		".bashrc/x",
		".claude/commands/x.md",
		NULL,
	};
	static const char *const no[] = {
		"",
		"notes.txt",
		".git/HEAD",
		".git/objects/ab/cdef",
		".gitignore",
		".github/workflows/ci.yml",
		"bashrc",
		"x.bashrc",
		".bashrc.bak",
		"hooks/pre-commit",
		"config",
		".vscodex/a",
		"docs/.git-notes",
		".claude/other",
		NULL,
	};

	for (size_t i = 0; yes[i]; i++)
		cr_expect(grant_is_protected(yes[i]), "'%s' should be protected", yes[i]);
	for (size_t i = 0; no[i]; i++)
		cr_expect(!grant_is_protected(no[i]), "'%s' should not be protected", no[i]);
	cr_assert_str_eq(grant_protected_patterns[0], ".git/hooks/**");
}

/* The file tools refuse every entry of the helper's list, at the root and
 * nested, with what is inside a directory's, and nothing beside them. */
#define LIST_ENTRY(path, dir) { path, dir },
static const struct { const char *path; int dir; } helper_list[] = {
	SANDBOX_PROTECTED_PATHS(LIST_ENTRY)
};
#undef LIST_ENTRY

Test(grant, every_entry_of_the_helpers_list_is_protected)
{
	char buf[256];

	cr_assert_geq(sizeof helper_list / sizeof *helper_list, 30);
	for (size_t i = 0; i < sizeof helper_list / sizeof *helper_list; i++) {
		const char *p = helper_list[i].path;

		cr_expect(grant_is_protected(p), "'%s' should be protected", p);
		snprintf(buf, sizeof buf, "nested/repo/%s", p);
		cr_expect(grant_is_protected(buf), "'%s' should be protected", buf);
		/* In a directory's; beneath a file's, a path that cannot exist
		 * unless the file is replaced by a directory. */
		snprintf(buf, sizeof buf, "%s/x", p);
		cr_expect(grant_is_protected(buf), "'%s' should be protected", buf);
		snprintf(buf, sizeof buf, "%s.bak", p);
		cr_expect(!grant_is_protected(buf), "'%s' should not be protected", buf);
	}
}

/*
 * The helpers' ordinary behaviour
 */

static bool
has_tmp_leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	bool found = false;

	cr_assert(d);
	for (struct dirent *de; (de = readdir(d));)
		if (!strncmp(de->d_name, ".dh-tmp-", 8))
			found = true;
	closedir(d);
	return found;
}

Test(grant, write_create_and_overwrite)
{
	bool created = false;
	char *p = at(gdir, "f.txt");
	struct stat st;

	cr_assert(grant_write(g0, "f.txt", "hello\n", 6, &created) == 0, "%s", err_msg());
	cr_assert(created);
	assert_content(gdir, "f.txt", "hello\n");
	cr_assert(chmod(p, 0751) == 0);
	cr_assert(grant_write(g0, "f.txt", "bye\n", 4, &created) == 0, "%s", err_msg());
	cr_assert(!created);
	assert_content(gdir, "f.txt", "bye\n");
	cr_assert(stat(p, &st) == 0);
	cr_assert_eq(st.st_mode & 07777, 0751, "mode %o", st.st_mode & 07777);
	cr_assert(!has_tmp_leftovers(gdir));
	/* Empty content is a valid write. */
	cr_assert(grant_write(g0, "empty", "", 0, &created) == 0);
	assert_content(gdir, "empty", "");
	free(p);
}

Test(grant, write_errors)
{
	char *d = at(gdir, "dir");

	cr_assert(mkdir(d, 0755) == 0);
	cr_assert_eq(grant_write(g0, "dir", "x", 1, NULL), DH_EFAIL);
	cr_assert(strstr(err_msg(), "is a directory"), "%s", err_msg());
	cr_assert_eq(grant_write(g0, "missing/f", "x", 1, NULL), DH_ENOTFOUND);
	cr_assert(!has_tmp_leftovers(gdir));
	free(d);
}

Test(grant, read_and_caps)
{
	struct buf b = BUF_INIT;
	struct stat st;
	int fd;
	char *p = at(gdir, "r.txt");

	put(p, "0123456789");
	cr_assert(grant_read(g0, "r.txt", 0, &b) == 0);
	cr_assert_str_eq(buf_cstr(&b), "0123456789");
	cr_assert_eq(grant_open_read(g0, "r.txt", 5, &fd, &st), DH_EFAIL);
	cr_assert(strstr(err_msg(), "too large"), "%s", err_msg());
	cr_assert(grant_open_read(g0, "r.txt", 10, &fd, &st) == 0);
	cr_assert_eq(st.st_size, 10);
	close(fd);
	cr_assert_eq(grant_read(g0, "nope", 0, &b), DH_ENOTFOUND);
	cr_assert_eq(grant_read(g0, "", 0, &b), DH_EFAIL);
	cr_assert(strstr(err_msg(), "is a directory"), "%s", err_msg());
	buf_fini(&b);
	free(p);
}

Test(grant, mkdirs)
{
	bool created = false;
	struct stat st;
	char *p = at(gdir, "a/b/c"), *f = at(gdir, "file");

	cr_assert(grant_mkdirs(g0, "a/b/c", &created) == 0, "%s", err_msg());
	cr_assert(created);
	cr_assert(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	cr_assert(grant_mkdirs(g0, "a/b/c", &created) == 0);
	cr_assert(!created);
	put(f, "x");
	cr_assert_eq(grant_mkdirs(g0, "file/sub", &created), DH_EFAIL);
	cr_assert(strstr(err_msg(), "exists and is not a directory"), "%s", err_msg());
	cr_assert(grant_mkdirs(g0, "", &created) == 0);
	free(p);
	free(f);
}

Test(grant, unlink)
{
	char *f = at(gdir, "f"), *d = at(gdir, "d"), *full = at(gdir, "full"), *inner;

	put(f, "x");
	cr_assert(mkdir(d, 0755) == 0);
	cr_assert(mkdir(full, 0755) == 0);
	inner = at(full, "x");
	put(inner, "x");
	cr_assert(grant_unlink(g0, "f") == 0);
	cr_assert(access(f, F_OK) < 0);
	cr_assert(grant_unlink(g0, "d") == 0);
	cr_assert(access(d, F_OK) < 0);
	cr_assert_eq(grant_unlink(g0, "full"), DH_EFAIL);
	cr_assert(strstr(err_msg(), "not empty"), "%s", err_msg());
	cr_assert(access(inner, F_OK) == 0);
	cr_assert_eq(grant_unlink(g0, "gone"), DH_ENOTFOUND);
	free(f);
	free(d);
	free(full);
	free(inner);
}

Test(grant, rename_rules)
{
	char *a = at(gdir, "a"), *b = at(gdir, "b");

	put(a, "A");
	put(b, "B");
	cr_assert_eq(grant_rename(g0, "a", g0, "b"), DH_ECONFLICT);
	cr_assert(strstr(err_msg(), "already exists"), "%s", err_msg());
	assert_content(gdir, "a", "A");
	assert_content(gdir, "b", "B");
	cr_assert(grant_rename(g0, "a", g0, "c") == 0, "%s", err_msg());
	assert_content(gdir, "c", "A");
	cr_assert(access(a, F_OK) < 0);
	cr_assert_eq(grant_rename(g0, "nope", g0, "d"), DH_ENOTFOUND);

	/* Across grants on the same file system: a plain rename. */
	char *g2 = xasprintf("%s/g2", root);

	cr_assert(mkdir(g2, 0755) == 0);
	cr_assert(grant_add(gs, g2) == 0);
	cr_assert(grant_rename(g0, "c", grant_get(gs, 1), "moved") == 0, "%s", err_msg());
	assert_content(g2, "moved", "A");
	free(a);
	free(b);
	free(g2);
}

Test(grant, rename_across_file_systems)
{
	struct statfs sf;

	if (statfs("/dev/shm", &sf) < 0 || access("/dev/shm", W_OK) < 0)
		SKIP("no writable /dev/shm");
	char shm[] = "/dev/shm/dh-grant-XXXXXX";

	if (!mkdtemp(shm))
		SKIP("mkdtemp in /dev/shm failed");
	struct stat s1, s2;

	cr_assert(stat(shm, &s1) == 0 && stat(gdir, &s2) == 0);
	if (s1.st_dev == s2.st_dev) {
		rmdir(shm);
		SKIP("/dev/shm is on the same file system");
	}
	cr_assert(grant_add(gs, shm) == 0);
	char *f = at(gdir, "f"), *d = at(gdir, "d");

	put(f, "cross\n");
	cr_assert(chmod(f, 0640) == 0);
	cr_assert(mkdir(d, 0755) == 0);
	cr_assert(grant_rename(g0, "f", grant_get(gs, 1), "f") == 0, "%s", err_msg());
	assert_content(shm, "f", "cross\n");
	cr_assert(access(f, F_OK) < 0, "source kept");
	char *df = at(shm, "f");
	struct stat st;

	cr_assert(stat(df, &st) == 0 && (st.st_mode & 07777) == 0640);
	cr_assert_eq(grant_rename(g0, "d", grant_get(gs, 1), "d"), DH_EFAIL);
	cr_assert(strstr(err_msg(), "another file system"), "%s", err_msg());
	unlink(df);
	rmdir(shm);
	free(df);
	free(f);
	free(d);
}

Test(grant, lstat_and_parent)
{
	struct stat st;
	const char *leaf;
	int fd;
	char *l = at(gdir, "l");

	cr_assert(symlink("/etc/passwd", l) == 0);
	cr_assert(grant_lstat(g0, "l", &st) == 0);
	cr_assert(S_ISLNK(st.st_mode));
	cr_assert(grant_lstat(g0, "", &st) == 0 && S_ISDIR(st.st_mode));
	cr_assert_eq(grant_lstat(g0, "l/x", &st), DH_EDENIED);
	cr_assert(grant_open_parent(g0, "sub/name", &fd, &leaf) == DH_ENOTFOUND);
	cr_assert(grant_open_parent(g0, "name", &fd, &leaf) == 0);
	cr_assert_str_eq(leaf, "name");
	close(fd);
	cr_assert_eq(grant_open_parent(g0, "a/..", &fd, &leaf), DH_EDENIED);
	free(l);
}

/*
 * Taking back protected paths a command created
 */

Test(grant, take_back_removes_without_following)
{
	char *p = at(gdir, ".deskhand"), *q = at(gdir, ".deskhand/out"), *aside = NULL;

	cr_assert(mkdir(p, 0755) == 0);
	cr_assert(symlink(odir, q) == 0);
	free(q);
	q = at(gdir, ".deskhand/f");
	put(q, "x");
	free(q);
	cr_assert_eq(grant_take_back(g0, ".deskhand", &aside), 0, "%s", err_msg());
	cr_assert_null(aside);
	cr_assert(access(p, F_OK) < 0, ".deskhand still there");
	free(p);
	assert_content(odir, "secret", "SECRET\n");
	/* a symlinked parent is refused, and nothing outside is touched */
	p = at(gdir, "lnk");
	cr_assert(symlink(odir, p) == 0);
	free(p);
	cr_assert_eq(grant_take_back(g0, "lnk/secret", &aside), DH_EDENIED);
	assert_content(odir, "secret", "SECRET\n");
}

Test(grant, take_back_keeps_git_paths_aside)
{
	char *p = at(gdir, ".git"), *aside = NULL;

	cr_assert(mkdir(p, 0755) == 0);
	free(p);
	for (int round = 1; round <= 2; round++) {
		p = at(gdir, ".git/hooks");
		cr_assert(mkdir(p, 0755) == 0);
		free(p);
		p = at(gdir, ".git/hooks/post-checkout");
		put(p, "curl evil\n");
		free(p);
		cr_assert_eq(grant_take_back(g0, ".git/hooks", &aside), 0, "%s", err_msg());
		char *want = xasprintf(".git/hooks.removed-by-deskhand-%d", round);

		cr_assert_str_eq(aside, want);
		p = at(gdir, ".git/hooks");
		cr_assert(access(p, F_OK) < 0, ".git/hooks still there");
		free(p);
		p = xasprintf("%s/post-checkout", want);
		assert_content(gdir, p, "curl evil\n");
		free(p);
		free(want);
		free(aside);
	}
}

/*
 * Putting back a protected file a command changed (grant_copy_*)
 */

static mode_t
mode_of(const char *dir, const char *name)
{
	char *p = at(dir, name);
	struct stat st;

	cr_assert(lstat(p, &st) == 0, "lstat %s: %s", p, strerror(errno));
	free(p);
	return st.st_mode;
}

Test(grant, copy_put_keeps_mode_and_link)
{
	struct grant_copy was, now;
	char *p = at(gdir, ".bashrc"), *l = at(gdir, ".profile"), *aside = NULL;

	/* a file with its own mode, replaced by one with the default mode */
	put(p, "alias ll\n");
	cr_assert(chmod(p, 0600) == 0);
	cr_assert_eq(grant_copy_take(g0, ".bashrc", 1024, &was), 0, "%s", err_msg());
	cr_assert(was.there && was.has_data);
	cr_assert(unlink(p) == 0);
	put(p, "echo pwned\n");
	cr_assert(chmod(p, 0644) == 0);
	cr_assert_eq(grant_copy_take(g0, ".bashrc", 1024, &now), 0);
	cr_assert_not(grant_copy_same(&was, &now));
	grant_copy_fini(&now);
	cr_assert_eq(grant_copy_put(g0, ".bashrc", &was, &aside), 0, "%s", err_msg());
	cr_assert_null(aside);
	assert_content(gdir, ".bashrc", "alias ll\n");
	cr_assert_eq(mode_of(gdir, ".bashrc") & 07777, 0600);
	grant_copy_fini(&was);

	/* a link to the person's dotfiles, written through */
	char *dot = at(odir, "dot");
	put(dot, "PATH=/opt\n");
	cr_assert(symlink(dot, l) == 0);
	cr_assert_eq(grant_copy_take(g0, ".profile", 1024, &was), 0);
	cr_assert(was.there && was.target && was.has_data);
	put(l, "curl evil\n"); /* follows the link */
	cr_assert_eq(grant_copy_take(g0, ".profile", 1024, &now), 0);
	cr_assert_not(grant_copy_same(&was, &now));
	grant_copy_fini(&now);
	cr_assert_eq(grant_copy_put(g0, ".profile", &was, &aside), 0, "%s", err_msg());
	cr_assert(S_ISLNK(mode_of(gdir, ".profile")));
	assert_content(odir, "dot", "PATH=/opt\n");
	/* ... and replaced by a file: the link comes back */
	cr_assert(unlink(l) == 0);
	put(l, "curl evil\n");
	cr_assert_eq(grant_copy_put(g0, ".profile", &was, &aside), 0, "%s", err_msg());
	cr_assert(S_ISLNK(mode_of(gdir, ".profile")));
	assert_content(gdir, ".profile", "PATH=/opt\n");
	cr_assert_eq(grant_copy_take(g0, ".profile", 1024, &now), 0);
	cr_assert(grant_copy_same(&was, &now));
	grant_copy_fini(&now);
	grant_copy_fini(&was);
	free(dot);
	free(l);
	free(p);
}

Test(grant, copy_put_makes_removed_directories_with_their_modes)
{
	struct grant_copy a, b;
	char *d = at(gdir, ".vscode"), *sub = at(gdir, ".vscode/sub");
	char *f = at(gdir, ".vscode/sub/x.json"), *g = at(gdir, ".vscode/sub/y.json");
	char *aside = NULL;

	cr_assert(mkdir(d, 0755) == 0 && mkdir(sub, 0755) == 0);
	put(f, "x\n");
	put(g, "y\n");
	cr_assert(chmod(sub, 0750) == 0 && chmod(d, 0710) == 0);
	cr_assert_eq(grant_copy_take(g0, ".vscode/sub/x.json", 1024, &a), 0, "%s", err_msg());
	cr_assert_eq(grant_copy_take(g0, ".vscode/sub/y.json", 1024, &b), 0, "%s", err_msg());
	cr_assert_eq(a.ndirs, 2);
	cr_assert_eq(a.dir_modes[0] & 07777, 0710);
	cr_assert_eq(a.dir_modes[1] & 07777, 0750);
	cr_assert(unlink(f) == 0 && unlink(g) == 0);
	cr_assert(rmdir(sub) == 0 && rmdir(d) == 0);
	cr_assert_eq(grant_copy_put(g0, ".vscode/sub/x.json", &a, &aside), 0, "%s", err_msg());
	cr_assert_eq(mode_of(gdir, ".vscode") & 07777, 0710);
	cr_assert_eq(mode_of(gdir, ".vscode/sub") & 07777, 0750);
	cr_assert_eq(grant_copy_put(g0, ".vscode/sub/y.json", &b, &aside), 0, "%s", err_msg());
	cr_assert_null(aside);
	assert_content(gdir, ".vscode/sub/x.json", "x\n");
	assert_content(gdir, ".vscode/sub/y.json", "y\n");
	cr_assert_eq(mode_of(gdir, ".vscode/sub") & 07777, 0750);
	/* a directory still there keeps the mode it has now */
	cr_assert(chmod(sub, 0755) == 0 && unlink(f) == 0);
	cr_assert_eq(grant_copy_put(g0, ".vscode/sub/x.json", &a, &aside), 0, "%s", err_msg());
	cr_assert_eq(mode_of(gdir, ".vscode/sub") & 07777, 0755);
	grant_copy_fini(&a);
	grant_copy_fini(&b);
	free(d);
	free(sub);
	free(f);
	free(g);
}

Test(grant, copy_put_later_makes_empty_directories_then_their_modes)
{
	struct grant_copy d, e, f;
	struct grant_dir_modes later = { 0 };
	char *vs = at(gdir, ".vscode"), *em = at(gdir, ".vscode/empty"), *x = at(gdir, ".vscode/x");
	char *aside = NULL;

	cr_assert(mkdir(vs, 0755) == 0 && mkdir(em, 0755) == 0);
	put(x, "x\n");
	cr_assert(chmod(em, 0710) == 0 && chmod(vs, 0550) == 0);
	cr_assert_eq(grant_copy_take(g0, ".vscode", 0, &d), 0, "%s", err_msg());
	cr_assert_eq(grant_copy_take(g0, ".vscode/empty", 0, &e), 0, "%s", err_msg());
	cr_assert_eq(grant_copy_take(g0, ".vscode/x", 1024, &f), 0, "%s", err_msg());
	cr_assert(S_ISDIR(d.st.st_mode) && S_ISDIR(e.st.st_mode));
	/* a directory still there, its contents changed: the same */
	cr_assert(chmod(vs, 0755) == 0 && unlink(x) == 0);
	cr_assert(chmod(vs, 0550) == 0);
	struct grant_copy now;
	cr_assert_eq(grant_copy_take(g0, ".vscode", 0, &now), 0);
	cr_assert(grant_copy_same(&d, &now));
	grant_copy_fini(&now);
	cr_assert(chmod(vs, 0755) == 0 && rmdir(em) == 0 && rmdir(vs) == 0);
	/* the directory first, then what was in it: the bits come last */
	cr_assert_eq(grant_copy_put_later(g0, ".vscode", &d, &aside, &later), 0, "%s", err_msg());
	cr_assert_eq(mode_of(gdir, ".vscode") & 07777, 0700);
	cr_assert_eq(grant_copy_put_later(g0, ".vscode/empty", &e, &aside, &later), 0, "%s",
	             err_msg());
	cr_assert_eq(grant_copy_put_later(g0, ".vscode/x", &f, &aside, &later), 0, "%s", err_msg());
	cr_assert_null(aside);
	cr_assert_eq(grant_dir_modes_apply(g0, &later), 0, "%s", err_msg());
	cr_assert_eq(later.n, 0);
	cr_assert_eq(mode_of(gdir, ".vscode") & 07777, 0550);
	cr_assert_eq(mode_of(gdir, ".vscode/empty") & 07777, 0710);
	assert_content(gdir, ".vscode/x", "x\n");
	cr_assert(chmod(vs, 0755) == 0);
	grant_copy_fini(&d);
	grant_copy_fini(&e);
	grant_copy_fini(&f);
	free(vs);
	free(em);
	free(x);
}

Test(grant, copy_pack_round_trip)
{
	struct grant_copy a, b, got;
	char *f = at(gdir, ".vscode"), *l = at(gdir, ".profile"), *dot = at(odir, "dot");
	struct buf packed = BUF_INIT;
	char *path = NULL;

	cr_assert(mkdir(f, 0750) == 0);
	free(f);
	f = at(gdir, ".vscode/tasks.json");
	put(f, "{\"a\": \"line\\ncopy 1 2 3\"}\n");
	cr_assert(chmod(f, 0640) == 0);
	put(dot, "");
	cr_assert(symlink(dot, l) == 0);
	cr_assert_eq(grant_copy_take(g0, ".vscode/tasks.json", 1024, &a), 0, "%s", err_msg());
	cr_assert_eq(grant_copy_take(g0, ".profile", 1024, &b), 0, "%s", err_msg());
	grant_copy_pack(&packed, f, &a);
	grant_copy_pack(&packed, l, &b);

	const char *p = buf_cstr(&packed), *end = p + packed.len;

	cr_assert_eq(grant_copy_unpack(&p, end, &path, &got), 0, "%s", err_msg());
	cr_assert_str_eq(path, f);
	cr_assert(grant_copy_same(&a, &got));
	cr_assert_eq(got.ndirs, 1);
	cr_assert_eq(got.dir_modes[0] & 07777, 0750);
	free(path);
	grant_copy_fini(&got);
	cr_assert_eq(grant_copy_unpack(&p, end, &path, &got), 0, "%s", err_msg());
	cr_assert_str_eq(path, l);
	cr_assert(grant_copy_same(&b, &got));
	cr_assert_str_eq(got.target, dot);
	cr_assert(got.has_data && got.data.len == 0);
	free(path);
	grant_copy_fini(&got);
	cr_assert_eq(p, end);
	/* cut short anywhere: refused, nothing kept */
	for (size_t n = 0; n < packed.len / 2; n++) {
		p = packed.ptr;
		cr_assert_neq(grant_copy_unpack(&p, packed.ptr + n, &path, &got), 0, "cut at %zu", n);
		cr_assert_null(path);
		cr_assert_not(got.there);
	}
	buf_fini(&packed);
	grant_copy_fini(&a);
	grant_copy_fini(&b);
	free(f);
	free(l);
	free(dot);
}

/* A file too large to keep the bytes of is packed with its inode, size and
 * mtime: read back, it is the same as the file left alone, and not as the
 * file rewritten. A copy packed without them (an older line) still reads. */
Test(grant, copy_pack_without_bytes)
{
	struct grant_copy a, now, got;
	char *f = at(gdir, ".bashrc"), *path = NULL;
	struct buf packed = BUF_INIT;

	put(f, "0123456789\n");
	cr_assert_eq(grant_copy_take(g0, ".bashrc", 4, &a), 0, "%s", err_msg());
	cr_assert(a.there && !a.has_data);
	grant_copy_pack(&packed, f, &a);

	const char *p = buf_cstr(&packed), *end = p + packed.len;

	cr_assert_eq(grant_copy_unpack(&p, end, &path, &got), 0, "%s", err_msg());
	cr_assert_eq(p, end);
	cr_assert_str_eq(path, f);
	cr_assert_not(got.has_data);
	cr_assert_eq(got.st.st_ino, a.st.st_ino);
	cr_assert_eq(got.st.st_size, 11);
	cr_assert(grant_copy_take(g0, ".bashrc", 0, &now) == 0);
	cr_assert(grant_copy_same(&got, &now), "left alone: the same");
	grant_copy_fini(&now);
	cr_assert(unlink(f) == 0);
	put(f, "98765\n"); /* the inode may be the one freed, the mtime the same tick */
	cr_assert(grant_copy_take(g0, ".bashrc", 0, &now) == 0);
	cr_assert_not(grant_copy_same(&got, &now), "rewritten: not the same");
	grant_copy_fini(&now);
	free(path);
	grant_copy_fini(&got);

	/* the line of lengths ending after the directories' count */
	const char old[] = "copy 2 0 1 1 100600 0\n/x\nx\n";

	p = old;
	cr_assert_eq(grant_copy_unpack(&p, old + sizeof old - 1, &path, &got), 0, "%s",
	             err_msg());
	cr_assert_str_eq(path, "/x");
	cr_assert(got.has_data && got.data.len == 1);
	cr_assert_eq(got.st.st_ino, 0);
	free(path);
	grant_copy_fini(&got);
	buf_fini(&packed);
	grant_copy_fini(&a);
	free(f);
}

Test(grant, copy_put_in_git_keeps_the_command_s_aside)
{
	struct grant_copy was;
	char *p = at(gdir, ".git"), *aside = NULL;

	cr_assert(mkdir(p, 0755) == 0);
	free(p);
	p = at(gdir, ".git/config");
	put(p, "[core]\n");
	cr_assert_eq(grant_copy_take(g0, ".git/config", 1024, &was), 0);
	put(p, "[core]\n\tfsmonitor = evil\n");
	cr_assert_eq(grant_copy_put(g0, ".git/config", &was, &aside), 0, "%s", err_msg());
	cr_assert_str_eq(aside, ".git/config.removed-by-deskhand-1");
	assert_content(gdir, ".git/config", "[core]\n");
	assert_content(gdir, aside, "[core]\n\tfsmonitor = evil\n");
	free(aside);
	grant_copy_fini(&was);
	/* a file too large to keep is not put back */
	put(p, "0123456789");
	cr_assert_eq(grant_copy_take(g0, ".git/config", 4, &was), 0);
	cr_assert(was.there && !was.has_data);
	cr_assert_eq(grant_copy_put(g0, ".git/config", &was, &aside), DH_EFAIL);
	grant_copy_fini(&was);
	free(p);
}

/*
 * grant_walk(): the one directory walker of the skills' trust hash and of
 * list_files/search_files: name order, symlinks offered and never followed,
 * a directory swapped for a symlink while the walk runs, the entry cap,
 * depth, SKIP/STOP, ".git" and the strict mode's errors.
 */

/* A file, a directory or a symlink at `rel` beneath the granted folder. */
static void
put_in(const char *rel, const char *s)
{
	char *p = at(gdir, rel);

	put(p, s);
	free(p);
}

static void
mkdir_in(const char *rel)
{
	char *p = at(gdir, rel);

	cr_assert(mkdir(p, 0755) == 0, "mkdir %s: %s", p, strerror(errno));
	free(p);
}

static void
link_in(const char *target, const char *rel)
{
	char *p = at(gdir, rel);

	cr_assert(symlink(target, p) == 0, "symlink %s: %s", p, strerror(errno));
	free(p);
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

	mkdir_in("b");
	put_in("b/z", "z");
	put_in("b/a", "a");
	put_in("a", "a");
	put_in("B", "B");
	mkdir_in("c");
	mkdir_in("c/d");
	put_in("c/d/e", "e");
	put_in("a.txt", "t");
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

	mkdir_in("in");
	put_in("in/f", "f");
	link_in(odir, "out");     /* a directory outside the grant */
	link_in("in", "inner");   /* a directory inside it */
	link_in("in/f", "lf");    /* a file */
	link_in("nowhere", "zz"); /* dangling */
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

	mkdir_in("d");
	put_in("d/mine", "m");
	put_in("e", "e");
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

	mkdir_in("d");
	put_in("d/mine", "m");
	put_in("e", "e");
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

	mkdir_in("a");
	put_in("a/1", "1");
	put_in("a/2", "2");
	put_in("b", "b");
	put_in("c", "c");
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

	mkdir_in("a");
	mkdir_in("a/b");
	put_in("a/b/c", "c");
	put_in("a/f", "f");
	cr_assert_eq(grant_walk(g0, "", &lim, NULL, record, &s), GRANT_WALK_CONTINUE);
	/* a (depth 0) is entered; a/b (depth 1) is offered, not entered */
	cr_assert_str_eq(buf_cstr(&s.out), "a:d:0\na/b:d:1\na/f:f:1\n");
	buf_fini(&s.out);
}

Test(grant_walk, skip_stop_and_errors)
{
	struct seen s = { .out = BUF_INIT, .skip = "a" };

	mkdir_in("a");
	put_in("a/in", "x");
	put_in("b", "b");
	put_in("c", "c");
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

	mkdir_in(".git");
	put_in(".git/HEAD", "ref");
	mkdir_in("sub");
	put_in("sub/.git", "gitdir: x"); /* a .git file (a worktree's) is offered */
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

	put_in("a", "a");
	put_in("b", "b");
	put_in("c", "c");
	cr_assert_eq(grant_walk(g0, "", &lim, &n, record, &s), GRANT_WALK_CAPPED);
	cr_assert_str_eq(buf_cstr(&s.out), "a:f:0\nb:f:0\n");
	cr_assert_eq(n, 3);
	buf_fini(&s.out);
}
