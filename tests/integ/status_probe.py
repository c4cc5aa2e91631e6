"""Whether the event loop answers while a run works (issue 17), for the
*_offloop tests: run `deskhand run --json --commands ...`, send it a status
command every INTERVAL seconds until its session finishes, and time each
reply, counted under what ran when it was sent."""
import json
import os
import select
import subprocess
import sys
import time


def probe(argv, track, interval=0.05, timeout=300):
    """argv: a `deskhand run --json --commands ...` command line (its stderr
    is dropped). track(ev) is called with each event but the status replies,
    in order, and returns the label of what runs from then on (None:
    nothing to measure). Returns (exit status, the session_finished event
    or None, {label: [seconds each reply took]}, seconds in all). Past
    `timeout` seconds the run is killed and the test exits "timed out"."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, bufsize=0)
    buf, sent, fin, lat, label = b"", [], None, {}, None
    t0 = next_send = time.monotonic()
    while True:
        now = time.monotonic()
        if fin is None and now >= next_send:
            p.stdin.write(b'{"type":"status"}\n')
            sent.append((now, label))
            next_send = now + interval
        r, _, _ = select.select([p.stdout], [], [], interval / 5)
        if r:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                ev = json.loads(line)
                if ev["type"] == "status":
                    at, was = sent.pop(0)
                    if was is not None:
                        lat.setdefault(was, []).append(time.monotonic() - at)
                    continue
                label = track(ev)
                if ev["type"] == "session_finished" and fin is None:
                    fin = ev
                    p.stdin.close()
        if time.monotonic() - t0 > timeout:
            p.kill()
            sys.exit("timed out")
    return p.wait(), fin, lat, time.monotonic() - t0


def latency(seconds):
    """'median N, max N' in ms of a list of reply times."""
    ms = sorted(int(x * 1000) for x in seconds) or [0]
    return "median %d, max %d" % (ms[len(ms) // 2], ms[-1])
