# undo after a restore took the newest agent step back: the step whose
# changes are no longer in the folder is passed over, and undo reverts the
# one before it, instead of "undoing" the same step again and again with
# nothing changed. Redo puts back what the undo took. A step the person
# took back by hand is passed over too (--json).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
jq -n '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Three writes"}]}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_a", "input": {"path": "a.txt", "content": "a\n"}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_b", "input": {"path": "b.txt", "content": "b\n"}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_c", "input": {"path": "c.txt", "content": "c\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
cd "$G"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "Three writes" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
assert_eq "$(ls | tr '\n' ' ')" "a.txt b.txt c.txt " "the folder after the run"
# back to the checkpoint of the b.txt write: c.txt goes
t3=$("$DESKHAND" log --json 2>/dev/null |
  jq -r '[.. | objects | select((.label? // "") | test("write_file b.txt"))][0].id')
[ -n "$t3" ] && [ "$t3" != null ] || fail "no checkpoint of the b.txt write in the log"
"$DESKHAND" restore "$t3" >/dev/null 2>&1 || fail "restore failed"
assert_eq "$(ls | tr '\n' ' ')" "a.txt b.txt " "the folder after the restore"
# undo: the c.txt step is taken back already, so the b.txt step goes
out=$("$DESKHAND" undo 2>&1) || { echo "$out"; fail "undo after the restore failed"; }
echo "$out"
assert_contains "$out" "removed b.txt"
assert_eq "$(ls | tr '\n' ' ')" "a.txt " "the folder after the first undo"
# redo brings b.txt back, byte for byte, and not c.txt; undo takes it again
out=$("$DESKHAND" redo 2>&1) || { echo "$out"; fail "redo failed"; }
assert_eq "$(cat b.txt)" "b" "b.txt after the redo"
[ -e c.txt ] && fail "redo brought back c.txt, which the restore had taken"
out=$("$DESKHAND" undo 2>&1) || { echo "$out"; fail "undo after the redo failed"; }
assert_eq "$(ls | tr '\n' ' ')" "a.txt " "the folder after the undo of the redo"
# the person deletes a.txt by hand: that step too is passed over, and
# nothing is left to undo
rm a.txt
rc=0; "$DESKHAND" undo --json >"$T/u.json" 2>"$T/u.err" || rc=$?
cat "$T/u.json" "$T/u.err"
assert_eq "$rc" 1 "exit status of undo with every step taken back"
assert_eq "$(jq -r '.results[0].error' "$T/u.json")" \
  "session $(jq -r .session "$T/u.json") has no agent step to undo" "the --json error"
echo ok
