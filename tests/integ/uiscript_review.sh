# In process: the review in the diff pane after a task (each call allowed): undo the
# last agent step (u), reject a file (x), accept a hunk's file (s).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"; seq 1 30 | sed 's/^/l/' > "$G/m.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Three edits"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "m.txt", "old_string": "l5\n", "new_string": "L5\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "c.txt", "content": "C\n"}}]},
 {"text": "All three done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
a
:wait text Allow write_file a.txt
y
:wait text Allow edit_file
y
:wait text Allow write_file c.txt
y
:wait text task done
<Tab>
:wait text diff \(3 files pending\)
:save-screen $T/three.scr elements
u
:wait text diff \(2 files pending\)
:save-screen $T/undone.scr
x
:wait text diff \(1 file pending\)
:save-screen $T/rejected.scr
s
:wait text diff \(0 files pending\)
:save-screen $T/accepted.scr
:quit"
ui_run 120 30 --grant "$G" "three edits"
assert_screen three 'A a\.txt' 'A c\.txt' 'M m\.txt'
[ ! -e "$G/c.txt" ] || fail "undo left c.txt (the last step)"
[ ! -e "$G/a.txt" ] || fail "x did not reject a.txt"
assert_eq "$(sed -n 5p "$G/m.txt")" L5
assert_screen accepted 'diff \(0 files pending\)'
echo ok
