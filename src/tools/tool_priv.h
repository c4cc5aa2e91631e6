/* SPDX-License-Identifier: MIT */
#ifndef DH_TOOLS_TOOL_PRIV_H
#define DH_TOOLS_TOOL_PRIV_H

/*
 * Shared by the files of src/tools only (not for the agent): the entry tables
 * each tool file exports, the base of asynchronous runs, and the helpers
 * implemented in tool.c.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/utf8.h" /* utf8_scrub for tool text, utf8_name_escape for names */
#include "tools/tool.h"

struct grant;

/* Entry tables, each ended by an entry with name NULL. */
extern const struct tool_entry tool_fs_entries[];
extern const struct tool_entry tool_sheet_entries[];
extern const struct tool_entry tool_doc_entries[];
extern const struct tool_entry tool_search_entries[];
extern const struct tool_entry tool_shell_entries[];
extern const struct tool_entry tool_web_entries[];
extern const struct tool_entry tool_skill_entries[];
extern const struct tool_entry tool_output_entries[];

/* For the descriptions of the tools that take or show paths (the model
 * reads it): the escaped form of names that are not UTF-8. */
#define TOOL_NAMES_NOTE                                                                            \
	"A file name that is not valid UTF-8 is shown with each such byte as \\xHH (\\xff "     \
	"for the byte 0xff) and a literal backslash before x and two hex digits as \\x5c; "     \
	"pass such a path back exactly as shown and \\xHH is read as that byte."

/* Resolve a tool path through env->grants (grant_resolve()), after decoding
 * the escaped form of names that are not UTF-8 (utf8_name_unescape). A path
 * of PATH_MAX bytes or more, or with a name over NAME_MAX, is refused
 * (DH_EFAIL "too long") before anything is created. On success *out_gr is
 * borrowed, *out_rel heap and *out_shown (may be NULL) a heap display form:
 * the grant-0-relative path ("." for its root) or, for other grants, the
 * absolute path, in the escaped form (utf8_name_escape). */
int tool_path(struct tool_env *env, const char *path, const struct grant **out_gr, char **out_rel,
              char **out_shown) DH_MUST_CHECK;
/* tool_path for the tools that only read: an absolute path outside every
 * grant may also lie in env->readable (then *out_shown is the absolute
 * path). Never for a tool that changes anything. */
int tool_path_read(struct tool_env *env, const char *path, const struct grant **out_gr,
                   char **out_rel, char **out_shown) DH_MUST_CHECK;
/* The display form of (grant idx, rel) as described for tool_path. Heap. */
char *tool_shown(struct tool_env *env, size_t idx, const char *rel);

/* What the tools that write one file check before anything else
 * (write_file, edit_file, write_spreadsheet, write_document): `path` resolves
 * through tool_path, is not protected (grant_is_protected) and not over the
 * large-file limit. On a refusal `out` holds it and the result is false. gr,
 * rel and shown are set either way (rel and shown heap, may be NULL). */
bool tool_change_prepare(const char *path, struct tool_env *env, const struct grant **gr,
                         char **rel, char **shown, struct tool_result *out);
/* Write `len` bytes to rel beneath gr as write_file does: missing parents
 * created, then grant_write (atomic; an existing file keeps its mode). On a
 * failure `out` holds the reason, the parents it created are removed again
 * and the DH_E* code is returned; else 0. *created (may be NULL): it was new.
 * Safe on the worker thread (only gr's directory fd is used). */
int tool_write_into(const struct grant *gr, const char *rel, const void *data, size_t len,
                    bool *created, struct tool_result *out);
/* After a write of rel beneath gr: when an office suite's lock file sits
 * beside it (LibreOffice's ".~lock.NAME#", Microsoft Office's "~$NAME"),
 * the file is open in that program, whose next save would overwrite what
 * was just written: a sentence saying so is appended to out->text. Safe on
 * the worker thread. */
void tool_note_open_elsewhere(const struct grant *gr, const char *rel,
                              struct tool_result *out);
/* A refusal a run would put in its result (r), as the error of its preview:
 * err_setc(DH_EDENIED when r->denied, else DH_EFAIL) with r's text; r is
 * finalized. Returns that code. */
int tool_refusal_err(struct tool_result *r);
/* A file's current state into p's old_* members (a preview): missing is
 * fine; a directory or a non-regular file is marked in p->skip; content up
 * to TOOL_PREVIEW_MAX bytes. Returns 0 or a DH_E* code. */
int tool_preview_old(const struct grant *gr, const char *rel, struct tool_preview *p);

/* The first line of a command's result without the sandbox. */
#define TOOL_UNSANDBOXED_MARK                                                                      \
	"[UNSANDBOXED: this command ran WITHOUT any sandbox, as the person chose with "            \
	"--dangerously-run-commands-unsandboxed]"

/* Run cmd (argv, NULL-terminated; copied) in deskhand-sandbox exactly as
 * run_command runs its shell (the once-a-session trial, grants read-write,
 * the egress proxy, the timeout, --dangerously-run-commands-unsandboxed):
 * `what` (static) names the tool in messages, stdin_fd is the command's
 * standard input (-1: empty; taken over and closed by the run), timeout_s
 * seconds (0: env's default; at most TOOL_TIMEOUT_MAX). The contract of
 * tool_entry.start, and its run stops as run_command's (tool_run_stop); done
 * gets run_command's result: the merged output, then "exit status N" (or how
 * else it ended: "WHAT was interrupted: WHY", ...), is_error when it was not
 * 0, then what it did to the protected paths, each on a line beginning
 * "[deskhand: " (and in the result's created_protected, changed_protected,
 * ...: the caller passes them on). Without the sandbox the result's first
 * line is TOOL_UNSANDBOXED_MARK. */
int tool_sandbox_start(struct tool_env *env, const char *what, const char *const *cmd,
                       int stdin_fd, int timeout_s, struct tool_run **out, tool_done_fn *done,
                       void *ctx) DH_MUST_CHECK;

/* Standard base64 (RFC 4648, with padding) of n bytes, appended to out. */
void tool_base64(struct buf *out, const void *data, size_t n);

/* A synchronous tool's run function (tool_entry.run). */
typedef int tool_sync_fn(const cJSON *input, struct tool_env *env, struct tool_result *out);
/* Start `run` as an asynchronous call (the contract of tool_entry.start):
 * with on_worker on env->worker when there is one, else on the loop at its
 * next iteration; done gets its result on the loop. For the tools whose
 * work can be long (reading a document's text or a big file, walking or
 * searching a folder, building a workbook, hashing a skill again), so the
 * loop never waits for them; the worker runs jobs in order, so short work
 * stays on the loop rather than queue behind a checkpoint. `run` must only touch files
 * through the grants (which the agent does not change while a call runs; a
 * write goes through tool_write_into) and read env. input is copied; env
 * must outlive the run; tool_run_cancel() is safe at any time, also while
 * the job is queued: a job not started yet then never runs `run` (nothing
 * is written for a call reported interrupted), one already running ends on
 * its own, its result unread. */
int tool_start_deferred(tool_sync_fn *run, const cJSON *input, struct tool_env *env,
                        bool on_worker, struct tool_run **out, tool_done_fn *done,
                        void *ctx) DH_MUST_CHECK;
/* A deferred tool's run function that can be told to give up: `stop_fd` is
 * -1, or an fd that becomes readable (never read it) once the call was
 * cancelled while it runs; it then ends as soon as it can, its result
 * unread (struct doc_limits.stop_fd, proc_run_stoppable()). */
typedef int tool_stoppable_fn(const cJSON *input, struct tool_env *env, int stop_fd,
                              struct tool_result *out);
/* tool_start_deferred() for a run that waits on something it can stop (a
 * document's reader in a child process): tool_run_cancel() while the job
 * runs on the worker makes its stop_fd readable, so that the job, and the
 * worker's queue behind it, end at once. On the loop (no worker), stop_fd
 * is -1: the call is over before a cancel could come. */
int tool_start_deferred_stoppable(tool_stoppable_fn *run, const cJSON *input,
                                  struct tool_env *env, bool on_worker, struct tool_run **out,
                                  tool_done_fn *done, void *ctx) DH_MUST_CHECK;

/* How deep list_files and search_files go (grant_walk_limits.max_depth). */
#define TOOL_WALK_DEPTH_MAX 64

#endif
