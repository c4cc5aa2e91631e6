# Without the sandbox (--dangerously-run-commands-unsandboxed) a command can
# remove a whole protected directory: the directories in it that held no
# file (.vscode/empty, .git/hooks/pre-commit.d) and a protected directory
# that was empty itself (.local/bin) are made again too, with the
# permission bits they had, beside the files put back. Before, only the
# directories on the way to a file came back: the empty ones stayed gone.
. "$DH_TESTS/lib.sh"
umask 022
G=$T/work; mkdir -p "$G/.git/hooks/pre-commit.d" "$G/.vscode/empty" "$G/.local/bin"
printf '[core]\n' > "$G/.git/config"
printf '#!/bin/sh\nexit 0\n' > "$G/.git/hooks/pre-push"; chmod 755 "$G/.git/hooks/pre-push"
echo '{"tasks": []}' > "$G/.vscode/tasks.json"
chmod 0710 "$G/.vscode/empty"; chmod 0750 "$G/.git/hooks/pre-commit.d"; chmod 0700 "$G/.local/bin"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "rm -rf .vscode .git/hooks .local/bin"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out")
audit=$(jq -r 'select(.type=="audit" and .name=="run_command").detail' <<<"$out")
echo "$audit"
assert_not_contains "$audit" "could not"
assert_eq "$(cat "$G/.vscode/tasks.json")" '{"tasks": []}'
assert_eq "$(cat "$G/.git/hooks/pre-push")" "$(printf '#!/bin/sh\nexit 0')"
[ -d "$G/.vscode/empty" ] || fail ".vscode/empty was not made again"
[ -d "$G/.git/hooks/pre-commit.d" ] || fail ".git/hooks/pre-commit.d was not made again"
[ -d "$G/.local/bin" ] || fail ".local/bin was not made again"
assert_eq "$(stat -c %a "$G/.vscode/empty" "$G/.git/hooks/pre-commit.d" "$G/.local/bin" | tr '\n' ' ')" "710 750 700 "
assert_contains "$res" "this command removed $G/.local/bin, a protected path"
assert_contains "$audit" "put back $G/.vscode/empty as the person had it"
echo ok
