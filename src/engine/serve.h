/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_SERVE_H
#define DH_ENGINE_SERVE_H

#include <stdbool.h>

#include "core/err.h"

/*
 * The engine process: `deskhand engine --ready-fd N [ENGINE OPTIONS] [TASK]`,
 * the options as `deskhand run` takes them (engine/args.h). It opens the
 * engine (approvals may be asked: clients answer them), starts TASK if
 * given, listens on its socket (engine/server.h) and writes "ok ID\n" (or
 * "ok -\n" while no session exists yet) to fd N, or "error MESSAGE\n" once
 * it let go of the session (its record written, its folders free) and
 * exits 1 (2 for bad options, 3 refused: a folder or the session in use by
 * a live engine, 4 no such session or folder; client_spawn() turns these
 * back into DH_EFAIL, DH_EDENIED, DH_ENOTFOUND). Its log goes to the session's engine.log; it never writes to a
 * terminal. SIGHUP is ignored; SIGTERM (or SIGINT) interrupts the task and
 * the engine exits once it settled. It exits on its own when no task runs,
 * no snapshot job is pending and no client is connected, once a client came
 * (the one that started it connects at once) or 30 s passed. Normally started
 * by client_spawn() (engine/client.h), which detached it (setsid).
 */

/* The ready line of a process started in the background (an engine, the
 * warm engine): "WORD WHAT\n" written to `fd` (-1: nothing), which is then
 * closed. */
void serve_ready(int fd, const char *word, const char *what);
/* Its reading by the one that started it: the line from `fd` within
 * TIMEOUT_MS, a heap string without the newline, or NULL (EOF or the
 * timeout; *timed_out says which). Blocking: before any loop runs. */
char *serve_ready_read(int fd, int timeout_ms, bool *timed_out);

struct engine;
struct ev_loop;
struct server;

/* The engine of a foreground `deskhand run` (opened in this process on
 * `loop`: client_open_local) whose terminal went away (SIGHUP) goes on as
 * an engine process does: stdin and stdout on /dev/null (stdout kept when
 * it is a regular file, nohup's), its log and stderr in the session's
 * engine.log (the state directory's log while it has no session yet), the
 * process named "deskhand-engine", its locks an engine's
 * (engine_clear_foreground()), and *out listening on the session's socket
 * (engine/server.h), which the caller closes as engine_main() does:
 * server_shutdown(), engine_close(), server_close(). Blocks on the disk
 * briefly (the log, the lock files). 0, or DH_EFAIL (*out NULL: the task
 * goes on unserved; the log says why). */
int serve_adopt(struct server **out, struct ev_loop *loop, struct engine *e) DH_MUST_CHECK;
/* The exit rule of a process that serves `e` on `srv` (NULL: not served,
 * false), once per loop iteration: never while a task runs or a snapshot
 * job or a notice is pending; then at once when TERMINATING (SIGTERM or
 * SIGINT), else once no client is attached or saying hello, unless
 * AWAITING (the first client is still to come). */
bool serve_may_exit(struct engine *e, const struct server *srv, bool terminating, bool awaiting);

/* argv[0] is "engine"; returns the exit status (above). */
int engine_main(int argc, char **argv);

#endif
