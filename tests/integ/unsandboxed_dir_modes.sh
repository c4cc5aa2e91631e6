# Without the sandbox (--dangerously-run-commands-unsandboxed) a command can
# remove a whole protected directory with the files in it: each file is put
# back, and the directories it was in are made again with the permission
# bits they had (.vscode 0750 and its sub 0700, .git/hooks 0700), not the
# default ones. Before, they came back 0777 & ~umask (0755 here).
. "$DH_TESTS/lib.sh"
umask 022
G=$T/work; mkdir -p "$G/.git/hooks" "$G/.vscode/sub"
printf '[core]\n' > "$G/.git/config"
printf '#!/bin/sh\nexit 0\n' > "$G/.git/hooks/pre-push"; chmod 755 "$G/.git/hooks/pre-push"
echo '{"tasks": []}' > "$G/.vscode/tasks.json"
echo 'deep' > "$G/.vscode/sub/x.json"
chmod 0750 "$G/.vscode"; chmod 0700 "$G/.vscode/sub" "$G/.git/hooks"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "rm -rf .vscode .git/hooks"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
audit=$(jq -r 'select(.type=="audit" and .name=="run_command").detail' <<<"$out")
echo "$audit"
assert_not_contains "$audit" "could not put back"
assert_eq "$(cat "$G/.vscode/sub/x.json")" deep
assert_eq "$(cat "$G/.git/hooks/pre-push")" "$(printf '#!/bin/sh\nexit 0')"
assert_eq "$(stat -c %a "$G/.vscode" "$G/.vscode/sub" "$G/.git/hooks" | tr '\n' ' ')" "750 700 700 "
assert_eq "$(stat -c %a "$G/.vscode/tasks.json" "$G/.git/hooks/pre-push" | tr '\n' ' ')" "644 755 "
echo ok
