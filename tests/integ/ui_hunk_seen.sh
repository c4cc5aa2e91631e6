# s and x in the diff pane act on the file or hunk the pane shows, or not at
# all: when the file changed on disk after it was shown (here another program
# edited line 10 while the pane showed the agent's hunk at line 35), x refuses
# and says so and the other program's edit stays; s the same, nothing is
# accepted; shown again, x rejects the hunk under the cursor.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
for i in $(seq 1 40); do echo "line $i"; done > "$G/f.txt"
new=$(for i in $(seq 1 40); do [ "$i" = 35 ] && echo "LINE 35" || echo "line $i"; done)
jq -n --arg f "$new" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit f"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "f.txt", "content": ($f + "\n")}}]},
 {"text": "Edited.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "edit f" > "$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
ui_start 100 30 --resume latest
ui_wait "Edited."
ui_keys Escape; ui_keys Tab
ui_wait "diff (1 file pending)"
ui_wait "+LINE 35"
ui_keys z; ui_keys ']'
ui_wait "@@ -32,7 +32,7 @@"
# another program edits the file while the pane shows the hunk at line 35
sed -i 's/^line 10$/LINE 10 mine/' "$G/f.txt"
ui_keys x
ui_wait "f.txt changed since it was shown: nothing rejected"
assert_eq "$(sed -n 10p "$G/f.txt")" "LINE 10 mine"
assert_eq "$(sed -n 35p "$G/f.txt")" "LINE 35"
# the pane shows the file again, the other program's edit as a hunk of its own
ui_wait "+LINE 10 mine"
# and s the same: another edit after the file was shown
sed -i 's/^line 20$/LINE 20 mine/' "$G/f.txt"
ui_keys s
ui_wait "f.txt changed since it was shown: nothing accepted"
ui_wait "+LINE 20 mine"
assert_contains "$("$DESKHAND" review 2>&1)" "+3 -3"
# shown again, the hunk under the cursor is the one rejected: the agent's
ui_keys g; ui_keys ']'; ui_keys ']'; ui_keys ']'
ui_keys x
ui_wait "rejected hunk 3 of f.txt"
assert_eq "$(sed -n 35p "$G/f.txt")" "line 35"
assert_eq "$(sed -n 10p "$G/f.txt")" "LINE 10 mine"
assert_eq "$(sed -n 20p "$G/f.txt")" "LINE 20 mine"
ui_keys q
ui_wait "EXIT=0"
echo ok
