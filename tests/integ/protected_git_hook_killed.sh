# A command run without the sandbox (which would bind the folder's existing
# .git/hooks read-only) and killed before its checkpoint, after it wrote a
# hook there: the recovery on --resume cannot tell it from one the person
# put there since (checkpoints do not hold .git), so it leaves it, and says
# so, naming it. git's samples and the person's older hook are not named.
# Before, nothing was said: git ran the hook on the person's next commit.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.git/hooks"
echo a > "$G/a.txt"; printf '[core]\n' > "$G/.git/config"
echo '#!/bin/sh' > "$G/.git/hooks/pre-push"; echo '#!/bin/sh' > "$G/.git/hooks/commit-msg.sample"
# the person's files are older than the baseline (a second: commit times)
sleep 1.1
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "printf '#!/bin/sh\\necho pwned\\n' > .git/hooks/pre-commit; echo b > a.txt; touch ready; sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" x --dangerously-run-commands-unsandboxed
rm -f "$G/ready"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
"$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/resumed" 2>"$T/err2" ||
  { cat "$T/resumed" "$T/err2"; fail "resume failed"; }
cat "$T/resumed"
assert_contains "$(cat "$T/resumed")" "left .git/hooks/pre-commit in place, a git hook that came to be while the interrupted call toolu_killed ran"
assert_not_contains "$(cat "$T/resumed")" "pre-push"
assert_not_contains "$(cat "$T/resumed")" "commit-msg"
[ -e "$G/.git/hooks/pre-commit" ] || fail "the hook was moved"
assert_eq "$(cat "$G/a.txt")" b
echo ok
