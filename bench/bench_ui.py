#!/usr/bin/env python3
"""Workbench and engine figures (make bench, section 5). Runs the real binary
in a pty:

  bench_ui.py DESKHAND WORKDIR [SECTION...]

SECTION is one of frame, stream, resume, attach, socket, engine-rss, markdown
(default: all, in that order).
  frame   launch to first full frame: from exec to the last byte of the first
          burst of output (the burst ends at the first 150 ms of silence);
          then CPU time (utime+stime) and voluntary context switches over 3 s
          idle, of the workbench and of its engine process if it has one;
  stream  token latency: a built-in SSE server streams N text deltas, each a
          unique word, and records when it writes each; the pty reader records
          when each word first appears in the terminal output; median and p99
          of the gap; bytes written to the terminal per streamed token;
  resume  peak RSS (VmHWM) after --resume of a generated 1,000-turn session;
  attach  `deskhand attach ID` of that 1,000-turn session: exec to the end of
          the first full frame (the burst that shows its end, 'task done'), for a
          session that is not live (an engine is started on it) and again for
          the now live engine (a socket client of the bench keeps it live: an
          engine whose task ended exits with its last client), with that
          client's hello-to-history_end time; `deskhand --resume ID` and the attach of a
          1-turn session (the fixed cost: the reference) measured the same
          way in the same run;
  socket  the latency a streamed token gains through the engine's socket: the
          same stream to `deskhand run --json` (in-process engine, stdout
          pipe) and to a socket client of a detached engine (hello, history,
          then live events); median, p99, and the median added;
  engine-rss  resident memory (VmRSS, VmHWM) of an engine process with no
          client, its session waiting for an approval, and its CPU and wake-ups
          over 3 s, against `deskhand run --commands` (in-process) waiting for
          the same approval;
  markdown  a 2,000-line Markdown answer (headings, styled prose with links,
          tables, nested and task lists, fenced code) streamed in small deltas
          into the workbench, which is told its terminal has synchronized
          output so each frame is bracketed: per frame, the workbench's CPU
          time since the previous frame (/proc/PID/schedstat, ns: the cost of
          the frame and of the events before it), median and p99, and the
          interval between frames (its floor is the 33 ms frame throttle).
Standard library only; HOME/XDG_* must point at a scratch directory (the
engines this starts are found by their HOME and ended before it exits)."""

import json, os, pty, select, signal, socket, struct, subprocess, sys, fcntl, termios, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DH, WORK = sys.argv[1], sys.argv[2]
SECTIONS = sys.argv[3:] or ["frame", "stream", "resume", "attach", "socket", "engine-rss",
                            "markdown"]
NTOK, GAP_MS = 400, 15
ROWS, COLS = 40, 140


class Pty:
    """The workbench in a pty; a thread timestamps every chunk it writes."""

    def __init__(self, args, env, frames=False):
        self.t0 = time.monotonic()
        # frames: answer the DECRQM query for synchronized output (mode 2026)
        # and record (time, CPU ns of the workbench) at the end of each frame.
        self.track, self.frames = frames, []
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
            if self.track:
                if b"\033[?2026$p" in b:
                    os.write(self.fd, b"\033[?2026;2$y")
                for _ in range(b.count(b"\033[?2026l")):
                    self.frames.append((now, cpu_ns(self.pid)))
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
GO = threading.Event()  # the stream waits for it (set: at once)
GO.set()
REPLY = ["stream"]  # "stream": NTOK text deltas; "plan": a propose_plan tool call;
#                     "markdown": MD_ANSWER in MD_DELTA-byte deltas
MD_LINES, MD_DELTA, MD_GAP_MS = 2000, 48, 1
MD_SENT = []  # monotonic time of the markdown answer's first and last delta


def md_answer(n=MD_LINES):
    """n lines of Markdown: sections of a heading, styled prose with a link,
    a table, task and nested lists and a fenced code block, repeated; the
    last line says END-OF-MARKDOWN."""
    out, k = [], 0
    while len(out) < n - 1:
        out += ["## Section %d" % k, "",
                "Some **bold** and *emphasised* prose with `code`, a [link](https://example.org/%d), "
                "~~old~~ text and enough words to wrap at the width of the pane, twice over at "
                "least, as answers do." % k, "",
                "| Name | Qty | Note |", "|:-----|----:|:----:|"]
        out += ["| item %d-%d | %d | a cell of a few words |" % (k, i, i * 7) for i in range(8)]
        out += ["", "- [x] done %d" % k, "- [ ] open", "  - nested", "    1. deeper", "    2. deeper",
                "", "```c", "static int", "f(int x)", "{", "\treturn x * %d;" % k, "}", "```", ""]
        k += 1
    return "\n".join(out[:n - 1] + ["END-OF-MARKDOWN"]) + "\n"


def cpu_ns(pid):
    """CPU time of the process's main thread in ns (/proc/PID/schedstat), 0 if gone."""
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


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
        if REPLY[0] == "plan":
            self.plan()
            return
        if REPLY[0] == "markdown":
            self.markdown()
            return
        GO.wait(60)
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

    def markdown(self):
        text = md_answer()
        self.ev("content_block_start", {"type": "content_block_start", "index": 0,
                                        "content_block": {"type": "text", "text": ""}})
        del MD_SENT[:]
        for a in range(0, len(text), MD_DELTA):
            time.sleep(MD_GAP_MS / 1000.0)
            now = time.monotonic()
            if MD_SENT:
                MD_SENT[1] = now
            else:
                MD_SENT[:] = [now, now]
            self.ev("content_block_delta", {"type": "content_block_delta", "index": 0,
                                            "delta": {"type": "text_delta", "text": text[a:a + MD_DELTA]}})
        self.ev("content_block_stop", {"type": "content_block_stop", "index": 0})
        self.ev("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                                  "usage": {"output_tokens": len(text) // 4}})
        self.ev("message_stop", {"type": "message_stop"})
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def plan(self):
        inp = json.dumps({"steps": [{"title": "wait for the person"}]})
        self.ev("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {
            "type": "tool_use", "id": "toolu_bplan", "name": "propose_plan", "input": {}}})
        self.ev("content_block_delta", {"type": "content_block_delta", "index": 0,
                                        "delta": {"type": "input_json_delta", "partial_json": inp}})
        self.ev("content_block_stop", {"type": "content_block_stop", "index": 0})
        self.ev("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use"},
                                  "usage": {"output_tokens": 5}})
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


def gen_session(n, sid="20260101-000000-b1k0"):
    """A finished n-turn session written directly as transcript.jsonl + meta.json."""
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


def engine_pids():
    """The engine processes this run started: deskhand-engine with our HOME."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/comm" % d, "rb") as f:
                if f.read().strip() != b"deskhand-engine":
                    continue
            with open("/proc/%s/environ" % d, "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if ("HOME=" + os.environ["HOME"]).encode() in env:
            out.append(int(d))
    return out


def stop_engines():
    pids = engine_pids()
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    end = time.monotonic() + 3
    while engine_pids() and time.monotonic() < end:
        time.sleep(0.05)
    for pid in engine_pids():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def idle(pids, seconds):
    """CPU ms and voluntary context switches of each pid over `seconds`."""
    hz = os.sysconf("SC_CLK_TCK")
    c0 = {p: (proc_cpu(p), proc_status(p, "voluntary_ctxt_switches")) for p in pids}
    time.sleep(seconds)
    return {p: ((proc_cpu(p) - c0[p][0]) * 1000.0 / hz,
                proc_status(p, "voluntary_ctxt_switches") - c0[p][1]) for p in pids}


def token_latencies(chunks, sent):
    """Per token, ms from the server's write to the first chunk that completes
    the token's word; (latencies, tokens not found, offsets of first and last)."""
    buf, marks = b"", []
    for t, b in chunks:
        buf += b
        marks.append((len(buf), t))
    lat, missed, first_off, last_off = [], 0, None, 0
    for i, ts in enumerate(sent):
        off = buf.find(b"q%04dz" % i)
        if off < 0:
            missed += 1
            continue
        end = off + 6
        first_off = end if first_off is None else first_off
        last_off = max(last_off, end)
        t = next(tm for o, tm in marks if o >= end)
        lat.append((t - ts) * 1000)
    return lat, missed, first_off, last_off


class Reader:
    """Timestamps every chunk read from fd (a pipe or a socket) in a thread."""

    def __init__(self, fd):
        self.fd, self.chunks, self.lock = fd, [], threading.Lock()
        self.th = threading.Thread(target=self.run, daemon=True)
        self.th.start()

    def run(self):
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

    def wait_for(self, needle, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in self.data():
                return True
            time.sleep(0.01)
        return False


def detach_run(args, env):
    """`deskhand run --detach --json ARGS`: the session id, or None and why."""
    r = subprocess.run([DH, "run", "--detach", "--json"] + args, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    for line in r.stdout.decode(errors="replace").splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("type") == "detached" and o.get("session"):
            return o["session"], None
    why = (r.stderr.decode(errors="replace").strip().splitlines() or ["exit %d" % r.returncode])[0]
    return None, why


def socket_path(sid):
    d = os.environ.get("XDG_RUNTIME_DIR")
    d = os.path.join(d, "deskhand") if d else "/tmp/deskhand-%d" % os.getuid()
    return os.path.join(d, sid + ".sock")


def hold_engine(sid):
    """A socket client attached to session sid's engine (hello sent, what it
    says read and dropped), or None when none listens."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    t0 = time.monotonic()
    try:
        s.connect(socket_path(sid))
        s.sendall(b'{"type":"hello","protocol":1,"client":"bench"}\n')
    except OSError:
        s.close()
        return None
    rd = Reader(s.fileno())
    if rd.wait_for(b'"history_end"', timeout=10):
        HELLO.append(((time.monotonic() - t0) * 1000, len(rd.data())))
    return s


HELLO = []  # (ms from connect to history_end, bytes) of hold_engine's client


def full_frame(p, needle, timeout=30):
    """Seconds from exec to the end of the burst that first shows `needle`."""
    if not p.wait_for(needle, timeout=timeout):
        return None
    return p.first_burst_end(timeout=timeout)


# ---- sections ----

def sec_frame():
    # 1 + 5: first frame, then idle CPU (no task, nothing in flight).
    firsts = []
    for _ in range(5):
        p = Pty(["--grant", WORK], env_for())
        firsts.append(p.first_burst_end())
        p.close()
        stop_engines()
    firsts = [f for f in firsts if f is not None]
    print("launch to first full frame: median %.1f ms, max %.1f ms (5 runs, %dx%d)"
          % (pct(firsts, 50) * 1000, max(firsts) * 1000, COLS, ROWS))
    p = Pty(["--grant", WORK], env_for())
    p.first_burst_end()
    time.sleep(0.5)
    eng = engine_pids()
    b0 = len(p.data())
    use = idle([p.pid] + eng, 3)
    b1 = len(p.data())
    cpu, wake = use[p.pid]
    print("idle 3 s: CPU %.0f ms, %d wake-ups (voluntary context switches), %d bytes written"
          % (cpu, wake, b1 - b0))
    for e in eng:
        print("    its engine (pid %d), idle 3 s: CPU %.0f ms, %d wake-ups" % (e, use[e][0], use[e][1]))
    p.close()
    stop_engines()


def sec_stream(url):
    # 2 + 3: token latency and bytes per token.
    del SENT[:]
    p = Pty(["--grant", WORK, "--mode", "auto", "stream please"], env_for(url))
    ok = p.wait_for(b"q%04dz" % (NTOK - 1), timeout=30)
    time.sleep(0.3)
    with p.lock:
        chunks = list(p.chunks)
    p.close()
    stop_engines()
    lat, missed, first_off, last_off = token_latencies(chunks, SENT)
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


SESSION = []  # (sid, transcript bytes) of the generated 1,000-turn session


def big_session():
    if not SESSION:
        SESSION.append(gen_session(1000))
    return SESSION[0]


def sec_resume():
    # 4: peak RSS with a 1,000-turn transcript.
    sid, size = big_session()
    p = Pty(["--resume", sid], env_for())
    t = p.first_burst_end(timeout=30)
    shown = p.wait_for(b"Turn 1000", timeout=5)
    time.sleep(0.3)
    hwm = proc_status(p.pid, "VmHWM")
    eng = [proc_status(e, "VmHWM") for e in engine_pids()]
    p.close()
    stop_engines()
    print("resume of 1,000 turns (%.1f MiB transcript): first frame %.0f ms, peak RSS %.1f MiB%s%s"
          % (size / 1048576.0, (t or 0) * 1000, hwm / 1024.0,
             "".join(", its engine's %.1f MiB" % (e / 1024.0) for e in eng),
             "" if shown else " [last turn not on screen]"))


def sec_attach():
    # 6: attach to the 1,000-turn session, to the end of the frame showing its last turn.
    sid, size = big_session()
    one, _ = gen_session(1, "20260101-000000-b1one")
    figs, hold = [], None
    for label, args, needle in (
            ("1-turn session, attach (reference)", ["attach", one], b"task done"),
            ("--resume", ["--resume", sid], b"task done"),
            ("attach, not live (starts an engine)", ["attach", sid], b"task done"),
            ("attach, live engine", ["attach", sid], b"task done")):
        p = Pty(args, env_for())
        t = full_frame(p, needle)
        hwm = proc_status(p.pid, "VmHWM")
        if label == "attach, not live (starts an engine)":
            # An engine whose task has ended exits with its last client:
            # a socket client of our own keeps it live for the next attach.
            hold = hold_engine(sid)
        p.close()
        if label == "attach, live engine":
            if hold is not None:
                hold.close()
            else:
                label += " [could not hold the engine]"
        stop_engines()  # the next one starts with no engine live
        figs.append((label, t, hwm))
    print("attach to a 1,000-turn session (%.1f MiB transcript), exec to the end of the "
          "frame showing its end ('task done'):" % (size / 1048576.0))
    for label, t, hwm in figs:
        print("    %-38s %s, client peak RSS %.1f MiB"
              % (label + ":", "%.0f ms" % (t * 1000) if t is not None else "its end never shown",
                 hwm / 1024.0))
    for ms, n in HELLO:
        print("    (the engine's side: a socket client's hello to history_end %.0f ms, %.1f MiB)"
              % (ms, n / 1048576.0))


def sec_socket(url):
    # 7: the same token stream in-process (run --json) and through the socket.
    env = env_for(url)
    del SENT[:]
    GO.set()
    pr = subprocess.Popen([DH, "run", "--grant", WORK, "--mode", "auto", "--json", "stream please"],
                          env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL)
    rd = Reader(pr.stdout.fileno())
    ok = rd.wait_for(b"q%04dz" % (NTOK - 1), timeout=30)
    try:
        pr.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pr.kill()
        pr.wait()
    with rd.lock:
        local, _, _, _ = token_latencies(list(rd.chunks), list(SENT))
    stop_engines()
    msg = ("    in-process, run --json (stdout pipe): median %.2f ms, p99 %.2f ms over %d tokens%s"
           % (pct(local, 50), pct(local, 99), len(local), "" if ok else " [stream did not finish]")
           if local else "    in-process, run --json: no token seen")
    print("streamed token, model write to client read (%d tokens, %d ms apart):" % (NTOK, GAP_MS))
    print(msg)

    del SENT[:]
    GO.clear()
    sid, why = detach_run(["--grant", WORK, "--mode", "auto", "stream please"], env)
    if sid is None:
        GO.set()
        print("    socket: not measured (run --detach: %s)" % why)
        stop_engines()
        return
    path, s = socket_path(sid), None
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            break
        except OSError:
            s.close()
            s = None
            time.sleep(0.05)
    if s is None:
        GO.set()
        print("    socket: not measured (no engine listening on %s)" % path)
        stop_engines()
        return
    s.sendall(b'{"type":"hello","protocol":1,"client":"bench"}\n')
    rd = Reader(s.fileno())
    hist = rd.wait_for(b'"history_end"', timeout=10)
    GO.set()
    ok = rd.wait_for(b"q%04dz" % (NTOK - 1), timeout=30)
    with rd.lock:
        sock, _, _, _ = token_latencies(list(rd.chunks), list(SENT))
    s.close()
    stop_engines()
    if not sock:
        print("    socket client of a detached engine: no token seen%s"
              % ("" if hist else " (no history_end after hello)"))
        return
    print("    socket client of a detached engine: median %.2f ms, p99 %.2f ms over %d tokens%s"
          % (pct(sock, 50), pct(sock, 99), len(sock), "" if ok else " [stream did not finish]"))
    if local:
        print("    added by the socket: median %+.2f ms (target: <= 1 ms)"
              % (pct(sock, 50) - pct(local, 50)))


def sec_engine_rss(url):
    # 8: memory of an engine with no client, waiting for an approval (the plan).
    env = env_for(url)
    REPLY[0] = "plan"
    try:
        pr = subprocess.Popen([DH, "run", "--grant", WORK, "--mode", "ask", "--json", "--commands",
                               "wait please"], env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        rd = Reader(pr.stdout.fileno())
        waiting = rd.wait_for(b'"approval_needed"', timeout=30)
        time.sleep(0.5)
        rss, hwm = proc_status(pr.pid, "VmRSS"), proc_status(pr.pid, "VmHWM")
        use = idle([pr.pid], 3)[pr.pid]
        pr.stdin.close()
        try:
            pr.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pr.kill()
            pr.wait()
        print("waiting for an approval, no one answering:")
        print("    in-process, run --commands (reference): RSS %.1f MiB, peak %.1f MiB; "
              "idle 3 s: CPU %.0f ms, %d wake-ups%s"
              % (rss / 1024.0, hwm / 1024.0, use[0], use[1], "" if waiting else " [never waited]"))
        sid, why = detach_run(["--grant", WORK, "--mode", "ask", "wait please"], env)
        if sid is None:
            print("    engine with no client: not measured (run --detach: %s)" % why)
            return
        tr = os.path.join(os.environ.get("XDG_STATE_HOME") or os.path.join(os.environ["HOME"], ".local/state"),
                          "deskhand", "sessions", sid, "transcript.jsonl")
        end, waiting = time.monotonic() + 30, False
        while time.monotonic() < end and not waiting:
            try:
                with open(tr, "rb") as f:
                    waiting = b'"approval_needed"' in f.read()
            except OSError:
                pass
            time.sleep(0.05)
        time.sleep(0.5)
        eng = engine_pids()
        if not eng:
            print("    engine with no client: no engine process found")
            return
        e = eng[0]
        rss, hwm = proc_status(e, "VmRSS"), proc_status(e, "VmHWM")
        use = idle([e], 3)[e]
        print("    engine process with no client: RSS %.1f MiB, peak %.1f MiB; "
              "idle 3 s: CPU %.0f ms, %d wake-ups%s"
              % (rss / 1024.0, hwm / 1024.0, use[0], use[1], "" if waiting else " [never waited]"))
    finally:
        REPLY[0] = "stream"
        stop_engines()


def sec_markdown(url):
    # Done-when 5 of issue 11: the time per frame while a long Markdown answer streams.
    REPLY[0] = "markdown"
    text = md_answer()
    try:
        p = Pty(["--grant", WORK, "--mode", "auto", "markdown please"], env_for(url), frames=True)
        ok = p.wait_for(b"END-OF-MARKDOWN", timeout=120)
        done = time.monotonic()
        time.sleep(0.3)
        frames = list(p.frames)
        p.close()
    finally:
        REPLY[0] = "stream"
        stop_engines()
    if len(MD_SENT) < 2 or not frames:
        print("markdown: not measured (%s)" % ("no frame bracketed: no synchronized output"
                                               if not frames else "nothing streamed"))
        return
    t0, t1 = MD_SENT
    during = [i for i, (t, _) in enumerate(frames) if t0 <= t <= t1 + 0.05]
    cpu = [(frames[i][1] - frames[i - 1][1]) / 1e6 for i in during if i > 0]
    gaps = [(frames[i][0] - frames[i - 1][0]) * 1000 for i in during if i > 0]
    print("markdown: a %d-line answer (%d KiB: tables, lists, code) streamed in %d-byte deltas "
          "over %.1f s%s:" % (MD_LINES, len(text) // 1024, MD_DELTA, t1 - t0,
                              "" if ok else " [its end never shown]"))
    if not cpu:
        print("    fewer than two frames while it streamed")
        return
    print("    %d frames while it streamed; workbench CPU per frame: median %.2f ms, p99 %.2f ms, "
          "max %.2f ms" % (len(cpu), pct(cpu, 50), pct(cpu, 99), max(cpu)))
    print("    interval between frames: median %.1f ms, p99 %.1f ms (floor: the 33 ms frame "
          "throttle); its end on screen %.0f ms after the last delta"
          % (pct(gaps, 50), pct(gaps, 99), (done - t1) * 1000))


def main():
    os.makedirs(WORK, exist_ok=True)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d" % srv.server_address[1]
    run = {"frame": sec_frame, "stream": lambda: sec_stream(url), "resume": sec_resume,
           "attach": sec_attach, "socket": lambda: sec_socket(url),
           "engine-rss": lambda: sec_engine_rss(url), "markdown": lambda: sec_markdown(url)}
    try:
        for name in SECTIONS:
            try:
                run[name]()
            except Exception as e:  # a figure missing never fails the bench
                print("%s: not measured (%s: %s)" % (name, type(e).__name__, e))
            sys.stdout.flush()
    finally:
        stop_engines()
        srv.shutdown()


main()
