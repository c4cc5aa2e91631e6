# X asks "Reject all N pending files? y/n"; a change the agent makes while
# the question waits is not discarded unseen by the y: the workbench says new
# changes came and asks again with the new count. Its y rejects them all.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "b\n"}}]},
 {"text": "Now the second.", "text_pause_file": "GO",
  "tool_calls": [{"name": "write_file", "input": {"path": "a0.txt", "content": "a0\n"}}]},
 {"text": "Both written.", "stop_reason": "end_turn"}
]}
JSON
# the second write waits for the test: $T/go
sed -i "s|\"GO\"|\"$T/go\"|" "$T/script.json"
start_fake "$T/script.json"
ui_start 100 30 --grant "$G" --mode auto "write two"
ui_wait "Approve the plan?" 15
ui_keys a
ui_wait "diff (1 file pending)" 15
ui_keys Tab # the transcript's focus goes to the diff pane
ui_keys X
ui_wait "Reject all 1 pending file? y/n"
: > "$T/go"
ui_wait "diff (2 files pending)" 15
ui_keys y
ui_wait "new changes came since you were asked" 5
ui_wait "Reject all 2 pending files? y/n"
[ -e "$G/a0.txt" ] && [ -e "$G/b.txt" ] || fail "a file was discarded: $(ls "$G")"
ui_keys y
ui_wait "rejected every pending change" 10
[ ! -e "$G/a0.txt" ] && [ ! -e "$G/b.txt" ] || fail "not rejected: $(ls "$G")"
echo ok
