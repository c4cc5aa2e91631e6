# `deskhand sessions` and `deskhand usage` refuse what they do not take with
# exit status 2 and a message naming it: an operand, or an option of the
# other session verbs (--session, --force, --to), as for an unknown option.
. "$DH_TESTS/lib.sh"
# bad EXPECTED ARGS...: `deskhand ARGS` exits 2, its stderr begins with EXPECTED
bad() {
  local want=$1 rc=0; shift
  "$DESKHAND" "$@" >"$T/out" 2>"$T/err" || rc=$?
  assert_eq "$rc" 2 "deskhand $*: $(cat "$T/out" "$T/err")"
  assert_eq "$(head -1 "$T/err")" "$want" "the first line of deskhand $*'s message"
  assert_eq "$(cat "$T/out")" "" "deskhand $*'s output"
}
bad "deskhand sessions: unexpected argument 'foo'" sessions foo
bad "deskhand sessions: unexpected argument 'foo'" sessions --json foo
bad "deskhand sessions: option '--session' does not apply" sessions --session x
bad "deskhand sessions: option '--force' does not apply" sessions --force
bad "deskhand sessions: option '--to' does not apply" sessions --to x
bad "deskhand sessions: option '-t' does not apply" sessions -t x
bad "deskhand sessions: unknown option '--bogus'" sessions --bogus
bad "deskhand usage: unexpected argument 'foo'" usage foo
bad "deskhand usage: unexpected argument 'model'" usage --json model
bad "deskhand usage: unknown option '--bogus'" usage --bogus
# what they take still works
"$DESKHAND" sessions --json >"$T/out" 2>"$T/err" || fail "sessions --json: $(cat "$T/err")"
assert_eq "$(cat "$T/out")" "[]"
"$DESKHAND" usage --by model --json >"$T/out" 2>"$T/err" || fail "usage: $(cat "$T/err")"
assert_eq "$(jq -r .by "$T/out")" model
echo ok
