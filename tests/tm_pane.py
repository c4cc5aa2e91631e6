#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The program of a tmux pane in the screen tests (tests/lib_tmux.sh ui_start).

  tm_pane.py CMD    run the shell command CMD (`exec CMD` under $SHELL, the
                    shell tmux would run it with: CMD's last simple command
                    is this process's child), then print EXIT=N (N its exit
                    status, 128+S when killed by signal S) and keep the pane
                    for 60 s

It leads the pane's session, as the shell in a terminal does. A hangup (the
tmux server or the session killed) is forwarded to CMD as SIGHUP, as an
interactive shell forwards it to its jobs; this process then leaves only once
CMD has exited, so that the kernel's SIGHUP and SIGCONT to the terminal's
foreground group, sent when a session leader exits after a hangup, never
reach CMD while it exits. A SIGCONT that comes while LeakSanitizer stops the
world to check for leaks at exit cancels the SIGSTOP its tracer sent through
ptrace: the exiting program spins and the tracer waits, forever (a shell that
exits on the hangup at once, with CMD still running, leaves CMD exposed to
it). SIGINT, SIGQUIT and SIGTSTP typed on the terminal are CMD's; they do not
end this process.
"""
import os
import signal
import subprocess
import sys
import time

child = None
hungup = False


def on_hup(signo, frame):
    global hungup
    hungup = True
    if child is not None and child.returncode is None:
        try:
            child.send_signal(signal.SIGHUP)
        except ProcessLookupError:
            pass


def main():
    global child
    # Handlers, not SIG_IGN: exec resets them, so CMD starts with the
    # default dispositions.
    for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP):
        signal.signal(s, lambda signo, frame: None)
    signal.signal(signal.SIGHUP, on_hup)
    child = subprocess.Popen([os.environ.get("SHELL") or "/bin/sh", "-c",
                              "exec " + sys.argv[1]],
                             restore_signals=True)
    if hungup:  # before there was a child to forward it to
        on_hup(signal.SIGHUP, None)
    rc = child.wait()
    if hungup:
        sys.exit(128 + signal.SIGHUP)
    try:
        print("EXIT=%d" % (rc if rc >= 0 else 128 - rc), flush=True)
    except OSError:
        sys.exit(128 + signal.SIGHUP)
    deadline = time.monotonic() + 60
    while not hungup and time.monotonic() < deadline:
        time.sleep(0.1)
    sys.exit(128 + signal.SIGHUP if hungup else 0)


if __name__ == "__main__":
    main()
