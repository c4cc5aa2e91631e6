# In the workbench, a call asked by an ask rule says which rule asks (even
# for a read-only tool); A on it says "always" cannot outrank the rule and
# sends nothing; y allows it, and the next such call is asked again.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G/private"; echo secret > "$G/private/x.txt"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "${cfg%/*}"
printf 'ask read_file(private/*)\n' > "$cfg"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "read_file", "input": {"path": "private/x.txt"}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "private/x.txt"}}]},
 {"text": "Read.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":type read it
<Enter>
:wait text Allow read_file
:save-screen $T/asked.scr
A
:wait text A cannot override it
:save-screen $T/always.scr
y
:wait text call approved
:wait approval
:save-screen $T/again.scr
n
:wait text task done
:quit"
ui_run 160 40 --grant "$G"
assert_screen asked "asked by rule 'ask read_file\(private/\*\)'" "deskhand/config:1\)"
assert_screen always "asked by rule 'ask read_file\(private/\*\)' \(.*\) every time: A cannot override it"
assert_screen again "call approved" "Allow read_file private/x\.txt\?"
assert_eq "$(cat "$cfg")" "ask read_file(private/*)" "nothing saved"
echo ok
