/* SPDX-License-Identifier: MIT */
#ifndef DH_SNAP_SNAP_DIFF_H
#define DH_SNAP_SNAP_DIFF_H

#include <stddef.h>

#include "core/err.h"

struct buf;

/*
 * Diffs of in-memory contents (libgit2's git_patch_from_buffers), for the
 * approval of a call that would change a file: what it would write against
 * what is on disk. Memory work only (no repository, no disk I/O), so it may
 * be called from the loop for contents the caller bounded.
 */

#define SNAP_DIFF_CONTEXT 3 /* lines of context around each change */

/* Append to `out` a unified diff of old -> new for `path` (display form):
 * "--- a/PATH", "+++ b/PATH" ("/dev/null" for a side that is NULL: a
 * creation or a deletion), then "@@" hunks with SNAP_DIFF_CONTEXT lines of
 * context, "\ No newline at end of file" where git says it. Identical
 * contents append nothing. Binary contents (as git sees them) append
 * "Binary files differ". Returns 0 or DH_EFAIL (libgit2's message). */
int snap_diff_buffers(struct buf *out, const char *path, const char *old, size_t old_len,
                      const char *new, size_t new_len) DH_MUST_CHECK;

#endif
