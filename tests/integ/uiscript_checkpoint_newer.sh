# In process: the checkpoint list (U) follows the agent. Opened after its
# first step, it lists the step that comes next once it comes; Enter on the
# first step asked "Restore checkpoint …? y/n" before the next step came:
# y then restores nothing (it would take back the step never listed), says
# so, and the list shows the new step with the cursor where it was (Enter
# asks about the first step again).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "a\n"}}]},
 {"delay_ms": 300, "tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "b\n"}}]},
 {"text": "Wrote both.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
a
:wait text checkpoint .*1 file
<Tab>
U
:wait text checkpoints, newest first
:save-screen $T/first.scr
<Enter>
:wait text Restore checkpoint .* \(turn 2: write_file a\.txt\)\? y/n
:wait text task done
:wait idle
:save-screen $T/asked.scr
y
:wait text new checkpoints came since you were asked: nothing restored
:wait idle
:save-screen $T/refused.scr
<Enter>
:wait text Restore checkpoint .* \(turn 2: write_file a\.txt\)\? y/n
n
:wait text nothing done
:quit"
ui_run 100 30 --grant "$G" --mode auto "write"
screen first | grep -q 'write_file b\.txt' && fail "b.txt's step listed before it came"
assert_screen asked 'turn 3: write_file b\.txt' 'turn 2: write_file a\.txt'
assert_screen refused 'turn 3: write_file b\.txt'
[ -e "$G/b.txt" ] || fail "y restored past b.txt's step, never listed when asked"
[ -e "$G/a.txt" ] || fail "a.txt is gone"
echo ok
