# In process: v (side by side) and w (whitespace) draw the same file
# another way and leave the cursor on the hunk it was on: on hunk 2, v then
# w, and s accepts hunk 2, shown at the top of the pane, not hunk 1.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"; seq 1 30 | sed 's/^/l/' > "$G/m.txt"
old=$(seq 5 25 | sed 's/^/l/' | awk '{ printf "%s\\n", $0 }')
new=$(seq 5 25 | sed 's/^/l/; s/^l5$/L5/; s/^l25$/L25/' | awk '{ printf "%s\\n", $0 }')
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "m.txt", "old_string": "$old", "new_string": "$new"}}]},
 {"text": "All edited.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "edit" > "$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
steps ":wait text All edited
<Esc>
<Tab>
:wait text diff \(1 file pending\)
<Enter>
]
v
:wait text side-by-side
:save-screen $T/split.scr
w
:wait idle
:save-screen $T/ws.scr
s
:wait text accepted hunk
:save-screen $T/accepted.scr
:quit"
ui_run 100 24 --resume latest
# The diff pane's first body row is hunk 2's header.
first_row() { screen "$1" | sed -n '/^ diff (1 file pending)/{n;p;q}'; }
assert_eq "$(first_row split)" "@@ -22,7 +22,7 @@ l21"
assert_eq "$(first_row ws)" "@@ -22,7 +22,7 @@ l21"
assert_screen accepted 'accepted hunk 2 of m\.txt'
out=$("$DESKHAND" review 2>&1)
assert_contains "$out" "+L5"
assert_not_contains "$out" "+L25"
echo ok
