# A workbench that attaches to a task already running shows how long the
# task has run, not the time since it attached: the hello snapshot carries
# the task's start (task_started_ns) and the status line counts from it.
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
sleep 4 # the task has run 4 s or more when the workbench attaches
ui_start 100 30 attach "$id"
ui_wait "working " 15
# "working Ns": N counts from the task's start
line=$(ui_screen | grep -oE 'working [0-9]+s' | head -1)
[ -n "$line" ] || { ui_screen; fail "no task time on the status line"; }
secs=${line#working }; secs=${secs%s}
[ "$secs" -ge 4 ] || { ui_screen; fail "the task time counts from the attach: $line"; }
: > "$G/go"
ui_wait "Waited." 15
echo ok
