# A stream cut mid-response (the connection drops, or the body ends without
# message_stop) is a connection fault: retried with a retry event, the partial
# text dropped, and the task finishes with the whole answer.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "cut_mid_text", "text": "Half an ans"},
 {"fault": "cut_mid_text", "text": "Another half", "clean_end": true},
 {"text": "The whole answer.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --json "hello" 2>"$T/err") || { cat "$T/err"; echo "$out"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(jq -r 'select(.type=="retry")|.attempt' <<<"$out" | tr '\n' ' ')" "1 2 "
assert_contains "$(jq -r 'select(.type=="retry").reason' <<<"$out")" "stream ended mid-response"
assert_eq "$(jq -r 'select(.type=="assistant_message").text' <<<"$out")" "The whole answer."
assert_eq "$(wc -l < "$FAKE_LOG")" 3
# the retried requests are identical to the first
assert_eq "$(jq -c .body "$FAKE_LOG" | sort -u | wc -l)" 1
# headless human output: the retry line has the attempt and the delay
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" "hello" >"$T/human" 2>&1 || { cat "$T/human"; fail "human run failed"; }
grep -E "retrying in [0-9.]+ s \(attempt 1\): stream ended mid-response.*; the text above was cut off" "$T/human" >/dev/null \
  || { cat "$T/human"; fail "no retry line in the human output"; }
echo ok
