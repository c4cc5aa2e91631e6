# A steer sent while a task starts and before an interrupt of that start is
# kept: the task ends "interrupted" with no request, and the steer's text
# goes into the history with the task's message (a user_message event says
# so), so the next request of the session carries it. A compact sent there
# is answered with an error that says nothing was compacted. Before, the
# steer was answered as taken and then dropped with the task, and the
# compact was dropped without a word. A first task and a follow-up.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [{"expect": {"body_contains": "kept steer two"}, "text": "Last done.",
            "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
engine_spawn --grant "$G" --approve-plan --mode auto
DH_TESTS=$DH_TESTS python3 - > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "a steer before an interrupt was lost"; }
import json, os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")

for k in ("one", "two"):  # a first task, then a follow-up
    s.sendall(b"".join((json.dumps(c) + "\n").encode() for c in [
        {"type": "start", "text": "task " + k, "id": "go-" + k},
        {"type": "steer", "text": "kept steer " + k, "id": "st-" + k},
        {"type": "compact", "id": "c-" + k},
        {"type": "interrupt"}]))
    got = r.until(lambda ev: ev["type"] == "session_finished", 60)
    assert [ev for ev in got if ev.get("re") == "go-" + k][0]["ok"], got
    assert not [ev for ev in got if ev.get("re") == "st-" + k], got
    users = [ev["text"] for ev in got if ev["type"] == "user_message"]
    assert "kept steer " + k in users, got
    c = [ev for ev in got if ev.get("re") == "c-" + k]
    assert c and c[0]["type"] == "error" and "nothing was compacted" in c[0]["message"], got
    assert got[-1]["status"] == "interrupted", got[-1]
    assert not [ev for ev in got if ev["type"] == "compacted"], got
    sc.wait_idle(s, r)
sc.send(s, {"type": "start", "text": "the last task", "id": "go3"})
got = r.until(lambda ev: ev["type"] == "session_finished", 60)
assert got[-1]["status"] == "done", got
print("ok")
PY
cat "$T/py.out"
# One request, for the last task: it carries both tasks and their steers.
assert_eq "$(wc -l < "$FAKE_LOG")" "1"
body=$(head -1 "$FAKE_LOG" | jq -c '.body.messages')
for t in "task one" "kept steer one" "task two" "kept steer two" "the last task"; do
  assert_contains "$body" "$t"
done
echo ok
