# A client killed with SIGKILL in the middle of a streamed answer does not
# disturb the task: the other client keeps receiving the stream after the
# kill, the task finishes `done`, the engine logs the departure and exits
# once the last client left.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "one two three four five six seven eight nine ten eleven twelve", "delay_ms": 400,
  "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
PY=$DH_TESTS/integ/server_client.py
D=$XDG_RUNTIME_DIR/deskhand
# an engine with no task yet: it listens on new-PID.sock
ready=$(python3 "$PY" spawn --grant "$G" --mode auto --approve-plan) || fail "spawn: $ready"
assert_eq "$ready" "ok -"
sock=$(ls "$D"/new-*.sock) || fail "no new-PID socket: $(ls "$D")"
name=$(basename "$sock" .sock)
epid=${name#new-}
[ "$(cat "$D/$name.pid")" = "$epid" ] || fail "pid file"
# the victim: attaches, reads until the first streamed text, then stops reading
python3 - "$name" "$T" <<'PY' &
import os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name, t = sys.argv[1:]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "victim")
open(t + "/victim.attached", "w").close()
r.until(lambda e: e["type"] == "text_delta", 60)
open(t + "/victim.streaming", "w").close()
time.sleep(120)
PY
victim=$!
trap 'kill -KILL $victim 2>/dev/null || true; cleanup' EXIT  # a client left behind would hold the output open
for _ in $(seq 1 200); do [ -e "$T/victim.attached" ] && break; sleep 0.05; done
[ -e "$T/victim.attached" ] || fail "victim did not attach"
# the watcher starts the task and reads the whole stream, timing each delta
python3 - "$name" "$T" > "$T/watcher.out" <<'PY' &
import json, os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name, t = sys.argv[1:]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "watcher")
sc.send(s, {"type": "start", "text": "count", "id": "go"})
out = []
while True:
    e = r.next(60)
    out.append({"t": time.time(), "ev": e})
    if e["type"] == "session_finished":
        break
print(json.dumps(out))
PY
watcher=$!
for _ in $(seq 1 400); do [ -e "$T/victim.streaming" ] && break; sleep 0.05; done
[ -e "$T/victim.streaming" ] || fail "the victim never saw the stream"
killed_at=$(date +%s.%N)
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
wait "$watcher" || fail "watcher failed: $(cat "$T/watcher.out")"
python3 - "$T/watcher.out" "$killed_at" <<'PY' || fail "watcher checks"
import json, sys
out = json.load(open(sys.argv[1]))
killed = float(sys.argv[2])
evs = [o["ev"] for o in out]
reply = [e for e in evs if e["type"] == "reply"]
assert reply and reply[0]["re"] == "go" and reply[0]["ok"], reply
assert evs[-1]["type"] == "session_finished" and evs[-1]["status"] == "done", evs[-1]
text = "".join(e["text"] for e in evs if e["type"] == "text_delta")
assert text == "one two three four five six seven eight nine ten eleven twelve", text
after = [o for o in out if o["ev"]["type"] == "text_delta" and o["t"] > killed]
assert after, "no text streamed after the kill: the kill was not mid-stream"
PY
sid=$(ls "$XDG_STATE_HOME/deskhand/sessions")
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl")" done
# the socket was renamed to the session's id when the task created it
LOG=$XDG_STATE_HOME/deskhand/sessions/$sid/engine.log
for _ in $(seq 1 100); do kill -0 "$epid" 2>/dev/null || break; sleep 0.05; done
! kill -0 "$epid" 2>/dev/null || fail "engine still running after its clients left"
assert_file_contains "$LOG" "(victim): disconnected"
assert_file_contains "$LOG" "listening on $D/$sid.sock"
[ -z "$(ls "$D")" ] || fail "left in the socket dir: $(ls "$D")"
echo ok
