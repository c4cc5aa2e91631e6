# A resume stopped after it wrote the "interrupted" result of a call the
# killed session left running, but before its recovery took the call's
# checkpoint: the next command still counts what the call changed as its
# step ("interrupted: ID (recovered)"), so undo reverts it. Before, the call
# had a result, so its changes were recorded as someone else's and undo had
# no step to undo.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo orig > "$G/f.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Run"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_cmd", "input": {"command":
   "echo changed > f.txt; touch ready; sleep 30"}}]},
 {"text": "unused", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" "Run"
rm "$G/ready"
sid=$(ls "$XDG_STATE_HOME/deskhand/sessions" | head -1)
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
call=$(jq -r 'select(.type=="history" and .message.role=="assistant") | .message.content[]
  | select(.type=="tool_use" and .name=="run_command") | .id' "$tr" | tail -1)
[ -n "$call" ] || fail "no run_command call in the transcript"
# what a resume writes first, and was stopped right after: the call's
# "interrupted" result merged with the person's new message
jq -cn --arg id "$call" '{"type": "history", "replace_last": false, "message": {"role": "user",
  "content": [{"type": "tool_result", "tool_use_id": $id, "is_error": true, "content":
  "interrupted: the session was stopped while this call was pending or running, so it may have run in part, in full or not at all."},
  {"type": "text", "text": "first"}]}}' >> "$tr"
cd "$G"
# undo records what changed first (the recovery), then undoes the step
out=$("$DESKHAND" undo 2>&1) || { echo "$out"; fail "undo failed"; }
echo "$out"
assert_eq "$(cat f.txt)" orig "f.txt after the undo"
log=$("$DESKHAND" log 2>&1) || { echo "$log"; fail "log failed"; }
echo "$log"
assert_contains "$log" "interrupted: $call (recovered)"
case $log in *"external changes"*) fail "the call's change was recorded as external";; esac
echo ok
