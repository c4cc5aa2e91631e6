# "Always allow" narrowed in the workbench: A asks what to allow (t the
# tool, p only calls like this one, Esc cancel). For run_command p allows
# the command's first two words as a prefix ("ls -a": "ls -a notes" then
# runs unasked, "ls notes" asks); for write_file the file's directory and
# extension (notes/*.md: notes/b.md runs unasked, other.txt asks); n to
# "save it for later sessions?" keeps it for this one. Esc leaves the call
# waiting.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G/notes"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "ls -a"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "ls -a notes"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "ls notes"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes/a.md", "content": "A\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes/b.md", "content": "B\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "other.txt", "content": "O\n"}}]},
 {"text": "Written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":type write notes
<Enter>
:wait approval
a
:wait text Allow run_command ls -a
A
:wait text Always allow: t every run_command call, p only run_command ls -a, Esc cancel
p
:wait text Save 'allow run_command\(ls -a\)'
n
:wait text Allow run_command ls notes
:save-screen $T/cmd.scr
n
:wait text Allow write_file notes/a\.md
A
:wait text Always allow: t every write_file call, p only write_file notes/\*\.md
:save-screen $T/ask.scr
<Esc>
:wait text Allow write_file notes/a\.md\? y allow
A
:wait text Always allow: t every
p
:wait text Save 'allow write_file
n
:wait text Allow write_file other\.txt
:save-screen $T/other.scr
y
:wait text task done
:save-screen $T/done.scr
:quit"
ui_run 120 40 --grant "$G"
assert_screen cmd 'always allowed this session \(run_command "ls -a"\)' 'Allow run_command ls notes\?'
grep -q 'Allow run_command ls -a notes' <<<"$(screen cmd)" && fail "ls -a notes was asked about"
assert_screen ask 'Always allow: t every write_file call, p only write_file notes/\*\.md, Esc cancel'
assert_screen other 'always allowed this session \(write_file notes/\*\.md\)' 'Allow write_file other\.txt\?'
s=$(screen other)
grep -q 'Allow write_file notes/b\.md' <<<"$s" && { echo "$s"; fail "notes/b.md was asked about"; }
assert_eq "$(cat "$G/notes/a.md")$(cat "$G/notes/b.md")$(cat "$G/other.txt")" ABO
echo ok
