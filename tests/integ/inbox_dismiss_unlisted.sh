# `inbox --dismiss` of a session the inbox does not list (dismissed already,
# or a workbench session, which has no origin) says it is not in the inbox
# and exits 1, writing nothing; a listed one is dismissed as before.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
S=$XDG_STATE_HOME/deskhand/sessions
cat > "$T/fail.json" <<'JSON'
{"turns": [{"fault": "status", "status": 400}]}
JSON
start_fake "$T/fail.json" --cursor-per-key
failing_run() {
  local rc=0
  "$DESKHAND" run --grant "$G" --approve-plan --json "fails" </dev/null >"$T/f.out" 2>&1 || rc=$?
  assert_eq "$rc" 1 "the failing run: $(tail -3 "$T/f.out")"
  jq -r 'select(.type=="session_started") | .session' "$T/f.out"
}
a=$(failing_run); b=$(failing_run)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || fail "two sessions expected: '$a' '$b'"
# b as the workbench records its sessions: no origin
jq 'del(.origin)' "$S/$b/meta.json" >"$T/m" && mv "$T/m" "$S/$b/meta.json"
assert_eq "$("$DESKHAND" inbox --json | jq -r '[.[].id] | join(" ")')" "$a"

# listed: dismissed
assert_eq "$("$DESKHAND" inbox --dismiss "$a")" "dismissed $a"
assert_eq "$("$DESKHAND" inbox --json)" "[]"
# again: not in the inbox
rc=0; "$DESKHAND" inbox --dismiss "$a" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "--dismiss of a dismissed session: $(cat "$T/out" "$T/err")"
assert_eq "$(cat "$T/out")" ""
assert_contains "$(cat "$T/err")" "deskhand: inbox --dismiss $a: $a is not in the inbox (reviewed, dismissed already, or still at work): nothing to dismiss"
# a workbench session: not in the inbox, no mark written
rc=0; "$DESKHAND" inbox --dismiss "$b" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "--dismiss of a workbench session: $(cat "$T/out" "$T/err")"
assert_eq "$(cat "$T/out")" ""
assert_contains "$(cat "$T/err")" "$b is not in the inbox (a workbench session"
[ ! -e "$S/$b/inbox-dismissed" ] || fail "a dismissal mark was written for $b"
echo ok
