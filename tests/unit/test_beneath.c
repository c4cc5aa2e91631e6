/* SPDX-License-Identifier: MIT */
/* core/beneath and core/atomic with real files in a temporary directory: no
 * way out of the directory (symlinks, "..", /proc magic links), and a write
 * that either replaces the file whole or leaves it and no litter behind. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/beneath.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/fsutil.h"
#include "core/xalloc.h"

static char root[64]; /* temp dir: d/ (the directory fd) and out/ (outside it) */
static int dfd = -1;  /* root/d, O_RDONLY */

static char *
at(const char *rel)
{
	return xasprintf("%s/%s", root, rel);
}

static void
put(const char *rel, const char *s)
{
	char *p = at(rel);
	FILE *f = fopen(p, "w");

	cr_assert(f, "fopen %s: %s", p, strerror(errno));
	fputs(s, f);
	fclose(f);
	free(p);
}

/* Content of root/rel as a heap string, NULL when it cannot be read. */
static char *
get(const char *rel)
{
	char *p = at(rel);
	struct buf b = BUF_INIT;
	int rc = fsutil_read_file(p, 1 << 20, &b);

	free(p);
	if (rc < 0) {
		buf_fini(&b);
		return NULL;
	}
	buf_add(&b, "", 0);
	return b.ptr ? buf_detach(&b) : xstrdup("");
}

static void
assert_content(const char *rel, const char *want)
{
	char *s = get(rel);

	cr_assert(s, "%s missing", rel);
	cr_assert_str_eq(s, want, "%s", rel);
	free(s);
}

static bool
exists(const char *rel)
{
	char *p = at(rel);
	struct stat st;
	bool yes = lstat(p, &st) == 0;

	free(p);
	return yes;
}

/* Entries of root/rel whose name starts with ".dh-tmp-". */
static int
temp_files(const char *rel)
{
	char *p = at(rel);
	DIR *d = opendir(p);
	struct dirent *de;
	int n = 0;

	cr_assert(d, "opendir %s", p);
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, ".dh-tmp-", 8);
	closedir(d);
	free(p);
	return n;
}

static void
mk(const char *rel)
{
	char *p = at(rel);

	cr_assert(mkdir(p, 0755) == 0, "mkdir %s: %s", p, strerror(errno));
	free(p);
}

static void
ln(const char *target, const char *rel)
{
	char *p = at(rel);

	cr_assert(symlink(target, p) == 0, "symlink %s: %s", p, strerror(errno));
	free(p);
}

static void
setup(void)
{
	snprintf(root, sizeof root, "/tmp/dh-beneath-XXXXXX");
	cr_assert(mkdtemp(root));
	mk("d");
	mk("d/sub");
	mk("out");
	put("d/sub/f", "inside\n");
	put("out/secret", "SECRET\n");
	char *p = at("d");

	dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert(dfd >= 0);
	free(p);
}

static void
teardown(void)
{
	if (dfd >= 0)
		close(dfd);
	dfd = -1;
	char *cmd = xasprintf("rm -rf '%s'", root);

	cr_assert(system(cmd) == 0);
	free(cmd);
}

TestSuite(beneath, .init = setup, .fini = teardown, .timeout = 10);
TestSuite(atomic, .init = setup, .fini = teardown, .timeout = 10);

/* beneath_open(dirfd, rel, O_RDONLY) is refused with `e`. */
static void
refused(const char *rel, int e)
{
	errno = 0;
	int fd = beneath_open(dfd, rel, O_RDONLY);

	if (fd >= 0)
		close(fd);
	cr_assert_eq(fd, -1, "'%s' was opened", rel);
	cr_assert_eq(errno, e, "'%s': errno %d (%s), want %d", rel, errno, strerror(errno), e);
}

/*
 * beneath_open
 */

Test(beneath, opens_inside_and_itself)
{
	int fd = beneath_open(dfd, "sub/f", O_RDONLY);
	char b[16] = "";

	cr_assert(fd >= 0, "%s", strerror(errno));
	cr_assert_eq(read(fd, b, sizeof b - 1), 7);
	cr_assert_str_eq(b, "inside\n");
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	struct stat a, s;

	fd = beneath_open(dfd, "", O_PATH | O_DIRECTORY);
	cr_assert(fd >= 0);
	cr_assert(fstat(fd, &a) == 0 && fstat(dfd, &s) == 0);
	cr_assert(a.st_ino == s.st_ino && a.st_dev == s.st_dev, "\"\" is dirfd itself");
	close(fd);
}

Test(beneath, symlink_in_the_middle_or_at_the_end)
{
	ln("../out", "d/up");   /* leaves d */
	ln("sub", "d/same");    /* stays inside: still refused */
	ln("f", "d/sub/alias"); /* leaf symlink inside */
	refused("up/secret", ELOOP);
	refused("same/f", ELOOP);
	refused("sub/alias", ELOOP);
	refused("up", ELOOP);
}

Test(beneath, dotdot_and_absolute)
{
	refused("../out/secret", EXDEV);
	refused("sub/../../out/secret", EXDEV);
	refused("/etc/passwd", EXDEV);
	/* ".." that stays beneath is resolution, not escape */
	int fd = beneath_open(dfd, "sub/../sub/f", O_RDONLY);

	cr_assert(fd >= 0, "%s", strerror(errno));
	close(fd);
}

Test(beneath, proc_magic_link)
{
	int pfd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);

	cr_assert(pfd >= 0);
	char rel[32];

	/* fd/N and cwd point anywhere: they are never followed */
	snprintf(rel, sizeof rel, "fd/%d", dfd);
	errno = 0;
	cr_assert_eq(beneath_open(pfd, rel, O_RDONLY), -1);
	cr_assert_eq(errno, ELOOP, "%s", strerror(errno));
	errno = 0;
	cr_assert_eq(beneath_open(pfd, "cwd/", O_RDONLY | O_DIRECTORY), -1);
	cr_assert_eq(errno, ELOOP, "%s", strerror(errno));
	close(pfd);
}

/*
 * beneath_open_parent
 */

Test(beneath, parent_and_leaf)
{
	const char *leaf = NULL;
	int fd = beneath_open_parent(dfd, "sub/f", O_RDONLY, false, &leaf);
	struct stat st;

	cr_assert(fd >= 0, "%s", strerror(errno));
	cr_assert_str_eq(leaf, "f");
	cr_assert(fstatat(fd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode));
	close(fd);
	/* a top-level name: the parent is dirfd itself */
	fd = beneath_open_parent(dfd, "top", O_PATH, false, &leaf);
	cr_assert(fd >= 0);
	cr_assert_str_eq(leaf, "top");
	close(fd);
	static const char *const bad[] = { "", "sub/", "sub/.", "sub/..", ".." };

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		errno = 0;
		cr_assert_eq(beneath_open_parent(dfd, bad[i], O_RDONLY, false, &leaf), -1, "%s",
		             bad[i]);
		cr_assert_eq(errno, EINVAL, "'%s': %s", bad[i], strerror(errno));
	}
}

Test(beneath, parent_refuses_symlinks_and_escapes)
{
	const char *leaf;

	ln("../out", "d/up");
	ln("sub", "d/same");
	errno = 0;
	cr_assert_eq(beneath_open_parent(dfd, "up/secret", O_RDONLY, false, &leaf), -1);
	cr_assert_eq(errno, ELOOP);
	errno = 0;
	cr_assert_eq(beneath_open_parent(dfd, "same/f", O_RDONLY, true, &leaf), -1);
	cr_assert_eq(errno, ELOOP);
	errno = 0;
	cr_assert_eq(beneath_open_parent(dfd, "../out/x", O_RDONLY, true, &leaf), -1);
	cr_assert_eq(errno, EXDEV);
	/* creating parents through a symlink makes nothing outside */
	errno = 0;
	cr_assert_eq(beneath_open_parent(dfd, "up/new/x", O_RDONLY, true, &leaf), -1);
	cr_assert_eq(errno, ELOOP);
	cr_assert(!exists("out/new"));
}

Test(beneath, parent_creates_missing_directories)
{
	const char *leaf;
	int fd = beneath_open_parent(dfd, "a/b/c/file", O_RDONLY, true, &leaf);

	cr_assert(fd >= 0, "%s", strerror(errno));
	cr_assert_str_eq(leaf, "file");
	close(fd);
	cr_assert(exists("d/a/b/c"));
	cr_assert(!exists("d/a/b/c/file"));
	/* without create a missing parent is ENOENT and nothing is made */
	errno = 0;
	cr_assert_eq(beneath_open_parent(dfd, "x/y", O_RDONLY, false, &leaf), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert(!exists("d/x"));
}

/*
 * atomic
 */

Test(atomic, replaces_whole_with_mode)
{
	put("d/f", "old contents\n");
	cr_assert(atomic_write_at(dfd, "f", "new\n", 4, 0640, 0) == 0, "%s", strerror(errno));
	assert_content("d/f", "new\n");
	struct stat st;
	char *p = at("d/f");

	cr_assert(stat(p, &st) == 0);
	cr_assert_eq(st.st_mode & 07777, 0640);
	free(p);
	/* mode -1: the creation mode */
	mode_t old = umask(027);

	cr_assert(atomic_write_at(dfd, "g", NULL, 0, -1, 0) == 0);
	umask(old);
	p = at("d/g");
	cr_assert(stat(p, &st) == 0);
	cr_assert_eq(st.st_mode & 07777, 0640);
	cr_assert_eq(st.st_size, 0);
	free(p);
	cr_assert_eq(temp_files("d"), 0);
}

Test(atomic, noreplace_collision)
{
	put("d/f", "mine\n");
	errno = 0;
	cr_assert_eq(atomic_write_at(dfd, "f", "theirs\n", 7, -1, ATOMIC_NOREPLACE), -1);
	cr_assert_eq(errno, EEXIST);
	assert_content("d/f", "mine\n");
	cr_assert_eq(temp_files("d"), 0);
	/* a symlink in the way is not replaced either */
	ln("nowhere", "d/l");
	errno = 0;
	cr_assert_eq(atomic_write_at(dfd, "l", "x", 1, -1, ATOMIC_NOREPLACE), -1);
	cr_assert_eq(errno, EEXIST);
	cr_assert_eq(temp_files("d"), 0);
	/* and onto a free name it works */
	cr_assert(atomic_write_at(dfd, "n", "x\n", 2, -1, ATOMIC_NOREPLACE) == 0);
	assert_content("d/n", "x\n");
	/* a move that would replace is refused across directories too */
	int sub = beneath_open(dfd, "sub", O_RDONLY | O_DIRECTORY);

	cr_assert(sub >= 0);
	errno = 0;
	cr_assert_eq(atomic_rename_noreplace(sub, "f", dfd, "f"), -1);
	cr_assert_eq(errno, EEXIST);
	cr_assert(atomic_rename_noreplace(sub, "f", dfd, "moved") == 0);
	close(sub);
	assert_content("d/moved", "inside\n");
	assert_content("d/f", "mine\n");
}

Test(atomic, failed_write_leaves_old_and_no_temp)
{
	char big[8192];
	struct rlimit rl = { .rlim_cur = 4096, .rlim_max = RLIM_INFINITY };

	memset(big, 'x', sizeof big);
	put("d/f", "old\n");
	/* writes past 4096 bytes fail with EFBIG (SIGXFSZ ignored) */
	signal(SIGXFSZ, SIG_IGN);
	cr_assert(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	errno = 0;
	cr_assert_eq(atomic_write_at(dfd, "f", big, sizeof big, -1, 0), -1);
	cr_assert_eq(errno, EFBIG, "%s", strerror(errno));
	assert_content("d/f", "old\n");
	cr_assert_eq(temp_files("d"), 0);
	/* the path form says which file */
	char *p = at("d/f");

	cr_assert_eq(atomic_write(p, big, sizeof big, -1), DH_EFAIL);
	cr_assert(strstr(err_msg(), p), "%s", err_msg());
	assert_content("d/f", "old\n");
	cr_assert_eq(temp_files("d"), 0);
	free(p);
	/* a folder that does not exist is named too */
	p = at("nope/f");
	cr_assert_eq(atomic_write(p, "x", 1, -1), DH_EFAIL);
	cr_assert(strstr(err_msg(), p), "%s", err_msg());
	free(p);
}

Test(atomic, copy_and_symlink)
{
	int src = beneath_open(dfd, "sub/f", O_RDONLY);

	cr_assert(src >= 0);
	put("d/f", "old\n");
	cr_assert(atomic_copy_at(dfd, "f", src, 0600, 0) == 0, "%s", strerror(errno));
	close(src);
	assert_content("d/f", "inside\n");
	cr_assert(atomic_symlink_at(dfd, "f", "sub/f", 0) == 0, "%s", strerror(errno));
	char t[32] = "";
	char *p = at("d/f");

	cr_assert(readlink(p, t, sizeof t - 1) == 5);
	cr_assert_str_eq(t, "sub/f");
	free(p);
	errno = 0;
	cr_assert_eq(atomic_symlink_at(dfd, "f", "x", ATOMIC_NOREPLACE), -1);
	cr_assert_eq(errno, EEXIST);
	cr_assert_eq(temp_files("d"), 0);
	/* the path form (fsutil_write_atomic forwards to it) */
	p = at("d/state");
	cr_assert(fsutil_write_atomic(p, "{}\n", 3) == 0, "%s", err_msg());
	free(p);
	assert_content("d/state", "{}\n");
	cr_assert_eq(temp_files("d"), 0);
}
