# Invalid UTF-8 from the model (streamed text and a tool call's input) and in
# a steer command becomes U+FFFD: the session completes, every line of the
# --json stream and of transcript.jsonl parses strictly, the next request is
# valid JSON (the fake answers 400 otherwise), and --resume works.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
# "\udcff" in a script string is sent as the raw byte 0xff (see the fake).
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "caf\u00e9 \udcff\udcfe broken \udce9t\u00e9", "tool_calls": [{"name": "list_files", "input": {"pattern": "*\udcff"}}]},
 {"text": "done \udcc3", "stop_reason": "end_turn", "expect": {"last_user_contains": "no entries"}},
 {"fault": "slow", "delay_ms": 30, "text": "thinking it over", "stop_reason": "end_turn"},
 {"text": "steered", "stop_reason": "end_turn", "expect": {"last_user_contains": "zebra \ufffd"}},
 {"text": "resumed", "stop_reason": "end_turn", "expect": {"last_user_contains": "again"}}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "look" >"$T/out1" 2>"$T/err1" || { cat "$T/err1" "$T/out1"; fail "run 1 failed"; }
assert_strict_jsonl "$T/out1"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out1")" done
# the invalid bytes became U+FFFD, the valid text around them is kept
assert_contains "$(jq -r 'select(.type=="assistant_message").text' "$T/out1")" "café �� broken �té"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out1")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
assert_strict_jsonl "$tr"

# A steer command carrying invalid UTF-8 (raw 0xff) while a turn streams.
fifo=$T/cmd; mkfifo "$fifo"
"$DESKHAND" run --resume latest --json --commands "think" <"$fifo" >"$T/out2" 2>"$T/err2" &
pid=$!
exec 9>"$fifo"
for _ in $(seq 1 200); do grep -q '"text_delta"' "$T/out2" && break; sleep 0.05; done
printf '{"type":"steer","text":"zebra \xff"}\n' >&9
exec 9>&-
wait $pid || { cat "$T/err2"; fail "run 2 failed"; }
assert_strict_jsonl "$T/out2" "$tr"
assert_eq "$(jq -r 'select(.type=="user_message").text' "$T/out2")" "zebra �"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out2")" done

# And the session resumes again (every request so far was valid JSON).
"$DESKHAND" run --resume latest --json "again" >"$T/out3" 2>"$T/err3" || { cat "$T/err3"; fail "resume failed"; }
assert_strict_jsonl "$T/out3" "$tr"
assert_eq "$(jq -r 'select(.type=="session_finished").message' "$T/out3")" resumed
! grep -q unparsable "$FAKE_LOG" || fail "a request body was not valid UTF-8 JSON"
echo ok
