# A client that attaches while a command runs: tool_output events are not in
# the transcript, so after the history the engine sends the running call's
# output so far as one tool_output; then the live output and the result.
# The command waits for the client (the file "go"), not for a fixed time.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"; export G
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Run"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_run", "input": {"command": "printf 'early-%s\\n' one two; : > started; i=0; while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; printf 'late-%s\\n' three"}}]},
 {"text": "Ran.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
PY=$DH_TESTS/integ/server_client.py
ready=$(python3 "$PY" spawn --grant "$G" --approve-plan --mode auto "run") || fail "spawn: $ready"
id=${ready#ok }
TR=$XDG_STATE_HOME/deskhand/sessions/$id/transcript.jsonl
for _ in $(seq 1 200); do grep -q '"tool_call".*"run_command"' "$TR" 2>/dev/null && break; sleep 0.05; done
grep -q '"tool_call".*"run_command"' "$TR" || fail "the command did not start"
for _ in $(seq 1 600); do [ -e "$G/started" ] && break; sleep 0.1; done
[ -e "$G/started" ] || fail "the command did not print its early lines"
sleep 0.5 # the early lines reach the engine
python3 - "$id" <<'PY' || fail "client checks failed"
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
sid = sys.argv[1]
a = sc.connect(sid)
h, hist, end, r = sc.hello(a, "late")
types = [e["type"] for e in hist]
assert "tool_call" in types and "tool_result" not in [e["type"] for e in hist if e.get("id") == "toolu_run"], types
last = hist[-1]
assert last["type"] == "tool_output" and last["id"] == "toolu_run", hist[-3:]
assert last["text"] == "early-one\nearly-two\n", last
assert end["records"] == len(hist), (end, len(hist))
open(os.environ["G"] + "/go", "w").close()
live = r.until(lambda e: e.get("type") == "tool_result" and e.get("id") == "toolu_run")
outs = [e["text"] for e in live if e.get("type") == "tool_output"]
assert outs == ["late-three\n"], outs
r.until(lambda e: e.get("type") == "session_finished")
a.close()
PY
for _ in $(seq 1 100); do [ -S "$XDG_RUNTIME_DIR/deskhand/$id.sock" ] || break; sleep 0.05; done
assert_eq "$(jq -r 'select(.type=="tool_output")|.type' "$TR" | wc -l)" 0
echo ok
