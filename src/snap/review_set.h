/* SPDX-License-Identifier: MIT */
#ifndef DH_SNAP_REVIEW_SET_H
#define DH_SNAP_REVIEW_SET_H

#include <stdbool.h>
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

/* How the result of a call that a stopped session left pending begins (the
 * agent writes it on resume, REVIEW_INTERRUPTED_RESULT then the rest). */
#define REVIEW_INTERRUPTED_RESULT \
	"interrupted: the session was stopped while this call was pending or running"

/* The tool-call ids of the conversation `history` (session_history_load()'s
 * array of {role, content}) that have no result: the tool_use blocks of a
 * trailing assistant message, in order; or, when the last message answers
 * them, those it answers with REVIEW_INTERRUPTED_RESULT (a resume that
 * wrote them was stopped before its recovery took the calls' checkpoint).
 * Appended to *out (copies). */
void review_set_unanswered(const struct cJSON *history, struct strv *out);

/* snap_review_recover() in every grant, before a command acts, so it acts on
 * what is on disk now: changes since the last checkpoint are recorded as the
 * interrupted call's (the first of `history`'s unanswered calls without a
 * checkpoint; `history` may be NULL: a live session, whose calls always end
 * in a checkpoint) or as external. One line per checkpoint taken is appended
 * to `report` (may be NULL): "GRANT: recorded what changed since the last
 * checkpoint as interrupted call ID (checkpoint SHORT)" or "... as external
 * changes (...)", or, over a head that cannot be read, "GRANT: the head
 * checkpoint ID of session S cannot be read (...): recorded the folder as it
 * is now over it (checkpoint SHORT)", or when the folder matched what was
 * damaged, which that wrote anew, "GRANT: the head checkpoint ID of session
 * S could not be read: the folder matched it, and recording it over it
 * (checkpoint SHORT) wrote what was damaged anew; it reads again". With a
 * `history` (the session's owner is gone) the ref locks a killed owner left
 * are removed first (snap_clear_stale_locks). A grant without the session
 * yet (DH_ENOTFOUND) is skipped. What it takes back of the calls'
 * protected paths is kept for the model (review_set_read_untold).
 * Returns 0 or the first error (message names the grant). */
int review_set_recover(const struct review_set *rs, const struct cJSON *history,
                       struct buf *report) DH_MUST_CHECK;

/* For the run that resumes the session (its model is to be told): what
 * this and earlier recoveries took back of the calls' protected paths
 * (snap_review_read_untold), appended to `untold` as "\n[deskhand: GRANT:
 * LINE]" each, as the model reads a live take-back; `told` gets each
 * grant's lines as read (told->v[g] for g < rs->n, "" for none), for
 * review_set_forget_untold() once the model's history holds them: until
 * then they stay kept, for a later run. Returns 0 or the first error
 * (message names the grant). */
int review_set_read_untold(const struct review_set *rs, struct buf *untold,
                           struct strv *told) DH_MUST_CHECK;

/* The lines review_set_read_untold() gave as `told` are in the model's
 * history: forgotten (snap_review_forget_untold), in the first
 * min(rs->n, told->n) grants. Returns 0 or the first error (message names
 * the grant). */
int review_set_forget_untold(const struct review_set *rs, const struct strv *told) DH_MUST_CHECK;

/* Every grant's pending changes (snap_review_get): out[g] for g < rs->n,
 * NULL for a grant the session has no checkpoint in yet. Each is freed with
 * snap_review_free(). Returns 0 or the first error (message names the
 * grant; the slots filled so far stay set). */
int review_set_get(const struct review_set *rs, struct review **out) DH_MUST_CHECK;

/* The tool-call ids of the newest `want` agent steps that can be undone over
 * every grant (snap_review_steps merged by time; a step that changed several
 * grants has the same tool-call id in each and counts once; a step no longer
 * in its grant's head, snap_review_step_in_head(), is passed over unless a
 * newer step chosen took it back), newest first,
 * appended to *calls, and their checkpoint labels ("turn 3: edit_file
 * toolu_1") to *labels (may be NULL) in the same order. Returns how many were
 * found (may be fewer than `want`) or <0 on error. */
int review_set_newest_calls(const struct review_set *rs, size_t want, struct strv *calls,
                            struct strv *labels) DH_MUST_CHECK;

/* Whether `spec` names a mark every grant has its own of: "baseline", "head"
 * or "accepted" (not a checkpoint id). */
bool review_set_spec_is_mark(const char *spec);

/* Which grants a restore to checkpoint `spec` acts on: for a mark
 * (review_set_spec_is_mark) every grant that has a baseline — a grant with
 * none was never checkpointed, because the session stopped before its first
 * checkpoint, so nothing of it can be restored or needs to be — else the
 * grants where snap_resolve() finds `spec` (a checkpoint id belongs to one).
 * Sets on[g] for g < rs->n and returns how many are set: 0 for a mark means
 * the session has no checkpoint at all. */
size_t review_set_restore_targets(const struct review_set *rs, const char *spec, bool *on);

/* The path the review commands (snap_review_accept, _reject, _reject_hunk,
 * _accept_hunk) take for an argument `arg` that grant_resolve() routed to
 * `rel` (heap, taken over): "./", the granted folder's own entry (its mode
 * change alone), when `arg` names the folder itself spelled as the review
 * prints that entry ("./", or GRANT/./, with any number of trailing
 * slashes); otherwise `rel` ("" for the folder spelled "." or GRANT:
 * everything in it). Returns a heap string. */
char *review_set_self_path(const char *arg, char *rel);

/*
 * Names given back. The review verbs print a name as `deskhand review` lists
 * it, and `deskhand review --json` writes it in utf8_name_escape()'s form:
 * a byte that is not UTF-8 as "\xHH" ("caf\xe9.txt"). A PATH argument is
 * taken as the exact bytes given first and, only when those name nothing
 * pending, in that escaped form (utf8_name_unescape()), so both the real
 * name "a\x41.txt" and the name `review` prints as "caf\xe9.txt" work.
 */

/* The unescaped spelling of the PATH argument `arg` (utf8_name_unescape()),
 * when it has one that differs from `arg`; else NULL. Heap. */
char *review_set_unescaped(const char *arg);

/* Which spelling of a PATH argument a command acts on: the argument as given
 * (`rel`, routed to grant g) when it selects something pending there
 * (snap_review_selects()); else its unescaped spelling (`alt`, routed to
 * grant `ag`; NULL when it has none) when that does; else the argument as
 * given, so that the command says nothing is pending at what was typed.
 * Returns 0 (as given), 1 (unescaped), or <0 when a review cannot be read
 * (the message names the grant). */
int review_set_pick_name(const struct review_set *rs, size_t g, const char *rel, size_t ag,
                         const char *alt) DH_MUST_CHECK;

/* A new op tag for snap_review_undo() or snap_review_restore() that groups
 * one undo or restore over several grants for redo: the wall-clock time in
 * ms, zero-padded to 13 digits, so later ones compare greater (strcmp). */
void review_set_new_op(char op[32]);

/* The step ids (full commit ids) in grant `g` of the agent steps whose tool
 * calls are in `calls`, appended to *ids, for snap_review_undo(). Returns 0
 * or <0 on error. */
int review_set_step_ids(const struct review_set *rs, size_t g, const struct strv *calls,
                        struct strv *ids) DH_MUST_CHECK;

#endif
