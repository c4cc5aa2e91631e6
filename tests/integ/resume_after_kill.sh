# A session killed (SIGKILL) while run_command runs, after the command changed
# files and before its checkpoint, shows the recovery when it is resumed:
# what changed is recorded first, attributed to the interrupted call (a
# "review" event named "recover", and a checkpoint in the log), so
# `deskhand undo` of that call then reverts the killed command's changes. The
# model is told the call may have run, never that it did not.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
echo "original" > "$G/f.txt"
cp -a "$G" "$T/orig"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "change"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "echo changed > f.txt && echo new > new.txt && touch ready && sleep 2"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn",
  "expect": {"last_user_contains": "may have run in part"}}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" change
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
out=$("$DESKHAND" run --resume "$sid" --json "go on" 2>"$T/err2") || { cat "$T/err2"; fail "resume failed"; }
rec=$(jq -r 'select(.type=="review" and .op=="recover") | .message' <<<"$out")
echo "$rec"
assert_contains "$rec" "interrupted call toolu_killed"
log=$("$DESKHAND" log --json)
assert_eq "$(jq -r '.[] | select(.tool_call=="toolu_killed") | .label' <<<"$log")" "interrupted: toolu_killed (recovered)"
"$DESKHAND" undo > "$T/undo.out" 2>&1 || { cat "$T/undo.out"; fail "undo failed"; }
diff -r "$T/orig" "$G" || fail "undo of the interrupted call left its changes"
echo ok
