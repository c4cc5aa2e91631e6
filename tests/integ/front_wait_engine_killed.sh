# `deskhand wait` on a task whose engine is killed (SIGKILL) while it waits:
# it ends at once with the record's status (interrupted, 130) and says on
# stderr that the engine went away before the task ended, naming its log
# and how to resume; it does not pass silently for a stop someone asked for.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Run it"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "touch ready && sleep 20"}}]},
 {"text": "Never reached.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --detach --grant "$G" --approve-plan --mode auto --json "the long job" \
  </dev/null 2>"$T/run.err") || { cat "$T/run.err"; fail "run --detach failed"; }
id=$(jq -r .session <<<"$out")
for _ in $(seq 1 200); do [ -e "$G/ready" ] && break; sleep 0.05; done
[ -e "$G/ready" ] || fail "the command never ran"
pid=$(cat "$XDG_RUNTIME_DIR/deskhand/$id.pid")
"$DESKHAND" wait "$id" >"$T/wait.out" 2>"$T/wait.err" &
wp=$!
# the waiter is attached (the engine counts it) before the engine dies
for _ in $(seq 1 100); do
  [ "$("$DESKHAND" ls --json | jq '.[0].clients')" = 1 ] && break; sleep 0.05
done
kill -9 "$pid"
rc=0; wait "$wp" || rc=$?
cat "$T/wait.err"
assert_eq "$rc" 130 "wait's exit status"
err=$(cat "$T/wait.err")
assert_contains "$err" "session $id: its engine went away before the task ended"
assert_contains "$err" "$XDG_STATE_HOME/deskhand/sessions/$id/engine.log"
assert_contains "$err" "'deskhand attach $id' resumes the session"
echo ok
