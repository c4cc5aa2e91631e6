/* serve: the spawn server (serve.h). */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

enum { EXIT_SETUP = 125, FD_HIGH = 64 };

static int reply(int sock, int32_t v)
{
    ssize_t n;

    do
        n = send(sock, &v, sizeof v, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof v ? 0 : -1;
}

/* Splits the strings after the header of msg[0, len): argv (argc), envp (envc), then the cwd
 * when has_cwd, into the NULL-terminated vectors *argv and *envp (pointing into msg) and *cwd.
 * Returns 0, or -1 when the counts and the strings do not agree. */
static int split(char *msg, size_t len, const struct serve_req *h, char ***argv, char ***envp,
                 const char **cwd)
{
    size_t need = (size_t)h->argc + h->envc + (h->has_cwd ? 1 : 0), k = 0;
    char **v = calloc(need + 2, sizeof *v), *p = msg + sizeof *h, *end = msg + len;

    if (!v) return -1;
    while (k < need && p < end) {
        char *nul = memchr(p, '\0', (size_t)(end - p));
        if (!nul) break;
        v[k++] = p;
        p = nul + 1;
    }
    if (k != need || p != end || h->argc < 1) {
        free(v);
        return -1;
    }
    /* argv: v[0, argc) then NULL; envp: after it, the same array shifted by one. */
    memmove(v + h->argc + 1, v + h->argc, ((size_t)h->envc + (h->has_cwd ? 1 : 0)) * sizeof *v);
    v[h->argc] = NULL;
    *cwd = h->has_cwd ? v[h->argc + 1 + h->envc] : NULL;
    v[h->argc + 1 + h->envc] = NULL;
    *argv = v;
    *envp = v + h->argc + 1;
    return 0;
}

/* In the child: the fds at their numbers, nothing else open above them, our own process group,
 * default signals, the cwd, the environment; then the command line. Never returns. */
static void __attribute__((noreturn)) child(int sock, const struct serve_req *h, int *fds,
                                            char **argv, char **envp, const char *cwd,
                                            int (*run)(int, char **))
{
    sigset_t none;
    int last = 2;

    close(sock);
    for (uint32_t i = 0; i < h->nfd; i++)
        if ((fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, FD_HIGH)) < 0) _exit(EXIT_SETUP);
    for (uint32_t i = 0; i < h->nfd; i++) {
        if (dup2(fds[i], h->fd[i]) < 0) _exit(EXIT_SETUP);
        if (h->fd[i] > last) last = h->fd[i];
    }
    close_range((unsigned)last + 1, ~0u, 0);
    if (setpgid(0, 0) != 0) _exit(EXIT_SETUP);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (cwd && chdir(cwd) != 0) {
        dprintf(2, "deskhand-sandbox: chdir %s: %s\n", cwd, strerror(errno));
        _exit(127);
    }
    environ = envp;
    int argc = 0;
    while (argv[argc]) argc++;
    fflush(NULL);
    _exit(run(argc, argv));
}

int serve_main(int sock, int (*run)(int, char **), int caller)
{
    static char msg[SERVE_MAX];
    union {
        char buf[CMSG_SPACE(SERVE_FDS * sizeof(int))];
        struct cmsghdr align;
    } c;

    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != caller) return EXIT_SETUP;
    uint32_t hello = SERVE_MAGIC;
    if (fcntl(sock, F_SETFD, FD_CLOEXEC) != 0 || send(sock, &hello, sizeof hello, MSG_NOSIGNAL) != (ssize_t)sizeof hello) {
        fprintf(stderr, "deskhand-sandbox: --serve %d: %s\n", sock, strerror(errno));
        return EXIT_SETUP;
    }
    for (;;) {
        struct iovec iov = { .iov_base = msg, .iov_len = sizeof msg };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf,
                            .msg_controllen = sizeof c.buf };
        ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
        int fds[SERVE_FDS], nfds = 0;

        if (n < 0 && errno == EINTR) continue;
        if (n == 0) return 0; /* deskhand closed its end */
        if (n < 0) {
            fprintf(stderr, "deskhand-sandbox: --serve: %s\n", strerror(errno));
            return EXIT_SETUP;
        }
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
                int k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
                for (int i = 0; i < k; i++) {
                    int fd;
                    memcpy(&fd, CMSG_DATA(cm) + (size_t)i * sizeof(int), sizeof fd);
                    if (nfds < SERVE_FDS) fds[nfds++] = fd;
                    else close(fd);
                }
            }

        struct serve_req h;
        char **argv = NULL, **envp = NULL;
        const char *cwd = NULL;
        int bad = (size_t)n < sizeof h || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC));
        if (!bad) {
            memcpy(&h, msg, sizeof h);
            bad = h.magic != SERVE_MAGIC || h.nfd != (uint32_t)nfds ||
                  split(msg, (size_t)n, &h, &argv, &envp, &cwd) != 0;
        }
        int32_t answer = -EINVAL;
        if (!bad) {
            pid_t pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
            if (pid == 0) child(sock, &h, fds, argv, envp, cwd, run);
            answer = pid > 0 ? (int32_t)pid : -errno;
        }
        free(argv);
        for (int i = 0; i < nfds; i++) close(fds[i]);
        if (reply(sock, answer) != 0) return 0; /* deskhand is gone */
    }
}
