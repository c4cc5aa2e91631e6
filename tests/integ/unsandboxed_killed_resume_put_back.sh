# Without the sandbox (--dangerously-run-commands-unsandboxed) the engine
# keeps a copy of each protected file before a command runs, to put back
# what the command rewrote or removed. An engine killed (SIGKILL) during
# such a command has them on disk: the recovery of --resume puts back the
# .bashrc it rewrote, the git hook it rewrote (the command's version moved
# aside: checkpoints do not hold .git) and the file of .local/bin it
# removed, each with its bytes and permission bits, tells the model in the
# first request, and records the put-back in a checkpoint of its own; the
# copies on disk are gone after. Before, only what the command created was
# taken back: the rewrites and the removal stayed, and nothing was said.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.git/hooks" "$G/.local/bin"
echo a > "$G/a.txt"; printf '[core]\n' > "$G/.git/config"
echo 'alias ll="ls -l"' > "$G/.bashrc"; chmod 600 "$G/.bashrc"
printf '#!/bin/sh\nexit 0\n' > "$G/.git/hooks/pre-push"; chmod 750 "$G/.git/hooks/pre-push"
printf '#!/bin/sh\necho mine\n' > "$G/.local/bin/tool"; chmod 700 "$G/.local/bin/tool"
# the person's files are older than the baseline (a second: commit times)
sleep 1.1
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "echo 'echo pwned' >> .bashrc; chmod 644 .bashrc; printf 'curl evil\\n' > .git/hooks/pre-push; rm .local/bin/tool; echo b > a.txt; touch ready; sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn",
  "expect": {"last_user_contains": "put back .bashrc as the person had it, a protected path the interrupted call toolu_killed changed"}}
]}
JSON
start_fake "$T/script.json"
run_killed_in_command "$G" x --dangerously-run-commands-unsandboxed
rm -f "$G/ready"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
"$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/resumed" 2>"$T/err2" ||
  { cat "$T/resumed" "$T/err2"; fail "resume failed (the model was not told?)"; }
cat "$T/resumed"
assert_contains "$(cat "$T/resumed")" "Resumed and done."
assert_eq "$(cat "$G/.bashrc")" 'alias ll="ls -l"'
assert_eq "$(stat -c %a "$G/.bashrc")" 600
assert_eq "$(cat "$G/.git/hooks/pre-push")" "$(printf '#!/bin/sh\nexit 0')"
assert_eq "$(stat -c %a "$G/.git/hooks/pre-push")" 750
assert_contains "$(cat "$G/.git/hooks/pre-push.removed-by-deskhand-1")" "curl evil"
assert_eq "$(cat "$G/.local/bin/tool")" "$(printf '#!/bin/sh\necho mine')"
assert_eq "$(stat -c %a "$G/.local/bin/tool")" 700
assert_eq "$(cat "$G/a.txt")" b
# the model's first request of the resumed run says each
req=$(tail -n 1 "$FAKE_LOG")
assert_contains "$req" "put back .bashrc as the person had it, a protected path the interrupted call toolu_killed changed"
assert_contains "$req" "put back .git/hooks/pre-push as the person had it, a protected path the interrupted call toolu_killed changed; the call's version is at .git/hooks/pre-push.removed-by-deskhand-1"
assert_contains "$req" "put back .local/bin/tool as the person had it, a protected path the interrupted call toolu_killed removed"
# and the person's report
assert_contains "$(cat "$T/resumed" "$T/err2")" "$G: put back .bashrc as the person had it"
# the put-back is deskhand's own step: the call's checkpoint holds its version
log=$("$DESKHAND" log --session "$sid" 2>&1 || true)
echo "$log"
assert_contains "$log" "deskhand put back the protected paths the interrupted call toolu_killed changed"
[ -z "$(find "$T" -name protected-copies)" ] || fail "the copies on disk outlived the put-back"

# a review verb recovers first (no model to tell): it puts the files back,
# and the resume after it tells the model
G=$T/work2; mkdir -p "$G"; echo a > "$G/a.txt"
echo 'alias ll="ls -l"' > "$G/.bashrc"; chmod 600 "$G/.bashrc"
sleep 1.1
start_fake "$T/script.json"
run_killed_in_command "$G" x --dangerously-run-commands-unsandboxed
rm -f "$G/ready"
(cd "$G" && "$DESKHAND" review) > "$T/review.out" 2>&1 || { cat "$T/review.out"; fail "review"; }
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
"$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/resumed" 2>"$T/err2" ||
  { cat "$T/resumed" "$T/err2"; fail "resume after review failed (the model was not told?)"; }
assert_eq "$(cat "$G/.bashrc")" 'alias ll="ls -l"'
assert_eq "$(stat -c %a "$G/.bashrc")" 600
echo ok
