# Without the sandbox (--dangerously-run-commands-unsandboxed) a copy of
# each protected file (up to 1 MiB each: .bashrc, .git/config, every git
# hook, ...) is kept before every command, and compared after it, to put
# back what the command changed. That reading runs on the worker, not on
# the event loop: while a turn's commands run over a folder with many big
# hooks, status commands sent meanwhile are answered at once, and a hook a
# command rewrote is still put back. Before, the loop read and compared
# every copy itself: the status replies waited for it.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.git/hooks"
printf '[core]\n' > "$G/.git/config"
NH=400; NC=4
# 1 MB each, sparse: no disk space, and still a megabyte to read
python3 - "$G/.git/hooks" "$NH" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    p = "%s/hook%03d" % (d, i)
    with open(p, "wb") as f:
        f.write(b"#!/bin/sh\n")
        f.truncate(1000000)
    os.chmod(p, 0o755)
PY
python3 - "$NC" > "$T/script.json" <<'PY'
import json, sys
nc = int(sys.argv[1])
calls = [{"name": "run_command", "input": {"command": "echo run %d" % i}} for i in range(nc)]
calls.append({"name": "run_command", "input": {"command": "echo evil >> .git/hooks/hook007"}})
print(json.dumps({"turns": [
    {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
    {"tool_calls": calls},
    {"text": "Done.", "stop_reason": "end_turn"}]}))
PY
start_fake "$T/script.json"
DH_TESTS=$DH_TESTS python3 - "$DESKHAND" "$G" "$NC" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the loop waited for the copies of the protected files"; }
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
from status_probe import probe, latency
deskhand, grant, nc = sys.argv[1], sys.argv[2], int(sys.argv[3])
results, running = [], [None]  # "commands": from the first call to the last result

def track(ev):
    if ev["type"] == "tool_call" and ev.get("name") == "run_command":
        running[0] = "commands"
    elif ev["type"] == "tool_result" and ev.get("name") == "run_command":
        results.append(ev)
        running[0] = "commands" if len(results) < nc + 1 else None
    return running[0]

rc, fin, lat, took = probe([deskhand, "run", "--grant", grant, "--json", "--commands",
                            "--approve-plan", "--mode", "auto", "--dangerously-run-commands-unsandboxed", "task"], track)
lat = lat.get("commands", [])
print("%.1f s in all; %d commands; %d status replies while they ran; latency ms: %s"
      % (took, len(results), len(lat), latency(lat)))
assert rc == 0, "deskhand exited %d" % rc
assert fin and fin["status"] == "done", fin
assert len(results) == nc + 1, results
for ev in results[:nc]:
    assert not ev["is_error"], ev["output"][:300]
    assert "a git hook" not in ev["output"], ev["output"][:600]
assert "this command changed %s/.git/hooks/hook007, a git hook" % grant in results[-1]["output"], \
    results[-1]["output"][:600]
assert lat, "no status reply came while the commands ran"
assert max(lat) < 0.3, "a status reply took %d ms while the commands ran" % (max(lat) * 1000)
PY
cat "$T/py.out" >&2
# the rewritten hook is as it was, the command's version aside
cmp -s "$G/.git/hooks/hook007" "$G/.git/hooks/hook006" || fail "hook007 was not put back"
assert_contains "$(cat "$G/.git/hooks/hook007.removed-by-deskhand-1")" "evil"
echo ok
