# An engine that takes the connection but does not answer (stopped, or its
# loop stuck) was left out of `deskhand ls` without a word: "no live
# session" while it held the session, and `attach` then said the session
# was live. It is listed now, its state "not responding", with its pid.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write a"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
id=$("$DESKHAND" run --detach --grant "$G" --mode ask --approve-plan "write a") \
  || fail "run --detach failed"
wait_state "$id" waiting
pid=$(cat "$SOCKDIR/$id.pid")
kill -STOP "$pid"
trap 'kill -CONT "$pid" 2>/dev/null; cleanup' EXIT
"$DESKHAND" ls --json > "$T/ls" 2>"$T/ls.err" || { cat "$T/ls.err"; fail "ls failed"; }
assert_eq "$(jq -r --arg s "$id" '.[] | select(.id == $s) | .state' "$T/ls")" "not responding" \
  "ls of a stopped engine: $(cat "$T/ls")"
assert_eq "$(jq -r --arg s "$id" '.[] | select(.id == $s) | .pid' "$T/ls")" "$pid"
kill -CONT "$pid"
wait_state "$id" waiting
echo ok
