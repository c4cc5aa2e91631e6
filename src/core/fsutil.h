/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_FSUTIL_H
#define DH_CORE_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * Small file helpers for the engine's own state (not for grant contents:
 * those go through policy/grant.h and openat2).
 */

/* mkdir -p with `mode` for created directories. DH_EFAIL names the path. */
int fsutil_mkdir_p(const char *path, mode_t mode) DH_MUST_CHECK;
/* Write `len` bytes to `path` crash-safely: atomic_write() (core/atomic.h)
 * with the creation mode 0666 & ~umask. DH_EFAIL names the path. */
int fsutil_write_atomic(const char *path, const void *data, size_t len) DH_MUST_CHECK;
/* Replace a file the person keeps (a config, mcp.json) with `len` bytes,
 * crash-safely, as an editor saves it: a symlink stays one (the file it
 * points to is replaced: dotfiles kept elsewhere), and the file keeps its
 * permission bits (0600 stays 0600: it may hold a token). A file not there
 * yet is created with `new_mode` (-1: 0666 & ~umask). DH_EFAIL names the path. */
int fsutil_replace_file(const char *path, const void *data, size_t len,
                        int new_mode) DH_MUST_CHECK;
/* Read fd from its offset to the end, appended to out; more than `max` bytes
 * is DH_EFAIL "larger than MAX bytes", a read error DH_EFAIL "read: …"
 * (DH_EDENIED when the read was refused: EACCES, EPERM). */
int fsutil_read_fd(int fd, size_t max, struct buf *out) DH_MUST_CHECK;
/* Read a whole file (at most `max` bytes, else DH_EFAIL "too large") into out. */
int fsutil_read_file(const char *path, size_t max, struct buf *out) DH_MUST_CHECK;
/* Flush stdout and report whether everything written to it got out: 0, or
 * DH_EFAIL "standard output: ERROR" (a full disk, a closed pipe) when a
 * write or the flush failed. For a command whose output is its result
 * (an export, a report) to call before it exits, right after its last
 * write (a failed write's errno names the error). */
int fsutil_stdout_flush(void) DH_MUST_CHECK;
/* $XDG_STATE_HOME/deskhand, else $HOME/.local/state/deskhand; heap string.
 * DH_EFAIL if neither variable is set. Does not create it. */
int fsutil_state_dir(char **out) DH_MUST_CHECK;
/* $XDG_CONFIG_HOME/deskhand, else $HOME/.config/deskhand; heap string.
 * DH_EFAIL if neither variable is set. Does not create it. */
int fsutil_config_dir(char **out) DH_MUST_CHECK;
/* Whether `path` is `dir` or lies beneath it, comparing the strings only
 * (both absolute and normalized, no trailing '/': realpaths, grant paths). */
bool fsutil_path_within(const char *path, const char *dir);
/* `rel` (a path a person typed, relative) joined to `dir` (absolute and
 * normalized: getcwd's or a realpath) the way a shell's cd takes a logical
 * path: "." components dropped, ".." taking off the one before it (never
 * above "/"), lexically (no symlink is looked at). A trailing "/" of rel is
 * kept, and a trailing "./" too (deskhand's name of a folder's own mode).
 * Heap string. */
char *fsutil_path_join(const char *dir, const char *rel);
/* Append `dir` as a person types it to `out`: below $HOME as ~/x (and $HOME
 * itself as ~), else unchanged. For messages only. */
void fsutil_path_tilde(struct buf *out, const char *dir);
/* The first executable `name` in the directories of $PATH (absolute ones
 * only), as a heap path; NULL when there is none. */
char *fsutil_which(const char *name);
/* The same in the directories of `path` (':'-separated), not $PATH's. */
char *fsutil_which_in(const char *name, const char *path);

#endif
