# A provider of kind azure has no endpoint of its own: without a base_url
# line, `models` lists it as needing one (not as using the anthropic
# base_url option) and a run or `models --model` using it is refused before
# any request, naming the provider's FILE:LINE and the line to add. A
# provider of kind openai without one is listed at its kind's default.
. "$DH_TESTS/lib.sh"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "$(dirname "$cfg")"
G=$T/work; mkdir -p "$G"
cat >"$cfg" <<'CFG'
set mode = ask
provider work kind = azure
provider work key_env = AZ_KEY
provider lab kind = openai
CFG
export AZ_KEY=k
"$DESKHAND" models >"$T/out" 2>"$T/err" || fail "models exited $?: $(cat "$T/err")"
assert_eq "$(grep '^work ' "$T/out" | tr -s ' ')" "work azure (none: add base_url) AZ_KEY (set)"
assert_eq "$(grep '^lab ' "$T/out" | tr -s ' ')" "lab openai (the kind's default) (none)"
assert_contains "$(grep '^anthropic ' "$T/out")" "(the base_url option)"
want="$cfg:2: provider 'work' of kind azure has no base_url (add 'provider work base_url = https://RESOURCE.openai.azure.com')"
rc=0; "$DESKHAND" models --model work/gpt-4o >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "models --model work/gpt-4o"
assert_contains "$(cat "$T/err")" "$want"
echo '{"turns": [{"text": "done", "stop_reason": "end_turn"}]}' >"$T/script.json"
start_fake "$T/script.json"
rc=0; "$DESKHAND" run --grant "$G" --model work/gpt-4o "hi" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "a run on an azure provider without base_url"
assert_contains "$(cat "$T/err")" "$want"
[ ! -s "$FAKE_LOG" ] || fail "a request was sent"

# With its base_url the provider is listed at it and the name resolves.
echo "provider work base_url = $FAKE_URL" >>"$cfg"
"$DESKHAND" models --model work/gpt-4o >"$T/out" 2>"$T/err" || fail "models exited $?: $(cat "$T/err")"
assert_contains "$(grep '^work ' "$T/out")" "$FAKE_URL"
assert_contains "$(cat "$T/out")" "in use: work/gpt-4o (azure at $FAKE_URL)"
