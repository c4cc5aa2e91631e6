/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_BENEATH_H
#define DH_CORE_BENEATH_H

#include <stdbool.h>

/*
 * Opening a path beneath a directory fd without ever leaving it: the one
 * implementation of "resolve inside a folder" that grants, restores and scans
 * share (SANDBOX.md §4.5). openat2(2) with RESOLVE_BENEATH (no absolute path,
 * no ".." above dirfd), RESOLVE_NO_MAGICLINKS (no /proc/PID/fd/N) and
 * RESOLVE_NO_SYMLINKS (no symlink in any component, the last one included).
 * Needs Linux >= 5.6 (ENOSYS before).
 *
 * Both functions are syscall-shaped: they return an fd (O_CLOEXEC) or -1
 * with errno set, so that callers can word the error for their own paths:
 * ELOOP  a symlink in the path;
 * EXDEV  the path leaves dirfd (absolute, or ".." above it, or a magic link);
 * EAGAIN the folder kept changing under concurrent renames (retried first);
 * ENOENT, ENOTDIR, EACCES ... as openat(2).
 */

/* openat2(dirfd, rel, oflags | O_CLOEXEC) with the resolve flags above; rel ""
 * opens dirfd itself (as "."). oflags are open(2) flags (O_PATH, O_RDONLY,
 * O_DIRECTORY, O_NOFOLLOW ...; O_CREAT takes mode 0666 & ~umask). Retries
 * EAGAIN and EINTR up to 16 times. Returns the fd, or -1 with errno set. */
int beneath_open(int dirfd, const char *rel, int oflags);

/* Open the directory that holds `rel` beneath dirfd, with oflags | O_DIRECTORY
 * (O_RDONLY to create or fsync in it, O_PATH to look only), and point *leaf
 * at rel's last component (inside rel, borrowed). No component of the parent
 * may be a symlink. With `create`, missing parent directories are made (mode
 * 0777 & ~umask), each one beneath dirfd. Returns the fd, or -1 with errno
 * set: EINVAL when rel is "" or its last component is "", "." or "..". */
int beneath_open_parent(int dirfd, const char *rel, int oflags, bool create, const char **leaf);

/* Remove dirfd/name and, for a directory, everything beneath it, never
 * following a symlink (a link is removed, not what it points to). `name` is
 * one component. Returns 0, or -1 with errno set (what could be removed
 * before the error is gone). */
int beneath_remove(int dirfd, const char *name);

/* Move dirfd/name aside where nothing that reads it by name finds it: rename
 * it, never replacing anything, to "NAME.removed-by-deskhand-N" in the same
 * directory, N the first free one of 1..100 (for what checkpoints do not
 * hold, such as .git: nothing is lost). `name` is one component. Returns 0
 * with *out the new name (heap), or -1 with errno set (EEXIST: no free name)
 * and *out NULL. */
int beneath_move_aside(int dirfd, const char *name, char **out);

#endif
