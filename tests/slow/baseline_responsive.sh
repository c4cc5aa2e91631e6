# Issue 3, done-when 4: while the baseline of a 100,000-file folder is being
# taken (on the worker thread), the event loop still answers: status
# commands sent during the baseline get their status replies promptly.
. "$DH_TESTS/lib.sh"
G=$T/big
python3 - "$G" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(1000):
    p = os.path.join(root, "d%03d" % (d // 100), "s%03d" % d)
    os.makedirs(p)
    for i in range(100):
        with open(os.path.join(p, "f%03d.txt" % i), "w") as f:
            f.write("file %d %d\n" % (d, i) * (1 + i % 5))
PY
echo "generated $(find "$G" -type f | wc -l) files"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "done", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
python3 - "$DESKHAND" "$G" <<'PY' || fail "the loop did not answer during the baseline"
import json, os, select, subprocess, sys, time
deskhand, grant = sys.argv[1], sys.argv[2]
p = subprocess.Popen([deskhand, "run", "--grant", grant, "--json", "--commands", "--approve-plan",
                      "look"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
buf, sent, lat, during, baseline = b"", [], [], 0, None
t0 = time.monotonic()
next_send = t0
while True:
    now = time.monotonic()
    if baseline is None and now >= next_send:
        p.stdin.write(b'{"type":"status"}\n')
        sent.append(now)
        next_send = now + 0.25
    r, _, _ = select.select([p.stdout], [], [], 0.05)
    if r:
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            ev = json.loads(line)
            if ev["type"] == "status":
                lat.append(time.monotonic() - sent[len(lat)])
                if ev["phase"] == "checkpoint" and ev["pending_jobs"] >= 1 and baseline is None:
                    during += 1
            elif ev["type"] == "checkpoint" and baseline is None:
                baseline = ev
                p.stdin.close()
            elif ev["type"] == "session_finished":
                pass
    if time.monotonic() - t0 > 280:
        p.kill()
        sys.exit("timed out")
rc = p.wait()
ms = sorted(int(x * 1000) for x in lat)
print("baseline: %d files, %d ms (mode %s); %d status replies during it; latency ms: "
      "min %d, median %d, p90 %d, max %d" % (
    baseline["files_changed"], baseline["duration_ms"], baseline["mode"], during, ms[0],
    ms[len(ms) // 2], ms[len(ms) * 9 // 10], ms[-1]))
assert rc == 0, "deskhand exited %d" % rc
assert baseline["files_changed"] == 100000, baseline
assert during >= 3, "only %d replies came during the baseline" % during
assert max(ms) < 1000, "a status reply took %d ms" % max(ms)
assert baseline["duration_ms"] > max(ms), "the baseline was faster than the slowest reply"
PY
echo ok
