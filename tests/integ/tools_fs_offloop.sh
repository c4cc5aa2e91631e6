# list_files walks up to 200000 entries and read_file reads a text file
# whole to reach a far offset; both run on the worker, not on the event
# loop: while a turn's list_files calls walk a big folder, and then while
# read_file calls look past the end of a 1 GiB log, status commands sent
# meanwhile are answered at once, and every call still gets its listing or
# its "past the end" answer.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/big"
# Left out of the checkpoints, so the baseline stays small.
printf 'big/\n' > "$G/.deskhandignore"
python3 - "$G/big" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(200):
    os.mkdir("%s/d%03d" % (root, d))
    for f in range(200):
        open("%s/d%03d/f%03d" % (root, d, f), "w").close()
PY
seq -f "log line %g" 1 2000 > "$G/big/app.log" # more than the 8 KiB sniffed for NULs
truncate -s 1G "$G/big/app.log" # one long last line, sparse
NL=30; NR=4
python3 - "$NL" "$NR" > "$T/script.json" <<'PY'
import json, sys
nl, nr = int(sys.argv[1]), int(sys.argv[2])
print(json.dumps({"turns": [
    {"tool_calls": [{"name": "list_files", "input": {"path": "big"}}] * nl},
    {"tool_calls": [{"name": "read_file", "input": {"path": "big/app.log", "offset": 100000}}] * nr},
    {"text": "Done.", "stop_reason": "end_turn"}]}))
PY
start_fake "$T/script.json"
python3 - "$DESKHAND" "$G" "$NL" "$NR" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the loop waited for list_files or read_file"; }
import json, os, select, subprocess, sys, time
deskhand, grant, nl, nr = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
p = subprocess.Popen([deskhand, "run", "--grant", grant, "--json", "--commands", "--approve-plan",
                      "--mode", "auto", "task"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     bufsize=0)
buf, sent, fin = b"", [], None
lat = {"list_files": [], "read_file": []}
results = {"list_files": [], "read_file": []}
running = None # the tool whose calls run: the last one started
t0 = next_send = time.monotonic()
while True:
    now = time.monotonic()
    if fin is None and now >= next_send:
        p.stdin.write(b'{"type":"status"}\n')
        sent.append((now, running))
        next_send = now + 0.1
    r, _, _ = select.select([p.stdout], [], [], 0.02)
    if r:
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            ev = json.loads(line)
            if ev["type"] == "status":
                at, tool = sent.pop(0)
                if tool:
                    lat[tool].append(time.monotonic() - at)
            elif ev["type"] == "tool_call" and ev.get("name") in results:
                running = ev["name"]
            elif ev["type"] == "tool_result" and running:
                results[running].append(ev)
            elif ev["type"] == "session_finished" and fin is None:
                fin = ev
                p.stdin.close()
    if time.monotonic() - t0 > 180:
        p.kill()
        sys.exit("timed out")
rc = p.wait()
print("%.1f s in all" % (time.monotonic() - t0))
for tool, l in lat.items():
    ms = sorted(int(x * 1000) for x in l) or [0]
    print("%s: %d calls; %d status replies while they ran; latency ms: median %d, max %d"
          % (tool, len(results[tool]), len(l), ms[len(ms) // 2], ms[-1]))
assert rc == 0, "deskhand exited %d" % rc
assert fin and fin["status"] == "done", fin
assert len(results["list_files"]) == nl and len(results["read_file"]) == nr, results
for ev in results["list_files"]:
    assert not ev["is_error"], ev["output"][:300]
    assert "big/d000/f000\n" in ev["output"], ev["output"][:300]
    assert "… 39201 more entries (narrow the path or pattern)" in ev["output"], ev["output"][-300:]
for ev in results["read_file"]:
    assert not ev["is_error"], ev["output"][:300]
    assert "(big/app.log has 2000 lines; offset 100000 is past the end)" in ev["output"], \
        ev["output"][:300]
for tool, l in lat.items():
    assert l, "no status reply came while the %s calls ran" % tool
    assert max(l) < 1.0, "a status reply took %d ms while %s ran" % (max(l) * 1000, tool)
PY
cat "$T/py.out" >&2
echo ok
