# A client's name (its hello's "client") goes into the engine's log made
# printable: a newline and an escape in it wrote a forged log line and a
# raw escape into engine.log.
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
h, hist, end, ra = sc.hello(a, "x\n1796579999.000 error engine_main: FORGED\u001b[31m")
sc.send(a, {"type": "approve", "call": h["state"]["pending"]["id"]})
ra.until(lambda e: e["type"] == "session_finished", 30)
a.close()
PY
LOG=$XDG_STATE_HOME/deskhand/sessions/$id/engine.log
for _ in $(seq 1 100); do grep -q "disconnected" "$LOG" 2>/dev/null && break; sleep 0.05; done
assert_file_contains "$LOG" 'x^J1796579999.000 error engine_main: FORGED^[[31m'
grep -q $'\e' "$LOG" && fail "an escape reached engine.log"
grep -q '^1796579999.000 error engine_main: FORGED' "$LOG" && fail "a forged line in engine.log"
echo ok
