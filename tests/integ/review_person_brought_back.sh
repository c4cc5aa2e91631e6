# A person's edit that a restore or an undo brings back is still the
# person's: review names the checkpoint that recorded it (external), not the
# restore or the undo that wrote it back. Before, the file was listed under
# "restore ID" or "undo 1 step: ID", as if deskhand had made the change.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo original > "$G/doc.txt"; echo original > "$G/notes.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "doc.txt", "content": "agent version\n"}}]},
 {"fault": "slow", "delay_ms": 400, "text": "thinking slowly",
  "tool_calls": [{"name": "write_file", "input": {"path": "notes.txt", "content": "agent notes\n"}}]},
 {"text": "edited", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "edit" > "$T/out" 2>"$T/err" &
pid=$!
# the person edits notes.txt while the third turn streams, before the agent does
wait_requests 3 8 || { kill $pid; fail "the slow turn never started"; }
echo "the person's notes" > "$G/notes.txt"
wait $pid || { cat "$T/err"; fail "run failed"; }
assert_eq "$(cat "$G/notes.txt")" "agent notes"
cd "$G"
step_of() { "$DESKHAND" review --json | jq -r --arg p "$1" '.grants[0].files[] | select(.path==$p) | .step.label'; }
# undo of the agent's notes.txt step puts the person's version back
"$DESKHAND" undo >"$T/undo.out" 2>&1 || { cat "$T/undo.out"; fail "undo failed"; }
assert_eq "$(cat notes.txt)" "the person's notes"
"$DESKHAND" log
assert_eq "$(step_of notes.txt)" "external changes"
# the person edits doc.txt after the agent; undo --force records it first
echo "the person's doc" > doc.txt
"$DESKHAND" undo --force >"$T/undo2.out" 2>&1 || { cat "$T/undo2.out"; fail "undo --force failed"; }
assert_eq "$(cat doc.txt)" original
ext=$("$DESKHAND" log --json | jq -r '.[] | select(.label=="external changes (recovered)") | .short_id')
"$DESKHAND" restore "$ext" >"$T/restore.out" 2>&1 || { cat "$T/restore.out"; fail "restore failed"; }
assert_eq "$(cat doc.txt)" "the person's doc"
"$DESKHAND" review
assert_eq "$(step_of doc.txt)" "external changes (recovered)"
assert_not_contains "$("$DESKHAND" review)" "restore $ext]"
echo ok
