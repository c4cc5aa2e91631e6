# In process (issue 11, 10 and 11): the status line is laid out by priority:
# at 120 and at 80 columns it keeps the phase with its time, the count of
# files pending review, the session, the mode and the cost; `?` names the
# send key; a first run with no grant says in the transcript how to grant a
# folder, and the hint line says :grant. :undo acts as u in the diff pane.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Two files"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}},
                 {"name": "write_file", "input": {"path": "b.txt", "content": "B\n"}}]},
 {"text": "Two files.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
a
:wait text task done
:wait text diff \(2 files pending\)
:save-screen $T/wide.scr
:resize 80 24
:wait idle
:save-screen $T/narrow.scr
?
/
:type send
<Enter>
:wait text Send the input line
:save-screen $T/keys.scr
q
:type :undo
<Enter>
:wait text diff \(1 file pending\)
:wait text │ 1 pending │
:save-screen $T/undone.scr
:quit"
ui_run 120 30 --grant "$G" --mode auto "two files"
sid=$(ls "$XDG_STATE_HOME"/deskhand/sessions/ | head -1)
for n in wide narrow; do
  assert_screen $n "^ (. )?done [0-9]+s │ 2 pending │ $sid │ (.* │ )?auto │ .*\\\$[0-9]+\\.[0-9]{4}"
done
assert_screen keys '^  <Enter> +send +Send the input line'
# :undo acts as u in the diff pane; the count follows
assert_screen undone '│ 1 pending │'
[ ! -e "$G/b.txt" ] || fail ":undo left b.txt (the last step)"

# A first run: no grant, no task.
steps ":wait text No folder is granted
:save-screen $T/first.scr
:quit"
ui_run 100 30
assert_screen first 'No folder is granted yet' ':grant DIR' '^:grant DIR'
echo ok
