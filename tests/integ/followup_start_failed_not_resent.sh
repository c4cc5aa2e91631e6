# A follow-up whose start fails (here a rule every session refuses, added to
# the person's config between tasks) is told as failed, and its "task"
# record in the transcript is answered: the next follow-up's request does
# not carry the failed task's text as the person's message. Before, the
# record stayed unanswered and its text came back with the next task.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "${cfg%/*}"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "First done.", "stop_reason": "end_turn"},
 {"expect": {"body_contains": "the third task"}, "text": "Third done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
engine_spawn --grant "$G" --approve-plan --mode auto
DH_TESTS=$DH_TESTS CFG=$cfg python3 - > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the follow-ups did not run as expected"; }
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")
sc.run_task(s, r, "the first task")
with open(os.environ["CFG"], "w") as f:
    f.write("allow web_fetch(x)\n")
sc.send(s, {"type": "start", "text": "the failed task", "id": "go2"})
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert got[-1]["status"] == "failed", got[-1]
assert "web_fetch takes neither" in got[-1].get("message", ""), got[-1]
sc.wait_idle(s, r)
os.unlink(os.environ["CFG"])
sc.send(s, {"type": "start", "text": "the third task", "id": "go3"})
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert got[-1]["status"] == "done", got[-1]
print("ok")
PY
cat "$T/py.out"
assert_eq "$(wc -l < "$FAKE_LOG")" "2"
body=$(tail -1 "$FAKE_LOG" | jq -c '.body.messages')
assert_contains "$body" "the first task"
assert_contains "$body" "the third task"
assert_not_contains "$body" "the failed task"
assert_contains "$(cat "$XDG_STATE_HOME"/deskhand/sessions/*/transcript.jsonl)" '"type":"task_failed"'
echo ok
