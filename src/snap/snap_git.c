/* SPDX-License-Identifier: MIT */
/*
 * libgit2, loaded rather than linked (the table `git`, snap_int.h), and its
 * process-wide set-up: done by the first store whose repository is opened
 * (snap_open_repo), on the snapshot worker, not at launch.
 */
#include "snap/snap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "snap/snap_int.h"

DL_SHARED_INIT(git, "libgit2.so.1.5", "libgit2-1.5", SNAP_GIT_SYMS, NULL);

/* libgit2_setup()'s outcome: 0 not run (or shut down since), 1 done, -1
 * failed (setup_why says why). Changed only under setup_lock. */
static pthread_mutex_t setup_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int setup_state;
static char setup_why[256];

/* libgit2's initialisation parses the system's CA certificates for an HTTPS
 * transport the shadow repositories never use: with its mbedTLS backend
 * (Debian's) some 400 KB of heap for the life of the process. Pointed at an
 * empty directory instead, it frees them. Best effort: without a directory
 * to make, or with a backend that only records the location, nothing
 * changes. */
static void
drop_ca_store(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/deskhand-noca-XXXXXX", tmp && *tmp ? tmp : "/tmp");

	if (mkdtemp(dir)) {
		if (git.git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, NULL, dir) < 0)
			git.git_error_clear();
		rmdir(dir);
	}
	free(dir);
}

/* The configuration levels libgit2 would look for outside a repository:
 * the system's, the person's (~/.gitconfig), XDG's and Windows'. */
static const int outside_levels[] = {
	GIT_CONFIG_LEVEL_SYSTEM,
	GIT_CONFIG_LEVEL_GLOBAL,
	GIT_CONFIG_LEVEL_XDG,
	GIT_CONFIG_LEVEL_PROGRAMDATA,
};

/* A shadow repository reads its own config alone: a person's ~/.gitconfig
 * that libgit2 cannot parse would fail every review and checkpoint, and one
 * that parses could change how objects are written. Opening each store
 * also no longer looks for those files (a stat or open of each, per
 * store). An empty search path is libgit2's way to say "none" (common.h,
 * GIT_OPT_SET_SEARCH_PATH). 0, or -1 with setup_why set. */
static int
no_outside_config(void)
{
	for (size_t i = 0; i < sizeof outside_levels / sizeof *outside_levels; i++) {
		if (git.git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, outside_levels[i], "") < 0) {
			const git_error *e = git.git_error_last();

			snprintf(setup_why, sizeof setup_why, "snapshot: %s",
			         e ? e->message : "unknown libgit2 error");
			return -1;
		}
	}
	return 0;
}

/* Under setup_lock, once the library is loaded: git_libgit2_init() and the
 * options, once per snap_global_shutdown(). */
static void
libgit2_setup(void)
{
	const git_error *e;

	if (git.git_libgit2_init() < 0) {
		snprintf(setup_why, sizeof setup_why, "libgit2: initialisation failed");
		atomic_store(&setup_state, -1);
		return;
	}
	drop_ca_store();
	if (no_outside_config() < 0) {
		atomic_store(&setup_state, -1);
		return;
	}
	/* No object cache: a checkpoint reads each tree and commit it needs
	 * about once, and the cache (every small tree and commit read, per
	 * process, for its life) was half a megabyte of a long session's heap
	 * for no measurable speed (bench-checkpoint 2000 30: the same medians). */
	if (git.git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0) < 0) {
		e = git.git_error_last();
		snprintf(setup_why, sizeof setup_why, "snapshot: %s",
		         e ? e->message : "unknown libgit2 error");
		atomic_store(&setup_state, -1);
		return;
	}
	/* Objects, refs and packs are fsynced (and their directories) before
	 * they are renamed into place: a checkpoint whose objects a power
	 * loss cut short would leave a head or notes ref pointing at an
	 * empty object, and every later checkpoint of the folder, and its
	 * review and undo, failing on it. A full scan writes one pack, so a
	 * baseline is a few fsyncs, not one per file; an incremental one is
	 * a few objects, on the worker, beside the next request. */
	if (git.git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1) < 0) {
		e = git.git_error_last();
		snprintf(setup_why, sizeof setup_why, "snapshot: %s",
		         e ? e->message : "unknown libgit2 error");
		atomic_store(&setup_state, -1);
		return;
	}
	atomic_store(&setup_state, 1);
}

int
snap_git_load(void)
{
	if (dl_load(&git_lib) < 0)
		return DH_EFAIL;
	if (atomic_load(&setup_state) == 0) {
		pthread_mutex_lock(&setup_lock);
		if (atomic_load(&setup_state) == 0)
			libgit2_setup();
		pthread_mutex_unlock(&setup_lock);
	}
	if (atomic_load(&setup_state) < 0)
		return err_set("%s", setup_why);
	return 0;
}

int
snap_global_init(void)
{
	return snap_git_load();
}

void
snap_global_shutdown(void)
{
	pthread_mutex_lock(&setup_lock);
	if (atomic_load(&setup_state) > 0)
		git.git_libgit2_shutdown();
	atomic_store(&setup_state, 0);
	pthread_mutex_unlock(&setup_lock);
}

const char *
snap_library_version(void)
{
	static char v[48];
	int major = 0, minor = 0, rev = 0;

	if (snap_git_load() < 0)
		return err_msg();
	if (!v[0]) {
		git.git_libgit2_version(&major, &minor, &rev);
		snprintf(v, sizeof v, "libgit2 %d.%d.%d", major, minor, rev);
	}
	return v;
}
