# How a session meets the model's own stops (docs/context.md "When the model
# stops"). A reply that reaches max_tokens inside a tool call's input: the
# cut call is never run, the person sees why (an error event naming the tool),
# the model is told in the call's result to make it again in smaller pieces,
# and the session goes on to finish. A refusal ends the session with a message
# that says so and how to go on; --resume then continues it.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the report"}]}}]},
 {"fault": "max_tokens_mid_tool", "text": "Writing it.",
  "tool_calls": [{"name": "write_file", "input": {"path": "report.txt", "content": "MUST-NOT-BE-WRITTEN"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "report.txt", "content": "part one\n"}}],
  "expect": {"last_user_contains": "reached the output token limit (max_tokens)"}},
 {"text": "Written in parts.", "stop_reason": "end_turn"},
 {"text": "I can't help with that.", "stop_reason": "refusal"},
 {"text": "Done differently.", "stop_reason": "end_turn", "expect": {"last_user_contains": "something else"}}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write the report" 2>"$T/err") \
  || { cat "$T/err"; fail "the session did not finish after a cut call"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(cat "$G/report.txt")" "part one"
grep -rq MUST-NOT-BE-WRITTEN "$G" && fail "the cut call was run"
err=$(jq -r 'select(.type=="error").message' <<<"$out")
assert_contains "$err" "reached its output limit (max_tokens) inside the input of a call to write_file"
res=$(jq -r 'select(.type=="tool_result" and .is_error==true).output' <<<"$out" | head -1)
assert_contains "$res" "nothing was run"
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")

# A refusal: status failed, exit 1, the message says what happened and how to go on.
rc=0
out2=$("$DESKHAND" run --resume "$sid" --json "now this" 2>"$T/err2") || rc=$?
assert_eq "$rc" 1 "exit status after a refusal"
fin=$(jq -r 'select(.type=="session_finished").message' <<<"$out2")
assert_contains "$fin" "the model declined to go on with this task (stop reason 'refusal')"
assert_contains "$fin" "deskhand run --resume $sid"
out3=$("$DESKHAND" run --resume "$sid" --json "something else" 2>"$T/err3") || { cat "$T/err3"; fail "resume after a refusal failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out3")" done
echo ok
