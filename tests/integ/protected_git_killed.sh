# A command killed (SIGKILL) before its checkpoint, after it made a hook
# directory in the folder's .git (which had none, so the sandbox could not
# bind one read-only): the recovery on --resume moves it aside, as the live
# take-back does, since git would run the hook on the person's next commit,
# outside any sandbox; it says so. The person's .git/config, there before,
# stays. Before, paths in .git were left as the recovery found them:
# checkpoints do not hold .git.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.git"
echo a > "$G/a.txt"; printf '[core]\n\tbare = false\n' > "$G/.git/config"
# the person's files are older than the baseline (a second: commit times)
sleep 1.1
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "mkdir .git/hooks && printf '#!/bin/sh\\necho pwned\\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit; echo b > a.txt; touch ready; sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" x
[ -e "$G/.git/hooks/pre-commit" ] || fail "the command did not run"
rm -f "$G/ready"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
"$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/resumed" 2>"$T/err2" ||
  { cat "$T/resumed" "$T/err2"; fail "resume failed"; }
cat "$T/resumed"
[ ! -e "$G/.git/hooks" ] || fail ".git/hooks left in place: $(ls -A "$G/.git/hooks")"
assert_eq "$(cat "$G/.git/hooks.removed-by-deskhand-1/pre-commit")" "$(printf '#!/bin/sh\necho pwned')"
assert_eq "$(cat "$G/.git/config")" "$(printf '[core]\n\tbare = false')" "the person's .git/config"
assert_eq "$(cat "$G/a.txt")" b
assert_contains "$(cat "$T/resumed")" "moved .git/hooks, a protected path the interrupted call toolu_killed created, aside to .git/hooks.removed-by-deskhand-1"
assert_not_contains "$(cat "$T/resumed")" ".git/config"
echo ok
