# In process: :compact summarises the older turns of the session the
# workbench shows (at once when its task has finished): the model gets a
# summarising request, the transcript pane notes the compaction, and the
# session's transcript records it (a compacted event, trigger "command", and
# the history_compact record --resume rebuilds from) without dropping a line.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
echo "some notes" > "$G/notes.txt"
cat > "$T/script.json" <<'JSON'
{"compaction": {"text": "Task:\n- read the notes (fake summary)\nDecisions:\n- none\nPlan state:\n- done\nFiles changed:\n- none\nOpen questions:\n- none"},
 "turns": [
 {"text": "Looking.", "tool_calls": [{"name": "list_files", "input": {}}]},
 {"text": "Reading.", "tool_calls": [{"name": "read_file", "input": {"path": "notes.txt"}}]},
 {"text": "The notes say hello.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait text task done
:type :compact
<Enter>
:wait text compacted:
:save-screen $T/compacted.scr
:quit"
ui_run 120 30 --grant "$G" "read the notes"
assert_screen compacted "compacted: [0-9]+ earlier messages summarised"
sid=$(ls "$XDG_STATE_HOME"/deskhand/sessions/ | head -1)
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
assert_eq "$(jq -r 'select(.type=="compacted").trigger' "$tr")" command
assert_contains "$(jq -r 'select(.type=="compacted").summary' "$tr")" "fake summary"
assert_eq "$(jq -s '[.[] | select(.type=="history_compact")] | length' "$tr")" 1
assert_eq "$(jq -s '[.[] | select(.type=="history")] | length' "$tr")" 6 "history records kept"
# the summarising request went to the model with the turns to summarise
sumreq=$(jq -c 'select(.body.system[0].text | startswith("You summarise")) | .body.messages[0]' "$FAKE_LOG")
assert_contains "$sumreq" "read the notes"
echo ok
