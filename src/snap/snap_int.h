/* SPDX-License-Identifier: MIT */
#ifndef DH_SNAP_SNAP_INT_H
#define DH_SNAP_SNAP_INT_H

/*
 * Private to src/snap/: the store, the per-checkpoint metadata kept in notes,
 * the folder scanner and the restore helpers. The only header that includes
 * <git2.h>, and the table of libgit2's functions; nothing here is visible
 * outside src/snap/.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include "core/dl.h"
#include "core/err.h"

struct buf;
struct ignore;
struct strv;

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
	struct ignore *ign;        /* ignore rules of the last full scan (or snap_ignored) */
	bool builtin_rules;        /* the checkpoint under way reads no .deskhandignore
	                            * (snap_checkpoint_opts.builtin_rules) */
	const char *builtin_text;  /* ... but these rules after the built-in ones
	                            * (snap_checkpoint_opts.rules), or NULL */
	bool rules_builtin;        /* ign are the built-in rules, whatever the folder
	                            * has: the next scan is a full one */
	struct snap_meta *cache;   /* its metadata (heap), or NULL: no scan yet */
	git_oid last_tree;         /* the tree the index described after it */
	bool index_dirty;          /* index changed in memory, not yet written */
	/* Set by a recovery of an interrupted tool call around its scan: the
	 * temporary files of core/atomic.h the scan meets (a write the killed
	 * call had not renamed into place) are removed, each noted here. */
	struct buf *drop_tmp;
	/* Set the same way: the git directories below the folder's root that
	 * the scan passes by ("sub/.git", relative; not a `.git` file) are
	 * appended here. */
	struct strv *repos_seen;
	long long large_limit;     /* files above this many bytes are not stored */
	size_t paths_read;         /* paths examined by the last scan */
	bool last_incremental;     /* the last scan was snap_scan_dirty() */
	bool last_widened;         /* ... and it re-read paths beyond the dirty ones
	                            * (other names of a hard-linked file) */
	int lock_fd;               /* the writer lock (snap_lock.c) held, or -1 */
	bool gone;                 /* snap_open_gone: the folder is gone, the
	                            * repository is read for its history only */
};

/* libgit2 is loaded, not linked (core/dl.h): with it come mbedTLS, libssh2,
 * Kerberos and a dozen more that a launch would otherwise map and relocate
 * before main(). Every call goes through the table `git` (git.git_NAME(...)),
 * filled by snap_git_load() (snap_git.c), which the entry points that make or
 * open a store call first; a store exists only once it has succeeded. */
#define SNAP_GIT_SYMS(X)                                                               \
	X(git_blob_create_from_buffer) X(git_blob_free) X(git_blob_lookup)             \
	X(git_blob_rawcontent) X(git_blob_rawsize) X(git_buf_dispose)                  \
	X(git_commit_create) X(git_commit_free) X(git_commit_id) X(git_commit_lookup)  \
	X(git_commit_lookup_prefix) X(git_commit_message) X(git_commit_parent)         \
	X(git_commit_parent_id) X(git_commit_parentcount) X(git_commit_time)           \
	X(git_commit_tree) X(git_commit_tree_id) X(git_config_foreach)                 \
	X(git_config_free) X(git_config_open_ondisk)                                   \
	X(git_config_get_string_buf) X(git_config_lock) X(git_config_set_bool)         \
	X(git_config_set_int32) X(git_config_set_string) X(git_diff_find_options_init) \
	X(git_diff_find_similar) X(git_diff_free) X(git_diff_get_delta)                \
	X(git_diff_get_stats) X(git_diff_num_deltas) X(git_diff_options_init)          \
	X(git_diff_print) X(git_diff_stats_free) X(git_diff_stats_to_buf)              \
	X(git_diff_tree_to_tree) X(git_error_clear) X(git_error_last)                  \
	X(git_graph_descendant_of) X(git_index_add) X(git_index_entrycount)            \
	X(git_index_find) X(git_index_find_prefix) X(git_index_free)                   \
	X(git_index_get_byindex) X(git_index_get_bypath) X(git_index_new)              \
	X(git_index_read_tree) X(git_index_remove) X(git_index_write)                  \
	X(git_index_write_tree) X(git_index_write_tree_to) X(git_libgit2_init)         \
	X(git_libgit2_opts) X(git_libgit2_shutdown) X(git_libgit2_version)             \
	X(git_merge_file) X(git_merge_file_result_free)                                \
	X(git_mempack_new) X(git_mempack_reset) X(git_message_trailer_array_free)      \
	X(git_message_trailers) X(git_note_commit_read) X(git_note_free)               \
	X(git_note_message) X(git_note_read)                                            \
	X(git_odb_add_backend) X(git_odb_exists_ext) X(git_odb_free) X(git_odb_hash)   \
	X(git_odb_object_free) X(git_odb_read) X(git_odb_read_header)                  \
	X(git_odb_refresh) X(git_odb_write) X(git_oid_equal) X(git_oid_fromstr)        \
	X(git_oid_fromstrn) X(git_oid_fromstrp) X(git_oid_is_zero) X(git_oid_tostr)    \
	X(git_oid_tostr_s) X(git_packbuilder_free) X(git_packbuilder_insert)           \
	X(git_packbuilder_new) X(git_packbuilder_set_threads) X(git_packbuilder_write) \
	X(git_patch_free) X(git_patch_from_blob_and_buffer) X(git_patch_from_blobs)    \
	X(git_patch_from_buffers) X(git_patch_get_delta) X(git_patch_get_hunk)         \
	X(git_patch_get_line_in_hunk) X(git_patch_line_stats) X(git_patch_num_hunks)   \
	X(git_patch_print) X(git_reference_create) X(git_reference_create_matching)    \
	X(git_reference_free) X(git_reference_name_to_id) X(git_reference_remove)      \
	X(git_repository_config) X(git_repository_config_snapshot)                     \
	X(git_repository_free) X(git_repository_index) X(git_repository_init_ext)      \
	X(git_repository_init_options_init) X(git_repository_odb)                      \
	X(git_repository_open_bare) X(git_repository_path)                             \
	X(git_repository_set_workdir) X(git_revwalk_free) X(git_revwalk_new)           \
	X(git_revwalk_next) X(git_revwalk_push) X(git_revwalk_simplify_first_parent)   \
	X(git_revwalk_sorting) X(git_signature_free) X(git_signature_now)              \
	X(git_transaction_commit) X(git_transaction_free) X(git_tree_create_updated)   \
	X(git_tree_entry_bypath) X(git_tree_entry_byindex) X(git_tree_entry_byname)    \
	X(git_tree_entry_dup) X(git_tree_entry_filemode) X(git_tree_owner)             \
	X(git_tree_entry_free) X(git_tree_entry_id) X(git_tree_entry_name)             \
	X(git_tree_entry_type) X(git_tree_entrycount) X(git_tree_free)                 \
	X(git_tree_lookup) X(git_tree_walk) X(git_treebuilder_free)                    \
	X(git_treebuilder_get) X(git_treebuilder_insert) X(git_treebuilder_new)        \
	X(git_treebuilder_remove) X(git_treebuilder_write)
DL_SHARED_DECL(git, SNAP_GIT_SYMS);

/* Load libgit2 and run its global set-up once (any thread; one waits for a
 * load in progress on another). Returns 0, or DH_EFAIL with err_msg() naming
 * the library and its Debian package. */
int snap_git_load(void) DH_MUST_CHECK;

/* STATE/snapshots/HASH.git/ (with its slash), the shadow repository of the
 * folder `workdir` (real, absolute) under the state dir `sreal` (real).
 * Heap. */
char *snap_repo_path_for(const char *sreal, const char *workdir);

/* The guard of everything that reads or writes the folder, or moves the
 * session's refs: for a store of snap_open_gone() DH_ENOTFOUND, "snapshot:
 * FOLDER is gone (moved or deleted): HINT" (the path may belong to another
 * folder now: nothing is read or written there); else snap_open_repo(s).
 * `hint` NULL says that only its history can be read. Returns 0, DH_ENOTFOUND
 * or snap_open_repo()'s error. */
int snap_open_folder(struct snap_store *s, const char *hint) DH_MUST_CHECK;

/* Map a libgit2 result to DH_* and record libgit2's message (STYLE.md §3.8). */
static inline int
G(int rc)
{
	const git_error *e;

	if (rc >= 0)
		return rc;
	e = git.git_error_last();
	if (rc == GIT_ENOTFOUND)
		return err_setc(DH_ENOTFOUND, "snapshot: %s", e ? e->message : "not found");
	return err_set("snapshot: %s", e ? e->message : "unknown libgit2 error");
}

/*
 * Damage: objects of the shadow repository that cannot be read
 */

/* libgit2's last message as a new string the caller frees, kept before
 * later libgit2 calls replace it ("unknown libgit2 error" when none). */
char *snap_git_why(void);

/* err_set() for checkpoint `commit` that cannot be read, called right after
 * libgit2 failed on its object `obj` (the commit itself, or its tree; NULL:
 * its note), while git_error_last() is still that failure's. The message
 * names the shadow repository, the checkpoint and the ref of `session` that
 * names it (head, baseline, accepted; `session` NULL: none named), the
 * object and its loose file (empty, its size, or no such file and whether
 * the object is in a pack), libgit2's own message, and what the person can
 * do. Returns DH_EFAIL, a missing object too: that is damage, not the "no
 * such session" that G() would make of GIT_ENOTFOUND. */
int snap_damaged(struct snap_store *s, const char *session, const git_oid *commit,
                 const git_oid *obj);

/* err_set() for blob `id`, the content of file `path` in a checkpoint, that
 * cannot be read, called right after libgit2 failed on it (git_error_last()
 * still that failure's): the message names the shadow repository, the path,
 * the blob, libgit2's message, where the object lies (snap_object_where) and
 * what the person can do; it says nothing of the folder (a restore may have
 * written other files before: it lists them). Returns DH_EFAIL, a missing
 * blob too. */
int snap_blob_damaged(struct snap_store *s, const char *path, const git_oid *id);

/* Write into *out a commit of `tree` whose one parent is `parent`, without
 * reading the parent: git_commit_create() needs it as an object, and
 * git_commit_create_from_ids() checks that it can be read (libgit2's strict
 * object creation, on by default, a process-wide option); over a damaged
 * head, or damaged notes, it cannot be. The text is git's commit format
 * (git's Documentation/technical, "commit object"). 0, or DH_EFAIL. */
int snap_commit_over(git_repository *repo, git_oid *out, const git_oid *tree,
                     const git_oid *parent, const git_signature *sig, const char *msg);

/* After libgit2 failed on reading below `root` (a checkpoint's tree, or
 * NULL): whether a tree below it cannot be read. The first, depth first
 * (every subtree is read, so only after a failure), is named as
 * snap_blob_damaged names a blob ("cannot read DIR/ as a checkpoint
 * recorded it: its tree ID: ..."): err_set() (the caller returns
 * DH_EFAIL), or with `quiet` only logged as a warning (the caller goes on
 * without that tree: a checkpoint recorded over it). False, the caller's
 * error left as it is, when every one reads. */
bool snap_tree_damaged(struct snap_store *s, git_tree *root, bool quiet);

struct snap_meta;
/* Read checkpoint `id` of `session` (for snap_damaged()'s message; may be
 * NULL): its commit into *commit and its tree into *tree (the caller frees
 * both; either may be NULL when not wanted) and its note into *meta (NULL:
 * not wanted; else the caller finis it, also on failure). 0, or DH_EFAIL
 * from snap_damaged() with nothing returned. */
int snap_checkpoint_read(struct snap_store *s, const char *session, const git_oid *id,
                         git_commit **commit, git_tree **tree, struct snap_meta *meta)
	DH_MUST_CHECK;

/* Where object `id` of repo lies, for a message about it, appended to b:
 * "; its file F is empty", "; its file F has N bytes", "; it is in the pack
 * P at offset N" (from the pack's index, version 2), "; it is in a pack
 * under DIR" (another index, or an alternate), or "; the object is missing
 * (no file F)", naming FILE.damaged too when a rewrite was cut short
 * (snap_object_rewrite) (snap_object.c). */
void snap_object_where(struct buf *b, git_repository *repo, const git_oid *id);

/* Writes an object's content again (the scan's tree, a note's blob): 0 or
 * a DH_E* code with its message set. */
typedef int snap_object_write_fn(void *ctx);

/* Called after a write of object `id` failed: when repo has `id` but cannot
 * read it (its loose file emptied by a crash, say), write(ctx) writes the
 * same content anew, which git_odb_write() would otherwise skip as present:
 * the damaged file is set aside as FILE.damaged meanwhile, removed once the
 * object reads, else put back. `what` names the object for the message
 * ("the folder's tree"). Returns 1 when `id` reads (or is absent): the
 * failure was something else; 0 once it is written anew; write's error; or
 * DH_EFAIL with a message naming the repository, the object, libgit2's
 * reason and where the object lies (a packed one cannot be written anew). */
int snap_object_rewrite(git_repository *repo, const git_oid *id, const char *what,
                        snap_object_write_fn *write, void *ctx) DH_MUST_CHECK;

/*
 * Metadata a git tree cannot hold, stored as a note on each checkpoint:
 *   n COUNT        files in the tree
 *   d PATH         an empty directory (nothing tracked below it)
 *   m 0600 PATH    a regular file whose permission bits are not 0644/0755
 *   L SIZE PATH    a file over the large-file limit: not stored, cannot be restored
 *   v 2            directories' permission bits are recorded: every directory
 *                  not listed by an M line has 0755
 *   M 0700 PATH    a directory whose permission bits (0777) are not 0755
 * Notes without the v line (older versions) record no directory modes:
 * restores leave directories' modes as they find them. Paths escape '\\' and
 * '\n' C-style. The arrays are kept sorted by strcmp.
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
	struct snap_meta_mode *dmodes; /* directories not 0755 (mode: bits 0777) */
	size_t ndmodes, capdmodes;
	bool has_dmodes; /* directory modes recorded ("v 2"): unlisted ones are 0755 */
	bool has_root;   /* the folder's own mode recorded too ("v 3"), as directory
	                  * SNAP_ROOT's: else the folder is left as found */
};

#define SNAP_DIR_MODE_DEF 0755u /* a fresh mkdir under a 022 umask */
/* The granted folder itself in directory-mode records ("M 0700 ."); no entry
 * below the folder is named "." (paths are relative, without dot parts). */
#define SNAP_ROOT "."

void snap_meta_fini(struct snap_meta *m);
void snap_meta_add_dir(struct snap_meta *m, const char *path);
void snap_meta_add_mode(struct snap_meta *m, const char *path, unsigned mode);
void snap_meta_add_large(struct snap_meta *m, const char *path, long long size);
/* Record directory `path`'s permission bits (mode & 0777) when they are not
 * SNAP_DIR_MODE_DEF; the caller keeps the list sorted (snap_meta_sort). */
void snap_meta_add_dir_mode(struct snap_meta *m, const char *path, unsigned mode);
/* Replace the record of directory `path`'s mode by `mode` (an M line only
 * when mode & 0777 is not SNAP_DIR_MODE_DEF; mode < 0 drops the record);
 * leaves the list unsorted. */
void snap_meta_set_dir_mode(struct snap_meta *m, const char *path, int mode);
/* Directory `path`'s recorded permission bits: the M line's (0 is a mode,
 * chmod 000), else SNAP_DIR_MODE_DEF; -1 when the note records no directory
 * modes, or for SNAP_ROOT none of the folder's own (an older version's
 * note: leave it as found). */
int snap_meta_dir_mode(const struct snap_meta *m, const char *path);
/* Deep copy of src into *dst (which is overwritten, not finalized). */
void snap_meta_copy(struct snap_meta *dst, const struct snap_meta *src);
/* Drop every entry (dir, mode, directory mode, large file) that is `path` or
 * lies below it. */
void snap_meta_remove_under(struct snap_meta *m, const char *path);
/* Add to m src's entries that lie below `path`, and its empty-directory entry
 * for `path` itself (not path's own directory mode: the caller has the real
 * one); "" is the whole folder (not its own mode, SNAP_ROOT's). Leaves the
 * lists unsorted. */
void snap_meta_copy_under(struct snap_meta *m, const struct snap_meta *src, const char *path);
/* Sort and drop duplicate entries. */
void snap_meta_normalize(struct snap_meta *m);
/* The recorded size of large file `path`, or -1 when it is not listed. */
long long snap_meta_large_size(const struct snap_meta *m, const char *path);
void snap_meta_sort(struct snap_meta *m);
void snap_meta_format(const struct snap_meta *m, struct buf *out);
/* Parse note text (an unknown line kind is ignored: newer writers may add some). */
void snap_meta_parse(struct snap_meta *m, const char *text);
/* The recorded mode of file `path` (07777; 0 is a mode, chmod 000), or -1
 * when it has the tree's default. */
int snap_meta_mode(const struct snap_meta *m, const char *path);
bool snap_meta_has_dir(const struct snap_meta *m, const char *path);
/* The directories whose recorded mode differs between a and b (both sorted),
 * in strcmp order: *out is a heap array (caller frees) of paths borrowed from
 * a and b. None when either note records no directory modes; SNAP_ROOT only
 * when both record the folder's own. Returns the count. */
size_t snap_meta_dir_modes_changed(const struct snap_meta *a, const struct snap_meta *b,
                                   const char ***out);
/* Read the note of `commit` into *m (left empty when there is none). */
int snap_meta_read(struct snap_meta *m, git_repository *repo, const git_oid *commit) DH_MUST_CHECK;
/* For the note of `commit` that cannot be read, the object at fault into
 * *out, named in b: ": its note ID (refs/notes/deskhand)", or when the way
 * to it cannot be read, ": its note, in refs/notes/deskhand: the commit
 * ID" (the tree, the fan-out tree). False, b untouched, when no object is
 * found (no notes ref, no note of `commit`). */
bool snap_meta_note_object(git_repository *repo, const git_oid *commit, struct buf *b,
                           git_oid *out);
/* Set the note of `commit` to `text` (NUL-terminated) in one new commit on
 * refs/notes/deskhand, at git's fan-out path "ab/cdef..." (so that a note
 * costs the same however many there are), replacing any note it had; retried
 * when another process moves the ref meanwhile. A blob of that text that is
 * there but cannot be read (a damaged note of another checkpoint) is written
 * anew (snap_object_rewrite). 0, or DH_EFAIL with libgit2's message (or
 * snap_object_rewrite's). */
int snap_meta_write(git_repository *repo, const git_signature *sig, const git_oid *commit,
                    const char *text) DH_MUST_CHECK;
/* The author and committer of every commit deskhand makes in a shadow
 * repository ("deskhand <deskhand@localhost>", now), into *out; the caller
 * frees it with git_signature_free. 0, or DH_EFAIL with libgit2's message. */
int snap_signature(git_signature **out) DH_MUST_CHECK;

/* Move the notes that older versions wrote flat (a top-level entry named by
 * the full 40-hex id) into their fan-out subtrees, in one new notes commit
 * (none when there is nothing to move); a note present both ways keeps the
 * fan-out one, which is the one git and libgit2 read. *moved: how many were
 * moved. 0, or DH_EFAIL with libgit2's message (the notes are then as they
 * were). */
int snap_meta_migrate(git_repository *repo, size_t *moved) DH_MUST_CHECK;

/* The checkpoint a scan builds on (the session's head, or the checkpoint a
 * diff compares with): what the scan cannot read (EACCES, EPERM) it carries
 * forward from here. Both borrowed; tree NULL: nothing to carry. */
struct snap_base {
	git_tree *tree;
	const struct snap_meta *meta;
};

/* Bring the shadow index up to date with the folder (re-reading only files
 * whose stat data changed), write it back, and return the tree it describes
 * in *tree_out with the folder's metadata in *meta (caller finis it). A file
 * or link the scan cannot read keeps base's blob and git filemode at its path,
 * a directory it cannot open or list keeps base's subtree and note entries
 * below it (both with their real permission bits in *meta); without such an
 * entry in base (base NULL, or new) the path is left out. A warning names
 * each. The folder itself likewise (chmod 000 .) keeps all of base with its
 * real mode; without a base that is an error naming the folder and mode. */
int snap_scan(struct snap_store *s, const struct snap_base *base, git_oid *tree_out,
              struct snap_meta *meta) DH_MUST_CHECK;

/* Bring the shadow index up to date for `paths` only (sorted by strcmp; a
 * directory means its whole subtree; vanished paths are dropped), then build
 * the tree by updating the last scan's tree along those paths: the cost grows
 * with what changed, not with the folder. The index is written later (by the
 * next full scan or snap_close). Returns 0, DH_EAGAIN when only a full scan
 * will do (no scan yet in this process, the ignore rules changed, or are or
 * were at the last scan the built-in ones alone (builtin_rules), the index
 * moved under us), or DH_EFAIL. Unreadable paths are carried forward from
 * base as snap_scan() does. */
int snap_scan_dirty(struct snap_store *s, const struct snap_base *base, const char *const *paths,
                    size_t n, git_oid *tree_out, struct snap_meta *meta) DH_MUST_CHECK;
/* Write the in-memory index if an incremental scan changed it (snap_close). */
void snap_scan_flush(struct snap_store *s);

/*
 * Packing (snap_pack.c): a full scan writes the new blobs of a big folder
 * into pack files instead of one loose object per file.
 */
struct snap_packer;
/* Start collecting blobs in memory (libgit2's mempack on a second handle of
 * the shadow repository). A store made before its config had the settings of
 * snap_pack_config() gets them here, written once. */
int snap_pack_begin(struct snap_packer **out, struct snap_store *s) DH_MUST_CHECK;
/* Set, in `cfg` (the shadow repository's own config, under the caller's
 * git_config_lock), the settings that keep libgit2's pack writer from
 * searching for deltas (snap_pack.c). Returns 0 or <0 (G()). */
int snap_pack_config(git_config *cfg) DH_MUST_CHECK;
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
 * is the expected permission bits of a regular file; a file with those bits
 * that its owner may not read is taken to hold want's content, as the scan
 * takes it). */
bool snap_restore_matches(int root, const char *path, const git_tree_entry *want, unsigned perm);

/* The file systems a batch of restores changed, for one syncfs(2) of each
 * at its end instead of an fsync of each directory after each change: the
 * folder's, and any other mounted inside it (the scan crosses mount points,
 * and a syncfs of the folder's file system does not reach theirs). More
 * than SNAP_SYNC_MAX of them: sync(2) at the end. Each function below that
 * takes one notes there what it changed; NULL: not noted. */
enum { SNAP_SYNC_MAX = 8 };
struct snap_syncset {
	size_t n;
	bool all;                  /* too many, or one not told: sync(2) */
	dev_t dev[SNAP_SYNC_MAX];  /* st_dev of each */
	int fd[SNAP_SYNC_MAX];     /* an fd on each (owned) */
};
void snap_syncset_init(struct snap_syncset *ss);
/* Note the file system of `fd` (not O_PATH: it is kept, dup'ed, for
 * syncfs). NULL-safe. */
void snap_syncset_note(struct snap_syncset *ss, int fd);
/* syncfs(2) each file system noted (sync(2) if too many), close the fds and
 * empty the set. 0, or -1 with errno of the first that failed (the others
 * are synced still). */
int snap_syncset_flush(struct snap_syncset *ss) DH_MUST_CHECK;

/* Replace `path` by blob `id` (regular file with `perm`, or symlink when
 * `mode` is GIT_FILEMODE_LINK), creating parent directories. The file is
 * fsynced before its rename, its directory is not (ATOMIC_NODIRSYNC): its
 * file system goes to `ss`, which the caller syncs once after its batch of
 * writes (plan_run_opened). */
int snap_restore_write(struct snap_store *s, int root, const char *path, const git_oid *id,
                       git_filemode_t mode, unsigned perm, struct snap_syncset *ss) DH_MUST_CHECK;
/* Remove the file or symlink `path`; 1 if removed, 0 if it was not there or is
 * a directory (left alone), <0 on error. Its directory's file system goes to
 * `ss`. */
int snap_restore_remove(int root, const char *path, struct snap_syncset *ss) DH_MUST_CHECK;
/* Set directory `path`'s permission bits without following a symlink: with
 * `add`, perm's bits are added to its own (making it usable for a restore),
 * else its bits 0777 become perm's; its setuid, setgid and sticky bits stay
 * as they are; path SNAP_ROOT is the folder (root) itself. *old (if not
 * NULL) receives its st_mode before (0: absent or no directory). 1 if changed, 0 if it had them already or is absent or no
 * directory, <0 on error. The changed directory's own file system goes to
 * `ss` (for a mount point inside the folder, the mounted one). */
int snap_restore_chmod(int root, const char *path, unsigned perm, bool add, unsigned *old,
                       struct snap_syncset *ss) DH_MUST_CHECK;
/* Remove the directory `path` if it is empty; true if removed. */
bool snap_restore_rmdir(int root, const char *path, struct snap_syncset *ss);
/* Create directory `path` and its parents; 1 if created, 0 if it existed
 * (SNAP_ROOT always does). */
int snap_restore_mkdir(int root, const char *path, struct snap_syncset *ss) DH_MUST_CHECK;

/*
 * Exposed from snap.c for snap_review.c (the review model reuses the
 * checkpoint writer, the change lister and the state helpers of undo).
 */
struct snap_checkpoint;
struct snap_change;

/* Scan the folder and commit it on `session` with the full message `msg`
 * (first line, blank line, trailers); no commit when nothing changed. A head
 * that cannot be read fails it, unless `over_damaged`: then the folder is
 * recorded over it and out->damaged says so (snap_checkpoint_opt's
 * over_damaged). */
int snap_take(struct snap_store *s, const char *session, const char *msg, bool over_damaged,
              struct snap_checkpoint *out) DH_MUST_CHECK;
/* "refs/deskhand/SESSION/WHICH" into dst; DH_EFAIL for an unsafe session id. */
int snap_ref_name(char *dst, size_t n, const char *session, const char *which) DH_MUST_CHECK;
/* The id of the session's head checkpoint into *out, *found true. A session
 * with no checkpoint in this folder (neither head nor baseline: none yet)
 * leaves *found false and returns 0. A head that is missing while the
 * baseline is there is damage, not an empty session: DH_EFAIL naming the
 * ref, so that no reader shows "nothing pending" and no writer starts a new
 * history over the baseline. A ref that cannot be read: DH_EFAIL. */
int snap_head_get(struct snap_store *s, const char *session, git_oid *out,
                  bool *found) DH_MUST_CHECK;
/* Narrow o, a tree-to-tree diff's options, to the paths at which trees a
 * and b differ (added to `paths`, whose strings o then points at: free them
 * with strv_free() after the diff), found by reading only the subtrees
 * whose ids differ. libgit2's own tree-to-tree diff reads every subtree of
 * both trees (libgit2 PR #6863, open), so its cost grows with the folder;
 * narrowed, with the change. Trees that do not differ leave paths->n 0 and
 * o unchanged: the caller needs no diff. Returns 0 or DH_EFAIL. */
int snap_diff_narrow(struct snap_store *s, git_tree *a, git_tree *b, git_diff_options *o,
                     struct strv *paths) DH_MUST_CHECK;
/* Initialise o for a diff of two of s's trees that leaves out every path the
 * folder's ignore rules match (snap_ignored): a path stored by a checkpoint
 * made before a rule named it is neither listed nor restored. */
void snap_diff_opts(struct snap_store *s, git_diff_options *o);
/* Whether `rel` (a folder-relative path; a trailing '/' is allowed) is outside
 * what checkpoints hold: a `.git` component, the state directory, a path the
 * ignore rules match (core/ignore.h; its parents too). The rules are those of
 * the last full scan, read from the folder when there was none. */
bool snap_ignored(struct snap_store *s, const char *rel, bool is_dir);
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

/*
 * Intent records (snap_intent.c): a review action that changes the folder
 * (reject, reject-hunk, undo, redo, restore) writes what it is about to do,
 * synced, before it changes anything, and removes the record once its
 * checkpoint is taken. A record found later means the action was killed (or
 * failed) part way; snap_review_recover() cleans up after it and records
 * what it had done as its own, not as someone else's changes.
 */
struct snap_intent_dir {
	char *path;    /* SNAP_ROOT, or a path in the folder without a trailing '/' */
	unsigned mode; /* its permission bits (0777) before the action */
	bool known;    /* mode could be read */
};

struct snap_intent {
	char *label; /* the action's checkpoint label: its message's first line */
	struct snap_intent_dir *v;
	size_t n, cap;
	bool written; /* on disk */
};

/* Write the intent of the action labelled `label` (its checkpoint message;
 * the first line is kept) that writes `paths` (n of them, sorted by strcmp; directories end in
 * '/'): the modes of the folder and of every directory on the way to a path,
 * as they are now. *in is set (snap_intent_end() or snap_intent_fini() it);
 * on error it is left empty. Returns 0, or DH_EFAIL naming the record's
 * file (nothing is then to be changed). */
int snap_intent_begin(struct snap_store *s, const char *session, const char *label,
                      const char *const *paths, size_t n, struct snap_intent *in) DH_MUST_CHECK;
/* Directory `dir` is about to be opened up from `mode`: recorded (and the
 * record rewritten) when snap_intent_begin() could not read its mode, a
 * no-op otherwise or when *in was never written. 0, or DH_EFAIL. */
int snap_intent_opened(struct snap_store *s, const char *session, struct snap_intent *in,
                       const char *dir, unsigned mode) DH_MUST_CHECK;
/* The action is done (or changed nothing): remove the record, free *in. */
void snap_intent_end(struct snap_store *s, const char *session, struct snap_intent *in);
/* Free *in, leaving the record on disk. */
void snap_intent_fini(struct snap_intent *in);
/* Clean up after the session's interrupted action, if a record is there:
 * remove the temporary files (".dh-tmp-*") left in its directories and put
 * back the mode of each directory it left opened up (u+rwx over the mode it
 * recorded), deepest first, each step a line in `notes`; *label gets the
 * action's label (heap, caller frees). The record stays until
 * snap_intent_clear(). Returns 1 (cleaned up), 0 (no record, *label NULL),
 * or DH_EFAIL naming the record's file or the folder. */
int snap_intent_recover(struct snap_store *s, const char *session, char **label,
                        struct buf *notes) DH_MUST_CHECK;
/* Remove the session's record. 0, or DH_EFAIL naming it. */
int snap_intent_clear(struct snap_store *s, const char *session) DH_MUST_CHECK;

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
