# A folder whose path is not UTF-8 is refused as a grant, naming it with the
# byte escaped: the session's record (meta.json, JSON) would hold another
# name (U+FFFD for the byte), and the session could not be resumed on it;
# before, the folder was locked and granted under that other name. The same
# folder inside a granted one is the agent's to work in.
. "$DH_TESTS/lib.sh"
G=$T/work; bad=$G/$'x\xffy'; mkdir -p "$bad"
echo '{"turns": [{"text": "Done.", "stop_reason": "end_turn"}]}' > "$T/script.json"
start_fake "$T/script.json"
rc=0; "$DESKHAND" run --grant "$bad" --mode auto "hi" >"$T/out" 2>"$T/err" || rc=$?
cat "$T/err"
assert_eq "$rc" 1 "exit status of a grant that is not UTF-8"
assert_contains "$(cat "$T/err")" "grant '$G/x\\xffy': the folder's path is not UTF-8"
[ -z "$(ls "$XDG_STATE_HOME/deskhand/sessions" 2>/dev/null)" ] || fail "a session was made"
# --force does not get it past
rc=0; "$DESKHAND" run --force --grant "$bad" --mode auto "hi" >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "exit status with --force"
# the folder above it is granted
"$DESKHAND" run --grant "$G" --mode auto "hi" >/dev/null 2>"$T/err" || { cat "$T/err"; fail "grant of the folder above"; }
echo ok
