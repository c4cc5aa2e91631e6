# A managed policy that locks base_url (and provider and model, as
# docs/policy.md says) keeps the model's requests on that endpoint: a
# person's `provider anthropic kind = openai` turned the locked provider into
# an OpenAI-kind one with no base_url, whose requests went to the OpenAI
# API's own endpoint. Such a line is refused, naming the file, its line and
# the policy's; giving the kind it already has is fine.
. "$DH_TESTS/lib.sh"
[ "$(id -u)" = 0 ] || skip "a managed policy must be root's: run as root"
[ -e /etc/deskhand/policy ] && skip "this machine has its own /etc/deskhand/policy"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "$(dirname "$cfg")"
G=$T/work; mkdir -p "$G"
echo '{"turns": [{"text": "Hi.", "stop_reason": "end_turn"}]}' >"$T/script.json"
start_fake "$T/script.json"
P=$T/policy
printf 'set base_url = %s\nlock provider\nlock model\n' "$FAKE_URL" >"$P"; chmod 644 "$P"
export DH_POLICY_FILE=$P
want="$cfg:2: provider anthropic: kind is locked with base_url by the managed policy ($P:1)"

printf 'set mode = ask\nprovider anthropic kind = openai\n' >"$cfg"
rc=0; "$DESKHAND" config >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "config over a kind the locked base_url refuses"
assert_contains "$(cat "$T/err")" "$want"
rc=0; "$DESKHAND" models --json >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "models over a kind the locked base_url refuses"
assert_contains "$(cat "$T/err")" "$want"
rc=0; "$DESKHAND" run --grant "$G" --json "hello" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "a run over a kind the locked base_url refuses"
assert_contains "$(cat "$T/out" "$T/err")" "$want"
[ ! -s "$FAKE_LOG" ] || fail "a request was sent: $(head -c 500 "$FAKE_LOG")"

# A provider of the person's own cannot be given a kind either: without a
# base_url (refused too) an openai one would go to the API's endpoint.
printf 'provider mine kind = openai\n' >"$cfg"
rc=0; "$DESKHAND" config >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "config over a new provider's kind under a locked base_url"
assert_contains "$(cat "$T/err")" "$cfg:1: provider mine: kind is locked with base_url"

# The kind it has is fine, and the session reaches the policy's endpoint.
printf 'provider anthropic kind = anthropic\n' >"$cfg"
"$DESKHAND" run --grant "$G" --json "hello" >"$T/out" 2>"$T/err" \
  || { cat "$T/err"; fail "the run did not reach the policy's endpoint"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" done
[ -s "$FAKE_LOG" ] || fail "the policy's endpoint saw no request"
echo ok
