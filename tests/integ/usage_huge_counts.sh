# A model server's token counts are read into [0, 2^40] a request
# (LLM_TOKENS_MAX): one that reported 9e18 input tokens twice in a run made
# the cost caps' token sum overflow a long, and the run died (undefined
# behaviour; SIGILL under the sanitizers). A transcript edited to hold such
# counts is summed by `deskhand usage` the same way.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"usage": {"input_tokens": 9e18, "output_tokens": -9e18, "cache_read_input_tokens": 1e300},
  "tool_calls": [{"name": "read_file", "input": {"path": "a.txt"}}]},
 {"text": "Done.", "stop_reason": "end_turn",
  "usage": {"input_tokens": 9e18, "output_tokens": 9}}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --mode auto --json "task" >"$T/out" 2>"$T/err" </dev/null ||
  fail "the run failed: $(tail -5 "$T/err")"
max=1099511627776
assert_eq "$(jq -c 'select(.type=="usage") | [.input_tokens, .output_tokens, .cache_read_tokens]' \
  "$T/out" | tr '\n' ' ')" "[$max,0,$max] [$max,9,0] " "each request's counts"
assert_eq "$(jq -c 'select(.type=="usage") | .total_input_tokens' "$T/out" | tail -1)" \
  "$((2 * max))" "the run's total"

# Every usage record of the transcript edited to the largest count a long
# long holds: usage sums them as counts of at most 2^40.
D=$XDG_STATE_HOME/deskhand/sessions/$(jq -r 'select(.type=="session_started").session' "$T/out")
jq -c 'if .type == "usage" then .input_tokens = 9223372036854774784
  | .output_tokens = 9223372036854774784 else . end' "$D/transcript.jsonl" >"$T/t" &&
  cp "$T/t" "$D/transcript.jsonl"
"$DESKHAND" usage --json >"$T/usage.json" 2>"$T/err" || fail "usage: $(tail -5 "$T/err")"
assert_eq "$(jq -c '.total | [.requests, .input_tokens, .output_tokens]' "$T/usage.json")" \
  "[2,$((2 * max)),$((2 * max))]" "usage of the edited transcript"
echo ok
