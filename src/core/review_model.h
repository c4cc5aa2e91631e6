/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_REVIEW_MODEL_H
#define DH_CORE_REVIEW_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * The review model as plain data: what a session changed that the person has
 * not accepted yet, by file and hunk. snap/review.h computes it from a shadow
 * repository; clients (the diff pane, the review verbs) receive it over the
 * engine's protocol as JSON and decode it back with review_model_from_json().
 * No libgit2 here: anything that can hold a cJSON can hold a review.
 *
 * The JSON form of one review (one grant) is the object `deskhand review
 * --json` prints per grant (README), without "grant":
 *   {"accepted": ID, "head": ID, "files": [{"status": "M", "path": P,
 *    "old_path": P|null, "old_mode": "100644"|null, "new_mode": …|null,
 *    "binary": B, "textconv": "cells"|"text"|null, "old_size": N|null, "new_size": N|null,
 *    "old_target": T|null, "new_target": T|null, "added": N,
 *    "removed": N, "step": {id, short_id, label, tool_call, turn, time,
 *    external}|null,
 *    "hunks": [{n, header, old_start, old_lines, new_start, new_lines,
 *               "lines": [" ctx", "-old", "+new", "\\ No newline…"]}]}]}
 * Paths and link targets are in the escaped form of utf8_name_escape() (bytes that are not
 * UTF-8 survive the round trip); hunk lines are JSON strings (their invalid
 * UTF-8 bytes become U+FFFD on the wire).
 */

struct review_line {
	char origin; /* ' ' context, '+' added, '-' removed, '\\' "No newline at end of file";
	              * in a "cells" hunk also '~' a changed cell */
	char *text;  /* the line without its newline (raw bytes, NUL-terminated) */
};

struct review_hunk {
	int n;        /* hunk number, from 1 within its file */
	char *header; /* "@@ -A,B +C,D @@ context" without the newline */
	int old_start, old_lines, new_start, new_lines;
	struct review_line *lines;
	size_t nlines, caplines;
};

/* The checkpoint that last changed a path (between the accepted mark and the
 * head); id[0] is '\0' when none is found (e.g. after the mark moved back). */
struct review_step {
	char id[41];
	char short_id[13];
	char *label;     /* first message line, e.g. "turn 3: edit_file toolu_1" */
	char *tool_call; /* Deskhand-Tool-Call trailer, or NULL (not an agent step) */
	int turn;        /* Deskhand-Turn trailer, or -1 */
	long long time;  /* commit time, seconds since the epoch */
	bool external;   /* Deskhand-External: changes made outside the agent */
};

struct review_file {
	char status;    /* 'A','M','D','R' (rename, maybe edited), 'T' (type or mode only) */
	char *path;     /* new path (old one for 'D'); an empty directory ends in '/' */
	char *old_path; /* the accepted path for 'R', else NULL */
	unsigned old_mode,
		new_mode; /* 0100644/0100755/0100600…, 0120000 link, 040000 dir, 0 absent */
	bool binary;      /* accepted and rejected whole; no hunks unless textconv */
	char *textconv;   /* heap: a binary document whose hunks are of what it says
	                   * (docs/documents.md): "cells" (one "@@ cells @@" hunk of
	                   * '~' changed, '+' new and '-' emptied cells, e.g.
	                   * "~Sheet1!B4: 12.50 → 13.00") or "text" (a diff of its
	                   * text); NULL for every other file */
	long long old_size, new_size; /* bytes; -1 when that side is absent or a directory */
	char *old_target, *new_target; /* heap: a symbolic link's target on that side
	                                * (git keeps it as the link's content); NULL
	                                * when that side is not a link */
	size_t added, removed;        /* line counts (0 for binary) */
	struct review_hunk *hunks;    /* regular text files only; none for links, dirs, binary */
	size_t nhunks;
	struct review_step step;
};

struct review {
	char accepted_id[41]; /* the accepted mark (the baseline until the first accept) */
	char head_id[41];
	struct review_file *files; /* sorted by path */
	size_t nfiles;
};

/* The JSON object of one file (format above); without "hunks" entries when
 * `hunks` is false (an empty array then). New object, never NULL. */
cJSON *review_model_file_to_json(const struct review_file *f, bool hunks);

/* A digest of what a client shows of f: its whole diff (hunk 0) or hunk
 * `hunk` of it; the status, the paths, the modes, the sizes, the link
 * targets (review_model_link_text) and each shown line with its origin, its
 * text as the JSON form carries it (utf8_scrub).
 * The client computes it on the review it received and sends it with accept
 * or reject ("seen"); the engine computes it on the review as it is when it
 * acts, and refuses when the two differ: the file changed since it was shown,
 * and hunk N may be another hunk now. A binary file without hunks is known by
 * its sizes and modes only. Writes 16 lowercase hex digits (the first 8
 * bytes of a SHA-1, crypto_sha1) and a NUL. It names a version; it does not
 * guard one. */
void review_model_digest(const struct review_file *f, int hunk, char out[17]);

/* The same of a whole review over grants: rv[0..n) (NULL: nothing there),
 * every file's whole diff, grant after grant, as review_get lists them. An
 * accept or reject of everything pending sends it: what is pending now may
 * hold a file the client never showed. Writes 16 hex digits and a NUL. */
void review_model_digest_all(struct review *const *rv, size_t n, char out[17]);

/* What a review says of f's symbolic links, appended to out (raw bytes: the
 * caller sanitizes them for its screen): "symlink: OLD -> NEW" for a link
 * given a new target, "symlink to NEW" for one that is new (created, or a
 * file that became a link), "was a symlink to OLD" for one that is gone.
 * Returns whether anything was appended (false: no side is a link). */
bool review_model_link_text(const struct review_file *f, struct buf *out);

/* The JSON object of a whole review (format above). New object, never NULL. */
cJSON *review_model_to_json(const struct review *r);

/* Decode the object review_model_to_json() makes. *out is a new review owned
 * by the caller (review_model_free), NULL on error. Returns 0, or DH_EPARSE
 * with a message naming what is wrong ("review: files[2].status: …"). */
int review_model_from_json(const cJSON *j, struct review **out) DH_MUST_CHECK;

/* Free a review and everything it holds. NULL-safe. */
void review_model_free(struct review *r);

/* Free what one file holds (paths, textconv, hunks, step); the struct stays. */
void review_model_file_fini(struct review_file *f);

/* Free what one step holds (label, tool_call); the struct stays. */
void review_model_step_fini(struct review_step *s);

#endif
