# A follow-up task's start reads the session's history again (the whole
# transcript, parsed) on the worker, not on the event loop: with a 100 MiB
# transcript, a status sent right behind a follow-up `start` on a live
# engine is answered at once. After an ungrant between tasks the next task
# still carries the conversation so far.
. "$DH_TESTS/lib.sh"
G=$T/work; G2=$T/other; mkdir -p "$G" "$G2"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "First done.", "stop_reason": "end_turn"},
           {"text": "Two done.", "stop_reason": "end_turn"},
           {"text": "Three done.", "stop_reason": "end_turn"},
           {"text": "Four done.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --grant "$G2" --json --approve-plan --mode auto first > "$T/run.out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
sid=$(ls "$XDG_STATE_HOME/deskhand/sessions")
TR=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
# The baseline's checkpoint record, again and again before the last record.
python3 - "$TR" <<'PY'
import json, sys
tr = sys.argv[1]
lines = open(tr).read().splitlines()
ck = [l for l in lines if json.loads(l)["type"] == "checkpoint"]
n = (100 << 20) // (len(ck[0]) + 1)
with open(tr, "w") as f:
    f.write("\n".join(lines[:-1]) + "\n")
    f.write((ck[0] + "\n") * n)
    f.write(lines[-1] + "\n")
PY
PY=$DH_TESTS/integ/server_client.py
ready=$(DESKHAND=$DESKHAND python3 "$PY" spawn --resume "$sid" --approve-plan --mode auto) || fail "spawn: $ready"
name=$(basename "$(ls "$XDG_RUNTIME_DIR"/deskhand/*.sock)" .sock)
DH_TESTS=$DH_TESTS python3 - "$name" "$G2" > "$T/py.out" 2>&1 <<'PY' || { cat "$T/py.out"; fail "the loop read the history"; }
import os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name, g2 = sys.argv[1], sys.argv[2]
s = sc.connect(name)
# The state only: the 100 MiB history is not this test's to wait for.
sc.send(s, {"type": "hello", "protocol": 1, "client": "start", "state_only": True})
r = sc.Lines(s)
assert r.next(120)["type"] == "hello"

def idle():
    sc.wait_idle(s, r)

def start(task, then):
    t0 = time.monotonic()
    sc.send(s, {"type": "start", "text": task, "id": "go-" + task})
    sc.send(s, then)
    then_ms = None
    while True:
        ev = r.next(120)
        if then_ms is None and ev.get("re") == then["id"]:
            then_ms = int((time.monotonic() - t0) * 1000)
        if ev.get("re") == "go-" + task:
            assert ev["ok"], ev
        if ev["type"] == "session_finished":
            assert ev["status"] == "done", ev
            return then_ms

start("two", {"type": "status", "id": "st2"})
idle()
ms = start("three", {"type": "status", "id": "st3"})
print("follow-up start: status after %d ms" % ms)
idle()
sc.send(s, {"type": "ungrant", "path": g2, "id": "ug"})
ev = r.until(lambda ev: ev.get("re") == "ug", 30)[-1]
assert ev["type"] == "reply" and ev["ok"], ev
start("four", {"type": "status", "id": "st4"})
assert ms < 500, "the status reply took %d ms" % ms
PY
cat "$T/py.out" >&2
# The task after the ungrant carries the conversation: every earlier task.
last=$(tail -1 "$FAKE_LOG" | jq -c '[.body.messages[] | .content | if type == "string" then . else (.[] | .text? // empty) end]')
for w in first two three four "Three done."; do assert_contains "$last" "$w"; done
echo ok
