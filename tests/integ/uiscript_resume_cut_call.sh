# A session whose engine was killed (SIGKILL) while run_command ran, opened
# again in the workbench (which also says the engine ended; 32 rows keep the
# call in view): the call is shown interrupted (the history gives it
# a result marked "interrupted"), not running and not as having taken 0 ms;
# its output (Enter on it) says why. A follow-up task leaves it so.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "change"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "touch ready && sleep 30"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" change
steps ":wait text run_command touch ready
:wait idle
:save-screen $T/resumed.scr
# the diff has the focus (a file is pending): Tab to its diff, the plan, the transcript
<Tab>
<Tab>
<Tab>
<Enter>
:wait text ^    output:
:save-screen $T/output.scr
i
:type go on
<Enter>
:wait text Resumed and done\.
:wait idle
:save-screen $T/after.scr
:quit"
ui_run 80 32 --resume latest
assert_screen resumed 'run_command touch ready && sleep 30  \[✗ interrupted\]$' '^ idle '
screen resumed | grep -F '[…]' && fail "the killed call is shown as running"
assert_screen output 'interrupted: the session was stopped while this call was pending or'
assert_screen after 'run_command touch ready && sleep 30  \[✗ interrupted\]$' 'Resumed and done\.'
screen after | grep -F '[…]' && fail "after a follow-up task, the killed call is shown as running"
echo ok
