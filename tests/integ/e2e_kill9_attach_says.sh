# After `kill -9` of an engine mid-task, `deskhand attach ID` (a new engine
# on the session) says once that the previous engine ended without
# finishing the task, naming its log, and ends that task "interrupted" as a
# stop would, rather than showing it idle with no word of the crash.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
. "$DH_TESTS/lib_e2e.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Run it"}]}}]},
 {"text": "Starting the long command.", "tool_calls": [{"name": "run_command", "input": {"command": "touch ready && sleep 20"}}]},
 {"text": "Never reached.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_detached auto "the long job"
wait_file "$G/ready" 30
old=$(engine_pids)
kill -9 "$old"
for _ in $(seq 1 100); do kill -0 "$old" 2>/dev/null || break; sleep 0.05; done
ui_start 220 40 attach "$sid"
ui_wait "Starting the long command." 30
ui_wait "task interrupted" 10
s=$(ui_screen); echo "$s"
note="the previous engine ended without finishing the task"
assert_eq "$(grep -cF "$note" <<<"$s")" 1 "lines saying the engine ended"
assert_contains "$(grep -F "$note" <<<"$s")" "its log:"
assert_contains "$s" "$XDG_STATE_HOME/deskhand/sessions/$sid/engine.log"
echo ok
