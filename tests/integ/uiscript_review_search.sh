# In process: a search (/, n) in the diff pane that lands on a file's row
# selects that file as j/k would: its diff is the one shown (▶ on its row)
# and s accepts it, not the file shown before the search.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes-b.txt", "content": "B\\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes-c.txt", "content": "C\\n"}}]},
 {"text": "All written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "write" > "$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
steps ":wait text All written
<Esc>
<Tab>
:wait text diff \(3 files pending\)
/
:type notes-
<Enter>
:wait idle
:save-screen $T/found.scr
n
:wait idle
:save-screen $T/next.scr
s
:wait text accepted
:wait text diff \(2 files pending\)
:save-screen $T/accepted.scr
:quit"
ui_run 80 30 --resume latest
assert_screen found '^▶ A notes-b\.txt' '^── notes-b\.txt \(created\)' ' \+B$'
assert_screen next '^▶ A notes-c\.txt' '^── notes-c\.txt \(created\)' ' \+C$'
assert_screen accepted 'accepted notes-c\.txt' 'A a\.txt' 'A notes-b\.txt'
out=$("$DESKHAND" review 2>&1)
assert_contains "$out" "A  a.txt"
assert_not_contains "$out" "notes-c.txt"
echo ok
