/* SPDX-License-Identifier: MIT */
#ifndef DH_SNAP_REVIEW_SET_H
#define DH_SNAP_REVIEW_SET_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "snap/review.h"

struct cJSON;
struct strv;

/*
 * One session-wide review over the N grants of a session (issue 9, "one
 * session-wide review"): the review model (review.h) works on one grant's
 * store; this is the one place that fans out over them. The CLI verbs
 * (cli/review.c, cli/history.c), the engine's review jobs (cli/engine.c) and
 * the diff pane (ui/pane_diff.c) all go through it. Paths are routed to
 * grants by their callers with grant_resolve() (policy/grant.h), the one
 * router. Threading as review.h: synchronous, the stores belong to the
 * calling thread (the worker, or a CLI verb).
 */
struct review_set {
	const char *session;              /* session id, borrowed */
	struct snap_store *const *stores; /* one per grant, borrowed */
	const char *const *paths;         /* the grants' real paths, borrowed (messages) */
	size_t n;                         /* grants */
};

/* The tool-call ids of the conversation `history` (session_history_load()'s
 * array of {role, content}) that have no result: the tool_use blocks of a
 * trailing assistant message, in order. Appended to *out (copies). */
void review_set_unanswered(const struct cJSON *history, struct strv *out);

/* snap_review_recover() in every grant, before a command acts, so it acts on
 * what is on disk now: changes since the last checkpoint are recorded as the
 * interrupted call's (the first of `history`'s unanswered calls without a
 * checkpoint; `history` may be NULL: a live session, whose calls always end
 * in a checkpoint) or as external. One line per checkpoint taken is appended
 * to `report` (may be NULL): "GRANT: recorded what changed since the last
 * checkpoint as interrupted call ID (checkpoint SHORT)" or "... as external
 * changes (...)". A grant without the session yet (DH_ENOTFOUND) is skipped.
 * Returns 0 or the first error (message names the grant). */
int review_set_recover(const struct review_set *rs, const struct cJSON *history,
                       struct buf *report) DH_MUST_CHECK;

#endif
