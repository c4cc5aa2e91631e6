/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_ATOMIC_H
#define DH_CORE_ATOMIC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/*
 * Crash-safe replacement of one file (DESIGN.md "Data on disk"): the new
 * contents go to a fresh temporary name in the same directory
 * (".dh-tmp-" + 16 hex digits, created O_EXCL | O_NOFOLLOW), are fsynced,
 * renamed over the target (or, with ATOMIC_NOREPLACE, onto a name that must
 * not exist), and the directory is fsynced. A reader sees the old file or the
 * new one, never a mix; a failure leaves the old file and no temporary file.
 * The one temp-fsync-rename writer: grants, restores and engine state use it.
 *
 * The *_at forms are syscall-shaped (0, or -1 with errno set, EEXIST for a
 * NOREPLACE collision) so that callers word errors for their own paths;
 * dirfd must be a directory opened O_RDONLY (an O_PATH fd works but its
 * fsync is skipped) and leaf a single path component.
 */

/* Whether `name` (one path component) is such a temporary name: one a
 * writer killed between its write and its rename left behind. */
bool atomic_is_temp_name(const char *name);

enum atomic_flag {
	ATOMIC_NOREPLACE = 1 << 0, /* fail with EEXIST if leaf exists (renameat2 NOREPLACE) */
	/* No fsync of the directory after the rename: the caller makes it durable
	 * (one syncfs(2) or fsync of the directory after a batch of writes) before
	 * it reports them done. The file's own fsync before the rename stays. */
	ATOMIC_NODIRSYNC = 1 << 1,
};

/* Replace dirfd/leaf by `len` bytes of `data` (NULL with len 0: empty file).
 * mode >= 0 sets exactly those permission bits (fchmod); mode < 0 keeps the
 * creation mode, 0666 & ~umask. Returns 0 or -1 with errno set. */
int atomic_write_at(int dirfd, const char *leaf, const void *data, size_t len, int mode,
                    unsigned flags) DH_MUST_CHECK;

/* Same, with the contents read from srcfd (from its offset to EOF). */
int atomic_copy_at(int dirfd, const char *leaf, int srcfd, int mode, unsigned flags) DH_MUST_CHECK;

/* Replace dirfd/leaf by a symlink to `target` the same way. Returns 0 or -1
 * with errno set. */
int atomic_symlink_at(int dirfd, const char *leaf, const char *target,
                      unsigned flags) DH_MUST_CHECK;

/* renameat2(RENAME_NOREPLACE), falling back on file systems without it
 * (EINVAL/ENOSYS) to a check then renameat, which is racy there. Returns 0
 * or -1 with errno set (EEXIST when dname exists). */
int atomic_rename_noreplace(int sfd, const char *sname, int dfd, const char *dname) DH_MUST_CHECK;

/* Path form for the engine's own files: replace `path` (its directory is
 * opened following symlinks, as any path the person configured) by `len`
 * bytes of data, mode as atomic_write_at(). Returns 0 or DH_EFAIL with a
 * message naming the path and the step that failed. */
int atomic_write(const char *path, const void *data, size_t len, int mode) DH_MUST_CHECK;

/* Write all `len` bytes of data to fd (a file: no partial-write limit),
 * retrying after EINTR and short writes. Returns 0, or -1 with errno set. */
int atomic_write_all(int fd, const void *data, size_t len) DH_MUST_CHECK;

#endif
