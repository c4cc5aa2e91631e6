/* SPDX-License-Identifier: MIT */
#ifndef DH_SESSION_BLOB_H
#define DH_SESSION_BLOB_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * Large values of a session, stored once (DESIGN.md "Data on disk"):
 * SESSION_DIR/blobs/NNNNNN, numbered in order from 000001, each written
 * whole with fsutil_write_atomic (temp file, fsync, rename). The history the
 * model sees and the transcript keep a reference ("blobs/NNNNNN", relative to
 * the session directory) and a bounded excerpt instead of the value, so a
 * big tool input or output is neither resent with every request nor held in
 * memory for the rest of the session. --resume needs nothing more: the
 * history records already hold the excerpts.
 */

/* Store `len` bytes of `data` as the next blob of the session whose directory
 * is `session_dir` (blobs/ is created if needed). *name is set to
 * "blobs/NNNNNN" (heap, the caller frees it). Returns 0, or DH_EFAIL naming the
 * path (unreadable blobs/, disk full); *name is then NULL. */
int session_blob_put(const char *session_dir, const void *data, size_t len, char **name)
	DH_MUST_CHECK;

/* Reserve the next blob of the session for a value written as it comes (a
 * command's output): the file is created empty (O_EXCL, mode 0600) and *fd is
 * open on it for writing (O_CLOEXEC; the caller writes and closes it; no
 * rename, so a reader may see it grow). *name is "blobs/NNNNNN" (heap).
 * Returns 0, or DH_EFAIL naming the path; *fd is then -1 and *name NULL. */
int session_blob_open(const char *session_dir, int *fd, char **name) DH_MUST_CHECK;

/* Store `value` (`len` bytes) with session_blob_put() and append to `out` the
 * text that stands for it in the conversation: one bracketed line naming the
 * size in bytes, the blob, `hint` (a sentence on where else the content is,
 * or NULL) and the read_tool_output tool that pages through the blob, then
 * the value's first keep/2 and last keep/2 bytes (each cut on a UTF-8
 * character boundary) around a "[… N bytes not shown …]" line; a value of
 * `keep` bytes or fewer follows whole. Returns 0, or DH_EFAIL as
 * session_blob_put() (nothing is appended then). */
int session_blob_excerpt(const char *session_dir, const char *value, size_t len, size_t keep,
			 const char *hint, struct buf *out) DH_MUST_CHECK;

/* Append to `out` the first `keep` bytes of s (`len` bytes) cut on a UTF-8
 * character boundary, then "…" if anything was cut. */
void session_excerpt(struct buf *out, const char *s, size_t len, size_t keep);

#endif
