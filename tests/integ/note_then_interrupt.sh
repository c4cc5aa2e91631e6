# A note for the model that waits for the next request (what git runs from a
# repository a command made: its step checkpoint lands while the next answer
# streams) is kept when an interrupt ends the task first: it goes into the
# history with the steers, and the session's next task sends it. Before, the
# agent dropped it with the task, and the model was never told.
. "$DH_TESTS/lib.sh"
command -v git >/dev/null || skip "git is not installed"
G=$T/code; mkdir -p "$G"
cmd='git init -q -b main made/evil'
cmd="$cmd && printf '#!/bin/sh\\\\nexit 0\\\\n' > made/evil/.git/hooks/pre-commit"
cmd="$cmd && chmod +x made/evil/.git/hooks/pre-commit"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "repos"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "$cmd"}}]},
 {"text": "Thinking it over at length.", "text_step": 4, "text_pause_file": "$T/never"},
 {"expect": {"body_contains": "made the git repository"}, "text": "Told.",
  "stop_reason": "end_turn"}
]}
JSON
jq -e . "$T/script.json" >/dev/null || fail "bad script"
start_fake "$T/script.json"
engine_spawn --grant "$G" --approve-plan --mode auto
DH_TESTS=$DH_TESTS python3 - > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "a note pending at an interrupt was lost"; }
import json, os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")
sc.send(s, {"type": "start", "text": "task one", "id": "go-one"})
# the checkpoint's audit comes before the answer's text (held behind it)
got = r.until(lambda ev: ev["type"] == "text_delta", 60)
assert [ev for ev in got if ev["type"] == "audit" and
        "made the git repository" in ev.get("detail", "")], got
sc.send(s, {"type": "interrupt"})
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert got[-1]["status"] == "interrupted", got[-1]
sc.wait_idle(s, r)
sc.send(s, {"type": "start", "text": "task two", "id": "go-two"})
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert got[-1]["status"] == "done", got
print("ok")
PY
touch "$T/never"
cat "$T/py.out"
assert_eq "$(wc -l < "$FAKE_LOG")" "4"
# the request after the command's results did not have it yet
assert_not_contains "$(sed -n 3p "$FAKE_LOG")" "made the git repository"
body=$(tail -1 "$FAKE_LOG" | jq -c '.body.messages')
assert_contains "$body" "made the git repository $G/made/evil"
assert_contains "$body" "task two"
echo ok
