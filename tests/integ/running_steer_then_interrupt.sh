# A steer taken while a task runs, then an interrupt before a request
# carried it, is kept: it goes into the history as the person's message
# (a user_message event says so), and the next request of the session has
# it. Before, the person was told "steered the running task" and the text
# was dropped with the task. While the model's answer streams (the first
# task) and while a command runs (the follow-up). Each is sent once: its
# record in the transcript (written when it was taken) is answered by the
# message that carries it, and does not come back with the next task.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
cat > "$T/script.json" <<JSON
{"turns": [
 {"text": "Thinking it over at length.", "text_step": 4, "text_pause_file": "$T/never"},
 {"expect": {"body_contains": "kept steer one"},
  "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_wait",
                  "input": {"command": "touch running; while [ ! -e go ]; do sleep 0.05; done"}}]},
 {"expect": {"body_contains": "kept steer two"}, "text": "Last done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
engine_spawn --grant "$G" --approve-plan --mode auto
DH_TESTS=$DH_TESTS G=$G python3 - > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "a steer before an interrupt of a running task was lost"; }
import json, os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")
running = os.path.join(os.environ["G"], "running")

def steer_then_interrupt(k):
    s.sendall(b"".join((json.dumps(c) + "\n").encode() for c in [
        {"type": "steer", "text": "kept steer " + k, "id": "st-" + k},
        {"type": "interrupt"}]))
    got = r.until(lambda ev: ev["type"] == "session_finished", 60)
    assert not [ev for ev in got if ev.get("re") == "st-" + k], got  # taken
    users = [ev["text"] for ev in got if ev["type"] == "user_message"]
    assert "kept steer " + k in users, got
    assert got[-1]["status"] == "interrupted", got[-1]
    sc.wait_idle(s, r)

# the model's answer streams (it pauses after its first piece)
sc.send(s, {"type": "start", "text": "task one", "id": "go-one"})
r.until(lambda ev: ev["type"] == "text_delta", 60)
steer_then_interrupt("one")
# a command runs (it waits for a file that never comes)
sc.send(s, {"type": "start", "text": "task two", "id": "go-two"})
for _ in range(1200):
    if os.path.exists(running):
        break
    time.sleep(0.05)
else:
    sys.exit("the command never ran")
steer_then_interrupt("two")
sc.send(s, {"type": "start", "text": "the last task", "id": "go3"})
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert got[-1]["status"] == "done", got
print("ok")
PY
touch "$T/never"
cat "$T/py.out"
assert_eq "$(wc -l < "$FAKE_LOG")" "4"
body=$(tail -1 "$FAKE_LOG" | jq -c '.body.messages')
for t in "task one" "kept steer one" "task two" "kept steer two" "the last task"; do
  assert_eq "$(grep -o "$t" <<<"$body" | wc -l)" 1 "'$t', sent"
done
echo ok
