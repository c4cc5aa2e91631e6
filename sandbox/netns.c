/* netns: the proxy listener, made by the exec stage inside the sandbox's network namespace (see
 * netns.h). Part of deskhand-sandbox; links nothing else. */
#include "netns.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
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

int netns_send_listener(int port, int sock, char *err, size_t errlen)
{
    int one = 1, l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr = { htonl(INADDR_LOOPBACK) } };
    const char *step;

    if (l < 0) return fail(err, errlen, "socket: %s", strerror(errno));
    if (setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) step = "setsockopt";
    else if (bind(l, (struct sockaddr *)&a, sizeof a) != 0) step = "bind";
    else if (listen(l, 64) != 0) step = "listen";
    else step = NULL;
    if (step) {
        int e = errno;
        close(l);
        return fail(err, errlen, "%s 127.0.0.1:%d: %s", step, port, strerror(e));
    }

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
    int e = errno;
    close(l);
    if (n != 1) return fail(err, errlen, "sending the listener: %s", strerror(e));
    return 0;
}
