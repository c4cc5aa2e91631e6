#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What a state directory with many earlier sessions costs a launch: the
launch of `deskhand run` to its first model request (as launch.py's (2),
the folder used before), in a home with no session and in one with N
sessions (directories with a meta.json, as session_create() makes them,
ids over the last days), the two alternating run by run so that both see
the same load. Prints each median (min-max) and the median of the
per-round differences. With "resume", each run continues the latest
session (`deskhand run --resume latest`), which it has to find first.

  launch_sessions.py DESKHAND TMPDIR [RUNS [N [resume]]]   (RUNS 20, N 5000)
"""
import json
import os
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import launch  # noqa: E402


def populate(state, n):
    """N sessions under STATE/sessions, one every 37 s back from an hour ago."""
    d = os.path.join(state, "deskhand", "sessions")
    os.makedirs(d, mode=0o700, exist_ok=True)
    t = int(time.time()) - 3600
    for i in range(n):
        s = t - 37 * i
        sid = time.strftime("%Y%m%d-%H%M%S", time.gmtime(s)) + "-%04x" % (i & 0xffff)
        os.makedirs(os.path.join(d, sid), mode=0o700)
        with open(os.path.join(d, sid, "meta.json"), "w") as f:
            json.dump({"id": sid, "status": "done", "created": s,
                       "started_ns": str(s * 10**9)}, f)
        open(os.path.join(d, sid, "transcript.jsonl"), "w").close()


def main():
    deskhand, tmp = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 5000
    resume = len(sys.argv) > 5 and sys.argv[5] == "resume"
    os.makedirs(tmp, exist_ok=True)
    fake = launch.Fake(tmp, {"turns": [{"text": "Hello.", "stop_reason": "end_turn"}]})
    empty = dict(fake.home)
    full_home = os.path.join(tmp, "full")
    shutil.rmtree(full_home, ignore_errors=True)
    full = {k: v.replace(empty["HOME"], full_home, 1) for k, v in empty.items()}
    for d in full.values():
        os.makedirs(d, mode=0o700, exist_ok=True)
    populate(full["XDG_STATE_HOME"], n)
    work = launch.fresh(tmp, "warm")
    times = {"empty": [], "full": []}
    above = []
    bad = 0
    for home in (empty, full):  # the shadow repository, in each home
        fake.home = home
        fake.run(deskhand, work)
    for i in range(runs):
        got = {}
        for name in (("empty", "full") if i % 2 == 0 else ("full", "empty")):
            fake.home = empty if name == "empty" else full
            if resume:
                t0, _, rc, recs = fake.run_cmd([deskhand, "run", "--resume", "latest",
                                                "--json", "bench"])
            else:
                t0, _, rc, recs = fake.run(deskhand, work)
            if rc != 0 or not recs:
                bad += 1
                continue
            got[name] = (recs[0]["request"] - t0) * 1000
            times[name].append(got[name])
        if len(got) == 2:
            above.append(got["full"] - got["empty"])
    fake.stop()
    print("launch to the first request, folder used before%s:" %
          (", --resume latest" if resume else ""))
    print("  no earlier session:     " + launch.fig(times["empty"]))
    print("  %d earlier sessions: " % n + launch.fig(times["full"]))
    if above:
        print("  difference per round:   %.2f ms (median of %d)" %
              (statistics.median(above), len(above)))
    if bad:
        print("  %d runs failed" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
