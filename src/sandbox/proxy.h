/* SPDX-License-Identifier: MIT */
#ifndef DH_SANDBOX_PROXY_H
#define DH_SANDBOX_PROXY_H

#include <stdbool.h>

#include "core/err.h"

/*
 * The sandbox's egress proxy (SANDBOX.md §4.6), on the ev loop with
 * non-blocking sockets. It accepts on the listener deskhand-sandbox made
 * inside the sandbox's network namespace (127.0.0.1:3128 there), serves
 * CONNECT host:port and absolute-form http:// GET/HEAD, asks the egress
 * policy (egress.h) before anything leaves the host, connects to the checked
 * address only (never re-resolving) and splices both ways with bounded
 * buffers. Everything else gets 400/405; refusals get 403 with
 * "X-Deskhand-Egress: refused" and the reason in the body.
 */

struct ev_loop;
struct egress;
struct proxy;

/* Serve `listen_fd` (a listening TCP socket; taken over, closed by
 * proxy_free) until freed. `eg` must outlive the proxy. Returns 0, or
 * DH_EFAIL (the fd cannot be watched; it is closed). */
int proxy_new(struct proxy **out, struct ev_loop *l, struct egress *eg,
              int listen_fd) DH_MUST_CHECK;
/* Receive the listener deskhand-sandbox sends back over its --proxy-fd
 * socket `sock` (one byte with SCM_RIGHTS; non-blocking). Returns false when
 * nothing has arrived yet (try again when readable); true when the exchange
 * is over: *lfd is the listener (CLOEXEC), or -1 when the helper sent none
 * (it failed and says so on its output). */
bool proxy_recv_listener(int sock, int *lfd);
/* Close the listener and every connection, cancel pending checks. NULL-safe. */
void proxy_free(struct proxy *p);

#endif
