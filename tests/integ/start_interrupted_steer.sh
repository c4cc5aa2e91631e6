# A steer or a start sent after an interrupt, while the interrupted task is
# still starting or ending, is refused with an error that says why: it is
# not answered "steered the running task" and then dropped with the task.
# A first task (started, interrupted, then steered, all in one write) and a
# follow-up (the same while its history is read again) both end
# "interrupted" with no request; the next task runs, and no refused text
# ever reaches the model.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [{"expect": {"last_user_contains": "the last task"}, "text": "Last done.",
            "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
engine_spawn --grant "$G" --approve-plan --mode auto
DH_TESTS=$DH_TESTS python3 - "$ENGINE_ID" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "a steer after an interrupt was not refused"; }
import json, os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name = sys.argv[1]
if name == "-":
    name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "t")

def idle():
    sc.wait_idle(s, r)

def burst(cmds):
    """Send cmds in one write; every event up to session_finished."""
    s.sendall(b"".join((json.dumps(c) + "\n").encode() for c in cmds))
    return r.until(lambda ev: ev["type"] == "session_finished", 60)

def answer(got, rid):
    a = [ev for ev in got if ev.get("re") == rid]
    assert a, "no answer to %s in %s" % (rid, got)
    return a[0]

def refused(got, rid):
    a = answer(got, rid)
    ok = a["type"] == "reply" and a.get("ok")
    assert not ok, "%s was taken: %s" % (rid, a)
    assert "interrupted" in a["message"], a

# A first task: the interrupt ends it at once; what follows would be lost.
got = burst([{"type": "start", "text": "task one", "id": "go1"},
             {"type": "interrupt"},
             {"type": "start", "text": "lost start one", "id": "go1b"},
             {"type": "steer", "text": "lost steer one", "id": "st1"}])
assert answer(got, "go1")["ok"], got
refused(got, "go1b")
refused(got, "st1")
assert got[-1]["status"] == "interrupted", got[-1]
idle()
# A follow-up, interrupted while its history is read again.
got = burst([{"type": "start", "text": "task two", "id": "go2"},
             {"type": "interrupt"},
             {"type": "start", "text": "lost start two", "id": "go2b"},
             {"type": "steer", "text": "lost steer two", "id": "st2"}])
assert answer(got, "go2")["ok"], got
refused(got, "go2b")
refused(got, "st2")
assert got[-1]["status"] == "interrupted", got[-1]
idle()
got = burst([{"type": "start", "text": "the last task", "id": "go3"}])
assert got[-1]["status"] == "done", got[-1]
print("ok")
PY
cat "$T/py.out"
TR=$XDG_STATE_HOME/deskhand/sessions/$(ls "$XDG_STATE_HOME/deskhand/sessions")/transcript.jsonl
# One request, for the last task: nothing refused reached the model.
assert_eq "$(wc -l < "$FAKE_LOG")" "1"
for lost in "lost start one" "lost steer one" "lost start two" "lost steer two"; do
  assert_not_contains "$(cat "$FAKE_LOG")" "$lost"
  assert_not_contains "$(cat "$TR")" "$lost"
done
echo ok
