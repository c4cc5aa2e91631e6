# In process: what the workbench did quietly or wrongly now says so.
# - `o` with an $EDITOR that is not installed: the shell's "not found" went
#   to the screen just redrawn, and nothing was said;
# - `:undo 2` undid one step, dropping the count; a command that takes no
#   argument now refuses one and undoes nothing;
# - `:save-screen` to a folder that does not exist gave its usage line, not
#   the error; `:save-screen FILE junk` saved the element layer;
# - a file whose name holds a tab was listed with spaces, as another name
#   would be ("a    b.txt"): it is "a^Ib.txt", as `deskhand review` says.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write two files"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a\tb.txt", "content": "tab\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "c.txt", "content": "c\n"}}]},
 {"text": "Both written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":type write them
<Enter>
:wait approval
a
:wait text Allow write_file
y
:wait text Allow write_file c.txt
y
:wait text task done
<Tab>
:wait text diff \(2 files pending\)
:save-screen $T/listed.scr
o
:wait text not found
:save-screen $T/no_editor.scr
:type :undo 2
<Enter>
:wait text takes no argument
:save-screen $T/undo_count.scr
:type :save-screen $T/nosuch/dir/s.txt
<Enter>
:wait text save-screen: 
:save-screen $T/save_err.scr
:type :save-screen $T/s.txt junk
<Enter>
:wait text usage: :save-screen
:save-screen $T/save_junk.scr
:quit"
UI_ENV="EDITOR=nosuch-editor-$$ VISUAL=" ui_run 120 30 --grant "$G"
assert_screen listed 'A a\^Ib\.txt' 'A c\.txt'
screen listed | grep -qE '^. A a +b\.txt' && fail "the tab in the name was shown as spaces"
assert_screen no_editor "nosuch-editor-$$: not found \(set \\\$VISUAL or \\\$EDITOR\)"
assert_screen undo_count ":undo takes no argument \(not '2'\)" 'diff \(2 files pending\)'
# nothing was undone
[ -f "$G/c.txt" ] && [ -f "$G/a	b.txt" ] || fail "a file was undone by ':undo 2'"
assert_screen save_err "save-screen: .*$T/nosuch/dir"
[ ! -e "$T/s.txt" ] || fail ":save-screen FILE junk wrote $T/s.txt"
echo ok
