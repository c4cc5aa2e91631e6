# A session on a model the registry has no price for: its usage events
# said "total_cost_usd": 0 beside every request's "cost_usd": null, and a
# JSON client read that as free. The session's cost is not known once a
# billed request had no price: total_cost_usd is null in the usage events,
# as is cost_usd in `deskhand sessions --json` ("$?" in its text), in a
# resumed session too; a priced model's totals stay numbers.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "ok", "usage": {"prompt_tokens": 2000, "completion_tokens": 50}},
           {"text": "ok", "usage": {"prompt_tokens": 2000, "completion_tokens": 50}},
           {"text": "ok", "usage": {"prompt_tokens": 2000, "completion_tokens": 50}}]}
JSON
start_fake_openai "$T/script.json"
cp "$DH_CONFIG" "$T/priced.conf"
printf 'set model = local/x\nprovider local base_url = %s/v1\nprovider local kind = openai\n' \
  "$FAKE_URL" >> "$DH_CONFIG"
printf 'set context_window = 32000\n' >> "$DH_CONFIG"
"$DESKHAND" run --grant "$G" --mode auto --json "hi" > "$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
u=$(jq -c 'select(.type=="usage") | [.cost_usd, .total_cost_usd]' "$T/out")
assert_eq "$u" "[null,null]" "the usage event's cost_usd and total_cost_usd"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
s=$("$DESKHAND" sessions --json)
assert_eq "$(jq -c --arg s "$sid" '.[] | select(.id==$s) | [.cost_usd, .input_tokens]' <<<"$s")" \
  '[null,2000]' "sessions --json"
assert_contains "$("$DESKHAND" sessions)" "$sid  done          1 turns  \$?      "
assert_not_contains "$("$DESKHAND" sessions)" '$-1'
# resumed: still not known
"$DESKHAND" run --resume "$sid" --json "again" > "$T/out2" 2>"$T/err2" ||
  { cat "$T/err2"; fail "resume failed"; }
assert_eq "$(jq -c 'select(.type=="usage") | .total_cost_usd' "$T/out2")" null \
  "total_cost_usd after a resume"
# a priced model: numbers
DH_CONFIG=$T/priced.conf "$DESKHAND" run --grant "$G" --mode auto --json "hi" > "$T/out3" \
  2>"$T/err3" || { cat "$T/err3"; fail "priced run failed"; }
assert_eq "$(jq -r 'select(.type=="usage") | [(.cost_usd|type), (.total_cost_usd|type)] | join(",")' \
  "$T/out3")" "number,number" "a priced model's costs"
echo ok
