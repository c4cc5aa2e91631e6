# A retry-after within 60 s is waited out on a timer, then the request is sent
# again; a longer one (retry-after seconds, retry-after-ms or an HTTP date)
# ends the turn at once with an error naming the header and its value, rather
# than retrying on the short backoff the server just refused.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"

# run_script JSON: the fake serves JSON's turns; sets out, rc and secs (the
# run's wall time).
run_script() {
  [ -n "$FAKE_PID" ] && { kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; }
  rm -f "$FAKE_LOG"
  printf '%s\n' "$1" > "$T/script.json"
  start_fake "$T/script.json"
  local t0 t1
  t0=$(date +%s%N)
  rc=0; out=$("$DESKHAND" run --grant "$G" --json "hello" 2>"$T/err") || rc=$?
  t1=$(date +%s%N)
  secs=$(( (t1 - t0) / 1000000000 ))
}
FAKE_LOG=$T/fake-requests.jsonl

# retry-after: 2 is waited: the second request comes 2 s after the first.
run_script '{"turns": [
 {"fault": "status", "status": 429, "retry_after": "2"},
 {"text": "All fine.", "stop_reason": "end_turn"}]}'
assert_eq "$rc" 0 "$(cat "$T/err")"
assert_eq "$(jq -r 'select(.type=="retry")|"\(.attempt) \(.delay_ms)"' <<<"$out")" "1 2000"
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(wc -l < "$FAKE_LOG")" 2
[ "$secs" -ge 2 ] || fail "the run took $secs s: retry-after: 2 was not waited"

# Past the limit, for each form of the header: one request, no retry, and the
# error says what the server asked for.
for f in '"status": 503, "retry_after": "3600"|retry-after: 3600' \
         '"status": 529, "retry_after_ms": "120000"|retry-after-ms: 120000' \
         '"status": 429, "retry_after": "Thu, 01 Jan 2099 00:00:00 GMT"|retry-after: Thu, 01 Jan 2099 00:00:00 GMT'; do
  run_script "{\"turns\": [{\"fault\": \"status\", ${f%%|*}},
   {\"text\": \"All fine.\", \"stop_reason\": \"end_turn\"}]}"
  assert_eq "$rc" 1 "a run whose server asked for a long wait ($f)"
  assert_eq "$(jq -r 'select(.type=="retry")|.attempt' <<<"$out" | wc -l)" 0 "retries ($f)"
  assert_eq "$(wc -l < "$FAKE_LOG")" 1 "requests ($f)"
  msg=$(jq -r 'select(.type=="session_finished").message' <<<"$out")
  assert_contains "$msg" "not retried: the server said ${f#*|}, a wait over the 60 s"
  [ "$secs" -lt 2 ] || fail "the refusal took $secs s ($f)"
done
echo ok
