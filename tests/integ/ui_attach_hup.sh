# A closed terminal detaches, never interrupts (issue 10): the workbench's
# tmux session killed mid-stream (SIGHUP) leaves the task running to `done`.
# A lost connection detaches too: the engine killed under an attached
# workbench, it exits 0 and says how to attach again. `q` while the agent
# works, then `s`, stops the task: status 130.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Streaming on. Still streaming. Done after the hangup.", "stop_reason": "end_turn", "delay_ms": 500},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Wait here"}]}}]},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Wait again"}]}}]}
]}
JSON
start_fake "$T/script.json"
tm new-session -d -s keep "sleep 120"   # the tmux server outlives the killed session
UI_T=a ui_start 100 30 --grant "$G" --mode auto "stream then hang up"
UI_T=a ui_wait "writing" 15
id=$(ls "$XDG_STATE_HOME/deskhand/sessions" | head -1)
tr=$XDG_STATE_HOME/deskhand/sessions/$id/transcript.jsonl
grep -q '"session_finished"' "$tr" && fail "the task ended before the hangup: the test proves nothing"
tm kill-session -t a
for _ in $(seq 1 200); do grep -q '"session_finished"' "$tr" && break; sleep 0.1; done
grep '"session_finished"' "$tr" | grep -q '"status":"done"' \
  || { cat "$tr"; fail "the hangup stopped the task"; }
grep -q 'Sanitizer\|runtime error' "$T/ui-a.err" && { cat "$T/ui-a.err"; fail "the workbench crashed on SIGHUP"; }
# Attached to a new task that waits for its plan's approval; the engine dies.
UI_T=b ui_start 100 30 --grant "$G" "wait for me"
UI_T=b ui_wait "Approve the plan?" 15
D=$XDG_RUNTIME_DIR/deskhand
pidf=$(grep -l . "$D"/*.pid | head -1)
[ -n "$pidf" ] || fail "no engine pid file in $D"
kill -9 "$(cat "$pidf")"
UI_T=b ui_wait "EXIT=0" 10
s=$(UI_T=b ui_screen); echo "$s"
assert_contains "$s" "lost the engine"
assert_contains "$s" "deskhand attach "
# q, then s: stop the task and quit once it ended.
UI_T=c ui_start 100 30 --grant "$G" "stop me"
UI_T=c ui_wait "Approve the plan?" 15
UI_T=c ui_keys q
UI_T=c ui_wait "s stop the task"
UI_T=c ui_keys s
UI_T=c ui_wait "EXIT=130" 10
grep -l '"task":"stop me"' "$XDG_STATE_HOME"/deskhand/sessions/*/transcript.jsonl >/dev/null || fail "no session of 'stop me'"
trc=$(grep -l '"task":"stop me"' "$XDG_STATE_HOME"/deskhand/sessions/*/transcript.jsonl)
grep '"session_finished"' "$trc" | grep -q '"status":"interrupted"' || { cat "$trc"; fail "s did not stop the task"; }
echo ok
