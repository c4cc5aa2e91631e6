# A full disk under the state directory: the transcript cannot take the next
# record, the run stops at the turn boundary with a one-line error that says
# what to do, and nothing already written is torn (the file ends with a whole
# line). With space again, --resume continues the same session, twice.
. "$DH_TESTS/lib.sh"
small_state 200k
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
# more than the tmpfs holds (a long text is kept once in the transcript).
# The first turn's call waits for the baseline checkpoint: without it the
# baseline, taken beside the first request, could meet the disk full for the
# instant the big record takes it (before it is cut back off) and fail
# first, under load.
big=$(head -c 600000 /dev/zero | tr '\0' 'x')
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "list_files", "input": {}}]},
 {"text": "$big", "tool_calls": [{"name": "list_files", "input": {}}]},
 {"text": "resumed", "stop_reason": "end_turn"},
 {"text": "again", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
set +e
out=$("$DESKHAND" run --grant "$G" --json "fill it" 2>"$T/err"); rc=$?
set -e
assert_eq "$rc" 1 "exit status"
err=$(jq -r 'select(.type=="session_finished").message' <<<"$out")
echo "$err"
assert_contains "$err" "transcript could not be written"
assert_contains "$err" "--resume"
# the model was not asked again after the failed write
assert_eq "$(wc -l < "$FAKE_LOG")" 2
# what is on disk is whole JSON lines
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
check_whole() { # every line, the last one included, is a JSON object
  [ "$(tail -c 1 "$tr" | od -An -c | tr -d ' ')" = '\n' ] || fail "the transcript ends in a partial line: $(tail -c 80 "$tr")"
  jq -e . "$tr" >/dev/null || fail "a torn line in the transcript"
}
check_whole
# Space again: the session resumes, and resumes again (a torn line fused with
# the next record would break the second one).
mount -o remount,size=4m "$T/small" || skip "cannot grow the tmpfs"
for word in "go on" "and again"; do
  out=$("$DESKHAND" run --resume latest --json "$word" 2>"$T/err") || { cat "$T/err"; fail "--resume after a full disk ($word)"; }
  assert_eq "$(jq -r 'select(.type=="session_started").session' <<<"$out")" "$sid" "resumed session"
  assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done "status after '$word'"
  check_whole
done
echo ok
