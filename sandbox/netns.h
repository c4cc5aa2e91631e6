/* netns: the in-sandbox proxy listener, made from outside (SANDBOX.md §4.6).
 *
 * bwrap is started with --info-fd and --block-fd. Before it lets the command run, a forked,
 * single-threaded child of ours joins the sandbox's user and network namespaces, creates a
 * TCP listener on 127.0.0.1:PORT there and sends it to the engine over SCM_RIGHTS. No helper
 * process stays inside the sandbox; the listener is reachable only from that network namespace.
 */
#ifndef DESKHAND_SANDBOX_NETNS_H
#define DESKHAND_SANDBOX_NETNS_H

#include <stddef.h>
#include <sys/types.h>

/* What bwrap reports on --info-fd. */
struct netns_info {
    pid_t child_pid;                 /* host pid of the sandbox's first process */
    unsigned long long net_ns;       /* "net-namespace" inode, 0 when not reported */
};

/* Read bwrap's --info-fd JSON from `fd` for at most `timeout_ms`. Returns 0, or -1 with a
 * message in err (bwrap exited before reporting, timeout, no "child-pid"). */
int netns_read_info(int fd, int timeout_ms, struct netns_info *out, char *err, size_t errlen);

/* In a freshly forked, single-threaded child: join the user namespace that owns the network
 * namespace of info->child_pid (NS_GET_USERNS), then that network namespace, after checking
 * its inode against info->net_ns (pid reuse); listen on 127.0.0.1:port there and send the
 * listener over the AF_UNIX socket `sock` (SCM_RIGHTS, one byte "L"). Returns 0, or -1 with a
 * message in err. */
int netns_send_listener(const struct netns_info *info, int port, int sock, char *err,
                        size_t errlen);

#endif
