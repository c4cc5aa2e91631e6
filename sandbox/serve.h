/* serve: deskhand-sandbox --serve FD, a spawn server (the other end is deskhand's core/proc.c,
 * "Spawn servers", which gives the wire format; this file repeats it, as the helper shares no
 * code with deskhand).
 *
 * deskhand starts it once per engine; for each command it then sends the command line it
 * would have exec'd this binary with, the environment, the working directory and the fds to
 * place in the child. The server forks with clone(CLONE_PARENT): the child is deskhand's own
 * child (deskhand waits for it, kills its group, reads its pidfd), and it runs that command
 * line through `run` (this binary's main) as if freshly exec'd. What that saves per command is
 * one exec of this binary and its start-up; the policy, the cgroup, the limits and bwrap's argv
 * are built in the child exactly as before.
 */
#ifndef DESKHAND_SANDBOX_SERVE_H
#define DESKHAND_SANDBOX_SERVE_H

#include <stdint.h>

#define SERVE_MAGIC 0x31736864u /* "dhs1" */
#define SERVE_FDS 8
#define SERVE_MAX (128 * 1024)
struct serve_req {
    uint32_t magic, argc, envc, nfd, has_cwd;
    int32_t fd[SERVE_FDS];
};

/* Say SERVE_MAGIC (4 bytes) on the SOCK_SEQPACKET socket `sock`, then serve requests until it reaches its end (exit 0) or
 * deskhand, our parent `caller`, dies (SIGKILL by the parent-death signal). Each child runs
 * `run(argc, argv)` with environ set to the request's environment and exits with what it
 * returns. Returns only on a setup failure: 125, with a message on stderr. */
int serve_main(int sock, int (*run)(int argc, char **argv), int caller);

#endif
