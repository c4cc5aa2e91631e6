/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_SERVER_H
#define DH_ENGINE_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/*
 * The engine's Unix socket server (DESIGN.md "Engine and clients"): one
 * listening socket SOCKDIR/ID.sock (SOCKDIR/new-PID.sock until the first task
 * creates the session, then renamed), SOCKDIR/ID.pid beside it, newline-
 * delimited JSON both ways. Each connection is checked with SO_PEERCRED
 * (same uid, else closed at once and logged). A client says hello first and
 * gets hello {protocol, session, state}, the transcript history,
 * history_end {records}, then every live event. Its commands go to
 * engine_request() with the client's id; replies come back to it alone.
 * Writes are non-blocking and queued per client: past SERVER_COALESCE_BYTES
 * queued, consecutive text_delta events are merged (into lines of at most
 * 1 MiB of text, so a client catching up reads lines of sane size). A
 * client more than SERVER_DROP_BYTES behind that took nothing for
 * SERVER_STALL_MS, and takes none when offered more at that moment (or
 * more than SERVER_DROP_HARD behind at all) gets "detached" {reason} and is
 * closed; it may attach again. The stall rule spares a reading client that
 * is behind only because the loop was busy (a burst from the model, a
 * loaded machine). Loop thread only.
 */

#define SERVER_MAX_LINE	      ((size_t)4 << 20)	 /* a longer command line is dropped */
#define SERVER_COALESCE_BYTES ((size_t)1 << 20)	 /* merge text_delta beyond this */
#define SERVER_DROP_BYTES     ((size_t)16 << 20) /* drop a stalled client beyond this */
#define SERVER_DROP_HARD      ((size_t)64 << 20) /* drop any client beyond this */
#define SERVER_STALL_MS	      3000		 /* "stalled": took no byte for this long */
#define SERVER_CHECK_MS	      1000		 /* how often the socket file is checked */

struct ev_loop;
struct engine;
struct server;

/* Called after the number of attached clients changed (a hello completed or
 * a client went away). */
typedef void server_change_fn(struct server *s, void *ctx);

/* Listen in `dir` (an existing 0700 directory, see client_socket_dir()) for
 * clients of `e`, which must outlive the server. Binds ID.sock when the
 * engine has a session, else new-PID.sock, and writes the pid file. DH_EFAIL
 * with a message naming the path. *out is NULL on failure. Every
 * SERVER_CHECK_MS it checks that the socket file is still the one it bound:
 * if not (its directory was removed, as a logout removes $XDG_RUNTIME_DIR),
 * it binds again in client_socket_dir() and rewrites the pid file, and says
 * so in the log; a pid file removed alone is written again. */
int server_open(struct server **out, struct ev_loop *loop, struct engine *e, const char *dir)
	DH_MUST_CHECK;
/* Whether the socket an engine binds in `dir` once its session exists,
 * DIR/ID.sock, fits a Unix socket address: 0, else DH_EFAIL with a message
 * naming `dir` and the limit. The engine checks it before it starts a
 * session, which it could not listen for. */
int server_check_dir(const char *dir) DH_MUST_CHECK;
/* The first half of the close, done before the engine is closed: send
 * "detached" {reason} to every attached client (best effort, no waiting;
 * reason NULL: none), leave the engine (which may be closed from now on)
 * and stop reading, accepting and checking. The socket file, the pid file
 * and every connection stay until server_close(): a client that connects
 * meanwhile waits in the backlog. So the socket file is gone, and a client's
 * connection ends, only once the engine has released its folders and its
 * session (engine_close()): whoever resumes the session after that finds
 * them free. NULL-safe; a second call does nothing. */
void server_shutdown(struct server *s, const char *reason);
/* Close every connection (and those waiting to be accepted), stop listening
 * and remove the socket and pid file; server_shutdown(s, NULL) first when
 * it was not called. NULL-safe. */
void server_close(struct server *s);

void server_set_change(struct server *s, server_change_fn *fn, void *ctx);
/* Clients that said hello and are still connected (those being dropped
 * included until their last bytes are written or they time out). */
size_t server_client_count(const struct server *s);
/* Whether a client has said hello since server_open(), counting one that
 * left before server_client_count() saw it, and not a state-only hello
 * (deskhand ls). */
bool server_had_client(const struct server *s);
/* Open connections, those that have not said hello yet included. */
size_t server_connection_count(const struct server *s);
/* The socket's current path (borrowed, valid until the next event). */
const char *server_socket_path(const struct server *s);

#endif
