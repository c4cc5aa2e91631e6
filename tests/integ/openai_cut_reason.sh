# A Chat Completions stream cut before its finish_reason is retried with a
# reason naming what did not come on that wire: it said "no message_stop",
# an event of Anthropic's protocol that an OpenAI-compatible server never
# sends, which sent a person reading the retry line to the wrong protocol.
# An Anthropic stream cut the same way still names message_stop.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "cut_mid_text", "text": "Half an ans"},
 {"text": "All fine."}
]}
JSON
start_fake_openai "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --json "hello" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
reason=$(jq -r 'select(.type=="retry").reason' <<<"$out")
assert_contains "$reason" "stream ended mid-response (after "
assert_contains "$reason" "no finish_reason)"
assert_not_contains "$reason" "message_stop"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=
unset DH_CONFIG

cat > "$T/anthropic.json" <<'JSON'
{"turns": [
 {"fault": "cut_mid_text", "text": "Half an ans"},
 {"text": "All fine.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/anthropic.json"
out=$("$DESKHAND" run --grant "$G" --json "hello" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
assert_contains "$(jq -r 'select(.type=="retry").reason' <<<"$out")" "no message_stop)"
echo ok
