# The engine process and signals: SIGHUP (a terminal going away) is ignored;
# SIGTERM interrupts the task, even one waiting for an approval nobody gives,
# and the engine exits once settled, telling attached clients why and
# removing its socket and pid file.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write b"}]}}]},
 {"text": "I will write.", "tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "B\n"}}]}
]}
JSON
start_fake "$T/script.json"
PY=$DH_TESTS/integ/server_client.py
D=$XDG_RUNTIME_DIR/deskhand
ready=$(python3 "$PY" spawn --grant "$G" --approve-plan "Write b") || fail "spawn: $ready"
id=${ready#ok }
pid=$(cat "$D/$id.pid")
TR=$XDG_STATE_HOME/deskhand/sessions/$id/transcript.jsonl
for _ in $(seq 1 200); do grep -q '"approval_needed"' "$TR" 2>/dev/null && break; sleep 0.05; done
grep -q "\"approval_needed\"" "$TR" || { cat "$TR"; fail "the task never asked"; }
kill -HUP "$pid"
sleep 0.5
kill -0 "$pid" || fail "SIGHUP ended the engine"
# an attached client, told why when the engine goes
python3 - "$id" "$T" <<'PY' &
import json, os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
sid, t = sys.argv[1:]
s = sc.connect(sid)
h, hist, end, r = sc.hello(s, "watcher")
open(t + "/attached", "w").close()
got = []
try:
    while True:
        got.append(r.next(30))
except EOFError:
    pass
json.dump(got, open(t + "/watcher.json", "w"))
PY
watcher=$!
trap 'kill -KILL $watcher 2>/dev/null || true; cleanup' EXIT  # a client left behind would hold the output open
for _ in $(seq 1 200); do [ -e "$T/attached" ] && break; sleep 0.05; done
kill -TERM "$pid"
for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
! kill -0 "$pid" 2>/dev/null || fail "the engine did not exit after SIGTERM"
wait "$watcher" || fail "watcher failed"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$TR")" interrupted
[ ! -e "$D/$id.sock" ] && [ ! -e "$D/$id.pid" ] || fail "socket or pid file left: $(ls "$D")"
w=$(cat "$T/watcher.json")
assert_eq "$(jq -r '.[] | select(.type=="session_finished").status' <<<"$w")" interrupted
assert_eq "$(jq -r '.[-1].type' <<<"$w")" detached
assert_contains "$(jq -r '.[-1].reason' <<<"$w")" "the engine was stopped"
[ ! -e "$G/b.txt" ] || fail "the refused write happened"
echo ok
