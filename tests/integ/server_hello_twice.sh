# A second hello on a connection that already said hello gets an error event
# saying so (with its id back as "re"), not the in-process engine's "hello
# is the server's: this engine has no connection"; the connection stays
# attached (it still gets replies and live events) and the engine is
# unaffected. The same goes for a state-only connection (deskhand ls).
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
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
assert h["state"]["clients"] == 1, h
sc.send(a, {"type": "hello", "protocol": 1, "client": "again", "id": "h2"})
e = ra.next()
assert e["type"] == "error" and e.get("re") == "h2", e
assert e["message"] == "hello already received on this connection", e
# a hello with another protocol version is refused the same way: the
# connection is not closed as a first hello's bad version would be
sc.send(a, {"type": "hello", "protocol": 99, "id": "h3"})
e = ra.next()
assert e["type"] == "error" and e.get("re") == "h3", e
assert e["message"] == "hello already received on this connection", e
# still attached: a command is answered, and no second history came
sc.send(a, {"type": "status", "id": "s1"})
e = ra.next()
assert e["type"] == "status" and e["re"] == "s1", e
# a state-only connection likewise
q = sc.connect(sid)
sc.send(q, {"type": "hello", "protocol": 1, "client": "ls", "state_only": True})
ql = sc.Lines(q)
assert ql.next()["type"] == "hello"
sc.send(q, {"type": "hello", "protocol": 1, "client": "ls", "id": "q2"})
e = ql.next()
assert e["type"] == "error" and e.get("re") == "q2", e
assert e["message"] == "hello already received on this connection", e
q.close()
# the engine counts one client (not two) and goes on with the task
b = sc.connect(sid)
hb, _, _, rb = sc.hello(b, "b")
assert hb["state"]["clients"] == 2, hb
b.close()
sc.send(a, {"type": "approve", "call": h["state"]["pending"]["id"]})
evs = ra.until(lambda e: e["type"] == "session_finished", 30)
assert evs[-1]["status"] == "done", evs[-1]
a.close()
PY
assert_eq "$(cat "$G/c.txt")" "C"
LOG=$XDG_STATE_HOME/deskhand/sessions/$id/engine.log
assert_file_contains "$LOG" "client 1 (a) attached"
echo ok
