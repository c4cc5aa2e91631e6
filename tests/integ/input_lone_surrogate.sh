# A lone surrogate escape ("\ud800": valid JSON text, JavaScript's
# JSON.stringify writes one) in the model's streamed text and in a tool
# call's input reads as U+FFFD: the turn goes on, the tool runs with it, and
# the next request is valid JSON (the fake answers 400 otherwise).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
# A surrogate other than U+DC80-U+DCFF is sent as its escape (see the fake).
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "odd \ud800 here \udfff end", "tool_calls": [{"name": "list_files", "input": {"pattern": "*\udbff"}}]},
 {"text": "done", "stop_reason": "end_turn", "expect": {"last_user_contains": "no entries"}}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "look" >"$T/out" 2>"$T/err" || { cat "$T/err" "$T/out"; fail "run failed"; }
assert_strict_jsonl "$T/out"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" done
assert_eq "$(jq -r 'select(.type=="assistant_message").text' "$T/out" | head -1)" "odd � here � end"
assert_eq "$(jq -r 'select(.type=="tool_call").input.pattern' "$T/out")" "*�"
assert_eq "$(wc -l < "$FAKE_LOG")" 2
assert_contains "$(jq -r '.body.messages[1].content[] | select(.type=="tool_use").input.pattern' "$FAKE_LOG" | tail -1)" "*�"
echo ok
