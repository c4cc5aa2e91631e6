#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Raw-socket helpers for the engine server tests (tests/integ/server_*.sh).

  server_client.py spawn ARGS...     start `deskhand engine --ready-fd N ARGS...`
                                     detached (new session, stdio on /dev/null);
                                     print its ready line ("ok ID" / "error ...")
  server_client.py sock ID           print the socket path of session ID

As a module: sockdir(), connect(name), hello(sock), Lines(sock), wait_idle(),
run_task() and kill_while_starting() (an engine killed in a start's gap).
Environment: DESKHAND (the binary), XDG_RUNTIME_DIR.
"""
import json
import os
import socket
import subprocess
import sys
import time


def sockdir():
    rt = os.environ.get("XDG_RUNTIME_DIR")
    return os.path.join(rt, "deskhand") if rt else "/tmp/deskhand-%d" % os.getuid()


def sockpath(name):
    return os.path.join(sockdir(), name + ".sock")


def connect(name, timeout=10):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sockpath(name))
    return s


class Lines:
    """Reads one JSON object per line from a socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.scanned = 0  # bytes of buf known to hold no newline

    def next(self, timeout=10):
        deadline = time.time() + timeout
        while True:
            nl = self.buf.find(b"\n", self.scanned)
            if nl >= 0:
                break
            self.scanned = len(self.buf)
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("no line within %s s" % timeout)
            self.sock.settimeout(left)
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("the engine closed the connection")
            self.buf += chunk
        line = bytes(self.buf[:nl])
        del self.buf[:nl + 1]
        self.scanned = 0
        return json.loads(line)

    def until(self, pred, timeout=30):
        """Lines up to and including the first that satisfies pred."""
        deadline = time.time() + timeout
        got = []
        while True:
            ev = self.next(max(0.01, deadline - time.time()))
            got.append(ev)
            if pred(ev):
                return got


def send(sock, obj):
    sock.sendall((json.dumps(obj) + "\n").encode())


def hello(sock, name="test"):
    """Say hello; returns (hello event, history events, history_end event, Lines)."""
    send(sock, {"type": "hello", "protocol": 1, "client": name})
    r = Lines(sock)
    h = r.next()
    hist = []
    while True:
        ev = r.next()
        if ev.get("type") == "history_end":
            return h, hist, ev, r
        hist.append(ev)


def wait_idle(sock, lines, tries=600):
    """Ask for the status until no job is left on the engine's workers (the
    last task's snapshots) and no task is starting; exits the test if that
    never comes."""
    for i in range(tries):
        send(sock, {"type": "status", "id": "idle%d" % i})
        ev = lines.until(lambda ev: ev.get("re") == "idle%d" % i, 60)[-1]
        if ev["pending_jobs"] == 0 and ev.get("phase") != "starting":
            return
        time.sleep(0.05)
    sys.exit("the worker never became idle")


def run_task(sock, lines, text, id="go1"):
    """Start the task `text`, wait until it ended `done` and the engine is
    idle (wait_idle); its session id. Exits the test otherwise."""
    send(sock, {"type": "start", "text": text, "id": id})
    got = lines.until(lambda ev: ev["type"] == "session_finished", 120)
    if got[-1].get("status") != "done":
        sys.exit("the task '%s' ended %s" % (text, got[-1]))
    wait_idle(sock, lines)
    return [ev for ev in got if ev["type"] == "session_started"][0]["session"]


def kill_while_starting(sock, lines, pid, cmds):
    """Send the commands `cmds` (a start first: a task, then the steers and
    starts it takes while it starts) and a status in one write, so that the
    status is answered while the task is still starting; check that every
    one was taken and the phase was `starting`, then kill the engine `pid`
    with SIGKILL and reap it. The events read until the status's reply.
    Exits the test when the task started too fast to test."""
    cmds = cmds + [{"type": "status", "id": "st-kill"}]
    sock.sendall(b"".join((json.dumps(c) + "\n").encode() for c in cmds))
    got = lines.until(lambda ev: ev.get("re") == "st-kill", 30)
    for c in cmds[:-1]:
        replies = [ev for ev in got if ev.get("re") == c["id"]]
        if (c["type"] == "start" and not replies) or (replies and not replies[0].get("ok", True)):
            sys.exit("%s was not taken: %s" % (c, replies or got))
    if got[-1].get("phase") != "starting":
        sys.exit("the task started too fast to test: %s" % got)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return got


def spawn(args):
    deskhand = os.environ["DESKHAND"]
    rfd, wfd = os.pipe()
    with open(os.devnull, "r+b") as nul:
        p = subprocess.Popen([deskhand, "engine", "--ready-fd", str(wfd)] + args,
                             pass_fds=(wfd,), stdin=nul, stdout=nul, stderr=nul,
                             start_new_session=True)
    os.close(wfd)
    data = b""
    deadline = time.time() + 60
    while b"\n" not in data and time.time() < deadline:
        chunk = os.read(rfd, 4096)
        if not chunk:
            break
        data += chunk
    os.close(rfd)
    line = data.decode(errors="replace").split("\n")[0]
    if not line.startswith("ok"):
        p.wait()
        line += " (exit %d)" % p.returncode
    return line, p.pid


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "spawn":
        line, pid = spawn(sys.argv[2:])
        print(line)
        sys.exit(0 if line.startswith("ok") else 1)
    if len(sys.argv) == 3 and sys.argv[1] == "sock":
        print(sockpath(sys.argv[2]))
        sys.exit(0)
    sys.exit(__doc__)
