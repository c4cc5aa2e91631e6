/* SPDX-License-Identifier: MIT */
#ifndef DH_TOOLS_TOOL_H
#define DH_TOOLS_TOOL_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/strv.h"

/*
 * The tool registry (tmux's cmd_entry style, STYLE.md §3.3): one const
 * `struct tool_entry` per tool the model may call, its JSON schema and
 * description (which the model reads), and dispatch. File tools go through
 * policy/grant.h (SANDBOX.md §4.5); run_command through deskhand-sandbox.
 * The permission rules (allow/ask/deny) and checkpoints are the agent's job.
 */

struct ev_loop;
struct worker;
struct egress;
struct grant_copy;
struct grant_set;
struct http_client;
struct watch;
/* An asynchronous call in flight: the first member of every run (the
 * static tools' and the run-time entries' own); tool_run_cancel() calls
 * cancel. */
struct tool_run {
	void (*cancel)(struct tool_run *r); /* kill if running, free; done not called */
	bool (*stop)(struct tool_run *r, const char *why); /* NULL: cannot; see tool_run_stop */
};
struct tool_entry;
struct tool_extra;
struct skill_set;

/* Where run_command and web_fetch keep a long output whole: a new empty file opened for
 * writing (*fd, O_CLOEXEC; the caller closes it) and its absolute path
 * (*path, heap, the caller frees it). Returns 0, or DH_EFAIL naming the path
 * (*fd is then -1 and *path NULL). */
typedef int tool_store_fn(int *fd, char **path, void *ctx);
/* A piece of a running call's output (`len` bytes of valid UTF-8, borrowed),
 * coalesced by the tool (TOOL_OUTPUT_FLUSH_MS / TOOL_OUTPUT_FLUSH_MAX). */
typedef void tool_output_fn(const char *text, size_t len, void *ctx);

enum tool_flags {
	TOOL_F_MUTATES = 1 << 0,  /* may change a grant: checkpoint after */
	TOOL_F_READONLY = 1 << 1, /* never changes anything */
	TOOL_F_PLAN = 1 << 2,     /* handled by the agent itself (run and start NULL) */
};

#define TOOL_OUTPUT_CAP_DEF 32768 /* bytes: the first and the last half are kept */
#define TOOL_OUTPUT_STORE_MAX ((size_t)64 << 20) /* bytes of one output stored whole */
#define TOOL_OUTPUT_FLUSH_MS 100  /* tool_output events: at most one per this long… */
#define TOOL_OUTPUT_FLUSH_MAX 4096 /* …each at most this many bytes: the latest */
#define TOOL_TIMEOUT_DEF    120   /* seconds */
#define TOOL_TIMEOUT_MAX    1800  /* seconds; larger timeout_s values are clamped */

/* What a tool may use. Borrowed by the tools; owned by the agent. */
struct tool_env {
	struct ev_loop *loop;     /* for asynchronous tools */
	struct worker *worker;    /* (borrowed) runs write_spreadsheet, and the copies of the
	                           * protected files an unsandboxed command keeps, off the
	                           * loop; NULL: on the loop, next iteration (a spreadsheet)
	                           * or at once (the copies) */
	struct grant_set *grants; /* grant 0 is where relative paths point */
	const char *sandbox_path; /* the deskhand-sandbox binary; NULL = none */
	const char *bwrap_path;   /* bwrap, resolved once by the engine (an executable that
	                           * PATH finds later could be one the agent made in a
	                           * granted folder); NULL = probe_bwrap_path() per call */
	size_t output_cap;        /* bytes of command output kept (0 = default) */
	int default_timeout_s;    /* run_command without timeout_s (0 = default) */
	struct egress *egress;    /* network policy: run_command gets the proxy, web_fetch
	                           * asks it; NULL = no network at all */
	struct http_client *http; /* web_fetch's client; NULL = web_fetch refused */
	long long large_file_limit; /* bytes: the file tools refuse to change a file
	                             * bigger than this, which checkpoints do not
	                             * store (so it could not be undone); 0 = none */
	bool unsandboxed;         /* --dangerously-run-commands-unsandboxed: run_command
	                           * runs plain /bin/sh -c in grant 0, loudly marked */
	int sandbox_trial;        /* run_command's once-per-session trial of the
	                           * sandbox: 0 not yet, 1 works, -1 cannot sandbox */
	char sandbox_refusal[1024]; /* why, when sandbox_trial < 0 */
	const struct tool_extra *extra; /* tools defined at run time (connectors); NULL = none */
	const struct strv *host_paths; /* probe_host_paths(), asked once by the engine
	                                * (borrowed); NULL = asked at each use */
	struct watch *watch;      /* (borrowed) the engine's watcher: run_command names the
	                           * nested repositories it found to the sandbox
	                           * (watch_repos()); NULL = only those the sandbox finds
	                           * one folder down */
	const struct skill_set *skills; /* load_skill's skills (borrowed); NULL = none */
	struct grant_set *readable; /* folders read_file, list_files and search_files may
	                             * read by absolute path, never change (the
	                             * skills' directories); NULL = none */
	const char *session_dir;  /* the session's directory, whose blobs/ read_tool_output
	                           * reads; NULL = no session (the tool refuses) */
	const char *call_id;      /* the id of the call that runs now (borrowed, set by the
	                           * agent before each one): run_command without the
	                           * sandbox names it in TOOL_PROTECTED_COPIES; NULL = none */
	tool_store_fn *store;     /* NULL: a long output is cut and not stored */
	tool_output_fn *on_output; /* NULL: no live output */
	void *hook_ctx;           /* ctx of store and on_output */
};

/* The outcome of one tool call, as the model will see it. */
struct tool_result {
	bool is_error;   /* the model sees is_error: true */
	struct buf text; /* plain text (always set, also when content is) */
	cJSON *content;  /* owned; Anthropic content-block array (image/document
	                  * blocks) to send instead of text; NULL = plain text */
	bool denied;     /* a grant escape or mandatory-deny rule fired: audit it */
	struct strv created_protected; /* absolute paths of protected paths the call
	                                * created (run_command): the agent takes them
	                                * back after the call's checkpoint */
	struct strv changed_rules;  /* absolute paths of the grants' .deskhandignore
	                             * that the call changed (run_command without
	                             * the sandbox, which binds it read-only) */
	struct strv rules_before;   /* each one's content before the call, in the
	                             * same order: its checkpoint records under it */
	struct strv changed_protected; /* absolute paths of the protected files
	                                * that were there and that the call changed
	                                * or removed (run_command without the
	                                * sandbox, which binds them read-only; a
	                                * changed .deskhandignore too): the agent
	                                * puts each back after the call's checkpoint */
	struct grant_copy *protected_was; /* each one as it was (grant_copy_take),
	                                   * same order; owned */
	char *output_file;  /* owned: absolute path of the whole output (run_command,
	                     * web_fetch's text, when it was cut for the model), or NULL */
	struct strv repos_before; /* run_command with a watcher: every repository
	                           * below the grants that the watcher listed before
	                           * the command ran (watch_repos, depth 1 and down),
	                           * absolute paths, strv_uniq()ed: the checkpoint
	                           * after the command tells the ones it made */
	bool repos_known;         /* repos_before was taken */
};

/* Called once when an asynchronous call finishes, on the loop thread.
 * `res` stays owned by the run (finalized when the run is freed); the callee
 * may move members out of it (buf_detach(&res->text), take res->content and
 * set it to NULL). The callee may call tool_run_cancel() on its run. */
typedef void tool_done_fn(struct tool_result *res, void *ctx);

#define TOOL_PREVIEW_MAX (1u << 20) /* bytes of a file a preview reads */

/* What a file-changing call would do, computed without changing anything
 * (the approval's diff). The same code computes it as the real run, so the
 * two cannot disagree. */
struct tool_preview {
	char *path;        /* the file, display form (heap); a move's destination */
	char *old_path;    /* move_file: the source (heap); NULL otherwise */
	bool old_exists;   /* the file is there before the call */
	bool new_exists;   /* and after it (false: deleted) */
	bool is_dir;       /* the path is a directory (moved or deleted) */
	struct buf old;    /* content before, when `skip` is NULL */
	struct buf new;    /* content after, when `skip` is NULL */
	long long old_size, new_size; /* bytes (-1: none) */
	const char *skip;  /* static: why there is no content diff ("binary file",
	                    * "over 1 MiB"), NULL when old/new hold the content */
};

struct tool_entry {
	const char *name;         /* the model's name for it; a public interface */
	const char *description;  /* what the model reads */
	const char *input_schema; /* JSON Schema text (object) */
	unsigned flags;           /* enum tool_flags */
	/* Synchronous tools: fill `out` (tool failures are results with
	 * is_error, never return codes) and return 0. Runs on the loop: only
	 * small, bounded file work. `input` was validated. */
	int (*run)(const cJSON *input, struct tool_env *env, struct tool_result *out);
	/* Asynchronous tools: start the call; *out is the caller's handle, always
	 * ended with tool_run_cancel() (before or after done). Returns 0, and done
	 * is then called exactly once, later from the loop (never from inside
	 * start), unless the run is cancelled first. Every failure, including a
	 * missing sandbox helper, arrives as an error result through done.
	 * `input` was validated; env must outlive the run. */
	int (*start)(const cJSON *input, struct tool_env *env, struct tool_run **out,
	             tool_done_fn *done, void *ctx);
	/* File-changing tools: fill `out` (initialized, tool_preview_init) with
	 * what run would do, reading at most TOOL_PREVIEW_MAX bytes of a file
	 * and writing nothing. Returns 0, or a DH_E* code with err_msg() saying
	 * why run would fail. NULL: the tool has no preview. */
	int (*preview)(const cJSON *input, struct tool_env *env, struct tool_preview *out);
	/* Entries defined at run time (struct tool_extra): like start, given the
	 * entry itself, whose `data` says which tool it is. */
	int (*start_entry)(const struct tool_entry *e, const cJSON *input, struct tool_env *env,
	                   struct tool_run **out, tool_done_fn *done, void *ctx);
	void *data; /* the owner's, for start_entry */
};

/*
 * Tools defined at run time: the connectors' mcp__SERVER__TOOL entries, kept
 * by their host (engine/mcp_host.h) and current as servers come and go. The
 * static tables come first; tool_env_find() and tool_env_schemas() are the
 * one place that answers "which tools exist" for the agent, approval and
 * preview. Entries are borrowed from the owner; one found by name is valid
 * until control returns to the loop.
 */
typedef void tool_ready_fn(void *arg);
struct tool_extra {
	size_t (*count)(void *ctx);
	const struct tool_entry *(*at)(void *ctx, size_t i);
	/* true: the set is still loading, and `ready(arg)` runs once from the loop
	 * when it has loaded or a bounded wait passed; false: loaded, ready never
	 * runs. ready NULL forgets an earlier waiter `arg`. NULL: never loading. */
	bool (*wait)(void *ctx, tool_ready_fn *ready, void *arg);
	/* Notices for the model since it was last given them (a connector's
	 * resource changed): lines appended to `out`, then forgotten. The agent
	 * sends them as a text block with the next tool results or message.
	 * NULL: none. */
	void (*notes)(void *ctx, struct buf *out);
	/* A call to `name`, which is not in the set now: when the set can say
	 * why (its connector exited), one line for the model is appended to
	 * `out` and true returned; false: the name is simply unknown. NULL:
	 * never. */
	bool (*missing)(void *ctx, const char *name, struct buf *out);
	void *ctx;
};

/* Defaults: output_cap TOOL_OUTPUT_CAP_DEF, default_timeout_s TOOL_TIMEOUT_DEF,
 * everything else NULL. */
void tool_env_init(struct tool_env *env);

void tool_result_init(struct tool_result *r);
/* Free text and content; r is then as after tool_result_init(). NULL-safe. */
void tool_result_fini(struct tool_result *r);
/* Replace r's text with a formatted error (is_error = true, content freed). */
void tool_result_errorf(struct tool_result *r, const char *fmt, ...) DH_PRINTF(2, 3);
/* Replace r's text with err_msg() (is_error = true); denied = (rc == DH_EDENIED). */
void tool_result_from_err(struct tool_result *r, int rc);

void tool_preview_init(struct tool_preview *p);
/* Free what p holds; p is then as after tool_preview_init(). NULL-safe. */
void tool_preview_fini(struct tool_preview *p);
/* Validate `input` and preview the call (see tool_entry.preview). Returns 0,
 * DH_ENOTFOUND when e has no preview, or the validation's or the tool's
 * error (err_msg() says what). */
int tool_preview_call(const struct tool_entry *e, const cJSON *input, struct tool_env *env,
                      struct tool_preview *out) DH_MUST_CHECK;

/* The display form of a path the model passed (grant-0-relative, or
 * absolute for the other grants; see tool_path in tool_priv.h), heap; NULL
 * when the path is outside every grant or malformed (err_msg() says why). */
char *tool_display_path(struct tool_env *env, const char *path);

/* Glob match for list_files, search_files and the permission rules:
 * fnmatch(3) per '/'-separated component, "**" matching zero or more whole
 * components. A pattern with no '/' is matched against the last component
 * only; one that starts with "./" is matched from the top ("./" then "*.md" matches
 * "a.md", not "notes/a.md"). */
bool tool_glob_match(const char *pattern, const char *path);
/* The same, with '*' and '?' matching a leading '.' too ("*.env" matches
 * ".env"): for the deny and ask rules, which must not miss a dotfile. */
bool tool_glob_match_dots(const char *pattern, const char *path);

/* Look a tool up by name among the static tables and env->extra; NULL if
 * unknown. Borrowed (see struct tool_extra). */
const struct tool_entry *tool_env_find(const struct tool_env *env, const char *name);
/* tool_schemas() followed by env->extra's entries. Caller owns. */
cJSON *tool_env_schemas(const struct tool_env *env);
/* Start an asynchronous entry (start or start_entry; contract of
 * tool_entry.start). Returns DH_EFAIL for a synchronous entry. */
int tool_start(const struct tool_entry *e, const cJSON *input, struct tool_env *env,
               struct tool_run **out, tool_done_fn *done, void *ctx) DH_MUST_CHECK;
/* Whether e runs asynchronously (tool_start) rather than through run. */
bool tool_is_async(const struct tool_entry *e);

/* What one process run in deskhand-sandbox gets (SANDBOX.md; the helper's
 * CLI, sandbox/deskhand-sandbox.c). Borrowed strings. */
struct tool_sandbox_spec {
	const char *sandbox;            /* the deskhand-sandbox binary */
	const char *bwrap;              /* bubblewrap; NULL or /usr/bin/bwrap: the helper's default */
	const char *const *rw;          /* read-write paths; the first is HOME and the cwd */
	size_t nrw;
	const char *const *ro;          /* read-only paths */
	size_t nro;
	const char *chdir;              /* working directory; NULL = the helper's default */
	int timeout_s;                  /* wall-clock limit; 0 = none */
	int proxy_fd;                   /* --proxy-fd (the socket the listener comes back
	                                 * on); -1 = no network at all */
	int exec_ready_fd;              /* > 2: --exec --ready-fd N (the helper becomes bwrap;
	                                 * the caller enforces the timeout and reads the
	                                 * ready byte from the pipe whose write end is N);
	                                 * 0: the helper supervises (its exit codes) */
	const char *const *env;         /* NAME=VALUE for the command; NULL-terminated or NULL */
	const char *const *cmd;         /* the command; NULL-terminated */
	const struct strv *host_paths;  /* probe_host_paths(); NULL = asked here */
	const struct strv *repos;       /* git repositories deeper in the rw grants (the
	                                 * watcher's, watch_repos()), each passed as
	                                 * --repo; NULL = none */
	bool find_repos;                /* --find-repos instead (with repos NULL): the
	                                 * helper walks the rw grants for them itself,
	                                 * once (a connector's server) */
};
/* The argv running s->cmd in deskhand-sandbox, appended to `out` (copies)
 * and ended by a NULL element (counted in out->n). It also passes
 * `--protect` for each host path (probe_host_paths) that one of s->rw holds,
 * so that the command cannot replace deskhand or change its configuration or
 * state, and `--repo` for each of s->repos, at most TOOL_SANDBOX_REPOS_MAX
 * (the helper's own bound), or `--find-repos` (s->find_repos). The one
 * place that builds it: run_command and the connectors' stdio servers. */
#define TOOL_SANDBOX_REPOS_MAX 32
void tool_sandbox_argv(struct strv *out, const struct tool_sandbox_spec *s);

/* Look a tool up by name; NULL if unknown. Borrowed, static. */
const struct tool_entry *tool_find(const char *name);
/* All tools in a stable order: tool_at(0 … tool_count() - 1). */
size_t tool_count(void);
const struct tool_entry *tool_at(size_t i);
/* The Anthropic "tools" array [{name, description, input_schema}] of every
 * tool (plan tools included) in tool_at() order. Caller owns (cJSON_Delete). */
cJSON *tool_schemas(void);

/* Check `input` against e's schema: an object, required keys present, types
 * (string, integer, number, boolean, array, object) of the given fields and
 * nested array items, string enums, integer minimums; a string holding a NUL
 * (JSON_NUL, core/json.h) is refused, for every tool. Unknown keys are
 * ignored. Returns 0 or DH_EPARSE with a message such as
 * "edit_file: missing required field 'old_string'". */
int tool_validate(const struct tool_entry *e, const cJSON *input) DH_MUST_CHECK;

/* Validate and run a synchronous tool, always leaving a result in `out`
 * (which must be initialized): a validation failure, a plan or asynchronous
 * entry, and the tool's own failures become error results. */
void tool_invoke(const struct tool_entry *e, const cJSON *input, struct tool_env *env,
                 struct tool_result *out);

/* The file in a session's directory where run_command without the sandbox
 * keeps, while a command runs, the copies of the protected files it would
 * put back (grant_copy_pack; one too large to keep the bytes of, only its
 * lstat data, to tell a change), written and fsynced before the command starts:
 * an engine killed while it ran leaves it for tool_shell_put_back(). It is
 * removed once the command's own put-back is done (or when there was none
 * to do). */
#define TOOL_PROTECTED_COPIES "protected-copies"

/* After an engine was killed: put back the protected files that the
 * unsandboxed command it ran changed or removed, from the copies it kept in
 * session_dir/TOOL_PROTECTED_COPIES, when the call they were kept for is
 * among `calls` (the session's calls without a result, as
 * review_set_unanswered() gives them, strv_uniq()ed: one that ended had its
 * own put-back). Each is put back as grant_copy_put() does, and said in
 * lines->v[g] (appended: one string per grant of `grants`, "" when none in
 * it; a line each, '\n'-ended, the path relative to the grant: "put back
 * .bashrc as the person had it, ..."; one kept without its bytes that
 * changed is said and left as it is); *out_call (heap, or NULL when
 * nothing was said) names the call. The file is removed afterwards.
 * Returns 0 (no file is nothing to do) or the read's error (the file stays;
 * lines are then n empty strings). Worker thread: reads and writes the
 * grants. */
int tool_shell_put_back(const char *session_dir, const struct grant_set *grants,
                        const struct strv *calls, struct strv *lines,
                        char **out_call) DH_MUST_CHECK;

/* End an asynchronous call: if it still runs, kill its whole process group
 * with SIGKILL now (done is NOT called); free it either way. Safe after done
 * was called and from inside done. NULL-safe. */
void tool_run_cancel(struct tool_run *r);

/* Interrupt an asynchronous call and still have its result: kill what runs
 * (SIGKILL to its process group) and let done come later, from the loop,
 * with an error result that says "NAME was interrupted: WHY" after what the
 * call printed, and what the tool checks once a call ends (run_command: the
 * protected paths it created or changed, to be taken back as after any
 * command). Returns true when done will come; false when the run cannot be
 * stopped so (a tool without it, a command not started yet or already
 * reported): the caller then cancels it (tool_run_cancel) and writes the
 * result itself. `why` is copied. Loop thread only; NULL-safe (false). */
bool tool_run_stop(struct tool_run *r, const char *why);

#endif
