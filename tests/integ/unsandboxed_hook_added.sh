# Without the sandbox (--dangerously-run-commands-unsandboxed) nothing binds
# the folder's existing .git/hooks read-only, so a command can add a hook,
# which git would run on the person's next commit. It is reported to the
# model and moved aside after the command's checkpoint, as a hook directory
# the command created would be; the person's own hook and git's samples
# stay. Before, nothing was said and the hook stayed.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.git/hooks"
printf '[core]\n' > "$G/.git/config"
echo '#!/bin/sh' > "$G/.git/hooks/pre-push"; echo '#!/bin/sh' > "$G/.git/hooks/commit-msg.sample"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "printf '#!/bin/sh\\necho pwned\\n' > .git/hooks/pre-commit; echo fine > ok.txt"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "ls .git/hooks"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out")
echo "$res"
assert_contains "$res" "this command created $G/.git/hooks/pre-commit, a git hook"
assert_not_contains "$res" "pre-push,"
[ ! -e "$G/.git/hooks/pre-commit" ] || fail "the hook was left in place"
assert_eq "$(cat "$G/.git/hooks/pre-commit.removed-by-deskhand-1")" "$(printf '#!/bin/sh\necho pwned')"
assert_eq "$(cat "$G/.git/hooks/pre-push")" '#!/bin/sh'
assert_eq "$(cat "$G/ok.txt")" fine
# the model was told in its next request
assert_contains "$(sed -n 3p "$FAKE_LOG")" "moved $G/.git/hooks/pre-commit aside"
echo ok
