# A review action is a step in the chain, not someone else's edit: after
# `deskhand reject-hunk FILE 2` on an agent edit, `deskhand undo` of that edit
# works (no conflict) and brings the file back to its state before the edit;
# `deskhand redo` then reapplies what the undo reverted (the edit with hunk 2
# rejected), byte for byte.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
for i in $(seq 1 30); do echo "line $i"; done > "$G/a.txt"
cp "$G/a.txt" "$T/orig.txt"
new_a=$(for i in $(seq 1 30); do case $i in 2) echo "LINE 2";; 15) echo "LINE 15";; 28) echo "LINE 28";; *) echo "line $i";; esac; done)
jq -n --arg a "$new_a" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_w", "input": {"path": "a.txt", "content": ($a + "\n")}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "Edit" >"$T/run.out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
assert_eq "$(sed -n 15p "$G/a.txt")" "LINE 15"
export TMPDIR=$T/tmp; mkdir -p "$TMPDIR"
"$DESKHAND" reject-hunk a.txt 2 > "$T/rh.out" 2>&1 || { cat "$T/rh.out"; fail "reject-hunk failed"; }
assert_eq "$(sed -n 15p "$G/a.txt")" "line 15"
assert_eq "$(sed -n 2p "$G/a.txt")" "LINE 2"
cp "$G/a.txt" "$T/rejected.txt"
rc=0; "$DESKHAND" undo > "$T/undo.out" 2>&1 || rc=$?
cat "$T/undo.out"
assert_eq "$rc" 0 "exit status of undo after reject-hunk"
cmp "$G/a.txt" "$T/orig.txt" || fail "undo did not bring a.txt back to its state before the edit"
rc=0; "$DESKHAND" redo > "$T/redo.out" 2>&1 || rc=$?
cat "$T/redo.out"
assert_eq "$rc" 0 "exit status of redo"
cmp "$G/a.txt" "$T/rejected.txt" || fail "redo did not reapply the edit as reviewed"
# and undo once more: the chain goes on
"$DESKHAND" undo > "$T/undo2.out" 2>&1 || { cat "$T/undo2.out"; fail "second undo failed"; }
cmp "$G/a.txt" "$T/orig.txt" || fail "second undo"
echo ok
