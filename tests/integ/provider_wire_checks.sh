# What reaches the provider is what the config and the environment say, and
# what cannot work is refused before any request:
# - a provider's `header` lines go with every request of an anthropic-kind
#   provider too (a gateway's auth header; only openai.c sent them);
# - a key with a control character (a CRLF .env file's CR) is refused naming
#   its variable: it cut the request's headers short (400, "anthropic-version
#   header is required"), or a LF in it added a header;
# - ANTHROPIC_BASE_URL that is no URL is refused naming it, not retried four
#   times as a connection error;
# - a model "nope/x" whose provider does not exist is refused, naming it;
# - `deskhand models` names the endpoint a run uses (it ignored the
#   environment's);
# - a request never asks more output than the model gives: --thinking 60000
#   on claude-sonnet-4-5 asked max_tokens 68192 (limit 64000), which the API
#   refuses every time.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
echo '{"turns": [{"text": "ok", "stop_reason": "end_turn"}, {"text": "ok", "stop_reason": "end_turn"}]}' \
  > "$T/script.json"
start_fake "$T/script.json"
printf 'provider anthropic header = X-Gateway-Auth: Bearer GW\n' > "$T/h.conf"
DH_CONFIG=$T/h.conf "$DESKHAND" run --grant "$G" --mode auto "hi" > "$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run with a provider header failed"; }
assert_eq "$(jq -r '.headers["x-gateway-auth"]' "$FAKE_LOG")" "Bearer GW" "the gateway header sent"

n=$(wc -l < "$FAKE_LOG")
rc=0; ANTHROPIC_API_KEY=$'test-key-123\r' "$DESKHAND" run --grant "$G" "hi" > "$T/out" 2>"$T/err" || rc=$?
[ "$rc" != 0 ] || fail "a key with a CR was taken"
assert_contains "$(cat "$T/err")" "ANTHROPIC_API_KEY: the key holds a control character (0x0d at byte 13)"
rc=0; ANTHROPIC_API_KEY=$'k\nX-Injected: yes' "$DESKHAND" run --grant "$G" "hi" > "$T/out" 2>"$T/err" || rc=$?
[ "$rc" != 0 ] || fail "a key with a LF was taken"
assert_contains "$(cat "$T/err")" "ANTHROPIC_API_KEY: the key holds a control character (0x0a at byte 2)"
rc=0; ANTHROPIC_BASE_URL='not a url' "$DESKHAND" run --grant "$G" "hi" > "$T/out" 2>"$T/err" || rc=$?
[ "$rc" != 0 ] || fail "ANTHROPIC_BASE_URL 'not a url' was taken"
assert_contains "$(cat "$T/err")" "ANTHROPIC_BASE_URL: 'base_url' must be an http:// or https:// URL with a host, not 'not a url'"
assert_not_contains "$(cat "$T/out" "$T/err")" "retrying"
assert_eq "$(wc -l < "$FAKE_LOG")" "$n" "requests made by the refused runs"

"$DESKHAND" models > "$T/models"
assert_contains "$(grep '^in use:' "$T/models")" "(anthropic at $FAKE_URL, from ANTHROPIC_BASE_URL)"
assert_eq "$("$DESKHAND" models --json | jq -r .in_use.base_url)" "$FAKE_URL" "models --json's base_url"

# A provider's name mistyped: it went to Anthropic as the model "nope/x".
rc=0; "$DESKHAND" run --grant "$G" --model nope/claude-x "hi" > "$T/out" 2>"$T/err" || rc=$?
[ "$rc" != 0 ] || fail "--model nope/claude-x was taken"
assert_contains "$(cat "$T/err")" "model 'nope/claude-x': no provider 'nope' (there are: "
assert_eq "$(wc -l < "$FAKE_LOG")" "$n" "requests made by the refused runs"

"$DESKHAND" run --grant "$G" --mode auto --thinking 60000 "hi" > "$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run with --thinking 60000 failed"; }
assert_eq "$(tail -1 "$FAKE_LOG" | jq -c '[.body.model, .body.max_tokens, .body.thinking.budget_tokens]')" \
  '["claude-sonnet-4-5",64000,55808]' "the model, max_tokens and budget asked"
echo ok
