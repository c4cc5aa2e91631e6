# The review as engine commands on the JSON command stream (`run --json
# --commands`), the same ones the workbench sends: accept a file, accept a
# hunk, undo the newest agent step, reject a hunk, restore a checkpoint, and
# errors, each answered by a "review" event; the task goes on after them.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; seq 1 30 | sed 's/^/l/' > "$G/m.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edits"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "m.txt", "old_string": "l5\n", "new_string": "L5\n"}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "m.txt", "old_string": "l25\n", "new_string": "L25\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "c.txt", "content": "C\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "d.txt", "content": "D\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
export ANTHROPIC_BASE_URL=$FAKE_URL ANTHROPIC_API_KEY=test-key-123
fifo=$T/cmd; mkfifo "$fifo"
"$DESKHAND" run --grant "$G" --json --commands "edits" <"$fifo" >"$T/out" 2>"$T/err" &
pid=$!
exec 9>"$fifo"
wait_for() { for _ in $(seq 1 300); do grep -q -- "$1" "$T/out" && return 0; sleep 0.05; done; cat "$T/out" "$T/err"; fail "timed out waiting for $1"; }
nreview() { grep -c '"type":"review"' "$T/out" || true; }
# send CMD and wait for its review event; prints that event
cmd() {
  local n; n=$(nreview)
  echo "$1" >&9
  for _ in $(seq 1 300); do [ "$(nreview)" -gt "$n" ] && break; sleep 0.05; done
  [ "$(nreview)" -gt "$n" ] || { cat "$T/out" "$T/err"; fail "no review event for $1"; }
  grep '"type":"review"' "$T/out" | tail -1
}
approve_next() { wait_for "$1"; echo '{"type":"approve"}' >&9; }
approve_next '"approval_needed".*propose_plan'
approve_next '"approval_needed".*a.txt'
approve_next '"approval_needed".*"l5'
approve_next '"approval_needed".*"l25'
approve_next '"approval_needed".*c.txt'
wait_for '"approval_needed".*d.txt'
# a.txt, m.txt (2 hunks) and c.txt are checkpointed and pending
r=$(cmd '{"type":"accept","path":"a.txt"}')
assert_eq "$(jq -r '.op + " " + (.ok|tostring) + " " + .message' <<<"$r")" "accept true accepted a.txt"
r=$(cmd "{\"type\":\"accept\",\"path\":\"$G/m.txt\",\"hunk\":1}")
assert_eq "$(jq -r .message <<<"$r")" "accepted hunk 1 of m.txt"
r=$(cmd '{"type":"undo"}')
assert_eq "$(jq -r .ok <<<"$r")" true
assert_contains "$(jq -r .message <<<"$r")" "write_file"
[ ! -e "$G/c.txt" ] || fail "undo left c.txt (the newest agent step)"
r=$(cmd '{"type":"reject","path":"m.txt","hunk":1}')
assert_eq "$(jq -r .message <<<"$r")" "rejected hunk 1 of m.txt"
assert_eq "$(sed -n 25p "$G/m.txt")" l25
assert_eq "$(sed -n 5p "$G/m.txt")" L5
# errors: a path outside the grants, a file with nothing pending, no such checkpoint
r=$(cmd '{"type":"reject","path":"/etc/passwd"}')
assert_eq "$(jq -r .ok <<<"$r")" false
assert_contains "$(jq -r .message <<<"$r")" "outside the granted folders"
r=$(cmd '{"type":"accept","path":"nothing-here.txt"}')
assert_eq "$(jq -r .ok <<<"$r")" false
assert_contains "$(jq -r .message <<<"$r")" "nothing-here.txt"
r=$(cmd '{"type":"restore","checkpoint":"0000000"}')
assert_eq "$(jq -r .ok <<<"$r")" false
# restore the baseline (the first checkpoint event): the folder as it was
base=$(jq -r 'select(.type=="checkpoint") | .short_id' "$T/out" | head -1)
[ -n "$base" ] || fail "no checkpoint event"
r=$(cmd "{\"type\":\"restore\",\"checkpoint\":\"$base\"}")
assert_eq "$(jq -r '.ok|tostring' <<<"$r") $(jq -r .message <<<"$r")" "true restored checkpoint $base"
[ ! -e "$G/a.txt" ] || fail "restore left a.txt"
assert_eq "$(seq 1 30 | sed 's/^/l/')" "$(cat "$G/m.txt")"
echo '{"type":"approve"}' >&9
wait_for '"session_finished"'
exec 9>&-
wait "$pid" || { cat "$T/err"; fail "run failed"; }
grep -q '"type":"error"' "$T/out" && { cat "$T/out"; fail "an error event"; }
echo ok
