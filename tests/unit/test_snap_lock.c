/* SPDX-License-Identifier: MIT */
/* The writer lock of a shadow repository: one writer per store, across
 * processes (a child holds it; the parent is refused with the holder named). */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <git2.h>

#include "core/err.h"
#include "snap/snap.h"

static char root[64], work[PATH_MAX], state[PATH_MAX], home[PATH_MAX];

static void
setup(void)
{
	git_libgit2_init();
	snprintf(root, sizeof root, "/tmp/dh-lock-XXXXXX");
	cr_assert(mkdtemp(root));
	snprintf(work, sizeof work, "%s/home/proj", root);
	snprintf(state, sizeof state, "%s/state", root);
	snprintf(home, sizeof home, "%s/home", root);
	cr_assert_eq(mkdir(home, 0700), 0);
	cr_assert_eq(mkdir(work, 0700), 0);
	setenv("HOME", home, 1);
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

TestSuite(snap_lock, .init = setup, .fini = teardown, .timeout = 60);

static struct snap_store *
open_store(void)
{
	struct snap_store *s = NULL;

	cr_assert_eq(snap_open(&s, work, state), 0, "snap_open: %s", err_msg());
	return s;
}

/* A child process that takes the lock as `kind`/`session`, says so on a pipe
 * and holds it until its stdin pipe closes (or it is killed). */
struct holder {
	pid_t pid;
	int go; /* write end: closing it lets the child exit */
};

static struct holder
hold(enum snap_lock_kind kind, const char *session)
{
	int ready[2], go[2];
	struct holder h;
	char c = 0;

	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(go), 0);
	h.pid = fork();
	cr_assert_geq(h.pid, 0);
	if (h.pid == 0) {
		struct snap_store *s = NULL;

		close(ready[0]);
		close(go[1]);
		git_libgit2_init();
		if (snap_open(&s, work, state) < 0 || snap_lock(s, kind, session) < 0)
			_exit(1);
		if (write(ready[1], "k", 1) != 1)
			_exit(1);
		while (read(go[0], &c, 1) > 0) {
		}
		snap_close(s);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	cr_assert_eq(read(ready[0], &c, 1), 1, "the child could not take the lock");
	close(ready[0]);
	h.go = go[1];
	return h;
}

static int
release(struct holder h)
{
	int st = 0;

	close(h.go);
	cr_assert_eq(waitpid(h.pid, &st, 0), h.pid);
	return st;
}

Test(snap_lock, a_live_engine_is_named_and_its_exit_frees_the_lock)
{
	struct holder h = hold(SNAP_LOCK_ENGINE, "20260101-120000-ab12");
	struct snap_store *s = open_store();
	char want[256];

	cr_assert_eq(snap_lock(s, SNAP_LOCK_ENGINE, "other"), DH_EDENIED);
	snprintf(want, sizeof want,
	         "folder ~/proj is in use by live session 20260101-120000-ab12 (pid %ld); "
	         "attach with: deskhand attach 20260101-120000-ab12",
	         (long)h.pid);
	cr_assert_str_eq(err_msg(), want);
	/* A review verb is refused the same way. */
	cr_assert_eq(snap_lock(s, SNAP_LOCK_VERB, "other"), DH_EDENIED);
	cr_assert_eq(release(h), 0);
	cr_assert_eq(snap_lock(s, SNAP_LOCK_ENGINE, "mine"), 0, "%s", err_msg());
	/* Taking it again only renames the owner. */
	cr_assert_eq(snap_lock(s, SNAP_LOCK_ENGINE, "mine2"), 0, "%s", err_msg());
	snap_close(s);
}

/* A foreground deskhand run cannot be attached to: it is not advised. */
Test(snap_lock, a_foreground_run_is_named_without_attach)
{
	struct holder h = hold(SNAP_LOCK_RUN, "20260101-120000-ab12");
	struct snap_store *s = open_store();
	char want[256];

	cr_assert_eq(snap_lock(s, SNAP_LOCK_ENGINE, "other"), DH_EDENIED);
	snprintf(want, sizeof want,
	         "folder ~/proj is in use by session 20260101-120000-ab12, which deskhand run "
	         "(pid %ld) runs in the foreground; wait for it: deskhand wait "
	         "20260101-120000-ab12",
	         (long)h.pid);
	cr_assert_str_eq(err_msg(), want);
	cr_assert_eq(snap_lock(s, SNAP_LOCK_ENGINE, "20260101-120000-ab12"), DH_EDENIED);
	snprintf(want, sizeof want,
	         "session 20260101-120000-ab12 is live: deskhand run (pid %ld) runs it in the "
	         "foreground; interrupt it there, or wait for it: deskhand wait "
	         "20260101-120000-ab12",
	         (long)h.pid);
	cr_assert_str_eq(err_msg(), want);
	cr_assert_eq(release(h), 0);
	snap_close(s);
}

Test(snap_lock, a_killed_holder_leaves_no_lock)
{
	struct holder h = hold(SNAP_LOCK_ENGINE, NULL);
	struct snap_store *s = open_store();
	int st;

	cr_assert_eq(snap_lock(s, SNAP_LOCK_ENGINE, NULL), DH_EDENIED);
	cr_assert(strstr(err_msg(), "another deskhand engine"), "%s", err_msg());
	cr_assert_eq(kill(h.pid, SIGKILL), 0);
	cr_assert_eq(waitpid(h.pid, &st, 0), h.pid);
	close(h.go);
	cr_assert_eq(snap_lock(s, SNAP_LOCK_ENGINE, NULL), 0, "%s", err_msg());
	snap_close(s);
}

Test(snap_lock, a_review_verb_holds_it_for_its_duration)
{
	struct snap_store *s = open_store();
	struct holder h;

	cr_assert_eq(snap_lock(s, SNAP_LOCK_VERB, "s1"), 0, "%s", err_msg());
	snap_unlock(s);
	h = hold(SNAP_LOCK_VERB, "s1");
	cr_assert_eq(snap_lock(s, SNAP_LOCK_ENGINE, "s2"), DH_EDENIED);
	cr_assert(strstr(err_msg(), "being changed by a review command on session s1"), "%s",
	          err_msg());
	cr_assert_eq(release(h), 0);
	cr_assert_eq(snap_lock(s, SNAP_LOCK_ENGINE, "s2"), 0, "%s", err_msg());
	snap_close(s);
}

/* Two stores of one folder in one process: the second is refused too. */
Test(snap_lock, two_stores_of_one_process)
{
	struct snap_store *a = open_store(), *b = open_store();

	cr_assert_eq(snap_lock(a, SNAP_LOCK_ENGINE, "s1"), 0, "%s", err_msg());
	cr_assert_eq(snap_lock(b, SNAP_LOCK_ENGINE, "s2"), DH_EDENIED);
	snap_close(a);
	cr_assert_eq(snap_lock(b, SNAP_LOCK_ENGINE, "s2"), 0, "%s", err_msg());
	snap_close(b);
}

/* The holder named from its owner line, without taking the lock: by kind,
 * session and pid while it lives; nobody once it released the lock, or was
 * killed (its line stays), or before any repository. */
Test(snap_lock, the_holder_is_read_without_taking_the_lock)
{
	struct snap_holder who;
	struct holder h;
	struct snap_store *s;
	int st;

	cr_assert_eq(snap_lock_holder(work, state, &who), 0, "%s", err_msg());
	h = hold(SNAP_LOCK_RUN, "20260101-120000-ab12");
	cr_assert_eq(snap_lock_holder(work, state, &who), 1, "%s", err_msg());
	cr_assert_eq(who.kind, SNAP_LOCK_RUN);
	cr_assert_str_eq(who.session, "20260101-120000-ab12");
	cr_assert_eq(who.pid, (long)h.pid);
	free(who.session);
	/* Reading took nothing: the holder still has it. */
	s = open_store();
	cr_assert_eq(snap_lock(s, SNAP_LOCK_ENGINE, "other"), DH_EDENIED);
	cr_assert_eq(release(h), 0);
	cr_assert_eq(snap_lock_holder(work, state, &who), 0, "%s", err_msg());
	cr_assert_null(who.session);

	/* An engine with no session yet, then killed: its line outlives it. */
	h = hold(SNAP_LOCK_ENGINE, NULL);
	cr_assert_eq(snap_lock_holder(work, state, &who), 1, "%s", err_msg());
	cr_assert_eq(who.kind, SNAP_LOCK_ENGINE);
	cr_assert_null(who.session);
	cr_assert_eq(who.pid, (long)h.pid);
	cr_assert_eq(kill(h.pid, SIGKILL), 0);
	cr_assert_eq(waitpid(h.pid, &st, 0), h.pid);
	close(h.go);
	cr_assert_eq(snap_lock_holder(work, state, &who), 0, "%s", err_msg());
	cr_assert_null(who.session);
	snap_close(s);

	/* No such folder. */
	cr_assert_eq(snap_lock_holder("/nonexistent/deskhand-lock", state, &who), DH_ENOTFOUND);
}
