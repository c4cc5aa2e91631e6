# A transcript damaged by a crash or a full disk: a partial last line is cut
# off when the session is opened again (and said so), and a corrupt line in
# the middle is skipped with a warning naming file:line; the records after it
# still count, and --resume goes on.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "first answer", "stop_reason": "end_turn"},
 {"text": "second answer", "stop_reason": "end_turn", "expect": {"last_user_contains": "after the torn tail"}},
 {"text": "third answer", "stop_reason": "end_turn", "expect": {"last_user_contains": "after the corrupt line"}}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --json "the first task" 2>"$T/err") || { cat "$T/err"; fail "first run"; }
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
lines=$(wc -l < "$tr")

# A torn tail: half a record, no newline.
printf '{"type":"history","message":{"role":"assis' >> "$tr"
out=$("$DESKHAND" run --resume "$sid" --json "after the torn tail" 2>"$T/err") || { cat "$T/err"; fail "resume after a torn tail"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_contains "$out$(cat "$T/err")" "transcript.jsonl"
assert_contains "$out$(cat "$T/err")" "partial last line"
[ "$(tail -c 1 "$tr" | od -An -c | tr -d ' ')" = '\n' ] || fail "the transcript still ends in a partial line"
jq -e . "$tr" >/dev/null || fail "a torn line is left in the transcript"
# the model saw the whole conversation: both tasks, the first answer
body=$(tail -1 "$FAKE_LOG" | jq -c .body.messages)
assert_contains "$body" "the first task"
assert_contains "$body" "first answer"

# A corrupt line in the middle (what a torn tail fused with the next record
# looked like before appends were all-or-nothing).
bad=$((lines + 1))
sed -i "${bad}s/^/{\"type\":\"history\",\"mess/" "$tr"
out=$("$DESKHAND" run --resume "$sid" --json "after the corrupt line" 2>"$T/err") || { cat "$T/err"; fail "resume with a corrupt line in the middle"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_contains "$out$(cat "$T/err")" "transcript.jsonl:$bad:"
assert_contains "$out$(cat "$T/err")" "skipped"
body=$(tail -1 "$FAKE_LOG" | jq -c .body.messages)
assert_contains "$body" "the first task"
assert_contains "$body" "second answer"
assert_contains "$body" "after the corrupt line"
echo ok
