# The workbench in tmux: start a task, approve the plan (a), allow one write
# (y), deny another (n), see the final answer rendered, accept the file in the
# diff pane (s), save the transcript (:save), quit (q).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write two files"}, {"title": "Report"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "yes.txt", "content": "y\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "no.txt", "content": "n\n"}}]},
 {"text": "# Summary\n\nOne **written**, one *refused*.\n\n- yes.txt kept\n", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
UI_ENV="NO_COLOR="   # colours on (lib.sh sets NO_COLOR=1), with a non-default theme
ui_start 120 30 --grant "$G" --theme light "write files"
ui_wait "Approve the plan?"
ui_wait "Write two files"
ui_keys a
ui_wait "Allow write_file yes.txt?"
ui_wait "+y"
ui_keys y
ui_wait "Allow write_file no.txt?"
ui_keys n
ui_wait "task done"
s=$(ui_screen); echo "$s"
assert_contains "$s" "Summary"
tm capture-pane -p -e | grep -q $'\e\[3[0-9];\|\e\[38;5;' || fail "no colours with NO_COLOR empty"
assert_contains "$s" "One written, one refused."
assert_contains "$s" "• yes.txt kept"
assert_contains "$s" "call denied"
assert_eq "$(cat "$G/yes.txt")" y
[ ! -e "$G/no.txt" ] || fail "no.txt was written after 'n'"
# The review: yes.txt pending; accept it in the diff pane.
ui_wait "A yes.txt"
ui_keys Tab
ui_wait "diff (1 file pending)"
ui_keys s
ui_wait "accepted yes.txt"
ui_wait "diff (0 files pending)"
ui_keys :; ui_type "save $T/t.md"; ui_keys Enter
ui_wait "transcript saved"
assert_file_contains "$T/t.md" "One **written**"
assert_file_contains "$T/t.md" "plan approved"
ui_keys q
ui_wait "EXIT=0"
echo ok
