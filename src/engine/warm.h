/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_WARM_H
#define DH_ENGINE_WARM_H

/*
 * The warm engine: `deskhand warm` keeps one process with libcurl (and the
 * thirty-odd libraries it brings) and libgit2 loaded and set up, so that a
 * `deskhand run` starts its task without loading them: most of a launch's
 * time on a small machine (issue 17: loading libcurl alone, 14 ms). It is
 * the zygote of Android and Chromium, and what emacsclient is to
 * `emacs --daemon`: each run is a child forked from it, so each session
 * still has its own engine (DESIGN.md "Engine and clients"); no state but
 * the loaded libraries passes from one run to the next.
 *
 * The wire: SOCKDIR/warm (engine/client.h's socket directory; no ".sock",
 * so `deskhand ls` does not take it for a session's), an AF_UNIX
 * SOCK_SEQPACKET socket: one request per message, which comes whole or not
 * at all, with its descriptors (SCM_RIGHTS). Only the warm engine's own user
 * is answered (SO_PEERCRED). A request is NUL-terminated strings:
 *   "deskhand-warm" VERSION VERB ...
 *   VERB "run": EXE UMASK ARGC ARG... ENVC ENV..., and four descriptors:
 *       the working directory (O_PATH), stdin, stdout, stderr.
 *   VERB "status", "stop": nothing more.
 * Answers are one text message each: "pid N", sent by the run's process
 * itself once forked, which then waits for the client's "go" before it
 * does anything; then "exit N" or "signal N" from the warm engine once it
 * ended (the client does not wait for it when the run's process ended and
 * the warm engine, stopped, has not reaped it: it reads the wait status
 * the kernel keeps till then, proc(5) exit_code); "refused REASON" (the run is made in the client's own process:
 * another build of deskhand, or a variable the libraries read when they
 * were loaded that differs); "status ..." lines; "stopping N" (runs still
 * going).
 *
 * The client waits for "pid N" a second (DH_WARM_WAIT_MS): a warm engine
 * that is stopped (SIGSTOP, a debugger) or hung does not answer, and the
 * client then closes the connection and makes the run in its own process.
 * It is made once: the run's process starts it only on "go", which the
 * client sends once it has "pid N" and from then on waits for that run; a
 * run's process forked later (the warm engine continued) finds the
 * connection closed instead and exits at once, counted "abandoned" in the
 * status, as is a request whose client had gone before it was read.
 *
 * The run's process: a child of the warm engine with the client's
 * arguments, environment, working directory, umask and standard
 * descriptors, in a session of its own (setsid). The client forwards
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT to it, stops and continues it with
 * its own SIGTSTP and SIGCONT (continued in the background of its terminal,
 * the run goes on there; it has no controlling terminal, which would stop
 * it at a read of the terminal there, so before such a read it looks
 * whether its client is the foreground job, and if not has the client
 * touch its terminal, so that the kernel stops the client's job there (a
 * SIGUSR2 the client catches; SIGTTIN to a client that does not catch it
 * yet), and waits until it is the foreground job: client_warm_tty_wait()),
 * and
 * exits with its status (a run killed by a signal: the client raises that
 * signal on itself; a warm engine killed during the run: the client waits
 * for the run's end, whose status went with the warm engine, and exits
 * with 1). A client that goes away is a SIGHUP to its run, as a closed
 * terminal is. What the run does not take from the client: its resource
 * limits, cgroup and nice value (the warm engine's).
 *
 * The spare: the warm engine keeps one run's process forked in advance,
 * already in its session (a new session is a new scheduling group under
 * autogroup, which on a busy machine waits for the processor again), with
 * /dev/null for its standard descriptors and nothing else but a
 * socketpair to the warm engine, on which it waits. A run is handed to it
 * (the request after EXE, with the client's connection, the gate and the
 * run's four descriptors), and it is from then on that run's process as
 * one forked for it is: it says "pid N", waits for "go", and outlives the
 * warm engine. The next spare is forked just after, off the run's path; a
 * run that comes when none is ready (the spare died, or the request is
 * more than its channel takes) is forked as before. The spare is no run:
 * --status does not count it, and it neither keeps the warm engine from
 * --idle nor from exiting on --stop (it is killed then). It dies with the
 * warm engine (PR_SET_PDEATHSIG, SIGKILL), and is named deskhand-spare
 * until it takes a run.
 */

/* `deskhand warm [--foreground] [--idle SECONDS] | --status | --stop`
 * (argv[0] "warm"): start the warm engine (in the background; the command
 * returns once it listens), say how it is, or stop it (it stops listening
 * at once and exits when its runs have ended). RUN is the function a run's
 * process calls with the client's argc and argv (cli_run); its return is
 * the exit status. Returns the exit status: 0, 1 (could not start, none
 * running), 2 (usage). */
int warm_main(int argc, char **argv, int (*run)(int, char **));

#endif
