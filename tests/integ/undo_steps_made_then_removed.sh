# undo --steps N counts a step whose change a newer step took back (a file
# the agent made, then deleted) when that newer step is undone with it:
# undoing every step leaves the folder as it was. Before, such a step was
# passed over as "taken back", so 'undo --steps 3' said there were only 2
# agent steps, and 'undo --steps 2' brought back the file the agent had made
# and deleted, with no step left to undo it.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo keep > "$G/keep"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Scratch"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_1", "input": {"command": "echo scratch > tmp.txt"}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_2", "input": {"command": "rm tmp.txt"}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_3", "input": {"path": "out.txt", "content": "result\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "scratch" >"$T/run.out" 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
cd "$G"
ls_now() { ls | tr '\n' ' '; }
assert_eq "$(ls_now)" "keep out.txt "
out=$("$DESKHAND" undo --steps 3 2>&1) || fail "undo --steps 3: $out"
assert_eq "$(ls_now)" "keep " "after undo --steps 3"
"$DESKHAND" redo >/dev/null 2>&1 || fail "redo failed"
assert_eq "$(ls_now)" "keep out.txt " "after redo"
# two steps: the deletion is undone, the file it deleted comes back
out=$("$DESKHAND" undo --steps 2 2>&1) || fail "undo --steps 2: $out"
assert_eq "$(ls_now)" "keep tmp.txt " "after undo --steps 2"
# and the step that made it is the one left to undo
out=$("$DESKHAND" undo 2>&1) || fail "undo: $out"
assert_eq "$(ls_now)" "keep " "after the last undo"
rc=0; "$DESKHAND" undo >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 1 "undo with no step left"
echo ok
