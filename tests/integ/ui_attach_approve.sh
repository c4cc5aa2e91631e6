# A workbench attached at an approval prompt that answers it shows the task
# working, not "awaiting approval" for as long as the approved command runs:
# it attached after the call's start, so the phase had nothing to go back to.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Wait"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "i=0; while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done"}}]},
 {"text": "Waited.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
UI_T=a ui_start 100 30 --grant "$G" "wait"
UI_T=a ui_wait "Approve the plan" 15
UI_T=a ui_keys a
UI_T=a ui_wait "Allow run_command" 15
UI_T=b ui_start 100 30 attach latest
UI_T=b ui_wait "Allow run_command" 15
UI_T=b ui_keys y
UI_T=a ui_wait "running run_command" 10
UI_T=b ui_wait "working" 10
assert_not_contains "$(UI_T=b ui_screen | tail -2)" "awaiting approval"
: > "$G/go"
UI_T=b ui_wait "Waited." 15
echo ok
