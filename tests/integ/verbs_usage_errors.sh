# A usage error says what is wrong before the usage text, and exits 2: an
# argument a verb does not take is named (undo, redo, restore), a missing one
# said (restore, reject), and `run --bogus` names the option instead of
# asking for a TASK, nor runs a session with "--origin" for its model when
# the TASK is forgotten. An empty operand names nothing (`accept ''` accepted
# nothing and exited 1, "empty path"). A bad hunk number says what is wrong.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; cd "$G"
check() { # EXPECTED-TEXT CMD...
  local want=$1 rc=0; shift
  "$DESKHAND" "$@" >"$T/out" 2>"$T/err" || rc=$?
  assert_eq "$rc" 2 "exit status of: $*"
  assert_contains "$(head -1 "$T/err")" "$want"
}
check "deskhand undo: unexpected argument 'extra'" undo extra
check "deskhand undo: --steps and --to go one at a time" undo --steps 2 --to baseline
check "deskhand redo: unexpected argument 'x'" redo x
check "deskhand restore: unexpected argument 'b'" restore a b
check "deskhand restore: expected a CHECKPOINT" restore
check "deskhand reject: expected a PATH" reject
check "deskhand: operand 1 is empty: it names nothing" accept ''
check "deskhand: operand 2 is empty: it names nothing" reject a.txt ''
check "deskhand: operand 1 is empty: it names nothing" reject-hunk '' 1
check "deskhand: operand 1 is empty: it names nothing" restore ''
# A hunk number is said to be what is wrong with it (a number too large was
# "hunk numbers start at 1").
check "deskhand: hunk number 'x' is not a number" reject-hunk a.txt x
check "deskhand: hunk number '0' is below 1, where they start" accept-hunk a.txt 0
check "deskhand: hunk number '99999999999999999999' is too large" \
  reject-hunk a.txt 99999999999999999999
check "deskhand: hunk number '3000000000' is too large" accept-hunk a.txt 3000000000
check "deskhand run: unknown option '--bogus'" run --bogus
check "deskhand stop: unknown option '--json'" stop --json
check "deskhand wait: unknown option '--json'" wait --json
check "deskhand run: expected one TASK argument" run --grant "$G" ""
# The TASK forgotten: --origin (added for the session's record) came after
# the person's arguments, and became the model of a real session. "fix it"
# is --model's value, so there is no TASK.
check "deskhand run: expected one TASK argument" run --grant "$G" --model "fix it"
check "deskhand run: expected one TASK argument" run --resume "more"
check "deskhand: option '--model' needs a value" run --grant "$G" "fix it" --model
check "deskhand run: --mode: 'mode' must be one of ask|auto, not 'bogus'" run --detach --grant "$G" --mode bogus x
[ ! -d "$XDG_STATE_HOME/deskhand/sessions" ] || [ -z "$(ls "$XDG_STATE_HOME/deskhand/sessions")" ] ||
  fail "a session was started: $(ls "$XDG_STATE_HOME/deskhand/sessions")"
echo ok
