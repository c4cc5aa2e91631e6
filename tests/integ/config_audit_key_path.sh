# audit_key is an absolute path: a relative one would be made in whatever
# directory deskhand is started from (a granted folder, where the agent could
# read it) and looked for there by `audit verify`. It is an error naming
# FILE:LINE and the value, in the person's config and in the managed policy;
# no run starts and no key file is made.
. "$DH_TESTS/lib.sh"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "$(dirname "$cfg")"
G=$T/work; mkdir -p "$G"; cd "$G"
want="'audit_key' must be an absolute path (a relative one would be found from wherever deskhand is started)"
for bad in audit.key ./audit.key keys/audit.key '~/audit.key'; do
  printf 'set mode = ask\nset audit_key = %s\n' "$bad" >"$cfg"
  rc=0; "$DESKHAND" config audit_key >/dev/null 2>"$T/err" || rc=$?
  assert_eq "$rc" 1 "audit_key = $bad"
  assert_contains "$(cat "$T/err")" "$cfg:2: $want, not '$bad'"
done
echo '{"turns": [{"text": "done", "stop_reason": "end_turn"}]}' >"$T/script.json"
start_fake "$T/script.json"
printf 'set audit_key = audit.key\n' >"$cfg"
rc=0; "$DESKHAND" run --grant "$G" "hi" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "a run with a relative audit_key"
assert_contains "$(cat "$T/err")" "$cfg:1: $want, not 'audit.key'"
[ ! -e "$G/audit.key" ] || fail "the audit key was made in the granted folder"
[ ! -s "$FAKE_LOG" ] || fail "a request was sent"

# An absolute one is taken, and the run signs its log with it.
printf 'set audit_key = %s\n' "$T/keys/audit.key" >"$cfg"; mkdir -m 700 "$T/keys"
"$DESKHAND" config audit_key >"$T/out" 2>"$T/err" || fail "absolute audit_key refused: $(cat "$T/err")"
assert_contains "$(cat "$T/out")" "set audit_key = $T/keys/audit.key"
"$DESKHAND" run --grant "$G" "hi" >"$T/out" 2>"$T/err" || fail "run exited $?: $(cat "$T/err")"
[ -s "$T/keys/audit.key" ] || fail "the audit key was not made where audit_key names"
(cd / && "$DESKHAND" audit verify >"$T/out" 2>&1) || fail "audit verify failed: $(cat "$T/out")"
assert_contains "$(cat "$T/out")" "keyed head"

if [ "$(id -u)" = 0 ] && [ ! -e /etc/deskhand/policy ]; then
  rm "$cfg"
  P=$T/policy; printf 'set audit_key = audit.key\n' >"$P"; chmod 644 "$P"
  rc=0; DH_POLICY_FILE=$P "$DESKHAND" config >/dev/null 2>"$T/err" || rc=$?
  assert_eq "$rc" 1 "a policy with a relative audit_key"
  assert_contains "$(cat "$T/err")" "$P:1: $want, not 'audit.key'"
fi
