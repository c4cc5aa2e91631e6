/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_CLIENT_H
#define DH_ENGINE_CLIENT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "agent/event.h"
#include "core/err.h"

struct strv;

/*
 * The client side of the engine (DESIGN.md "Engine and clients"): the only
 * engine header a front end (src/ui/, src/cli/) includes. A client receives
 * events (agent/event.h) and sends commands; it never reaches into the
 * engine's stores. Two transports behind one interface, as tmux's client and
 * its in-process command queue:
 *   - socket: an engine process of its own, one per live session, listening
 *     on SOCKDIR/ID.sock (SOCKDIR = $XDG_RUNTIME_DIR/deskhand, else
 *     /tmp/deskhand-UID; mode 0700). Newline-delimited JSON both ways:
 *     the client sends {"type":"hello","protocol":N,"client":"NAME"}; the
 *     engine answers with a "hello" event carrying the state snapshot, then
 *     the session's transcript history as events, then "history_end", then
 *     live events.
 *   - local: an engine in this process (tests, `deskhand run` in the
 *     foreground, review verbs on a session that is not live).
 * Loop thread only; events are delivered from the loop.
 */

struct ev_loop;
struct client;

/* What a client knows about its session, kept current from "hello" and the
 * events that follow. Borrowed from the client; valid until the next event
 * is delivered or client_close(). */
struct client_state {
	const char *session;	   /* id, NULL until a task created the session */
	const char *state_dir;	   /* $XDG_STATE_HOME/deskhand */
	const char *task;	   /* the first task */
	const char *model;
	const char *mode;	   /* "ask" | "auto" */
	const char *watcher;	   /* "on" or "off (why)" */
	const char *sandbox;	   /* as engine_sandbox() */
	const char *const *grants; /* real paths */
	size_t ngrants;
	const char *activity;	   /* "working", "waiting" (an approval), "idle",
				      "done", "failed", "interrupted" */
	const char *status;	   /* the last task's end: "done" | "failed" |
				      "interrupted", NULL before one ended */
	bool busy;		   /* a task was started and has not finished */
	bool settled;		   /* a task finished and no snapshot job is pending */
	int clients;		   /* clients attached (socket), 1 for local */
	long input_tokens, output_tokens;
	long cache_read_tokens;	   /* input tokens read from the prompt cache */
	double cost_usd;	   /* the session so far; < 0: not known (a request unpriced) */
	const cJSON *plan;	   /* the plan's steps [{title, status}], or NULL */
	const cJSON *pending;	   /* the approval_needed event waiting, or NULL */
	const cJSON *elicitations; /* the elicitation_needed events waiting at hello
				      (later ones come as events), or NULL */
	long long started_ns;	   /* when the session was created (CLOCK_REALTIME) */
	long long task_started_ns; /* when the running task started (CLOCK_REALTIME),
				      0 when none runs */
	pid_t engine_pid;	   /* the engine process (getpid() for local) */
};

/* Called for every event, replies included (ev->re set). Events of the
 * history replay come between "hello" and "history_end". */
typedef void client_event_fn(const struct event *ev, void *ctx);

/* Parse the engine's options ARGV (as client_open_local() takes them) and
 * nothing more, so that a front end names a bad one before it says what else
 * is missing. Returns 0, or DH_EPARSE (an unknown option, a missing value…) /
 * DH_EFAIL (the config file) with the message ready for "deskhand: %s". */
int client_args_check(char *const *argv, size_t argc) DH_MUST_CHECK;
/* client_args_check(), then the rules the engine applies to each --grant
 * when it opens (engine_grants_check(): a system directory or the home
 * directory without --force, a missing folder…), so that a run started
 * later with ARGV (a schedule's) is known to get past them. Returns 0, the
 * errors of client_args_check(), or DH_EDENIED / DH_ENOTFOUND / DH_EFAIL
 * naming the folder, message ready for "deskhand: %s". */
int client_args_check_grants(char *const *argv, size_t argc) DH_MUST_CHECK;
/* The operands (TASK) among the engine's options ARGV, as the engine finds
 * them: options before or after, "--" ends them. Their indexes in argv, in
 * order, go to idx (room for argc); returns how many (engine/args.h). */
size_t client_args_operands(char *const *argv, size_t argc, size_t *idx);

/* Open an engine in this process, with the same ARGV as client_spawn()
 * (the engine's options as `deskhand run` takes them), on `loop`. The client
 * owns it: client_close() drains and closes it. Errors as client_spawn(). */
int client_open_local(struct client **out, struct ev_loop *loop, char *const *argv, size_t argc)
	DH_MUST_CHECK;

/* The terminal of a foreground run went away (SIGHUP): its engine
 * (client_open_local) goes on as an engine process, live on its session's
 * socket from now on (serve_adopt() in engine/serve.h: stdio off the
 * terminal, log in the session's engine.log), so `deskhand ls` lists it and
 * `attach`, `wait` and `stop` reach it; an approval it asks waits for a
 * client. This client still gets every event. A second call does nothing.
 * 0, or DH_EFAIL (not a local client, or nothing could listen: the task goes
 * on unserved). */
int client_local_serve(struct client *c) DH_MUST_CHECK;
/* Whether the process of a local client may end now, by an engine process's
 * rule (serve_may_exit()): no task runs and no job is pending, and no client
 * is attached to the socket of client_local_serve() (STOPPING: SIGTERM or
 * SIGINT came; then whatever clients). False when it does not serve. */
bool client_local_may_exit(const struct client *c, bool stopping);

/* The directory of the engines' sockets ($XDG_RUNTIME_DIR/deskhand, or
 * /tmp/deskhand-UID when that variable is unset or names no directory),
 * created 0700 if missing and checked to be ours and not group/other
 * accessible. Heap string or NULL with
 * DH_EFAIL and a message naming the directory. */
char *client_socket_dir(void);
/* Every directory a live engine of ours may listen in, client_socket_dir()'s
 * first, then /tmp/deskhand-UID when that is another and is there (ours,
 * 0700): an engine started where $XDG_RUNTIME_DIR was unset (an SSH login
 * without a session manager, a cron-fired schedule) listens there, and a
 * shell that has the variable must still find it. Then the directories the
 * live engines recorded (client_socket_dir_record()), which a shell without
 * the variable, or with another one (su -, sudo -i), finds no other way;
 * each only when it is ours and 0700, none twice. Appended to `out` (free
 * it with strv_free); 0, or DH_EFAIL as client_socket_dir(). */
int client_socket_dirs(struct strv *out) DH_MUST_CHECK;
/* For an engine that listens: record that this process (getpid()) listens
 * in socket directory `dir`, in STATE/engines/PID@HOST (the state directory is
 * the same whatever $XDG_RUNTIME_DIR a shell has), for client_socket_dirs().
 * Blocks on the disk (a small file written atomically). 0, or DH_EFAIL
 * naming the file. */
int client_socket_dir_record(const char *dir) DH_MUST_CHECK;
/* Remove this process's record (client_socket_dir_record()), if any. A
 * record whose process is gone (killed) is removed by the next
 * client_socket_dirs(). */
void client_socket_dir_forget(void);

/* Start an engine process: fork (no exec, as tmux starts its server; call it
 * before any thread exists) and run `deskhand engine --ready-fd N ARGV…` in
 * the child (ARGV as `deskhand run` takes them: --grant DIR, --resume ID,
 * --mode, --model, --approve-plan, …, TASK; the process is named
 * "deskhand-engine"), detached from our terminal (setsid, stdio on /dev/null, its log in the
 * session's directory), wait until it listens (or reports an error on the
 * ready fd, which becomes ours), then connect and say hello. Returns 0 or
 * DH_EFAIL/DH_EDENIED/DH_ENOTFOUND with the engine's own message. */
int client_spawn(struct client **out, struct ev_loop *loop, char *const *argv, size_t argc)
	DH_MUST_CHECK;

/* Connect to the live engine of session `spec` (an id, a unique prefix or
 * "latest") and say hello. DH_ENOTFOUND when no engine of it is live, or the
 * one found hung up before its hello (it was exiting); the caller may then
 * read the session's record or client_spawn() one with --resume. DH_EPARSE for
 * an empty spec (session_spec_empty()). DH_EFAIL when its engine does not
 * answer, or accepts no connection at all (its queue is full: stopped). */
int client_connect(struct client **out, struct ev_loop *loop, const char *spec) DH_MUST_CHECK;

/* Live sessions: one hello-only connection per socket in the directories
 * (client_socket_dirs()), all made at once and answered within one deadline
 * for all of them (3 s, or DH_LIST_WAIT_MS); stale sockets (nobody
 * listening) are removed.
 * Blocks up to that deadline (no loop runs). *out is a JSON array of the
 * snapshots ("hello" state objects) the caller owns, in the order of the
 * directories and of the names in each; an engine that takes the
 * connection but says no hello by the deadline (or whose queue of
 * connections is full) is listed all the same, as
 * {session, activity: "not responding", pid, error}. Returns 0 or DH_EFAIL. */
int client_list_live(cJSON **out) DH_MUST_CHECK;

/* What holds a folder against a new engine (client_folder_holder). */
enum client_holder_kind {
	CLIENT_HOLDER_ENGINE, /* a live engine (client_list_live() lists it) */
	CLIENT_HOLDER_RUN,    /* a foreground `deskhand run`: no socket, no attach */
	CLIENT_HOLDER_VERB,   /* a review command, for its duration */
};

struct client_holder {
	enum client_holder_kind kind;
	char *session; /* heap; NULL while the holder has no session yet */
	long pid;
};

/* Who holds `folder` (any path to a granted folder), which an engine is
 * then refused (one writer per folder: client_spawn's DH_EDENIED): the
 * holder its snapshot lock names (our state dir's), read without taking
 * the lock, so that a refusal just met can be told and named apart from
 * the engine's English message. Only for that: the lock's line is no proof
 * it is held (snap_lock_holder). 1 with *out filled (free out->session), 0
 * when nobody alive holds it (it ended since), DH_ENOTFOUND (no such
 * folder) or DH_EFAIL. */
int client_folder_holder(const char *folder, struct client_holder *out) DH_MUST_CHECK;

/* Close the connection (the engine goes on) or, for local, drain and close
 * the in-process engine (as client_open_local says). From inside a handler
 * the close completes once the handler returned (local: on the next loop
 * iteration). Blocks up to 3 s for an engine left with no task running and
 * no other client to exit (so its locks are free for what comes next),
 * unless client_no_exit_wait(). NULL-safe. */
void client_close(struct client *c);

/* Make client_close() leave at once, without waiting for an engine on its
 * way out to exit (it exits on its own, as it would have): for a client
 * whose terminal hung up, with nobody there to start the next command. */
void client_no_exit_wait(struct client *c);

/* Receive events from now on (one handler; NULL to stop). */
void client_set_handler(struct client *c, client_event_fn *fn, void *ctx);

/* Send a command. When cmd->req is NULL a fresh request id is set (heap;
 * command_fini() frees it) so the reply can be matched by ev->re. Returns 0,
 * or DH_EFAIL when the connection is gone. Never blocks: the line is queued. */
int client_send(struct client *c, struct command *cmd) DH_MUST_CHECK;

/* The session's state as last reported. Never NULL. */
const struct client_state *client_state(const struct client *c);

/* True once the connection is gone (the engine exited or dropped us);
 * client_error() then says why. Always false for local. */
bool client_closed(const struct client *c);
const char *client_error(const struct client *c);

/*
 * In-process paths for sessions that are not live (engine/verbs.c).
 */

/* Resolve a session spec (an id, a unique prefix, NULL or "latest") among
 * every session on disk, live or not: *id is a heap string. DH_ENOTFOUND
 * (message names the spec) or DH_EFAIL. */
int client_session_resolve(const char *spec, char **id) DH_MUST_CHECK;

/* The session a review verb acts on when no --session names one, as git acts
 * on the repository you stand in: the latest session (by start) with a grant
 * that holds `cwd` (a real path: the grant itself or a folder below it);
 * when no session's grant holds it, the latest session. *id is a heap
 * string; *grant (heap) is the grant that matched, NULL for the fallback.
 * A session whose meta.json is missing or cannot be read (a damaged one,
 * session_list_all()) cannot be chosen, its grants being unknown; those that
 * might have been (every one when no grant holds `cwd`, else those started
 * in the chosen one's second or later) are passed over and put in *skipped:
 * a new array of {id, error} (session_meta_read()'s message, which names the
 * file) the caller owns and says, NULL when there is none. DH_ENOTFOUND when
 * there is no readable session at all (*skipped is set all the same). */
int client_session_here(const char *cwd, char **id, char **grant,
			cJSON **skipped) DH_MUST_CHECK;

/* The meta record of session `id` as on disk (status, task, grants, token
 * and cost totals, ...; a "running" session whose owner is gone reads as
 * "interrupted"). *meta is the caller's. DH_ENOTFOUND or DH_EFAIL. */
int client_session_meta(const char *id, cJSON **meta) DH_MUST_CHECK;
/* Whether session `id`'s engine went away before its task ended (killed or
 * crashed) and nothing resumed it: session_lost(). */
bool client_session_lost(const char *id);

/* The inbox (docs/inbox.md): the detached, headless and scheduled sessions
 * that need the person (a live one waiting for an approval; a finished one
 * with files pending review, or that did not end "done"), newest first. *out
 * is a new array of {id, status, state, waiting, live, summary, task,
 * pending, origin, schedule, updated, grants} the caller owns; a session
 * that cannot be read is an "unreadable" entry with "error" (inbox_list()).
 * Blocking (reads the sessions, their stores and asks the live engines): not
 * on a loop; the workbench sends the "inbox" command instead. DH_EFAIL. */
int client_inbox(cJSON **out) DH_MUST_CHECK;
/* Take session `spec` (an id or a unique prefix) off the inbox until it runs
 * again; *id (heap) is the session's id. 0; 1 when its meta.json cannot be
 * read (inbox_dismiss(): taken off all the same, err_msg() says why);
 * DH_ENOTFOUND naming the spec (or saying the session is not in the
 * inbox), DH_EDENIED when it is a live run waiting for
 * an approval (not dismissed: it needs the person), or DH_EFAIL naming the
 * file. */
int client_inbox_dismiss(const char *spec, char **id) DH_MUST_CHECK;

/* Whether a session would take the permission rules of `sets` (nsets sets,
 * borrowed; the person's, then the folders'), as the agent adds them
 * (approval_rules_add_config() over the tools of the registry: an MCP
 * tool's name is not known here and passes). 0, or DH_EPARSE "FILE:LINE:
 * rule pattern 'P': TOOL takes neither a command nor a path …" for the
 * first rule it refuses. For the front ends that list or show the config
 * without starting a session (`deskhand rules`, `deskhand config`). */
struct config_rules;
int client_rules_check(const struct config_rules *const sets[], size_t nsets) DH_MUST_CHECK;
/* The built-in tools a rule's TOOL stands for when it is a group name
 * ("write": the tools that change files; "read": the read-only file tools):
 * "write_file, edit_file, …", heap; NULL for any other name
 * (approval_group_members()). */
char *client_rules_group(const char *tool);

/* The review and history verbs' options, one table for the front end
 * (cli/review.c reads --session, --json and the operands from it) and the
 * verbs in this process (engine/verbs_*.c): getopt_long() long options
 * (values 's' session, 'f' force, 'j' json, 'S' stat, 'n' steps, 't' to,
 * 'h' help) with CLIENT_VERB_SHORTOPTS. Each verb refuses those it does not
 * take. Options may follow operands (GNU getopt permutes until "--"). */
#define CLIENT_VERB_SHORTOPTS ":s:fn:t:h"
extern const struct option client_verb_options[];

/* `deskhand run` through the warm engine (engine/warm.h), if one listens in
 * this user's socket directory and takes it: the run's process is forked
 * from the warm engine with ARGC and ARGV (cli_run's: argv[0] "run"), this
 * process's environment, working directory, umask and standard
 * descriptors; this process forwards its signals and waits. Returns true
 * when the run was made there, with *status its exit status; false when it
 * is to be made here (no warm engine, DH_WARM=0, a warm engine of
 * another build or library environment, or this process is a run the warm
 * engine forked), having changed nothing. Blocking: called before any loop
 * or thread exists. */
bool client_warm_handoff(int argc, char **argv, int *status);

/* Before a read of FD, ready: in a run the warm engine made (which has no
 * controlling terminal: a session of its own), FD a terminal and its
 * client, the `deskhand run` in that terminal, a background job of it,
 * the job is stopped (by the kernel, at the client's touch of its terminal
 * that a SIGUSR2 asks for: atomic with a `fg`, as a SIGTTIN sent from here
 * would not be) and this waits, polling, until the client is
 * the foreground job again or gone: what the kernel does to a run made in
 * its own process, whose read would take keys typed to the shell. It
 * blocks the caller's loop meanwhile, as that run is stopped. Whether it
 * waited (FD may have nothing to read any more); false at once in any
 * other process. */
bool client_warm_tty_wait(int fd);

/* Say on stderr why getopt_long() refused an option of `deskhand VERB`
 * (VERB: "ls", "audit verify"), as every verb says it: "deskhand VERB:
 * unknown option 'X'" or, OPT ':', "deskhand VERB: option needs a value:
 * 'X'", X as it was given ("--bogus", "-x"). The parser runs with opterr 0
 * (getopt's own message names the program after the verb: "ls: …") and
 * shortopts starting ':'; OPT is what it returned ('?' or ':'), ARGV its
 * argv, read at optind and optopt as the refusal left them. The caller
 * prints its usage after this and exits 2. */
void client_verb_bad_option(const char *verb, int opt, char *const argv[]);
/* Whether `spec`, a session id a command was given (NULL: none), is empty:
 * then "deskhand VERB: session '': …" (session_spec_empty(); VERB NULL:
 * "deskhand: session '': …") is printed on stderr and the caller prints its
 * usage and exits 2. An empty id would
 * otherwise be a prefix of every id and name the only session. */
bool client_verb_empty_session(const char *verb, const char *spec);

/* Only read: the verb must not write the store (the session is live; its
 * engine is the store's one writer). `review` then skips recording what
 * changed on disk, and a writing verb is refused. */
#define CLIENT_VERB_READONLY (1u << 0)

/* Run a review or history verb in this process over the session's stores on
 * disk: "log", "diff", "sessions", "review", "accept", "accept-hunk",
 * "reject", "reject-hunk", "undo", "redo", "restore", "skills", "audit". ARGV are the
 * arguments after the verb (argv[0] the verb itself), as `deskhand VERB`
 * takes them; the verb prints its own output (stdout) and errors (stderr).
 * Returns the exit status: 0 done, 1 failed, 2 usage, 3 refused because of
 * a conflict. */
int client_verb_local(const char *verb, int argc, char **argv, unsigned flags);

/* The MCP verbs that run in this process (engine/verbs_mcp.c): "client"
 * (`deskhand mcp client`, the conformance suite's client), and "list",
 * "add", "remove", "tools", "trust", "untrust" (the connector configuration,
 * engine/verbs_mcp_host.c), "login", "logout" (OAuth of an http connector,
 * engine/verbs_mcp_auth.c). ARGV are the
 * arguments after `mcp` (argv[0] the verb). Prints its own output; returns
 * the exit status (0 done, 1 failed, 2 usage). */
int client_mcp_verb(const char *verb, int argc, char **argv);

#endif
