# test: serial (asserts on elapsed time)
# A detached task in ask mode that reaches an approval waits for someone to
# answer it: `ls` shows it `waiting`, and `wait` exits 4 at once (nobody can
# answer it headless) while the task goes on waiting.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write a"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
id=$("$DESKHAND" run --detach --grant "$G" --mode ask --approve-plan "write a") \
  || fail "run --detach failed"
wait_state "$id" waiting
t0=$(now_ms)
rc=0; "$DESKHAND" wait "$id" >"$T/w" 2>&1 || rc=$?
t1=$(now_ms)
assert_eq "$rc" 4 "wait on a task waiting for an approval: $(cat "$T/w")"
[ $((t1 - t0)) -lt 3000 ] || fail "wait took $((t1 - t0)) ms to see the approval"
assert_contains "$(cat "$T/w")" "deskhand attach $id"
# the task still waits; nothing was written
[ ! -e "$G/a.txt" ] || fail "a.txt was written without an approval"
wait_state "$id" waiting 20
# stop ends it: the approval is withdrawn and the task is interrupted
rc=0; "$DESKHAND" stop "$id" >"$T/s" 2>&1 || rc=$?
assert_eq "$rc" 0 "stop: $(cat "$T/s")"
rc=0; "$DESKHAND" wait "$id" >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 130 "wait after stop"
[ ! -e "$G/a.txt" ] || fail "a.txt was written after stop"
