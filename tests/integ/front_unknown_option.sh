# An unknown option to ls, wait or stop is a usage error (2) named with the
# "deskhand VERB:" prefix, as an extra argument is; getopt's own message
# ("ls: unrecognized option") named the verb as if it were the program.
. "$DH_TESTS/lib.sh"
export XDG_RUNTIME_DIR=$T/run; mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
for verb in ls wait stop; do
  rc=0; "$DESKHAND" $verb --bogus >"$T/out" 2>"$T/err" || rc=$?
  assert_eq "$rc" 2 "$verb --bogus exit status"
  err=$(cat "$T/err")
  assert_eq "$(head -1 <<<"$err")" "deskhand $verb: unknown option '--bogus'"
  assert_contains "$err" "usage: deskhand $verb"
  assert_not_contains "$err" "unrecognized"
done
rc=0; "$DESKHAND" ls -x >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "ls -x exit status"
assert_eq "$(head -1 "$T/err")" "deskhand ls: unknown option '-x'"
echo ok
