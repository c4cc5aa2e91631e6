# In process: U in the diff pane lists the checkpoints, newest first, each
# labelled with what its call did; Enter on one asks, then restores the
# folder to it; q closes the list (as it closes ? and :sessions), not the
# workbench (skipped when this build has no list).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
grep -q "checkpoints, newest first" "$DESKHAND" || skip "no checkpoint list (U) in this build"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Two files"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "c.txt", "content": "C\n"}}]},
 {"text": "Both written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
a
:wait text Allow write_file a.txt
y
:wait text Allow write_file c.txt
y
:wait text task done
<Tab>
:wait text diff \(2 files pending\)
U
:wait text checkpoints, newest first
:wait idle
:save-screen $T/list.scr elements
G
k
:wait idle
:save-screen $T/sel.scr elements
<Enter>
:wait text Restore checkpoint [0-9a-f]+ \(turn 2: write_file a\.txt\)\? y/n
:save-screen $T/ask.scr
y
:wait text restored checkpoint
:wait idle
:save-screen $T/restored.scr
U
:wait text checkpoints, newest first
q
:wait text diff \\(
:wait idle
:save-screen $T/closed.scr
:quit"
ui_run 120 40 --grant "$G" "two files"
assert_screen list '\[3 checkpoints\]' 'turn 3: write_file' 'turn 2: write_file' 'baseline'
# the selected row (turn 2) is drawn as the cursor (in mono: like a focused title)
row=$(screen sel | grep -n 'turn 2: write_file' | cut -d: -f1)
elements sel | sed -n "${row}p" | grep -qE '[cT]' || { cat "$T/sel.scr"; fail "turn 2 is not selected"; }
ck=$(screen sel | sed -n "${row}p" | awk '{ print $1 }')
assert_screen ask "Restore checkpoint $ck \\(turn 2: write_file a\\.txt\\)\\? y/n"
assert_screen restored "restored checkpoint $ck — u undoes it"
assert_eq "$(cat "$G/a.txt")" A
[ ! -e "$G/c.txt" ] || fail "c.txt survived the restore to $ck"
# q closed the list; the workbench was still there to save this screen
assert_screen closed 'diff \((0|1|2) files? pending\)'
screen closed | grep -q 'checkpoints, newest first' && fail "q left the checkpoint list open"
echo ok
