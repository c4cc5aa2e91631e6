# Without the sandbox (--dangerously-run-commands-unsandboxed) a command
# killed after it rewrote a protected file has it put back as one that
# ended does: the one its timeout killed (.git/config), and the one the
# person's interrupt (SIGINT) killed (.bashrc), each said in the call's
# result and the audit event. The interrupted call's result still says it
# was interrupted, the session ends interrupted, and the command's output
# so far is kept. Before, an interrupted command's rewrite stayed, and
# nothing was said.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.git"
printf '[core]\n' > "$G/.git/config"
echo 'alias ll="ls -l"' > "$G/.bashrc"; chmod 600 "$G/.bashrc"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [
  {"name": "run_command", "input": {"command": "printf '\\tfsmonitor = evil\\n' >> .git/config; sleep 30", "timeout_s": 1}},
  {"name": "run_command", "input": {"command": "echo 'echo pwned' >> .bashrc; echo half way; touch ready; sleep 30"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" > "$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 1 400); do [ -e "$G/ready" ] && break; sleep 0.05; done
[ -e "$G/ready" ] || { kill -9 $pid; cat "$T/err"; fail "the second command never started"; }
sleep 0.2
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
[ "$rc" = 130 ] || { cat "$T/err"; fail "exit status $rc, expected 130"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' "$T/out")
echo "$res"
# the timeout
assert_contains "$res" "timed out after 1 s"
assert_contains "$res" "this command changed $G/.git/config, a protected path"
assert_eq "$(cat "$G/.git/config")" '[core]'
assert_contains "$(cat "$G/.git/config.removed-by-deskhand-1")" "fsmonitor = evil"
# the interrupt
assert_eq "$(cat "$G/.bashrc")" 'alias ll="ls -l"'
assert_contains "$res" "this command changed $G/.bashrc, a protected path"
assert_contains "$res" "half way"
assert_contains "$res" "run_command was interrupted: the user interrupted the session"
assert_eq "$(stat -c %a "$G/.bashrc")" 600
audit=$(jq -r 'select(.type=="audit" and .name=="run_command").detail' "$T/out")
assert_contains "$audit" "put back $G/.git/config as the person had it"
assert_contains "$audit" "put back $G/.bashrc as the person had it"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" interrupted
# the copies kept on disk for an engine killed while a command runs are
# gone once the command's put-back is done (or had nothing to do)
[ -z "$(find "$T" -name protected-copies)" ] || fail "the copies on disk outlived the command"
echo ok
