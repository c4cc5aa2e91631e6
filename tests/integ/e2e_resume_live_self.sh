# `deskhand run --resume ID` while that session's own engine runs: refused
# (exit 1) with a message saying the session itself is live and how to reach
# it, not that its folder is "in use by live session ID" as if another
# session held it.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_e2e.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Run it"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "touch ready && sleep 20"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_detached auto "the long job"
wait_file "$G/ready" 30
rc=0; "$DESKHAND" run --resume "$sid" "more" </dev/null >"$T/out" 2>"$T/err" || rc=$?
cat "$T/err"
assert_eq "$rc" 1 "run --resume of a live session"
err=$(cat "$T/err")
assert_contains "$err" "session $sid is live"
assert_contains "$err" "deskhand attach $sid"
assert_not_contains "$err" "in use by live session"
echo ok
