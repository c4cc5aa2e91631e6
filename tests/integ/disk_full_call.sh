# A full disk under the state directory when the model asks for a tool call
# too big for it: the history record of the call cannot be written, so the
# call is not run (its change would be on the disk with no record of its being
# asked for), the session stops, and no later record of the conversation is
# written after the lost one. Before, the write ran, and the tool result's
# record (small) did fit: every --resume sent a result without its call and
# the API refused it (400), for good. With space again, --resume goes on.
. "$DH_TESTS/lib.sh"
small_state 2m
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_big", "input": {"path": "big.txt"},
   "fill": {"field": "content", "bytes": 2500000}}]},
 {"text": "resumed", "stop_reason": "end_turn"},
 {"text": "again", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json" --check-history
rc=0; out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "Write" 2>"$T/err") || rc=$?
assert_eq "$rc" 1 "exit status"
assert_contains "$(jq -r 'select(.type=="session_finished").message' <<<"$out")" \
  "transcript could not be written"
assert_contains "$(jq -r 'select(.type=="tool_result").output' <<<"$out")" \
  "not run: the transcript could not be written"
[ -e "$G/big.txt" ] && fail "the write ran though its call was not recorded"
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
jq -e . "$tr" >/dev/null || fail "a torn line in the transcript"
# no tool result in the recorded conversation without the call it answers
assert_eq "$(jq -rs '[.[] | select(.type=="history") | .message.content[]? | select(type=="object")]
  | ([.[] | select(.type=="tool_result") | .tool_use_id] - [.[] | select(.type=="tool_use") | .id])
  | join(",")' "$tr")" "" "tool results without their call in the recorded conversation"
mount -o remount,size=16m "$T/small" || skip "cannot grow the tmpfs"
for word in "go on" "and again"; do
  out=$("$DESKHAND" run --resume latest --json "$word" 2>"$T/err") \
    || { cat "$T/err"; tail -3 "$FAKE_LOG"; fail "--resume after the full disk ($word)"; }
done
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done "the second resume"
[ -e "$G/big.txt" ] && fail "big.txt appeared"
echo ok
