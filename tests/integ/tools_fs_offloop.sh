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
DH_TESTS=$DH_TESTS python3 - "$DESKHAND" "$G" "$NL" "$NR" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the loop waited for list_files or read_file"; }
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
from status_probe import probe, latency
deskhand, grant, nl, nr = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
results = {"list_files": [], "read_file": []}
running = [None]  # the tool whose calls run: the last one started

def track(ev):
    if ev["type"] == "tool_call" and ev.get("name") in results:
        running[0] = ev["name"]
    elif ev["type"] == "tool_result" and running[0]:
        results[running[0]].append(ev)
    return running[0]

rc, fin, lat, took = probe([deskhand, "run", "--grant", grant, "--json", "--commands",
                            "--approve-plan", "--mode", "auto", "task"], track,
                           interval=0.1, timeout=180)
for tool in results:
    lat.setdefault(tool, [])
print("%.1f s in all" % took)
for tool, l in lat.items():
    print("%s: %d calls; %d status replies while they ran; latency ms: %s"
          % (tool, len(results[tool]), len(l), latency(l)))
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
