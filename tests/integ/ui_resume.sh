# The workbench on --resume shows the past session's conversation, plan and
# tool calls (replayed from its transcript.jsonl) and its pending review;
# y copies a block through OSC 52; X rejects every pending change.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning.", "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the notes file"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes.txt", "content": "hello\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "more.txt", "content": "more\n"}}]},
 {"text": "Wrote **notes.txt** for you.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "make some notes" > "$T/run.out" 2>&1 \
  || { cat "$T/run.out"; fail "run failed"; }
ui_start 120 40 --resume latest
ui_wait "Wrote notes.txt for you."
# the review pane loads on its own (it shows "(loading)" until then)
ui_wait "A notes.txt"
s=$(ui_screen); echo "$s"
assert_contains "$s" "make some notes"
assert_contains "$s" "Write the notes file"
assert_contains "$s" "notes.txt"
assert_contains "$s" "A notes.txt"
# y copies the selected block through OSC 52 (tmux keeps it as a buffer).
tm set -s set-clipboard on
ui_keys Escape; ui_keys k
ui_keys y
ui_wait "copied"
for _ in $(seq 1 40); do tm show-buffer 2>/dev/null | grep -q . && break; sleep 0.05; done
assert_contains "$(tm show-buffer)" "Wrote notes.txt for you."
# X in the diff pane rejects every pending file (asked y/n first): both go.
ui_keys Tab
ui_wait "diff (2 files pending)"
ui_keys X
ui_wait "Reject all 2 pending files? y/n"
ui_keys y
ui_wait "rejected every pending change"
ui_wait "diff (0 files pending)"
[ ! -e "$G/notes.txt" ] && [ ! -e "$G/more.txt" ] || fail "X left files behind"
ui_keys q
ui_wait "EXIT=0"
echo ok
