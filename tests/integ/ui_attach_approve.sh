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
ui_two_at_approval "$G" wait "Allow run_command"
UI_T=two ui_keys y
UI_T=one ui_wait "running run_command" 10
UI_T=two ui_wait "working" 10
assert_not_contains "$(UI_T=two ui_screen | tail -2)" "awaiting approval"
: > "$G/go"
UI_T=two ui_wait "Waited." 15
echo ok
