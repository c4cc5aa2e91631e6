/* SPDX-License-Identifier: MIT */
/* Host-side file tools under attack while they run: a directory swapped for a
 * symlink to outside during the calls, a renamed .git (what a run_command can
 * do) and case-varied deny paths (SANDBOX.md §4.5). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "policy/grant.h"

static char root[64], gdir[128], odir[128];
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

static void
setup(void)
{
	snprintf(root, sizeof root, "/tmp/dh-grace-XXXXXX");
	cr_assert(mkdtemp(root));
	snprintf(gdir, sizeof gdir, "%s/g", root);
	snprintf(odir, sizeof odir, "%s/out", root);
	cr_assert(mkdir(gdir, 0755) == 0 && mkdir(odir, 0755) == 0);
	char *p = xasprintf("%s/secret", odir);

	put(p, "SECRET\n");
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
	char *cmd = xasprintf("rm -rf '%s'", root);

	cr_assert(system(cmd) == 0);
	free(cmd);
}

TestSuite(grant_race, .init = setup, .fini = teardown, .timeout = 30);

struct swapper {
	atomic_bool stop;
	atomic_long swaps;
	int dirfd;
};

/* Keep exchanging g/d (a real directory) with g/d_alt (a symlink to out/),
 * atomically, so that "d" is one or the other at every instant. */
static void *
swap_loop(void *arg)
{
	struct swapper *s = arg;

	while (!atomic_load(&s->stop)) {
		if (syscall(SYS_renameat2, s->dirfd, "d", s->dirfd, "d_alt", RENAME_EXCHANGE) == 0)
			atomic_fetch_add(&s->swaps, 1);
	}
	return NULL;
}

Test(grant_race, symlink_swapped_in_during_calls)
{
	char *d = xasprintf("%s/d", gdir), *alt = xasprintf("%s/d_alt", gdir);
	char *inside = xasprintf("%s/d/secret", gdir);
	struct swapper s = { .dirfd = open(gdir, O_PATH | O_DIRECTORY | O_CLOEXEC) };
	pthread_t th;
	long reads_ok = 0, writes_ok = 0, refused = 0;

	cr_assert(mkdir(d, 0755) == 0);
	put(inside, "inside\n");
	cr_assert(symlink(odir, alt) == 0);
	cr_assert(s.dirfd >= 0);
	cr_assert(pthread_create(&th, NULL, swap_loop, &s) == 0);
	for (int i = 0; i < 3000; i++) {
		struct buf b = BUF_INIT;
		int rc = grant_read(g0, "d/secret", 0, &b);

		if (rc == 0) {
			cr_assert_str_eq(buf_cstr(&b), "inside\n", "read outside the grant");
			reads_ok++;
		} else {
			cr_assert(rc == DH_EDENIED || rc == DH_ENOTFOUND, "read: %d %s", rc,
			          err_msg());
			refused++;
		}
		buf_fini(&b);
		rc = grant_write(g0, "d/planted", "PWNED", 5, NULL);
		if (rc == 0)
			writes_ok++;
		else
			cr_assert(rc == DH_EDENIED || rc == DH_ENOTFOUND, "write: %d %s", rc,
			          err_msg());
		rc = grant_mkdirs(g0, "d/newdir", NULL);
		cr_assert(rc == 0 || rc == DH_EDENIED || rc == DH_ENOTFOUND, "mkdirs: %d", rc);
	}
	atomic_store(&s.stop, true);
	pthread_join(th, NULL);
	close(s.dirfd);

	char *planted = xasprintf("%s/planted", odir), *newdir = xasprintf("%s/newdir", odir);
	struct stat st;

	cr_assert(lstat(planted, &st) != 0, "a write went through the swapped-in symlink");
	cr_assert(lstat(newdir, &st) != 0, "a mkdir went through the swapped-in symlink");
	char *cmd = xasprintf("test \"$(ls -A '%s')\" = secret && grep -qx SECRET '%s/secret'",
	                      odir, odir);

	cr_assert(system(cmd) == 0, "out/ changed");
	/* The race really happened: both outcomes were seen. */
	cr_assert(atomic_load(&s.swaps) > 100, "only %ld swaps", atomic_load(&s.swaps));
	cr_assert(reads_ok > 0 && refused > 0, "reads ok %ld, refused %ld", reads_ok, refused);
	cr_assert(writes_ok > 0);
	free(cmd);
	free(planted);
	free(newdir);
	free(d);
	free(alt);
	free(inside);
}

/* A fake repository's git directory at g/<name>. */
static void
make_git_dir(const char *name)
{
	char *cmd =
		xasprintf("cd '%s' && mkdir -p %s/objects %s/refs/heads %s/hooks && "
	                  "echo 'ref: refs/heads/main' > %s/HEAD && echo '[core]' > %s/config && "
	                  "echo '#!/bin/sh' > %s/hooks/pre-commit",
	                  gdir, name, name, name, name, name, name);

	cr_assert(system(cmd) == 0);
	free(cmd);
}

Test(grant_race, renamed_git_dir_stays_protected)
{
	make_git_dir(".git");
	/* What a run_command can do in its grant: move .git away and leave a symlink. */
	char *cmd = xasprintf("cd '%s' && mv .git stash && ln -s stash .git", gdir);

	cr_assert(system(cmd) == 0);
	free(cmd);
	/* Through the symlink: never followed. */
	cr_assert_eq(grant_write(g0, ".git/hooks/pre-commit", "evil", 4, NULL), DH_EDENIED);
	/* Under its new name: recognised by content. */
	cr_assert_eq(grant_write(g0, "stash/hooks/pre-commit", "evil", 4, NULL), DH_EDENIED);
	cr_assert(strstr(err_msg(), "is a git directory"), "%s", err_msg());
	cr_assert_eq(grant_write(g0, "stash/hooks/post-checkout", "evil", 4, NULL), DH_EDENIED);
	cr_assert_eq(grant_write(g0, "stash/HOOKS/x", "evil", 4, NULL), DH_EDENIED);
	cr_assert_eq(grant_write(g0, "stash/config", "[core]\n\tfsmonitor=evil\n", 23, NULL),
	             DH_EDENIED);
	cr_assert_eq(grant_unlink(g0, "stash/hooks/pre-commit"), DH_EDENIED);
	cr_assert_eq(grant_mkdirs(g0, "stash/hooks/sub", NULL), DH_EDENIED);
	cr_assert_eq(grant_rename(g0, "stash/hooks", g0, "hooks-moved"), DH_EDENIED);
	cr_assert_eq(grant_rename(g0, "stash", g0, "elsewhere"), DH_EDENIED);
	cr_assert_eq(grant_unlink(g0, ".git"), 0, "%s", err_msg()); /* the symlink: fine */
	/* ... and putting a hook in from outside the git dir is refused too. */
	char *src = xasprintf("%s/hook", gdir);

	put(src, "evil\n");
	cr_assert_eq(grant_rename(g0, "hook", g0, "stash/hooks/pre-push"), DH_EDENIED);
	free(src);

	char *hook = xasprintf("%s/stash/hooks/pre-commit", gdir),
	     *cfg = xasprintf("%s/stash/config", gdir);
	FILE *f = fopen(hook, "r");
	char line[64] = "";

	cr_assert(f && fgets(line, sizeof line, f));
	fclose(f);
	cr_assert_str_eq(line, "#!/bin/sh\n");
	f = fopen(cfg, "r");
	cr_assert(f && fgets(line, sizeof line, f));
	fclose(f);
	cr_assert_str_eq(line, "[core]\n");
	/* The rest of the repository stays writable (objects, refs, HEAD). */
	cr_assert_eq(grant_write(g0, "stash/objects/ab", "x", 1, NULL), 0, "%s", err_msg());
	cr_assert_eq(grant_write(g0, "stash/refs/heads/main", "0000\n", 5, NULL), 0, "%s",
	             err_msg());
	free(hook);
	free(cfg);
}

Test(grant_race, nested_and_bare_git_dirs)
{
	make_git_dir("sub/repo.git");
	cr_assert_eq(grant_write(g0, "sub/repo.git/hooks/update", "evil", 4, NULL), DH_EDENIED);
	cr_assert_eq(grant_write(g0, "sub/repo.git/config", "x", 1, NULL), DH_EDENIED);
	/* A directory that merely has a "hooks" folder is not a git directory. */
	cr_assert_eq(grant_mkdirs(g0, "app/hooks", NULL), 0, "%s", err_msg());
	cr_assert_eq(grant_write(g0, "app/hooks/useThing.js", "x", 1, NULL), 0, "%s", err_msg());
	cr_assert_eq(grant_write(g0, "app/config", "x", 1, NULL), 0, "%s", err_msg());
}

Test(grant_race, case_variants_of_deny_paths)
{
	static const char *const yes[] = {
		".GIT/hooks/pre-commit",
		".Git/HOOKS",
		".git/Config",
		".GIT/CONFIG",
		".BashRC",
		".PROFILE",
		"sub/.Git/Hooks/x",
		".MCP.json",
		".VSCode/settings.json",
		".Deskhand/config",
		".Claude/Settings.JSON",
	};
	static const char *const no[] = {
		".git/objects/ab", ".gitignore", "bashrc", "src/.git-hooks", "hooks/pre-commit",
	};

	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		cr_assert(grant_is_protected(yes[i]), "%s not protected", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		cr_assert(!grant_is_protected(no[i]), "%s protected", no[i]);
}
