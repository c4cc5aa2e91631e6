# In process: a folder taken back with :ungrant and granted again with
# :grant shows its pending changes in the diff pane at once, as
# `deskhand review` lists them; before, the pane said "0 files pending"
# until R was pressed.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write a"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "a\n"}}]},
 {"text": "Wrote a.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
a
:wait text task done
:wait text diff \\(1 file pending\\)
:wait idle
:type :ungrant $G
<Enter>
:wait text no longer granted
:wait text diff \\(0 files pending\\)
:wait idle
:type :grant $G
<Enter>
:wait text granted $G
:wait text diff \\(1 file pending\\)
:wait idle
:save-screen $T/regranted.scr
:quit"
ui_run 100 30 --grant "$G" --mode auto "write a"
assert_screen regranted 'A a\.txt'
echo ok
