# The managed policy's egress allowlist is the whole list: the person's
# config cannot add to it and a folder's line to that effect is refused,
# each naming the policy's line; in a session a host on it is reached, and a
# host outside it is refused at once, in ask mode too (nobody is asked),
# with the policy's line in the reason, the egress event and the audit log.
. "$DH_TESTS/lib.sh"
[ "$(id -u)" = 0 ] || skip "a managed policy must be root's: run as root"
[ -e /etc/deskhand/policy ] && skip "this machine has its own /etc/deskhand/policy"
start_web
P=$T/etc/policy; mkdir -p "$T/etc"
printf '# the administrator'"'"'s\nallow egress 127.0.0.1:%s allow-private\n' "$WEB_PORT" >"$P"
chmod 644 "$P"
export DH_POLICY_FILE=$P
why="the egress allowlist is locked by the managed policy ($P:2)"

# The person's config may not widen it.
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "$(dirname "$cfg")"
printf 'allow egress example.org\n' >"$cfg"
rc=0; "$DESKHAND" --dump-config >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "$cfg:1: $why: only the hosts it allows may be reached"
: >"$cfg"

# A session in ask mode: a folder's line is refused naming the policy; the
# host on the list is reached, the others refused without a question.
G=$T/work; mkdir -p "$G/.deskhand"
printf 'allow egress localhost:%s\n' "$WEB_PORT" >"$G/.deskhand/config"
cat >"$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [
   {"name": "web_fetch", "input": {"url": "http://127.0.0.1:$WEB_PORT/plain.txt"}},
   {"name": "web_fetch", "input": {"url": "http://localhost:$WEB_PORT/not-on-the-list"}},
   {"name": "web_fetch", "input": {"url": "http://example.org/x"}}
 ]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --mode ask --json "fetch" >"$T/out" 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
assert_contains "$(jq -r 'select(.type=="audit" and .name=="rules") | .detail' "$T/out")" \
  "$G/.deskhand/config:1: $why: allow egress localhost:$WEB_PORT"
res() { jq -rs --argjson n "$1" '[.[] | select(.type=="tool_result" and .name=="web_fetch")][$n] | "\(.is_error) \(.output)"' "$T/out"; }
assert_contains "$(res 0)" "false [untrusted web content from http://127.0.0.1:$WEB_PORT/plain.txt"
locked="not on the egress allowlist, which the managed policy locks ($P:2)"
assert_contains "$(res 1)" "$locked"
assert_contains "$(res 2)" "$locked"
assert_eq "$(jq -s '[.[] | select(.type=="approval_needed")] | length' "$T/out")" 0
assert_eq "$(jq -r 'select(.type=="egress" and .host=="example.org") | [.allowed, .reason] | @tsv' "$T/out")" \
  "$(printf 'false\t%s' "$locked")"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
A=$XDG_STATE_HOME/deskhand/sessions/$sid/audit.jsonl
assert_eq "$(jq -r 'select(.type=="egress" and .host=="localhost") | [.allowed, .reason] | @tsv' "$A")" \
  "$(printf 'false\t%s' "$locked")"
assert_eq "$(jq -r 'select(.type=="session_start") | .policy.egress[0] | [.host, .where] | @tsv' "$A")" \
  "$(printf '127.0.0.1:%s allow-private\t%s' "$WEB_PORT" "$P:2")"
sleep 0.2
assert_contains "$(cat "$WEB_LOG")" "GET /plain.txt"
assert_eq "$(grep -c not-on-the-list "$WEB_LOG")" 0
echo ok
