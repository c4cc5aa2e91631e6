/* SPDX-License-Identifier: MIT */
#ifndef DH_SNAP_REVIEW_H
#define DH_SNAP_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/review_model.h"
#include "core/strv.h"
#include "snap/snap.h"

/*
 * The review model (DESIGN.md "The agent turn loop" step 5): what a session
 * changed that the person has not accepted yet, by file and hunk, and the
 * commands that act on it. Everything works on ONE grant's store; the fan-out
 * over a session's grants is snap/review_set.h, and paths are routed to the
 * grant that owns them with grant_resolve().
 *
 * Refs, all in the shadow repository, so they survive restarts:
 *   refs/deskhand/SESSION/accepted  the accepted mark: a commit whose tree
 *       (and note: empty dirs, modes) is the accepted state. Absent until the
 *       first accept, meaning "the baseline".
 *   refs/deskhand/SESSION/redo      the redo stack: a commit whose first
 *       parent is the state to redo to and whose second parent (if any) is the
 *       next entry. Pushed by an undo or a restore (the state before it), so
 *       redo takes either back. Valid only while the session head is the
 *       checkpoint the last undo/redo/restore made (trailer
 *       Deskhand-Redo-Head): any other checkpoint (an agent step, an external
 *       change, a reject) invalidates it.
 *
 * Pending changes are those between the accepted state and the session's
 * HEAD CHECKPOINT, not the folder's live contents: a person's edits count
 * once a checkpoint (the watcher's "external" ones) has recorded them.
 *
 * Kinds of checkpoints on a session's first-parent chain:
 *   agent step  has a Deskhand-Tool-Call trailer (and no Deskhand-Undo/Redo);
 *   undo        made by snap_review_undo(); one Deskhand-Undo: ID trailer per
 *               step it reverted;
 *   redo        made by snap_review_redo(); one Deskhand-Redo: ID per step;
 *   other       baseline, resume, external, reject, restore, "undo to"
 *               (redo of a restore: "redo (taking back restore SHORTID)").
 * A step is undone when the newest undo/redo trailer naming it is an undo.
 *
 * Review actions (reject, reject-hunk, undo, redo, restore) carry a
 * Deskhand-Review trailer: they are deskhand's own steps in the chain, never
 * someone else's edit.
 *
 * Conflicts: a path is in conflict when the folder's current contents differ
 * from what deskhand left there: for reject, restore and redo the head
 * checkpoint, or the checkpoint before the newest external checkpoints that
 * changed the path (a person's edit is in the way even once recorded); for
 * undo the undone step's version, carried forward over later review actions
 * on that path (so undoing an edit after rejecting one of its hunks works)
 * but not over anyone else's change. Then nothing is written, the
 * call returns DH_ECONFLICT and the outcome lists, per path, three versions
 * written to a fresh directory (base = what the command would restore, the
 * accepted version for reject-hunk; agent = what the agent left; current =
 * the folder now) and a unified diff
 * agent -> current. A path that already holds what the command would write
 * is no conflict. REVIEW_F_FORCE skips the check and overwrites.
 *
 * Every command that changes the folder writes through snap_restore.c (temp
 * file + rename, never following symlinks) and then takes a checkpoint whose
 * first line says what it did and which has no Deskhand-Tool-Call trailer,
 * so it is undoable with snap_review_restore() but never counted
 * as an agent step.
 *
 * Threading and errors as in snap.h: synchronous, one store per thread,
 * 0 or a negative DH_E* with err_msg() set.
 */

/* Flags for the commands that write to the folder. */
#define REVIEW_F_FORCE   0x1u /* overwrite conflicting paths */
#define REVIEW_F_DRY_RUN 0x2u /* check and report conflicts, change nothing */

/*
 * The pending changes: the data structs (struct review, review_file,
 * review_hunk, review_line, review_step) are core/review_model.h's, so a
 * client can hold and decode a review without libgit2.
 */

/* Everything pending on `session`: accepted state -> head checkpoint, renames
 * detected (git's 50% similarity), 3 lines of context, hunks numbered from 1.
 * Reads only the repository, never the folder. *out is owned by the caller
 * (snap_review_free). Returns 0, DH_ENOTFOUND (no such session), DH_EFAIL. */
int snap_review_get(struct snap_store *s, const char *session, struct review **out) DH_MUST_CHECK;
/* review_model_free() under the name snap's callers know. NULL-safe. */
static inline void
snap_review_free(struct review *r)
{
	review_model_free(r);
}

/* Whether the folder-relative `path` selects anything pending in `r`, as the
 * commands below take their `paths`: a file's path or (renames) its old
 * path, a directory above them, "." or "" everything, "./" the folder's own
 * entry. */
bool snap_review_selects(const struct review *r, const char *path);

/* The accepted mark's commit id (the baseline when never accepted). */
int snap_review_accepted(struct snap_store *s, const char *session, char out_id[41]) DH_MUST_CHECK;

/*
 * Recovery: what is on disk now
 */

/* Record what changed in the folder since the session's head checkpoint, so
 * that every command acts on the folder as it is now (issue 9, fault 1):
 * nothing is written to the folder; a checkpoint is taken when anything
 * differs (out->created). `calls` (may be NULL/0) are the tool-call ids the
 * session's transcript shows without a result, in the order the model asked
 * for them: the first one that has no checkpoint on the session is the call
 * the session was killed in, and the changes are attributed to it (label
 * "interrupted: ID (recovered)", a Deskhand-Tool-Call trailer, so it is an
 * agent step that undo reverts); otherwise they are someone else's ("external
 * changes (recovered)", Deskhand-External: yes). *attributed is set to the
 * index of that call in `calls`, or -1.
 *
 * Before that, a review action of the session (reject, undo, redo, restore)
 * that was killed or failed part way is cleaned up after: its temporary
 * files are removed and the directories it opened up get their modes back,
 * each step a line in `notes` (may be NULL); what it had changed is then its
 * own (label "interrupted: LABEL (partly done)", a Deskhand-Review trailer:
 * running it again finishes it), and *interrupted (heap, caller frees; NULL
 * when there was none) gets LABEL, the action's own label ("undo 1 step:
 * ID"). A head checkpoint that cannot be read (a damaged or missing object)
 * does not stop it: the folder is recorded as external changes over it
 * (snap_checkpoint_opts.over_damaged; out->damaged names it), so that the
 * commands after it have a head to work from. Returns 0, DH_ENOTFOUND (no
 * such session), DH_EFAIL. */
int snap_review_recover(struct snap_store *s, const char *session, const char *const *calls,
                        size_t ncalls, struct snap_checkpoint *out, int *attributed,
                        char **interrupted, struct buf *notes) DH_MUST_CHECK;

/* The recovery of a resume put back protected files that the interrupted
 * call `call` changed or removed (run_command without the sandbox, from the
 * copies it kept before it ran): `lines` (a line each, '\n'-ended, as
 * snap_review_recover() puts in its notes) are kept for the model
 * (snap_review_read_untold), and the folder as it is now is recorded in a
 * checkpoint of deskhand's own, as after a live put-back. 0, or the
 * checkpoint's error. */
int snap_review_put_back(struct snap_store *s, const char *session, const char *call,
                         const struct buf *lines) DH_MUST_CHECK;

/* What the recoveries of the session took back of its interrupted calls'
 * protected paths (the lines they put in `notes`, "removed .bashrc, ..."),
 * kept in the shadow repository until the model is told: a verb's recovery
 * runs with no model to tell, and a run that read them may end before a
 * task's message carried them. Appended to `out` (a line each, '\n'-ended;
 * nothing when there is none); they stay kept until
 * snap_review_forget_untold(). 0, or DH_EFAIL naming the file. */
int snap_review_read_untold(struct snap_store *s, const char *session,
                            struct buf *out) DH_MUST_CHECK;

/* The model was told the `len` bytes at `told` (what snap_review_read_untold()
 * gave, now in the history): they are forgotten. Only when the kept lines
 * still begin with them (a recovery since then adds after them, and keeps
 * what it added); nothing to forget (len 0, no lines kept) is 0. 0, or
 * DH_EFAIL naming the file. */
int snap_review_forget_untold(struct snap_store *s, const char *session, const char *told,
                              size_t len) DH_MUST_CHECK;

/*
 * Outcome of a command
 */

struct review_conflict {
	char *path;    /* relative to the folder */
	char *base;    /* file holding the version the command would restore, NULL: absent */
	char *agent;   /* the version the agent left, NULL: absent */
	char *current; /* the folder's current version, NULL: absent */
	char *diff;    /* unified diff agent -> current ("Binary files differ" for binary) */
	bool base_unreadable, agent_unreadable; /* recorded, but its blob cannot be read */
	char *error;   /* why (snap_blob_damaged's message), or NULL */
};

struct review_outcome {
	struct snap_checkpoint ck; /* checkpoint taken after the change (ck.created false: none) */
	struct strv report; /* its lines, without '\n': "restored P", "removed P", "created
	                     * D/", "removed D/", "accepted P"; P the name's exact bytes
	                     * (it may hold a newline or an escape: shown with
	                     * utf8_sanitized(), put in JSON with utf8_name_escape()) */
	struct strv notes;  /* what the person must know beyond the paths, a line each
	                     * (names as in `report`): what of theirs a forced
	                     * reject-hunk wrote over, and the checkpoint that has it */
	size_t npaths;             /* paths the command acted on */
	char *conflict_dir;        /* directory holding the three versions, or NULL */
	struct review_conflict *conflicts;
	size_t nconflicts;
	char taken_back[80]; /* redo: the restore it took back ("restore 3f2a9c1b2c3d"), or
	                      * "" (it reapplied an undo's steps) */
};

void snap_review_outcome_init(struct review_outcome *o);
void snap_review_outcome_fini(struct review_outcome *o);

/*
 * Commands. `paths` select pending files by folder-relative path: a file's
 * path or (renames) its old path, or a directory selecting everything below
 * it. A path that selects nothing pending is DH_ENOTFOUND naming it.
 * `conflict_dir` is where a conflict's directory is made (NULL: $TMPDIR or
 * /tmp); it is a fresh "deskhand-conflict-XXXXXX" inside it.
 */

/* Move the accepted mark for `paths` (all pending when n is 0): the new mark
 * is a commit (parent: the old mark) whose tree is the old accepted tree with
 * those paths (both sides of a rename) as in the head. The folder is not
 * touched and no checkpoint is taken; o->npaths counts the files accepted.
 * Returns 0, DH_ENOTFOUND, DH_EFAIL. */
int snap_review_accept(struct snap_store *s, const char *session, const char *const *paths,
                       size_t n, struct review_outcome *o) DH_MUST_CHECK;

/* Accept hunk `hunk` (numbered as snap_review_get() numbers them) of the
 * regular text file `path` ('M' or 'R' status) and nothing else: the new
 * accepted mark is a commit (parent: the old mark) whose tree is the old
 * accepted tree with `path`'s blob replaced by the accepted version with that
 * one hunk applied (for 'R', the blob moves to the new path and the old path
 * leaves the accepted tree). The other hunks stay pending with their numbers
 * shifted down by one; a file whose last hunk is accepted is no longer
 * pending. The folder is not touched and no checkpoint is taken; o->npaths is
 * 1. Returns 0, DH_ENOTFOUND (no such pending file or hunk), DH_EDENIED
 * (binary, link, created, deleted or mode-only file: accept the whole file),
 * DH_EFAIL. */
int snap_review_accept_hunk(struct snap_store *s, const char *session, const char *path, int hunk,
                            struct review_outcome *o) DH_MUST_CHECK;

/* Restore the selected files (n > 0) in the folder to their accepted state
 * (a rename: the old path comes back, the new one goes), then checkpoint
 * "reject P…". Conflict: the folder's path differs from the head.
 * Returns 0, DH_ENOTFOUND, DH_ECONFLICT, DH_EFAIL. */
int snap_review_reject(struct snap_store *s, const char *session, const char *const *paths,
                       size_t n, unsigned flags, const char *conflict_dir,
                       struct review_outcome *o) DH_MUST_CHECK;

/* Revert hunk `hunk` (numbered as snap_review_get() numbers them) of the
 * regular text file `path` ('M' or 'R' status) in the folder, leaving its
 * other hunks, then checkpoint "reject hunk N of P". Conflict: the folder's
 * file differs from the head, or the person's recorded edit touches the
 * hunk. With REVIEW_F_FORCE over the person's edit, the agent's changes in
 * the hunk are taken out of the person's version by a three-way merge
 * (ancestor: what the agent left; ours: the folder's file; theirs: that with
 * the agent's changes in the hunk reverted), so the person's lines stay where
 * they are apart from the agent's; where they collide, or the hunk holds no
 * change of the agent's, the hunk is reverted in the current file when its
 * lines are found there once, else in the head's version. Whatever of the
 * person's that overwrote is listed in o->notes, with the checkpoint that
 * holds it. Returns 0, DH_ENOTFOUND (no
 * such file or hunk), DH_EDENIED (binary, link, created or deleted file: use
 * reject), DH_ECONFLICT, DH_EFAIL. */
int snap_review_reject_hunk(struct snap_store *s, const char *session, const char *path, int hunk,
                            unsigned flags, const char *conflict_dir,
                            struct review_outcome *o) DH_MUST_CHECK;

/* The agent steps that can be undone, newest first: checkpoints with a
 * Deskhand-Tool-Call trailer that are not undone (see above). Only `id`,
 * `short_id`, `label`, `tool_call`, `turn` and `time` are set. *out is freed
 * with snap_review_steps_free(). Returns 0, DH_ENOTFOUND, DH_EFAIL. */
int snap_review_steps(struct snap_store *s, const char *session, struct review_step **out,
                      size_t *n) DH_MUST_CHECK;
void snap_review_steps_free(struct review_step *v, size_t n);

/* Whether agent step `id` (a full id from snap_review_steps()) still shows in
 * the session's head, once the newer steps `newer` (full ids, nnewer of them;
 * those to be undone with it) are undone: 1 when some path it changed holds
 * at the head another state than before the step, or was changed by one of
 * `newer`; 0 when every one is back as it was before it (a restore, a reject
 * or the person took the step back), so that undoing it would change
 * nothing. Returns 1, 0, DH_ENOTFOUND (not a step of the session),
 * DH_EFAIL. */
int snap_review_step_in_head(struct snap_store *s, const char *session, const char *id,
                             const char *const *newer, size_t nnewer) DH_MUST_CHECK;

/* Revert the agent steps `ids` (full ids from snap_review_steps(); any subset)
 * and nothing else: every path a step changed returns to its state before the
 * oldest of those steps that changed it; changes made by other checkpoints
 * (external edits, other steps) to other paths stay. Conflict: the folder's
 * path is no longer what the newest of those steps left. Then checkpoint
 * "undo N steps: SHORTIDS" with a Deskhand-Undo trailer per step, and push a
 * redo entry (tagged `op`, a string the caller uses to group grants; NULL: the
 * current time in ms, zero-padded) so snap_review_redo() can reapply them.
 * Returns 0, DH_ENOTFOUND (an id is not an undoable step), DH_ECONFLICT,
 * DH_EFAIL. */
int snap_review_undo(struct snap_store *s, const char *session, const char *const *ids, size_t n,
                     const char *op, unsigned flags, const char *conflict_dir,
                     struct review_outcome *o) DH_MUST_CHECK;

/* Whether a valid redo entry exists; when it does and `op` is non-NULL, its
 * op tag is copied there (NUL-terminated, at most 63 chars). Returns 1, 0
 * (nothing to redo), 2 (an undo's entry that a later checkpoint invalidated:
 * nothing to redo either), or <0 on error. */
int snap_review_can_redo(struct snap_store *s, const char *session, char op[64]) DH_MUST_CHECK;

/* Reapply what the last undo or restore (or the one before an earlier redo)
 * reverted: the paths that differ between the head and the entry's state
 * return to that state byte for byte, then checkpoint "redo N steps" with a
 * Deskhand-Redo trailer per step (after a restore: "redo (taking back restore
 * SHORTID)", and o->taken_back is "restore SHORTID"), and pop the entry.
 * Conflict: the folder's path differs from the head. Returns 0, DH_ENOTFOUND (nothing to redo), DH_ECONFLICT,
 * DH_EFAIL. */
int snap_review_redo(struct snap_store *s, const char *session, unsigned flags,
                     const char *conflict_dir, struct review_outcome *o) DH_MUST_CHECK;

/* Move the accepted mark to commit `id` (a full id): an
 * earlier mark of this session or its baseline (taking accepts back), or a
 * later one again (redoing them); anything else is DH_ENOTFOUND. The folder
 * is not touched and no checkpoint is taken; o->ck names the mark. Returns 0,
 * DH_ENOTFOUND, DH_EFAIL. */
int snap_review_mark_set(struct snap_store *s, const char *session, const char *id,
                         struct review_outcome *o) DH_MUST_CHECK;

/* Return the folder to checkpoint `spec` (snap_resolve()'s specs, plus
 * "accepted" for the accepted state): every path that differs between it and
 * the head is restored; then checkpoint "restore SHORTID" and push a redo
 * entry back to the head it found (`op` as for snap_review_undo(): one tag
 * for a restore over several grants), so snap_review_redo() takes it back.
 * Conflict: the folder's path differs from the head. Returns 0, DH_ENOTFOUND,
 * DH_ECONFLICT, DH_EFAIL. */
int snap_review_restore(struct snap_store *s, const char *session, const char *spec,
                        const char *op, unsigned flags, const char *conflict_dir,
                        struct review_outcome *o) DH_MUST_CHECK;

#endif
