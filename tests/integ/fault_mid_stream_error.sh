# An error event of an overloaded server in the middle of a stream (after
# message_start and some text) is retried as a cut stream is: a retry event,
# the same body again, the partial text dropped, and the task finishes with
# the whole answer. An error event that is not the server's passing trouble
# ends the run with it, not retried.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "mid_stream_error", "text": "Half an ans"},
 {"fault": "mid_stream_error", "text": "Another half", "error_type": "api_error"},
 {"text": "The whole answer.", "stop_reason": "end_turn"},
 {"fault": "mid_stream_error", "text": "Bad", "error_type": "invalid_request_error"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --json "hello" 2>"$T/err") || { cat "$T/err"; echo "$out"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(jq -r 'select(.type=="retry")|.attempt' <<<"$out" | tr '\n' ' ')" "1 2 "
reasons=$(jq -r 'select(.type=="retry").reason' <<<"$out")
assert_contains "$reasons" "stream error overloaded_error: Overloaded"
assert_contains "$reasons" "stream error api_error"
assert_eq "$(jq -r 'select(.type=="assistant_message").text' <<<"$out")" "The whole answer."
assert_eq "$(wc -l < "$FAKE_LOG")" 3
# the retried requests are identical to the first
assert_eq "$(jq -c .body "$FAKE_LOG" | sort -u | wc -l)" 1

rc=0; "$DESKHAND" run --grant "$G" "hi" >/dev/null 2>"$T/bad.err" || rc=$?
assert_eq "$rc" 1 "a bad request's error event"
assert_contains "$(cat "$T/bad.err")" "stream error invalid_request_error"
assert_eq "$(wc -l < "$FAKE_LOG")" 4 "not retried"
echo ok
