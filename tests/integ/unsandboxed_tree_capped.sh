# Without the sandbox (--dangerously-run-commands-unsandboxed) the files of
# a protected directory are kept and listed before a command, up to 4096
# entries a directory: of a larger one (a .vscode of 4100 files) only a
# part is checked, and the command's result says so, naming it, for the
# model and the person to look at. A smaller one is not named. Before, the
# check past the first 4096 entries was skipped in silence.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.vscode" "$G/.local/bin"
(cd "$G/.vscode" && seq 1 4100 | sed 's/$/.json/' | xargs touch)
echo tool > "$G/.local/bin/tool"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo fine > ok.txt"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out")
echo "$res"
assert_contains "$res" "$G/.vscode holds more than 4096 entries; deskhand kept and checked the first 4096 only"
assert_not_contains "$res" ".local/bin holds"
assert_contains "$(sed -n 3p "$FAKE_LOG")" "$G/.vscode holds more than 4096 entries"
assert_eq "$(cat "$G/ok.txt")" fine
echo ok
