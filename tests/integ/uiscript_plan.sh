# In process, the plan (issue 11, defect 8): quitting the editor without
# saving (:q!: it exits 0 and writes nothing) leaves the plan pending and says
# a/r/e; saving it unchanged approves it as proposed; a rejected plan shows as
# rejected (in its title, which a short pane keeps); after --resume at 80x24 the plan pane shows every step.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write notes"}, {"title": "Sort the notes"}, {"title": "Tell me"}]}}]},
 {"text": "Understood, I stop here.", "stop_reason": "end_turn"},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Step one"}, {"title": "Step two"}, {"title": "Step three"}]}}]},
 {"text": "Approved, done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
# The "editor": :q! (exit 0, nothing written), or :wq (rewrites the file as is).
cat > "$T/ed.sh" <<'EOF2'
#!/bin/sh
echo "$1" >> "$EDLOG"
if [ -e "$EDSAVE" ]; then sleep 0.01; cat "$1" > "$1.tmp" && cat "$1.tmp" > "$1" && rm "$1.tmp"; fi
exit 0
EOF2
chmod +x "$T/ed.sh"
steps ":wait approval
:wait text Sort the notes
e
:wait text plan was not saved
:save-screen $T/quit.scr
r
:wait text reject the plan
:type not now
<Enter>
:wait text task done
:save-screen $T/rejected.scr
:quit"
UI_ENV="EDITOR=$T/ed.sh EDLOG=$T/edlog EDSAVE=$T/nosuch TMPDIR=$T" ui_run 80 24 --grant "$G" "notes"
[ -s "$T/edlog" ] || fail "the editor did not run"
assert_screen quit 'plan was not saved: a approve, r reject, e edit again' 'Approve the plan\?|awaiting plan approval'
# the first decision sent was the rejection: the model was told so
grep -q 'rejected the plan: not now' "$FAKE_LOG" || fail "the rejection did not reach the model"
grep -q 'The plan was approved' "$FAKE_LOG" && fail ":q! approved the plan"
# at 80x24 the plan pane has room for its steps only: its title says it
assert_screen rejected '^ plan 0/3 rejected'

# A second task: saved unchanged (:wq) approves the plan as proposed. The
# text is shown before the session has finished: quit only once the status
# says done (the first task's "task done" is on the screen already).
steps ":wait approval
:wait text Step three
e
:wait text Approved, done
:wait text [^a-z]done [0-9]+s │
:quit"
touch "$T/save"
UI_ENV="EDITOR=$T/ed.sh EDLOG=$T/edlog EDSAVE=$T/save TMPDIR=$T" ui_run 100 30 --resume latest "three steps"
grep -q 'The plan was approved' "$FAKE_LOG" || fail ":wq did not approve the plan"

# Resumed at 80x24: every step of the plan shows without a resize.
steps ":wait idle
:wait ms 300
:save-screen $T/resumed.scr
:quit"
ui_run 80 24 --resume latest
assert_screen resumed 'Step one' 'Step two' 'Step three'
echo ok
