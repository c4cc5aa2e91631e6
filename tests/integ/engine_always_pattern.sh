# "Always allow" narrowed through the protocol: approve with "always" and a
# "pattern" (a command prefix for run_command) lets later commands with that
# prefix run unasked, and approval_decided names the rule; a command with
# another prefix, or the prefix followed by a shell control character, asks.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "run"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo one"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo two --loud"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo three; touch x"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echoes four"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
fifo=$T/cmd; mkfifo "$fifo"
"$DESKHAND" run --grant "$G" --approve-plan --json --commands \
  --dangerously-run-commands-unsandboxed "echo" <"$fifo" >"$T/out" 2>"$T/err" &
pid=$!
exec 9>"$fifo"
wait_for() { for _ in $(seq 1 200); do grep -q "$1" "$T/out" && return 0; sleep 0.05; done; cat "$T/out" "$T/err"; fail "timed out waiting for $1"; }
wait_for '"approval_needed".*echo one'
echo '{"type":"approve","always":true,"pattern":"echo"}' >&9
wait_for '"approval_needed".*echo three'
echo '{"type":"deny"}' >&9
wait_for '"approval_needed".*echoes four'
echo '{"type":"deny"}' >&9
exec 9>&-
wait $pid || { cat "$T/err"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="approval_needed") | .input.command' "$T/out" | tr '\n' '|')" "echo one|echo three; touch x|echoes four|"
assert_eq "$(jq -r 'select(.type=="approval_decided" and .approved) | .message' "$T/out" | grep -c 'always allowed this session (run_command "echo")')" 1
[ ! -e "$G/x" ] || fail "the chained command ran"
echo ok
