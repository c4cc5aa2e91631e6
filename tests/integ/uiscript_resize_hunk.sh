# In process: the cursor on a hunk stays on that hunk when a resize rewraps
# the diff. At 160 columns the cursor is on hunk 2 (]); narrowed to 40, the
# long line of hunk 1 takes five rows where it took one, and s accepts hunk
# 2, the one the cursor was on, not hunk 1 whose lines now sit at the
# cursor's old row number.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"; seq 1 30 | sed 's/^/l/' > "$G/m.txt"
w=$(printf 'word %.0s' $(seq 1 30))
old=$(seq 5 25 | sed 's/^/l/' | awk '{ printf "%s\\n", $0 }')
new=$(seq 5 25 | sed "s/^/l/; s/^l5\$/L5 $w/; s/^l25\$/L25/" | awk '{ printf "%s\\n", $0 }')
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
z
<Enter>
]
:wait idle
:resize 40 30
:wait idle
:save-screen $T/narrow.scr
s
:wait text accepted hunk
:save-screen $T/accepted.scr
:quit"
ui_run 160 30 --resume latest
assert_screen narrow '^@@ -22,7 \+22,7 @@' ' \+L25$'
assert_screen accepted 'accepted hunk 2 of m\.txt'
out=$("$DESKHAND" review 2>&1)
assert_contains "$out" "+L5 word"
assert_not_contains "$out" "+L25"
echo ok
