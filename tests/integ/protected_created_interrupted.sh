# In the sandbox, a command interrupted (SIGINT) after it created a
# protected path that was not there (.bashrc: the sandbox binds only those
# that exist) has it taken back as after a command that ended: said in the
# call's result, removed after the call's checkpoint (which holds it). The
# result still says the call was interrupted. Before, the interrupted
# command's .bashrc stayed, and nothing was said.
. "$DH_TESTS/lib.sh"
bwrap_or_skip
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo 'echo pwned' > .bashrc; touch ready; sleep 30"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "x" > "$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 1 400); do [ -e "$G/ready" ] && break; sleep 0.05; done
[ -e "$G/ready" ] || { kill -9 $pid; cat "$T/err"; fail "the command never started"; }
sleep 0.2
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
[ "$rc" = 130 ] || { cat "$T/err"; fail "exit status $rc, expected 130"; }
[ ! -e "$G/.bashrc" ] || fail ".bashrc left in place: $(cat "$G/.bashrc")"
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' "$T/out")
assert_contains "$res" "this command created $G/.bashrc, a protected path"
assert_contains "$res" "run_command was interrupted: the user interrupted the session"
assert_contains "$(jq -r 'select(.type=="audit" and .name=="run_command").detail' "$T/out")" \
  "removed $G/.bashrc, a protected path the command created"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" interrupted
echo ok
