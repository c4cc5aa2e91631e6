# A closed terminal detaches, never interrupts (issue 10): the workbench's
# tmux session killed mid-stream (SIGHUP) leaves the task running to `done`.
# A lost connection detaches too: the engine killed under an attached
# workbench, it exits 0 and says how to attach again.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Streaming on. Still streaming. Done after the hangup.", "stop_reason": "end_turn", "delay_ms": 500},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Wait here"}]}}]}
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
echo ok
