# `deskhand wait` on a task whose engine was killed (SIGKILL) before wait
# started: the record read "running" with nobody holding it, wait exited
# 130 without a word, as if someone had stopped the task. It now says, as
# when the engine dies while it waits, that the engine went away before the
# task ended, naming its log and how to resume. A task stopped on purpose
# still ends 130 without that message.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write a"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_detached ask "write a"
wait_state "$sid" waiting
pid=$(cat "$XDG_RUNTIME_DIR/deskhand/$sid.pid")
kill -9 "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
rc=0; timeout 20 "$DESKHAND" wait "$sid" >"$T/wait.out" 2>"$T/wait.err" || rc=$?
assert_eq "$rc" 130 "wait's exit status: $(cat "$T/wait.err")"
err=$(cat "$T/wait.err")
assert_contains "$err" "session $sid: its engine went away before the task ended"
assert_contains "$err" "$XDG_STATE_HOME/deskhand/sessions/$sid/engine.log"
assert_contains "$err" "'deskhand attach $sid' resumes the session"
# a stopped task: 130, and no word of a killed engine
start_fake "$T/script.json"
run_detached ask "write a"
wait_state "$sid" waiting
"$DESKHAND" stop "$sid" >/dev/null 2>&1 || fail "stop failed"
for _ in $(seq 1 100); do [ -z "$(live_state "$sid")" ] && break; sleep 0.05; done
rc=0; "$DESKHAND" wait "$sid" >"$T/wait.out" 2>"$T/wait.err" || rc=$?
assert_eq "$rc" 130 "wait after stop: $(cat "$T/wait.err")"
assert_not_contains "$(cat "$T/wait.err")" "went away"
echo ok
