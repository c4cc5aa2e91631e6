# `deskhand models` with an option it does not know, or --model without a
# value, is a usage error (exit 2) whose message starts "deskhand models:"
# as the other commands' do, not getopt's "models: unrecognized option".
. "$DH_TESTS/lib.sh"
rc=0; "$DESKHAND" models --bogus >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" "2" "exit status of models --bogus"
assert_eq "$(head -1 "$T/err")" "deskhand models: unknown option '--bogus'" "models --bogus"
assert_contains "$(cat "$T/err")" "usage: deskhand models"
assert_eq "$(cat "$T/out")" "" "what models --bogus printed"
rc=0; "$DESKHAND" models --model >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" "2" "exit status of models --model"
assert_eq "$(head -1 "$T/err")" "deskhand models: option needs a value: '--model'" "models --model"
echo ok
