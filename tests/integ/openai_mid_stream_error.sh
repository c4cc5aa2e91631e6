# An error object in the middle of an OpenAI-compatible stream (after some
# text) from a failing, overloaded or rate-limited server (llama.cpp's
# server_error, OpenAI's rate_limit_exceeded code, vLLM's InternalServerError,
# with or without [DONE] after it) is retried as a cut stream is: a retry
# event, the same body again, and the task finishes with the whole answer.
# An error object that is not the server's passing trouble (a bad request)
# ends the run with it, not retried.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "mid_stream_error", "text": "Half an ans", "done": false},
 {"fault": "mid_stream_error", "text": "Another", "done": true,
  "error_type": "requests", "code": "rate_limit_exceeded"},
 {"fault": "mid_stream_error", "text": "Third", "error_type": "InternalServerError"},
 {"text": "The whole answer."},
 {"fault": "mid_stream_error", "text": "Bad", "error_type": "invalid_request_error",
  "code": 400}
]}
JSON
start_fake_openai "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --json "hello" 2>"$T/err") ||
  { cat "$T/err"; echo "$out"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(jq -r 'select(.type=="retry")|.attempt' <<<"$out" | tr '\n' ' ')" "1 2 3 "
reasons=$(jq -r 'select(.type=="retry").reason' <<<"$out")
assert_contains "$reasons" "stream error server_error: fake: the model crashed"
assert_contains "$reasons" "stream error requests: fake: the model crashed"
assert_contains "$reasons" "stream error InternalServerError"
assert_eq "$(jq -r 'select(.type=="assistant_message").text' <<<"$out")" "The whole answer."
assert_eq "$(wc -l < "$FAKE_LOG")" 4
assert_eq "$(jq -c .body "$FAKE_LOG" | sort -u | wc -l)" 1 "the retries resend the same body"

rc=0; "$DESKHAND" run --grant "$G" "hi" >/dev/null 2>"$T/bad.err" || rc=$?
assert_eq "$rc" 1 "a bad request's error object"
assert_contains "$(cat "$T/bad.err")" "stream error invalid_request_error"
assert_eq "$(wc -l < "$FAKE_LOG")" 5 "not retried"
echo ok
