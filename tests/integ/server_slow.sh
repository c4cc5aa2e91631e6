# A client that stops reading (SIGSTOP for 10 s) while the model streams
# 5 MB of text does not slow the engine: the task takes about as long as the
# same task without that client (measured in this run), and once the client
# continues it gets either the whole text or a "detached" line, never a stall.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"
BYTES=5242880
cat > "$T/script.json" <<JSON
{"turns": [
 {"text_bytes": $BYTES, "stop_reason": "end_turn"},
 {"text_bytes": $BYTES, "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
PY=$DH_TESTS/integ/server_client.py
D=$XDG_RUNTIME_DIR/deskhand

# new_engine: an engine with no task; prints its socket name (new-PID)
new_engine() {
  local ready
  ready=$(python3 "$PY" spawn --grant "$G" --mode auto --approve-plan) || fail "spawn: $ready"
  [ "$ready" = "ok -" ] || fail "ready line: $ready"
  basename "$(ls -t "$D"/new-*.sock | head -1)" .sock
}

# starter NAME OUT: start the task, read everything, print {seconds, bytes}
starter() {
  python3 - "$1" > "$2" <<'PY'
import json, os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
s = sc.connect(sys.argv[1])
h, hist, end, r = sc.hello(s, "starter")
t0 = time.time()
sc.send(s, {"type": "start", "text": "talk", "id": "go"})
n = 0
while True:
    e = r.next(120)
    if e["type"] == "text_delta":
        n += len(e["text"])
    if e["type"] == "session_finished":
        break
print(json.dumps({"seconds": time.time() - t0, "bytes": n, "status": e["status"]}))
PY
}

# 1. the reference: the same task with only a reading client
ref=$(new_engine)
starter "$ref" "$T/ref.json" || fail "reference run failed"
cat "$T/ref.json"

# 2. with a client that stops itself right after hello
slow=$(new_engine)
python3 - "$slow" "$T" <<'PY' &
import json, os, signal, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name, t = sys.argv[1:]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "sleeper")
open(t + "/sleeper.attached", "w").close()
os.kill(os.getpid(), signal.SIGSTOP)
# continued: read what the engine kept for us
n, how, t0 = 0, "stall", time.time()
try:
    while True:
        e = r.next(30)
        if e["type"] == "text_delta":
            n += len(e["text"])
        if e["type"] == "detached":
            how = "detached: " + (e.get("reason") or "")
            break
        if e["type"] == "session_finished":
            how = "finished"
            break
except EOFError:
    how = "eof"
except TimeoutError:
    how = "stall"
json.dump({"how": how, "bytes": n, "seconds": time.time() - t0}, open(t + "/sleeper.json", "w"))
PY
sleeper=$!
trap 'kill -KILL $sleeper 2>/dev/null || true; cleanup' EXIT  # a client left behind would hold the output open
for _ in $(seq 1 200); do [ -e "$T/sleeper.attached" ] && break; sleep 0.05; done
[ -e "$T/sleeper.attached" ] || fail "the sleeper did not attach"
for _ in $(seq 1 100); do [ "$(cut -d' ' -f3 /proc/$sleeper/stat)" = T ] && break; sleep 0.05; done
[ "$(cut -d' ' -f3 /proc/$sleeper/stat)" = T ] || fail "the sleeper is not stopped"
stopped_at=$(date +%s)
starter "$slow" "$T/slow.json" || fail "run with a stopped client failed"
cat "$T/slow.json"
[ "$(cut -d' ' -f3 /proc/$sleeper/stat)" = T ] || fail "the sleeper woke up before the task ended"
left=$(( stopped_at + 10 - $(date +%s) ))
[ "$left" -gt 0 ] && sleep "$left"
kill -CONT "$sleeper"
wait "$sleeper" || fail "sleeper failed"
cat "$T/sleeper.json"
python3 - "$T" "$BYTES" <<'PY' || fail "checks"
import json, sys
t, total = sys.argv[1], int(sys.argv[2])
ref = json.load(open(t + "/ref.json"))
slow = json.load(open(t + "/slow.json"))
sl = json.load(open(t + "/sleeper.json"))
assert ref["status"] == "done" and slow["status"] == "done", (ref, slow)
assert ref["bytes"] == total and slow["bytes"] == total, (ref, slow)
assert slow["seconds"] < 2 * ref["seconds"] + 3, "the stopped client slowed the task: %s vs %s" % (slow, ref)
ok = sl["how"].startswith("detached") or (sl["how"] == "finished" and sl["bytes"] == total)
assert ok, "the stopped client got neither everything nor a detached line: %s" % sl
PY
echo ok
