# Two clients answer the same approval: the second's approve is refused
# ("nothing to approve"), and that refusal goes to it alone, with its
# request's id as "re". It went to every client (the winner was told its
# own approval failed) and into the transcript, so every later attach
# showed "error: nothing to approve".
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
TR=$ENGINE_TR
python3 - "$id" <<'PY' || fail "client checks failed"
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
sid = sys.argv[1]
a = sc.connect(sid)
h, hist, end, ra = sc.hello(a, "a")
b = sc.connect(sid)
hb, histb, endb, rb = sc.hello(b, "b")
call = h["state"]["pending"]["id"]
sc.send(a, {"type": "approve", "call": call, "id": "qa"})
la = ra.until(lambda e: e["type"] == "session_finished", 30)
sc.send(b, {"type": "approve", "call": call, "id": "qb"})
lb = rb.until(lambda e: e["type"] == "error", 10)
err = lb[-1]
assert err.get("re") == "qb", err
assert err["message"] == "nothing to approve: no pending call " + call, err
# a, the winner, is told nothing of it
a.settimeout(1)
try:
    more = a.recv(1 << 16)
except TimeoutError:
    more = b""
assert b"nothing to approve" not in more, more
assert not any(e["type"] == "error" for e in la), la
a.close(); b.close()
PY
grep -q "nothing to approve" "$TR" && fail "the refusal was written to the transcript"
assert_eq "$(cat "$G/c.txt")" C
echo ok
