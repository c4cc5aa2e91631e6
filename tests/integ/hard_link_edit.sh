# A file with two names (a hard link): a command that appends to it through
# one name changes the other too, though the watcher reports only the name
# written. The step's checkpoint records both names changed, and undo puts
# both back.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub"
echo "original" > "$G/a.txt"
ln "$G/a.txt" "$G/sub/b.txt"
echo "other" > "$G/c.txt"
cat > "$T/s.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "append"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo appended >> a.txt"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
run_task "$T/s.json" "$T/o.out"
assert_eq "$(cat "$G/sub/b.txt" | tr '\n' ' ')" "original appended " "b.txt after the command"
# the run_command step's checkpoint: both names
ck=$(jq -c 'select(.type=="checkpoint" and .tool_call != null)' "$T/o.out" | tail -1)
assert_eq "$(echo "$ck" | jq -r .files_changed)" 2 "files changed by the step: $ck"
"$DESKHAND" log >"$T/log" 2>&1 || { cat "$T/log"; fail "log failed"; }
assert_file_contains "$T/log" "M a.txt"
assert_file_contains "$T/log" "M sub/b.txt"
"$DESKHAND" undo >"$T/undo" 2>&1 || { rc=$?; cat "$T/undo"; fail "undo exited $rc"; }
assert_eq "$(cat "$G/a.txt")" "original" "a.txt after the undo"
assert_eq "$(cat "$G/sub/b.txt")" "original" "sub/b.txt after the undo"
assert_eq "$(cat "$G/c.txt")" "other" "c.txt after the undo"
echo ok
