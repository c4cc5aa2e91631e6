# A command run without the sandbox (--dangerously-run-commands-unsandboxed)
# reports its own exit status: 0 is success, and 3, 124 or 125 are the
# command's, not a timeout or a sandbox that could not be set up. Before,
# every such command was reported as "exit status 125 (the sandbox could not
# be set up: bwrap exit 0; the command did not run)", an error, although it
# had run: the model would run it again.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_ok", "input": {"command": "echo ran > out.txt"}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_3", "input": {"command": "exit 3"}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_125", "input": {"command": "exit 125"}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_124", "input": {"command": "exit 124"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
result() { jq -r --arg id "$1" 'select(.type=="tool_result" and .id==$id) | "\(.is_error) \(.output)"' <<<"$out"; }
result toolu_ok; result toolu_3; result toolu_125; result toolu_124
assert_eq "$(cat "$G/out.txt")" ran
assert_contains "$(result toolu_ok)" "false [UNSANDBOXED"
assert_contains "$(result toolu_ok)" "exit status 0"
assert_contains "$(result toolu_3)" "exit status 3"
assert_contains "$(result toolu_125)" "exit status 125"
assert_contains "$(result toolu_124)" "exit status 124"
assert_not_contains "$out" "could not be set up"
assert_not_contains "$out" "did not run"
assert_not_contains "$out" "timed out"
echo ok
