/* SPDX-License-Identifier: MIT */
#ifndef DH_WATCH_WATCH_H
#define DH_WATCH_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct buf;
struct strv;

/*
 * The watcher (DESIGN.md "Snapshots", STYLE.md §3.15): recursive inotify
 * (the raw <sys/inotify.h> API; no libinotifytools) over every directory of
 * each granted folder, on its own thread so that adding 100,000 watches never
 * stalls the event loop. It keeps, per grant, a coalesced set of dirty paths
 * (relative to the folder) that a checkpoint re-reads instead of scanning the
 * whole folder:
 *   - a file created, written, deleted, renamed or chmod'ed: its path;
 *   - a directory created, deleted or moved: its path, meaning "rescan this
 *     subtree" (a new directory is watched at once, with its subdirectories,
 *     and the subtree rescan catches files made before the watch landed);
 *   - a rename: both paths (paired by inotify's cookie).
 * `.git` directories, the state directory and paths matched by the folder's
 * `.deskhandignore` (core/ignore.h) are not watched and produce no paths.
 * When inotify loses events (IN_Q_OVERFLOW) the whole grant is marked "full"
 * (rescan everything) and every directory is walked again; when a watch cannot
 * be added (ENOSPC: fs.inotify.max_user_watches) the grant stays "full" for
 * good and the watcher reports itself degraded. It never degrades silently.
 *
 * Threading: watch_new/add_tree/free and the callback belong to the loop
 * thread; watch_take_dirty, watch_sync, watch_is_degraded and watch_status are
 * thread-safe (the snapshot worker calls them).
 */

struct ev_loop;
struct watch; /* opaque */

/* A grant's dirty paths, taken from the watcher. */
struct watch_dirty {
	char **paths; /* heap strings, sorted by strcmp, unique; NULL when n == 0 */
	size_t n;
	bool full;    /* rescan the whole grant (paths is then empty) */
};

/* Called on the loop thread, at most every WATCH_DEBOUNCE_MS, after paths
 * were marked dirty or the watcher's state (degraded) changed. */
typedef void watch_change_fn(struct watch *w, void *ctx);

#define WATCH_DEBOUNCE_MS 150
#define WATCH_DIRTY_MAX	  65536 /* paths per grant before it becomes "full" */

/* Create the watcher and start its thread (call after ev_new(): the thread
 * inherits the blocked signals). `fn` may be NULL. DH_EFAIL when inotify is
 * unavailable (message says why: e.g. max_user_instances). */
int watch_new(struct watch **out, struct ev_loop *loop, watch_change_fn *fn, void *ctx)
	DH_MUST_CHECK;
/* Stop the thread, remove every watch, free. Never waits: a thread in the
 * middle of a walk ends it at its next directory, then drops the watches and
 * frees the rest itself. No watch_sync() or other call may be running or
 * follow. NULL-safe. Loop thread. */
void watch_free(struct watch *w);

/* Start watching the folder `path` (absolute, a realpath) as grant number
 * `grant` (0 … 63, each at most once). `state_dir` (may be NULL) is skipped
 * when it lies inside the folder. Returns at once: the recursive walk runs on
 * the watcher's thread, and until it is done the grant reads as "full".
 * DH_EFAIL on a bad grant number or a path that is not a directory. */
int watch_add_tree(struct watch *w, size_t grant, const char *path, const char *state_dir)
	DH_MUST_CHECK;

/* Move grant `grant`'s dirty set into *out (the set is then empty and `full`
 * cleared, unless the grant is degraded: then full stays set). A grant whose
 * first walk has not finished reads as full. Thread-safe. Free *out with
 * watch_dirty_fini(). DH_ENOTFOUND for a grant never added. */
int watch_take_dirty(struct watch *w, size_t grant, struct watch_dirty *out) DH_MUST_CHECK;
void watch_dirty_fini(struct watch_dirty *d);

/* Barrier: returns once every grant's first walk is done and every inotify
 * event queued before the call was read into the dirty sets, so a following
 * watch_take_dirty() sees all changes made before watch_sync() was called.
 * Blocks (a few ms normally; the first walk of a big folder takes longer):
 * never call it on the loop thread, only from the worker or tests. While the
 * watcher is paused (watch_pause) it waits for the resume. Thread-safe. */
void watch_sync(struct watch *w);

/* True once a watch could not be added (max_user_watches) or a grant folder
 * itself was moved or deleted: its checkpoints are full scans from then on. */
bool watch_is_degraded(const struct watch *w);
/* Append a one-line state: "inotify, N directories watched", with
 * "; degraded: REASON" and "; N overflows (rescanned)" when they apply. */
void watch_status(const struct watch *w, struct buf *out);

/* The folders of grant `grant` that hold a `.git` (a directory, or the file of
 * a worktree or a submodule checkout; a symlink named .git is not counted), at `min_depth`
 * folders below it or deeper (1: its children), as absolute paths appended to
 * `out` (heap strings it owns), nearest first (fewer components, then strcmp
 * order), at most `max` of them. run_command names them to the sandbox, which
 * then protects their hooks and config (sandbox/README.md, "Nested
 * repositories"). The walk finds them and inotify events keep the list; the
 * folders the watcher does not look in (.deskhandignore, the state directory,
 * `.git` directories themselves) are not listed. Before the first walk ends,
 * only the ones it has reached are; after lost events or new .deskhandignore
 * rules, one that is gone may stay listed (the sandbox skips a folder without
 * a .git directory). At most WATCH_REPOS_MAX per grant are kept (one more is
 * logged), and a degraded watcher (watch_is_degraded) may not have reached
 * them all. Returns 1 once the grant's first walk is over, 0 while it runs
 * (more may come). Thread-safe. DH_ENOTFOUND for a grant never added. */
#define WATCH_REPOS_MAX 1024
int watch_repos(struct watch *w, size_t grant, size_t min_depth, size_t max, struct strv *out)
	DH_MUST_CHECK;

/* Test hook: stop reading inotify events (they queue in the kernel, which
 * is how a test forces IN_Q_OVERFLOW) or resume. */
void watch_pause(struct watch *w, bool paused);

#endif
