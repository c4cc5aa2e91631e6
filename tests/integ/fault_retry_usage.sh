# The tokens of a stream that failed after message_start reported its usage
# (cut before message_stop) are billed by the provider:
# they count in the session's usage and cost (and so in its spend caps and
# in `deskhand usage`) whether the request was retried or failed for good.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "cut_mid_text", "text": "Half", "usage": {"input_tokens": 1000}},
 {"fault": "cut_mid_text", "text": "Half again", "clean_end": true, "usage": {"input_tokens": 2000}},
 {"text": "Done.", "stop_reason": "end_turn", "usage": {"input_tokens": 3000, "output_tokens": 7}},
 {"fault": "cut_mid_text", "text": "Lost", "usage": {"input_tokens": 4000}}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --json "hello" 2>"$T/err") || { cat "$T/err"; echo "$out"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(jq -r 'select(.type=="retry")|.attempt' <<<"$out" | tr '\n' ' ')" "1 2 "
# message_start reports output_tokens 1 for each failed stream
assert_eq "$(jq -s -c '[.[]|select(.type=="usage")] | [(map(.input_tokens)|add), (map(.output_tokens)|add)]' <<<"$out")" "[6000,9]" "tokens of the run"
# claude-sonnet-4-5: $3 / $15 per million
assert_eq "$(jq -s -r '[.[]|select(.type=="usage")] | last.total_cost_usd * 1000000 | round' <<<"$out")" 18135 "cost in micro-dollars"
"$DESKHAND" usage --json >"$T/u1.json" || fail "usage --json"
assert_eq "$(jq -c '[.total.input_tokens, .total.output_tokens]' "$T/u1.json")" "[6000,9]"

# No retry left: the failed request's tokens still count.
mkdir -p "$XDG_CONFIG_HOME/deskhand"
echo 'set max_retries = 0' > "$XDG_CONFIG_HOME/deskhand/config"
rc=0; out=$("$DESKHAND" run --grant "$G" --json "again" 2>"$T/err2") || rc=$?
assert_eq "$rc" 1 "a request that failed for good"
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" failed
assert_eq "$(jq -s -c '[.[]|select(.type=="usage")] | [(map(.input_tokens)|add), (map(.output_tokens)|add)]' <<<"$out")" "[4000,1]" "tokens of the failed run"
"$DESKHAND" usage --json >"$T/u2.json" || fail "usage --json"
assert_eq "$(jq -c '[.total.input_tokens, .total.output_tokens]' "$T/u2.json")" "[10000,10]"
echo ok
