# Every client need is a command with a reply (the engine's requests), on
# the JSON command stream of `run --commands`, while a task waits for
# approvals: status, review_get, log, sessions, grant/start while busy
# answered with their "id" as "re"; undo and redo as "review" events with re.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G" "$T/other"; echo keep > "$G/k.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "B\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
fifo=$T/cmd; mkfifo "$fifo"
"$DESKHAND" run --grant "$G" --json --commands "write" <"$fifo" >"$T/out" 2>"$T/err" &
pid=$!
exec 9>"$fifo"
trap 'exec 9>&- ; kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; cleanup' EXIT
wait_for() { for _ in $(seq 1 300); do grep -q -- "$1" "$T/out" && return 0; sleep 0.05; done; cat "$T/out" "$T/err"; fail "timed out waiting for $1"; }
# send CMD (with an "id") and print the line that carries that id back as re
ask() {
  local re; re=$(jq -r .id <<<"$1")
  echo "$1" >&9
  for _ in $(seq 1 300); do
    grep -q "\"re\":\"$re\"" "$T/out" && { grep "\"re\":\"$re\"" "$T/out" | tail -1; return 0; }
    sleep 0.05
  done
  cat "$T/out" "$T/err"; fail "no answer to $1"
}
wait_for '"approval_needed".*propose_plan'
echo '{"type":"approve"}' >&9
wait_for '"approval_needed".*a.txt'

r=$(ask '{"type":"status","id":"s1"}')
assert_eq "$(jq -r .type <<<"$r")" status
assert_eq "$(jq -r .phase <<<"$r")" tools
r=$(ask '{"type":"review_get","id":"g1"}')
assert_eq "$(jq -r '.op + " " + (.ok|tostring)' <<<"$r")" "review_get true"
assert_eq "$(jq -r '.data.grants[0].path' <<<"$r")" "$G"
assert_eq "$(jq -r '.data.grants[0].files | length' <<<"$r")" 0
echo '{"type":"approve"}' >&9
wait_for '"approval_needed".*b.txt'

r=$(ask '{"type":"review_get","id":"g2"}')
assert_eq "$(jq -r '.data.grants[0].files[0] | .status + " " + .path' <<<"$r")" "A a.txt"
assert_eq "$(jq -r '.data.grants[0].files[0].hunks[0].lines[0]' <<<"$r")" "+A"
assert_eq "$(jq -r '.data.head' <<<"$r")" "$(jq -r '.data.grants[0].head' <<<"$r")"
r=$(ask '{"type":"log","id":"l1"}')
assert_eq "$(jq -r '.data.grants[0].checkpoints | length' <<<"$r")" 2
assert_eq "$(jq -r '.data.grants[0].checkpoints[1].changes[0].path' <<<"$r")" a.txt
[ "$(jq -r '.data.grants[0].checkpoints[1].tool_call' <<<"$r")" != null ] || fail "no tool_call: $r"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
r=$(ask '{"type":"sessions","id":"x1"}')
assert_eq "$(jq -r ".data[0] | .id + \" \" + (.current|tostring) + \" \" + (.pending|tostring)" <<<"$r")" "$sid true 1"
# grant and start while the task runs: refused, and a steer
r=$(ask "{\"type\":\"grant\",\"path\":\"$T/other\",\"id\":\"gr1\"}")
assert_eq "$(jq -r .ok <<<"$r")" false
assert_contains "$(jq -r .message <<<"$r")" "a task is running"
assert_eq "$(jq -r '.data | length' <<<"$r")" 1
r=$(ask '{"type":"start","text":"also say hi","id":"st1"}')
assert_eq "$(jq -r '.ok|tostring' <<<"$r")" true
# undo (a.txt goes) and redo (it comes back): review events with re
r=$(ask '{"type":"undo","id":"u1"}')
assert_eq "$(jq -r '.type + " " + .op + " " + (.ok|tostring)' <<<"$r")" "review undo true"
[ ! -e "$G/a.txt" ] || fail "undo left a.txt"
r=$(ask '{"type":"redo","id":"r1"}')
assert_eq "$(jq -r '.type + " " + .op + " " + (.ok|tostring)' <<<"$r")" "review redo true"
assert_eq "$(cat "$G/a.txt")" A
echo '{"type":"approve"}' >&9
wait_for '"session_finished"'
exec 9>&-
wait "$pid" || { cat "$T/err"; fail "run failed"; }
echo ok
