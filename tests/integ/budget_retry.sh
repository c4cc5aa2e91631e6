# A retry is a model request like any other: what the attempts before it were
# billed counts, and a spend cap is checked before it is sent. The first
# attempt's stream breaks after the provider reported 50000 input tokens
# ($0.15); a retry could cost $0.12 more at max_tokens alone, past
# `--max-cost 0.2`, so it is never sent: the run ends with status budget
# (exit 7) naming max_cost, the $0.15 spent and the retry's estimate, and the
# fake model got one request.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "cut_mid_text", "text": "Half", "usage": {"input_tokens": 50000}},
 {"fault": "cut_mid_text", "text": "Half again", "usage": {"input_tokens": 50000}},
 {"text": "Done.", "stop_reason": "end_turn", "usage": {"input_tokens": 50000, "output_tokens": 7}}
]}
JSON
start_fake "$T/script.json"
rc=0
"$DESKHAND" run --grant "$G" --json --max-cost 0.2 "hello" >"$T/out" 2>"$T/err" </dev/null || rc=$?
jq -c 'select(.type=="retry" or .type=="budget" or .type=="usage" or .type=="session_finished")' \
  "$T/out"
assert_eq "$(wc -l < "$FAKE_LOG")" 1 "requests the fake model got"
assert_eq "$rc" 7 "exit status of a run stopped by its spend cap"
# the first attempt's tokens are billed, and counted
assert_eq "$(jq -s -c '[.[] | select(.type=="usage")] | [(map(.input_tokens) | add), last.total_cost_usd]' "$T/out")" \
  '[50000,0.150015]'
assert_eq "$(jq -c 'select(.type=="budget") | [.spent, .cap, .limit]' "$T/out")" \
  '[0.150015,0.2,"max_cost"]'
est=$(jq -r 'select(.type=="budget") | .estimate' "$T/out")
jq -e --argjson e "$est" -n '$e > 0.12288 and $e < 0.2' >/dev/null \
  || fail "estimate $est: not the retry's max_tokens output plus its input"
assert_eq "$(jq -r 'select(.type=="session_finished") | .status' "$T/out")" budget
assert_contains "$(jq -r 'select(.type=="session_finished") | .message' "$T/out")" \
  'spend cap: the next request could cost $0.1'
# Under a cap the retries fit in, they go on as before.
rc=0
"$DESKHAND" run --grant "$G" --json --max-cost 5 "again" >"$T/out2" 2>"$T/err2" </dev/null || rc=$?
assert_eq "$rc" 0 "a run whose retries fit under its cap"
assert_eq "$(jq -r 'select(.type=="retry") | .attempt' "$T/out2" | tr '\n' ' ')" "1 "
echo ok
