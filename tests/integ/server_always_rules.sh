# The engine's always-allow rules are every client's: one client approves
# with "always" and a path pattern; the rule is in the state snapshot any
# client gets at hello ("always"), the pending approval there carries its
# diff, and a second call the rule covers runs without an approval_needed.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"; printf 'one\ntwo\n' > "$G/b.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "one\n2\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "c.txt", "content": "C\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
engine_spawn --grant "$G" --approve-plan "Write"
id=$ENGINE_ID
engine_wait_record approval_needed
python3 - "$id" <<'PY' || fail "client checks failed"
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
sid = sys.argv[1]
a = sc.connect(sid)
h, hist, end, ra = sc.hello(a, "a")
st = h["state"]
assert st["always"] == [], st
p = st["pending"]
assert p["name"] == "write_file", p
assert p["diff"] == "--- a/b.txt\n+++ b/b.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n", p
sc.send(a, {"type": "approve", "call": p["id"], "always": True, "pattern": "*.txt"})
la = ra.until(lambda e: e["type"] == "session_finished", 30)
assert not any(e["type"] == "approval_needed" for e in la), la
msgs = [e.get("message") for e in la if e["type"] == "approval_decided"]
assert msgs == [None, "always allowed this session (write_file *.txt)"], msgs
q = sc.connect(sid)
sc.send(q, {"type": "hello", "protocol": 1, "client": "ls", "state_only": True})
qh = sc.Lines(q).next()
assert qh["state"]["always"] == [{"tool": "write_file", "pattern": "*.txt"}], qh["state"]
q.close()
a.close()
PY
assert_eq "$(cat "$G/c.txt")" C
echo ok
