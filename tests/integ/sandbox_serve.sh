#!/usr/bin/env bash
# run_command's spawn server: a session starts deskhand-sandbox once, as `--serve FD`, at its
# first command (which execs the helper while the server starts); later commands' helpers
# are forked from it (children of the engine, not of the server) instead of exec'd. When the
# server dies between two commands (killed here), the next command execs the helper as before
# and runs; nothing is lost and nothing runs twice.
. "$(dirname "$0")/../lib.sh"
bwrap_or_skip
W=$T/w; mkdir -p "$W" "$T/bin"
# The helper through a wrapper that logs each time it is exec'd.
printf '#!/bin/sh\necho "$*" >> "%s"\nexec "%s" "$@"\n' "$T/calls" "$SANDBOX" > "$T/bin/sbx"
chmod +x "$T/bin/sbx"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "three commands"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo one > one.txt; echo ONE"}}]},
 {"text": "Next.", "text_pause_ms": 1500,
  "tool_calls": [{"name": "run_command", "input": {"command": "echo two > two.txt; echo TWO"}}]},
 {"text": "Last.", "text_pause_ms": 4000,
  "tool_calls": [{"name": "run_command", "input": {"command": "echo three > three.txt; echo THREE"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
DH_SANDBOX=$T/bin/sbx "$DESKHAND" run --grant "$W" --approve-plan --mode auto --json "cmds" \
  > "$T/out" 2>"$T/err" &
dh=$!
for _ in $(seq 1 400); do [ -s "$W/two.txt" ] && break; sleep 0.05; done
[ -s "$W/two.txt" ] || { cat "$T/err"; fail "the second command did not run"; }
# Helper execs so far: the server, and the first command (exec'd while the server started);
# the second came from the server, which is the engine's child and still there.
cat "$T/calls"
assert_eq "$(wc -l < "$T/calls")" 2 "helper execs before the kill"
assert_eq "$(grep -c -- '--serve ' "$T/calls")" 1 "spawn servers started"
assert_eq "$(grep -c -- 'echo one' "$T/calls")" 1 "the first command's helper exec"
server=$(pgrep -P "$dh" -f -- '--serve [0-9]+$')
[ -n "$server" ] || { ps -ef --forest >&2; fail "no spawn server under the engine ($dh)"; }
kill -KILL "$server"
wait "$dh" || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command") | "\(.is_error) \(.output)"' < "$T/out")
echo "$res"
assert_contains "$(head -1 <<<"$res")" "false ONE"
assert_contains "$res" "false TWO"
assert_contains "$res" "false THREE"
for f in one two three; do assert_eq "$(cat "$W/$f.txt")" "$f" "$f.txt: its command ran once"; done
# The third command exec'd the helper (the server was gone): one more line, in exec mode.
assert_eq "$(wc -l < "$T/calls")" 3 "helper execs after the kill"
assert_contains "$(tail -1 "$T/calls")" "--exec"
assert_contains "$(tail -1 "$T/calls")" "echo three"
echo ok
