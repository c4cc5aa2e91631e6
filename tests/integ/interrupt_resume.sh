# test: serial (asserts on elapsed time)
# SIGINT mid-stream stops the run quickly, leaves a consistent transcript and
# --resume continues it.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "hang"},
 {"text": "Resumed and done.", "stop_reason": "end_turn", "expect": {"last_user_contains": "go on"}}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "a long task" > "$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 1 200); do [ -s "$FAKE_LOG" ] && break; sleep 0.05; done
[ -s "$FAKE_LOG" ] || fail "request never reached the server"
sleep 0.3   # let the stream start (message_start arrives, then silence)
t0=$(date +%s%N)
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "stopped ${ms} ms after SIGINT"
assert_eq "$rc" 130 "exit status after SIGINT"
[ "$ms" -lt 2000 ] || fail "took ${ms} ms to stop"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" interrupted
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
jq -e . "$tr" >/dev/null || fail "transcript is not valid JSONL"
out2=$("$DESKHAND" run --resume "$sid" --json "go on" 2>"$T/err2") || { cat "$T/err2"; fail "resume failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out2")" done
# roles alternate in the resumed request
roles=$(tail -1 "$FAKE_LOG" | jq -r '.body.messages[].role' | tr '\n' ' ')
assert_eq "$roles" "user "
assert_contains "$(tail -1 "$FAKE_LOG" | jq -c .body.messages)" "a long task"
echo ok
