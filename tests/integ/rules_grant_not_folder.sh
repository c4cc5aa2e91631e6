# `deskhand rules --grant X` where X is a file, a missing path or / is a
# usage error (exit 2) naming X as `run --force --grant X` refuses it, not a
# failure to read "X/.deskhand/config: Not a directory".
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; printf 'x\n' > "$G/file"
for x in "$G/file" "$G/nope" /; do
  rc=0; "$DESKHAND" rules --grant "$x" >"$T/out" 2>"$T/err" || rc=$?
  assert_eq "$rc" "2" "exit status of rules --grant $x"
  rc=0; "$DESKHAND" run --force --grant "$x" "hi" >"$T/run.out" 2>"$T/run.err" </dev/null || rc=$?
  [ "$rc" != 0 ] || fail "run --grant $x was taken"
  why=$(sed 's/^deskhand: //' "$T/run.err")
  [ -n "$why" ] || fail "run --grant $x said nothing"
  assert_eq "$(cat "$T/err")" "deskhand rules: $why" "what rules --grant $x says"
  assert_eq "$(cat "$T/out")" "" "what rules --grant $x printed"
done
assert_contains "$(cd "$G" && "$DESKHAND" rules --grant file 2>&1)" "grant 'file': not a directory"
"$DESKHAND" rules --grant "$G" >/dev/null || fail "rules --grant a folder failed"
echo ok
