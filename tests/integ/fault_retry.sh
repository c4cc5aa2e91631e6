# 429 with retry-after and 529 are retried (with retry events) and the session finishes;
# with `set max_retries = 0` nothing is retried.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "status", "status": 429, "retry_after": "1"},
 {"fault": "status", "status": 529},
 {"text": "All fine.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --json "hello" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(jq -r 'select(.type=="retry")|.attempt' <<<"$out" | tr '\n' ' ')" "1 2 "
reasons=$(jq -r 'select(.type=="retry").reason' <<<"$out")
assert_contains "$reasons" "429"
assert_contains "$reasons" "529"
# retry-after: 1 honoured (the first delay is 1000 ms)
assert_eq "$(jq -r 'select(.type=="retry" and .attempt==1).delay_ms' <<<"$out")" 1000
assert_eq "$(wc -l < "$FAKE_LOG")" 3
# the retried requests are identical to the first
assert_eq "$(jq -c .body "$FAKE_LOG" | sort -u | wc -l)" 1

# max_retries = 0: the first 429 fails the run, with no retry event.
mkdir -p "$XDG_CONFIG_HOME/deskhand"
echo 'set max_retries = 0' > "$XDG_CONFIG_HOME/deskhand/config"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true
rm -f "$FAKE_LOG"
start_fake "$T/script.json"
rc=0; out=$("$DESKHAND" run --grant "$G" --json "hello" 2>"$T/err") || rc=$?
assert_eq "$rc" 1 "a run with no retries left"
assert_eq "$(jq -r 'select(.type=="retry")|.attempt' <<<"$out" | wc -l)" 0
assert_eq "$(wc -l < "$FAKE_LOG")" 1
echo ok
