# An approve or deny with no "call" and no "id" (the pending call, in the
# older form) that cannot be applied says so to its sender: an error event
# naming what is missing, before any task and once it finished, as with an
# id; a steer or compact with no task says so too. A pending call is still
# answered by a bare approve. Before, without an id, nothing came back.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write b"}]}}]},
           {"tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "B\n"}}]},
           {"text": "Done.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
engine_spawn --grant "$G"
DH_TESTS=$DH_TESTS python3 - "$ENGINE_ID" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "a command that could not be applied was not answered"; }
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name = sys.argv[1]
if name == "-":
    name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")
n = 0

def said(cmd):
    """What the engine sent back to cmd, up to the answer to a status behind it."""
    global n
    n += 1
    sc.send(s, cmd)
    sc.send(s, {"type": "status", "id": "st%d" % n})
    return r.until(lambda ev: ev.get("re") == "st%d" % n, 30)[:-1]

def refused(cmd, want):
    got = [ev for ev in said(cmd) if ev["type"] == "error"]
    assert len(got) == 1, "%s: %s" % (cmd, got)
    assert got[0]["message"] == want, "%s: %s" % (cmd, got[0])
    assert "re" not in got[0] or got[0]["re"] is None, got[0]

refused({"type": "approve"}, "nothing to approve: no task has been started")
refused({"type": "deny", "message": "no"}, "nothing to deny: no task has been started")
refused({"type": "approve", "call": "toolu_x"}, "nothing to approve: no task has been started")
refused({"type": "steer", "text": "hi"}, "no task has been started")
refused({"type": "compact"}, "no task has been started")
# an interrupt of nothing is no error
assert not [ev for ev in said({"type": "interrupt"}) if ev["type"] == "error"]
sc.send(s, {"type": "start", "text": "write b", "id": "go"})
for what in ("propose_plan", "write_file"):  # each answered by a bare approve
    got = r.until(lambda ev: ev["type"] in ("approval_needed", "session_finished"), 60)
    assert got[-1]["type"] == "approval_needed" and got[-1]["name"] == what, got
    sc.send(s, {"type": "approve"})
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert got[-1]["status"] == "done", got[-1]
refused({"type": "approve"}, "nothing to approve")
refused({"type": "deny"}, "nothing to deny")
print("ok")
PY
assert_eq "$(cat "$G/b.txt")" B
echo ok
