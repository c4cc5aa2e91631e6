#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make bench, issue 17 items 2-4: each figure a median (min-max) over RUNS
runs, beside its reference measured in the same run.

  launch.py DESKHAND TMPDIR [RUNS]

  (2) launch to the first model request: from just before the spawn of
      `deskhand run` to the fake server reading the request line of the
      first request (the server's --timing log), with the shadow repository
      of the folder already there (warm: a folder used before) and without
      it (cold: a new folder each run). References: the spawn and exit of
      `true`, and the server's own time from accepting the connection to
      its first response byte. Floor: bench-curl-client (beside DESKHAND),
      a bare libcurl client making the same first request, its runs
      alternating with the warm ones; and the warm launch above it, as the
      median of the per-round differences.
  (3) a 100-turn scripted session (gen_session.py 100: writes, edits,
      sandboxed commands, searches): the time per turn beyond the fake
      server's own, i.e. from the last byte of one response to the request
      line of the next, as a mean per 25-turn bucket (flat: the buckets
      agree), and by the kind of tool call the turn made.
      Beside it, the floor under the run_command turns: their command run by
      a bare bwrap, with no policy, no helper and no engine, and the mean per
      turn with that floor taken out of the run_command turns.
  (4) the peak RSS of that session against a one-turn session's, each
      deskhand's own (measured through GNU time, see TIME), and the bare
      libcurl client's.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)


# The peak RSS of a child as wait4() reports it is at least this script's own:
# Linux carries the high-water mark of the memory a process replaces at
# exec() into the new program's, and a child of python3 starts as a copy of
# python3 (~14 MiB, more than a one-turn session of deskhand). GNU time forks
# deskhand from its own small process and reports that child's peak (%M, KiB).
# Only the runs whose peak is reported go through it (time's fork and exec
# would count in the launch figure).
TIME = "/usr/bin/time"


def fig(vals, unit="ms", fmt="%.1f"):
    """median (min-max) over len(vals) runs."""
    return ("%s %s (min %s, max %s, %d runs)" %
            (fmt % statistics.median(vals), unit, fmt % min(vals), fmt % max(vals), len(vals)))


class Fake:
    def __init__(self, tmp, script):
        self.tmp = tmp
        self.timing = os.path.join(tmp, "timing.jsonl")
        port = os.path.join(tmp, "port")
        for p in (port, self.timing):
            if os.path.exists(p):
                os.unlink(p)
        with open(os.path.join(tmp, "script.json"), "w") as f:
            json.dump(script, f)
        self.p = subprocess.Popen(
            [sys.executable, os.path.join(root, "tests", "fake", "anthropic_server.py"),
             "--script", os.path.join(tmp, "script.json"), "--log", os.path.join(tmp, "fake.log"),
             "--port-file", port, "--cursor-per-key", "--timing", self.timing,
             "--max-seconds", "1800"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(1000):
            if os.path.exists(port) and os.path.getsize(port) > 0:
                break
            time.sleep(0.01)
        with open(port) as f:
            self.url = "http://127.0.0.1:%s" % f.read().strip()
        self.key = 0
        # A home of the bench's own, made afresh: the sessions, shadow
        # repositories and config of the person running it are not read (a
        # state directory with thousands of earlier sessions costs a launch
        # 1-2 ms to look through), and nothing of the bench is left there.
        h = os.path.join(tmp, "home")
        shutil.rmtree(h, ignore_errors=True)
        self.home = {"HOME": h, "XDG_CONFIG_HOME": os.path.join(h, ".config"),
                     "XDG_STATE_HOME": os.path.join(h, ".local", "state"),
                     "XDG_RUNTIME_DIR": os.path.join(h, "run")}
        for d in self.home.values():
            os.makedirs(d, mode=0o700, exist_ok=True)

    def records(self):
        if not os.path.exists(self.timing):
            return []
        with open(self.timing) as f:
            return [json.loads(line) for line in f if line.strip()]

    def run(self, deskhand, work, task="bench", rss=False):
        """One `deskhand run` (a new API key: the script from its start).
        Returns (t0, peak RSS KiB, exit status, the timing records it made).
        The peak RSS is deskhand's own only with rss=True (see TIME)."""
        return self.run_cmd([deskhand, "run", "--grant", work, "--approve-plan", "--mode", "auto",
                             "--json", task], rss)

    def run_cmd(self, cmd, rss=False):
        """run() for any client that reads ANTHROPIC_BASE_URL/_API_KEY."""
        self.key += 1
        seen = len(self.records())
        env = dict(os.environ, ANTHROPIC_BASE_URL=self.url, ANTHROPIC_API_KEY="bench-%d" % self.key,
                   **self.home)
        out = os.path.join(self.tmp, "maxrss")
        if rss:
            cmd = [TIME, "-f", "%M", "-o", out] + cmd
        t0 = time.time()
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        peak = ru.ru_maxrss
        if rss:
            with open(out) as f:  # "Command exited with non-zero status N" first, if so
                peak = int(f.read().split()[-1])
        # the server writes a request's record after its last byte: the
        # client may exit first
        for _ in range(200):
            recs = self.records()[seen:]
            if recs and all(r.get("end") for r in recs):
                break
            time.sleep(0.005)
        recs = sorted(self.records()[seen:], key=lambda r: r["n"])
        return t0, peak, p.returncode, recs

    def stop(self):
        self.p.kill()
        self.p.wait()


def alternate(fake, deskhand, work, client, runs):
    """The launch of `deskhand run` on `work`, alternating with the floor:
    the least a client on Debian's libcurl does before its first request
    (load libcurl, curl_global_init, one POST; bench/curl_client.c), the
    order swapped each round, so that both see the same load; each round's
    difference is what deskhand adds above the floor. Returns the launches,
    the server's accept-to-first-byte times, the floor's, the differences
    (ms) and the number of failed runs."""
    has_client = os.access(client, os.X_OK)
    launch, accept, floor, above, bad = [], [], [], [], 0
    for i in range(runs):
        w = f = None
        for who in (("deskhand", "client") if i % 2 == 0 else ("client", "deskhand")):
            if who == "client":
                if has_client:
                    t0, rss, rc, recs = fake.run_cmd([client])
                    if rc == 0 and recs:
                        f = (recs[0]["request"] - t0) * 1000
                        floor.append(f)
                continue
            t0, rss, rc, recs = fake.run(deskhand, work)
            if rc != 0 or not recs:
                bad += 1
                continue
            w = (recs[0]["request"] - t0) * 1000
            launch.append(w)
            accept.append((recs[0]["first_byte"] - recs[0]["accept"]) * 1000)
        if w is not None and f is not None:
            above.append(w - f)
    return launch, accept, floor, above, bad


def fresh(tmp, name):
    d = os.path.join(tmp, name)
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(os.path.join(root, "contrib", "demo", "folder"), d)
    return d


def main():
    deskhand, tmp = sys.argv[1], sys.argv[2]
    if not os.access(TIME, os.X_OK):
        print("launch.py: %s (Debian package time) is needed to measure the peak RSS" % TIME,
              file=sys.stderr)
        return 2
    runs = max(20, int(sys.argv[3]) if len(sys.argv) > 3 else 20)
    os.makedirs(tmp, exist_ok=True)

    # ---- (2) launch to the first request, and a one-turn session's RSS
    fake = Fake(tmp, {"turns": [{"text": "Hello.", "stop_reason": "end_turn"}]})
    warm_dir = fresh(tmp, "warm")
    fake.run(deskhand, warm_dir)  # makes its shadow repository
    # Above the floor (alternate()).
    client = os.path.join(os.path.dirname(os.path.abspath(deskhand)), "bench-curl-client")
    warm, accept, floor, above, bad = alternate(fake, deskhand, warm_dir, client, runs)
    # Through a warm engine (deskhand warm): each run is forked from a
    # process that has loaded libcurl and libgit2 already. Its runs
    # alternate with the floor's in the same way.
    env = dict(os.environ, **fake.home)
    through, through_above = [], []
    if subprocess.run([deskhand, "warm"], env=env, capture_output=True).returncode == 0:
        through, _, _, through_above, b = alternate(fake, deskhand, warm_dir, client, runs)
        bad += b
        subprocess.run([deskhand, "warm", "--stop"], env=env, capture_output=True)
    cold, rss1, floor_rss = [], [], []
    for i in range(runs):
        t0, rss, rc, recs = fake.run(deskhand, warm_dir, rss=True)
        if rc == 0 and recs:
            rss1.append(rss)
    has_client = os.access(client, os.X_OK)
    for i in range(runs):
        t0, rss, rc, recs = fake.run(deskhand, fresh(tmp, "cold"))
        if rc != 0 or not recs:
            bad += 1
            continue
        cold.append((recs[0]["request"] - t0) * 1000)
    # The floor's peak RSS.
    if has_client:
        for i in range(runs):
            t0, rss, rc, recs = fake.run_cmd([client], rss=True)
            if rc == 0 and recs:
                floor_rss.append(rss)
    fake.stop()
    true = []
    for i in range(runs):
        t0 = time.time()
        subprocess.run(["true"])
        true.append((time.time() - t0) * 1000)
    print("launch to the first model request (target <= 15 ms):")
    print("  folder used before (its shadow repository there): " + fig(warm))
    print("  a new folder (its shadow repository made first):  " + fig(cold))
    print("  reference, spawn and exit of `true`:              " + fig(true))
    print("  reference, the fake server's accept to first byte: " + fig(accept))
    if floor:
        print("  floor, a bare libcurl client's first request:     " + fig(floor))
        print("    (bench-curl-client: load libcurl, curl_global_init, one POST; nothing else)")
    if above:
        print("  the folder used before, above the floor, per round: " + fig(above))
    if through:
        print("  through a warm engine (deskhand warm), folder used before: " + fig(through))
    if through_above:
        print("    above the floor, per round: " + fig(through_above))
    if bad:
        print("  (%d runs failed and are not counted)" % bad)

    # ---- (3), (4) a 100-turn session
    sys.path.insert(0, here)
    script = json.loads(subprocess.run([sys.executable, os.path.join(here, "gen_session.py"), "100"],
                                       capture_output=True, text=True, check=True).stdout)
    kinds = []
    for t in script["turns"]:
        names = [c["name"] for c in t.get("tool_calls", [])]
        kinds.append("+".join(names) if names else "end_turn")
    fake = Fake(tmp, script)
    buckets = [[] for _ in range(4)]
    whole, server, by_kind, rss100, bad = [], [], {}, [], 0
    for i in range(runs):
        t0, rss, rc, recs = fake.run(deskhand, fresh(tmp, "long"), rss=True)
        if rc != 0 or len(recs) != len(script["turns"]):
            bad += 1
            continue
        gaps = [(recs[k + 1]["request"] - recs[k]["end"]) * 1000 for k in range(len(recs) - 1)]
        for b in range(4):
            part = gaps[b * 25:(b + 1) * 25]
            buckets[b].append(statistics.mean(part))
        whole.append(statistics.mean(gaps))
        server.append(statistics.mean((r["end"] - r["request"]) * 1000 for r in recs))
        per = {}
        for k, g in enumerate(gaps):
            per.setdefault(kinds[k], []).append(g)
        for k, v in per.items():
            by_kind.setdefault(k, []).append(statistics.mean(v))
        rss100.append(rss)
    fake.stop()
    if not whole:
        print("100-turn session: every run failed")
        return 1
    print("100-turn session, time per turn beyond the fake server's own (target <= 10 ms, flat):")
    for b in range(4):
        print("  turns %3d-%3d: %s" % (b * 25 + 1, min((b + 1) * 25, 99), fig(buckets[b])))
    print("  all turns:     " + fig(whole))
    print("  reference, the fake server's own time per turn: " + fig(server))
    print("  by the turn's tool calls:")
    for k in sorted(by_kind):
        print("    %-28s %s" % (k, fig(by_kind[k])))
    # The floor under the run_command turns: their command run by a bare
    # bwrap (no policy, no helper, no engine) in a copy of the folder, so the
    # per-kind figure above can be read against what the command itself costs.
    cmds = sorted({c["input"]["command"] for t in script["turns"]
                   for c in t.get("tool_calls", []) if c["name"] == "run_command"})
    bwrap = shutil.which("bwrap")
    if cmds and bwrap:
        d = fresh(tmp, "floor")
        cmd_floor = []
        for i in range(runs):
            t0 = time.time()
            r = subprocess.run([bwrap, "--ro-bind", "/", "/", "--bind", d, d, "--chdir", d,
                                "--unshare-all", "/bin/sh", "-c", cmds[0]],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if r.returncode == 0:
                cmd_floor.append((time.time() - t0) * 1000)
        if cmd_floor:
            print("  reference, a run_command turn's command under a bare bwrap:")
            print("    %-28s %s" % ("(no policy, no helper)", fig(cmd_floor)))
            # The same mean per turn with each run_command turn's command
            # counted at its bare-bwrap floor: what deskhand adds on top of
            # the server and of the command itself.
            share = sum(1 for k in kinds[:-1] if "run_command" in k) / max(1, len(kinds) - 1)
            beyond = [w - share * statistics.median(cmd_floor) for w in whole]
            print("  all turns, beyond the server and the command's own floor: " + fig(beyond))
    print("peak RSS (target <= 15 MB):")
    print("  the 100-turn session:            " + fig([r / 1024 for r in rss100], "MiB"))
    print("  reference, a one-turn session:   " + fig([r / 1024 for r in rss1], "MiB"))
    if floor_rss:
        print("  floor, a bare libcurl client:    " + fig([r / 1024 for r in floor_rss], "MiB"))
    if bad:
        print("  (%d runs failed and are not counted)" % bad)
    return 0


if __name__ == "__main__":
    sys.exit(main())
