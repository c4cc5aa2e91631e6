#!/usr/bin/env bash
# run_command's spawn server: a session starts deskhand-sandbox once, as `--serve FD`, and
# each command's helper is forked from it (a child of the engine, not of the server) instead
# of exec'd. When the server dies between two commands (killed here), the next command execs
# the helper as before and runs; nothing is lost and nothing runs twice.
. "$(dirname "$0")/../lib.sh"
bwrap_or_skip
W=$T/w; mkdir -p "$W" "$T/bin"
# The helper through a wrapper that logs each time it is exec'd.
printf '#!/bin/sh\necho "$*" >> "%s"\nexec "%s" "$@"\n' "$T/calls" "$SANDBOX" > "$T/bin/sbx"
chmod +x "$T/bin/sbx"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "two commands"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo one > one.txt; echo ONE"}}]},
 {"text": "Next.", "text_pause_ms": 4000,
  "tool_calls": [{"name": "run_command", "input": {"command": "echo two > two.txt; echo TWO"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
DH_SANDBOX=$T/bin/sbx "$DESKHAND" run --grant "$W" --approve-plan --mode auto --json "cmds" \
  > "$T/out" 2>"$T/err" &
dh=$!
for _ in $(seq 1 400); do [ -s "$W/one.txt" ] && break; sleep 0.05; done
[ -s "$W/one.txt" ] || { cat "$T/err"; fail "the first command did not run"; }
# The first command came from the server: the helper was exec'd once, as the server, which
# is the engine's child and still there.
assert_eq "$(wc -l < "$T/calls")" 1 "helper execs before the kill"
assert_contains "$(cat "$T/calls")" "--serve "
server=$(pgrep -P "$dh" -f -- '--serve [0-9]+$')
[ -n "$server" ] || { ps -ef --forest >&2; fail "no spawn server under the engine ($dh)"; }
kill -KILL "$server"
wait "$dh" || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command") | "\(.is_error) \(.output)"' < "$T/out")
echo "$res"
assert_contains "$(head -1 <<<"$res")" "false ONE"
assert_contains "$res" "false TWO"
assert_eq "$(cat "$W/two.txt")" two "the second command ran once"
# The second command exec'd the helper (the server was gone): one more line, in exec mode.
assert_eq "$(wc -l < "$T/calls")" 2 "helper execs after the kill"
assert_contains "$(tail -1 "$T/calls")" "--exec"
echo ok
