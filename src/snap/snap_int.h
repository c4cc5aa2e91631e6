/* SPDX-License-Identifier: MIT */
#ifndef DH_SNAP_SNAP_INT_H
#define DH_SNAP_SNAP_INT_H

/*
 * Private to src/snap/: the store, the per-checkpoint metadata kept in notes,
 * the folder scanner and the restore helpers. The only header that includes
 * <git2.h>; nothing here is visible outside src/snap/.
 */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <git2.h>

#include "core/err.h"

struct buf;
struct ignore;

#define SNAP_NOTES_REF "refs/notes/deskhand"

struct snap_store {
	git_repository *repo;
	git_index *index;      /* the shadow index: our stat cache */
	char *workdir;         /* real absolute folder path, no trailing '/' */
	char *repo_path;       /* ".../snapshots/HASH.git/" */
	char *index_path;      /* repo_path + "index" */
	char *skip_rel;        /* the state dir relative to workdir, or NULL */
	struct timespec trust; /* stat data older than this (minus 1 s) is trusted */
	/* Incremental checkpoints (snap_scan_dirty): the state of the last scan. */
	struct ignore *ign;        /* .deskhandignore rules of the last full scan */
	struct snap_meta *cache;   /* its metadata (heap), or NULL: no scan yet */
	git_oid last_tree;         /* the tree the index described after it */
	bool index_dirty;          /* index changed in memory, not yet written */
	long long large_limit;     /* files above this many bytes are not stored */
	size_t paths_read;         /* paths examined by the last scan */
	bool last_incremental;     /* the last scan was snap_scan_dirty() */
	int lock_fd;               /* the writer lock (snap_lock.c) held, or -1 */
};

/* Map a libgit2 result to DH_* and record libgit2's message (STYLE.md §3.8). */
static inline int
G(int rc)
{
	const git_error *e;

	if (rc >= 0)
		return rc;
	e = git_error_last();
	if (rc == GIT_ENOTFOUND)
		return err_setc(DH_ENOTFOUND, "snapshot: %s", e ? e->message : "not found");
	return err_set("snapshot: %s", e ? e->message : "unknown libgit2 error");
}

/*
 * Metadata a git tree cannot hold, stored as a note on each checkpoint:
 *   n COUNT        files in the tree
 *   d PATH         an empty directory (nothing tracked below it)
 *   m 0600 PATH    a regular file whose permission bits are not 0644/0755
 *   L SIZE PATH    a file over the large-file limit: not stored, cannot be restored
 * Paths escape '\\' and '\n' C-style. Both arrays are kept sorted by strcmp.
 */
struct snap_meta_mode {
	char *path;
	unsigned mode; /* permission bits (07777) */
};

/* A file over the large-file limit: listed, never stored ("L SIZE PATH"). */
struct snap_meta_large {
	char *path;
	long long size; /* bytes when it was seen */
};

struct snap_meta {
	size_t nfiles;
	char **dirs;
	size_t ndirs, capdirs;
	struct snap_meta_mode *modes;
	size_t nmodes, capmodes;
	struct snap_meta_large *large;
	size_t nlarge, caplarge;
};

void snap_meta_fini(struct snap_meta *m);
void snap_meta_add_dir(struct snap_meta *m, const char *path);
void snap_meta_add_mode(struct snap_meta *m, const char *path, unsigned mode);
void snap_meta_add_large(struct snap_meta *m, const char *path, long long size);
/* Deep copy of src into *dst (which is overwritten, not finalized). */
void snap_meta_copy(struct snap_meta *dst, const struct snap_meta *src);
/* Drop every entry (dir, mode, large file) that is `path` or lies below it. */
void snap_meta_remove_under(struct snap_meta *m, const char *path);
/* Sort and drop duplicate entries. */
void snap_meta_normalize(struct snap_meta *m);
/* The recorded size of large file `path`, or -1 when it is not listed. */
long long snap_meta_large_size(const struct snap_meta *m, const char *path);
void snap_meta_sort(struct snap_meta *m);
void snap_meta_format(const struct snap_meta *m, struct buf *out);
/* Parse note text (an unknown line kind is ignored: newer writers may add some). */
void snap_meta_parse(struct snap_meta *m, const char *text);
/* The recorded mode of `path`, or 0 when it has the tree's default. */
unsigned snap_meta_mode(const struct snap_meta *m, const char *path);
bool snap_meta_has_dir(const struct snap_meta *m, const char *path);
/* Read the note of `commit` into *m (left empty when there is none). */
int snap_meta_read(struct snap_meta *m, git_repository *repo, const git_oid *commit) DH_MUST_CHECK;

/* Bring the shadow index up to date with the folder (re-reading only files
 * whose stat data changed), write it back, and return the tree it describes
 * in *tree_out with the folder's metadata in *meta (caller finis it). */
int snap_scan(struct snap_store *s, git_oid *tree_out, struct snap_meta *meta) DH_MUST_CHECK;

/* Bring the shadow index up to date for `paths` only (sorted by strcmp; a
 * directory means its whole subtree; vanished paths are dropped), then build
 * the tree by updating the last scan's tree along those paths: the cost grows
 * with what changed, not with the folder. The index is written later (by the
 * next full scan or snap_close). Returns 0, DH_EAGAIN when only a full scan
 * will do (no scan yet in this process, the ignore rules changed, the index
 * moved under us), or DH_EFAIL. */
int snap_scan_dirty(struct snap_store *s, const char *const *paths, size_t n, git_oid *tree_out,
                    struct snap_meta *meta) DH_MUST_CHECK;
/* Write the in-memory index if an incremental scan changed it (snap_close). */
void snap_scan_flush(struct snap_store *s);

/*
 * Packing (snap_pack.c): a full scan writes the new blobs of a big folder
 * into pack files instead of one loose object per file.
 */
struct snap_packer;
/* Start collecting blobs in memory (libgit2's mempack on a second handle of
 * the shadow repository). */
int snap_pack_begin(struct snap_packer **out, struct snap_store *s) DH_MUST_CHECK;
/* Store a blob: in memory when it is new (flushed to a pack every 64 MiB),
 * loose when it is big; nothing when the store has it already. */
int snap_pack_write(struct snap_packer *p, git_oid *out, const void *data, size_t len)
	DH_MUST_CHECK;
/* Write what is collected as one pack into objects/pack and make the store's
 * object database see it. */
int snap_pack_flush(struct snap_packer *p) DH_MUST_CHECK;
/* Free (without flushing); NULL-safe. */
void snap_pack_free(struct snap_packer *p);

/*
 * Restore helpers (snap_restore.c). `root` is an O_DIRECTORY fd of the folder;
 * paths are relative, '/'-separated, and no component is followed through a
 * symlink.
 */

/* true when the folder's `path` matches `want` (NULL: must be absent; a tree
 * entry: must be a directory; a blob: same type, perm and content, where `perm`
 * is the expected permission bits of a regular file). */
bool snap_restore_matches(int root, const char *path, const git_tree_entry *want, unsigned perm);
/* Replace `path` by blob `id` (regular file with `perm`, or symlink when
 * `mode` is GIT_FILEMODE_LINK), creating parent directories. */
int snap_restore_write(struct snap_store *s, int root, const char *path, const git_oid *id,
                       git_filemode_t mode, unsigned perm) DH_MUST_CHECK;
/* Remove the file or symlink `path`; 1 if removed, 0 if it was not there or is
 * a directory (left alone), <0 on error. */
int snap_restore_remove(int root, const char *path) DH_MUST_CHECK;
/* Remove the directory `path` if it is empty; true if removed. */
bool snap_restore_rmdir(int root, const char *path);
/* Create directory `path` and its parents; 1 if created, 0 if it existed. */
int snap_restore_mkdir(int root, const char *path) DH_MUST_CHECK;

/*
 * Exposed from snap.c for snap_review.c (the review model reuses the
 * checkpoint writer, the change lister and the state helpers of undo).
 */
struct snap_checkpoint;
struct snap_change;

/* Scan the folder and commit it on `session` with the full message `msg`
 * (first line, blank line, trailers); no commit when nothing changed. */
int snap_take(struct snap_store *s, const char *session, const char *msg,
              struct snap_checkpoint *out) DH_MUST_CHECK;
/* "refs/deskhand/SESSION/WHICH" into dst; DH_EFAIL for an unsafe session id. */
int snap_ref_name(char *dst, size_t n, const char *session, const char *which) DH_MUST_CHECK;
/* What changed from (ot, om) to (nt, nm), as snap_log() reports it (renames,
 * notes' mode and empty-directory changes); sorted by path. *out is freed
 * with snap_changes_free(). */
int snap_changes_between(struct snap_store *s, git_tree *ot, const struct snap_meta *om,
                         git_tree *nt, const struct snap_meta *nm, struct snap_change **out,
                         size_t *nout) DH_MUST_CHECK;
void snap_changes_free(struct snap_change *v, size_t n);
/* Whether `dir` is a directory in the state (tree + note) of a checkpoint. */
bool snap_dir_exists(git_tree *tree, const struct snap_meta *m, const char *dir);
/* Permission bits a regular file `path` should have: the note's, else git's. */
unsigned snap_want_perm(const git_tree_entry *te, const struct snap_meta *m, const char *path);

struct review_file;
#define SNAP_DOC_LINES_MAX 2000 /* changed cells listed for one spreadsheet */
/* A binary document's hunks (snap_review.c): for a spreadsheet the changed
 * cells (doc_book_diff, at most SNAP_DOC_LINES_MAX lines), for other
 * documents the diff of their text (doc_to_text); old or new NULL for an
 * absent side. Returns 1 with f's hunks, added, removed and textconv set, 0
 * when `path` is no document or a side cannot be read (f unchanged). */
int snap_doc_hunks(struct review_file *f, const char *path, const void *old, size_t old_len,
                   const void *new, size_t new_len);

#endif
