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

#define SNAP_NOTES_REF "refs/notes/deskhand"

struct snap_store {
	git_repository *repo;
	git_index *index;      /* the shadow index: our stat cache */
	char *workdir;         /* real absolute folder path, no trailing '/' */
	char *repo_path;       /* ".../snapshots/HASH.git/" */
	char *index_path;      /* repo_path + "index" */
	char *skip_rel;        /* the state dir relative to workdir, or NULL */
	struct timespec trust; /* stat data older than this (minus 1 s) is trusted */
	unsigned tmp_seq;      /* temp-name counter for restores */
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
 * Paths escape '\\' and '\n' C-style. Both arrays are kept sorted by strcmp.
 */
struct snap_meta_mode {
	char *path;
	unsigned mode; /* permission bits (07777) */
};

struct snap_meta {
	size_t nfiles;
	char **dirs;
	size_t ndirs, capdirs;
	struct snap_meta_mode *modes;
	size_t nmodes, capmodes;
};

void snap_meta_fini(struct snap_meta *m);
void snap_meta_add_dir(struct snap_meta *m, const char *path);
void snap_meta_add_mode(struct snap_meta *m, const char *path, unsigned mode);
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

#endif
