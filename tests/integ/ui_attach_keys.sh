# A workbench that attaches to a task that runs answers keys as the one that
# started it does: the input line is not open (the hint says i steers), so q
# asks whether to detach or stop instead of typing "q" into a line that Enter
# would send as a steer.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"; export G
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Wait"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": ": > started; i=0; while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done"}}]},
 {"text": "Waited.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
PY=$DH_TESTS/integ/server_client.py
ready=$(python3 "$PY" spawn --grant "$G" --approve-plan --mode auto "wait") || fail "spawn: $ready"
id=${ready#ok }
for _ in $(seq 1 300); do [ -e "$G/started" ] && break; sleep 0.05; done
[ -e "$G/started" ] || fail "the command did not start"
ui_start 100 30 attach "$id"
ui_wait "working " 15
ui_wait "i: steer" 10
ui_keys q
ui_wait "s stop the task" 10
assert_not_contains "$(ui_screen)" "> q"
ui_keys Escape
: > "$G/go"
ui_wait "Waited." 15
echo ok
