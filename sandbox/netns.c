/* netns: bwrap's --info-fd report, and the proxy listener created inside the sandbox's network
 * namespace from outside it (see netns.h). Part of deskhand-sandbox; links nothing else. */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The unsigned number after "KEY": in a flat JSON object; 0 when absent. */
static unsigned long long json_number(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(json, pat);
    if (!p) return 0;
    p += strlen(pat);
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == ':') p++;
    return strtoull(p, NULL, 10);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int netns_read_info(int fd, int timeout_ms, struct netns_info *out, char *err, size_t errlen)
{
    char buf[4096];
    size_t len = 0;
    long deadline = now_ms() + timeout_ms;

    memset(out, 0, sizeof *out);
    /* bwrap writes one object and closes its end; stop at the closing brace either way. */
    while (len < sizeof buf - 1 && !memchr(buf, '}', len)) {
        struct pollfd p = { fd, POLLIN, 0 };
        long left = deadline - now_ms();
        if (left <= 0) return fail(err, errlen, "bwrap did not report its child pid in time");
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return fail(err, errlen, "poll: %s", strerror(errno));
        if (r == 0) continue;
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(err, errlen, "read --info-fd: %s", strerror(errno));
        if (n == 0) break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    out->child_pid = (pid_t)json_number(buf, "child-pid");
    out->net_ns = json_number(buf, "net-namespace");
    if (out->child_pid <= 0) return fail(err, errlen, "bwrap exited before starting the sandbox");
    return 0;
}

int netns_send_listener(const struct netns_info *info, int port, int sock, char *err,
                        size_t errlen)
{
    char path[64];
    struct stat st;

    snprintf(path, sizeof path, "/proc/%d/ns/net", (int)info->child_pid);
    int netfd = open(path, O_RDONLY | O_CLOEXEC);
    if (netfd < 0) return fail(err, errlen, "open %s: %s", path, strerror(errno));
    /* The pid is bwrap's child, blocked on --block-fd, so it cannot have been reused unless
     * bwrap died; the inode bwrap reported settles it. */
    if (fstat(netfd, &st) != 0) return fail(err, errlen, "fstat %s: %s", path, strerror(errno));
    if (info->net_ns && (unsigned long long)st.st_ino != info->net_ns)
        return fail(err, errlen, "%s is not the sandbox's network namespace (pid reused?)", path);
    int userfd = ioctl(netfd, NS_GET_USERNS);
    if (userfd < 0) return fail(err, errlen, "NS_GET_USERNS: %s", strerror(errno));
    /* The owning user namespace first: it gives us CAP_NET_ADMIN/SYS_ADMIN over the netns.
     * setns(CLONE_NEWUSER) requires a single-threaded caller: this is a fresh fork. */
    if (setns(userfd, CLONE_NEWUSER) != 0)
        return fail(err, errlen, "setns(user): %s", strerror(errno));
    if (setns(netfd, CLONE_NEWNET) != 0) return fail(err, errlen, "setns(net): %s", strerror(errno));
    close(userfd);
    close(netfd);

    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (l < 0) return fail(err, errlen, "socket: %s", strerror(errno));
    int one = 1;
    /* bwrap brings lo up only after it is released by the info-fd report, so 127.0.0.1 may not
     * exist yet: IP_FREEBIND binds it anyway, and it is local by the time the command runs. */
    if (setsockopt(l, SOL_IP, IP_FREEBIND, &one, sizeof one) != 0 ||
        setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        return fail(err, errlen, "setsockopt: %s", strerror(errno));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr = { htonl(INADDR_LOOPBACK) } };
    if (bind(l, (struct sockaddr *)&a, sizeof a) != 0)
        return fail(err, errlen, "bind 127.0.0.1:%d: %s", port, strerror(errno));
    if (listen(l, 64) != 0) return fail(err, errlen, "listen: %s", strerror(errno));

    char byte = 'L';
    struct iovec iov = { &byte, 1 };
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } cbuf;
    memset(&cbuf, 0, sizeof cbuf);
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.b,
                        .msg_controllen = sizeof cbuf.b };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &l, sizeof l);
    ssize_t n;
    do n = sendmsg(sock, &m, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
    if (n != 1) return fail(err, errlen, "sending the listener: %s", strerror(errno));
    close(l);
    return 0;
}
