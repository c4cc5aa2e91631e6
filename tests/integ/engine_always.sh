# "Always allow" is the engine's permission state, not a front end's: an
# approve with "always":true lets later calls of that tool run without an
# approval_needed, for the rest of the session; other tools still ask.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "a"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "b"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "true"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
fifo=$T/cmd; mkfifo "$fifo"
"$DESKHAND" run --grant "$G" --approve-plan --json --commands \
  --dangerously-run-commands-unsandboxed "write a and b" <"$fifo" >"$T/out" 2>"$T/err" &
pid=$!
exec 9>"$fifo"
wait_for() { for _ in $(seq 1 200); do grep -q "$1" "$T/out" && return 0; sleep 0.05; done; cat "$T/out" "$T/err"; fail "timed out waiting for $1"; }
wait_for '"approval_needed".*a.txt'
echo '{"type":"approve","always":true}' >&9
wait_for '"approval_needed".*run_command'
echo '{"type":"deny","message":"no commands"}' >&9
exec 9>&-
wait $pid || { cat "$T/err"; fail "run failed"; }
assert_eq "$(cat "$G/a.txt")$(cat "$G/b.txt")" ab
# b.txt was never asked about; the engine says why it ran.
assert_eq "$(jq -r 'select(.type=="approval_needed") | .name' "$T/out" | tr '\n' ' ')" "write_file run_command "
assert_eq "$(jq -r 'select(.type=="approval_decided" and .approved and .message=="always allowed this session (write_file)") | .id' "$T/out" | wc -l)" 1
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" done
echo ok
