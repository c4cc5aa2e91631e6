# Without the sandbox (--dangerously-run-commands-unsandboxed) the same paths
# are checked as the sandbox keeps read-only: a nested repository's git
# directory (its config rewritten, a hook added, a config.worktree made) and
# what is inside a protected directory of the folder (.vscode: a task
# rewritten, a settings file added). Each change is said to the model and
# the person and undone after the command's checkpoint: a rewritten file
# put back (the command's version in .git moved aside), an added one taken
# back (in .git moved aside). Before, none of these was looked at: each
# stayed, and nothing was said.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub/.git/hooks" "$G/.vscode"
printf '[core]\n' > "$G/sub/.git/config"
printf 'ref: refs/heads/main\n' > "$G/sub/.git/HEAD"
echo '#!/bin/sh' > "$G/sub/.git/hooks/pre-push"; chmod 755 "$G/sub/.git/hooks/pre-push"
echo 'sub file' > "$G/sub/a.txt"
echo '{"tasks": []}' > "$G/.vscode/tasks.json"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "printf '\\tfsmonitor = evil\\n' >> sub/.git/config; printf '#!/bin/sh\\necho pwned\\n' > sub/.git/hooks/post-checkout; echo '[core]' > sub/.git/config.worktree; echo '{\"tasks\": [\"evil\"]}' > .vscode/tasks.json; echo '{\"x\": 1}' > .vscode/settings.json; echo fine > ok.txt"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out")
echo "$res"
# the nested repository's git directory
assert_eq "$(cat "$G/sub/.git/config")" '[core]'
assert_contains "$res" "this command changed $G/sub/.git/config, a protected path"
assert_contains "$(cat "$G/sub/.git/config.removed-by-deskhand-1")" "fsmonitor = evil"
assert_contains "$res" "this command created $G/sub/.git/hooks/post-checkout, a git hook"
[ ! -e "$G/sub/.git/hooks/post-checkout" ] || fail "the nested repository's new hook stayed"
assert_contains "$(cat "$G/sub/.git/hooks/post-checkout.removed-by-deskhand-1")" "pwned"
assert_contains "$res" "this command created $G/sub/.git/config.worktree"
[ ! -e "$G/sub/.git/config.worktree" ] || fail "the nested repository's config.worktree stayed"
assert_eq "$(cat "$G/sub/.git/hooks/pre-push")" '#!/bin/sh'
# inside a protected directory of the folder
assert_eq "$(cat "$G/.vscode/tasks.json")" '{"tasks": []}'
assert_contains "$res" "this command changed $G/.vscode/tasks.json, a protected path"
assert_contains "$res" "this command created $G/.vscode/settings.json, in a protected directory"
[ ! -e "$G/.vscode/settings.json" ] || fail ".vscode/settings.json stayed"
assert_eq "$(cat "$G/ok.txt")" fine
audit=$(jq -r 'select(.type=="audit" and .name=="run_command").detail' <<<"$out")
assert_contains "$audit" "put back $G/sub/.git/config as the person had it"
assert_contains "$audit" "put back $G/.vscode/tasks.json as the person had it"
assert_contains "$audit" "removed $G/.vscode/settings.json"
echo ok
