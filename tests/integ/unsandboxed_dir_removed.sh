# Without the sandbox (--dangerously-run-commands-unsandboxed) a command can
# remove a whole protected directory, the files in it with it: the person's
# .vscode, the folder's .git/hooks. Each file is put back as it was, its
# directory made again, and each removal is said. Before, the put-back
# failed ("no such file or directory") and the files stayed gone (.vscode
# was not even looked at).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.git/hooks" "$G/.vscode/sub"
printf '[core]\n' > "$G/.git/config"
printf '#!/bin/sh\nexit 0\n' > "$G/.git/hooks/pre-push"; chmod 755 "$G/.git/hooks/pre-push"
echo '{"tasks": []}' > "$G/.vscode/tasks.json"
echo 'deep' > "$G/.vscode/sub/x.json"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "rm -rf .vscode .git/hooks; echo fine > ok.txt"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out")
audit=$(jq -r 'select(.type=="audit" and .name=="run_command").detail' <<<"$out")
echo "$audit"
assert_not_contains "$audit" "could not put back"
assert_eq "$(cat "$G/.git/hooks/pre-push")" "$(printf '#!/bin/sh\nexit 0')"
assert_eq "$(stat -c %a "$G/.git/hooks/pre-push")" 755
assert_eq "$(cat "$G/.vscode/tasks.json")" '{"tasks": []}'
assert_eq "$(cat "$G/.vscode/sub/x.json")" deep
assert_contains "$res" "this command removed $G/.git/hooks/pre-push, a git hook"
assert_contains "$res" "this command removed $G/.vscode/tasks.json, a protected path"
assert_contains "$res" "this command removed $G/.vscode/sub/x.json, a protected path"
assert_contains "$audit" "put back $G/.vscode/tasks.json as the person had it"
assert_eq "$(cat "$G/ok.txt")" fine
echo ok
