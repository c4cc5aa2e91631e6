# A repository a command makes has its hooks and config written from inside
# the sandbox, and git runs them when the person uses git there. The
# checkpoint after the command finds each repository the watcher did not list
# before it, at any depth, and reports what git runs from it: its hooks other
# than git init's samples, and the entries of its own config that name a
# program or another config file. The person gets an audit event, the model
# a note with the next results. Nothing in the repository is changed (it is
# the command's work), and one from which nothing runs is not reported.
. "$DH_TESTS/lib.sh"
command -v git >/dev/null || skip "git is not installed"
G=$T/code
mkdir -p "$G/old"
git init -q -b main "$G/old/repo"
cmd='git init -q -b main made/evil'
cmd="$cmd && printf '#!/bin/sh\\\\nexit 0\\\\n' > made/evil/.git/hooks/pre-commit"
cmd="$cmd && chmod +x made/evil/.git/hooks/pre-commit"
cmd="$cmd && git -C made/evil config core.fsmonitor ./mon.sh"
cmd="$cmd && git -C made/evil config alias.st status"
cmd="$cmd && git -C made/evil config alias.x '!id'"
cmd="$cmd && git init -q -b main made/plain"
cmd="$cmd && git init -q -b main deep/a/b/c"
cmd="$cmd && git -C deep/a/b/c config filter.x.smudge 'cat %f'"
cmd="$cmd && echo made-them"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "repos"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "$cmd"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo next"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo last"}}]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
jq -e . "$T/script.json" >/dev/null || fail "bad script"
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "repos" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
assert_contains "$(jq -r 'select(.type=="tool_result") | .output' <<<"$out")" made-them
audit=$(jq -r 'select(.type=="audit") | .detail' <<<"$out")
echo "$audit"
evil=$(grep -F "made the git repository $G/made/evil," <<<"$audit") \
  || fail "no report of made/evil: $audit"
assert_contains "$evil" "hooks/pre-commit"
assert_contains "$evil" "config core.fsmonitor = ./mon.sh"
assert_contains "$evil" "config alias.x = !id"
assert_not_contains "$evil" "alias.st" # an alias without '!' runs git itself
assert_not_contains "$evil" ".sample"
deep=$(grep -F "made the git repository $G/deep/a/b/c," <<<"$audit") \
  || fail "no report of deep/a/b/c: $audit"
assert_contains "$deep" "config filter.x.smudge = cat %f"
assert_not_contains "$audit" "$G/made/plain" # nothing runs from it
assert_not_contains "$audit" "$G/old/repo"   # it was there before
# the model is told with the results that follow
grep -qF "made the git repository $G/made/evil" "$FAKE_LOG" || fail "the model was not told"
# nothing in the repositories was changed
[ -x "$G/made/evil/.git/hooks/pre-commit" ] || fail "the hook was changed"
assert_eq "$(git -C "$G/made/evil" config core.fsmonitor)" ./mon.sh
echo ok
