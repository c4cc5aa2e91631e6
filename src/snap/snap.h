/* SPDX-License-Identifier: MIT */
#ifndef DH_SNAP_SNAP_H
#define DH_SNAP_SNAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct buf;
struct strv;

/*
 * Snapshot store (DESIGN.md "Snapshots", STYLE.md §3.14): one shadow bare git
 * repository per granted folder at STATE_DIR/snapshots/HASH.git, its work
 * directory set to the folder. A checkpoint is a commit of the folder's whole
 * tree (every file, .gitignore'd ones too; `.git` entries and the state dir are
 * skipped) on refs/deskhand/SESSION/head; a session's first checkpoint is also
 * refs/deskhand/SESSION/baseline. What trees cannot hold (empty directories,
 * permission bits other than 0644/0755) is kept in a note on refs/notes/deskhand.
 * Paths matched by the ignore rules (built-in ones for office suites' lock
 * files, then the folder's `.deskhandignore`; gitignore syntax, see
 * core/ignore.h) and files over the large-file limit are not stored; a path
 * they match now is left out of diffs, review and restores even where an
 * older checkpoint holds it.
 *
 * Threading: everything is synchronous. A store belongs to ONE thread (the
 * snapshot worker) and must not be shared; no process-global state is used
 * beyond libgit2's own, set up once per process (snap_global_init() below).
 * Nothing here may be called from an event-loop callback (it does disk I/O).
 *
 * Ids are 40-char lowercase hex commit ids; short ids are their first 12.
 */

struct snap_store; /* opaque */

struct snap_checkpoint {
	char id[41];          /* commit id (the parent's when !created) */
	char short_id[13];    /* first 12 hex digits */
	size_t files_changed; /* changes vs the parent (baseline: files in the tree) */
	long duration_ms;     /* wall time of the call, monotonic clock */
	bool created;         /* false: nothing changed, no commit was made */
	size_t paths_read;    /* paths whose stat data was checked (full: every file) */
	const char *mode;     /* "full" (whole-folder scan) or "incremental"; static */
	char damaged[41];     /* "": the head was read; else the head that could not be
	                       * (over_damaged), which this commit has as its parent */
	bool repaired;        /* with damaged: recording the folder, which matched what
	                       * could not be read (the head's tree or note), wrote it
	                       * anew, and the head reads again */
	bool damaged_below;   /* with damaged: the head's commit, tree and note read, a
	                       * directory below its tree does not (snap_tree_damaged) */
};

/* The paths that changed since the store's last scan, as the watcher saw
 * them (watch/watch.h): relative to the folder, '/'-separated, sorted by
 * strcmp; a directory stands for its whole subtree. */
struct snap_dirty {
	const char *const *paths;
	size_t n;
	bool full; /* anything may have changed: scan the whole folder */
};

/* What to record, for snap_checkpoint_opt(). */
struct snap_checkpoint_opts {
	const char *label;              /* first message line; NULL = "checkpoint" */
	int turn;                       /* < 0: no Deskhand-Turn trailer */
	const char *tool_call;          /* NULL: no Deskhand-Tool-Call trailer */
	bool external;                  /* made by someone else: Deskhand-External trailer */
	const struct snap_dirty *dirty; /* NULL: scan the whole folder */
	struct buf *stat;               /* if set and a commit was made: git's --stat
	                                 * text vs the parent is appended (as
	                                 * snap_diffstat; narrowed to the dirty paths) */
	bool over_damaged;              /* a head that cannot be read (a damaged
	                                 * object) does not fail the checkpoint: the
	                                 * commit records the folder, from a full
	                                 * scan, with that head as its parent, by id
	                                 * (a recovery, a live session's step: the
	                                 * folder is recorded anew, and what can be
	                                 * read of the history stays reachable past
	                                 * the damage) */
	bool builtin_rules;             /* the folder's .deskhandignore is not read:
	                                 * the built-in ignore rules alone decide what
	                                 * is recorded, from a full scan (a step whose
	                                 * call created that file, which the person's
	                                 * rules did not have: the agent does not
	                                 * choose what its own step records) */
	const char *rules;              /* with builtin_rules: the person's
	                                 * .deskhandignore as it was before the call,
	                                 * read after the built-in rules (a command
	                                 * run without the sandbox rewrote it); NULL:
	                                 * there was none */
};

struct snap_change {
	char status;    /* 'A','M','D','R' (rename), 'T' (type or mode change) */
	char *path;     /* new path; directories (empty ones) end in '/' */
	char *old_path; /* the old path for 'R', else NULL */
};

struct snap_log_entry {
	char id[41];
	char short_id[13];
	char *label;                 /* first line of the message */
	char *tool_call;             /* Deskhand-Tool-Call trailer, or NULL */
	int turn;                    /* Deskhand-Turn trailer, or -1 */
	bool external;               /* Deskhand-External: changes the agent did not make */
	long long time;              /* commit time, seconds since the epoch */
	struct snap_change *changes; /* vs the parent; NULL/0 for the baseline, and
	                              * when the parent cannot be read */
	size_t nchanges;
	size_t nfiles; /* files (blobs and links) in this checkpoint's tree */
	char *damage;  /* NULL; or why this checkpoint cannot be read (the shadow
	                * repository, the object, libgit2's message, what to do:
	                * snap_log()), with only id, short_id and label set */
};

/*
 * Store lifecycle
 */

/* Process-wide libgit2 setup. libgit2 is loaded with dlopen(), not linked
 * (core/dl.h), by the first call that needs it (snap_open_repo(), on the
 * thread that owns the store: a launch does not wait for it), with
 * git_libgit2_init(); that call fails with an error naming libgit2 and its
 * Debian package if it could not be loaded. snap_global_init() does the same
 * load at once and returns 0 or DH_EFAIL. Call snap_global_shutdown() once
 * at the end, when no store is in use any more. Objects, packs and refs
 * are written by libgit2 to a temporary name, fsynced and renamed
 * (GIT_OPT_ENABLE_FSYNC_GITDIR), so neither a killed process nor a power
 * loss leaves a ref naming a torn object; a baseline, one pack, costs a few
 * fsyncs, not one per file. The index is not fsynced: it is a cache of the
 * scan, rebuilt when it is lost. libgit2's object cache is off and its CA
 * store freed (memory; the shadow repositories never use the network). */
int snap_global_init(void) DH_MUST_CHECK;
void snap_global_shutdown(void);
/* "libgit2 X.Y.Z" of the library actually loaded (loading it if need be).
 * Static string; err_msg()'s text if it cannot be loaded. */
const char *snap_library_version(void);

/* Open (creating on first use) the shadow repository for `workdir`, which must
 * be an absolute path equal to its realpath(3): snap_prepare() then
 * snap_open_repo(). *out is owned by the caller (snap_close). Returns 0,
 * DH_ENOTFOUND (no such folder) or DH_EFAIL. */
int snap_open(struct snap_store **out, const char *workdir, const char *state_dir) DH_MUST_CHECK;

/* The first half of snap_open(), which needs no libgit2 (so a launch does
 * not wait for its load): checks `workdir` as above, creates `state_dir` if
 * missing and the repository's directory, STATE_DIR/snapshots/HASH.git/
 * where HASH is git's object id of the folder path as a blob (the SHA-1 of
 * "blob LEN\0PATH"). If the state dir lies inside the folder it is excluded
 * from checkpoints. The store can be locked (snap_lock) and closed at once;
 * its repository is opened by snap_open_repo(), which every other function
 * taking a store calls first (on the thread that owns the store). *out is
 * owned by the caller (snap_close). Returns 0, DH_ENOTFOUND (no such folder)
 * or DH_EFAIL. */
int snap_prepare(struct snap_store **out, const char *workdir, const char *state_dir)
	DH_MUST_CHECK;

/* A store over the shadow repository of a granted folder that is gone
 * (moved or deleted): `workdir` is the folder's path as it was granted
 * (absolute, its real path then), the repository found from it as
 * snap_prepare() finds it. It is opened read-only, for the history:
 * snap_log(), snap_resolve(), and snap_diff()/snap_diffstat() between two
 * checkpoints. Everything that would read or write the folder or move the
 * session's refs (checkpoints, snap_diff() to the current contents, the
 * review commands of snap/review.h) returns DH_ENOTFOUND, "snapshot: FOLDER
 * is gone (moved or deleted): ...", and touches nothing at that path, which
 * may hold another folder by now; nothing is created. *out is owned by the
 * caller (snap_close). Returns 0, DH_ENOTFOUND (no repository for that
 * folder) or DH_EFAIL. */
int snap_open_gone(struct snap_store **out, const char *workdir, const char *state_dir)
	DH_MUST_CHECK;

/* The second half: load libgit2 if need be, open the repository or
 * create it, refuse one that records another folder ("snapshot: REPO belongs
 * to OTHER, not FOLDER") and read its index. A no-op once it has succeeded;
 * after a failure the next call tries again. Returns 0 or DH_EFAIL with
 * err_msg() saying why (libgit2 missing, a corrupt repository, …). */
int snap_open_repo(struct snap_store *s) DH_MUST_CHECK;

/* Close the repository and free the store; NULL is a no-op. */
void snap_close(struct snap_store *s);

/*
 * One writer per shadow repository (issue 10). A live engine holds its
 * stores' writer locks for as long as it has them open; an offline review
 * verb holds one for the duration of the verb. The lock is flock(LOCK_EX) on
 * REPO/deskhand-owner, so the kernel releases it when the holder exits or
 * crashes; the file holds "KIND SESSION PID\n" (SESSION "-" while the engine
 * has no session yet) so that a refused caller can name the holder.
 */

/* What holds a writer lock: a live engine (clients attach to it), the
 * engine of a foreground `deskhand run` (in that process: nothing can attach
 * to it), or a review verb of the CLI. */
enum snap_lock_kind {
	SNAP_LOCK_ENGINE,
	SNAP_LOCK_RUN,
	SNAP_LOCK_VERB,
};

/* Take the writer lock of `s`'s shadow repository for `session` (NULL: no
 * session yet), without waiting. Taking it again through the same store only
 * rewrites the owner (e.g. once the session exists). Returns 0, or DH_EDENIED
 * when another process (or another store of this one) holds it, with a
 * message naming the holder: "folder ~/x is in use by live session ID (pid
 * N); attach with: deskhand attach ID" (an engine), "folder ~/x is being
 * changed by a review command on session ID (pid N); try again" (a verb),
 * "session ID is live: its engine (pid N) runs it now; reach it with:
 * deskhand attach ID" (an engine of `session` itself); for a foreground
 * run, which no attach can reach, "folder ~/x is in use by session ID,
 * which deskhand run (pid N) runs in the foreground; wait for it:
 * deskhand wait ID" and "session ID is live: deskhand run (pid N) runs it
 * in the foreground; interrupt it there, or wait for it: deskhand wait ID";
 * DH_EFAIL on I/O errors. Released by snap_unlock() or snap_close().
 * Once taken, the lock files a killed writer left beside the shared refs
 * and the index (refs/notes/deskhand.lock, packed-refs.lock, index.lock)
 * are removed, each with a warning in the log: they would fail every later
 * update of their ref, and every checkpoint. */
int snap_lock(struct snap_store *s, enum snap_lock_kind kind, const char *session) DH_MUST_CHECK;

/* Release the writer lock if this store holds it. NULL-safe; no-op otherwise. */
void snap_unlock(struct snap_store *s);

/* The holder of a writer lock, as its owner line names it. */
struct snap_holder {
	enum snap_lock_kind kind;
	char *session; /* heap; NULL while the holder has no session yet */
	long pid;
};

/* Who holds the writer lock of the folder `workdir` (any path to it) under
 * the state dir `state_dir`, from the owner line, read without taking the
 * lock and creating nothing: for naming the holder once snap_lock() was
 * refused (by another process, which cannot say who in a form to act on).
 * The line outlives a holder that was killed, so it counts only while its
 * process is alive; that is no proof the lock is held (the pid may have been
 * reused): use it to name, not to decide. Returns 1 with *out filled (free
 * out->session), 0 when the line names nobody alive (no repository yet, no
 * line: the lock was released), DH_ENOTFOUND (no such folder) or DH_EFAIL. */
int snap_lock_holder(const char *workdir, const char *state_dir, struct snap_holder *out)
	DH_MUST_CHECK;

/* The shadow repository's path (".../snapshots/HASH.git/"). Borrowed: valid
 * until snap_close(). */
const char *snap_repo_path(const struct snap_store *s);

/*
 * Checkpoints
 */

/* Commit the folder's current contents on `session`'s branch. `session` is a
 * ref-safe id ([A-Za-z0-9._-], not starting with '.'). `label` becomes the first
 * message line (newlines are flattened); `turn` < 0 and `tool_call` NULL omit
 * their trailers. Only files whose stat data changed since the last scan are
 * re-read (the shadow index is the stat cache). When neither the tree nor the
 * note (empty dirs, odd modes) differ from the session head, no commit is made:
 * out->created is false, out->id is the head and files_changed 0.
 * Unreadable files are skipped (logged). Returns 0, DH_EFAIL. */
int snap_checkpoint(struct snap_store *s, const char *session, const char *label, int turn,
                    const char *tool_call, struct snap_checkpoint *out) DH_MUST_CHECK;

/* snap_checkpoint() with options. With `o->dirty` (and !dirty->full) only
 * those paths are re-read and the tree is updated along them, so the cost
 * grows with what changed (mode "incremental"); this needs a full scan by the
 * same store earlier and the watcher running since before it: a path changed
 * but not listed would be missed until the next full scan. It falls back to
 * a full scan by itself when it cannot be incremental (no scan yet, the
 * .deskhandignore rules changed). `o->external` records the commit as changes
 * someone else made (the watcher saw them outside any agent tool call):
 * snap_log() reports external = true and agent-step undo leaves them alone.
 * A head that cannot be read fails the checkpoint, the message naming the
 * shadow repository, the object at fault, libgit2's reason and what the
 * person can do, unless `o->over_damaged`. Returns 0, DH_EFAIL. */
int snap_checkpoint_opt(struct snap_store *s, const char *session,
                        const struct snap_checkpoint_opts *o, struct snap_checkpoint *out)
	DH_MUST_CHECK;

/* The line saying that checkpoint `ck` of `session` in folder `grant` was
 * taken over a head that could not be read (ck->damaged set): "GRANT: the
 * head checkpoint ID of session S cannot be read (see 'deskhand log'):
 * recorded the folder as it is now over it (checkpoint SHORT)", or with
 * ck->repaired "GRANT: the head checkpoint ID of session S could not be
 * read: the folder matched it, and recording it over it (checkpoint SHORT)
 * wrote what was damaged anew; it reads again", or with ck->damaged_below
 * "GRANT: a directory of the head checkpoint ID of session S cannot be read
 * ('deskhand diff ID' names it): recorded the folder as it is now over it
 * (checkpoint SHORT)"; appended to out, without a newline. The one
 * wording of it: recoveries and live checkpoints say it. */
void snap_checkpoint_say_damaged(struct buf *out, const char *grant, const char *session,
                                 const struct snap_checkpoint *ck);

/* Files larger than `bytes` are not stored in checkpoints (the note lists
 * them as "L SIZE PATH", and undo says it cannot restore them). 0 restores
 * the default, 256 MiB. Takes effect at the next checkpoint. */
void snap_set_large_limit(struct snap_store *s, long long bytes);

/* The session's checkpoints, oldest first, following first parents from its
 * head. Each entry lists what it changed against its parent (renames detected
 * as 'R'; mode-only and empty-directory changes from the notes); the baseline
 * has nchanges 0 and only nfiles. Only the subtrees on the way to a change are
 * read, so the cost follows the changes, not the folder's size (10,000 files,
 * 31 checkpoints: 24-28 ms, bench-checkpoint). A checkpoint that cannot be
 * read (a damaged or missing object) is listed with `damage` set; when its
 * commit is what cannot be read, its parent is unknown, and the list goes on
 * below it with the session's baseline alone (what lies between cannot be
 * reached). *out (free with snap_log_free) and *n are set to NULL/0 first.
 * Returns 0 (also with damaged entries: the caller checks `damage`),
 * DH_ENOTFOUND (no such session) or DH_EFAIL. */
int snap_log(struct snap_store *s, const char *session, struct snap_log_entry **out,
             size_t *n) DH_MUST_CHECK;

/* Free an array from snap_log(); NULL is a no-op. */
void snap_log_free(struct snap_log_entry *e, size_t n);

/* Resolve `spec` on `session` into a full id: "baseline", "head", "accepted"
 * (the accepted mark; the baseline while nothing is accepted), or a hex id or
 * unique prefix of at least 4 digits of a checkpoint reachable from the head
 * (past a checkpoint that cannot be read, only the baseline is: snap_log()).
 * Returns 0, DH_ENOTFOUND (unknown, ambiguous or not on that session; the
 * message says when checkpoints could not be read), DH_EFAIL. */
int snap_resolve(struct snap_store *s, const char *session, const char *spec,
                 char out_id[41]) DH_MUST_CHECK;

/*
 * Diffs
 */

/* Append a unified diff (git's format: "diff --git a/x b/x" headers, mode
 * lines, renames, "Binary files a/x and b/x differ") from checkpoint `from_id`
 * to `to_id`, or to the folder's current contents when `to_id` is NULL, to
 * `out`. Ids may be unique hex prefixes. flags: SNAP_DIFF_COLOR, lines get
 * ANSI SGR codes (bold headers, cyan hunks, green +, red -), each reset
 * before its newline; SNAP_DIFF_SHOWN, the files' text and paths are made
 * printable (utf8_sanitize(), newlines kept: for a terminal, no longer a
 * patch). Scanning the folder (to_id NULL) writes blobs for the current
 * contents; it updates the stat cache in memory, and on disk only with the
 * writer lock held (snap_lock: only the writer writes the index, so a lock
 * file of it is one left by a writer killed, cleared when the lock is
 * taken). Returns 0, DH_ENOTFOUND, DH_EFAIL. */
enum snap_diff_flags {
	SNAP_DIFF_COLOR = 1 << 0,
	SNAP_DIFF_SHOWN = 1 << 1,
};
int snap_diff(struct snap_store *s, const char *from_id, const char *to_id, unsigned flags,
              struct buf *out) DH_MUST_CHECK;

/* Append git's --stat text (" path | N +-" lines, then " N files changed, …")
 * for the same range as snap_diff() to `out`; nothing when there is no change.
 * Returns 0, DH_ENOTFOUND, DH_EFAIL. */
int snap_diffstat(struct snap_store *s, const char *from_id, const char *to_id,
                  struct buf *out) DH_MUST_CHECK;

/* Undo and restore are the review model's (snap/review.h): snap_review_undo()
 * reverts agent steps, snap_review_restore() returns to a checkpoint. */

/* Remove the lock files ("NAME.lock") a killed process left under the
 * session's refs (refs/deskhand/SESSION/...): libgit2 takes one for each ref
 * update and a SIGKILL in between leaves it, after which every update of that
 * ref fails ("failed to lock file"). Only for a caller that owns the session
 * (a live owner would hold its transcript lock): its refs then have no other
 * writer, so any lock there is stale. Other sessions' refs and the shared
 * index are left alone. Returns how many were removed (0 when the session has
 * no refs in this store). */
size_t snap_clear_stale_locks(struct snap_store *s, const char *session);

/* What git runs from the repository at `workdir` (an absolute folder that
 * holds a `.git`) when someone uses git there, appended to `out` one line
 * each: "hooks/NAME" for each hook it would run (a file with an execute bit
 * in the hooks directory, other than git init's *.sample ones), then
 * "config NAME = VALUE" for each entry of the repository's own config (not
 * the global or system one) that names a command or another config file to
 * read: core.fsmonitor, core.hooksPath, core.sshCommand, core.pager, a
 * filter's clean and smudge, a diff driver's textconv, credential helpers,
 * include.path, an alias starting with '!', and the rest of the table in
 * snap_gitrun.c (after git-config(1)); VALUE is cut at 200 bytes. A `.git`
 * file ("gitdir: PATH", a worktree's or a submodule checkout's) is followed,
 * and a worktree's common directory; when anything runs from there, a line
 * "git directory PATH" comes first. Reads the files directly (libgit2 parses
 * the config); changes nothing; any thread, no store needed. Returns how
 * many hooks and entries were found (0: nothing runs), or DH_EFAIL, with
 * err_msg() naming the file, when there is no git directory to read or its
 * config cannot be parsed (then nothing is appended). */
int snap_repo_runs(const char *workdir, struct strv *out) DH_MUST_CHECK;

#endif
