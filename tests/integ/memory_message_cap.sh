# One model message may hold at most message_limit MiB: a stream past it stops
# there with an error that names the limit and the size, nothing of the turn
# enters the history, the transcript stays small, and --resume continues.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
printf 'set message_limit = 1\n' > "$T/config"
export DH_CONFIG=$T/config
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text_bytes": 3145728, "delta_bytes": 16384, "stop_reason": "end_turn"},
 {"text": "Recovered.", "stop_reason": "end_turn", "expect": {"last_user_contains": "go on"}}
]}
JSON
start_fake "$T/script.json"
rc=0; out=$("$DESKHAND" run --grant "$G" --json "talk a lot" 2>"$T/err") || rc=$?
assert_eq "$rc" 1 "exit status"
fin=$(jq -r 'select(.type=="session_finished")|.status+": "+.message' <<<"$out")
echo "$fin"
assert_contains "$fin" "failed: model request failed: model message over the limit"
assert_contains "$fin" "message_limit"
assert_contains "$fin" "1048576 bytes"
# the size received when it stopped is named and is past the limit, not the whole
got=$(sed -n 's/.*: \([0-9]*\) bytes received.*/\1/p' <<<"$fin")
[ -n "$got" ] && [ "$got" -gt 1048576 ] && [ "$got" -lt 3145728 ] || fail "size received: '$got'"
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
size=$(stat -c %s "$tr")
[ "$size" -lt 65536 ] || fail "transcript is $size bytes after a refused message"
jq -e . "$tr" >/dev/null || fail "transcript is not valid JSONL"
out2=$("$DESKHAND" run --resume "$sid" --json "go on" 2>"$T/err2") || { cat "$T/err2"; fail "resume failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out2")" done
body=$(tail -1 "$FAKE_LOG" | jq -c .body.messages)
assert_not_contains "$body" "quick brown fox"
assert_eq "$(tail -1 "$FAKE_LOG" | jq -r '.body.messages[].role' | tr '\n' ' ')" "user "
# a bad value names the option and the range
printf 'set message_limit = 0\n' > "$T/bad"
rc=0; DH_CONFIG=$T/bad "$DESKHAND" run --grant "$G" "x" >/dev/null 2>"$T/e" || rc=$?
[ "$rc" -ne 0 ] || fail "message_limit = 0 was accepted"
assert_contains "$(cat "$T/e")" "message_limit"
echo ok
