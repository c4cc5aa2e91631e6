# The engine process and its socket, spoken to by raw python clients: hello
# gives the state snapshot (session, grants, plan, the pending approval),
# the transcript history, history_end {records}, then live events to every
# attached client; a malformed command gets an error event carrying its id
# back as "re" (and nothing on the engine's stderr), so does a command before
# hello, and a connection that never says hello is closed after 10 s; the
# engine exits once the task ended and the clients left, removing its socket
# and pid file.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write b"}]}}]},
 {"text": "I will write.", "tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "B\n"}}]},
 {"text": "Done writing.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
PY=$DH_TESTS/integ/server_client.py
ready=$(python3 "$PY" spawn --grant "$G" --approve-plan "Write b") || fail "spawn: $ready"
id=${ready#ok }
[[ "$id" =~ ^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$ ]] || fail "ready line: $ready"
D=$XDG_RUNTIME_DIR/deskhand
[ -S "$D/$id.sock" ] || fail "no socket $D/$id.sock"
[ "$(stat -c %a "$D")" = 700 ] || fail "socket dir mode $(stat -c %a "$D")"
pid=$(cat "$D/$id.pid")
kill -0 "$pid" || fail "engine $pid not running"
TR=$XDG_STATE_HOME/deskhand/sessions/$id/transcript.jsonl
# wait until the task waits for the approval of write_file
for _ in $(seq 1 200); do grep -q '"approval_needed"' "$TR" 2>/dev/null && break; sleep 0.05; done
# a second engine on the live session is refused, naming the live one; the
# refusal comes back on the ready fd and leaves the first engine's socket
r=$(python3 "$PY" spawn --resume "$id") && fail "a second engine started: $r"
assert_contains "$r" "session $id is live: its engine (pid $pid) runs it now"
assert_contains "$r" "(exit 3)"
[ -S "$D/$id.sock" ] && kill -0 "$pid" || fail "the refused engine disturbed the live one"
r=$(python3 "$PY" spawn --resume nosuch) && fail "an engine started on no session: $r"
assert_contains "$r" "(exit 4)"
r=$(python3 "$PY" spawn --grant "$G" --bogus) && fail "an engine started with a bad option: $r"
assert_contains "$r" "error unknown option '--bogus' (exit 2)"
python3 - "$id" "$G" "$TR" <<'PY' || fail "client checks failed"
import json, os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
sid, grant, tr = sys.argv[1:]
import time
silent = sc.connect(sid)
t_silent = time.time()
# a command before hello is refused, and the connection stays usable
early = sc.connect(sid)
sc.send(early, {"type": "status", "id": "e1"})
e = sc.Lines(early).next()
assert e["type"] == "error" and e["re"] == "e1" and "hello first" in e["message"], e
early.close()
a = sc.connect(sid)
h, hist, end, ra = sc.hello(a, "a")
st = h["state"]
assert h["type"] == "hello" and h["protocol"] == 1 and h["session"] == sid, h
assert st["session"] == sid and st["grants"] == [os.path.realpath(grant)], st
assert st["activity"] == "waiting" and st["busy"] is True, st
assert st["pending"]["type"] == "approval_needed" and st["pending"]["name"] == "write_file", st
assert st["plan"][0]["title"] == "Write b", st
assert st["pid"] > 0 and st["clients"] == 1, st
# the history is the transcript's events, in order, counted by history_end
shown = {"session_started", "assistant_message", "tool_call", "tool_result", "plan_proposed",
         "plan_updated", "plan_decided", "approval_decided", "checkpoint", "error",
         "session_finished"}
want = [json.loads(l) for l in open(tr)]
want = [{k: v for k, v in r.items() if k != "ts"} for r in want if r["type"] in shown]
got = [e for e in hist if e["type"] != "user_message"]
assert [e["type"] for e in got] == [r["type"] for r in want], ([e["type"] for e in got], [r["type"] for r in want])
for g, w in zip(got, want):
    # what the replay carries is the transcript's (it may leave fields out)
    assert all(v in (None, [], 0, False) or w.get(k) == v for k, v in g.items()), (g, w)
    assert g.get("id") == w.get("id") and g.get("session") == w.get("session"), (g, w)
assert end["records"] == len(hist), (end, len(hist))
assert any(e["type"] == "user_message" and e["text"] == "Write b" for e in hist), hist
# a state-only hello (deskhand ls) gets the snapshot and then live events,
# never the history
q = sc.connect(sid)
sc.send(q, {"type": "hello", "protocol": 1, "client": "ls", "state_only": True})
ql = sc.Lines(q)
qh = ql.next()
assert qh["type"] == "hello" and qh["state"]["session"] == sid, qh
sc.send(q, {"type": "status", "id": "q1"})
qn = ql.next()
assert qn.get("re") == "q1" and qn["type"] == "status", qn
q.close()
# malformed commands: an error to this client only, with the id back as re
sc.send(a, {"type": "bogus", "id": "r1"})
e = ra.next()
assert e["type"] == "error" and e["re"] == "r1" and "bogus" in e["message"], e
a.sendall(b'{"type": "steer", "id": "r2"}\n')
e = ra.next()
assert e["type"] == "error" and e["re"] == "r2" and "text" in e["message"], e
a.sendall(b'not json at all\n')
e = ra.next()
assert e["type"] == "error" and "re" not in e, e
# a second client; the first answers the approval; both see the same stream
b = sc.connect(sid)
hb, histb, endb, rb = sc.hello(b, "b")
assert hb["state"]["clients"] == 2, hb
assert histb == hist, "second client's history differs"
# a request's reply goes to the requester only, with its id as re
sc.send(a, {"type": "status", "id": "s1"})
e = ra.next()
assert e["type"] == "status" and e["re"] == "s1", e
sc.send(a, {"type": "approve", "call": st["pending"]["id"], "id": "r3"})
la = ra.until(lambda e: e["type"] == "session_finished", 30)
lb = rb.until(lambda e: e["type"] == "session_finished", 30)
assert la == lb, "clients saw different streams"
assert not any(e.get("re") == "s1" for e in lb), "another client's reply reached b"
types = [e["type"] for e in la]
assert types[0] == "approval_decided" and la[0]["approved"], la[0]
assert "text_delta" in types and la[-1]["status"] == "done", types
assert "".join(e["text"] for e in la if e["type"] == "text_delta") == "Done writing.", la
a.close()
b.close()
# a connection that never says hello is closed after 10 s
silent.settimeout(max(1, 15 - (time.time() - t_silent)))
assert silent.recv(100) == b"", "the silent connection got bytes"
assert time.time() - t_silent >= 9, "closed too early"
PY
assert_eq "$(cat "$G/b.txt")" "B"
# nobody attached and the task ended: the engine exits and cleans up
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
! kill -0 "$pid" 2>/dev/null || fail "engine $pid still running after the task and the clients ended"
[ ! -e "$D/$id.sock" ] && [ ! -e "$D/$id.pid" ] || fail "socket or pid file left: $(ls "$D")"
LOG=$XDG_STATE_HOME/deskhand/sessions/$id/engine.log
assert_file_contains "$LOG" "client 3 (a) attached"
assert_file_contains "$LOG" "client 1 (?): no hello in time"
assert_file_contains "$LOG" "exiting: the task ended"
# the engine's stderr is its log: no command error went there
assert_not_contains "$(cat "$LOG")" "bogus"
echo ok
