# An undo's redo that a later change took away says why: the person's edit
# (recorded when redo looks at the folder) came after the undo. Before, redo
# said only "nothing to redo", right after an undo that could be redone a
# moment earlier.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo a > "$G/a.txt"; echo notes > "$G/notes.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_w", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "edit" >"$T/run.out" 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
cd "$G"
# nothing undone yet: nothing to redo, and no reason made up
rc=0; "$DESKHAND" redo >"$T/redo0.out" 2>"$T/redo0.err" || rc=$?
assert_eq "$rc" 1 "redo exit status before any undo"
assert_not_contains "$(cat "$T/redo0.err")" "after the undo"
"$DESKHAND" undo >/dev/null 2>&1 || fail "undo failed"
assert_eq "$(cat a.txt)" a
# with nothing changed since, redo works
"$DESKHAND" redo >/dev/null 2>&1 || fail "redo failed"
assert_eq "$(cat a.txt)" A
"$DESKHAND" undo >/dev/null 2>&1 || fail "second undo failed"
# the person edits another file: the redo is gone, and redo says why
echo "mine" >> notes.txt
rc=0; "$DESKHAND" redo >"$T/redo.out" 2>"$T/redo.err" || rc=$?
assert_eq "$rc" 1 "redo exit status"
assert_contains "$(cat "$T/redo.err")" "nothing to redo in session"
assert_contains "$(cat "$T/redo.err")" "changes were recorded after the undo"
assert_eq "$(cat a.txt)" a
assert_eq "$(tail -1 notes.txt)" mine
echo ok
