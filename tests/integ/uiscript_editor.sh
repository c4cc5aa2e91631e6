# In process: `e` edits the proposed plan in $EDITOR (the edited plan is what
# the agent is told to carry out, and what the plan pane shows), and `o` in
# the diff pane opens the selected file in $EDITOR while the loop runs on.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write notes"}, {"title": "Delete the drafts"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes.txt", "content": "n\n"}}]},
 {"text": "Done as edited.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
# The "editor": rewrites the plan (step 2 replaced, a step added) or records
# which file it was asked to open.
cat > "$T/ed.sh" <<'EOF2'
#!/bin/sh
echo "$1" >> "$EDLOG"
case "$1" in
*deskhand-plan-*)
  grep -q '^# ' "$1" || exit 3
  sed -i 's/^2\. Delete the drafts$/2. Keep the drafts/' "$1"
  echo "3. Tell me what changed" >> "$1" ;;
esac
EOF2
chmod +x "$T/ed.sh"
steps ":type make notes
<Enter>
:wait approval
:wait text Delete the drafts
e
:wait text Keep the drafts
:save-screen $T/edited.scr
:wait text Allow write_file notes.txt
y
:wait text task done
<Tab>
:wait text diff \(1 file pending\)
o
:wait ms 300
:save-screen $T/after_o.scr
:quit"
UI_ENV="EDITOR=$T/ed.sh EDLOG=$T/edlog TMPDIR=$T" ui_run 120 30 --grant "$G"
assert_screen edited '1\. .*Write notes' '2\. .*Keep the drafts' '3\. .*Tell me what changed'
screen edited | grep -q 'Delete the drafts' && fail "the old step is still shown"
# The model was told to carry out the edited plan.
grep -q 'carry out THIS plan' "$FAKE_LOG" || grep -q 'Carry out THIS plan' "$FAKE_LOG" || fail "tool result does not give the edited plan"
grep -q '2\. Keep the drafts' "$FAKE_LOG" || fail "the edited step did not reach the model"
# The transcript records the edited plan as a plan update.
t=$(find "$XDG_STATE_HOME" -name transcript.jsonl | head -1)
[ -n "$t" ] || fail "no transcript"
grep '"plan_updated"' "$t" | grep -q 'Keep the drafts' || fail "no plan_updated event with the edited plan"
grep '"plan_decided"' "$t" | grep -q 'approved as edited' || fail "plan_decided does not say 'approved as edited'"
# `o` opened the pending file, by absolute path, and the screen came back.
grep -qx "$(cd "$G" && pwd -P)/notes.txt" "$T/edlog" || fail "editor was not opened on notes.txt: $(cat "$T/edlog")"
assert_screen after_o 'diff \(1 file pending\)' 'A notes\.txt'
# The temp plan file is gone.
ls "$T"/deskhand-plan-* 2>/dev/null && fail "plan temp file left behind"
echo ok
