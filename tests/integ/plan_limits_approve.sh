# A plan the person edits before approving it (the `approve` command with
# "steps") has the limits of one the model proposes: 101 steps, or a title
# over 1000 bytes, is refused with an error naming the limit, the plan
# still waits, and an edited plan within them is approved and shown.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write a.txt"}]}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
PY=$DH_TESTS/integ/server_client.py
ready=$(python3 "$PY" spawn --grant "$G" --mode auto "plan it") || fail "spawn: $ready"
id=${ready#ok }
python3 - "$id" <<'PY' || fail "client checks failed"
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
a = sc.connect(sys.argv[1])
h, hist, end, r = sc.hello(a, "editor")
if not any(e.get("type") == "plan_proposed" for e in hist):
    r.until(lambda e: e.get("type") == "plan_proposed")
many = [{"title": "step %d" % i} for i in range(101)]
sc.send(a, {"type": "approve", "steps": many})
e = r.until(lambda e: e.get("type") == "error")[-1]
assert e["type"] == "error" and "at most 100 steps, not 101" in e["message"], e
sc.send(a, {"type": "approve", "steps": [{"title": "x" * 1001}]})
e = r.until(lambda e: e.get("type") == "error")[-1]
assert e["type"] == "error" and "1001 bytes; at most 1000" in e["message"], e
# the plan still waits: a second client's snapshot shows it
b = sc.connect(sys.argv[1])
hb, _, _, _ = sc.hello(b, "second")
assert hb["state"]["pending"]["name"] == "propose_plan", hb["state"]["pending"]
b.close()
sc.send(a, {"type": "approve", "steps": [{"title": "Write b.txt"}]})
got = r.until(lambda e: e.get("type") == "session_finished")
plans = [e for e in got if e.get("type") == "plan_updated"]
assert plans and plans[0]["steps"][0]["title"] == "Write b.txt", plans
decided = [e for e in got if e.get("type") == "plan_decided"]
assert decided and decided[0]["approved"], decided
a.close()
PY
echo ok
