# A client that stops reading while more than the engine's bound (16 MiB) of
# text streams, and stays stopped past the stall time (3 s) while more comes,
# is dropped: once it reads again it finds a "detached" line saying why, then
# the end of the connection; the task and the reading client (behind too
# during the burst, but reading) are not disturbed; the engine logs the drop.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"
BYTES=$((20 << 20)) TAIL="and that is all"
printf 'set message_limit = 64\n' > "$T/config"
export DH_CONFIG=$T/config
cat > "$T/script.json" <<JSON
{"turns": [
 {"text_bytes": $BYTES, "delta_bytes": 65536, "tool_calls": [{"name": "list_files", "input": {}}]},
 {"text": "$TAIL", "delay_ms": 800, "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
PY=$DH_TESTS/integ/server_client.py
D=$XDG_RUNTIME_DIR/deskhand
ready=$(python3 "$PY" spawn --grant "$G" --mode auto --approve-plan) || fail "spawn: $ready"
name=$(basename "$(ls "$D"/new-*.sock)" .sock)
python3 - "$name" "$T" <<'PY' &
import json, os, signal, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
name, t = sys.argv[1:]
s = sc.connect(name)
h, hist, end, r = sc.hello(s, "sleeper")
open(t + "/sleeper.attached", "w").close()
os.kill(os.getpid(), signal.SIGSTOP)
n, how = 0, "stall"
try:
    while True:
        e = r.next(30)
        if e["type"] == "text_delta":
            n += len(e["text"])
        if e["type"] == "detached":
            how = "detached: " + (e.get("reason") or "")
        if e["type"] == "session_finished":
            how = "finished"
            break
except EOFError:
    how += " then eof"
except TimeoutError:
    how += " then stall"
json.dump({"how": how, "bytes": n}, open(t + "/sleeper.json", "w"))
PY
sleeper=$!
trap 'kill -KILL $sleeper 2>/dev/null || true; cleanup' EXIT  # a client left behind would hold the output open
for _ in $(seq 1 200); do [ -e "$T/sleeper.attached" ] && break; sleep 0.05; done
for _ in $(seq 1 100); do [ "$(cut -d' ' -f3 /proc/$sleeper/stat)" = T ] && break; sleep 0.05; done
[ "$(cut -d' ' -f3 /proc/$sleeper/stat)" = T ] || fail "the sleeper is not stopped"
python3 - "$name" > "$T/starter.json" <<'PY' || { tail -20 "$XDG_STATE_HOME"/deskhand/sessions/*/engine.log >&2; fail "starter failed"; }
import json, os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
s = sc.connect(sys.argv[1])
h, hist, end, r = sc.hello(s, "starter")
sc.send(s, {"type": "start", "text": "talk", "id": "go"})
n = 0
while True:
    e = r.next(120)
    if e["type"] == "text_delta":
        n += len(e["text"])
    if e["type"] == "session_finished":
        break
print(json.dumps({"bytes": n, "status": e["status"]}))
PY
kill -CONT "$sleeper"
wait "$sleeper" || fail "sleeper failed"
cat "$T/starter.json" "$T/sleeper.json"
assert_eq "$(jq -r .status "$T/starter.json")" done
assert_eq "$(jq -r .bytes "$T/starter.json")" "$((BYTES + ${#TAIL}))"
how=$(jq -r .how "$T/sleeper.json")
assert_contains "$how" "detached: "
assert_contains "$how" "too far behind"
assert_contains "$how" "then eof"
[ "$(jq -r .bytes "$T/sleeper.json")" -lt "$BYTES" ] || fail "the dropped client got everything"
sid=$(ls "$XDG_STATE_HOME/deskhand/sessions")
assert_file_contains "$XDG_STATE_HOME/deskhand/sessions/$sid/engine.log" "(sleeper): "
assert_file_contains "$XDG_STATE_HOME/deskhand/sessions/$sid/engine.log" "bytes behind, dropping it"
echo ok
