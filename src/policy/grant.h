/* SPDX-License-Identifier: MIT */
#ifndef DH_POLICY_GRANT_H
#define DH_POLICY_GRANT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * Granted folders and the only way host-side tools touch files in them
 * (DESIGN.md "Sandbox model", SANDBOX.md §4.5). Every open goes through
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)
 * relative to the grant's directory fd, so no "..", symlink or /proc trick
 * leaves a grant.
 *
 * Error codes shared by every function below:
 *   DH_EDENIED   a policy refusal: the path leaves the grant, has a symlink in
 *                it, names a non-regular file or a hard-linked one. The agent
 *                shows it to the model *and* records an audit event.
 *   DH_ENOTFOUND the path (or its parent) does not exist.
 *   DH_EPARSE    the path text itself is malformed (empty).
 *   DH_EFAIL     anything else (I/O, not a directory, too large …).
 * Messages name the absolute path and the reason ("symlink in path",
 * "leaves the grant").
 */

struct grant {
	char *path; /* realpath, no trailing slash, never "/" */
	int dirfd;  /* O_PATH|O_DIRECTORY|O_CLOEXEC on path */
};

struct grant_set; /* ordered; grant 0 is "the first grant" */

/* A new, empty set; *out is owned by the caller (grant_set_free). Never fails
 * (returns 0); the int is for the house contract. */
int grant_set_new(struct grant_set **out) DH_MUST_CHECK;
/* Close every dirfd and free. NULL-safe. */
void grant_set_free(struct grant_set *g);
/* A copy of g, *out the caller's: the same folders in the same order, each
 * dirfd dup()ed (the copy opens what g does, a folder renamed since
 * included). For work on another thread while g may change; no path is
 * resolved again. Returns 0, or DH_EFAIL (fds exhausted) with nothing in
 * *out. */
int grant_set_dup(const struct grant_set *g, struct grant_set **out) DH_MUST_CHECK;

/* Grant `path` (any spelling: it is realpath()ed and opened O_PATH).
 * Adding a folder already granted is a no-op returning 0.
 * Errors: DH_ENOTFOUND (missing), DH_EFAIL (not a directory, open failed),
 * DH_EDENIED ("/" is refused). Messages name the path. */
int grant_add(struct grant_set *g, const char *path) DH_MUST_CHECK;
size_t grant_count(const struct grant_set *g);
/* Borrowed; valid until the set is freed. NULL when i is out of range. */
const struct grant *grant_get(const struct grant_set *g, size_t i);

/* Map a tool path to (grant index, path relative to that grant).
 * Relative paths are relative to grant 0. Absolute paths must lie lexically
 * inside a grant's real path; the longest (innermost) grant wins. Lexical
 * normalization: "." components and repeated or trailing slashes are dropped;
 * any ".." component is refused (even one that would stay inside).
 * *out_rel is heap (free()); "" for the grant root, never a leading or
 * trailing '/'. No filesystem access (symlinks are caught when opening).
 * Errors: DH_EPARSE (empty path), DH_EDENIED ("path '/etc/passwd' is outside
 * the granted folders (/tmp/x)", ".." components, no grant at all). */
int grant_resolve(const struct grant_set *g, const char *path, size_t *out_idx,
                  char **out_rel) DH_MUST_CHECK;

/* True when `rel` (a grant-relative path, as from grant_resolve) may not be
 * changed by host-side tools: the mandatory-deny list the sandbox helper also
 * enforces (sandbox/protected_paths.h: SANDBOX.md §1.6's git hooks and config,
 * shell and session startup files, editor and agent settings, and what a home
 * runs later: .local/bin, user services, autostart, .ssh; and .deskhandignore,
 * which decides what checkpoints record). Patterns match at any depth (nested
 * repositories count) and case-insensitively (srt); a pattern also covers everything beneath it and
 * every path that *is* one of its leading components, so ".git" itself and
 * ".git/hooks" cannot be moved or replaced wholesale either. */
bool grant_is_protected(const char *rel);

/* True when `rel` (grant-relative) has a `.git` component, compared
 * case-insensitively: checkpoints never hold those (snap_scan.c, the
 * watcher), so a change there could not be undone. */
bool grant_in_git(const char *rel);

/* The patterns behind grant_is_protected(), NULL-terminated, made from
 * sandbox/protected_paths.h. Components are separated by '/'; a last
 * component "**" marks a directory and everything beneath it. */
extern const char *const grant_protected_patterns[];

/*
 * openat2 helpers. `rel` is a grant-relative path as produced by
 * grant_resolve() ("" = the grant root). They may be called from loop
 * handlers: they do bounded local I/O only and never block on a FIFO.
 */

/* Open a regular file for reading beneath gr (O_RDONLY|O_NOFOLLOW|O_NONBLOCK|
 * O_CLOEXEC) and fstat it into *out_st. max_size > 0 refuses larger files
 * (DH_EFAIL "… is too large"). A directory is DH_EFAIL ("is a directory"),
 * any other non-regular file DH_EDENIED. *out_fd is the caller's to close. */
int grant_open_read(const struct grant *gr, const char *rel, size_t max_size, int *out_fd,
                    struct stat *out_st) DH_MUST_CHECK;

/* Read a whole regular file (at most max_size bytes, 0 = 64 MiB) into `out`
 * (appended). Same errors as grant_open_read(). */
int grant_read(const struct grant *gr, const char *rel, size_t max_size,
               struct buf *out) DH_MUST_CHECK;

/* Open a directory beneath gr for listing (O_RDONLY|O_DIRECTORY|O_CLOEXEC, use
 * fdopendir). *out_fd is the caller's. DH_EFAIL "not a directory". */
int grant_open_dir(const struct grant *gr, const char *rel, int *out_fd) DH_MUST_CHECK;

/* Open the parent directory of `rel` O_PATH|O_DIRECTORY beneath gr, for a
 * mutation by *at() calls on the leaf. *out_leaf points into rel (the last
 * component; never "", "." or ".."). rel "" (the grant root) is DH_EDENIED:
 * the grant itself cannot be replaced, moved or removed. */
int grant_open_parent(const struct grant *gr, const char *rel, int *out_fd,
                      const char **out_leaf) DH_MUST_CHECK;

/* lstat() of rel beneath gr (a symlink leaf is reported, not followed; a
 * symlink *above* the leaf is DH_EDENIED). DH_ENOTFOUND when missing. */
int grant_lstat(const struct grant *gr, const char *rel, struct stat *out) DH_MUST_CHECK;

/* Atomically replace or create the regular file `rel` with `len` bytes:
 * a temporary file in the same directory (O_EXCL|O_NOFOLLOW), fsync, renameat.
 * An existing file keeps its permission bits; new files get 0666 & ~umask.
 * Refused (DH_EDENIED): an existing target that is a symlink, not a regular
 * file, or has st_nlink > 1. A directory target is DH_EFAIL. The parent must
 * exist (grant_mkdirs). *out_created (may be NULL) says the file was new. */
int grant_write(const struct grant *gr, const char *rel, const void *data, size_t len,
                bool *out_created) DH_MUST_CHECK;

/* Take back a path that a command created although it is protected (issue 9,
 * fault 9): remove rel (a directory with everything beneath it, symlinks
 * never followed) so that nothing trusts it later. Under a .git component,
 * which checkpoints do not hold, it is renamed aside instead, to
 * "REL.removed-by-deskhand-N" in the same directory, so that nothing is lost;
 * *out_aside is then that grant-relative name (heap), else NULL. Not for
 * tools: the deskhand's own action after a command's checkpoint; it bypasses
 * the git guard. Errors as grant_unlink(), naming the path. Worker-safe. */
int grant_take_back(const struct grant *gr, const char *rel, char **out_aside) DH_MUST_CHECK;

/* A protected file as it was, to put it back after a command changed it
 * (run_command without the sandbox, which would have kept it read-only):
 * the lstat data (type, permission bits), a symlink's target, and the bytes
 * of the regular file it is or, for a symlink, it names (followed: a
 * person's dotfiles link). grant_copy_fini() frees it; a zeroed one is
 * empty. */
struct grant_copy {
	bool there;	 /* false: nothing was at the path */
	struct stat st;	 /* lstat of it */
	char *target;	 /* a symlink's target (heap), else NULL */
	bool has_data;	 /* data holds the bytes (a regular file, or one that a
			  * symlink names, of at most the max given) */
	struct buf data; /* the bytes */
	mode_t *dir_modes; /* st_mode of each directory on the way to it, rel's
	                    * components but the last, in order (heap; 0 where
	                    * one could not be looked at); NULL when not there */
	size_t ndirs;      /* entries in dir_modes */
};

/* Take a copy of rel beneath gr into *out (overwritten; the caller's to
 * grant_copy_fini, also after an error): its bytes kept when they are at
 * most max_size, and the permission bits of the directories on the way.
 * Nothing there (or no parent) is 0 with out->there false. Errors as
 * grant_lstat(), with no copy. Bounded local I/O: loop-safe. */
int grant_copy_take(const struct grant *gr, const char *rel, size_t max_size,
                    struct grant_copy *out) DH_MUST_CHECK;

/* Whether two copies of one path say the same: both absent, or the same
 * type, permission bits, link target and bytes (when neither kept bytes: the
 * same inode, size and mtime; two directories: type and bits alone, what
 * is in them has copies of its own). */
bool grant_copy_same(const struct grant_copy *a, const struct grant_copy *b);

/* Put rel back as `was` (a regular file with its bytes kept, a symlink, or
 * a directory):
 * what stands there now goes first as grant_take_back() does (removed, or
 * under a .git component moved aside: *out_aside is then its new name,
 * heap, else NULL), then the file is made again with its permission bits,
 * or the symlink with its target (and the directories on the way to it that
 * are gone, with the permission bits they had, dir_modes; 0777 & ~umask
 * where not known). A symlink that is still there as it was
 * is kept, and when the bytes kept of the file it names changed they are
 * written back through it. Bypasses the git guard: deskhand's own action after a
 * command's checkpoint, not a tool's. A directory is made again (an empty
 * one too) with its bits (grant_copy_put_later). DH_EFAIL when there is
 * nothing to put back from (a file too large to keep), else errors as
 * grant_take_back(). Worker-safe. */
int grant_copy_put(const struct grant *gr, const char *rel, const struct grant_copy *was,
                   char **out_aside) DH_MUST_CHECK;

void grant_copy_fini(struct grant_copy *c);

/* The permission bits to give the directories that puts made again, once
 * everything is in them: a directory without its owner's write bit (0550)
 * would refuse the second file. Zeroed: empty. */
struct grant_dir_mode {
	char *rel;   /* grant-relative, heap */
	mode_t mode; /* permission bits */
};
struct grant_dir_modes {
	struct grant_dir_mode *v;
	size_t n, cap;
};

/* grant_copy_put(), for one of many puts into the same directories: the
 * directories it makes again are left 0700 and noted in *later, for
 * grant_dir_modes_apply() once all the puts are done. A copy of a directory
 * (`was` one) is put back too: made again when gone (or when something else
 * stands there, which goes first as grant_take_back() does), its bits noted
 * in *later; one that is there is kept, and gets its bits back the same way.
 * later NULL: the bits are given at once, as grant_copy_put() does. */
int grant_copy_put_later(const struct grant *gr, const char *rel, const struct grant_copy *was,
                         char **out_aside, struct grant_dir_modes *later) DH_MUST_CHECK;

/* Give each directory noted in *m its bits, the deepest first (a parent
 * without search permission no longer hides its children); *m is emptied
 * (grant_dir_modes_fini). 0, or the first error as path_err() names it (the
 * others are still given). Worker-safe. */
int grant_dir_modes_apply(const struct grant *gr, struct grant_dir_modes *m) DH_MUST_CHECK;

void grant_dir_modes_fini(struct grant_dir_modes *m);

/* Append the copy `c` of the absolute path `path` to `out` in the form
 * grant_copy_unpack() reads back (a line of lengths, the path, the link's
 * target and the directories' modes, then the bytes): what was there, its
 * type and permission bits, inode, size and mtime (grant_copy_same() of a
 * copy without bytes), target, bytes, and the modes of the directories on
 * the way; not the rest of its lstat data. */
void grant_copy_pack(struct buf *out, const char *path, const struct grant_copy *c);

/* Read the copy packed at *p (before `end`) by grant_copy_pack() into *out
 * (overwritten; the caller's to grant_copy_fini) and its path into
 * *out_path (heap); *p moves past it. DH_EFAIL for what is not one, or is
 * cut short (then *out is empty and *out_path NULL). */
int grant_copy_unpack(const char **p, const char *end, char **out_path,
                      struct grant_copy *out) DH_MUST_CHECK;

/* Remove a file or symlink (never followed), or an empty directory.
 * A non-empty directory is DH_EFAIL ("directory not empty"). */
int grant_unlink(const struct grant *gr, const char *rel) DH_MUST_CHECK;

/* mkdir -p: create every missing component of rel (0777 & ~umask), one
 * component at a time beneath gr. An existing symlink component is
 * DH_EDENIED, an existing non-directory DH_EFAIL. *out_created (may be NULL)
 * says the last component was created by this call. rel "" is a no-op. */
int grant_mkdirs(const struct grant *gr, const char *rel, bool *out_created) DH_MUST_CHECK;

/* Rename src_rel (beneath src) to dst_rel (beneath dst), never replacing an
 * existing destination (RENAME_NOREPLACE; DH_ECONFLICT "already exists").
 * The two grants may differ. When the kernel cannot rename across file
 * systems (EXDEV), a regular file is copied (atomically, as grant_write)
 * and the source unlinked; a directory is refused (DH_EFAIL). The
 * destination's parent must exist. Symlink sources are moved as links. */
int grant_rename(const struct grant *src, const char *src_rel, const struct grant *dst,
                 const char *dst_rel) DH_MUST_CHECK;

/*
 * Walking a directory tree
 */

/* One entry offered to a grant_walk() callback. All fields are borrowed and
 * valid during the call only. */
struct grant_walk_ent {
	const char *rel;       /* beneath the walk's root, '/'-separated, no trailing '/' */
	const char *name;      /* its last component */
	int dirfd;             /* the directory holding it: open it with *at(…, O_NOFOLLOW) */
	const struct stat *st; /* its lstat(): a symlink is itself, never what it points at */
	int depth;             /* 0 for an entry of the root, 1 beneath one of those … */
};

/* A callback's answers, and grant_walk()'s results besides an error. */
enum {
	GRANT_WALK_CONTINUE = 0, /* go on (grant_walk(): the walk came to its end) */
	GRANT_WALK_STOP = 1,     /* end the walk here */
	GRANT_WALK_SKIP = 2,     /* (for a directory) do not go into it */
	GRANT_WALK_CAPPED = 3,   /* grant_walk(): ended at limits.max_entries */
};

/* grant_walk_limits.flags */
#define GRANT_WALK_NO_GIT 1u /* pass over directories named ".git": not offered (and not
                              * counted, but under GRANT_WALK_STRICT every name counts) */
#define GRANT_WALK_STRICT 2u /* a name that cannot be lstat()ed or a directory that cannot
                              * be opened or read ends the walk (DH_EFAIL naming its
                              * absolute path and the reason); without it, passed over */

struct grant_walk_limits {
	unsigned flags;     /* GRANT_WALK_* */
	size_t max_entries; /* at most this many entries are offered (SIZE_MAX: no cap) */
	int max_depth;      /* go into a directory only at depth < max_depth */
};

/* Return GRANT_WALK_CONTINUE, _STOP or _SKIP, or a negative DH_E* code (with
 * err_set()) to end the walk with it. */
typedef int grant_walk_fn(const struct grant_walk_ent *e, void *ctx);

/* Walk the directory rel beneath gr (opened with grant_open_dir(), so it is
 * confined to the grant): depth first, pre-order (a directory is offered
 * before what it holds), each directory's names in byte order (strcmp, each
 * name once, "." and ".." left out). Symlinks are offered, never followed: a
 * directory is entered with openat(O_NOFOLLOW | O_DIRECTORY) from its parent,
 * so one swapped for a symlink after it was offered is not entered. Each
 * offered entry counts toward lim->max_entries; with GRANT_WALK_STRICT every
 * name counts, before it is looked at. *out_entries (may be NULL) gets the
 * count, which is max_entries + 1 when the walk was capped.
 * Returns GRANT_WALK_CONTINUE when every entry was offered, GRANT_WALK_STOP
 * when fn stopped the walk, GRANT_WALK_CAPPED when the next entry was past
 * lim->max_entries, fn's negative return, or grant_open_dir()'s errors; with
 * GRANT_WALK_STRICT, DH_EFAIL "<path>: <strerror>" for what could not be
 * looked at. Local I/O only: nothing but directories is opened (never a
 * FIFO), and nothing is kept allocated. */
int grant_walk(const struct grant *gr, const char *rel, const struct grant_walk_limits *lim,
               size_t *out_entries, grant_walk_fn *fn, void *ctx) DH_MUST_CHECK;

#endif
