/* SPDX-License-Identifier: MIT */
/* The warm engine (warm.h) and the client's hand-off to it (client.h). */
#include "engine/warm.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/client.h"
#include "engine/serve.h"
#include "llm/llm.h"
#include "snap/snap.h"

#define WARM_MAGIC "deskhand-warm"
#define WARM_VERSION "2"
/* The largest request: arguments and environment (a larger one is made
 * in the client's process). */
#define WARM_MAX_REQUEST (256 * 1024)
/* The descriptors of a run: working directory, stdin, stdout, stderr. */
#define WARM_NFDS 4
/* The descriptors a spare is handed with a run: the client's connection,
 * the gate (struct conn), then the run's. */
#define WARM_SPARE_NFDS (2 + WARM_NFDS)
/* A spare that died younger than this is replaced only this long after:
 * one that cannot live is not forked again and again. */
#define WARM_SPARE_RETRY_MS 1000
/* How long a client waits for its run's process to answer its request
 * before it makes the run itself. A healthy warm engine answers within a
 * millisecond or two; a stopped one (SIGSTOP, a debugger) never does. The
 * run made instead costs only the libraries' load (tens of ms), so the
 * wait need not be short: long enough for a warm engine paged out on a
 * loaded machine to fork and answer, short enough that a stopped one
 * costs a person at the terminal about a second. */
#define WARM_ANSWER_MS 1000
/* Loading the libraries and listening, before `deskhand warm` gives up. */
#define WARM_START_TIMEOUT_MS 30000

/* Variables the libraries read when they are loaded (once, in the warm
 * engine), not when they are used: a run whose values differ is made in
 * its own process. */
static const char *const load_time_vars[] = {
	"LD_PRELOAD",	   "LD_LIBRARY_PATH", "OPENSSL_CONF", "OPENSSL_MODULES",
	"OPENSSL_ENGINES", "CURL_SSL_BACKEND", "GNUTLS_SYSTEM_PRIORITY_FILE",
};

/* This process is a run the warm engine forked: it makes its runs itself.
 * Set once, in that child, before the run starts. */
static bool warm_child;
/* In such a run: its client's pid (the `deskhand run` in the terminal's
 * job control), 0 if not known. */
static pid_t warm_client;

static const char warm_usage[] =
	"usage: deskhand warm [--foreground] [--idle SECONDS]\n"
	"       deskhand warm --status | --stop\n"
	"\n"
	"Keep a warm engine: one process with the libraries a task needs already\n"
	"loaded (libcurl and the thirty-odd libraries it brings, libgit2), from\n"
	"which each `deskhand run` is forked, so a task's first request goes out\n"
	"without loading them. Each run is still a process of its own, with your\n"
	"arguments, environment, working directory and terminal; only the loaded\n"
	"libraries are shared. A run made while none listens (or one of another\n"
	"build of deskhand, or started in the background of a terminal) starts as\n"
	"before, in its own process. A run put in the background with bg goes on\n"
	"there, and stops until fg when it would read the terminal, as any job.\n"
	"A warm engine stopped during a run holds up neither the run nor its\n"
	"'deskhand run', which exits with the run's status.\n"
	"\n"
	"  --foreground      stay in the foreground (a systemd user service:\n"
	"                    ExecStart=deskhand warm --foreground)\n"
	"  --idle SECONDS    exit after SECONDS with no run (default: never)\n"
	"  --status          say whether one runs: its pid, since when, its runs\n"
	"  --stop            stop it: it stops taking runs at once and exits once\n"
	"                    the runs it started have ended\n"
	"  -h, --help        this help\n"
	"\n"
	"What a run takes from the warm engine, not from your shell: its resource\n"
	"limits (ulimit), cgroup and nice value. DH_WARM=0 in a run's\n"
	"environment makes it start in its own process, as does a warm engine that\n"
	"does not answer within DH_WARM_WAIT_MS (default 1000; stopped, hung): the\n"
	"run is then made once, there, and the warm engine, continued, makes\n"
	"nothing of it (--status counts it abandoned). The warm engine listens on\n"
	"$XDG_RUNTIME_DIR/deskhand/warm (else /tmp/deskhand-UID/warm), for your\n"
	"user only; its log is $XDG_STATE_HOME/deskhand/warm.log.\n"
	"\n"
	"Exit status: 0 started, running, or stopped; 1 could not start, or none\n"
	"runs (--status, --stop); 2 usage.\n";

/*
 * Messages
 */

/* Send one message, with `fds` (nfds of them) if any. 0 or -1 (errno). */
static int
send_msg(int fd, const void *p, size_t len, const int *fds, size_t nfds)
{
	struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
	union {
		char buf[CMSG_SPACE(WARM_SPARE_NFDS * sizeof(int))];
		struct cmsghdr align;
	} u = { 0 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > WARM_SPARE_NFDS) {
		errno = EINVAL;
		return -1;
	}

	if (nfds) {
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	for (;;) {
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		return n == (ssize_t)len ? 0 : -1;
	}
}

/* A text message: "WORD ARG" as printf makes it. */
static int
send_text(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int
send_text(int fd, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	return send_msg(fd, line, strlen(line), NULL, 0);
}

/* Receive one message into `p` (size bytes) and at most `maxfds`
 * descriptors (CLOEXEC) into `fds`, their number in *nfds (the rest are
 * closed); *flags: the message's (MSG_TRUNC, MSG_CTRUNC). FLAGS: recvmsg's
 * (MSG_DONTWAIT). Its length, 0 at the end of the connection, -1 (errno). */
static ssize_t
recv_msg(int fd, void *p, size_t size, int *fds, size_t maxfds, size_t *nfds, int *flags,
         int recv_flags)
{
	union {
		char buf[CMSG_SPACE(WARM_SPARE_NFDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = p, .iov_len = size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
		             .msg_controllen = sizeof u.buf };
	ssize_t n;

	*nfds = 0;
	*flags = 0;
	while ((n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | recv_flags)) < 0 && errno == EINTR &&
	       !(recv_flags & MSG_DONTWAIT))
		;
	if (n < 0)
		return -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int *got = (int *)(void *)CMSG_DATA(cm);

		for (size_t i = 0; i < k; i++) {
			if (*nfds < maxfds)
				fds[(*nfds)++] = got[i];
			else
				close(got[i]);
		}
	}
	*flags = mh.msg_flags;
	return n;
}

/* Receive one text message into `line` (NUL-terminated; a longer one is
 * cut). Its length, 0 at the end of the connection, -1 on an error. */
static ssize_t
recv_text(int fd, char *line, size_t size)
{
	for (;;) {
		ssize_t n = recv(fd, line, size - 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n >= 0)
			line[n] = '\0';
		return n;
	}
}

/* How long a client waits for the run's process to say it is there
 * (DH_WARM_WAIT_MS, else WARM_ANSWER_MS). */
static long
answer_wait_ms(void)
{
	const char *v = getenv("DH_WARM_WAIT_MS");
	char *end;
	long ms = v && *v ? strtol(v, &end, 10) : -1;

	return ms >= 0 && ms <= 3600000 && !*end ? ms : WARM_ANSWER_MS;
}

/* recv_text(), waiting at most `ms`: -2 once they passed with nothing. */
static ssize_t
recv_text_within(int fd, char *line, size_t size, long ms)
{
	uint64_t until = ev_now_ms() + (uint64_t)ms;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	for (;;) {
		uint64_t now = ev_now_ms();
		int rc = poll(&p, 1, now >= until ? 0 : (int)(until - now));

		if (rc > 0)
			return recv_text(fd, line, size);
		if (rc == 0)
			return -2;
		if (errno != EINTR)
			return -1;
	}
}

/* The identity of the running program: another build (or the same path
 * rebuilt) is another program, whose runs this one must not make. */
static char *
exe_identity(void)
{
	struct stat st;

	if (stat("/proc/self/exe", &st) < 0)
		return xstrdup("?");
	return xasprintf("%lx:%lx:%lld:%lld.%09ld", (unsigned long)st.st_dev,
	                 (unsigned long)st.st_ino, (long long)st.st_size,
	                 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static char *
warm_path(void)
{
	char *dir = client_socket_dir();
	char *p = dir ? xasprintf("%s/warm", dir) : NULL;

	free(dir);
	return p;
}

/* Connected to the warm engine at `path` (blocking, CLOEXEC), or -1. A
 * full backlog is not waited for. */
static int
warm_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof sa.sun_path)
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/*
 * The client's side: hand a run over
 */

/* Sent by a run to its client before it reads the terminal (touch_tty()). */
#define WARM_TTY_SIGNAL SIGUSR2

/* The run's process, for the signal handlers. */
static volatile sig_atomic_t handed_pid;
/* The write end of await_run()'s self-pipe, told of a forwarded SIGHUP. */
static volatile sig_atomic_t hup_fd = -1;

static void
forward(int signo)
{
	int saved = errno;

	if (handed_pid > 0)
		kill((pid_t)handed_pid, signo);
	if (signo == SIGHUP && handed_pid > 0 && hup_fd >= 0) {
		ssize_t n = write(hup_fd, "h", 1); /* full: a byte is there already */

		(void)n;
	}
	errno = saved;
}

/* Is this process a background job of the terminal on its stdin? A run
 * made here would be stopped (SIGTTIN) at its first read of it; the run's
 * process has no controlling terminal (a session of its own), so the
 * kernel would let it read, and take the keys typed to the shell (an
 * approval prompt answered by them). */
static bool
in_background(void)
{
	pid_t fg = tcgetpgrp(STDIN_FILENO);

	return fg > 0 && fg != getpgrp();
}

/* Continued (fg, bg, kill -CONT): so is the run, as a run made here would
 * be. In the background of its terminal it goes on as such a run does,
 * and stops the job, this process, when it would read the terminal
 * (client_warm_tty_wait()); continued again, it looks again. */
static void
forward_cont(int signo)
{
	int saved = errno;

	(void)signo;
	if (handed_pid > 0)
		kill((pid_t)handed_pid, SIGCONT);
	errno = saved;
}

/* The terminal's stop key: the run stops with this process (it may be
 * reading the terminal, which the shell takes back). The run's process is
 * in a session of its own, whose process group is orphaned: the kernel
 * discards SIGTSTP there, so it is SIGSTOP. */
static void
forward_stop(int signo)
{
	int saved = errno;

	(void)signo;
	if (handed_pid > 0)
		kill((pid_t)handed_pid, SIGSTOP);
	raise(SIGSTOP);
	/* (Continued: forward_cont() continued the run.) */
	errno = saved;
}

/* The run is about to read the terminal (client_warm_tty_wait()): touch
 * it, as a read would. In the background the kernel stops this process's
 * job there (tty_check_change(): SIGTTOU), checked against the foreground
 * group under the terminal's lock, so a `fg` racing with it continues the
 * job (its SIGCONT discards the stop); in the foreground nothing happens.
 * tcgetattr() and tcsetattr() are async-signal-safe. */
static void
touch_tty(int signo)
{
	int saved = errno;
	struct termios t;

	(void)signo;
	for (int fd = 0; fd < 3; fd++)
		if (tcgetattr(fd, &t) == 0) {
			(void)tcsetattr(fd, TCSANOW, &t);
			break;
		}
	errno = saved;
}

/* The request of a run: strings (warm.h), appended to `b`. */
static void
add_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s) + 1);
}

/* /proc/PID/stat read into TEXT (SIZE bytes): its fields from the third
 * (the state) on, after the name, which may hold anything; NULL if it
 * cannot be read (no such process). */
static char *
stat_fields(pid_t pid, char *text, size_t size)
{
	char path[64];
	int fd;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	n = read(fd, text, size - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	text[n] = '\0';
	char *at = strrchr(text, ')');
	return at && at[1] == ' ' ? at + 2 : NULL;
}

/* The wait status of the run's process PID (PIDFD: a pidfd of it) once
 * it ended and before its parent, the warm engine, reaped it: the
 * kernel's record of it (proc(5), /proc/PID/stat exit_code, field 52),
 * which its client may read as its owner. Whether it was there: false
 * for a process still running or reaped already. */
static bool
zombie_status(pid_t pid, int pidfd, int *wstatus)
{
	char text[1024], *at = stat_fields(pid, text, sizeof text), *end;
	int field = 3;

	if (!at || *at != 'Z')
		return false;
	for (; field < 52 && (at = strchr(at, ' ')); at++)
		field++;
	if (!at)
		return false;
	long ws = strtol(at, &end, 10);
	if (end == at || ws < 0 || ws > 0xffff)
		return false;
	/* Still not reaped, so the record was that process's and not one
	 * of another that took its pid since. */
	if (pidfd_send_signal(pidfd, 0, NULL, 0) < 0)
		return false;
	*wstatus = (int)ws;
	return true;
}

/* The client's exit status for the run's end, CODE (>= 0) or SIGNO,
 * which it raises on itself (the shell sees the run killed, and an
 * interrupted loop stops) unless it is a crash, which is said. */
static int
run_ended(pid_t pid, int code, int signo)
{
	sigset_t one;

	if (signo == 0)
		return code;
	if (signo != SIGINT && signo != SIGTERM && signo != SIGHUP && signo != SIGKILL &&
	    signo != SIGPIPE) {
		/* A crash: said, not raised here (this process's core would
		 * be taken for the run's). */
		fprintf(stderr, "deskhand: the run (pid %ld) was killed by signal %d (%s)\n",
		        (long)pid, signo, strsignal(signo));
		return 128 + signo;
	}
	signal(signo, SIG_DFL);
	handed_pid = 0;
	sigemptyset(&one);
	sigaddset(&one, signo);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	raise(signo);
	return 128 + signo;
}

/* A SIGHUP forwarded with the terminal closed: the run detaches and goes
 * on, and this process leaves at once, 128 + SIGHUP, not holding the
 * terminal that hung up (and its shell) open for as long as the run goes
 * on. */
static int
run_hung_up(pid_t pid, const struct sigaction *was, const int *sigs, size_t n)
{
	handed_pid = 0;
	for (size_t i = 0; i < n; i++)
		sigaction(sigs[i], &was[i], NULL);
	fprintf(stderr, "deskhand: hangup: the run (pid %ld) goes on, detached (deskhand ls)\n",
	        (long)pid);
	return 128 + SIGHUP;
}

/* Which of 0, 1, 2 is a terminal (bit i: descriptor i). */
static unsigned
tty_fds(void)
{
	unsigned m = 0;

	for (int i = 0; i < 3; i++)
		if (isatty(i))
			m |= 1u << i;
	return m;
}

/* A terminal this process had (TTY: tty_fds() at the start) hung up: a
 * hung-up terminal's descriptor is no terminal any more (tty_io.c's
 * hung_up_tty_fops answer ENOTTY). Without one (a pipe, nohup), or with it
 * still there (a SIGHUP sent by hand), nothing hung up. */
static bool
terminal_gone(unsigned tty)
{
	return tty && (tty_fds() & tty) != tty;
}

static void
drain_hup(int fd)
{
	char b[16];

	while (read(fd, b, sizeof b) > 0)
		;
}

/* await_run() with its self-pipe HP: [0] polled, [1] written by forward()
 * on a SIGHUP. */
static int
wait_run(int fd, pid_t pid, int pidfd, const int hp[2])
{
	unsigned tty = tty_fds();
	/* (WARM_TTY_SIGNAL is the run's, not forwarded: touch_tty().) */
	static const int forwarded[] = { SIGINT,  SIGTERM, SIGHUP,         SIGQUIT,
					 SIGTSTP, SIGCONT, WARM_TTY_SIGNAL };
	struct sigaction sa = { .sa_handler = forward }, stop = { .sa_handler = forward_stop },
			 cont = { .sa_handler = forward_cont }, touch = { .sa_handler = touch_tty };
	struct sigaction was[sizeof forwarded / sizeof *forwarded];
	struct pollfd p[3] = { { .fd = fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN },
			       { .fd = hp[0], .events = POLLIN } };
	char line[128];
	int code, signo, ws;

	hup_fd = hp[1];
	handed_pid = pid;
	for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++)
		sigaction(forwarded[i],
		          forwarded[i] == SIGTSTP           ? &stop
		          : forwarded[i] == SIGCONT         ? &cont
		          : forwarded[i] == WARM_TTY_SIGNAL ? &touch
		                                            : &sa,
		          &was[i]);
	for (;;) {
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			/* (Out of memory only.) The warm engine's word. */
			p[0].revents = POLLIN;
			p[1].fd = -1;
			p[1].revents = 0;
			p[2].revents = 0;
		}
		if (p[2].revents && terminal_gone(tty)) {
			return run_hung_up(pid, was, forwarded, sizeof forwarded / sizeof *forwarded);
		} else if (p[2].revents) {
			/* A SIGHUP sent by hand, the terminal still there: the
			 * run detached; its end is waited for, as for a run made
			 * here. */
			drain_hup(hp[0]);
			continue;
		}
		if (p[1].revents) {
			/* Ended. Reaped already: the warm engine's word is
			 * on its way. */
			p[1].fd = -1;
			if (zombie_status(pid, pidfd, &ws))
				return run_ended(pid, WIFEXITED(ws) ? WEXITSTATUS(ws) : 0,
				                 WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
		}
		if (!p[0].revents)
			continue;
		ssize_t n = recv_text(fd, line, sizeof line);

		if (n > 0 && sscanf(line, "exit %d", &code) == 1)
			return code;
		if (n > 0 && strncmp(line, "refused ", 8) == 0) {
			handed_pid = 0;
			for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++)
				sigaction(forwarded[i], &was[i], NULL);
			return -1;
		}
		if (n > 0 && sscanf(line, "signal %d", &signo) == 1 && signo > 0)
			return run_ended(pid, 0, signo);
		if (n <= 0) {
			/* Killed: its run, nobody's child now, goes on with
			 * this terminal. Waited for (and still sent the
			 * signals), so the shell's prompt does not come back
			 * under its output; its exit status went with the
			 * warm engine. */
			struct pollfd q[2] = { { .fd = pidfd, .events = POLLIN },
					       { .fd = hp[0], .events = POLLIN } };

			for (;;) {
				if (pidfd < 0 || (poll(q, 2, -1) < 0 && errno != EINTR))
					break;
				if (q[1].revents && terminal_gone(tty))
					return run_hung_up(pid, was, forwarded,
					                   sizeof forwarded / sizeof *forwarded);
				if (q[1].revents)
					drain_hup(hp[0]);
				if (q[0].revents)
					break;
			}
			fprintf(stderr, "deskhand: the warm engine went away during the run (pid %ld)%s\n",
			        (long)pid,
			        pidfd >= 0 ? "; its exit status is not known"
			                   : ", which may still be running");
			return 1;
		}
	}
}

/* Wait for the run's end; its exit status, or -1: the warm engine refused
 * it after all, its process ended before it made anything (the run is to
 * be made here; the signals are this process's own again). PIDFD: the
 * run's process (a pidfd), or -1. The end is the warm engine's word
 * ("exit N", "signal N"), or, when the run's process ended unreaped (the
 * warm engine is stopped or slow), its wait status read here: a warm
 * engine that does not run does not keep the client waiting. A SIGHUP is
 * forwarded; when a terminal of this process hung up, it ends the wait, 129
 * (run_hung_up()): a self-pipe wakes the poll, whenever the signal comes.
 * Sent by hand, or with no terminal, the run's end is still waited for, as
 * for a run made here (which detaches and goes on to its end). */
static int
await_run(int fd, pid_t pid, int pidfd)
{
	/* Without the pipe (out of descriptors) a hangup is forwarded all the
	 * same, and the run's end waited for. */
	int hp[2] = { -1, -1 };

	if (pipe2(hp, O_CLOEXEC | O_NONBLOCK) < 0)
		hp[0] = hp[1] = -1;
	int rc = wait_run(fd, pid, pidfd, hp);

	hup_fd = -1;
	if (hp[0] >= 0)
		close(hp[0]);
	if (hp[1] >= 0)
		close(hp[1]);
	return rc;
}

bool
client_warm_handoff(int argc, char **argv, int *status)
{
	const char *opt = getenv("DH_WARM");
	struct buf b = BUF_INIT;
	char *path, *exe, num[32], line[512];
	int fd, fds[WARM_NFDS] = { -1, -1, -1, -1 }, pidfd;
	bool handed = false;
	size_t nenv = 0;
	long pid;

	/* A background job on a terminal: made here, the terminal's job
	 * control stops the run when it reads it (in_background()). */
	if (warm_child || (opt && strcmp(opt, "0") == 0) || in_background())
		return false;
	if (!(path = warm_path()))
		return false;
	fd = warm_connect(path);
	free(path);
	if (fd < 0)
		return false;
	/* The standard descriptors must all be open: the run's would
	 * otherwise be other files. */
	if ((fds[0] = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fcntl(STDIN_FILENO, F_GETFD) < 0 || fcntl(STDOUT_FILENO, F_GETFD) < 0 ||
	    fcntl(STDERR_FILENO, F_GETFD) < 0)
		goto out;
	fds[1] = STDIN_FILENO;
	fds[2] = STDOUT_FILENO;
	fds[3] = STDERR_FILENO;
	add_str(&b, WARM_MAGIC);
	add_str(&b, WARM_VERSION);
	add_str(&b, "run");
	exe = exe_identity();
	add_str(&b, exe);
	free(exe);
	mode_t mask = umask(0);
	umask(mask);
	snprintf(num, sizeof num, "%o", (unsigned)mask);
	add_str(&b, num);
	snprintf(num, sizeof num, "%d", argc);
	add_str(&b, num);
	for (int i = 0; i < argc; i++)
		add_str(&b, argv[i]);
	for (char **e = environ; *e; e++)
		nenv++;
	snprintf(num, sizeof num, "%zu", nenv);
	add_str(&b, num);
	for (char **e = environ; *e; e++)
		add_str(&b, *e);
	if (b.len > WARM_MAX_REQUEST || send_msg(fd, b.ptr, b.len, fds, WARM_NFDS) < 0)
		goto out;
	long wait_ms = answer_wait_ms();
	ssize_t n = recv_text_within(fd, line, sizeof line, wait_ms);
	if (n == -2) {
		struct ucred cred = { 0 };
		socklen_t len = sizeof cred;

		getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
		fprintf(stderr,
		        "deskhand: the warm engine (pid %ld) did not answer within %ld ms; "
		        "running without it\n",
		        (long)cred.pid, wait_ms);
		goto out;
	}
	if (n <= 0 || sscanf(line, "pid %ld", &pid) != 1 || pid <= 0) {
		if (n > 0 && strncmp(line, "refused ", 8) != 0)
			fprintf(stderr, "deskhand: the warm engine said '%s'; running without it\n",
			        line);
		goto out;
	}
	/* From here on this process is committed to the run there: the run's
	 * process starts on "go" only, and a "go" that was not sent (its
	 * process gone already) leaves nothing that could start it. */
	if (send_text(fd, "go") < 0)
		goto out;
	/* Its end is told by the warm engine, and seen here if the warm
	 * engine is killed first. (Ended already: ESRCH, and its "exit"
	 * waits on the socket.) */
	pidfd = pidfd_open((pid_t)pid, 0);
	*status = await_run(fd, (pid_t)pid, pidfd);
	handed = *status >= 0;
	if (pidfd >= 0)
		close(pidfd);
out:
	if (fds[0] >= 0)
		close(fds[0]);
	close(fd);
	buf_fini(&b);
	return handed;
}

/* Whether process pid catches signal signo (/proc/PID/status SigCgt). */
static bool
catches(pid_t pid, int signo)
{
	char path[64], line[256];
	unsigned long long mask = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if (!(f = fopen(path, "re")))
		return false;
	while (!found && fgets(line, sizeof line, f))
		found = sscanf(line, "SigCgt: %llx", &mask) == 1;
	fclose(f);
	return found && (mask >> (signo - 1) & 1);
}

bool
client_warm_tty_wait(int fd)
{
	char text[1024], state;
	int pgrp, fg;
	bool waited = false;

	if (!warm_client || !isatty(fd))
		return false;
	for (;;) {
		char *at = stat_fields(warm_client, text, sizeof text);

		/* Gone (its end is the run's SIGHUP), or the foreground job. */
		if (!at || sscanf(at, "%c %*d %d %*d %*d %d", &state, &pgrp, &fg) != 3 ||
		    fg <= 0 || fg == pgrp)
			return waited;
		/* In the background, running: stopped as the kernel stops a
		 * job that touches its terminal there, by the kernel itself
		 * (touch_tty() in the client): a SIGTTIN sent from here after
		 * a `fg` that came between the look above and the kill would
		 * stop the foreground job. A client that does not catch the
		 * signal yet gets the SIGTTIN. Stopped (or stopping), it is
		 * waited for: fg makes it the foreground job, bg runs it and
		 * it is stopped again. */
		if (state != 'T' && state != 't') {
			if (catches(warm_client, WARM_TTY_SIGNAL))
				kill(warm_client, WARM_TTY_SIGNAL);
			else
				kill(-(pid_t)pgrp, SIGTTIN);
		}
		waited = true;
		poll(NULL, 0, 50);
	}
}

/*
 * The warm engine
 */

struct conn {
	int fd;    /* -1 once its client went away during its run */
	pid_t pid; /* its run, 0 before (or none: status, stop) */
	int gate;  /* its run's byte on "go" (a pipe), -1 before */
	struct conn *next;
};

struct warm {
	struct ev_loop *loop;
	int lfd;         /* the listening socket, -1 once stopping */
	char *path;      /* of the socket, and path.pid beside it */
	ino_t ino;       /* of the socket file bound: removed only if still ours */
	char *exe;       /* exe_identity() */
	char *vars[sizeof load_time_vars / sizeof *load_time_vars]; /* their values, or NULL */
	int (*run)(int, char **);
	struct conn *conns;
	unsigned long runs, refused;
	unsigned long abandoned; /* runs whose client made them itself */
	size_t running;
	time_t since;
	long idle_ms; /* 0: never */
	struct ev_timer idle;
	char last_refusal[256];
	/* The spare: a run's process forked in advance, which waits on its
	 * channel for a run (spare_main()). Not a run: not counted, and no
	 * reason to stay (--idle, --stop). */
	pid_t spare;         /* 0: none (set until it is reaped) */
	int spare_fd;        /* its channel; -1: none ready */
	uint64_t spare_born; /* ev_now_ms() at its fork */
	struct ev_timer respare; /* forks the next */
};

static void
conn_drop(struct warm *w, struct conn *c)
{
	for (struct conn **p = &w->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	if (c->fd >= 0) {
		ev_io_del(w->loop, c->fd);
		close(c->fd);
	}
	if (c->gate >= 0)
		close(c->gate);
	free(c);
}

/* Stopping, with nothing left to wait for: the loop ends. */
static void
quit_if_done(struct warm *w)
{
	if (w->lfd < 0 && w->running == 0 && w->spare == 0)
		ev_quit(w->loop);
}

/* No spare any more: it is killed (reaped in on_child()). */
static void
spare_drop(struct warm *w)
{
	ev_timer_disarm(w->loop, &w->respare);
	if (w->spare_fd >= 0) {
		close(w->spare_fd);
		w->spare_fd = -1;
		kill(w->spare, SIGKILL);
	}
}

static void
idle_rearm(struct warm *w)
{
	if (w->idle_ms > 0 && w->running == 0 && w->lfd >= 0)
		ev_timer_arm(w->loop, &w->idle, (uint64_t)w->idle_ms);
	else
		ev_timer_disarm(w->loop, &w->idle);
}

/* Stop taking runs: the socket and its pid file go (if still ours). */
static void
stop_listening(struct warm *w)
{
	struct stat st;

	if (w->lfd < 0)
		return;
	ev_io_del(w->loop, w->lfd);
	close(w->lfd);
	w->lfd = -1;
	if (stat(w->path, &st) == 0 && st.st_ino == w->ino) {
		char *pid = xasprintf("%s.pid", w->path);

		unlink(w->path);
		unlink(pid);
		free(pid);
	}
	ev_timer_disarm(w->loop, &w->idle);
	spare_drop(w);
	log_info("not taking runs any more; %zu still running", w->running);
	quit_if_done(w);
}

static void
on_child(struct ev_loop *l, pid_t pid, int wstatus, void *ctx)
{
	struct warm *w = ctx;

	(void)l;
	if (pid == w->spare) {
		uint64_t age = ev_now_ms() - w->spare_born;

		w->spare = 0;
		if (w->spare_fd >= 0) {
			close(w->spare_fd);
			w->spare_fd = -1;
		}
		if (w->lfd >= 0) {
			log_warn("spare %ld died (%s %d): replaced", (long)pid,
			         WIFSIGNALED(wstatus) ? "signal" : "exit",
			         WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : WEXITSTATUS(wstatus));
			ev_timer_arm(w->loop, &w->respare,
			             age < WARM_SPARE_RETRY_MS ? WARM_SPARE_RETRY_MS : 0);
		}
		quit_if_done(w);
		return;
	}
	w->running--;
	for (struct conn *c = w->conns; c; c = c->next) {
		char go;

		if (c->pid != pid)
			continue;
		if (read(c->gate, &go, 1) != 1) {
			/* No "go": its client gave up waiting and made the
			 * run itself; this one ran nothing. */
			w->runs--;
			w->abandoned++;
			log_info("run %ld abandoned: its client made it itself", (long)pid);
			conn_drop(w, c);
			goto out;
		}
		if (c->fd >= 0 && WIFSIGNALED(wstatus))
			send_text(c->fd, "signal %d", WTERMSIG(wstatus));
		else if (c->fd >= 0)
			send_text(c->fd, "exit %d", WEXITSTATUS(wstatus));
		conn_drop(w, c);
		break;
	}
	log_info("run %ld ended: %s %d", (long)pid, WIFSIGNALED(wstatus) ? "signal" : "exit",
	         WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : WEXITSTATUS(wstatus));
out:
	quit_if_done(w);
	idle_rearm(w);
}

/* The run's process, first: it tells its client it is there ("pid N") on
 * FD, the client's connection, and waits for the client's "go", which
 * commits the client to this run; a client that gave up waiting (the warm
 * engine was stopped, or slow) has closed the connection and makes the
 * run itself. Whether "go" came; it is told the warm engine with a byte on
 * GATE. Nothing of the run is done before: the run is made once, here or
 * by the client. SIGINT, SIGTERM and SIGHUP are blocked meanwhile. */
static bool
child_await_go(int fd, int gate)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char line[16];

	struct ucred cred = { 0 };
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		warm_client = cred.pid;
	if (send_text(fd, "pid %ld", (long)getpid()) < 0)
		return false;
	for (;;) {
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		/* Non-blocking: the descriptor's flags are the warm engine's. */
		ssize_t n = recv(fd, line, sizeof line - 1, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return false;
		line[n] = '\0';
		if (strcmp(line, "go") != 0)
			return false;
		ssize_t told = write(gate, "g", 1);
		(void)told; /* untold: counted as abandoned, made all the same */
		return true;
	}
}

/* The run's process: the client's descriptors, directory, umask and
 * environment, then RUN. SESSIONED: in a session of its own already (a
 * spare). Never returns. */
static void
child_run(struct warm *w, const int *fds, mode_t mask, int argc, char **argv, char **env,
          bool sessioned)
{
	sigset_t none;

	warm_child = true;
	log_close();
	/* The name a run has made in its own process (ps, top, pkill -x),
	 * not the warm engine's: `pkill deskhand-warm` must not end runs. */
	prctl(PR_SET_NAME, program_invocation_short_name, 0, 0, 0);
	/* The client's (fds are 3 and up: 0-2 are the warm engine's
	 * /dev/null). */
	dup2(fds[1], STDIN_FILENO);
	dup2(fds[2], STDOUT_FILENO);
	dup2(fds[3], STDERR_FILENO);
	if (fchdir(fds[0]) < 0) {
		fprintf(stderr, "deskhand: the warm engine cannot enter the working directory: %s\n",
		        strerror(errno));
		_exit(1);
	}
	/* Nothing of the warm engine's: its loop, socket, connections. */
	close_range(3, ~0U, 0);
	umask(mask);
	clearenv();
	for (size_t i = 0; env[i]; i++)
		putenv(env[i]);
	/* (A spare's was made before its run came: a new session is a new
	 * scheduling group under autogroup, which waits for the processor
	 * again on a busy machine.) */
	if (!sessioned)
		setsid();
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int status = w->run(argc, argv);

	snap_global_shutdown();
	llm_global_shutdown();
	exit(status);
}

/* Strings of a request from `at` on: the next, or NULL past the end. */
static char *
next_str(char **at, char *end)
{
	char *s = *at, *nul;

	if (s >= end || !(nul = memchr(s, '\0', (size_t)(end - s))))
		return NULL;
	*at = nul + 1;
	return s;
}

static void
refuse(struct warm *w, struct conn *c, const char *why)
{
	w->refused++;
	snprintf(w->last_refusal, sizeof w->last_refusal, "%s", why);
	log_info("run refused: %s", why);
	send_text(c->fd, "refused %s", why);
}

/* Does the client's environment hold the values the libraries were
 * loaded with? NULL, or what differs (static). */
static const char *
env_differs(const struct warm *w, char **env)
{
	static char why[160];

	for (size_t i = 0; i < sizeof load_time_vars / sizeof *load_time_vars; i++) {
		const char *v = NULL;
		size_t n = strlen(load_time_vars[i]);

		for (size_t j = 0; env[j]; j++)
			if (strncmp(env[j], load_time_vars[i], n) == 0 && env[j][n] == '=')
				v = env[j] + n + 1;
		if ((v == NULL) != (w->vars[i] == NULL) || (v && strcmp(v, w->vars[i]) != 0)) {
			snprintf(why, sizeof why, "%s differs from the warm engine's",
			         load_time_vars[i]);
			return why;
		}
	}
	return NULL;
}

static void
on_conn(struct ev_loop *l, int fd, unsigned revents, void *ctx);

/* A run's request from its UMASK on (warm.h), its strings left in place. */
struct run_req {
	mode_t mask;
	int argc;
	char **argv; /* NULL-terminated; the array is the request's owner's */
	char **env;  /* as argv */
};

/* Parse a run's request from AT to END into *r. 0; -1: its umask or its
 * argument count is not there or wrong; -2: what follows is malformed.
 * On 0 and -2 the arrays are to be freed (run_req_fini()). */
static int
run_parse(char *at, char *end, struct run_req *r)
{
	char *mask = next_str(&at, end), *n = next_str(&at, end), *e;
	long argc = n ? strtol(n, &e, 10) : -1, nenv;

	*r = (struct run_req){ 0 };
	if (!mask || argc < 1 || argc > 100000)
		return -1;
	r->mask = (mode_t)strtol(mask, NULL, 8) & 0777;
	r->argc = (int)argc;
	r->argv = xcalloc((size_t)argc + 1, sizeof *r->argv);
	for (long i = 0; i < argc; i++)
		if (!(r->argv[i] = next_str(&at, end)))
			return -2;
	n = next_str(&at, end);
	nenv = n ? strtol(n, &e, 10) : -1;
	if (nenv < 0 || nenv > 100000)
		return -2;
	r->env = xcalloc((size_t)nenv + 1, sizeof *r->env);
	for (long i = 0; i < nenv; i++)
		if (!(r->env[i] = next_str(&at, end)))
			return -2;
	return 0;
}

static void
run_req_fini(struct run_req *r)
{
	free(r->argv);
	free(r->env);
	*r = (struct run_req){ 0 };
}

/* The spare, in the process forked for it: CH is its channel. It waits,
 * in a session of its own and holding nothing but the channel (and
 * /dev/null as its standard descriptors), for a run: the rest of the
 * run's request after EXE (warm.h) with WARM_SPARE_NFDS descriptors (the
 * client's connection, the gate, the run's). It is then that run's
 * process as one forked for it is (child_await_go(), child_run()). It
 * dies with the warm engine (PR_SET_PDEATHSIG: SIGKILL, which nothing
 * blocks or catches, and a spare has nothing to clean up), and ends at
 * the end of its channel or any signal that ends a process by default.
 * Never returns. */
static void
spare_main(struct warm *w, pid_t engine, int ch)
{
	sigset_t none, blocked;
	int fds[WARM_SPARE_NFDS], flags, null;
	size_t nfds;
	struct run_req r;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != engine)
		_exit(0); /* the warm engine is gone already */
	warm_child = true;
	log_close();
	if ((ch != 3 && dup3(ch, 3, O_CLOEXEC) < 0) || close_range(4, ~0U, 0) < 0 ||
	    (null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		_exit(0);
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	close(null);
	setsid();
	/* Killed while it waits, it is replaced (the warm engine's signals,
	 * blocked, would be pending for its run). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, &blocked);
	/* Named once it is ready, as it is seen (ps, the tests). */
	prctl(PR_SET_NAME, "deskhand-spare", 0, 0, 0);

	char *msg = xmalloc(WARM_MAX_REQUEST + 1);
	ssize_t n = recv_msg(3, msg, WARM_MAX_REQUEST, fds, WARM_SPARE_NFDS, &nfds, &flags, 0);

	/* A run's process from here on: it outlives the warm engine, and a
	 * signal waits for "go" (child_await_go()). */
	sigprocmask(SIG_SETMASK, &blocked, NULL);
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (n <= 0 || nfds != WARM_SPARE_NFDS || (flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    run_parse(msg, msg + n, &r) < 0 || !child_await_go(fds[0], fds[1]))
		_exit(0);
	child_run(w, fds + 2, r.mask, r.argc, r.argv, r.env, true);
}

/* Fork the spare, if there is none (spare_main()). */
static void
spare_fork(struct warm *w)
{
	pid_t engine = getpid(), pid;
	int sv[2];

	if (w->spare || w->lfd < 0)
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_warn("spare: socketpair: %s", strerror(errno));
		return;
	}
	fflush(NULL);
	if ((pid = fork()) == 0)
		spare_main(w, engine, sv[1]);
	close(sv[1]);
	if (pid < 0 || ev_child_watch(w->loop, pid, on_child, w) < 0) {
		log_warn("spare: %s", pid < 0 ? strerror(errno) : err_msg());
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		close(sv[0]);
		return;
	}
	/* A send never waits: the spare takes one message. */
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	w->spare = pid;
	w->spare_fd = sv[0];
	w->spare_born = ev_now_ms();
	log_info("spare %ld", (long)pid);
}

static void
on_respare(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	spare_fork(ctx);
}

/* Hand the run (the request from its UMASK on, LEN bytes; the run's
 * descriptors FDS; GATE's end to write) to the spare: its pid, now the
 * run's, or 0: none ready, or it could not take it (the run is forked). */
static pid_t
spare_take(struct warm *w, struct conn *c, const char *req, size_t len, const int *fds,
           int gate)
{
	int all[WARM_SPARE_NFDS] = { c->fd, gate };
	pid_t pid = w->spare;

	if (w->spare_fd < 0)
		return 0;
	memcpy(all + 2, fds, WARM_NFDS * sizeof *fds);
	if (send_msg(w->spare_fd, req, len, all, WARM_SPARE_NFDS) < 0) {
		if (errno == EMSGSIZE)
			return 0; /* more than its channel takes: it waits on */
		log_warn("spare %ld: %s: replaced", (long)pid, strerror(errno));
		spare_drop(w);
		return 0;
	}
	close(w->spare_fd);
	w->spare_fd = -1;
	w->spare = 0;
	ev_timer_arm(w->loop, &w->respare, 0);
	return pid;
}

/* A run's request (after VERB): hand it to the spare, else fork its
 * process. */
static void
take_run(struct warm *w, struct conn *c, char *at, char *end, int *fds, size_t nfds)
{
	char *exe = next_str(&at, end), *req = at;
	struct run_req r;
	int rc = run_parse(req, end, &r);

	if (!exe || rc == -1 || nfds != WARM_NFDS) {
		refuse(w, c, "a malformed request");
		goto out;
	}
	if (strcmp(exe, w->exe) != 0) {
		/* The program was rebuilt or upgraded: this one is stale. */
		refuse(w, c, "another build of deskhand");
		stop_listening(w);
		goto out;
	}
	if (rc < 0)
		goto bad;
	const char *why = env_differs(w, r.env);
	if (why) {
		refuse(w, c, why);
		goto out;
	}
	/* Its client gave up waiting already (this process was stopped):
	 * it made the run itself. */
	struct pollfd hup = { .fd = c->fd, .events = POLLRDHUP };
	if (poll(&hup, 1, 0) > 0 && (hup.revents & (POLLHUP | POLLRDHUP | POLLERR))) {
		w->abandoned++;
		log_info("run abandoned before it was made: its client made it itself");
		goto out;
	}
	int gate[2];
	if (pipe2(gate, O_CLOEXEC | O_NONBLOCK) < 0) {
		char why2[96];

		snprintf(why2, sizeof why2, "pipe: %s", strerror(errno));
		refuse(w, c, why2);
		goto out;
	}
	pid_t pid = spare_take(w, c, req, (size_t)(end - req), fds, gate[1]);
	if (pid > 0) {
		close(gate[1]);
		goto started; /* watched since its fork */
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(gate[0]);
		/* Not held while it waits: the socket (one that stays bound
		 * would take connections nobody answers once the warm engine
		 * is gone), the other runs' connections (their end of it) and
		 * the spare's channel. */
		if (w->lfd >= 0)
			close(w->lfd);
		if (w->spare_fd >= 0)
			close(w->spare_fd);
		for (struct conn *o = w->conns; o; o = o->next)
			if (o != c && o->fd >= 0)
				close(o->fd);
		if (!child_await_go(c->fd, gate[1]))
			_exit(0);
		child_run(w, fds, r.mask, r.argc, r.argv, r.env, false);
	}
	close(gate[1]);
	if (pid < 0) {
		char why2[96];

		close(gate[0]);
		snprintf(why2, sizeof why2, "fork: %s", strerror(errno));
		refuse(w, c, why2);
		goto out;
	}
	if (ev_child_watch(w->loop, pid, on_child, w) < 0) {
		/* Unwatched, it would be a zombie and its client would wait
		 * for ever: end it now. Killed before "go" (its client may
		 * have sent it), it made nothing: refused, and its client
		 * makes the run itself. */
		char go;

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (read(gate[0], &go, 1) == 1)
			send_text(c->fd, "signal %d", SIGKILL);
		else
			refuse(w, c, "cannot watch the run's process");
		close(gate[0]);
		goto out;
	}
	if (!w->spare)
		ev_timer_arm(w->loop, &w->respare, 0);
started:
	c->pid = pid;
	c->gate = gate[0];
	w->runs++;
	w->running++;
	ev_timer_disarm(w->loop, &w->idle);
	log_info("run %ld: %s", (long)pid, r.argc > 1 ? r.argv[r.argc - 1] : "");
	/* From now on the connection is read by the run's process (its
	 * "go"): only its end is watched here. (Replacing a watch does not
	 * fail.) */
	if (ev_io_set(w->loop, c->fd, POLLRDHUP, on_conn, w) < 0)
		log_warn("run %ld: its client's end is not watched", (long)pid);
	goto out;
bad:
	refuse(w, c, "a malformed request");
out:
	run_req_fini(&r);
}

/* One request from a connection, its descriptors closed once handled. */
static void
take_request(struct warm *w, struct conn *c)
{
	char *msg = xmalloc(WARM_MAX_REQUEST + 1);
	int fds[WARM_NFDS], flags;
	size_t nfds;
	ssize_t n = recv_msg(c->fd, msg, WARM_MAX_REQUEST, fds, WARM_NFDS, &nfds, &flags,
	                     MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		free(msg);
		return;
	}
	char *at = msg, *end = msg + (n > 0 ? n : 0);
	const char *magic = next_str(&at, end), *version = next_str(&at, end);
	const char *verb = next_str(&at, end);

	if (n <= 0) {
		conn_drop(w, c);
	} else if (flags & (MSG_TRUNC | MSG_CTRUNC)) {
		refuse(w, c, "a request too long");
		conn_drop(w, c);
	} else if (!magic || strcmp(magic, WARM_MAGIC) != 0 || !version || !verb) {
		refuse(w, c, "a malformed request");
		conn_drop(w, c);
	} else if (strcmp(version, WARM_VERSION) != 0) {
		refuse(w, c, "another version of the warm engine's protocol");
		conn_drop(w, c);
	} else if (strcmp(verb, "run") == 0) {
		take_run(w, c, at, end, fds, nfds);
		if (c->pid == 0)
			conn_drop(w, c); /* refused; else watched for its end */
	} else if (strcmp(verb, "status") == 0) {
		char since[32];
		struct tm tm;

		strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&w->since, &tm));
		send_text(c->fd,
		          "pid %ld\nsince %s\nruns %lu\nrunning %zu\nrefused %lu%s%s%s\n"
		          "abandoned %lu\nidle %ld\n",
		          (long)getpid(), since, w->runs, w->running, w->refused,
		          w->refused ? " (last: " : "", w->refused ? w->last_refusal : "",
		          w->refused ? ")" : "", w->abandoned, w->idle_ms / 1000);
		conn_drop(w, c);
	} else if (strcmp(verb, "stop") == 0) {
		send_text(c->fd, "stopping %zu", w->running);
		conn_drop(w, c);
		stop_listening(w);
	} else {
		refuse(w, c, "an unknown request");
		conn_drop(w, c);
	}
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	free(msg);
}

/* A connection: its request, or (once its run started) its end, which
 * is a SIGHUP to the run. */
static void
on_conn(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct warm *w = ctx;
	struct conn *c = w->conns;

	(void)l;
	while (c && c->fd != fd)
		c = c->next;
	if (!c)
		return;
	if (c->pid == 0) {
		take_request(w, c);
		return;
	}
	/* Its run's: the end of the connection only (POLLRDHUP). A run
	 * still waiting for "go" has the signal blocked and sees the end
	 * itself. */
	if (revents & (POLLHUP | POLLRDHUP | POLLERR)) {
		log_info("the client of run %ld went away: SIGHUP", (long)c->pid);
		kill(c->pid, SIGHUP);
		ev_io_del(w->loop, c->fd);
		close(c->fd);
		c->fd = -1; /* its end is reaped, nobody told */
	}
}

static void
on_accept(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct warm *w = ctx;
	struct ucred cred;
	socklen_t len = sizeof cred;

	(void)l;
	(void)revents;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != getuid()) {
		log_warn("a connection from uid %ld refused", (long)cred.uid);
		close(cfd);
		return;
	}
	struct conn *c = xcalloc(1, sizeof *c);
	c->fd = cfd;
	c->gate = -1;
	c->next = w->conns;
	w->conns = c;
	if (ev_io_set(w->loop, cfd, POLLIN, on_conn, w) < 0)
		conn_drop(w, c);
}

static void
on_signal(struct ev_loop *l, int signo, void *ctx)
{
	(void)l;
	log_info("signal %d", signo);
	if (signo != SIGHUP)
		stop_listening(ctx);
}

static void
on_idle(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct warm *w = ctx;

	(void)l;
	(void)t;
	log_info("idle for %ld s: exiting", w->idle_ms / 1000);
	stop_listening(w);
}

/* Bind the socket; a stale one (nobody listening) is replaced. 0, or
 * DH_EDENIED (one listens: *live_pid its pid if known), or DH_EFAIL. */
static int
warm_bind(struct warm *w)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;

	if (strlen(w->path) >= sizeof sa.sun_path)
		return err_set("%s: socket path too long (at most %zu bytes)", w->path,
		               sizeof sa.sun_path - 1);
	memcpy(sa.sun_path, w->path, strlen(w->path) + 1);
	for (int tries = 0; tries < 2; tries++) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return err_set("socket: %s", strerror(errno));
		if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
			if (listen(fd, 64) < 0 || stat(w->path, &st) < 0) {
				close(fd);
				return err_set("%s: %s", w->path, strerror(errno));
			}
			w->lfd = fd;
			w->ino = st.st_ino;
			return 0;
		}
		int saved = errno;
		close(fd);
		if (saved != EADDRINUSE)
			return err_set("%s: %s", w->path, strerror(saved));
		int live = warm_connect(w->path);
		if (live >= 0) {
			close(live);
			return err_setc(DH_EDENIED, "a warm engine listens on %s already",
			                w->path);
		}
		unlink(w->path); /* left by one that died */
	}
	return err_set("%s: in use", w->path);
}


/* The warm engine itself, in this process. Its exit status. */
static int
serve(struct warm *w, int ready_fd)
{
	char *state = NULL, pidbuf[32];
	int status = 1;

	prctl(PR_SET_NAME, "deskhand-warm", 0, 0, 0);
	if (fsutil_state_dir(&state) == 0 && fsutil_mkdir_p(state, 0700) == 0) {
		char *log = xasprintf("%s/warm.log", state);

		if (log_open(log) < 0)
			fprintf(stderr, "deskhand warm: %s\n", err_msg()); /* stderr: its log */
		free(log);
	}
	free(state);
	for (size_t i = 0; i < sizeof load_time_vars / sizeof *load_time_vars; i++)
		w->vars[i] = getenv(load_time_vars[i]) ? xstrdup(getenv(load_time_vars[i])) : NULL;
	w->exe = exe_identity();
	w->since = time(NULL);
	/* A daemon's: no directory kept busy (each run enters its client's). */
	if (chdir("/") < 0)
		log_warn("chdir /: %s", strerror(errno));
	w->lfd = -1;
	w->spare_fd = -1;
	ev_timer_init(&w->idle, on_idle, w);
	ev_timer_init(&w->respare, on_respare, w);
	/* The loop first: it blocks the signals before any thread exists
	 * (the libraries' loads). */
	if (ev_new(&w->loop) < 0)
		goto fail;
	/* The libraries, loaded and set up now, on this thread: no thread of
	 * the load is left when a run is forked. */
	if (llm_global_load() < 0 || snap_global_init() < 0)
		goto fail;
	int rc = warm_bind(w);
	if (rc < 0) {
		status = rc == DH_EDENIED ? 0 : 1;
		goto fail;
	}
	/* Beside the socket, as an engine's (kill by hand, and the tests'
	 * clean-up). */
	char *pidfile = xasprintf("%s.pid", w->path);
	int pfd = open(pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (pfd >= 0) {
		dprintf(pfd, "%ld\n", (long)getpid());
		close(pfd);
	}
	free(pidfile);
	if (ev_io_set(w->loop, w->lfd, POLLIN, on_accept, w) < 0 ||
	    ev_signal_on(w->loop, SIGTERM, on_signal, w) < 0 ||
	    ev_signal_on(w->loop, SIGINT, on_signal, w) < 0 ||
	    ev_signal_on(w->loop, SIGHUP, on_signal, w) < 0)
		goto fail;
	idle_rearm(w);
	ev_timer_arm(w->loop, &w->respare, 0);
	log_info("warm engine pid %ld on %s", (long)getpid(), w->path);
	snprintf(pidbuf, sizeof pidbuf, "%ld", (long)getpid());
	serve_ready(ready_fd, "ok", pidbuf);
	ready_fd = -1;
	status = ev_run(w->loop) < 0 ? 1 : 0;
	log_info("exiting");
	goto out;
fail:
	log_warn("warm engine: %s", err_msg());
	serve_ready(ready_fd, status == 0 ? "running" : "error", err_msg());
out:
	stop_listening(w);
	spare_drop(w);
	while (w->conns)
		conn_drop(w, w->conns);
	ev_timer_disarm(w->loop, &w->idle);
	ev_free(w->loop);
	for (size_t i = 0; i < sizeof load_time_vars / sizeof *load_time_vars; i++)
		free(w->vars[i]);
	free(w->exe);
	snap_global_shutdown();
	llm_global_shutdown();
	log_close();
	return status;
}

/* --status and --stop: ask the one listening. */
static int
ask(const char *path, const char *verb)
{
	struct buf b = BUF_INIT;
	char line[1024];
	int fd = warm_connect(path);

	if (fd < 0) {
		fprintf(stderr, "deskhand warm: no warm engine is running (%s)\n", path);
		return 1;
	}
	add_str(&b, WARM_MAGIC);
	add_str(&b, WARM_VERSION);
	add_str(&b, verb);
	ssize_t n = send_msg(fd, b.ptr, b.len, NULL, 0) < 0 ? -1 : recv_text(fd, line, sizeof line);
	buf_fini(&b);
	close(fd);
	if (n <= 0) {
		fprintf(stderr, "deskhand warm: the warm engine at %s did not answer\n", path);
		return 1;
	}
	size_t running;
	if (sscanf(line, "stopping %zu", &running) == 1) {
		if (running)
			printf("stopping: it exits once its %zu run%s ended\n", running,
			       running == 1 ? " has" : "s have");
		else
			printf("stopped\n");
	} else {
		fputs(line, stdout);
	}
	return 0;
}

int
warm_main(int argc, char **argv, int (*run)(int, char **))
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' }, { "idle", required_argument, NULL, 'i' },
		{ "status", no_argument, NULL, 's' },     { "stop", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },       { 0 },
	};
	struct warm w = { .run = run };
	bool foreground = false, status = false, stop = false;
	int opt, p[2];
	char *end;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': foreground = true; break;
		case 's': status = true; break;
		case 'S': stop = true; break;
		case 'h': fputs(warm_usage, stdout); return 0;
		case 'i':
			w.idle_ms = strtol(optarg, &end, 10) * 1000;
			if (*end || !*optarg || w.idle_ms < 0 || w.idle_ms > 86400L * 365 * 1000) {
				struct buf shown = BUF_INIT;

				fprintf(stderr, "deskhand warm: --idle %s: expected seconds\n",
				        utf8_sanitized(&shown, optarg));
				buf_fini(&shown);
				return 2;
			}
			break;
		default:
			client_verb_bad_option("warm", opt, argv);
			fputs(warm_usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand warm: unexpected argument '%s'\n%s",
		        utf8_sanitized(&shown, argv[optind]), warm_usage);
		buf_fini(&shown);
		return 2;
	}
	if ((status || stop) && (foreground || w.idle_ms || (status && stop))) {
		fprintf(stderr, "deskhand warm: --%s goes alone\n%s", stop ? "stop" : "status",
		        warm_usage);
		return 2;
	}
	if (!(w.path = warm_path())) {
		fprintf(stderr, "deskhand warm: %s\n", err_msg());
		return 1;
	}
	int rc;
	if (status || stop) {
		rc = ask(w.path, status ? "status" : "stop");
		free(w.path);
		return rc;
	}
	if (foreground) {
		rc = serve(&w, -1);
		if (rc != 0)
			fprintf(stderr, "deskhand warm: %s\n", err_msg());
		free(w.path);
		return rc;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		fprintf(stderr, "deskhand warm: pipe: %s\n", strerror(errno));
		free(w.path);
		return 1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* The ready pipe above the standard descriptors, which
		 * /dev/null takes: a shell's closed stdout (warm >&-) made it
		 * 1, and the warm engine served unheard while this command
		 * said it did not start and waited for it for ever. */
		int ready_fd = fcntl(p[1], F_DUPFD_CLOEXEC, STDERR_FILENO + 1), null;

		if (ready_fd < 0)
			_exit(1);
		close(p[0]);
		close(p[1]);
		null = open("/dev/null", O_RDWR);
		setsid();
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			if (null > STDERR_FILENO)
				close(null);
		}
		/* Nothing of the shell's but the ready pipe: a descriptor it
		 * left open (a pipe a caller reads to its end, a make
		 * jobserver's) would be held for the warm engine's life. */
		if (ready_fd > 3)
			close_range(3, (unsigned)ready_fd - 1, 0);
		close_range((unsigned)ready_fd + 1, ~0U, 0);
		rc = serve(&w, ready_fd);
		free(w.path);
		_exit(rc);
	}
	close(p[1]);
	if (pid < 0) {
		fprintf(stderr, "deskhand warm: fork: %s\n", strerror(errno));
		close(p[0]);
		free(w.path);
		return 1;
	}
	bool timed_out;
	char *got = serve_ready_read(p[0], WARM_START_TIMEOUT_MS, &timed_out);
	const char *line = got ? got : "";

	close(p[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	rc = 1;
	if (strncmp(line, "ok ", 3) == 0) {
		printf("warm engine pid %s on %s\n", line + 3, w.path);
		rc = 0;
	} else if (strncmp(line, "running ", 8) == 0) {
		printf("deskhand warm: %s\n", line + 8);
		rc = 0;
		waitpid(pid, NULL, 0);
	} else {
		fprintf(stderr, "deskhand warm: %s\n",
		        strncmp(line, "error ", 6) == 0 ? line + 6
		        : timed_out ? "the warm engine did not start within 30 s"
		                    : "the warm engine did not start");
		waitpid(pid, NULL, 0);
	}
	free(got);
	free(w.path);
	return rc;
}
