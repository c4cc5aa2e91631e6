# `kill -9` of an engine process mid-task leaves a session that `deskhand
# attach ID` resumes: the dead engine is not listed as live, attach starts a
# new engine on the session, the workbench shows its history (the plan, the
# text, the cut-short command, shown interrupted rather than running) and
# the new engine carries a follow-up task.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
. "$DH_TESTS/lib_e2e.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning the long job.", "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Run the long command"}]}}]},
 {"text": "Starting the long command.", "tool_calls": [{"name": "run_command", "input": {"command": "echo started > started.txt && touch ready && sleep 8"}}]},
 {"text": "Picked up again after the crash.", "stop_reason": "end_turn",
  "expect": {"last_user_contains": "carry on"}}
]}
JSON
start_fake "$T/script.json"
run_detached auto "the long job"
wait_file "$G/ready" 30
wait_state "$sid" working 10
old=$(engine_pids)
[ "$(wc -w <<<"$old")" = 1 ] || fail "expected one engine, got: $old"
kill -9 "$old"
for _ in $(seq 1 100); do kill -0 "$old" 2>/dev/null || break; sleep 0.05; done
kill -0 "$old" 2>/dev/null && fail "engine $old survived SIGKILL"
# Its socket is left behind, but nobody listens: it is not live.
assert_eq "$(live_state "$sid")" "" "ls after the engine was killed"
# attach starts a new engine on the session and shows its history.
ui_start 120 40 attach "$sid"
ui_wait "Starting the long command." 30
s=$(ui_screen); echo "$s"
assert_contains "$s" "the long job"
assert_contains "$s" "Planning the long job."
assert_contains "$s" "Run the long command"
assert_contains "$s" "sleep 8"
# the cut-short command is shown ended (an error), not as still running
call=$(grep -F "sleep 8" <<<"$s" | head -1)
assert_contains "$call" "✗"
assert_not_contains "$call" "…"
new=$(engine_pids)
[ -n "$new" ] || fail "attach started no engine"
[ "$new" != "$old" ] || fail "the killed engine is still the one listed"
st=$(live_state "$sid")
[ -n "$st" ] || fail "the resumed session is not live in ls"
# The new engine works: a follow-up task reaches the model and is answered.
ui_keys i; ui_type "carry on"; ui_keys Enter
ui_wait "Picked up again after the crash." 30
ui_wait "task done"
grep -q "carry on" "$FAKE_LOG" || fail "the follow-up did not reach the model"
echo ok
