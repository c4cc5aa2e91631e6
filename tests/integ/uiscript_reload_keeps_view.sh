# A reload of the review (R, or one the engine's events ask for) keeps the
# diff where it was: on hunk 2 of a file whose hunks do not fit the pane,
# the hunk's header stays at the pane's top, not scrolled to its bottom.
# uiscript_split_keeps_hunk failed now and then when a reload asked by the
# resumed session's events came in after ]; this does the same with R.
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
:wait idle
:save-screen $T/before.scr
R
:wait idle
:save-screen $T/after.scr
v
:wait text side-by-side
R
:wait idle
:save-screen $T/split.scr
:quit"
ui_run 100 24 --resume latest
first_row() { screen "$1" | sed -n '/^ diff (1 file pending)/{n;p;q}'; }
for s in before after split; do
  [ "$(first_row $s)" = "@@ -22,7 +22,7 @@ l21" ] || { screen $s >&2; fail "screen $s: hunk 2's header is not the pane's first row"; }
done
# The cursor is still on hunk 2: s accepts it, not hunk 1.
assert_screen split '@@ -22,7 \+22,7 @@ l21'
echo ok
