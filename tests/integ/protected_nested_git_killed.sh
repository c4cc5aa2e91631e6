# A command killed (SIGKILL) before its checkpoint, after it made a hook
# directory in a nested repository's .git (sub/.git had none, so the sandbox
# could not bind one read-only) and a config in a submodule's git directory
# (.git/modules/lib): the recovery on --resume moves both aside and says so,
# as the live take-back does, since git runs them in those repositories
# outside any sandbox. A repository the call made itself (new/) is its
# work and stays, as live. Before, the recovery looked at the folder's own
# .git only, and both stayed.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.git/modules/lib" "$G/sub/.git" "$G/lib"
echo a > "$G/a.txt"; echo 'ref: refs/heads/main' > "$G/sub/.git/HEAD"
printf '[core]\n' > "$G/sub/.git/config"
echo 'ref: refs/heads/main' > "$G/.git/modules/lib/HEAD"
echo 'gitdir: ../.git/modules/lib' > "$G/lib/.git"
# the person's files are older than the baseline (a second: commit times)
sleep 1.1
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "mkdir sub/.git/hooks && printf '#!/bin/sh\\necho pwned\\n' > sub/.git/hooks/pre-commit; printf '[core]\\n\\tfsmonitor = evil\\n' > .git/modules/lib/config; mkdir -p new/.git/hooks && echo 'ref: refs/heads/main' > new/.git/HEAD && echo '#!/bin/sh' > new/.git/hooks/pre-commit; echo b > a.txt; touch ready; sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" x
[ -e "$G/sub/.git/hooks/pre-commit" ] || { cat "$T/out"; fail "the command did not run"; }
rm -f "$G/ready"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
"$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/resumed" 2>"$T/err2" ||
  { cat "$T/resumed" "$T/err2"; fail "resume failed"; }
cat "$T/resumed"
[ ! -e "$G/sub/.git/hooks" ] || fail "sub/.git/hooks left in place: $(ls -A "$G/sub/.git/hooks")"
assert_eq "$(cat "$G/sub/.git/hooks.removed-by-deskhand-1/pre-commit")" "$(printf '#!/bin/sh\necho pwned')"
[ ! -e "$G/.git/modules/lib/config" ] || fail ".git/modules/lib/config left in place"
assert_contains "$(cat "$G/.git/modules/lib/config.removed-by-deskhand-1")" "fsmonitor = evil"
assert_eq "$(cat "$G/sub/.git/config")" '[core]' "the person's config of sub"
assert_eq "$(cat "$G/new/.git/hooks/pre-commit")" '#!/bin/sh' "the call's own repository"
assert_eq "$(cat "$G/a.txt")" b
assert_contains "$(cat "$T/resumed")" "moved sub/.git/hooks, a protected path the interrupted call toolu_killed created, aside to sub/.git/hooks.removed-by-deskhand-1"
assert_contains "$(cat "$T/resumed")" "moved .git/modules/lib/config, a protected path the interrupted call toolu_killed created, aside to .git/modules/lib/config.removed-by-deskhand-1"
assert_not_contains "$(cat "$T/resumed")" "new/.git"
# the model is told with its first request
assert_contains "$(tail -1 "$FAKE_LOG")" "moved sub/.git/hooks"
echo ok
