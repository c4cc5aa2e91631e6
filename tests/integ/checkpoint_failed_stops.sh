# A checkpoint that cannot be written (the state directory's disk is full)
# stops the session: no later call runs, since its changes could not be told
# apart from the unrecorded ones or undone; the run ends failed and says what
# to do. With room again, --resume records what changed and goes on.
. "$DH_TESTS/lib.sh"
small_state 2m
G=$T/work; mkdir -p "$G"; echo one > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Fill"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "head -c 3000000 /dev/urandom > big.bin; echo two > a.txt"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "c.txt", "content": "three\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"},
 {"text": "Resumed.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
rc=0
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "fill" 2>"$T/err") || rc=$?
[ "$rc" -ne 0 ] || fail "the run exited 0 after a failed checkpoint"
assert_contains "$(jq -r 'select(.type=="error").message' <<<"$out")" "No space left on device"
fin=$(jq -r 'select(.type=="session_finished") | .status + ": " + .message' <<<"$out")
echo "$fin"
assert_contains "$fin" "failed: checkpoint of $G failed"
assert_contains "$fin" "--resume"
[ ! -e "$G/c.txt" ] || fail "a call ran after the failed checkpoint"
assert_eq "$(cat "$G/a.txt")" two
# room again: the session goes on, and the command's changes are recorded
rm -f "$G/big.bin"
mount -o remount,size=64m "$T/small" || skip "cannot grow the tmpfs"
out=$("$DESKHAND" run --resume latest --json "go on" 2>"$T/err2") || { cat "$T/err2"; fail "--resume"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
log=$(cd "$G" && "$DESKHAND" log 2>&1) || fail "log: $log"
echo "$log"
assert_contains "$log" "a.txt"
echo ok
