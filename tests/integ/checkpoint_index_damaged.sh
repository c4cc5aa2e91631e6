# The shadow repository's index is the scan's cache, written without an fsync:
# a power loss can leave it empty or torn. The next session on the folder
# rebuilds it (a full scan) instead of failing every checkpoint, and what it
# records is right: its edit is one changed file, `log` lists it and `undo`
# puts the folder back.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
for i in 1 2 3; do echo "line $i" > "$G/f$i.txt"; done
edit() { # N: a session that edits fN.txt; its events in $T/editN.out
  cat > "$T/edit$1.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "f$1.txt", "old_string": "line $1", "new_string": "LINE $1"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
  run_task "$T/edit$1.json" "$T/edit$1.out"
  kill "$FAKE_PID" 2>/dev/null || true
  # the edit's checkpoint: one file, the edited one
  assert_eq "$(jq -r 'select(.type=="checkpoint" and .tool_call != null) | .files_changed' "$T/edit$1.out")" 1 \
    "files changed by the edit of f$1.txt"
  assert_eq "$(cat "$G/f$1.txt")" "LINE $1"
}
edit 1
index=$(echo "$XDG_STATE_HOME"/deskhand/snapshots/*.git/index)
[ -s "$index" ] || fail "no index at $index"
: > "$index" # left empty
edit 2
[ -s "$index" ] || fail "the index was not rebuilt"
head -c 100 /dev/urandom > "$index" # torn
edit 3
"$DESKHAND" log > "$T/log" 2>&1 || { rc=$?; cat "$T/log"; fail "log exited $rc"; }
assert_file_contains "$T/log" "f3.txt"
"$DESKHAND" undo > "$T/undo" 2>&1 || { rc=$?; cat "$T/undo"; fail "undo exited $rc"; }
assert_eq "$(cat "$G/f3.txt")" "line 3" "f3.txt after the undo"
assert_eq "$(cat "$G/f2.txt")" "LINE 2" "f2.txt after the undo (another session's edit)"
echo ok
