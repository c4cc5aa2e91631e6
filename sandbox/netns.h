/* netns: the proxy listener, made inside the sandbox's network namespace by the exec stage
 * (landlock.c), before the command runs.
 *
 * bwrap gives the sandbox an empty network namespace with only lo, up before it execs the
 * exec stage. The stage, still our code and the only process of the sandbox besides bwrap's
 * init, listens on 127.0.0.1:PORT there, sends the listener to the engine over SCM_RIGHTS,
 * closes both and only then execs the command. No helper process stays inside the sandbox, no
 * process outside it joins its namespaces, and the listener is reachable only from that
 * network namespace (sandbox/README.md, "Network: the proxy listener").
 */
#ifndef DESKHAND_SANDBOX_NETNS_H
#define DESKHAND_SANDBOX_NETNS_H

#include <stddef.h>

/* In the caller's own network namespace: listen on 127.0.0.1:port (a non-blocking, close-on-
 * exec TCP socket, backlog 64), send it over the AF_UNIX socket `sock` (SCM_RIGHTS, one byte
 * "L") and close the listener. `sock` stays open: the caller closes it. Returns 0, or -1 with
 * a message naming the failed step in err (errlen bytes, NUL-terminated). */
int netns_send_listener(int port, int sock, char *err, size_t errlen);

#endif
