# An engine killed (kill -9) while a run_command runs leaves that call with
# no result in the transcript. A client attaching to the resumed session
# (deskhand attach starts an engine with --resume and no task) got the call
# in the history as still running ("…" in the workbench) for ever; now the
# history gives it a tool_result, an error saying the session was stopped
# while it was running. A live call of a running engine is left alone.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Run it"}]}}]},
 {"text": "Running.", "tool_calls": [{"name": "run_command", "input": {"command": "touch ready && sleep 30"}}]},
 {"text": "Never reached.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
engine_spawn --grant "$G" --approve-plan --mode auto "Run it"
id=$ENGINE_ID
for _ in $(seq 1 200); do [ -e "$G/ready" ] && break; sleep 0.05; done
[ -e "$G/ready" ] || fail "the command never started"
D=$XDG_RUNTIME_DIR/deskhand
pid=$(cat "$D/$id.pid")
# while it runs, an attaching client sees it running: no result for it
python3 - "$id" <<'PY' || fail "live client checks failed"
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
a = sc.connect(sys.argv[1])
h, hist, end, ra = sc.hello(a, "live")
calls = [e for e in hist if e["type"] == "tool_call" and e["name"] == "run_command"]
assert len(calls) == 1, hist
assert not any(e["type"] == "tool_result" and e["id"] == calls[0]["id"] for e in hist), hist
a.close()
PY
kill -9 "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
engine_spawn --resume "$id"
python3 - "$id" <<'PY' || fail "client checks failed"
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
a = sc.connect(sys.argv[1])
h, hist, end, ra = sc.hello(a, "after")
assert end["records"] == len(hist), (end, len(hist))
calls = [e for e in hist if e["type"] == "tool_call"]
assert [c["name"] for c in calls] == ["propose_plan", "run_command"], calls
for c in calls:
    res = [e for e in hist if e["type"] == "tool_result" and e["id"] == c["id"]]
    assert len(res) == 1, (c, res)
    assert hist.index(res[0]) > hist.index(c), hist
run = [e for e in hist if e["type"] == "tool_result" and e["id"] == calls[1]["id"]][0]
assert run["is_error"] is True and run["name"] == "run_command", run
assert run["output"].startswith("interrupted: the session was stopped while this call"), run
a.close()
PY
echo ok
