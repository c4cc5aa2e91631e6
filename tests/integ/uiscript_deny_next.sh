# In process: denying a call while the model has more calls in the same turn
# (issue 11, defect 1). Plan a, y, y, then n on a move_file: the next call's
# prompt must show and keys must answer it; d with a message on the next move;
# then Esc at the last call's prompt interrupts the task (it used to wait,
# showing "interrupting", until a y or n came: the engine still thought it was
# checkpointing the call before).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"; echo old > "$G/old.txt"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Tidy"}]}}]},
 {"tool_calls": [
   {"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}},
   {"name": "write_file", "input": {"path": "b.txt", "content": "B\n"}},
   {"name": "move_file", "input": {"source": "old.txt", "destination": "moved.txt"}},
   {"name": "write_file", "input": {"path": "c.txt", "content": "C\n"}},
   {"name": "move_file", "input": {"source": "a.txt", "destination": "a2.txt"}},
   {"name": "write_file", "input": {"path": "d.txt", "content": "D\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
a
:wait text Allow write_file a\.txt
y
:wait text Allow write_file b\.txt
y
:wait text Allow move_file
n
:wait text Allow write_file c\.txt
:save-screen $T/next.scr
y
:wait text Allow move_file a\.txt
d
:wait text deny, message
:type keep a.txt
<Enter>
:wait text Allow write_file d\.txt
:save-screen $T/last.scr
<Esc>
:wait text task interrupted
:save-screen $T/done.scr
:quit"
UI_RC=130 ui_run 100 30 --grant "$G" "tidy up"
assert_screen next 'Allow write_file c\.txt\? y allow'
[ -e "$G/old.txt" ] && [ ! -e "$G/moved.txt" ] || fail "the denied move ran"
[ -e "$G/a.txt" ] && [ ! -e "$G/a2.txt" ] || fail "the second denied move ran"
assert_screen last 'Allow write_file d\.txt\? y allow'
assert_screen done 'task interrupted' ' interrupted [0-9]+s'
[ ! -e "$G/d.txt" ] || fail "the call interrupted at its prompt ran"
for f in b c; do [ -e "$G/$f.txt" ] || fail "$f.txt was not written"; done
cat "$XDG_STATE_HOME"/deskhand/sessions/*/transcript.jsonl | grep -q 'denied this move_file call: keep a.txt' \
  || fail "the deny message is not the call's result"
echo ok
