#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make bench, issue 15 item 5: a 300-turn session against the fake server.

  long_session.py DESKHAND TMPDIR [TURNS]

The session of tests/slow/context_long_300.sh (tests/fake/long_session.py:
each turn reads a 10 kB part; a 200,000-token window the fake counts at 3
bytes a token; compaction at the default compact_at, 0.8). In buckets of 50
turns: the request body's size, and deskhand's own time per turn, from the
last byte of one answer to the request line of the next (the fake's --timing
log), less the fake's own time on the compaction requests in between: tool
calls, checkpoints, compaction, building and sending the request. Median,
min and max of each, to show that neither grows with the transcript; and the
peak RSS of the whole session against that of a 50-turn one. Prints figures,
never fails on them.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from launch import Fake, root  # noqa: E402  (the fake and its --timing records)

BUCKET = 50
WINDOW, PART, BPT = 200000, 10000, 3
TASK = "summarise the parts into notes please"


def session(deskhand, tmp, turns):
    """One run of the long session of `turns` turns. Returns (status, peak RSS
    KiB, [(is_compaction, body bytes, fake tokens, timing record)])."""
    work = os.path.join(tmp, "work-%d" % turns)
    shutil.rmtree(work, ignore_errors=True)
    out = subprocess.run([sys.executable, os.path.join(root, "tests", "fake", "long_session.py"),
                          "script", work, str(turns), str(WINDOW), str(PART), str(BPT)],
                         capture_output=True, text=True, check=True).stdout
    d = os.path.join(tmp, "fake-%d" % turns)
    os.makedirs(d, exist_ok=True)
    fake = Fake(d, json.loads(out))
    try:
        _, rss, rc, recs = fake.run(deskhand, work, TASK)
    finally:
        fake.stop()
    by_n = {r["n"]: r for r in recs}
    reqs = []
    with open(os.path.join(d, "fake.log")) as f:
        for line in f:
            r = json.loads(line)
            body = r["body"]
            comp = "You summarise" in json.dumps(body.get("system", ""))
            reqs.append((comp, len(json.dumps(body, ensure_ascii=False).encode()), r["tokens"],
                         by_n.get(r["n"])))
    return rc, rss, reqs


def per_turn(reqs):
    """[(body bytes, deskhand's ms before the request)] of each model request
    after the first (compaction requests are not turns)."""
    out, fake_ms, prev = [], 0.0, None
    for comp, size, _, t in reqs:
        if comp:
            if t:
                fake_ms += (t["end"] - t["request"]) * 1000
            continue
        if prev and t:
            out.append((size, (t["request"] - prev["end"]) * 1000 - fake_ms))
        prev, fake_ms = t, 0.0
    return out


def mmm(vals, fmt="%.1f"):
    """median min max, in a column each."""
    return " ".join("%8s" % (fmt % v) for v in (statistics.median(vals), min(vals), max(vals)))


def main():
    deskhand, tmp = sys.argv[1], sys.argv[2]
    turns = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    os.makedirs(tmp, exist_ok=True)
    conf = os.path.join(tmp, "config")
    with open(conf, "w") as f:
        f.write("set max_turns = %d\n" % (turns + 10))
    os.environ["DH_CONFIG"] = conf
    rc, rss, reqs = session(deskhand, tmp, turns)
    rows = per_turn(reqs)
    ncomp = sum(1 for r in reqs if r[0])
    print("%d turns: exit %d, %d requests of which %d compactions; the largest %d tokens "
          "(the fake's count) of a %d-token window" %
          (turns, rc, len(reqs), ncomp, max(r[2] for r in reqs), WINDOW))
    if not rows:
        print("  no timing records: the session failed")
        return 1
    print("  %-10s %-28s %-28s" % ("turns", "request body kB", "deskhand ms per turn"))
    print("  %-10s %-28s %-28s" % ("", "  median      min      max", "  median      min      max"))
    # buckets of BUCKET turns from the second (the first has no time before
    # it); a remainder of less than half a bucket (the final answer) joins
    # the last one
    cuts = list(range(0, len(rows), BUCKET)) + [len(rows)]
    if len(cuts) > 2 and cuts[-1] - cuts[-2] < BUCKET // 2:
        del cuts[-2]
    firsts = lasts = None
    for a, b in zip(cuts, cuts[1:]):
        kb = [p[0] / 1000 for p in rows[a:b]]
        ms = [p[1] for p in rows[a:b]]
        lasts = (max(kb), statistics.median(ms))
        firsts = firsts or lasts
        print("  %3d-%-6d %s    %s" % (a + 2, b + 1, mmm(kb, "%.0f"), mmm(ms)))
    print("  %-10s %s    %s" % ("all", mmm([p[0] / 1000 for p in rows], "%.0f"),
                               mmm([p[1] for p in rows])))
    if len(cuts) > 2 and firsts[0] and firsts[1]:
        print("  the last bucket against the first: largest body x%.2f, median time x%.2f "
              "(flat: near 1, not growing with the turns)" %
              (lasts[0] / firsts[0], lasts[1] / firsts[1]))
    rc50, rss50, _ = session(deskhand, tmp, BUCKET)
    print("peak RSS: %d turns %.1f MiB; reference, %d turns of the same session %.1f MiB (exit %d)"
          % (turns, rss / 1024, BUCKET, rss50 / 1024, rc50))
    return 0


if __name__ == "__main__":
    sys.exit(main())
