# In the sandbox, before each command deskhand notes which protected paths
# are missing (the grants' list, the git directory entries of the nested
# repositories and of the submodules below .git/modules), and after it
# looks again to take back what the command created there. Those looks run
# on the worker, not on the event loop: while a turn's commands run over a
# folder whose .git/modules holds a great many entries, status commands
# sent meanwhile are answered at once, and a .bashrc a command creates is
# still taken back. Before, the loop read .git/modules itself before every
# command: the status replies waited for it.
. "$DH_TESTS/lib.sh"
bwrap_or_skip
G=$T/work; mkdir -p "$G/.git/modules/lib"
printf '[core]\n' > "$G/.git/config"
NE=150000; NC=4
# a part of a submodule's name ("lib/..."): every entry in it is looked at
python3 - "$G/.git/modules/lib" "$NE" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    if i % 60000 == 0: # ext4 has at most 65000 links to a file
        src = "%s/f%d" % (d, i)
        open(src, "w").close()
    else:
        os.link(src, "%s/f%d" % (d, i))
PY
python3 - "$NC" > "$T/script.json" <<'PY'
import json, sys
nc = int(sys.argv[1])
calls = [{"name": "run_command", "input": {"command": "echo run %d" % i}} for i in range(nc)]
calls.append({"name": "run_command", "input": {"command": "echo 'echo pwned' > .bashrc"}})
print(json.dumps({"turns": [
    {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
    {"tool_calls": calls},
    {"text": "Done.", "stop_reason": "end_turn"}]}))
PY
start_fake "$T/script.json"
DH_TESTS=$DH_TESTS python3 - "$DESKHAND" "$G" "$NC" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the loop waited for the protected-path checks"; }
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
                            "--approve-plan", "--mode", "auto", "task"], track)
lat = lat.get("commands", [])
print("%.1f s in all; %d commands; %d status replies while they ran; latency ms: %s"
      % (took, len(results), len(lat), latency(lat)))
assert rc == 0, "deskhand exited %d" % rc
assert fin and fin["status"] == "done", fin
assert len(results) == nc + 1, results
for i, ev in enumerate(results[:nc]):
    assert not ev["is_error"], ev["output"][:300]
    assert ev["output"].startswith("run %d\n" % i), ev["output"][:300]
    assert "protected path" not in ev["output"], ev["output"][:600]
assert "this command created %s/.bashrc, a protected path" % grant in results[-1]["output"], \
    results[-1]["output"][:600]
assert lat, "no status reply came while the commands ran"
assert max(lat) < 0.3, "a status reply took %d ms while the commands ran" % (max(lat) * 1000)
PY
cat "$T/py.out" >&2
[ ! -e "$G/.bashrc" ] || fail ".bashrc left in place: $(cat "$G/.bashrc")"
echo ok
