#!/usr/bin/env python3
"""Workbench figures (make bench, section 5). Runs the real binary in a pty:

  bench_ui.py DESKHAND WORKDIR

  1. launch to first full frame: from exec to the last byte of the first burst
     of output (the burst ends at the first 150 ms of silence);
  2. token latency: a built-in SSE server streams N text deltas, each a unique
     word, and records when it writes each; the pty reader records when each
     word first appears in the terminal output; median and p99 of the gap;
  3. bytes written to the terminal per streamed token during that stream;
  4. peak RSS (VmHWM) after --resume of a generated 1,000-turn session;
  5. CPU time (utime+stime) and voluntary context switches over 3 s idle.
Standard library only; HOME/XDG_* must point at a scratch directory."""

import json, os, pty, select, signal, socket, struct, sys, fcntl, termios, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DH, WORK = sys.argv[1], sys.argv[2]
NTOK, GAP_MS = 400, 15
ROWS, COLS = 40, 140


class Pty:
    """The workbench in a pty; a thread timestamps every chunk it writes."""

    def __init__(self, args, env):
        self.t0 = time.monotonic()
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(DH, [DH] + args, env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        os.kill(pid, signal.SIGWINCH)
        self.pid, self.fd = pid, fd
        self.chunks = []  # (time, bytes)
        self.lock = threading.Lock()
        self.th = threading.Thread(target=self.reader, daemon=True)
        self.th.start()

    def reader(self):
        while True:
            try:
                b = os.read(self.fd, 65536)
            except OSError:
                return
            if not b:
                return
            now = time.monotonic()
            with self.lock:
                self.chunks.append((now, b))

    def data(self):
        with self.lock:
            return b"".join(c for _, c in self.chunks)

    def wait_for(self, needle, timeout=20):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in self.data():
                return True
            time.sleep(0.01)
        return False

    def first_burst_end(self, quiet=0.15, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                last = self.chunks[-1][0] if self.chunks else None
            if last is not None and time.monotonic() - last >= quiet:
                return last - self.t0
            time.sleep(0.01)
        return None

    def close(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def env_for(base_url=""):
    e = dict(os.environ)
    e.update(TERM="xterm-256color", LC_ALL="C.UTF-8", ESCDELAY="25", ANTHROPIC_API_KEY="bench",
             ANTHROPIC_BASE_URL=base_url or "http://127.0.0.1:9")
    e.pop("NO_COLOR", None)
    return e


# ---- the streaming server ----

SENT = []  # monotonic time each token's delta was written


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def ev(self, name, obj):
        b = ("event: %s\ndata: %s\n\n" % (name, json.dumps(obj))).encode()
        self.wfile.write(b"%x\r\n" % len(b) + b + b"\r\n")
        self.wfile.flush()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        self.ev("message_start", {"type": "message_start", "message": {
            "id": "msg_b", "type": "message", "role": "assistant", "model": "fake", "content": [],
            "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 1}}})
        self.ev("content_block_start", {"type": "content_block_start", "index": 0,
                                        "content_block": {"type": "text", "text": ""}})
        for i in range(NTOK):
            time.sleep(GAP_MS / 1000.0)
            SENT.append(time.monotonic())
            self.ev("content_block_delta", {"type": "content_block_delta", "index": 0,
                                            "delta": {"type": "text_delta", "text": "q%04dz " % i}})
        self.ev("content_block_stop", {"type": "content_block_stop", "index": 0})
        self.ev("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                                  "usage": {"output_tokens": NTOK}})
        self.ev("message_stop", {"type": "message_stop"})
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def proc_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        st = f.read().rsplit(")", 1)[1].split()
    return int(st[11]) + int(st[12])  # utime + stime, clock ticks


def proc_status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def gen_session(n):
    """A finished n-turn session written directly as transcript.jsonl + meta.json."""
    sid = "20260101-000000-b1k0"
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.environ["HOME"], ".local/state")
    d = os.path.join(state, "deskhand", "sessions", sid)
    os.makedirs(d, exist_ok=True)
    ts = 1767225600000
    rec = []
    add = lambda o: rec.append(json.dumps(dict(o, ts=ts)))
    add({"type": "session_started", "grants": [WORK], "session": sid, "task": "bench 1000",
         "model": "claude-sonnet-4-5", "mode": "auto", "watcher": "inotify"})
    add({"type": "history", "message": {"role": "user", "content": [{"type": "text", "text": "bench 1000"}]}})
    prose = "Some **streamed** prose with `code` and a [link](http://x). " * 6
    for t in range(1, n + 1):
        last = t == n
        text = "## Turn %d\n\n%s\n\n- one\n- two\n" % (t, prose)
        add({"type": "turn_started", "turn": t})
        add({"type": "usage", "input_tokens": 10, "output_tokens": 5, "cache_read_tokens": 0,
             "cache_creation_tokens": 0, "cost_usd": 0.0001, "total_cost_usd": 0.0001 * t})
        content = [{"type": "text", "text": text}]
        tid = "toolu_%d" % t
        if not last:
            content.append({"type": "tool_use", "id": tid, "name": "list_files", "input": {}})
        add({"type": "history", "message": {"role": "assistant", "content": content}})
        add({"type": "assistant_message", "turn": t, "text": text,
             "stop_reason": "end_turn" if last else "tool_use"})
        if last:
            break
        out = "".join("out/f%03d.txt\n" % k for k in range(20))
        add({"type": "tool_call", "id": tid, "name": "list_files", "input": {}})
        add({"type": "tool_result", "id": tid, "name": "list_files", "is_error": False,
             "output": out, "duration_ms": 0})
        add({"type": "history", "message": {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": tid, "content": out}]}})
    add({"type": "session_finished", "status": "done", "message": "done"})
    with open(os.path.join(d, "transcript.jsonl"), "w") as f:
        f.write("\n".join(rec) + "\n")
    meta = {"id": sid, "status": "done", "model": "claude-sonnet-4-5", "mode": "auto",
            "grants": [WORK], "turns": n, "plan_approved": False, "plan": [],
            "input_tokens": 10 * n, "output_tokens": 5 * n, "cache_read_tokens": 0,
            "cache_creation_tokens": 0, "cost_usd": 0.0001 * n, "updated": ts // 1000,
            "task": "bench 1000", "created": ts // 1000}
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f)
    return sid, os.path.getsize(os.path.join(d, "transcript.jsonl"))


def main():
    os.makedirs(WORK, exist_ok=True)
    # 1 + 5: first frame, then idle CPU (no task, nothing in flight).
    firsts = []
    for _ in range(5):
        p = Pty(["--grant", WORK], env_for())
        firsts.append(p.first_burst_end())
        p.close()
    firsts = [f for f in firsts if f is not None]
    print("launch to first full frame: median %.1f ms, max %.1f ms (5 runs, %dx%d)"
          % (pct(firsts, 50) * 1000, max(firsts) * 1000, COLS, ROWS))
    p = Pty(["--grant", WORK], env_for())
    p.first_burst_end()
    time.sleep(0.5)
    c0, v0, b0 = proc_cpu(p.pid), proc_status(p.pid, "voluntary_ctxt_switches"), len(p.data())
    time.sleep(3)
    c1, v1, b1 = proc_cpu(p.pid), proc_status(p.pid, "voluntary_ctxt_switches"), len(p.data())
    hz = os.sysconf("SC_CLK_TCK")
    print("idle 3 s: CPU %.0f ms, %d wake-ups (voluntary context switches), %d bytes written"
          % ((c1 - c0) * 1000.0 / hz, v1 - v0, b1 - b0))
    p.close()

    # 2 + 3: token latency and bytes per token.
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d" % srv.server_address[1]
    p = Pty(["--grant", WORK, "--mode", "auto", "stream please"], env_for(url))
    ok = p.wait_for(b"q%04dz" % (NTOK - 1), timeout=30)
    time.sleep(0.3)
    with p.lock:
        chunks = list(p.chunks)
    p.close()
    srv.shutdown()
    lat, missed, at = [], 0, 0
    buf = b""
    marks = []  # (offset where chunk ends, time)
    for t, b in chunks:
        buf += b
        marks.append((len(buf), t))
    first_off = None
    last_off = 0
    for i, ts in enumerate(SENT):
        off = buf.find(b"q%04dz" % i)
        if off < 0:
            missed += 1
            continue
        end = off + 6
        first_off = end if first_off is None else first_off
        last_off = max(last_off, end)
        t = next(tm for o, tm in marks if o >= end)
        lat.append((t - ts) * 1000)
    if lat:
        print("token to terminal: median %.1f ms, p99 %.1f ms, max %.1f ms over %d tokens "
              "(%d ms apart, %d not found verbatim)%s"
              % (pct(lat, 50), pct(lat, 99), max(lat), len(lat), GAP_MS, missed,
                 "" if ok else " [stream did not finish]"))
        # bytes from the first token's frame to the last token's, per token
        print("terminal bytes per streamed token: %.1f (%d bytes for %d tokens)"
              % ((last_off - first_off) / max(1, len(lat) - 1), last_off - first_off, len(lat)))
    else:
        print("token to terminal: no token seen on the terminal")

    # 4: peak RSS with a 1,000-turn transcript.
    sid, size = gen_session(1000)
    p = Pty(["--resume", sid], env_for())
    t = p.first_burst_end(timeout=30)
    shown = p.wait_for(b"Turn 1000", timeout=5)
    time.sleep(0.3)
    hwm = proc_status(p.pid, "VmHWM")
    p.close()
    print("resume of 1,000 turns (%.1f MiB transcript): first frame %.0f ms, peak RSS %.1f MiB%s"
          % (size / 1048576.0, (t or 0) * 1000, hwm / 1024.0,
             "" if shown else " [last turn not on screen]"))


main()
