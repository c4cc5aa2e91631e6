# A damaged transcript line in the middle costs that record, not the session:
# when the line held a tool call (its result is then an orphan) or a call's
# result (the call is then unanswered), --resume still sends a conversation
# the API accepts (the fake checks it as the API does) and goes on. It used to
# fail at once, and at every resume after: "HTTP 400 invalid_request_error:
# ... unexpected `tool_use_id` found in `tool_result` blocks".
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write a"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"text": "first done", "stop_reason": "end_turn"},
 {"text": "second done", "stop_reason": "end_turn", "expect": {"last_user_contains": "after the lost call"}},
 {"text": "third done", "stop_reason": "end_turn", "expect": {"last_user_contains": "after the lost result"}}
]}
JSON
start_fake "$T/script.json" --check-history
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write a" > "$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "the first run failed"; }
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
call=$(jq -r 'select(.type=="tool_call" and .name=="write_file").id' "$T/out")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
cp "$tr" "$T/transcript.whole"

# resume_damaged PATTERN TASK: the history record matching PATTERN cut to
# half a line, then `run --resume` with TASK must finish done; its last
# request's messages are in $msgs.
resume_damaged() {
  local n
  cp "$T/transcript.whole" "$tr"
  n=$(grep -n "^{\"type\":\"history\".*$1" "$tr" | head -1 | cut -d: -f1)
  [ -n "$n" ] || fail "no history record matches $1"
  sed -i "${n}s/^\(.\{40\}\).*/\1/" "$tr"
  "$DESKHAND" run --resume "$sid" --mode auto --json "$2" > "$T/resumed" 2>"$T/err" ||
    { cat "$T/err"; fail "resume with line $n damaged ($1)"; }
  assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/resumed")" done "$2"
  assert_contains "$(cat "$T/resumed" "$T/err")" "transcript.jsonl:$n:"
  msgs=$(tail -1 "$FAKE_LOG" | jq -c .body.messages)
  assert_contains "$msgs" "$2"
}

# The line with the write_file call: its result is left out.
resume_damaged "\"type\":\"tool_use\",\"id\":\"$call\"" "after the lost call"
assert_not_contains "$msgs" "\"tool_use_id\":\"$call\""
assert_contains "$msgs" "The plan was approved"

# The line with its result: the call is answered as lost, not left open.
resume_damaged "\"type\":\"tool_result\",\"tool_use_id\":\"$call\"" "after the lost result"
assert_contains "$msgs" "\"tool_use_id\":\"$call\""
assert_contains "$msgs" "the result of this call was lost"
echo ok
